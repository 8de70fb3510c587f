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

import pyarrow as pa  # type: ignore[import-untyped]

from counterflow.engine import Engine, LocalEngine
from counterflow.resolve.blocking import BlockingStats, candidate_pairs
from counterflow.resolve.clustering import (
    ANALYST,
    IDENTIFIER,
    MODEL,
    Clustering,
    Link,
    ScoredPair,
    constrained_clusters,
)
from counterflow.resolve.components import cluster_on
from counterflow.resolve.identifiers import SharedSelector, link_by_identifiers
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
# What the batch engine may hold per record of a run, if more than it is configured to hold
# (COUNTERFLOW_DUCKDB_MEMORY): 1M records on 256 MB spilled so much that scoring took 25 s longer
# than on 1 GB (docs/resolution.md). Small runs keep the configured limit.
ENGINE_BYTES_PER_RECORD = 1024

__all__ = ["SCORED_KINDS", "Resolution", "ScoredPair", "resolve", "score_kind"]


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
    the engine's driver-side DuckDB; clustering runs in process, or on a distributed engine one
    connected component at a time (:mod:`counterflow.resolve.components`, exactly the same
    clusters), so every engine gives the same clusters from the same records.
    """
    recs = _dedupe_records(list(records))
    index = {r.entity_id: r.uid for r in recs}
    own = engine is None
    eng: Engine = engine if engine is not None else LocalEngine(threads=threads)
    eng.reserve_memory(len(recs) * ENGINE_BYTES_PER_RECORD)
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
        table = records_table(subset, ident.shared_keys)  # built once: training takes a sample of it
        if kind not in trained:
            trained[kind] = train(engine.duckdb, kind, subset, ident.shared_keys, table=table)
        scored.extend(score_kind(engine, trained[kind], subset, ident.shared_keys, "cf_pairs", table=table))
        del table
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
    if engine.distributed:  # the same clustering, component by component on the workers
        result, extra = cluster_on(engine, recs, links, scored, negatives)
    else:
        result, extra = constrained_clusters(recs, links, scored, negatives)
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


def score_kind(
    engine: Engine,
    model: TrainedModel,
    subset: Sequence[Record],
    shared: set[str],
    pairs_table: str,
    *,
    table: pa.Table | None = None,
) -> list[ScoredPair]:
    """Score the candidate pairs among ``subset`` with ``model`` (``table``: their Splink input
    table, if already built)."""
    name = f"cf_rec_{model.kind}"
    engine.put(name, records_table(subset, shared) if table is None else table)
    try:
        result = score_pairs(engine, model, name, pairs_table, threshold=REVIEW_THRESHOLD, within=True)
    finally:
        engine.drop(name)
    cols: dict[str, Any] = result.to_pydict()
    return [
        ScoredPair(int(a), int(b), float(w), float(p))
        for a, b, w, p in zip(
            cols["l"], cols["r"], cols["match_weight"], cols["match_probability"], strict=True
        )
    ]
