"""What every request runs with: the store, the caller's session, the service's limits.

Authentication: ``Authorization: Bearer <credential>`` (a Counterflow API token
``cf_<id>_<secret>``, or a JWT from the configured identity provider), or the workspace's
``cf_session`` cookie, which holds the same API token (HttpOnly, SameSite=Strict, so other
sites can neither read it nor send it). A store with no registered agency is *open*: its
single operator needs no credential (the embedded, one-analyst case). The
``X-Justification`` header carries the reason for a consultation where the user's agency
requires one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from counterflow.errors import Unauthenticated
from counterflow.ingest.mentions import NameIndex
from counterflow.ingest.report_queue import ReportQueue
from counterflow.model.visibility import UserRole, Viewer
from counterflow.policy.auth import (
    DENIED,
    TOKEN_PREFIX,
    JwtValidator,
    NeedsThread,
    VerifiedSecrets,
    authenticate,
    authenticate_token,
)
from counterflow.policy.session import Session
from counterflow.store.sql import SqlStore

T = TypeVar("T")

COOKIE = "cf_session"


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one request may ask of the service."""

    max_body_bytes: int = 64 * 2**20  # one bulk upload
    timeout_seconds: float = 60.0
    max_results: int = 200
    max_graph_entities: int = 2000
    max_hops: int = 3


@dataclass
class Services:
    store: SqlStore
    validator: JwtValidator | None = None
    limits: Limits = field(default_factory=Limits)
    secrets: VerifiedSecrets = field(default_factory=VerifiedSecrets)
    names: NameIndex | None = None  # known names for text mentions, read from the store once
    reports: ReportQueue | None = None  # single reports from every request, on one thread


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


async def _services_dep(request: Request) -> Services:  # async: no thread hop for a lookup
    return services(request)


def credential_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return request.cookies.get(COOKIE) or None


async def current_viewer(request: Request) -> Viewer:
    """The caller, authenticated; ``Unauthenticated`` (401) otherwise.

    On the embedded store, an API token already verified is checked here, on the event loop:
    a lookup in a local index costs less than the hop to a request thread and back (about 5%
    of the service's CPU per report under the alert bench, docs/routes.md). Anything slower (argon2
    for a token not seen yet or a wrong secret, a JWT, PostgreSQL over the network) goes to a
    thread as before."""
    cached: Viewer | None = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    svc = services(request)
    credential = credential_of(request)
    if credential is not None and svc.store.dialect == "sqlite" and credential.startswith(f"{TOKEN_PREFIX}_"):
        try:
            viewer = authenticate_token(svc.store, credential, svc.secrets, quick=True)
        except NeedsThread:
            pass
        else:
            request.state.viewer = viewer
            return viewer
    return await run_in_threadpool(viewer_of, request)


def viewer_of(request: Request) -> Viewer:
    """``current_viewer`` for callers on a thread of their own."""
    cached: Viewer | None = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    svc = services(request)
    credential = credential_of(request)
    if credential is None:
        if svc.store.sharing().open:
            viewer = Viewer.operator()
        else:
            raise Unauthenticated(DENIED)
    else:
        viewer = authenticate(svc.store, credential, svc.validator, svc.secrets)
    request.state.viewer = viewer
    return viewer


async def current_session(  # async: building a session reads nothing
    request: Request,
    viewer: Annotated[Viewer, Depends(current_viewer)],
    x_justification: Annotated[str | None, Header(max_length=500)] = None,
) -> Session:
    return Session(services(request).store, viewer, x_justification)


def require(*roles: UserRole) -> object:
    """A dependency refusing callers without one of ``roles`` (403)."""

    async def check(session: Annotated[Session, Depends(current_session)]) -> Session:
        session.require(*roles)
        return session

    return Depends(check)


class ViewCache(Generic[T]):
    """The last few views (a network, the routes) built per viewer and store version.

    Building one reads every statement the viewer may see; requests for it come per click."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._built: OrderedDict[tuple[Any, ...], T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._built:
                self._built.move_to_end(key)
                return self._built[key]
        found = build()
        with self._lock:
            self._built[key] = found
            while len(self._built) > self.size:
                self._built.popitem(last=False)
        return found


def view_key(session: Session) -> tuple[Any, ...]:
    """Who reads, and which content of the store: the reports held and the resolution ledger
    (consultations, which every read appends to the log, do not change a view)."""
    from counterflow.resolve.service import ledger_version

    reports = session.store.reports_held()
    v = session.viewer
    return (v.user, v.agency, v.clearance, v.roles, v.agreements, *reports, *ledger_version(session.store))


SessionDep = Annotated[Session, Depends(current_session)]
ServicesDep = Annotated[Services, Depends(_services_dep)]
