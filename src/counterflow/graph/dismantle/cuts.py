"""Shared machinery: what removing each node does to its component, and the LCC-first loop.

``removal_effects`` runs one iterative Tarjan depth-first search over a component and returns,
for every node v in it, the largest piece and the sum of squared piece sizes left when v alone
is removed (articulation points split the component; other nodes shave one node off). That is
O(n + m) for all nodes at once, which makes Greedy-LCC, KPP-Neg swaps and exhaustive search
cheap enough to run exactly.

``lcc_first`` is the adaptive loop of HDA-LCC, HBA-LCC and Greedy-LCC: always work on the
current largest component that still has a removable node, let the strategy choose, remove,
split, repeat; the nodes nobody chose (isolated, or in components of unremovable nodes) come
last, by the seeded rank.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence

from counterflow.graph.dismantle.problem import Problem

__all__ = ["Chooser", "Effects", "complete", "lcc_first", "removal_effects", "split"]

Chooser = Callable[[list[int], list[bool]], list[int]]


class Effects:
    """Per-node effect of removing it alone from its component (indexed by node)."""

    __slots__ = ("comp_size", "max_piece", "nodes", "sum_sq")

    def __init__(self, nodes: list[int], comp_size: int, max_piece: dict[int, int], sum_sq: dict[int, int]):
        self.nodes = nodes
        self.comp_size = comp_size
        self.max_piece = max_piece
        self.sum_sq = sum_sq


def removal_effects(adj: Sequence[Sequence[int]], alive: Sequence[bool], start: int) -> Effects:
    """Largest piece and Σ piece² after removing each node of ``start``'s component."""
    disc: dict[int, int] = {start: 0}
    low: dict[int, int] = {start: 0}
    sub: dict[int, int] = {start: 1}
    sep_sum: dict[int, int] = {start: 0}
    sep_sq: dict[int, int] = {start: 0}
    sep_max: dict[int, int] = {start: 0}
    order = [start]
    parent = {start: -1}
    stack: list[tuple[int, int]] = [(start, 0)]
    t = 1
    while stack:
        v, i = stack[-1]
        nbrs = adj[v]
        advanced = False
        while i < len(nbrs):
            u = nbrs[i]
            i += 1
            if not alive[u]:
                continue
            if u not in disc:
                stack[-1] = (v, i)
                disc[u] = low[u] = t
                t += 1
                sub[u] = 1
                sep_sum[u] = sep_sq[u] = sep_max[u] = 0
                parent[u] = v
                order.append(u)
                stack.append((u, 0))
                advanced = True
                break
            if u != parent[v] and disc[u] < low[v]:
                low[v] = disc[u]
        if advanced:
            continue
        stack.pop()
        p = parent[v]
        if p >= 0:
            sub[p] += sub[v]
            if low[v] < low[p]:
                low[p] = low[v]
            if low[v] >= disc[p]:
                s = sub[v]
                sep_sum[p] += s
                sep_sq[p] += s * s
                if s > sep_max[p]:
                    sep_max[p] = s
    size = len(order)
    max_piece: dict[int, int] = {}
    sum_sq: dict[int, int] = {}
    for v in order:
        rest = size - 1 - sep_sum[v]
        max_piece[v] = rest if rest > sep_max[v] else sep_max[v]
        sum_sq[v] = sep_sq[v] + rest * rest
    return Effects(order, size, max_piece, sum_sq)


def split(adj: Sequence[Sequence[int]], alive: Sequence[bool], nodes: Sequence[int]) -> list[list[int]]:
    """Components among the alive nodes of ``nodes`` (which must be closed under adjacency)."""
    seen: set[int] = set()
    out: list[list[int]] = []
    for s in nodes:
        if not alive[s] or s in seen:
            continue
        seen.add(s)
        comp = [s]
        stack = [s]
        while stack:
            v = stack.pop()
            for u in adj[v]:
                if alive[u] and u not in seen:
                    seen.add(u)
                    comp.append(u)
                    stack.append(u)
        out.append(comp)
    return out


def complete(problem: Problem, order: Sequence[int]) -> list[int]:
    """A full order: the given removable nodes, the other removable nodes, then the unremovable."""
    seen = set()
    out: list[int] = []
    for v in order:
        if problem.removable[v] and v not in seen:
            seen.add(v)
            out.append(v)
    rank = problem.rank
    rest = sorted(
        (v for v in range(problem.n) if problem.removable[v] and v not in seen), key=lambda v: rank[v]
    )
    out.extend(rest)
    out.extend(v for v in range(problem.n) if not problem.removable[v])
    return out


def lcc_first(
    problem: Problem, choose: Chooser, *, alive: list[bool] | None = None, until: int = 1
) -> list[int]:
    """Nodes removed by repeatedly letting ``choose`` pick nodes of the largest component.

    ``choose(component, alive)`` returns removable nodes of the component to remove now (one
    for sequential strategies, several for a batch); an empty list means the component cannot
    be broken (no removable node in it). Stops when the largest breakable component has at
    most ``until`` nodes; ``alive`` (updated in place) lets another strategy continue.
    """
    adj = problem.adj
    rank = problem.rank
    alive = [True] * problem.n if alive is None else alive
    heap: list[tuple[int, int, list[int]]] = []
    for comp in split(adj, alive, range(problem.n)):
        if len(comp) > max(1, until):
            heap.append((-len(comp), min(rank[v] for v in comp), comp))
    heapq.heapify(heap)
    order: list[int] = []
    while heap:
        size, _, comp = heapq.heappop(heap)
        if -size <= until:
            break
        if not any(problem.removable[v] for v in comp):
            continue
        picks = choose(comp, alive)
        if not picks:
            continue
        for v in picks:
            alive[v] = False
            order.append(v)
        for piece in split(adj, alive, comp):
            if len(piece) > max(1, until):
                heapq.heappush(heap, (-len(piece), min(rank[v] for v in piece), piece))
    return order
