"""Reading and writing network snapshots, and claiming the work of computing one.

See :mod:`counterflow.store.schema_network`. The snapshot's content is the caller's (JSON);
the store keeps it whole, newest first, and the last few only.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from counterflow.store import audit_chain
from counterflow.store.schema_network import network_claims, network_snapshots
from counterflow.store.sql import SqlStore

__all__ = ["Snapshot", "claim", "latest_snapshot", "latest_snapshot_time", "release", "save_snapshot"]

KEEP = 3


@dataclass(frozen=True, slots=True)
class Snapshot:
    id: str
    made_at: str
    engine: str
    reports_held: int
    latest_ingest: str | None
    persons: int
    communities: int
    data: dict[str, Any]


def _now() -> datetime:
    return datetime.now(UTC)


def save_snapshot(
    store: SqlStore,
    data: dict[str, Any],
    *,
    engine: str,
    persons: int,
    communities: int,
    actor: str = "system",
    keep: int = KEEP,
    as_of: tuple[int, str | None] | None = None,
) -> Snapshot:
    """Store a snapshot computed from the store as it held ``reports_held`` reports; one
    transaction, so readers see it whole or not at all, with its record in the processing log
    (a combination of every agency's statements). Only the newest ``keep`` are kept. ``as_of``:
    the store's (reports, latest ingest) when its statements were read, if not now (an export)."""
    held, latest = as_of if as_of is not None else store.reports_held()
    snap = Snapshot(
        id=uuid.uuid4().hex,
        made_at=_now().isoformat(timespec="microseconds"),
        engine=engine,
        reports_held=held,
        latest_ingest=latest,
        persons=persons,
        communities=communities,
        data=data,
    )
    t = network_snapshots
    with store.engine.begin() as conn:
        conn.execute(
            insert(t).values(
                id=snap.id,
                made_at=snap.made_at,
                engine=engine,
                reports_held=held,
                latest_ingest=latest,
                persons=persons,
                communities=communities,
                data=json.dumps(data, separators=(",", ":"), sort_keys=True),
            )
        )
        audit_chain.append(
            conn,
            actor=actor,
            action="combination",
            object_type="network_snapshot",
            object_id=snap.id,
            details={"engine": engine, "persons": persons, "communities": communities, "reports_held": held},
        )
        kept = select(t.c.id).order_by(t.c.made_at.desc()).limit(keep).scalar_subquery()
        conn.execute(delete(t).where(t.c.id.not_in(kept)))
    return snap


def latest_snapshot_time(store: SqlStore) -> str | None:
    """When the newest snapshot was made (an indexed lookup, cheap enough to ask often)."""
    with store.engine.connect() as conn:
        return conn.execute(
            select(network_snapshots.c.made_at).order_by(network_snapshots.c.made_at.desc()).limit(1)
        ).scalar()


def latest_snapshot(store: SqlStore) -> Snapshot | None:
    t = network_snapshots
    with store.engine.connect() as conn:
        row = conn.execute(select(t).order_by(t.c.made_at.desc()).limit(1)).first()
    if row is None:
        return None
    r = row._mapping
    return Snapshot(
        id=r["id"],
        made_at=r["made_at"],
        engine=r["engine"],
        reports_held=int(r["reports_held"]),
        latest_ingest=r["latest_ingest"],
        persons=int(r["persons"]),
        communities=int(r["communities"]),
        data=json.loads(r["data"]),
    )


def claim(store: SqlStore, kind: str, holder: str, seconds: float) -> bool:
    """Take the lease on computing ``kind`` for ``seconds`` if no one else holds a live one."""
    t = network_claims
    now = _now()
    until = (now + timedelta(seconds=seconds)).isoformat(timespec="microseconds")
    with store.engine.begin() as conn:
        row = conn.execute(select(t.c.holder, t.c.until).where(t.c.kind == kind)).first()
        if row is None:
            try:
                with conn.begin_nested():
                    conn.execute(insert(t).values(kind=kind, holder=holder, until=until))
            except IntegrityError:  # another process inserted first
                return False
            return True
        if row.holder != holder and row.until > now.isoformat(timespec="microseconds"):
            return False
        # compare-and-set: only if the lease is still the one read above
        done = conn.execute(
            update(t)
            .where(t.c.kind == kind, t.c.holder == row.holder, t.c.until == row.until)
            .values(holder=holder, until=until)
        )
        return done.rowcount == 1


def release(store: SqlStore, kind: str, holder: str) -> None:
    """Give the lease back (only the holder can)."""
    with store.engine.begin() as conn:
        conn.execute(
            delete(network_claims).where(network_claims.c.kind == kind, network_claims.c.holder == holder)
        )
