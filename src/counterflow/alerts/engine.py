"""The alert engine: watchlists evaluated on every report as it is ingested.

``evaluate`` is a pure function of a report's statements and the watches. ``run`` follows
the processing log, where every ingest writes a "collection" record naming its reports
(command line, service or any other process), so every report is evaluated exactly once
whichever way it arrived; ``evaluate_reports`` does the same at once for reports the caller
has just written (the service, for the lowest latency). Alerts are deduplicated by key, so
both paths, or two processes, never raise one alert twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from counterflow.alerts.drafts import Draft
from counterflow.alerts.network_rules import (
    Communities,
    communities,
    community_drafts,
    refresh_in_background,
)
from counterflow.alerts.route_rules import RouteContext, group_drafts, logistics_drafts
from counterflow.alerts.sanctions_rules import SanctionsContext, sanctions_context, sanctions_drafts
from counterflow.alerts.watchlist import Watch, engine_watches
from counterflow.model.statement import Statement
from counterflow.model.visibility import Viewer
from counterflow.routes.tracks import Sighting, sightings
from counterflow.store.rows import row_to_statement
from counterflow.store.schema import meta
from counterflow.store.schema_alerts import alerts
from counterflow.store.schema_policy import audit_log, hit_queries
from counterflow.store.selectors import KINDS, selector_hmac
from counterflow.store.sql import ReportRecord, SqlStore

__all__ = ["Draft", "evaluate", "evaluate_records", "evaluate_reports", "run"]

CURSOR_KEY = "alerts_cursor"


def _selector_kind(s: Statement) -> str | None:
    return KINDS.get((s.schema, s.prop)) or KINDS.get(("*", s.prop))


def evaluate(
    statements: Sequence[Statement],
    watches: Iterable[Watch],
    *,
    members: Callable[[str], list[str]] | None = None,
    sanctions: SanctionsContext | None = None,
    routes: RouteContext | None = None,
    network: Communities | None = None,
) -> list[Draft]:
    """What the watches see in these statements (one report's, or several); sanctions watches need
    ``sanctions`` (the lists and who is designated, ``sanctions_context``)."""
    widen = members or (lambda e: [e])
    watches = list(watches)
    found: list[Sighting] = []

    def moves() -> list[Sighting]:
        """The statements' sightings, computed once for every rule that needs them."""
        if not found:
            found.extend(sightings(statements)[0])
        return found

    by_selector: dict[tuple[str, str], list[Watch]] = {}
    by_entity: dict[str, list[Watch]] = {}
    crossing: list[Watch] = []
    for w in watches:
        if w.kind == "selector" and w.selector_kind:
            by_selector.setdefault((w.selector_kind, w.value), []).append(w)
        elif w.kind == "entity":
            for e in widen(w.value):
                by_entity.setdefault(e, []).append(w)
        elif w.kind == "crossing":
            crossing.append(w)
    out: list[Draft] = []
    for s in statements:
        kind = _selector_kind(s)
        for w in by_selector.get((kind, s.value), []) if kind else []:
            out.append(
                Draft(
                    w,
                    "selector",
                    f"watched {kind} {s.value} reported by {s.agency}",
                    s.entity_id,
                    None,
                    s.observed_at or s.reported_at,
                    (s.id,),
                    s.report_key,
                )
            )
        for target in (s.entity_id, s.value if s.prop_type == "entity" else None):
            for w in by_entity.get(target, []) if target else []:
                out.append(
                    Draft(
                        w,
                        "entity",
                        f"watched entity {w.value} in a report of {s.agency}",
                        w.value,
                        None,
                        s.observed_at or s.reported_at,
                        (s.id,),
                        s.report_key,
                    )
                )
    if crossing:
        out.extend(_crossings(statements, crossing, widen, moves()))
    listed = [w for w in watches if w.kind == "sanctions"]
    if listed and sanctions is not None:
        out.extend(sanctions_drafts(statements, listed, sanctions, widen))
    groups = [w for w in watches if w.kind == "group"]
    if groups and routes is not None:
        out.extend(group_drafts(statements, groups, routes, moves()))
    logistics = [w for w in watches if w.kind == "logistics"]
    if logistics:
        out.extend(logistics_drafts(statements, logistics, moves()))
    bridges = [w for w in watches if w.kind == "community"]
    if bridges and network is not None:
        out.extend(community_drafts(statements, bridges, network))
    return _merge(out)


def _contexts(store: SqlStore, watches: Sequence[Watch], *, refresh: bool) -> dict[str, Any]:
    """What rules need beyond the report, for the watches at hand (nothing if no such watch)."""
    kinds = {w.kind for w in watches}
    return {
        "sanctions": sanctions_context(store, watches),
        "routes": route_context(store) if "group" in kinds else None,
        "network": communities(store, refresh=refresh) if "community" in kinds else None,
    }


def route_context(store: SqlStore) -> RouteContext:
    """Where persons were seen before: the furthest stage of their earlier trips and events."""
    op = Viewer.operator()

    def prior_stage(persons: set[str], before: str) -> int | None:
        moves = [
            e
            for e, schema in store.entities_with_values("entity", persons, viewer=op, limit=1000).items()
            if schema in ("Trip", "Event")
        ]
        stmts = store.statements_for_entities(moves, viewer=op) if moves else []
        stages = [x.place.stage for x in sightings(stmts)[0] if x.subject in persons and x.at < before]
        return max(stages, default=None)

    return RouteContext(prior_stage)


def _crossings(
    statements: Sequence[Statement],
    watches: list[Watch],
    widen: Callable[[str], list[str]],
    moves: Sequence[Sighting],
) -> list[Draft]:
    plates: dict[str, str] = {
        s.entity_id: s.value for s in statements if s.schema == "Vehicle" and s.prop == "registrationNumber"
    }
    by_id = {s.id: s for s in statements}
    out: list[Draft] = []
    for seen in moves:
        if seen.place.kind != "crossing":
            continue
        for w in watches:
            if w.place is not None and w.place != seen.place.key:
                continue
            hit = (
                plates.get(seen.subject) == w.value
                if w.selector_kind == "plate"
                else seen.subject in widen(w.value)
            )
            if hit:
                out.append(
                    Draft(
                        w,
                        "crossing",
                        f"watched vehicle {w.value} at {seen.place.name} ({seen.place.country})",
                        seen.subject,
                        seen.place.key,
                        seen.at,
                        seen.statements,
                        by_id[seen.statements[-1]].report_key,
                    )
                )
    return out


def _merge(drafts: list[Draft]) -> list[Draft]:
    """One draft per dedupe key, with the evidence of all its occurrences."""
    merged: dict[str, Draft] = {}
    for d in drafts:
        old = merged.get(d.dedupe_key)
        if old is None:
            merged[d.dedupe_key] = d
        else:
            ids = tuple(dict.fromkeys((*old.statements, *d.statements)))
            merged[d.dedupe_key] = Draft(
                old.watch, old.rule, old.title, old.subject, old.place, old.at, ids, old.report_key, old.extra
            )
    return list(merged.values())


def _report_statements(store: SqlStore, keys: Iterable[str]) -> list[Statement]:
    """The reports' statements, and the addresses their movements point to (camera coordinates)."""
    op = Viewer.operator()
    stmts: list[Statement] = []
    for key in keys:
        agency, _, report_id = key.partition(":")
        stmts.extend(store.statements_for_report(agency, report_id, viewer=op))
    return _with_places(store, stmts)


def _with_places(store: SqlStore, stmts: list[Statement]) -> list[Statement]:
    op = Viewer.operator()
    refs = {s.value for s in stmts if s.prop_type == "entity" and s.schema in ("Trip", "Event")}
    known = {s.entity_id for s in stmts}
    extra = store.statements_for_entities(refs - known, viewer=op) if refs - known else []
    return [*stmts, *(s for s in extra if s.schema == "Address")]


def _store(store: SqlStore, drafts: list[Draft]) -> list[int]:
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    new: list[int] = []
    for d in drafts:
        row = {
            "dedupe_key": d.dedupe_key,
            "watch_id": d.watch.id,
            "agency": d.watch.agency,
            "rule": d.rule,
            "title": d.title,
            "subject": d.subject,
            "place": d.place,
            "at": d.at,
            "created_at": now,
            "statements": json.dumps(list(d.statements)),
            "report_key": d.report_key,
        }
        owner = d.report_key.partition(":")[0]
        try:
            with store.engine.begin() as conn:
                key = conn.execute(insert(alerts).values(**row)).inserted_primary_key
                new.append(int(key[0]))  # type: ignore[index]
                if owner != d.watch.agency:
                    # A watch is a standing hit/no-hit question: the owner is told who asked.
                    conn.execute(
                        insert(hit_queries).values(
                            at=now,
                            asker=d.watch.created_by,
                            asker_agency=d.watch.agency,
                            owner_agency=owner,
                            kind=f"watch:{d.rule}",
                            hmac=_digest(store, d),
                        )
                    )
        except IntegrityError:
            continue  # raised already (the other path, or another process)
    return new


def _digest(store: SqlStore, d: Draft) -> str:
    """The selector's keyed hash (so the owner sees which of its reports matched), else a report digest."""
    if d.watch.kind == "selector" and d.watch.selector_kind and store.selector_key is not None:
        return selector_hmac(store.selector_key, d.watch.selector_kind, d.watch.value)
    return hashlib.sha256(d.report_key.encode()).hexdigest()


def evaluate_reports(
    store: SqlStore, keys: Sequence[str], *, members: Callable[[str], list[str]] | None = None
) -> list[int]:
    """Evaluate reports just written, reading them back; returns the ids of new alerts."""
    return _evaluate_now(store, lambda: _report_statements(store, keys), members) if keys else []


def evaluate_records(store: SqlStore, records: Sequence[ReportRecord]) -> list[int]:
    """Evaluate reports this process has just written, from the rows it wrote (no read back)."""
    rows = [row for rec in records for row in rec.statements]
    return (
        _evaluate_now(store, lambda: _with_places(store, [row_to_statement(r) for r in rows])) if rows else []
    )


def _evaluate_now(
    store: SqlStore,
    statements: Callable[[], list[Statement]],
    members: Callable[[str], list[str]] | None = None,
) -> list[int]:
    """The immediate path: the cached watches, the snapshots as they stand (a stale community
    snapshot is refreshed beside it, used from the next report on)."""
    watched = engine_watches(store)
    if not watched:
        return []
    if any(w.kind == "community" for w in watched):
        refresh_in_background(store)
    found = evaluate(statements(), watched, members=members, **_contexts(store, watched, refresh=False))
    return _store(store, found)


def run(store: SqlStore, *, members: Callable[[str], list[str]] | None = None, batch: int = 500) -> list[int]:
    """Evaluate every report collected since the last run; returns the ids of new alerts."""
    with store.engine.connect() as conn:
        raw = conn.execute(select(meta.c.value).where(meta.c.key == CURSOR_KEY)).scalar()
        head = conn.execute(select(func.coalesce(func.max(audit_log.c.seq), 0))).scalar_one()
    cursor = int(raw) if raw is not None else 0
    new: list[int] = []
    watched = engine_watches(store)
    while cursor < head:
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(audit_log.c.seq, audit_log.c.details, audit_log.c.at)
                .where(audit_log.c.seq > cursor, audit_log.c.seq <= head, audit_log.c.action == "collection")
                .order_by(audit_log.c.seq)
                .limit(batch)
            ).all()
        if not rows:
            cursor = head
            break
        # A watch sees the reports collected after it was set, not the history before it.
        by_watches: dict[tuple[int, ...], list[str]] = {}
        for _, details, at in rows:
            active = tuple(w.id for w in watched if w.created_at <= at)
            if active:
                by_watches.setdefault(active, []).extend(
                    sorted(json.loads(details or "{}").get("reports", {}))
                )
        for ids, keys in by_watches.items():
            chosen = [w for w in watched if w.id in ids]
            stmts = _report_statements(store, keys)
            extra = _contexts(store, chosen, refresh=True)
            new += _store(store, evaluate(stmts, chosen, members=members, **extra))
        cursor = int(rows[-1][0])
    with store.engine.begin() as conn:
        if conn.execute(update(meta).where(meta.c.key == CURSOR_KEY).values(value=str(cursor))).rowcount == 0:
            conn.execute(insert(meta).values(key=CURSOR_KEY, value=str(cursor)))
    return new
