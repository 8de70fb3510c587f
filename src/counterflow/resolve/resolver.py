"""One resolution run in memory: records in, clusters with their reasons out.

identifiers (personal selectors merge, shared ones link) → blocking → Splink scores (persons
and organisations, each with its own trained scorer) → constrained clustering. Pure: the same
records (and judgements) give the same clusters, whatever the order they came in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from counterflow.engine import Engine, LocalEngine
from counterflow.resolve.blocking import BlockingStats, candidate_pairs
from counterflow.resolve.clustering import ANALYST, IDENTIFIER, MODEL, Clustering, Link, attributes, cluster
from counterflow.resolve.identifiers import SharedSelector, dates_conflict, link_by_identifiers
from counterflow.resolve.names import same_name
from counterflow.resolve.records import Record
from counterflow.resolve.splink_model import (
    MATCH_THRESHOLD,
    REVIEW_THRESHOLD,
    TrainedModel,
    records_table,
    score_pairs,
    train,
)

log = logging.getLogger(__name__)

SCORED_KINDS = ("person", "org")


@dataclass(frozen=True, slots=True)
class ScoredPair:
    left: int
    right: int
    match_weight: float
    match_probability: float


@dataclass(slots=True)
class Resolution:
    records: list[Record]
    clustering: Clustering
    scored: list[ScoredPair]
    shared: list[SharedSelector]
    models: dict[str, TrainedModel]
    stats: dict[str, int] = field(default_factory=dict)
    candidates: set[tuple[int, int]] | None = None

    def cluster_ids(self) -> dict[str, str]:
        """entity id → cluster id (the smallest entity id of its cluster)."""
        best: dict[int, str] = {}
        for rec, root in zip(self.records, self.clustering.labels, strict=True):
            if root not in best or rec.entity_id < best[root]:
                best[root] = rec.entity_id
        return {
            rec.entity_id: best[root] for rec, root in zip(self.records, self.clustering.labels, strict=True)
        }

    def unsure(self) -> list[ScoredPair]:
        """Pairs in the review band, and strong pairs a constraint refused (for an analyst)."""
        refused = {(min(lk.left, lk.right), max(lk.left, lk.right)) for lk, _ in self.clustering.refused}
        return [
            p for p in self.scored if p.match_probability < MATCH_THRESHOLD or (p.left, p.right) in refused
        ]


def _dedupe_records(records: Sequence[Record]) -> list[Record]:
    """Records sorted by entity id (one per id: the first wins), with uids assigned in that order."""
    seen: dict[str, Record] = {}
    for rec in records:
        seen.setdefault(rec.entity_id, rec)
    out = [seen[k] for k in sorted(seen)]
    for i, rec in enumerate(out):
        rec.uid = i
    return out


def resolve(
    records: Iterable[Record],
    *,
    analyst_links: Iterable[tuple[str, str, str]] = (),
    cannot_link: Iterable[tuple[str, str]] = (),
    models: Mapping[str, TrainedModel] | None = None,
    threads: int | None = None,
    engine: Engine | None = None,
    keep_candidates: bool = False,
) -> Resolution:
    """Resolve ``records`` (analyst merges/splits given as entity id pairs).

    Blocking and scoring run on ``engine`` (an embedded DuckDB unless given); training runs on
    the engine's driver-side DuckDB, and clustering in process, so every engine gives the same
    clusters from the same records.
    """
    recs = _dedupe_records(list(records))
    index = {r.entity_id: r.uid for r in recs}
    own = engine is None
    eng: Engine = engine if engine is not None else LocalEngine(threads=threads)
    try:
        return _resolve(recs, index, eng, analyst_links, cannot_link, models, keep_candidates)
    finally:
        if own:
            eng.close()


def _resolve(
    recs: list[Record],
    index: dict[str, int],
    engine: Engine,
    analyst_links: Iterable[tuple[str, str, str]],
    cannot_link: Iterable[tuple[str, str]],
    models: Mapping[str, TrainedModel] | None,
    keep_candidates: bool,
) -> Resolution:
    ident = link_by_identifiers(recs)
    blocking: BlockingStats = candidate_pairs(engine, recs)
    trained: dict[str, TrainedModel] = dict(models or {})
    scored: list[ScoredPair] = []
    for kind in SCORED_KINDS:
        subset = [r for r in recs if r.kind == kind]
        if len(subset) < 2:
            continue
        if kind not in trained:
            trained[kind] = train(engine.duckdb, kind, subset, ident.shared_keys)
        scored.extend(score_kind(engine, trained[kind], subset, ident.shared_keys, "cf_pairs"))
    links: list[Link] = [
        Link(lk.left, lk.right, IDENTIFIER, 1.0, f"identifier {lk.selector}") for lk in ident.links
    ]
    links.extend(
        Link(p.left, p.right, MODEL, p.match_weight, "model")
        for p in scored
        if p.match_probability >= MATCH_THRESHOLD
    )
    for a, b, reason in analyst_links:
        if a in index and b in index:
            links.append(Link(index[a], index[b], ANALYST, 0.0, reason))
    negatives = [(index[a], index[b]) for a, b in cannot_link if a in index and b in index]
    attrs = [attributes(r) for r in recs]
    result = cluster(len(recs), links, attrs=attrs, cannot_link=negatives)
    extra = name_only_links(recs, scored, result.labels)
    if extra:
        result = cluster(len(recs), [*links, *extra], attrs=attrs, cannot_link=negatives)
    stats = {
        "records": len(recs),
        "blocking_keys": blocking.keys,
        "blocks_dropped": blocking.blocks_dropped,
        "candidate_pairs": blocking.pairs,
        "scored_pairs_above_review": len(scored),
        "identifier_links": len(ident.links),
        "name_only_links": len(extra),
        "shared_selectors": len(ident.shared),
        "merges": len(result.accepted),
        "refused_links": len(result.refused),
        "clusters": len(set(result.labels)),
    }
    candidates = None
    if keep_candidates:
        pairs = engine.fetch("SELECT l, r FROM cf_pairs").to_pydict()
        candidates = {(int(a), int(b)) for a, b in zip(pairs["l"], pairs["r"], strict=True)}
        candidates |= {(min(lk.left, lk.right), max(lk.left, lk.right)) for lk in ident.links}
    return Resolution(recs, result, scored, ident.shared, trained, stats, candidates)


def name_only(rec: Record) -> bool:
    """A record with a name and nothing else to tell one namesake from another."""
    return not (rec.dob or rec.selectors or rec.docs or rec.weak_ids or rec.address)


def weakly_dated(rec: Record) -> bool:
    """A record with a name and at most a partial birth date (a year, a month): nothing else."""
    if rec.selectors or rec.docs or rec.weak_ids or rec.address:
        return False
    return rec.dob is None or len(rec.dob) < 10


def name_only_links(
    records: Sequence[Record], scored: Sequence[ScoredPair], labels: Sequence[int]
) -> list[Link]:
    """Attach a name-only record to the one identity its name points to, never to one of several.

    Such a record's best score is its name's: it cannot tell namesakes apart. It joins a cluster
    when every record that carries its name (all parts matching) and something more (a date, a
    selector, a document) lies in that one cluster; if the name leads to two identities it is left
    alone (and shows in the review queue). Nor does it join a cluster that already holds a dated
    record of its own agency: an agency that recorded the person's birth date would have written
    it on a record of that person, so its undated record of the same name is more likely a
    namesake. (Agencies do keep several records of one person: the rule asks for the date.)

    A record whose only date is partial (a year, a month) is weighed the same way against the
    identities its name *and* date can belong to: every record carrying its name whose date does
    not conflict must lie in one cluster, and that cluster must hold a record with a date that
    agrees (the partial date is then the evidence the agency's own date would give).
    """
    partners: dict[int, set[int]] = {}
    for p in scored:
        a, b = records[p.left], records[p.right]
        for x, y in ((a, b), (b, a)):
            if (
                weakly_dated(x)
                and not name_only(y)
                and x.kind == y.kind
                and len(x.parts) >= 2
                and not (x.dob and y.dob and dates_conflict(x.dob, y.dob))
                and same_name(x.parts, y.parts)
            ):
                partners.setdefault(x.uid, set()).add(y.uid)
    dated_agencies: dict[int, set[str]] = {}
    for rec in records:
        if rec.dob:
            dated_agencies.setdefault(labels[rec.uid], set()).add(rec.agency)
    out: list[Link] = []
    for uid, others in sorted(partners.items()):
        clusters = {labels[o] for o in others}
        if len(clusters) != 1 or labels[uid] in clusters:
            continue
        rec = records[uid]
        if rec.dob:
            if not any(records[o].dob for o in others):
                continue
            reason = "name and partial birth date, one identity carries them"
        else:
            if rec.agency in dated_agencies.get(next(iter(clusters)), set()):
                continue
            reason = "name only, one identity carries that name"
        out.append(Link(uid, min(others), MODEL, 0.0, reason))
    return out


def score_kind(
    engine: Engine,
    model: TrainedModel,
    subset: Sequence[Record],
    shared: set[str],
    pairs_table: str,
) -> list[ScoredPair]:
    """Score the candidate pairs among ``subset`` with ``model``."""
    table = f"cf_rec_{model.kind}"
    engine.put(table, records_table(subset, shared))
    engine.create(
        f"cf_pairs_{model.kind}",
        f"SELECT p.l, p.r FROM {pairs_table} p WHERE p.l IN (SELECT unique_id FROM {table}) "
        f"AND p.r IN (SELECT unique_id FROM {table})",
    )
    if not engine.scalar(f"SELECT count(*) FROM cf_pairs_{model.kind}"):
        return []
    result = score_pairs(engine, model, table, f"cf_pairs_{model.kind}", threshold=REVIEW_THRESHOLD)
    cols: dict[str, Any] = result.to_pydict()
    return [
        ScoredPair(int(a), int(b), float(w), float(p))
        for a, b, w, p in zip(
            cols["l"], cols["r"], cols["match_weight"], cols["match_probability"], strict=True
        )
    ]
