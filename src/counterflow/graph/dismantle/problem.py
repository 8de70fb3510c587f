"""A dismantling problem: the graph as adjacency lists plus who may be removed and at what cost.

Strategies work on node indices; names come back only in the plan. A node is *removable*
when it is neither protected (victim, witness, minor: ``model.roles.PROTECTED_ROLES``) nor
infeasible (no jurisdiction, no evidence). Unremovable nodes stay in the graph for ever:
they are never ranked, never removed, and a plan lists them after every target.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from counterflow.errors import InvalidValue
from counterflow.graph._ig import Graph, ig, names

__all__ = ["Problem", "components", "problem_from_graph"]


@dataclass(frozen=True, eq=False)
class Problem:
    """Adjacency lists of a simple undirected graph with removability and costs per node."""

    names: tuple[str, ...]
    adj: tuple[tuple[int, ...], ...]
    removable: tuple[bool, ...]
    cost: tuple[float, ...]
    weight: tuple[tuple[float, ...], ...] | None = None  # parallel to ``adj`` when weighted
    stage: tuple[int | None, ...] | None = None  # layer of each node for staged networks
    seed: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def n(self) -> int:
        return len(self.names)

    @cached_property
    def m(self) -> int:
        return sum(len(a) for a in self.adj) // 2

    @cached_property
    def edges(self) -> list[tuple[int, int]]:
        return [(u, v) for u, nbrs in enumerate(self.adj) for v in nbrs if u < v]

    @cached_property
    def graph(self) -> Graph:
        """The igraph graph (vertex attribute ``_i`` keeps the index through subgraphs)."""
        g = ig.Graph(n=self.n, edges=self.edges, directed=False)
        g.vs["_i"] = list(range(self.n))
        if self.weight is not None:
            w = {(u, v): self.weight[u][j] for u in range(self.n) for j, v in enumerate(self.adj[u]) if u < v}
            g.es["weight"] = [w[e] for e in self.edges]
        return g

    @cached_property
    def rank(self) -> tuple[int, ...]:
        """A seeded random rank per node: the tie-breaker of every strategy (lower wins)."""
        perm = list(range(self.n))
        random.Random(self.seed).shuffle(perm)
        out = [0] * self.n
        for r, v in enumerate(perm):
            out[v] = r
        return tuple(out)

    @cached_property
    def n_removable(self) -> int:
        return sum(self.removable)

    def index(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.names)}

    def degree(self, v: int) -> int:
        return len(self.adj[v])

    def without(self, removed: Iterable[int]) -> Problem:
        """The same nodes with every edge of ``removed`` cut (indices stay valid)."""
        gone = set(removed)
        keep = [
            [] if v in gone else [j for j, u in enumerate(nbrs) if u not in gone]
            for v, nbrs in enumerate(self.adj)
        ]
        adj = tuple(tuple(self.adj[v][j] for j in js) for v, js in enumerate(keep))
        wt = None
        if self.weight is not None:
            wt = tuple(tuple(self.weight[v][j] for j in js) for v, js in enumerate(keep))
        removable = tuple(r and v not in gone for v, r in enumerate(self.removable))
        return Problem(self.names, adj, removable, self.cost, wt, self.stage, self.seed, self.notes)


def problem_from_graph(
    graph: Graph,
    *,
    weight: str | None = None,
    cost: Mapping[str, float] | Callable[[str], float] | None = None,
    feasible: Iterable[str] | Callable[[str], bool] | None = None,
    protected: Iterable[str] | None = None,
    stage: str | Mapping[str, int] | None = None,
    seed: int | None = None,
) -> Problem:
    """A problem from an igraph graph (multi-edges merged, self-loops and direction dropped).

    ``protected`` adds to the vertex attribute ``protected``; ``feasible`` (a set of names or a
    predicate) marks who may be removed, on top of the vertex attribute ``feasible``; ``cost``
    defaults to the vertex attribute ``cost`` or 1. ``stage`` names a vertex attribute or maps
    names to integer layers (origin = lowest) for the staged path count.
    """
    labels = names(graph)
    n = len(labels)
    attrs = set(graph.vs.attributes())
    prot = [bool(x) for x in graph.vs["protected"]] if "protected" in attrs else [False] * n
    if protected is not None:
        extra = set(protected)
        prot = [p or name in extra for p, name in zip(prot, labels, strict=True)]
    feas = [x is None or bool(x) for x in graph.vs["feasible"]] if "feasible" in attrs else [True] * n
    if feasible is not None:
        if callable(feasible):
            feas = [f and feasible(name) for f, name in zip(feas, labels, strict=True)]
        else:
            allowed = set(feasible)
            feas = [f and name in allowed for f, name in zip(feas, labels, strict=True)]
    costs = [float(x) if x is not None else 1.0 for x in graph.vs["cost"]] if "cost" in attrs else [1.0] * n
    if cost is not None:
        if callable(cost):
            costs = [float(cost(name)) for name in labels]
        else:
            costs = [float(cost.get(name, c)) for name, c in zip(labels, costs, strict=True)]
    bad = [f"{name}: cost {c!r}" for name, c in zip(labels, costs, strict=True) if not c > 0]
    if bad:
        raise InvalidValue("node cost", "; ".join(bad[:20]), "costs must be positive numbers")
    simple = graph.copy()
    if simple.is_directed():
        simple.to_undirected(mode="collapse", combine_edges="sum" if weight else "first")
    simple.simplify(multiple=True, loops=True, combine_edges={weight: "sum"} if weight else "first")
    adj = tuple(tuple(sorted(a)) for a in simple.get_adjlist())
    wt: tuple[tuple[float, ...], ...] | None = None
    if weight is not None:
        nbr: list[dict[int, float]] = [{} for _ in range(n)]
        for (u, v), w in zip(simple.get_edgelist(), simple.es[weight], strict=True):
            nbr[u][v] = nbr[v][u] = float(w)
        wt = tuple(tuple(nbr[u][v] for v in adj[u]) for u in range(n))
    layers: tuple[int | None, ...] | None = None
    if isinstance(stage, str):
        if stage in attrs:
            layers = tuple(None if x is None else int(x) for x in graph.vs[stage])
    elif stage is not None:
        layers = tuple(stage.get(name) for name in labels)
    removable = tuple(not p and f for p, f in zip(prot, feas, strict=True))
    return Problem(tuple(labels), adj, removable, tuple(costs), wt, layers, 0 if seed is None else seed)


def components(adj: tuple[tuple[int, ...], ...] | list[list[int]], alive: list[bool]) -> list[list[int]]:
    """Connected components among alive nodes (iterative, no recursion)."""
    seen = [not a for a in alive]
    out: list[list[int]] = []
    for s in range(len(adj)):
        if seen[s]:
            continue
        seen[s] = True
        comp = [s]
        stack = [s]
        while stack:
            v = stack.pop()
            for u in adj[v]:
                if not seen[u]:
                    seen[u] = True
                    comp.append(u)
                    stack.append(u)
        out.append(comp)
    return out
