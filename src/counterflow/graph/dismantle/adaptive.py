"""Adaptive strategies on the largest component: HDA-LCC, HBA-LCC, Greedy-LCC, and raids.

* **HDA-LCC** (adaptive highest degree; Holme, Kim, Yoon & Han 2002, Phys. Rev. E 65:056109):
  remove the node of highest degree (strength when weighted) in the largest component, recompute.
* **HBA-LCC** (adaptive highest betweenness, same paper): the same with betweenness computed
  on the largest component. With ``pivots`` the betweenness is the Brandes–Pich (2007) estimate
  from that many random sources (exact when the component is no larger), so it scales.
* **Greedy-LCC**: remove the node whose removal leaves the smallest largest component, found
  exactly for every candidate at once (``cuts.removal_effects``); ties go to the smaller
  Σ piece² (more fragmentation), then the higher degree, then the seeded rank.
* **Raid** (``batch``): ``batch=b`` removes the top b nodes of each recomputation at once (a
  float in (0, 1) is a share of the component). ``static_order`` is the pure raid: one ranking
  of the intact graph, no recomputation (HD, HB).

Costs: with non-unit costs HDA and HBA rank by score / cost, and Greedy-LCC breaks ties by cost.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable

from counterflow.graph._ig import Graph
from counterflow.graph.dismantle.cuts import Chooser, complete, lcc_first, removal_effects, split
from counterflow.graph.dismantle.problem import Problem

IGRAPH_PATH = 2000  # above this many nodes, batched HDA/HBA run their loop in igraph

__all__ = ["betweenness_scores", "greedy_chooser", "greedy_lcc", "hba", "hda", "static_order"]


def _take(problem: Problem, comp: list[int], score: dict[int, float], batch: int | float) -> list[int]:
    cand = [v for v in comp if problem.removable[v]]
    if not cand:
        return []
    b = batch if isinstance(batch, int) else max(1, math.ceil(batch * len(comp)))
    rank, cost = problem.rank, problem.cost
    cand.sort(key=lambda v: (-score[v] / cost[v], rank[v]))
    return cand[: max(1, b)]


def hda(problem: Problem, *, batch: int | float = 1) -> list[int]:
    """Adaptive highest degree (strength if the problem is weighted) on the largest component."""
    adj, weight = problem.adj, problem.weight
    if problem.n > IGRAPH_PATH and batch != 1:
        w = "weight" if weight is not None else None
        return complete(problem, lcc_first_ig(problem, lambda sub: sub.strength(weights=w), batch))

    def choose(comp: list[int], alive: list[bool]) -> list[int]:
        if weight is None:
            score = {v: float(sum(1 for u in adj[v] if alive[u])) for v in comp}
        else:
            score = {v: sum(w for u, w in zip(adj[v], weight[v], strict=True) if alive[u]) for v in comp}
        return _take(problem, comp, score, batch)

    return complete(problem, lcc_first(problem, choose))


def betweenness_scores(
    problem: Problem, comp: list[int], *, pivots: int | None, rng: random.Random
) -> dict[int, float]:
    """Betweenness on the subgraph of ``comp`` (pivot estimate when pivots < |comp|)."""
    nodes = sorted(comp)
    sub = problem.graph.induced_subgraph(nodes)
    ids = sub.vs["_i"]
    weights = None
    if problem.weight is not None:
        weights = [1.0 / w if w > 0 else math.inf for w in sub.es["weight"]]
    if pivots is not None and pivots < len(nodes):
        sources = sorted(rng.sample(range(len(nodes)), pivots))
        raw = sub.betweenness(directed=False, weights=weights, sources=sources)
        scale = len(nodes) / pivots
        return {ids[i]: b * scale for i, b in enumerate(raw)}
    raw = sub.betweenness(directed=False, weights=weights)
    return {ids[i]: b for i, b in enumerate(raw)}


def hba(problem: Problem, *, batch: int | float = 1, pivots: int | None = None) -> list[int]:
    """Adaptive highest betweenness on the largest component (sampled by pivots if given)."""
    rng = random.Random(problem.seed)
    adj = problem.adj
    if problem.n > IGRAPH_PATH and batch != 1:

        def score(sub: Graph) -> list[float]:
            n = sub.vcount()
            w = None if problem.weight is None else [1.0 / x if x > 0 else math.inf for x in sub.es["weight"]]
            if pivots is None or pivots >= n:
                return list(sub.betweenness(directed=False, weights=w))
            raw = sub.betweenness(directed=False, weights=w, sources=sorted(rng.sample(range(n), pivots)))
            deg = sub.degree()
            return [b * n / pivots + 1e-9 * d for b, d in zip(raw, deg, strict=True)]

        return complete(problem, lcc_first_ig(problem, score, batch))

    def choose(comp: list[int], alive: list[bool]) -> list[int]:
        if len(comp) <= 2:
            score = {v: float(sum(1 for u in adj[v] if alive[u])) for v in comp}
        else:
            score = betweenness_scores(problem, comp, pivots=pivots, rng=rng)
            # a tree-like tail has many zero-betweenness leaves: degree breaks those ties
            for v in comp:
                score[v] += 1e-9 * sum(1 for u in adj[v] if alive[u])
        return _take(problem, comp, score, batch)

    return complete(problem, lcc_first(problem, choose))


def lcc_first_ig(problem: Problem, score: Callable[[Graph], list[float]], batch: int | float) -> list[int]:
    """``cuts.lcc_first`` for large graphs: components, scores and splits all in igraph (C)."""
    rank, cost, removable = problem.rank, problem.cost, problem.removable
    base = problem.graph
    heap: list[tuple[int, int, int, Graph]] = []
    counter = itertools.count()
    for members in base.connected_components():
        if len(members) > 1:
            heap.append((-len(members), 0, next(counter), base.induced_subgraph(members)))
    heapq.heapify(heap)
    order: list[int] = []
    while heap:
        _, _, _, sub = heapq.heappop(heap)
        ids = sub.vs["_i"]
        cand = [j for j, v in enumerate(ids) if removable[v]]
        if not cand:
            continue
        s = score(sub)
        b = batch if isinstance(batch, int) else max(1, math.ceil(batch * len(ids)))
        picks = heapq.nsmallest(b, cand, key=lambda j: (-s[j] / cost[ids[j]], rank[ids[j]]))
        order.extend(ids[j] for j in picks)
        sub.delete_vertices(picks)
        for members in sub.connected_components():
            if len(members) > 1:
                heapq.heappush(heap, (-len(members), 0, next(counter), sub.induced_subgraph(members)))
    return order


def greedy_lcc(problem: Problem) -> list[int]:
    """Remove the node leaving the smallest largest component, again and again."""
    return complete(problem, lcc_first(problem, greedy_chooser(problem)))


def greedy_chooser(problem: Problem) -> Chooser:
    """Greedy-LCC's choice: the removable node whose removal leaves the smallest largest piece."""
    adj, rank, cost = problem.adj, problem.rank, problem.cost

    def choose(comp: list[int], alive: list[bool]) -> list[int]:
        eff = removal_effects(adj, alive, comp[0])
        best = None
        best_key: tuple[float, ...] | None = None
        for v in eff.nodes:
            if not problem.removable[v]:
                continue
            deg = sum(1 for u in adj[v] if alive[u])
            key = (eff.max_piece[v], eff.sum_sq[v], cost[v], -deg, rank[v])
            if best_key is None or key < best_key:
                best, best_key = v, key
        return [] if best is None else [best]

    return choose


def static_order(problem: Problem, measure: str = "degree", *, pivots: int | None = None) -> list[int]:
    """The raid: one ranking of the intact graph (``degree`` or ``betweenness``), no recomputation."""
    if measure == "degree":
        if problem.weight is None:
            score = {v: float(len(problem.adj[v])) for v in range(problem.n)}
        else:
            score = {v: float(sum(problem.weight[v])) for v in range(problem.n)}
    elif measure == "betweenness":
        score = {v: 0.0 for v in range(problem.n)}
        rng = random.Random(problem.seed)
        alive = [True] * problem.n
        for comp in split(problem.adj, alive, range(problem.n)):
            if len(comp) > 2:
                score.update(betweenness_scores(problem, comp, pivots=pivots, rng=rng))
    else:
        raise ValueError(f"unknown measure {measure!r}")
    rank, cost = problem.rank, problem.cost
    cand = sorted(
        (v for v in range(problem.n) if problem.removable[v]), key=lambda v: (-score[v] / cost[v], rank[v])
    )
    return complete(problem, cand)
