"""Webhooks: partner systems told, at once and signed, that an alert was raised for their agency.

The payload carries no intelligence: the alert's id, rule, agency and time, and where to read
it (``GET /api/v1/alerts?after=<id-1>``). The receiving system reads it with its own user's
token, so the evidence it gets is what that user may see. The body is signed with the
webhook's secret: ``X-Counterflow-Signature: sha256=<hex HMAC-SHA256 of the body>``.

``deliver_pending`` posts every alert not yet delivered to each active webhook of its
agency, records each attempt, and retries failures on later calls (at most ``MAX_ATTEMPTS``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import threading
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import httpx
from sqlalchemy import and_, insert, select, update

from counterflow.errors import InvalidValue, NotFound
from counterflow.model.visibility import Viewer
from counterflow.store.schema_alerts import alerts, webhook_deliveries, webhooks
from counterflow.store.sql import SqlStore

__all__ = ["Webhook", "add_webhook", "deliver_pending", "list_webhooks", "remove_webhook", "sign"]

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
Post = Callable[[str, bytes, dict[str, str]], int]


@dataclass(frozen=True, slots=True)
class Webhook:
    id: int
    agency: str
    url: str
    created_by: str
    created_at: str
    active: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def add_webhook(store: SqlStore, viewer: Viewer, url: str) -> tuple[Webhook, str]:
    """Register a URL for the viewer's agency; returns the webhook and its secret (shown once)."""
    parts = urlparse(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise InvalidValue("webhook url", url, "expected an http(s) URL with a host")
    agency = "operator" if viewer.open or not viewer.agency else viewer.agency
    secret = secrets.token_urlsafe(32)
    row = {"agency": agency, "url": url, "secret": secret, "created_by": viewer.user, "created_at": _now()}
    with store.engine.begin() as conn:
        key = conn.execute(insert(webhooks).values(**row, active=True)).inserted_primary_key
    new_id = int(key[0])  # type: ignore[index]
    return Webhook(new_id, agency, url, viewer.user, row["created_at"], True), secret


def list_webhooks(store: SqlStore, viewer: Viewer) -> list[Webhook]:
    q = select(webhooks).where(webhooks.c.active.is_(True)).order_by(webhooks.c.id)
    if not viewer.open:
        q = q.where(webhooks.c.agency == viewer.agency)
    with store.engine.connect() as conn:
        return [
            Webhook(r.id, r.agency, r.url, r.created_by, r.created_at, bool(r.active))
            for r in conn.execute(q)
        ]


def remove_webhook(store: SqlStore, viewer: Viewer, webhook_id: int) -> None:
    q = update(webhooks).where(webhooks.c.id == webhook_id, webhooks.c.active.is_(True))
    if not viewer.open:
        q = q.where(webhooks.c.agency == viewer.agency)
    with store.engine.begin() as conn:
        if conn.execute(q.values(active=False)).rowcount == 0:
            raise NotFound(f"no active webhook {webhook_id} of yours", webhook=webhook_id)


def _http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    return httpx.post(url, content=body, headers=headers, timeout=5.0).status_code


def deliver_pending(store: SqlStore, *, post: Post = _http_post, limit: int = 500) -> dict[str, int]:
    """Post undelivered alerts to their agencies' webhooks; returns counts of delivered and failed."""
    d = webhook_deliveries
    q = (
        select(
            alerts.c.id, alerts.c.agency, alerts.c.rule, alerts.c.created_at, webhooks.c.id.label("hook"),
            webhooks.c.url, webhooks.c.secret, d.c.attempts, d.c.status,
        )
        .join(webhooks, and_(webhooks.c.agency == alerts.c.agency, webhooks.c.active.is_(True)))
        .outerjoin(d, and_(d.c.alert_id == alerts.c.id, d.c.webhook_id == webhooks.c.id))
        .where((d.c.status.is_(None)) | ((d.c.status == "failed") & (d.c.attempts < MAX_ATTEMPTS)))
        .order_by(alerts.c.id)
        .limit(limit)
    )  # fmt: skip
    with store.engine.connect() as conn:
        todo = conn.execute(q).all()
    counts = {"delivered": 0, "failed": 0}
    for r in todo:
        body = json.dumps(
            {
                "alert_id": r.id,
                "agency": r.agency,
                "rule": r.rule,
                "raised_at": r.created_at,
                "read": f"/api/v1/alerts?after={r.id - 1}&limit=1",
            },
            sort_keys=True,
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Counterflow-Event": "alert",
            "X-Counterflow-Signature": sign(r.secret, body),
        }
        error: str | None = None
        try:
            status = post(r.url, body, headers)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        attempts = (r.attempts or 0) + 1
        row = {
            "attempts": attempts,
            "status": "failed" if error else "delivered",
            "last_error": error,
            "at": _now(),
        }
        with store.engine.begin() as conn:
            if r.status is None:
                conn.execute(insert(d).values(alert_id=r.id, webhook_id=r.hook, **row))
            else:
                conn.execute(update(d).where(d.c.alert_id == r.id, d.c.webhook_id == r.hook).values(**row))
        counts["failed" if error else "delivered"] += 1
        if error:
            log.warning("webhook %s for alert %s failed (attempt %d): %s", r.hook, r.id, attempts, error)
    return counts


class Courier:
    """Delivers a store's pending webhooks on one background thread, when rung.

    Ingest rings after every batch that raised alerts: a slow receiver must not slow it, and a
    thread started per ring cost ingest more than the ring itself. Rings that come while a pass
    runs make one more pass, not one each; one thread also means no alert is posted twice by
    two passes at once."""

    def __init__(
        self,
        store: SqlStore,
        deliver: Callable[[SqlStore], object] = deliver_pending,
        *,
        idle_seconds: float = 60.0,
    ) -> None:
        self.store = store
        self.deliver = deliver
        self.idle_seconds = idle_seconds  # then the thread ends; the next ring starts another
        self.passes = 0
        self._rung = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def ring(self) -> None:
        self._rung.set()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            if not self._rung.wait(self.idle_seconds):
                with self._lock:  # a ring now finds no thread and starts one
                    if not self._rung.is_set():
                        self._thread = None
                        return
                continue
            self._rung.clear()
            try:
                self.deliver(self.store)
            except Exception:  # the store away, a bug: the next ring tries again
                log.exception("webhook delivery")
            self.passes += 1


_COURIERS: weakref.WeakKeyDictionary[SqlStore, Courier] = weakref.WeakKeyDictionary()
_COURIERS_LOCK = threading.Lock()


def courier(store: SqlStore) -> Courier:
    """The store's courier in this process."""
    with _COURIERS_LOCK:
        found = _COURIERS.get(store)
        if found is None:
            found = _COURIERS[store] = Courier(store)
        return found
