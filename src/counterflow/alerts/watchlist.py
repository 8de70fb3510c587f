"""Watchlists: what an agency wants to be told about as soon as it is reported.

Three kinds: a **selector** (phone, plate, IBAN, e-mail, passport, national id, IMEI,
wallet; stored in the normalised form ingest gives it, so "064 123 4567" from a Serbian
analyst watches +381641234567), an **entity** (any statement about it or referring to
it), and a **crossing** watch (a vehicle, by entity id or plate, seen at a border crossing
of the gazetteer, or at one named crossing).
"""

from __future__ import annotations

import weakref
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from counterflow.errors import InvalidValue, NotFound
from counterflow.model.agencies import agency_country
from counterflow.model.places import PLACE
from counterflow.model.visibility import Viewer
from counterflow.policy.hits import normalised_selector
from counterflow.store.schema_alerts import watches
from counterflow.store.sql import SqlStore

__all__ = ["Watch", "add_watch", "engine_watches", "list_watches", "remove_watch"]

KINDS = ("selector", "entity", "crossing", "sanctions", "group", "logistics", "community")
# Rule watches and what their value means (a default when left empty).
RULE_VALUES = {"group": ("smallest group", "5"), "logistics": ("km from a launch beach", "400")}


@dataclass(frozen=True, slots=True)
class Watch:
    id: int
    agency: str
    created_by: str
    kind: str
    selector_kind: str | None
    value: str
    place: str | None
    note: str | None
    created_at: str
    active: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _owner(viewer: Viewer) -> str:
    if viewer.open or not viewer.agency:
        return "operator"
    return viewer.agency


def add_watch(
    store: SqlStore,
    viewer: Viewer,
    kind: str,
    value: str,
    *,
    selector_kind: str | None = None,
    place: str | None = None,
    note: str | None = None,
    country: str | None = None,
) -> Watch:
    """Watch a selector, an entity or a vehicle's crossings for the viewer's agency."""
    if kind not in KINDS:
        raise InvalidValue("watch kind", kind, f"expected one of {', '.join(KINDS)}")
    value = value.strip()
    if kind == "community":
        value = "any"
    if kind in RULE_VALUES:
        what, default = RULE_VALUES[kind]
        value = value or default
        try:
            if float(value) <= 0:
                raise ValueError
        except ValueError:
            raise InvalidValue(
                "watch", value, f"a {kind} watch's value is the {what}, a positive number"
            ) from None
    if not value:
        raise InvalidValue("watch", value, "empty value")
    region = None if viewer.open or not viewer.agency else agency_country(viewer.agency)
    if kind == "selector" or (kind == "crossing" and selector_kind):
        if not selector_kind:
            raise InvalidValue("watch", value, "a selector watch needs its kind (phone, plate, iban, …)")
        value = normalised_selector(selector_kind, value, region=region, country=country)
    if place is not None and (place not in PLACE or PLACE[place].kind != "crossing"):
        raise InvalidValue(
            "place", place, "not a border crossing of the gazetteer (counterflow routes places)"
        )
    if kind != "crossing" and place is not None:
        raise InvalidValue("place", place, "only crossing watches name a place")
    if kind == "sanctions":
        from counterflow.resolve.screening import list_summaries

        known = [x["list"] for x in list_summaries(store)]
        if value not in known:
            raise InvalidValue(
                "sanctions list", value, f"not imported (imported: {', '.join(known) or 'none'})"
            )
    now = datetime.now(UTC).isoformat(timespec="microseconds")  # compared with log times
    row = {
        "agency": _owner(viewer),
        "created_by": viewer.user,
        "kind": kind,
        "selector_kind": selector_kind if kind in ("selector", "crossing") else None,
        "value": value,
        "place": place,
        "note": note,
        "created_at": now,
        "active": True,
    }
    with store.engine.begin() as conn:
        new_id = conn.execute(insert(watches).values(**row)).inserted_primary_key[0]  # type: ignore[index]
    return Watch(id=int(new_id), **row)  # type: ignore[arg-type]


def list_watches(store: SqlStore, viewer: Viewer | None = None, *, active_only: bool = True) -> list[Watch]:
    """The viewer's agency's watches (every agency's for the engine: ``viewer=None``)."""
    q = select(watches).order_by(watches.c.id)
    if active_only:
        q = q.where(watches.c.active.is_(True))
    if viewer is not None and not viewer.open:
        q = q.where(watches.c.agency == viewer.agency)
    with store.engine.connect() as conn:
        return [Watch(**dict(r._mapping)) for r in conn.execute(q)]


_WATCHES_FINGERPRINT = select(
    select(func.count()).select_from(watches).where(watches.c.active.is_(True)).scalar_subquery(),
    select(func.coalesce(func.max(watches.c.id), 0)).scalar_subquery(),
)
_ENGINE_CACHE: weakref.WeakKeyDictionary[SqlStore, tuple[tuple[int, int], tuple[Watch, ...]]] = (
    weakref.WeakKeyDictionary()
)


def engine_watches(store: SqlStore) -> list[Watch]:
    """Every agency's active watches, as ``list_watches(store)``, read again only when they changed.

    The engine runs on every report; watches change seldom. A watch is never reactivated and
    ids only grow, so (active count, largest id) changes whenever the active set does, by
    this process or any other, and costs one small query instead of reading every watch."""
    with store.engine.connect() as conn:
        active, newest = conn.execute(_WATCHES_FINGERPRINT).one()
    key = (int(active), int(newest))
    cached = _ENGINE_CACHE.get(store)
    if cached is None or cached[0] != key:
        cached = (key, tuple(list_watches(store)))
        _ENGINE_CACHE[store] = cached
    return list(cached[1])


def remove_watch(store: SqlStore, viewer: Viewer, watch_id: int) -> None:
    q = update(watches).where(watches.c.id == watch_id, watches.c.active.is_(True))
    if not viewer.open:
        q = q.where(watches.c.agency == viewer.agency)
    with store.engine.begin() as conn:
        if conn.execute(q.values(active=False)).rowcount == 0:
            raise NotFound(f"no active watch {watch_id} of yours", watch=watch_id)
