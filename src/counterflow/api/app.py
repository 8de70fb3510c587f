"""The Counterflow service: the versioned HTTP API and the analysts' web workspace in one app.

``create_app(store)`` builds it; ``counterflow serve`` runs it on uvicorn. Routes live in
``routes_*`` modules by capability; errors become statuses in one place (``errors.STATUS``
through ``error_response``); limits on body size and time apply to every request.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from counterflow import __version__
from counterflow.api import (
    events,
    routes_alerts,
    routes_cases,
    routes_graph,
    routes_intel,
    routes_map,
    routes_policy,
    routes_resolution,
    routes_sanctions,
)
from counterflow.api.context import Limits, Services, ViewCache
from counterflow.errors import CounterflowError, status_of
from counterflow.graph.build import EntityGraph
from counterflow.policy.auth import JwtValidator
from counterflow.routes.service import RouteView
from counterflow.store.sql import SqlStore

log = logging.getLogger(__name__)
API = "/api/v1"
STREAMING_PATHS = (f"{API}/events",)


def error_response(exc: CounterflowError) -> JSONResponse:
    status = status_of(exc)[1]
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(exc.to_dict(), status_code=status, headers=headers)


class LimitsMiddleware:
    """Refuses bodies over the limit (413) and answers 504 when a request runs out of time.

    A handler running in a worker thread cannot be stopped; the client gets its 504 at the
    limit and the thread's result is dropped. Event streams are exempt from the time limit.
    """

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.max_body_bytes
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_json(
                send,
                413,
                {"error": "LimitExceeded", "message": "request body too large", "limit_bytes": limit},
            )
            return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        call = self.app(scope, counted_receive, tracked_send)
        try:
            if scope["path"].startswith(STREAMING_PATHS):
                await call
            else:
                async with asyncio.timeout(self.limits.timeout_seconds):
                    await call
        except _TooLarge:
            if not started:
                await _send_json(
                    send,
                    413,
                    {"error": "LimitExceeded", "message": "request body too large", "limit_bytes": limit},
                )
        except TimeoutError:
            if not started:
                await _send_json(
                    send,
                    504,
                    {
                        "error": "Timeout",
                        "message": "the request took too long",
                        "limit_seconds": self.limits.timeout_seconds,
                    },
                )


class _TooLarge(Exception):
    pass


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    resp = JSONResponse(body, status_code=status)
    await send({"type": "http.response.start", "status": status, "headers": resp.raw_headers})
    await send({"type": "http.response.body", "body": resp.body})


def app_from_env() -> FastAPI:
    """The app as configured by COUNTERFLOW_* settings (uvicorn's factory for several workers)."""
    import os

    from counterflow.settings import Settings
    from counterflow.store.selectors import load_key

    _fewer_malloc_arenas()
    settings = Settings.from_env()
    key = load_key(settings.selector_key_file) if settings.selector_key_file else None
    store = SqlStore(settings.database_url, selector_key=key, background_checkpoints=True)
    timeout = float(os.environ.get("COUNTERFLOW_REQUEST_TIMEOUT", "60"))
    app = create_app(store, validator=JwtValidator.from_env(), limits=Limits(timeout_seconds=timeout))
    _warm(app, store)
    # Everything loaded so far (libraries, the app, the resolved state) lives as long as the
    # process, or until the ledger changes: keep it out of the garbage collector's full passes,
    # which otherwise stop every request for ~100 ms now and then.
    gc.collect()
    gc.freeze()
    return app


def _warm(app: FastAPI, store: SqlStore) -> None:
    """Build what requests share before the first one comes: the resolved state (every graph,
    map and review request) and the index of known names (every ingest, to find mentions).

    Seconds on a national store, paid once; and built before ``gc.freeze`` they stay out of
    the collector's full passes. Built by the first ingest instead, the name index made every
    full pass in a soak with ingest take ~80 ms, every few seconds. A store not reachable yet
    leaves them to the first requests."""
    from counterflow.ingest.mentions import NameIndex
    from counterflow.model.visibility import Viewer
    from counterflow.resolve import service as resolution

    try:
        resolution.state(store)
        names = NameIndex()
        names.add_many(store.name_index(viewer=Viewer.operator()))
        app.state.services.names = names
    except (CounterflowError, DBAPIError) as exc:
        log.warning("shared state not built at start (%s); the first requests will", exc)


def _fewer_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas for this process (the service's) before its threads start.

    glibc gives each thread that meets contention an arena of its own, up to eight per core,
    and memory freed in one is seldom returned: with forty request threads building link
    charts, the service's memory rose 31 MiB a minute for as long as it ran. With two arenas
    it rose 9 to 10 (bench_soak.py, four minutes each, same day). Not glibc (musl, macOS): nothing
    to do."""
    import ctypes
    import ctypes.util

    m_arena_max = -8  # mallopt's M_ARENA_MAX
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(m_arena_max, arenas) == 1)
    except (OSError, AttributeError):
        log.debug("malloc arenas left as they are (not glibc)")
        return False


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At shutdown, reports already queued are written before the ingest thread stops."""
    yield
    queue = app.state.services.reports
    if queue is not None:
        await asyncio.to_thread(queue.close)


def create_app(
    store: SqlStore,
    *,
    validator: JwtValidator | None = None,
    limits: Limits | None = None,
    web: bool = True,
) -> FastAPI:
    app = FastAPI(
        title="Counterflow",
        version=__version__,
        description=(
            "Shared intelligence against people-smuggling networks on the Balkan route. Every route "
            "reads through the caller's need-to-know; every read of intelligence is logged. "
            "Authenticate with `Authorization: Bearer <API token>` (`counterflow tokens issue USER`)."
        ),
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.services = Services(store, validator, limits or Limits())
    app.state.broker = events.Broker(store)
    app.state.services.reports = routes_intel.report_queue(app)
    app.state.networks = ViewCache[EntityGraph]()
    app.state.route_views = ViewCache[RouteView]()

    @app.exception_handler(CounterflowError)
    async def on_counterflow_error(request: Request, exc: CounterflowError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(OperationalError)
    async def on_store_down(request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("store unavailable: %s", exc.orig)
        return JSONResponse(
            {"error": "StoreUnavailable", "message": "the store is unavailable; try again shortly"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(DBAPIError)
    async def on_store_error(request: Request, exc: DBAPIError) -> JSONResponse:
        log.error("store error: %s", exc.orig)
        return JSONResponse({"error": "StoreError", "message": "the store failed"}, status_code=500)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "reason": e.get("msg", "")}
            for e in exc.errors()
        ]
        return JSONResponse(
            {
                "error": "InvalidRequest",
                "message": f"{len(problems)} problem(s) in the request",
                "problems": problems,
            },
            status_code=422,
        )

    @app.get(f"{API}/health", tags=["service"], summary="Is the service up, and its store reachable?")
    def health() -> dict[str, Any]:
        store.ping()
        return {"status": "ok", "version": __version__, "store": store.dialect}

    for module in (
        routes_intel,
        routes_resolution,
        routes_graph,
        routes_map,
        routes_policy,
        routes_alerts,
        routes_cases,
        routes_sanctions,
        events,
    ):
        app.include_router(module.router, prefix=API)
    if web:
        from counterflow.web.pages import mount

        mount(app)
    app.add_middleware(LimitsMiddleware, limits=app.state.services.limits)
    return app
