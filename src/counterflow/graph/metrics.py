"""Node metrics on igraph graphs, with target rankings that never list protected persons.

Every function takes an igraph graph (vertex attribute ``name``) and returns ``{name: value}``.
``weight`` names an edge attribute holding tie *strength* (volume × recency): strength-based
measures (degree → strength, PageRank, eigenvector) use it as is; path-based measures
(betweenness, closeness) use ``1 / weight`` as the length of a tie, so strong ties are short.

Conventions (each checked against networkx in the tests):

* ``betweenness``: unnormalised pair counts, each unordered pair once on undirected graphs
  (networkx ``normalized=False``). With ``pivots`` it is the Brandes–Pich (2007) estimate:
  dependencies from ``pivots`` random sources scaled by N / pivots (unbiased).
* ``closeness``: ``(r − 1) / Σ d`` over the r nodes a node reaches, scaled by ``(r − 1)/(N − 1)``
  (Wasserman–Faust, networkx's default for disconnected graphs).
* ``eigenvector``: scaled to unit Euclidean norm (networkx's convention).
* ``leiden``: Traag, Waltman & van Eck (2019), modularity objective, seeded.
* ``kcore``: the core number (largest k of a k-core holding the node).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from counterflow.graph._ig import Graph, names, seeded

__all__ = [
    "Communities",
    "betweenness",
    "closeness",
    "degree",
    "eigenvector",
    "kcore",
    "leiden",
    "pagerank",
    "protected_names",
    "rank",
]


def _lengths(graph: Graph, weight: str | None) -> list[float] | None:
    if weight is None:
        return None
    return [1.0 / w if w > 0 else math.inf for w in graph.es[weight]]


def degree(graph: Graph, *, weight: str | None = None) -> dict[str, float]:
    """Degree, or strength (sum of tie weights) when ``weight`` is given."""
    vals = graph.strength(weights=weight) if weight else graph.degree()
    return dict(zip(names(graph), map(float, vals), strict=True))


def betweenness(
    graph: Graph, *, weight: str | None = None, pivots: int | None = None, seed: int | None = None
) -> dict[str, float]:
    """Shortest-path betweenness, exact or estimated from ``pivots`` random sources."""
    n = graph.vcount()
    directed = graph.is_directed()
    lengths = _lengths(graph, weight)
    if pivots is None or pivots >= n:
        vals = graph.betweenness(directed=directed, weights=lengths)
    else:
        if pivots < 1:
            raise ValueError("pivots must be at least 1")
        sources = sorted(random.Random(seed).sample(range(n), pivots))
        raw = graph.betweenness(directed=directed, weights=lengths, sources=sources)
        vals = [b * n / pivots for b in raw]
    return dict(zip(names(graph), map(float, vals), strict=True))


def closeness(graph: Graph, *, weight: str | None = None) -> dict[str, float]:
    """Closeness within each node's component, Wasserman–Faust scaled (networkx's default)."""
    n = graph.vcount()
    raw = graph.closeness(weights=_lengths(graph, weight), normalized=True, mode="all")
    sizes = graph.connected_components(mode="weak").sizes() if n else []
    membership = graph.connected_components(mode="weak").membership if n else []
    out = {}
    for name, c, comp in zip(names(graph), raw, membership, strict=True):
        r = sizes[comp]
        out[name] = 0.0 if n < 2 or c is None or math.isnan(c) else float(c) * (r - 1) / (n - 1)
    return out


def pagerank(graph: Graph, *, weight: str | None = None, damping: float = 0.85) -> dict[str, float]:
    """PageRank (PRPACK), summing to 1."""
    vals = graph.pagerank(weights=weight, damping=damping, directed=graph.is_directed())
    return dict(zip(names(graph), map(float, vals), strict=True))


def eigenvector(graph: Graph, *, weight: str | None = None) -> dict[str, float]:
    """Eigenvector centrality with unit Euclidean norm over the whole graph."""
    vals = graph.eigenvector_centrality(weights=weight, scale=True)
    norm = math.sqrt(sum(v * v for v in vals)) or 1.0
    return {name: float(v) / norm for name, v in zip(names(graph), vals, strict=True)}


def kcore(graph: Graph) -> dict[str, int]:
    """Core number of every node."""
    return dict(zip(names(graph), map(int, graph.coreness(mode="all")), strict=True))


@dataclass(frozen=True)
class Communities:
    membership: dict[str, int]
    modularity: float

    @property
    def groups(self) -> list[list[str]]:
        out: dict[int, list[str]] = {}
        for name, c in self.membership.items():
            out.setdefault(c, []).append(name)
        return [sorted(g) for _, g in sorted(out.items())]


def leiden(
    graph: Graph, *, weight: str | None = None, resolution: float = 1.0, seed: int | None = None
) -> Communities:
    """Leiden communities optimising modularity (deterministic for a given seed)."""
    g = graph.as_undirected(mode="collapse", combine_edges="sum") if graph.is_directed() else graph
    with seeded(0 if seed is None else seed):
        part = g.community_leiden(
            objective_function="modularity", weights=weight, resolution=resolution, n_iterations=-1
        )
    membership = dict(zip(names(g), map(int, part.membership), strict=True))
    q = g.modularity(part.membership, weights=weight, resolution=resolution)
    return Communities(membership, float(q))


def protected_names(graph: Graph) -> set[str]:
    """Names of vertices flagged ``protected`` (victims, witnesses, minors)."""
    if "protected" not in graph.vs.attributes():
        return set()
    return {n for n, p in zip(names(graph), graph.vs["protected"], strict=True) if p}


def rank(
    scores: Mapping[str, float], graph: Graph, *, top: int | None = None, exclude: Iterable[str] = ()
) -> list[tuple[str, float]]:
    """Targets by descending score; protected persons (and ``exclude``) never appear."""
    skip = protected_names(graph) | set(exclude)
    ordered = sorted(((n, s) for n, s in scores.items() if n not in skip), key=lambda x: (-x[1], x[0]))
    return ordered if top is None else ordered[:top]
