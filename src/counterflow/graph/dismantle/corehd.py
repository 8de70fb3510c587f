"""CoreHD (Zdeborová, Zhang & Zhou 2016, "Fast and simple decycling and dismantling of networks",
Sci. Rep. 6:37954).

Decycling: remove the node of highest degree *within the 2-core*, update the 2-core (peel
every node left with fewer than two core neighbours), repeat until the 2-core is empty (or
holds only unremovable nodes). Tree breaking: what is left is a forest (plus cycles through
unremovable nodes); break the largest tree at the node that splits it most evenly, repeatedly
(Greedy-LCC on a forest removes exactly the centroid). Greedy reinsertion (``measures.reinsert``)
then puts back the removals that were not needed; ``planner.with_reinsertion`` builds that order.

Runs in O(M log N): a lazy heap of core degrees (divided by cost when costs are given).
"""

from __future__ import annotations

import heapq

from counterflow.graph.dismantle.adaptive import greedy_chooser
from counterflow.graph.dismantle.cuts import complete, lcc_first
from counterflow.graph.dismantle.problem import Problem

__all__ = ["corehd", "decycle"]


def decycle(problem: Problem, alive: list[bool]) -> list[int]:
    """CoreHD's decycling phase; marks removed nodes dead in ``alive`` and returns them in order."""
    adj, rank, cost, removable = problem.adj, problem.rank, problem.cost, problem.removable
    n = problem.n
    in_core = list(alive)
    cdeg = [sum(1 for u in adj[v] if alive[u]) if alive[v] else 0 for v in range(n)]
    queue = [v for v in range(n) if in_core[v] and cdeg[v] < 2]

    def peel() -> None:
        while queue:
            v = queue.pop()
            if not in_core[v]:
                continue
            in_core[v] = False
            for u in adj[v]:
                if in_core[u]:
                    cdeg[u] -= 1
                    if cdeg[u] < 2:
                        queue.append(u)

    peel()
    heap = [(-cdeg[v] / cost[v], rank[v], v) for v in range(n) if in_core[v] and removable[v]]
    heapq.heapify(heap)
    order: list[int] = []
    while heap:
        key, r, v = heapq.heappop(heap)
        if not in_core[v]:
            continue
        actual = -cdeg[v] / cost[v]
        if actual != key:
            heapq.heappush(heap, (actual, r, v))
            continue
        order.append(v)
        alive[v] = False
        in_core[v] = False
        for u in adj[v]:
            if in_core[u]:
                cdeg[u] -= 1
                if cdeg[u] < 2:
                    queue.append(u)
        peel()
    return order


def corehd(problem: Problem) -> list[int]:
    """CoreHD's full removal order: decycling, then tree breaking, then everything else."""
    alive = [True] * problem.n
    first = decycle(problem, alive)
    then = lcc_first(problem, greedy_chooser(problem), alive=alive)
    return complete(problem, first + then)
