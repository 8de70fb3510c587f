"""Live events for the workspace: a server-sent events stream, filtered per viewer.

Whatever happens in the service (a report arrives, later an alert fires) is published
once with a rule saying who may learn of it; each subscriber's stream checks that rule
against its own viewer before sending, so an event about material a user may not see
never reaches that user's browser (not even as a count). Publishing is thread-safe:
route handlers run in worker threads, the streams on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from counterflow.api.context import current_viewer
from counterflow.model.visibility import Viewer
from counterflow.store.sql import SqlStore

router = APIRouter(tags=["events"])
KEEPALIVE_SECONDS = 15.0
_IDS = itertools.count(1)


@dataclass(frozen=True)
class Event:
    kind: str  # report | alert
    data: dict[str, Any]
    audience: Callable[[Viewer], bool]
    id: int = field(default_factory=lambda: next(_IDS))
    at: float = field(default_factory=time.time)

    def encode(self) -> str:
        body = {"id": self.id, "kind": self.kind, "at": self.at, **self.data}
        payload = json.dumps(body, ensure_ascii=False)
        return f"id: {self.id}\nevent: {self.kind}\ndata: {payload}\n\n"


class Broker:
    """Fan-out of events to the open streams of this process."""

    def __init__(self, queue_size: int = 256, keepalive: float = KEEPALIVE_SECONDS) -> None:
        self.queue_size = queue_size
        self.keepalive = keepalive
        self._subscribers: set[asyncio.Queue[Event]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def publish(self, event: Event) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        for queue in list(self._subscribers):
            loop.call_soon_threadsafe(_offer, queue, event)

    async def stream(self) -> AsyncIterator[Event | None]:
        """Events as they come; ``None`` after ``keepalive`` seconds of quiet (a closed browser is
        noticed then)."""
        self._loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Event] = asyncio.Queue(self.queue_size)
        self._subscribers.add(queue)
        try:
            while True:
                try:
                    yield await asyncio.wait_for(queue.get(), self.keepalive)
                except TimeoutError:
                    yield None
        finally:
            self._subscribers.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)


def _offer(queue: asyncio.Queue[Event], event: Event) -> None:
    with contextlib.suppress(asyncio.QueueFull):  # a stalled browser loses events, not the service
        queue.put_nowait(event)


def broker_of(app: FastAPI) -> Broker:
    found: Broker = app.state.broker
    return found


def publish_report(app: FastAPI, store: SqlStore, agency: str, report_id: str) -> None:
    """A report arrived: told to those who may see some of it."""

    def audience(viewer: Viewer) -> bool:
        return bool(store.statements_for_report(agency, report_id, viewer=viewer))

    broker_of(app).publish(Event("report", {"agency": agency, "report_id": report_id}, audience))


@router.get(
    "/events",
    summary="Live events you may see (server-sent events: report, alert)",
    response_class=StreamingResponse,
)
async def get_events(request: Request) -> StreamingResponse:
    viewer = await run_in_threadpool(current_viewer, request)
    broker = broker_of(request.app)

    async def body() -> AsyncIterator[str]:
        yield ": counterflow events\n\n"
        async for event in broker.stream():
            if await request.is_disconnected():
                return
            if event is None:
                yield ": keepalive\n\n"
            elif await run_in_threadpool(event.audience, viewer):
                yield event.encode()

    return StreamingResponse(
        body(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
