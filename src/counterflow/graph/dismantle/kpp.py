"""Fixed-budget sets: Borgatti's KPP-Neg with swaps, and exhaustive search for k ≤ 3.

* **KPP-Neg** (Borgatti 2006, "Identifying sets of key players in a social network", Comput.
  Math. Organ. Theory 12:21): choose k nodes maximising the fragmentation F of what is left.
  Start from a set (greedy, or given starts), then make the best swap of one member for one
  outsider while it improves F; stop at a local optimum. Every swap of member u is scored
  against every outsider at once with ``cuts.removal_effects`` on the graph without the
  other members, so one pass costs k depth-first searches.
* The same search with ``objective="lcc"`` minimises the LCC after k removals (ties: higher F);
  the planner uses it to pick the best raid of size k.
* **Exhaustive** (k ≤ 3): every set of k removable nodes, the last member found for all at
  once by ``removal_effects``; refuses graphs where that means more than ``max_scans`` searches.

The set is returned in a greedy sequence (each next member the one that leaves the smallest
LCC), and ``complete_with_tail`` continues the order on the rest of the graph.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence

from counterflow.errors import InvalidValue
from counterflow.graph.dismantle.adaptive import greedy_chooser
from counterflow.graph.dismantle.cuts import complete, lcc_first, removal_effects, split
from counterflow.graph.dismantle.problem import Problem

__all__ = ["complete_with_tail", "exhaustive", "kpp", "optimise_set", "scan", "set_key"]

Key = tuple[int, int]


def scan(problem: Problem, alive: list[bool]) -> dict[int, Key]:
    """For each alive removable node: (LCC, Σ size²) of the graph after also removing it."""
    adj = problem.adj
    comps = split(adj, alive, range(problem.n))
    sizes = sorted((len(c) for c in comps), reverse=True)
    first = sizes[0] if sizes else 0
    second = sizes[1] if len(sizes) > 1 else 0
    total_sq = sum(s * s for s in sizes)
    out: dict[int, Key] = {}
    for comp in comps:
        s = len(comp)
        other = second if s == first else first
        if s == 1:
            v = comp[0]
            if problem.removable[v]:
                out[v] = (other, total_sq - 1)
            continue
        eff = removal_effects(adj, alive, comp[0])
        for v in comp:
            if problem.removable[v]:
                piece = eff.max_piece[v]
                out[v] = (piece if piece > other else other, total_sq - s * s + eff.sum_sq[v])
    return out


def set_key(problem: Problem, removed: Iterable[int]) -> Key:
    """(LCC, Σ size²) of the graph without ``removed``."""
    alive = [True] * problem.n
    for v in removed:
        alive[v] = False
    sizes = [len(c) for c in split(problem.adj, alive, range(problem.n))]
    return (max(sizes, default=0), sum(s * s for s in sizes))


def _order(key: Key, objective: str) -> Key:
    return key if objective == "lcc" else (key[1], key[0])


def _sequence(problem: Problem, members: Sequence[int]) -> list[int]:
    left = list(members)
    done: list[int] = []
    while left:
        best = min(left, key=lambda v: (set_key(problem, [*done, v]), problem.rank[v]))
        done.append(best)
        left.remove(best)
    return done


def _greedy(problem: Problem, k: int, objective: str) -> list[int]:
    alive = [True] * problem.n
    chosen: list[int] = []
    for _ in range(k):
        keys = scan(problem, alive)
        if not keys:
            break
        v = min(keys, key=lambda v: (_order(keys[v], objective), problem.cost[v], problem.rank[v]))
        chosen.append(v)
        alive[v] = False
    return chosen


def optimise_set(
    problem: Problem,
    k: int,
    *,
    objective: str = "lcc",
    starts: Iterable[Sequence[int]] = (),
    max_passes: int = 50,
) -> list[int]:
    """Best-improvement swap search from the greedy set and every start; the best local optimum."""
    if objective not in {"lcc", "fragmentation"}:
        raise ValueError(f"unknown objective {objective!r}")
    k = min(k, problem.n_removable)
    if k <= 0:
        return []
    candidates = [_greedy(problem, k, objective)]
    for s in starts:
        chosen = [v for v in dict.fromkeys(s) if problem.removable[v]][:k]
        if len(chosen) == k:
            candidates.append(chosen)
    best: list[int] = []
    best_key: tuple[Key, float] | None = None
    seen: set[frozenset[int]] = set()
    for start in candidates:
        if frozenset(start) in seen:
            continue
        seen.add(frozenset(start))
        members = list(start)
        current = _order(set_key(problem, members), objective)
        for _ in range(max_passes):
            move: tuple[Key, int, int] | None = None
            for u in members:
                alive = [True] * problem.n
                for w in members:
                    if w != u:
                        alive[w] = False
                for v, key in scan(problem, alive).items():
                    if v == u:
                        continue
                    ok = _order(key, objective)
                    if ok < current and (move is None or ok < move[0]):
                        move = (ok, u, v)
            if move is None:
                break
            current, u, v = move
            members[members.index(u)] = v
        total = (current, sum(problem.cost[v] for v in members))
        if best_key is None or total < best_key:
            best, best_key = members, total
    return _sequence(problem, best)


def kpp(problem: Problem, k: int, *, restarts: int = 4) -> list[int]:
    """Borgatti's KPP-Neg: the k-set maximising fragmentation (greedy + seeded random starts)."""
    rng = random.Random(problem.seed)
    pool = [v for v in range(problem.n) if problem.removable[v]]
    starts = [rng.sample(pool, min(k, len(pool))) for _ in range(restarts)] if pool else []
    return optimise_set(problem, k, objective="fragmentation", starts=starts)


def exhaustive(problem: Problem, k: int, *, objective: str = "lcc", max_scans: int = 20_000) -> list[int]:
    """The optimal set of k ≤ 3 removable nodes (least LCC, then most fragmentation)."""
    if not 1 <= k <= 3:
        raise InvalidValue("k", str(k), "exhaustive search is for 1 ≤ k ≤ 3")
    pool = [v for v in range(problem.n) if problem.removable[v]]
    k = min(k, len(pool))
    if k == 0:
        return []
    scans = math.comb(len(pool), k - 1)
    if scans > max_scans:
        raise InvalidValue(
            "graph",
            f"{problem.n} nodes",
            f"exhaustive search for k={k} needs {scans:,} scans (limit {max_scans:,})",
        )
    best: tuple[tuple[Key, float, list[int]], list[int]] | None = None

    def consider(fixed: list[int]) -> None:
        nonlocal best
        alive = [True] * problem.n
        for w in fixed:
            alive[w] = False
        for v, key in scan(problem, alive).items():
            members = [*fixed, v]
            total = (
                _order(key, objective),
                sum(problem.cost[x] for x in members),
                sorted(problem.rank[x] for x in members),
            )
            if best is None or total < best[0]:
                best = (total, members)

    if k == 1:
        consider([])
    elif k == 2:
        for a in pool:
            consider([a])
    else:
        for i, a in enumerate(pool):
            for b in pool[i + 1 :]:
                consider([a, b])
    assert best is not None
    return _sequence(problem, best[1])


def complete_with_tail(problem: Problem, prefix: Sequence[int]) -> list[int]:
    """A full order: ``prefix`` first, then Greedy-LCC on what is left."""
    alive = [True] * problem.n
    for v in prefix:
        alive[v] = False
    return complete(problem, [*prefix, *lcc_first(problem, greedy_chooser(problem), alive=alive)])
