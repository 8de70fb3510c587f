"""Plan metrics in their published definitions, so plans compare with the literature.

For a removal order ``v_1 … v_N`` of all N nodes let ``S(Q)`` be the size of the largest
connected component (LCC) after removing ``v_1 … v_Q`` (``S(0)`` is the LCC of the intact
graph, ``S(N) = 0``).

* **LCC/N after k**: ``S(k) / N``.
* **Fragmentation F** (Borgatti 2006, KPP-Neg): on the graph left after removing k nodes,
  with ``n = N − k`` nodes in components of sizes ``s_j``, ``F = 1 − Σ s_j (s_j − 1) / (n (n − 1))``:
  the share of pairs of remaining nodes that can no longer reach each other.
* **Robustness R** (Schneider, Moreira, Andrade, Havlin & Herrmann 2011, PNAS 108:3838):
  ``R = (1/N) Σ_{Q=1..N} S(Q)/N``; lower means the order breaks the network faster (R ≤ 1/2).
* **q_c(θ)**: the number of removals until ``S(Q) ≤ ⌈θ N⌉`` (the stop condition of the
  NetworkDismantling review, Artime et al. 2024, Nat. Rev. Phys. 6:114), also as a fraction of N.
* **r_AUC@θ**: the area under ``S(Q)/N`` for ``Q = 1 … q_c(θ)`` by Simpson's rule with dx = 1
  (``scipy.integrate.simpson``), the review's convention.
* **q_c(θ) with reinsertion**: the prefix reaching the threshold, after greedy reinsertion
  (Braunstein, Dall'Asta, Semerjian & Zdeborová 2016, PNAS 113:12368; Zdeborová, Zhang & Zhou
  2016, Sci. Rep. 6:37954): removed nodes are put back one at a time, always the one that ends in
  the smallest component, while the LCC stays within the threshold.
* **Staged paths**: for networks layered by stage (origin = lowest layer), the number of
  paths that step from each layer to the next, from the first layer to the last.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from counterflow.graph.dismantle.problem import Problem

__all__ = [
    "PlanMetrics",
    "evaluate",
    "fragmentation",
    "lcc_curve",
    "qc",
    "r_auc",
    "reinsert",
    "robustness",
    "staged_paths",
    "stop_size",
]


def stop_size(n: int, threshold: float) -> int:
    """The LCC size that counts as dismantled: ``⌈θ N⌉`` (NetworkDismantling review)."""
    return math.ceil(n * threshold - 1e-9)


def lcc_curve(problem: Problem, order: Sequence[int]) -> list[int]:
    """``S(Q)`` for Q = 0 … N, by adding the nodes back in reverse order (union–find, O(M α))."""
    n = problem.n
    if sorted(order) != list(range(n)):
        raise ValueError("order must be a permutation of all nodes")
    parent = list(range(n))
    size = [1] * n
    alive = [False] * n
    adj = problem.adj
    out = [0] * (n + 1)
    best = 0
    for i in range(n - 1, -1, -1):
        v = order[i]
        alive[v] = True
        rv = v
        for u in adj[v]:
            if not alive[u]:
                continue
            ru = u
            while parent[ru] != ru:
                parent[ru] = parent[parent[ru]]
                ru = parent[ru]
            while parent[rv] != rv:
                rv = parent[rv]
            if ru != rv:
                if size[ru] > size[rv]:
                    ru, rv = rv, ru
                parent[ru] = rv
                size[rv] += size[ru]
        while parent[rv] != rv:
            rv = parent[rv]
        if size[rv] > best:
            best = size[rv]
        out[i] = best
    return out


def robustness(curve: Sequence[int]) -> float:
    """Schneider et al.'s R from an LCC curve ``S(0) … S(N)``."""
    n = len(curve) - 1
    return sum(curve[1:]) / (n * n) if n else 0.0


def qc(curve: Sequence[int], threshold: float = 0.1) -> int:
    """Removals until the LCC is at most ``⌈θ N⌉`` (0 when it already is)."""
    n = len(curve) - 1
    limit = stop_size(n, threshold)
    for q, s in enumerate(curve):
        if s <= limit:
            return q
    return n


def r_auc(curve: Sequence[int], threshold: float = 0.1) -> float:
    """Area under ``S(Q)/N`` for Q = 1 … q_c (Simpson's rule, dx = 1), the review's r_AUC."""
    n = len(curve) - 1
    q = qc(curve, threshold)
    if n == 0 or q == 0:
        return 0.0
    ys = [s / n for s in curve[1 : q + 1]]
    if len(ys) == 1:
        return 0.0
    # imported here: scipy.integrate costs 40 MiB and a third of a second, which every command
    # paid because the command line imports this package to list the strategies
    from scipy.integrate import simpson  # type: ignore[import-untyped]

    return float(simpson(ys, dx=1))


def fragmentation(problem: Problem, removed: Sequence[int]) -> float:
    """Borgatti's F on the graph left after removing ``removed`` (1 when < 2 nodes are left)."""
    gone = set(removed)
    left = problem.n - len(gone)
    if left < 2:
        return 1.0
    sub = problem.graph.induced_subgraph([v for v in range(problem.n) if v not in gone])
    pairs = sum(int(s) * (int(s) - 1) for s in sub.connected_components().sizes())
    return 1.0 - pairs / (left * (left - 1))


@dataclass(frozen=True)
class Reinsertion:
    kept: list[int]  # still removed, in their original order
    reinserted: list[int]  # put back, in the order they were put back


EXACT_REINSERTION = 5000  # above this many nodes, reinsertion runs in rounds (see ``reinsert``)


def reinsert(
    problem: Problem, removed: Sequence[int], limit: int, *, exact: bool | None = None
) -> Reinsertion:
    """Greedy reinsertion: put back removed nodes while the LCC stays ≤ ``limit``.

    Each step reinserts the node that ends in the smallest component (1 + the sizes of the
    distinct components it touches); ties go to the node removed last. Component sizes only
    grow, so a lazy heap of lower bounds finds the true minimum: a popped node whose fresh cost
    is still no more than the next bound is the minimum; one above the limit never returns.

    On graphs above ``EXACT_REINSERTION`` nodes (unless ``exact=True``) the lazy heap churns
    (a growing component raises the cost of every candidate touching it), so reinsertion runs in
    rounds instead: each round visits the candidates by their cost at the start of the round and
    puts back every one that still ends in a component within the limit; rounds repeat until
    none comes back. The result is as valid (the LCC stays within the limit) but not always the
    same set as the one-at-a-time greedy.
    """
    n = problem.n
    adj = problem.adj
    parent = list(range(n))
    size = [1] * n
    out = set(removed)
    alive = [v not in out for v in range(n)]

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            if size[ra] > size[rb]:
                ra, rb = rb, ra
            parent[ra] = rb
            size[rb] += size[ra]

    for v in range(n):
        if alive[v]:
            for u in adj[v]:
                if u > v and alive[u]:
                    union(u, v)

    def cost(v: int) -> int:
        roots = {find(u) for u in adj[v] if alive[u]}
        return 1 + sum(size[r] for r in roots)

    position = {v: i for i, v in enumerate(removed)}
    if exact is None:
        exact = problem.n <= EXACT_REINSERTION
    back: list[int] = []
    if not exact:
        pending = list(removed)
        while pending:
            ranked = sorted((cost(v), -position[v], v) for v in pending)
            left = []
            for _, _, v in ranked:
                if cost(v) <= limit:
                    alive[v] = True
                    for u in adj[v]:
                        if alive[u]:
                            union(u, v)
                    back.append(v)
                else:
                    left.append(v)
            if len(left) == len(pending):
                break
            pending = left
        gone = set(back)
        return Reinsertion([v for v in removed if v not in gone], back)
    heap = [(cost(v), -position[v], v) for v in removed]
    heapq.heapify(heap)
    while heap:
        c, p, v = heapq.heappop(heap)
        actual = cost(v)
        if actual > limit:
            continue  # costs only grow: v can never come back
        if actual != c and heap and (actual, p) > heap[0][:2]:
            heapq.heappush(heap, (actual, p, v))  # no longer the least: wait for its turn
            continue
        alive[v] = True
        for u in adj[v]:
            if alive[u]:
                union(u, v)
        back.append(v)
    gone = set(back)
    return Reinsertion([v for v in removed if v not in gone], back)


def staged_paths(problem: Problem, removed: Sequence[int] = ()) -> int | None:
    """Paths stepping layer by layer from the lowest stage to the highest (None if unstaged)."""
    if problem.stage is None:
        return None
    layers = sorted({s for s in problem.stage if s is not None})
    if len(layers) < 2:
        return None
    gone = set(removed)
    count = {v: 1 for v, s in enumerate(problem.stage) if s == layers[0] and v not in gone}
    for s in layers[1:]:
        nxt: dict[int, int] = {}
        for v, c in count.items():
            for u in problem.adj[v]:
                if u not in gone and problem.stage[u] == s:
                    nxt[u] = nxt.get(u, 0) + c
        count = nxt
    return sum(count.values())


@dataclass(frozen=True)
class PlanMetrics:
    """The standard plan metrics (see the module docstring)."""

    n: int
    k: int
    threshold: float
    lcc_initial: float
    lcc_after_k: float
    fragmentation_after_k: float
    robustness: float
    r_auc: float | None  # None when no removable set reaches the threshold
    qc: int | None
    qc_fraction: float | None
    qc_reinserted: int | None
    qc_reinserted_fraction: float | None
    cost_at_k: float
    lcc_floor: float  # LCC/N once every removable node is gone
    staged_paths_before: int | None
    staged_paths_after_k: int | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(problem: Problem, order: Sequence[int], *, k: int, threshold: float = 0.1) -> PlanMetrics:
    """Every plan metric for a removal order of all nodes (removable nodes first)."""
    n = problem.n
    curve = lcc_curve(problem, order)
    k = max(0, min(k, problem.n_removable))
    q: int | None = qc(curve, threshold)
    kept: list[int] | None = None
    if q is not None and q > problem.n_removable:
        q = None  # only unremovable nodes are left to remove: the threshold is out of reach
    else:
        kept = reinsert(problem, list(order[:q]), stop_size(n, threshold)).kept if q else []
    denom = n or 1
    return PlanMetrics(
        n=n,
        k=k,
        threshold=threshold,
        lcc_initial=curve[0] / denom,
        lcc_after_k=curve[k] / denom,
        fragmentation_after_k=fragmentation(problem, order[:k]),
        robustness=robustness(curve),
        r_auc=None if q is None else r_auc(curve, threshold),
        qc=q,
        qc_fraction=None if q is None else q / denom,
        qc_reinserted=None if kept is None else len(kept),
        qc_reinserted_fraction=None if kept is None else len(kept) / denom,
        cost_at_k=sum(problem.cost[v] for v in order[:k]),
        lcc_floor=curve[problem.n_removable] / denom,
        staged_paths_before=staged_paths(problem),
        staged_paths_after_k=staged_paths(problem, order[:k]),
    )
