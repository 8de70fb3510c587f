"""The analysts' web workspace: server-rendered pages over the same services as the API.

Pages read through the same ``Session`` as the API (need-to-know, consultation log,
justification), so the workspace can show nothing the API would not. Interactive parts
(link chart, map, live alerts, review decisions) are small vendored scripts calling the
API with the session cookie; there is no build step and nothing is fetched from the
internet. Sign-in takes an API token and keeps it in an HttpOnly, SameSite=Strict cookie.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from counterflow.alerts.feed import alert_feed
from counterflow.alerts.watchlist import list_watches
from counterflow.api.context import COOKIE, Services, services, viewer_of
from counterflow.cases.analysis import analyse
from counterflow.cases.chronology import chronology
from counterflow.cases.files import list_cases, may_edit
from counterflow.cases.material import gather
from counterflow.errors import CounterflowError, Unauthenticated, status_of
from counterflow.policy.session import Session
from counterflow.resolve import service as resolution
from counterflow.routes.basemap import BASEMAP

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)
_LOCAL = re.compile(r"/(?:[A-Za-z0-9][A-Za-z0-9/_.~%-]*)?(?:\?[A-Za-z0-9=&_.~%+-]*)?")


def _session(request: Request) -> Session:
    viewer = viewer_of(request)
    return Session(services(request).store, viewer, request.headers.get("x-justification"))


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    viewer = getattr(request.state, "viewer", None)
    return templates.TemplateResponse(request, name, {"viewer": viewer, **context}, status_code=status)


def _error_page(request: Request, exc: CounterflowError) -> Response:
    if isinstance(exc, Unauthenticated):
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    return _page(request, "error.html", status=status_of(exc)[1], error=exc)


def _local(path: str) -> str:
    """A path on this site to return to after sign-in; anything else (//host, /\\host, URLs) is "/"."""
    return path if _LOCAL.fullmatch(path) else "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return _page(request, "login.html", next=_local(next))


@router.post("/login")
def login(
    request: Request, token: Annotated[str, Form(max_length=200)], next: Annotated[str, Form()] = "/"
) -> Response:
    svc: Services = request.app.state.services
    from counterflow.policy.auth import authenticate

    try:
        authenticate(svc.store, token.strip(), svc.validator, svc.secrets)
    except CounterflowError:
        return _page(request, "login.html", status=401, next=next, failed=True)
    resp = RedirectResponse(_local(next), status_code=303)
    resp.set_cookie(
        COOKIE, token.strip(), httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return resp


@router.post("/logout")
def logout() -> Response:
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp


@router.get("/", response_class=HTMLResponse)
def home(request: Request, q: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    try:
        session = _session(request)
        hits = session.search(q, limit=50) if q and q.strip() else []
        stats = session.stats() if not q else None
    except CounterflowError as exc:
        return _error_page(request, exc)
    return _page(request, "search.html", q=q or "", hits=hits, stats=stats)


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, entity_id: str) -> Response:
    try:
        session = _session(request)
        profile = session.profile(entity_id)
        cluster = resolution.explain_cluster(session.store, entity_id, viewer=session.viewer)
        cases = [c for c in list_cases(session.store, session.viewer) if c["status"] == "open"]
    except CounterflowError as exc:
        return _error_page(request, exc)
    return _page(request, "entity.html", p=profile, cluster=cluster, cases=cases)


@router.get("/entities/{entity_id}/timeline", response_class=HTMLResponse)
def timeline_page(request: Request, entity_id: str) -> Response:
    try:
        session = _session(request)
        profile = session.profile(entity_id)
    except CounterflowError as exc:
        return _error_page(request, exc)
    events = sorted(
        (s for s in profile["statements"] if s["observed_at"] or s["reported_at"]),
        key=lambda s: s["observed_at"] or s["reported_at"],
    )
    return _page(request, "timeline.html", p=profile, events=events)


@router.get("/chart", response_class=HTMLResponse)
def chart_page(request: Request, entity: Annotated[list[str] | None, Query()] = None) -> Response:
    try:
        _session(request)
    except CounterflowError as exc:
        return _error_page(request, exc)
    return _page(request, "chart.html", seeds=entity or [])


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request) -> Response:
    try:
        _session(request)
    except CounterflowError as exc:
        return _error_page(request, exc)
    return _page(request, "map.html")


@router.get("/map/europe.geojson", include_in_schema=False)
def basemap() -> Response:
    """The offline basemap (Natural Earth coastlines and borders), public like the page's scripts."""
    cache = {"Cache-Control": "max-age=86400"}
    return FileResponse(BASEMAP, media_type="application/geo+json", headers=cache)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request) -> Response:
    try:
        session = _session(request)
        recent = alert_feed(session.store, session.viewer, limit=1000)[-50:]
        watched = list_watches(session.store, session.viewer)
    except CounterflowError as exc:
        return _error_page(request, exc)
    return _page(request, "alerts.html", recent=list(reversed(recent)), watches=watched)


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request) -> Response:
    try:
        session = _session(request)
        queue = resolution.review_queue(session.store, limit=100, viewer=session.viewer)
    except CounterflowError as exc:
        return _error_page(request, exc)
    return _page(request, "review.html", queue=queue)


@router.get("/review/pair", response_class=HTMLResponse)
def pair_page(
    request: Request,
    left: Annotated[str, Query(max_length=200)],
    right: Annotated[str, Query(max_length=200)],
) -> Response:
    try:
        session = _session(request)
        explained = resolution.explain_pair(session.store, left, right, viewer=session.viewer)
    except CounterflowError as exc:
        return _error_page(request, exc)
    return _page(request, "pair.html", left=left, right=right, x=explained)


@router.get("/tasks", response_class=HTMLResponse)
def tasks_page(request: Request) -> Response:
    try:
        session = _session(request)
        tasks = session.tasks()
    except CounterflowError as exc:
        return _error_page(request, exc)
    return _page(request, "tasks.html", tasks=tasks)


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request) -> Response:
    try:
        session = _session(request)
        found = list_cases(session.store, session.viewer)
    except CounterflowError as exc:
        return _error_page(request, exc)
    return _page(request, "cases.html", cases=found)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: Annotated[str, PathParam(max_length=64)]) -> Response:
    """The case builder: targets, standing on evidence, gaps, documents, chronology, outputs."""
    try:
        session = _session(request)
        material = gather(session.store, session.viewer, case_id)
        session.consulted(
            "case", case_id, {"statements": len(material.statements), "targets": material.targets}
        )
        result = analyse(material)
        events = chronology(material)
        editable = may_edit(material.case, session.viewer) and material.case.status == "open"
    except CounterflowError as exc:
        return _error_page(request, exc)
    return _page(
        request,
        "case.html",
        case=material.case,
        a=result,
        events=events[-200:],
        events_total=len(events),
        editable=editable,
    )


def mount(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(router)


__all__ = ["mount", "router"]
