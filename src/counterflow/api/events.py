"""Live events for the workspace: a server-sent events stream, filtered per viewer.

Events come from the store, not from the process that caused them: while anyone is
subscribed, one task per server process tails the processing log, where every ingest
writes a "collection" record naming its reports. So a report ingested by the command
line, by another server worker or by this one reaches every open workspace alike.
Each event carries a rule saying who may learn of it; each subscriber's stream checks
that rule against its own viewer before sending, so an event about material a user may
not see never reaches that user's browser (not even as a count). ``publish`` (thread-safe)
serves events that are not in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from anyio import CapacityLimiter, to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool

from counterflow.api.context import current_viewer
from counterflow.errors import NotFound
from counterflow.model.visibility import Viewer
from counterflow.store.schema_alerts import alerts
from counterflow.store.schema_policy import audit_log
from counterflow.store.sql import SqlStore

log = logging.getLogger(__name__)
_STREAM_THREADS: list[CapacityLimiter] = []  # open streams' visibility checks, apart from requests
router = APIRouter(tags=["events"])
KEEPALIVE_SECONDS = 15.0
_IDS = itertools.count(1)


@dataclass(frozen=True)
class Event:
    kind: str  # report | alert
    data: dict[str, Any]
    audience: Callable[[Viewer], bool]
    report: str | None = None  # a report event's report key: checked with the others in one query
    id: int = field(default_factory=lambda: next(_IDS))
    at: float = field(default_factory=time.time)

    def encode(self) -> str:
        body = {"id": self.id, "kind": self.kind, "at": self.at, **self.data}
        payload = json.dumps(body, ensure_ascii=False)
        return f"id: {self.id}\nevent: {self.kind}\ndata: {payload}\n\n"


class Broker:
    """Fan-out of events to the open streams of this process."""

    def __init__(
        self,
        store: SqlStore | None = None,
        *,
        queue_size: int = 256,
        keepalive: float = KEEPALIVE_SECONDS,
        interval: float = 0.05,  # two primary-key lookups a tick: cheap, and alerts arrive within it
    ) -> None:
        self.store = store
        self.queue_size = queue_size
        self.keepalive = keepalive
        self.interval = interval
        self._subscribers: set[asyncio.Queue[Event]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tail: asyncio.Task[None] | None = None
        self._announced: set[int] = set()  # alerts published at once by this process
        self._tail_alert = 0  # the last alert id the log follower has seen

    def publish(self, event: Event) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            here = asyncio.get_running_loop() is loop
        except RuntimeError:  # a request or writer thread
            here = False
        for queue in list(self._subscribers):
            if here:  # the log follower: no need to wake the loop it runs in
                _offer(queue, event)
            else:
                loop.call_soon_threadsafe(_offer, queue, event)

    async def batches(self) -> AsyncIterator[list[Event] | None]:
        """Events as they come, everything already waiting taken at once; ``None`` after
        ``keepalive`` seconds of quiet (a closed browser is noticed then)."""
        self._loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Event] = asyncio.Queue(self.queue_size)
        self._subscribers.add(queue)
        if self.store is not None and (self._tail is None or self._tail.done()):
            start = await run_in_threadpool(_heads, self.store)
            self._tail_alert = start[1]
            self._tail = asyncio.create_task(self._follow(self.store, *start))
        try:
            while True:
                try:
                    first = await asyncio.wait_for(queue.get(), self.keepalive)
                except TimeoutError:
                    yield None
                    continue
                batch = [first]
                while not queue.empty():
                    batch.append(queue.get_nowait())
                yield batch
        finally:
            self._subscribers.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    async def _follow(self, store: SqlStore, after: int, after_alert: int) -> None:
        """Publish new collection records' reports and new alerts while anyone listens."""
        while self._subscribers:
            await asyncio.sleep(self.interval)
            try:  # one thread hop a tick, on the streams' own threads (request threads may all be busy)
                rows, raised = await to_thread.run_sync(
                    _news, store, after, after_alert, limiter=_stream_threads()
                )
            except Exception:  # the store is away: try again at the next tick
                log.warning("cannot read the processing log for live events", exc_info=True)
                continue
            for seq, keys in rows:
                after = seq
                for key in keys:
                    agency, _, report_id = key.partition(":")
                    self.publish(report_event(store, agency, report_id))
            for alert_id, agency, rule in raised:
                after_alert = self._tail_alert = alert_id
                if alert_id in self._announced:
                    self._announced.discard(alert_id)
                else:
                    self.publish(alert_event(alert_id, agency, rule))

    def announce(self, raised: list[tuple[int, str, str]]) -> None:
        """Publish alerts this process has just raised, without waiting for the next poll."""
        for alert_id, agency, rule in raised:
            # Only what the log follower has not reached yet, so no alert is told twice.
            if self._loop is not None and self._subscribers and alert_id > self._tail_alert:
                self._announced.add(alert_id)
                self.publish(alert_event(alert_id, agency, rule))


def _heads(store: SqlStore) -> tuple[int, int]:
    with store.engine.connect() as conn:
        seq = conn.execute(select(func.coalesce(func.max(audit_log.c.seq), 0))).scalar_one()
        alert = conn.execute(select(func.coalesce(func.max(alerts.c.id), 0))).scalar_one()
    return int(seq), int(alert)


def _news(
    store: SqlStore, after: int, after_alert: int
) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str, str]]]:
    return _collections_after(store, after), _alerts_after(store, after_alert)


def _alerts_after(store: SqlStore, after: int, limit: int = 500) -> list[tuple[int, str, str]]:
    q = select(alerts.c.id, alerts.c.agency, alerts.c.rule).where(alerts.c.id > after).order_by(alerts.c.id)
    with store.engine.connect() as conn:
        return [(int(i), str(a), str(r)) for i, a, r in conn.execute(q.limit(limit))]


def alert_rows(store: SqlStore, ids: list[int]) -> list[tuple[int, str, str]]:
    q = select(alerts.c.id, alerts.c.agency, alerts.c.rule).where(alerts.c.id.in_(ids)).order_by(alerts.c.id)
    with store.engine.connect() as conn:
        return [(int(i), str(a), str(r)) for i, a, r in conn.execute(q)]


def alert_event(alert_id: int, agency: str, rule: str) -> Event:
    """An alert was raised: told to its agency's users, without content (they read it through the
    feed, which shows only the evidence each may see)."""

    def audience(viewer: Viewer) -> bool:
        return viewer.open or viewer.agency == agency

    return Event(
        "alert", {"alert_id": alert_id, "rule": rule, "title": f"{rule} alert #{alert_id}"}, audience
    )


def _collections_after(store: SqlStore, after: int, limit: int = 500) -> list[tuple[int, list[str]]]:
    q = (
        select(audit_log.c.seq, audit_log.c.details)
        .where(audit_log.c.seq > after, audit_log.c.action == "collection")
        .order_by(audit_log.c.seq)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        out = []
        for seq, details in conn.execute(q):
            reports = json.loads(details).get("reports", {}) if details else {}
            out.append((int(seq), sorted(reports)))
        return out


def _stream_threads() -> CapacityLimiter:
    if not _STREAM_THREADS:  # made in the event loop that uses it
        _STREAM_THREADS.append(CapacityLimiter(4))
    return _STREAM_THREADS[0]


def _told(batch: list[Event], viewer: Viewer, store: SqlStore | None) -> list[Event]:
    """The events of ``batch`` this viewer may learn of; reports checked together."""
    keys = [e.report for e in batch if e.report is not None]
    if not keys or store is None:
        return [e for e in batch if e.audience(viewer)]
    visible = store.visible_reports(keys, viewer=viewer)
    return [e for e in batch if (e.report in visible if e.report is not None else e.audience(viewer))]


def _offer(queue: asyncio.Queue[Event], event: Event) -> None:
    with contextlib.suppress(asyncio.QueueFull):  # a stalled browser loses events, not the service
        queue.put_nowait(event)


def broker_of(app: FastAPI) -> Broker:
    found: Broker = app.state.broker
    return found


def report_event(store: SqlStore, agency: str, report_id: str) -> Event:
    """A report arrived: told to those who may see some of it."""

    def audience(viewer: Viewer) -> bool:
        try:
            store.report_row(agency, report_id, viewer=viewer)
        except NotFound:
            return False
        return True

    return Event("report", {"agency": agency, "report_id": report_id}, audience, f"{agency}:{report_id}")


@router.get(
    "/events",
    summary="Live events you may see (server-sent events: report, alert)",
    response_class=StreamingResponse,
)
async def get_events(request: Request) -> StreamingResponse:
    viewer = await current_viewer(request)
    broker = broker_of(request.app)

    async def body() -> AsyncIterator[str]:
        yield ": counterflow events\n\n"
        async for batch in broker.batches():
            if await request.is_disconnected():
                return
            if batch is None:
                yield ": keepalive\n\n"
                continue
            # One thread hop for everything that arrived together, on threads of its own: when
            # every request thread is busy ingesting, the stream still gets its turn.
            allowed = await to_thread.run_sync(_told, batch, viewer, broker.store, limiter=_stream_threads())
            if allowed:
                yield "".join(e.encode() for e in allowed)

    return StreamingResponse(
        body(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
