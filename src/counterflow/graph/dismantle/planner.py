"""The planner: run the strategies, combine them, keep the plan that the metrics prefer.

``best`` (the default) is a portfolio:

1. the four standard strategies (HDA-LCC, HBA-LCC, CoreHD with greedy reinsertion, Greedy-LCC)
   plus GND (with and without reinsertion) and the reverse-greedy order (greedy reinsertion
   run from the empty graph: nodes are added back smallest-component-first and the order is
   reversed);
2. the best raid of size k: a swap search for the k-set leaving the smallest LCC (exhaustive
   for k ≤ 3 on small graphs), started from the first k of every strategy, followed by HDA-LCC,
   HBA-LCC, Greedy-LCC and reverse greedy run again on the graph without that set;
3. every order again after greedy reinsertion (the removals not needed to reach the threshold
   move to the end; the raid prefix stays first).

Choice: the *reference* is the best value the four standard strategies reach on each of LCC/N
after k, R and q_c(θ) with reinsertion. A candidate's shortfall on a metric is how much worse
than the reference it is, in units of 0.005 (LCC/N, R) and 1 removal (q_c). The plan with the
smallest worst shortfall wins; among plans with none (no worse than the reference anywhere),
the one with the largest total gain. Ties go to the earlier candidate. Everything is
deterministic given the seed (it only breaks ties between equal scores).

Large graphs (over ``LARGE`` nodes) get a lighter portfolio: HDA-LCC (batches of 2 % of the
component), HBA-LCC with sampled betweenness (32 pivots unless given; batches of 5 %) and CoreHD
with reinsertion. Greedy-LCC (O(N·M)) is left out there.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from counterflow.errors import InvalidValue
from counterflow.graph.dismantle.adaptive import greedy_lcc, hba, hda, static_order
from counterflow.graph.dismantle.corehd import corehd
from counterflow.graph.dismantle.cuts import complete
from counterflow.graph.dismantle.gnd import gnd
from counterflow.graph.dismantle.kpp import complete_with_tail, exhaustive, kpp, optimise_set
from counterflow.graph.dismantle.measures import PlanMetrics, evaluate, lcc_curve, qc, reinsert, stop_size
from counterflow.graph.dismantle.problem import Problem

__all__ = [
    "LARGE",
    "REFERENCE",
    "STRATEGIES",
    "Candidate",
    "choose",
    "reverse_greedy",
    "run_strategy",
    "with_reinsertion",
]

STRATEGIES = ("best", "hda", "hba", "corehd", "gnd", "greedy-lcc", "kpp", "exhaustive")
REFERENCE = ("hda", "hba", "corehd", "greedy-lcc")
LARGE = 5000
UNITS = (0.005, 0.005, 1.0)  # LCC/N after k, R, q_c with reinsertion


@dataclass(frozen=True)
class Candidate:
    name: str
    order: list[int]
    metrics: PlanMetrics


def with_reinsertion(
    problem: Problem, order: Sequence[int], threshold: float, fixed: Sequence[int] = ()
) -> list[int]:
    """The order after greedy reinsertion: needed removals first (``fixed`` stays first)."""
    curve = lcc_curve(problem, order)
    q = qc(curve, threshold)
    if q > problem.n_removable or q <= len(fixed):
        return list(order)
    prefix = list(order[:q])
    held = set(fixed)
    back = [v for v in reinsert(problem, prefix, stop_size(problem.n, threshold)).reinserted if v not in held]
    gone = set(back)
    kept = [v for v in prefix if v not in gone]
    return [*fixed, *(v for v in kept if v not in held), *reversed(back), *order[q:]]


def reverse_greedy(problem: Problem) -> list[int]:
    """Add nodes back smallest-resulting-component first, from the empty graph; reverse it."""
    pool = [v for v in range(problem.n) if problem.removable[v]]
    back = reinsert(problem, pool, problem.n).reinserted
    return complete(problem, back[::-1])


def _single(
    problem: Problem, name: str, *, k: int, threshold: float, mode: str, pivots: int | None
) -> list[int]:
    large = problem.n > LARGE
    if name == "hda":
        if mode == "batch":
            return static_order(problem, "degree")
        return hda(problem, batch=0.02 if large else 1)
    if name == "hba":
        if mode == "batch":
            return static_order(problem, "betweenness", pivots=pivots)
        return hba(problem, batch=0.05 if large else 1, pivots=pivots if pivots or not large else 32)
    if name == "corehd":
        return with_reinsertion(problem, corehd(problem), threshold)
    if name == "gnd":
        return gnd(problem, threshold=threshold)
    if name == "greedy-lcc":
        return greedy_lcc(problem)
    if name == "kpp":
        return complete_with_tail(problem, kpp(problem, k))
    if name == "exhaustive":
        return complete_with_tail(problem, exhaustive(problem, k))
    raise InvalidValue("strategy", name, f"unknown strategy (known: {', '.join(STRATEGIES)})")


def _shortfall(m: PlanMetrics, ref: tuple[float, float, float]) -> tuple[float, float]:
    vals = (m.lcc_after_k, m.robustness, math.inf if m.qc_reinserted is None else float(m.qc_reinserted))
    gaps: list[float] = []
    for v, r, u in zip(vals, ref, UNITS, strict=True):
        if math.isinf(r):
            gaps.append(0.0 if math.isinf(v) else -10.0)  # reaching a threshold the reference cannot
        else:
            gaps.append((v - r) / u)
    return (max(0.0, *gaps), sum(gaps))


def choose(candidates: Sequence[Candidate], reference: Sequence[Candidate]) -> Candidate:
    """The candidate with the smallest worst shortfall against the reference, then the largest gain."""
    ref = (
        min(c.metrics.lcc_after_k for c in reference),
        min(c.metrics.robustness for c in reference),
        min(
            (float(c.metrics.qc_reinserted) for c in reference if c.metrics.qc_reinserted is not None),
            default=math.inf,
        ),
    )
    return min(candidates, key=lambda c: _shortfall(c.metrics, ref))


def run_strategy(
    problem: Problem,
    strategy: str,
    *,
    k: int,
    threshold: float = 0.1,
    mode: str = "sequential",
    pivots: int | None = None,
) -> tuple[Candidate, list[Candidate]]:
    """The chosen candidate and, for ``best``, every candidate it weighed."""
    if mode not in {"sequential", "batch"}:
        raise InvalidValue("mode", mode, "use 'sequential' or 'batch'")

    def cand(name: str, order: list[int]) -> Candidate:
        return Candidate(name, order, evaluate(problem, order, k=k, threshold=threshold))

    if strategy != "best":
        one = cand(strategy, _single(problem, strategy, k=k, threshold=threshold, mode=mode, pivots=pivots))
        return one, [one]
    base: dict[str, list[int]] = {}
    large = problem.n > LARGE
    for name in REFERENCE:
        if large and name == "greedy-lcc":
            continue  # O(N·M): not for large graphs
        base[name] = _single(problem, name, k=k, threshold=threshold, mode=mode, pivots=pivots)
    reference = [cand(name, order) for name, order in base.items()]
    pool = list(reference)
    if large:
        return choose(pool, reference), pool
    extra: dict[str, Callable[[Problem], list[int]]] = {
        "gnd": lambda p: gnd(p, threshold=threshold),
        "reverse-greedy": reverse_greedy,
    }
    for name, fn in extra.items():
        base[name] = fn(problem)
        pool.append(cand(name, base[name]))
    for name in (*REFERENCE, *extra):
        if name != "corehd":
            pool.append(cand(name + "+reinsertion", with_reinsertion(problem, base[name], threshold)))
    k_eff = min(k, problem.n_removable)
    if k_eff > 0:
        raid: list[int] | None = None
        if k_eff <= 3:
            try:
                raid = exhaustive(problem, k_eff, max_scans=2_000)
            except InvalidValue:
                raid = None
        if raid is None:
            raid = optimise_set(problem, k_eff, objective="lcc", starts=[o[:k_eff] for o in base.values()])
        rest = problem.without(raid)
        tails: dict[str, Callable[[Problem], list[int]]] = {
            "hda": hda,
            "hba": hba,
            "greedy-lcc": greedy_lcc,
            "reverse-greedy": reverse_greedy,
        }
        held = set(raid)
        for name, fn in tails.items():
            order = [*raid, *(v for v in fn(rest) if v not in held)]
            pool.append(cand(f"raid+{name}", order))
            pool.append(
                cand(f"raid+{name}+reinsertion", with_reinsertion(problem, order, threshold, fixed=raid))
            )
    return choose(pool, reference), pool
