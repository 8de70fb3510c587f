"""Disruption planning: which nodes (or ties) to remove, in which order, and what it achieves.

``plan(graph, k=5)`` returns a :class:`Plan`: a removal order of *all* nodes (targets first,
then the nodes that may never be removed: protected persons and infeasible targets), the first
k as the recommended targets, and the standard metrics (``measures``). Strategies: ``best``
(default, ``planner``), ``hda``, ``hba``, ``corehd``, ``gnd``, ``greedy-lcc``, ``kpp``,
``exhaustive``. ``edges.edge_plan`` removes ties or selectors instead of people.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from counterflow.errors import InvalidValue
from counterflow.graph._ig import Graph
from counterflow.graph.dismantle.measures import PlanMetrics, evaluate
from counterflow.graph.dismantle.planner import REFERENCE, STRATEGIES, Candidate, run_strategy
from counterflow.graph.dismantle.problem import Problem, problem_from_graph

__all__ = [
    "REFERENCE",
    "STRATEGIES",
    "Plan",
    "PlanMetrics",
    "Problem",
    "evaluate",
    "plan",
    "problem_from_graph",
]


@dataclass(frozen=True)
class Plan:
    """A removal plan: the order, the recommended targets and what they achieve."""

    strategy: str
    chosen: str
    k: int
    order: tuple[str, ...]
    removable: int  # the first ``removable`` entries of ``order`` may be removed; the rest never
    metrics: PlanMetrics
    mode: str = "sequential"
    candidates: tuple[tuple[str, PlanMetrics], ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def targets(self) -> tuple[str, ...]:
        return self.order[: self.k]

    @property
    def never_removed(self) -> tuple[str, ...]:
        return self.order[self.removable :]

    def to_dict(self, *, with_candidates: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "strategy": self.strategy,
            "chosen": self.chosen,
            "mode": self.mode,
            "k": self.k,
            "targets": list(self.targets),
            "order": list(self.order),
            "removable": self.removable,
            "never_removed": list(self.never_removed),
            "metrics": self.metrics.to_dict(),
            "notes": list(self.notes),
        }
        if with_candidates and len(self.candidates) > 1:
            out["candidates"] = [{"name": n, **m.to_dict()} for n, m in self.candidates]
        return out


def plan(
    graph: Graph,
    *,
    strategy: str = "best",
    k: int = 5,
    weight: str | None = None,
    seed: int | None = None,
    threshold: float = 0.1,
    mode: str = "sequential",
    cost: Mapping[str, float] | Callable[[str], float] | None = None,
    feasible: Iterable[str] | Callable[[str], bool] | None = None,
    protected: Iterable[str] | None = None,
    stage: str | Mapping[str, int] | None = None,
    pivots: int | None = None,
) -> Plan:
    """Plan the removal of ``k`` nodes (and an order for all) with the named strategy."""
    if strategy not in STRATEGIES:
        raise InvalidValue("strategy", strategy, f"unknown strategy (known: {', '.join(STRATEGIES)})")
    if k < 0:
        raise InvalidValue("k", str(k), "k must be 0 or more")
    if not 0 < threshold < 1:
        raise InvalidValue("threshold", str(threshold), "the LCC threshold is a fraction between 0 and 1")
    problem = problem_from_graph(
        graph, weight=weight, cost=cost, feasible=feasible, protected=protected, stage=stage, seed=seed
    )
    chosen, pool = run_strategy(problem, strategy, k=k, threshold=threshold, mode=mode, pivots=pivots)
    return _plan(problem, strategy, chosen, pool, k=k, mode=mode)


def _plan(
    problem: Problem, strategy: str, chosen: Candidate, pool: list[Candidate], *, k: int, mode: str
) -> Plan:
    notes: list[str] = []
    unremovable = problem.n - problem.n_removable
    if unremovable:
        notes.append(f"{unremovable} node(s) are protected or infeasible: never removed, listed last")
    if k > problem.n_removable:
        notes.append(f"only {problem.n_removable} node(s) may be removed; k reduced")
    m = chosen.metrics
    if m.qc is None:
        notes.append(f"removing every removable node leaves an LCC of {m.lcc_floor:.1%} of the network")
    return Plan(
        strategy=strategy,
        chosen=chosen.name,
        k=m.k,
        order=tuple(problem.names[v] for v in chosen.order),
        removable=problem.n_removable,
        metrics=m,
        mode=mode,
        candidates=tuple((c.name, c.metrics) for c in pool),
        notes=tuple(notes),
    )
