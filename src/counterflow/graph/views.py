"""A viewer's network of persons, and what the analyst asks of it first: brokers, communities, a plan.

Everything here is computed on what one viewer may see (the store's visibility rule is
applied while reading), with entity resolution folded in, so two analysts of different
agencies get different networks from the same store, and neither learns of ties the
other's material alone supports. Building the network reads every visible statement: the
service keeps the last few per viewer until the store changes (``api.context.ViewCache``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from counterflow.engine import Engine
from counterflow.graph._ig import Graph
from counterflow.graph.batch import build_graph_from, build_graph_on
from counterflow.graph.build import EntityGraph, build_graph, person_projection
from counterflow.graph.dismantle import plan
from counterflow.graph.metrics import betweenness, leiden, rank
from counterflow.model.visibility import Viewer
from counterflow.store.sql import SqlStore

__all__ = ["export_network", "network_summary", "visible_network"]

PROTECTED_CAPTION = "protected person"
CANONICAL = pa.schema([("entity_id", pa.string()), ("canonical", pa.string())])


def visible_network(
    store: SqlStore,
    viewer: Viewer,
    *,
    canonical: Callable[[str], str] | None = None,
    engine: Engine | None = None,
) -> EntityGraph:
    """The person projection of everything ``viewer`` may see, resolved through ``canonical``;
    its ties aggregated by ``engine`` if one is given (Spark for a national store), else in memory."""
    statements = store.iter_statements(viewer=viewer, batch=50_000)
    if engine is not None:
        return person_projection(build_graph_on(engine, statements, canonical=canonical))
    return person_projection(build_graph(statements, canonical=canonical))


def export_network(engine: Engine, path: Path, clusters: Mapping[str, str]) -> EntityGraph:
    """The person projection of every statement in a whole-store Parquet export, resolved by
    ``clusters`` (entity id → cluster id, as in :class:`~counterflow.resolve.ledger.ResolvedState`),
    read and built on ``engine``: the national-size path of a system process (the community
    snapshot), where neither the statements nor the occurrences pass through the driver."""
    from counterflow.store.parquet import whole_store_export

    whole_store_export(path, "the whole network")
    engine.load("cf_statements", str(path))
    ids = sorted(clusters)
    mapping = {"entity_id": ids, "canonical": [clusters[i] for i in ids]}
    engine.put("cf_canonical", pa.table(mapping, schema=CANONICAL))
    try:
        return person_projection(build_graph_from(engine, "cf_statements", canonical="cf_canonical"))
    finally:
        engine.drop("cf_canonical")


def network_summary(
    people: EntityGraph,
    *,
    k: int = 5,
    strategy: str = "hba",
    seed: int = 7,
    pivots: int | None = 32,
    exclude: Sequence[str] = (),
) -> dict[str, Any]:
    """Size, communities, top brokers and a k-removal plan; protected persons are never ranked or
    targeted (``exclude``: others that may not be removed, e.g. out of jurisdiction)."""
    t0 = time.perf_counter()
    g: Graph = people.to_igraph()
    protected = [v["name"] for v in g.vs if v["protected"]]
    captions = {n.id: n.caption for n in people.nodes.values()}
    if g.vcount() == 0:
        return {
            "persons": 0,
            "ties": 0,
            "protected_persons": 0,
            "communities": 0,
            "modularity": 0.0,
            "brokers": [],
            "plan": None,
            "seconds": round(time.perf_counter() - t0, 2),
        }
    communities = leiden(g, seed=seed)
    top = rank(betweenness(g, pivots=256 if g.vcount() > 5000 else None, seed=seed), g, top=k)
    proposal = plan(g, strategy=strategy, k=k, seed=seed, protected=[*protected, *exclude], pivots=pivots)
    m = proposal.metrics
    return {
        "persons": g.vcount(),
        "ties": g.ecount(),
        "protected_persons": len(protected),
        "communities": len(set(communities.membership.values())),
        "modularity": round(communities.modularity, 3),
        "brokers": [{"id": e, "name": captions.get(e, e), "betweenness": round(s, 1)} for e, s in top],
        "plan": {
            "strategy": proposal.chosen,
            "k": k,
            "targets": [{"id": t, "name": captions.get(t, t)} for t in proposal.targets],
            "lcc_initial": m.lcc_initial,
            "lcc_after_k": m.lcc_after_k,
            "robustness": m.robustness,
            "protected_never_targeted": not set(proposal.targets) & set(protected),
        },
        "seconds": round(time.perf_counter() - t0, 2),
    }
