"""Sanctions rules on every ingest: a listed person appears; a designated person gains an associate.

A ``sanctions`` watch names an imported list (``resolve.screening``). For each report:

* ``sanctions-match``: a person or organisation of the report whose name matches an entry of the
  list (cross-script, with birth dates and nationality weighed; ``ListIndex.match``). The entity
  is from then on *designated* for this watch.
* ``designated-associate``: a tie in the report (associate, family, membership, call, payment,
  trip or event together) between a designated entity and someone else. Raised once per pair,
  ever: the first time the engine sees them tied. Victims, witnesses and minors are never the
  subject of such an alert.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from counterflow.alerts.drafts import Draft
from counterflow.alerts.ties import by_entity as entities_of
from counterflow.alerts.ties import name_statements, names_of, report_ties
from counterflow.alerts.watchlist import Watch
from counterflow.model.roles import PROTECTED_ROLES
from counterflow.model.statement import ROLE_PROP, Statement
from counterflow.resolve.records import records_from_rows
from counterflow.resolve.screening import ListIndex, load_index
from counterflow.store.schema_alerts import alerts
from counterflow.store.sql import SqlStore

EVIDENCE_PROPS = ("name", "firstName", "lastName", "birthDate", "nationality")


@dataclass
class SanctionsContext:
    index: ListIndex
    designated: dict[int, set[str]] = field(default_factory=dict)  # watch id -> entity ids
    protected: set[str] = field(default_factory=set)


def sanctions_context(store: SqlStore, watches: Sequence[Watch]) -> SanctionsContext | None:
    """What sanctions watches need beyond the report: the lists and who is already designated."""
    listed = [w for w in watches if w.kind == "sanctions"]
    if not listed:
        return None
    ids = [w.id for w in listed]
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(alerts.c.watch_id, alerts.c.subject).where(
                alerts.c.rule == "sanctions-match", alerts.c.watch_id.in_(ids)
            )
        ).all()
    designated: dict[int, set[str]] = {}
    for watch_id, subject in rows:
        designated.setdefault(int(watch_id), set()).add(str(subject))
    return SanctionsContext(load_index(store), designated, store.protected_ids())


def sanctions_drafts(
    statements: Sequence[Statement],
    watches: Sequence[Watch],
    context: SanctionsContext,
    widen: Callable[[str], list[str]],
) -> list[Draft]:
    by_entity = entities_of(statements)
    protected = set(context.protected) | {
        s.entity_id for s in statements if s.prop == ROLE_PROP and s.value in PROTECTED_ROLES
    }
    rows = (
        (s.entity_id, s.schema, s.agency, s.prop, s.value, s.original_value, s.evidence)
        for e in sorted(by_entity)
        for s in by_entity[e]
    )
    matches = {
        rec.entity_id: found
        for rec in records_from_rows(rows)
        if rec.kind in ("person", "org") and rec.names and rec.entity_id not in protected
        if (found := context.index.match(rec))
    }
    names = names_of(by_entity)
    out: list[Draft] = []
    for w in watches:
        designated = set(context.designated.get(w.id, set()))
        for entity_id, found in matches.items():
            hits = [m for m in found if m["list"] == w.value]
            if not hits:
                continue
            best = hits[0]
            designated.add(entity_id)
            stmts = by_entity[entity_id]
            evidence = tuple(s.id for s in stmts if s.prop in EVIDENCE_PROPS)
            out.append(
                Draft(
                    w,
                    "sanctions-match",
                    f"possible {w.value} match: {names[entity_id]} ~ {best['listed_name']} "
                    f"(score {best['score']}, {best['explanation']['birth_dates']} birth date)",
                    entity_id,
                    None,
                    stmts[0].observed_at or stmts[0].reported_at,
                    evidence,
                    stmts[0].report_key,
                )
            )
        wide = {m for d in designated for m in widen(d)} | designated
        for link, ends, stmts in report_ties(by_entity):
            for a, b in itertools.permutations(ends, 2):
                if a not in wide or b in wide or b in protected:
                    continue
                out.append(
                    Draft(
                        w,
                        "designated-associate",
                        f"designated {names.get(a, a)} ({w.value}) tied to {names.get(b, b)} "
                        f"({by_entity[link][0].schema.lower()})",
                        b,
                        None,
                        stmts[0].observed_at or stmts[0].reported_at,
                        (*(s.id for s in stmts), *name_statements(by_entity, a, b)),
                        stmts[0].report_key,
                        a,
                    )
                )
    return out
