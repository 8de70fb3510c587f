"""The judgements ledger: every merge, split and doubt as an append-only row, and the resolved state
as a pure function of those rows.

A judgement says two entity ids are one (``positive``), are not (``negative``) or may be
(``unsure``); it is made by an ``analyst`` or by the ``machine`` (a scorer above its threshold, with
its score and scorer id), with who, when and why. An ``undo`` row reverses an earlier judgement (an
undo of an undo restores it). Nothing is updated or deleted.

:func:`resolved_state` replays the rows: analyst positives are forced, analyst negatives forbid any
machine link that would join the two sides, machine positives (of the latest full run and the
incremental runs after it) join what remains, strongest first. Conflicts (an analyst negative
between ids that analyst positives join) are flagged, not silently resolved.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from counterflow.errors import InvalidValue, NotFound
from counterflow.resolve.clustering import ANALYST, MODEL, Link, cluster
from counterflow.store import SqlStore
from counterflow.store import schema as tables

JUDGEMENTS = ("positive", "negative", "unsure", "undo")
SOURCES = ("analyst", "machine")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class Judgement:
    id: str
    left_id: str
    right_id: str
    judgement: str
    source: str
    actor: str
    created_at: str
    score: float | None = None
    scorer: str | None = None
    reason: str | None = None
    run_id: str | None = None
    target: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def make_judgement(
    left: str,
    right: str,
    judgement: str,
    *,
    source: str,
    actor: str,
    reason: str | None = None,
    score: float | None = None,
    scorer: str | None = None,
    run_id: str | None = None,
    target: str | None = None,
    created_at: str | None = None,
) -> Judgement:
    """A judgement with ids in canonical order (left < right) and a fresh id."""
    if judgement not in JUDGEMENTS:
        raise InvalidValue("judgement", judgement, f"expected one of {', '.join(JUDGEMENTS)}")
    if source not in SOURCES:
        raise InvalidValue("source", source, "expected analyst or machine")
    if judgement != "undo" and left == right:
        raise InvalidValue("entity", left, "a judgement needs two different entity ids")
    a, b = (left, right) if left <= right else (right, left)
    if run_id and source == "machine":
        jid = "m-" + hashlib.sha1(f"{run_id}\x1f{a}\x1f{b}\x1f{judgement}".encode()).hexdigest()[:30]
    else:
        jid = "a-" + uuid.uuid4().hex[:30]
    return Judgement(
        jid, a, b, judgement, source, actor, created_at or now(), score, scorer, reason, run_id, target
    )


# -- storage ---------------------------------------------------------------------------------------


def write_judgements(store: SqlStore, judgements: Sequence[Judgement]) -> None:
    with store.engine.begin() as conn:
        insert_judgements(conn, judgements)


def insert_judgements(conn: Connection, judgements: Sequence[Judgement]) -> None:
    """Add judgements in the caller's transaction (a run's land with its run row, or not at all)."""
    rows = [j.to_dict() for j in judgements]
    for start in range(0, len(rows), 5000):
        conn.execute(insert(tables.resolve_judgements), rows[start : start + 5000])


def read_judgements(store: SqlStore) -> list[Judgement]:
    t = tables.resolve_judgements
    with store.engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.created_at, t.c.id)).all()
    return [Judgement(**dict(r._mapping)) for r in rows]


def get_judgement(store: SqlStore, judgement_id: str) -> Judgement:
    t = tables.resolve_judgements
    with store.engine.connect() as conn:
        row = conn.execute(select(t).where(t.c.id == judgement_id)).first()
    if row is None:
        raise NotFound(f"no judgement {judgement_id!r}", judgement_id=judgement_id)
    return Judgement(**dict(row._mapping))


@dataclass(frozen=True, slots=True)
class RunRow:
    run_id: str
    kind: str
    actor: str
    started_at: str
    finished_at: str | None
    scorers: dict[str, str]
    models: dict[str, Any]
    summary: dict[str, Any]


def write_run(store: SqlStore, run: RunRow) -> None:
    with store.engine.begin() as conn:
        insert_run(conn, run)


def insert_run(conn: Connection, run: RunRow) -> None:
    conn.execute(
        insert(tables.resolve_runs).values(
            run_id=run.run_id,
            kind=run.kind,
            actor=run.actor,
            started_at=run.started_at,
            finished_at=run.finished_at,
            scorers=json.dumps(run.scorers, sort_keys=True),
            models=json.dumps(run.models, sort_keys=True),
            summary=json.dumps(run.summary, sort_keys=True, default=str),
        )
    )


def read_runs(store: SqlStore) -> list[RunRow]:
    t = tables.resolve_runs
    with store.engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.started_at, t.c.run_id)).all()
    return [
        RunRow(
            r.run_id,
            r.kind,
            r.actor,
            r.started_at,
            r.finished_at,
            json.loads(r.scorers or "{}"),
            json.loads(r.models or "{}"),
            json.loads(r.summary or "{}"),
        )
        for r in rows
    ]


# -- the resolved state ----------------------------------------------------------------------------


def active(judgements: Iterable[Judgement], runs: Sequence[RunRow] = ()) -> list[Judgement]:
    """Judgements in force: not undone, and machine ones only from the latest full run onwards."""
    ordered = sorted(judgements, key=lambda j: (j.created_at, j.id))
    undone: dict[str, bool] = {}
    by_id = {j.id: j for j in ordered}
    for j in ordered:
        if j.judgement == "undo" and j.target:
            undone[j.target] = not undone.get(j.target, False)
            # undoing an undo restores its target
            target = by_id.get(j.target)
            if target is not None and target.judgement == "undo" and target.target:
                undone[target.target] = not undone.get(target.target, False)
    current_runs: set[str] | None = None
    full = [r for r in runs if r.kind == "full"]
    if full:
        latest = max(full, key=lambda r: (r.started_at, r.run_id))
        current_runs = {
            r.run_id for r in runs if (r.started_at, r.run_id) >= (latest.started_at, latest.run_id)
        }
    out: list[Judgement] = []
    for j in ordered:
        if j.judgement == "undo" or undone.get(j.id, False):
            continue
        if j.source == "machine" and current_runs is not None and j.run_id not in current_runs:
            continue
        out.append(j)
    return out


@dataclass(slots=True)
class Conflict:
    kind: str
    judgements: list[str]
    entities: list[str]
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class ResolvedState:
    clusters: dict[str, str]  # entity id -> cluster id (smallest member id)
    members: dict[str, list[str]]  # cluster id -> sorted member ids (clusters of two or more)
    conflicts: list[Conflict] = field(default_factory=list)
    refused: list[tuple[Judgement, str]] = field(default_factory=list)

    def cluster_of(self, entity_id: str) -> str:
        return self.clusters.get(entity_id, entity_id)

    def members_of(self, entity_id: str) -> list[str]:
        return self.members.get(self.cluster_of(entity_id), [entity_id])


def resolved_state(judgements: Iterable[Judgement], runs: Sequence[RunRow] = ()) -> ResolvedState:
    """Clusters from the ledger alone (a pure function; entities without judgements are singletons)."""
    live = active(judgements, runs)
    ids = sorted({j.left_id for j in live} | {j.right_id for j in live})
    index = {e: i for i, e in enumerate(ids)}
    links: list[Link] = []
    negatives: list[tuple[int, int]] = []
    by_link: dict[tuple[int, int], Judgement] = {}
    latest: dict[tuple[str, str, str], Judgement] = {}
    for j in live:
        if j.source == "analyst":
            latest[(j.left_id, j.right_id, "analyst")] = j
    for j in live:
        a, b = index[j.left_id], index[j.right_id]
        if j.judgement == "positive":
            if j.source == "analyst":
                # a later analyst decision on the same pair overrides an earlier one
                if latest[(j.left_id, j.right_id, "analyst")].id != j.id:
                    continue
                links.append(Link(a, b, ANALYST, 0.0, j.id))
            else:
                links.append(Link(a, b, MODEL, j.score or 0.0, j.id))
            by_link[(min(a, b), max(a, b))] = j
        elif j.judgement == "negative" and j.source == "analyst":
            if latest[(j.left_id, j.right_id, "analyst")].id != j.id:
                continue
            negatives.append((a, b))
    result = cluster(len(ids), links, cannot_link=negatives)
    refused = []
    for link, why in result.refused:
        found = by_link.get((min(link.left, link.right), max(link.left, link.right)))
        if found is not None:
            refused.append((found, why))
    best: dict[int, str] = {}
    for i, root in enumerate(result.labels):
        if root not in best or ids[i] < best[root]:
            best[root] = ids[i]
    clusters = {ids[i]: best[root] for i, root in enumerate(result.labels)}
    members: dict[str, list[str]] = {}
    for eid, cid in clusters.items():
        members.setdefault(cid, []).append(eid)
    members = {k: sorted(v) for k, v in members.items() if len(v) > 1}
    clusters = {e: c for e, c in clusters.items() if c in members}
    conflicts = []
    kinds: dict[tuple[str, str], dict[str, str]] = {}
    for j in live:
        if j.source == "analyst" and j.judgement in ("positive", "negative"):
            kinds.setdefault((j.left_id, j.right_id), {})[j.judgement] = j.id
    for (a_id, b_id), seen in sorted(kinds.items()):
        if len(seen) == 2:
            conflicts.append(
                Conflict(
                    "contradiction",
                    sorted(seen.values()),
                    [a_id, b_id],
                    f"{a_id} and {b_id} were both merged and split by analysts; the later decision holds",
                )
            )
    for a, b in negatives:
        if result.labels[a] == result.labels[b]:
            conflicts.append(
                Conflict(
                    "split-overruled",
                    [],
                    [ids[a], ids[b]],
                    f"an analyst split {ids[a]} and {ids[b]}, but analyst merges join them",
                )
            )
    return ResolvedState(clusters, members, conflicts, refused)
