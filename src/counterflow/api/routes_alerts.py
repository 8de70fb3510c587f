"""Watchlists and alerts: what your agency watches, and what it was told."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from counterflow.alerts.feed import alert_feed
from counterflow.alerts.watchlist import add_watch, list_watches, remove_watch
from counterflow.alerts.webhooks import add_webhook, courier, list_webhooks, remove_webhook
from counterflow.api.context import SessionDep
from counterflow.model.visibility import UserRole
from counterflow.store.sql import SqlStore

router = APIRouter(tags=["alerts"])
MAX_ID = 2**62  # ids are 64-bit integers in the store
_WATCHERS = (UserRole.ANALYST, UserRole.SUPERVISOR, UserRole.LIAISON, UserRole.ADMINISTRATOR)


class WatchRequest(BaseModel):
    kind: str = Field(description="selector, entity, crossing or sanctions")
    value: str = Field(
        min_length=1, max_length=300, description="the selector, entity id, plate, or sanctions list"
    )
    selector_kind: str | None = Field(None, description="phone, plate, iban, email, passport, …")
    place: str | None = Field(
        None, max_length=64, description="crossing watches: one crossing (gazetteer key)"
    )
    note: str | None = Field(None, max_length=1000)
    country: str | None = Field(None, max_length=2, description="region for national-format numbers")


@router.get("/watches", summary="Your agency's active watches")
def get_watches(session: SessionDep) -> list[dict[str, Any]]:
    return [w.to_dict() for w in list_watches(session.store, session.viewer)]


@router.post("/watches", summary="Watch a selector, an entity, or a vehicle's crossings")
def post_watch(session: SessionDep, body: WatchRequest) -> dict[str, Any]:
    session.require(*_WATCHERS)
    return add_watch(
        session.store,
        session.viewer,
        body.kind,
        body.value,
        selector_kind=body.selector_kind,
        place=body.place,
        note=body.note,
        country=body.country,
    ).to_dict()


@router.delete("/watches/{watch_id}", summary="Stop a watch")
def delete_watch(session: SessionDep, watch_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> dict[str, Any]:
    session.require(*_WATCHERS)
    remove_watch(session.store, session.viewer, watch_id)
    return {"watch": watch_id, "active": False}


@router.get("/alerts", summary="Your agency's alerts, with the evidence you may see")
def get_alerts(
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=MAX_ID, description="only alerts with a larger id")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    found = alert_feed(session.store, session.viewer, after=after, limit=limit)
    session.consulted("alerts", None, {"alerts": [a["id"] for a in found]})
    return found


class WebhookRequest(BaseModel):
    url: str = Field(min_length=8, max_length=2000, description="https URL of your system's receiver")


@router.get("/webhooks", summary="Your agency's alert webhooks")
def get_webhooks(session: SessionDep) -> list[dict[str, Any]]:
    return [w.to_dict() for w in list_webhooks(session.store, session.viewer)]


@router.post("/webhooks", summary="Register a webhook for your agency's alerts (the secret is shown once)")
def post_webhook(session: SessionDep, body: WebhookRequest) -> dict[str, Any]:
    session.require(UserRole.SUPERVISOR, UserRole.ADMINISTRATOR)
    hook, secret = add_webhook(session.store, session.viewer, body.url)
    return {**hook.to_dict(), "secret": secret}


@router.delete("/webhooks/{webhook_id}", summary="Stop a webhook")
def delete_webhook(session: SessionDep, webhook_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> dict[str, Any]:
    session.require(UserRole.SUPERVISOR, UserRole.ADMINISTRATOR)
    remove_webhook(session.store, session.viewer, webhook_id)
    return {"webhook": webhook_id, "active": False}


def ring(store: SqlStore) -> None:
    """Deliver pending webhooks in the background: a slow receiver must not slow ingest."""
    courier(store).ring()
