"""Removing ties instead of people: seize a phone, freeze an account, close a crossing.

A *unit* is what one action removes: a single tie, or every tie that runs through a selector
(``build.EntityGraph`` ties carry the selectors and places they run through in ``via``). The
plan removes units adaptively for the first ``k`` (recomputing after each), then ranks the
rest once. Strategies:

* ``betweenness``: the unit whose live ties carry the most edge betweenness (Girvan–Newman's
  edge betweenness, Holme et al. 2002's adaptive edge attack);
* ``greedy``: the unit whose removal leaves the smallest LCC (ties: Σ size²), exact.

Nodes are never removed here, so protected persons are untouched by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from counterflow.errors import InvalidValue
from counterflow.graph._ig import Graph, ig, names

__all__ = ["EdgePlan", "edge_plan", "selector_units"]


@dataclass(frozen=True)
class EdgePlan:
    strategy: str
    order: tuple[str, ...]  # units, all of them
    lcc: tuple[int, ...]  # LCC size after removing 0, 1, … units
    n: int
    k: int

    @property
    def lcc_after_k(self) -> float:
        return self.lcc[min(self.k, len(self.lcc) - 1)] / self.n if self.n else 0.0

    @property
    def robustness(self) -> float:
        """Schneider's R over unit removals: mean LCC/N after each removal."""
        u = len(self.lcc) - 1
        return sum(self.lcc[1:]) / (u * self.n) if u and self.n else 0.0


def selector_units(
    graph: Graph, kinds: Iterable[str] = ("phone", "email", "iban", "place")
) -> dict[str, list[int]]:
    """Units from the ``via`` edge attribute: every tie through ``phone:…`` is one unit, etc."""
    if "via" not in graph.es.attributes():
        raise InvalidValue(
            "graph", "edges", "no 'via' edge attribute: build the graph with build.build_graph"
        )
    prefixes = tuple(f"{k}:" for k in kinds)
    units: dict[str, list[int]] = {}
    for e, via in enumerate(graph.es["via"]):
        for v in via or ():
            if str(v).startswith(prefixes):
                units.setdefault(str(v), []).append(e)
    return units


def _lcc_without(n: int, edges: list[tuple[int, int]], dead: set[int]) -> tuple[int, int]:
    """(LCC, Σ size²) with the ``dead`` edges removed."""
    g = ig.Graph(n=n, edges=[e for i, e in enumerate(edges) if i not in dead])
    sizes = g.connected_components().sizes()
    return (max(sizes, default=0), sum(s * s for s in sizes))


def edge_plan(
    graph: Graph,
    *,
    k: int = 5,
    units: Mapping[str, Iterable[int]] | None = None,
    strategy: str = "betweenness",
    seed: int | None = None,
) -> EdgePlan:
    """Order the units (default: every tie ``"a|b"``) by the named strategy."""
    if strategy not in {"betweenness", "greedy"}:
        raise InvalidValue("strategy", strategy, "edge strategies are 'betweenness' and 'greedy'")
    label = names(graph)
    n = graph.vcount()
    edges = [(a, b) for a, b in graph.get_edgelist()]
    if units is None:
        unit_edges = {f"{label[a]}|{label[b]}": [i] for i, (a, b) in enumerate(edges)}
    else:
        unit_edges = {u: sorted(set(es)) for u, es in units.items()}
    order: list[str] = []
    dead: set[int] = set()
    left = dict(sorted(unit_edges.items()))
    scores: dict[str, float] = {}
    for step in range(len(left)):
        if step < k or not scores:
            live = [i for i in range(len(edges)) if i not in dead]
            if strategy == "betweenness":
                g = ig.Graph(n=n, edges=[edges[i] for i in live])
                eb = dict(zip(live, g.edge_betweenness(directed=False), strict=True))
                scores = {u: sum(eb.get(i, 0.0) for i in es) for u, es in left.items()}
            else:
                scores = {}
                for u, es in left.items():
                    lcc, sq = _lcc_without(n, edges, dead | set(es))
                    scores[u] = -(lcc * (n * n + 1) + sq)
        best = max(left, key=lambda u: (scores[u], u))
        order.append(best)
        dead.update(left.pop(best))
        scores.pop(best, None)
    del seed
    return EdgePlan(strategy, tuple(order), tuple(_curve(n, edges, unit_edges, order)), n, min(k, len(order)))


def _curve(
    n: int, edges: list[tuple[int, int]], units: Mapping[str, list[int]], order: list[str]
) -> list[int]:
    """LCC after removing 0 … U units: union–find, adding units back in reverse order."""
    parent = list(range(n))
    size = [1] * n

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    best = 1 if n else 0

    def join(e: int) -> None:
        nonlocal best
        a, b = find(edges[e][0]), find(edges[e][1])
        if a != b:
            if size[a] > size[b]:
                a, b = b, a
            parent[a] = b
            size[b] += size[a]
            best = max(best, size[b])

    in_units = {e for es in units.values() for e in es}
    for e in range(len(edges)):
        if e not in in_units:
            join(e)
    out = [best]
    for u in reversed(order):
        for e in units[u]:
            join(e)
        out.append(best)
    return out[::-1]
