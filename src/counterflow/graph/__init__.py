"""Network analysis and disruption planning (issue 5).

* ``build``: graphs from statements (multi-relational, weighted by volume and recency, with
  provenance per tie), the person projection, and plain CSV edge lists;
* ``metrics`` and ``brokerage``: centralities, k-core, Leiden communities, Gould–Fernandez roles,
  target rankings that never list protected persons;
* ``dismantle``: removal plans (``plan``) with the standard metrics, node and tie removal;
* ``resilience``: recovery after a plan, stability of the advice, temporal hold-out, verdicts.
"""

from __future__ import annotations

from counterflow.graph.brokerage import Brokerage, brokerage
from counterflow.graph.build import EntityGraph, build_graph, graph_from_edge_list, person_projection
from counterflow.graph.dismantle import STRATEGIES, Plan, PlanMetrics, plan
from counterflow.graph.dismantle.edges import EdgePlan, edge_plan, selector_units
from counterflow.graph.metrics import (
    Communities,
    betweenness,
    closeness,
    degree,
    eigenvector,
    kcore,
    leiden,
    pagerank,
    rank,
)
from counterflow.graph.resilience import (
    bootstrap_stability,
    read_phases,
    simulate_recovery,
    temporal_holdout,
    verdict,
)

__all__ = [
    "STRATEGIES",
    "Brokerage",
    "Communities",
    "EdgePlan",
    "EntityGraph",
    "Plan",
    "PlanMetrics",
    "betweenness",
    "bootstrap_stability",
    "brokerage",
    "build_graph",
    "closeness",
    "degree",
    "edge_plan",
    "eigenvector",
    "graph_from_edge_list",
    "kcore",
    "leiden",
    "pagerank",
    "person_projection",
    "plan",
    "rank",
    "read_phases",
    "selector_units",
    "simulate_recovery",
    "temporal_holdout",
    "verdict",
]
