"""Strategy invariants: full permutations, protected and infeasible never removed, determinism."""

import itertools

import networkx as nx
import pytest
from graphgen import random_nx, to_ig

from counterflow.errors import InvalidValue
from counterflow.graph.dismantle import STRATEGIES, plan
from counterflow.graph.dismantle.kpp import exhaustive, set_key
from counterflow.graph.dismantle.planner import REFERENCE, run_strategy
from counterflow.graph.dismantle.problem import problem_from_graph

SMALL = [s for s in STRATEGIES]


@pytest.mark.parametrize("strategy", SMALL)
@pytest.mark.parametrize("seed", range(4))
def test_order_is_a_permutation_and_protected_never_removed(strategy, seed):
    g = random_nx(seed, n=24)
    ig_g = to_ig(g)
    ig_g.vs["protected"] = [v % 5 == 0 for v in range(ig_g.vcount())]
    infeasible = {"1", "7"}
    k = 3 if strategy == "exhaustive" else 5
    p = plan(ig_g, strategy=strategy, k=k, seed=seed, feasible=lambda n: n not in infeasible)
    assert sorted(p.order) == sorted(ig_g.vs["name"])
    never = {str(v) for v in range(24) if v % 5 == 0} | infeasible
    assert set(p.never_removed) == never
    assert not set(p.order[: p.removable]) & never
    assert not set(p.targets) & never
    assert p.removable == 24 - len(never)


@pytest.mark.parametrize("strategy", SMALL)
def test_same_seed_same_plan(strategy):
    ig_g = to_ig(random_nx(3, n=30, kind="er"))
    k = 2 if strategy == "exhaustive" else 4
    a = plan(ig_g, strategy=strategy, k=k, seed=11)
    b = plan(ig_g, strategy=strategy, k=k, seed=11)
    assert a.order == b.order and a.metrics == b.metrics


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("seed", range(6))
def test_exhaustive_beats_or_equals_every_heuristic(k, seed):
    g = random_nx(seed + 100, n=16)
    ig_g = to_ig(g)
    best = plan(ig_g, strategy="exhaustive", k=k, seed=seed).metrics.lcc_after_k
    for s in STRATEGIES:
        if s != "exhaustive":
            assert best <= plan(ig_g, strategy=s, k=k, seed=seed).metrics.lcc_after_k + 1e-12, s
    # and is the true optimum
    n = g.number_of_nodes()
    brute = min(
        max((len(c) for c in nx.connected_components(g.subgraph(set(g.nodes) - set(s)))), default=0)
        for s in itertools.combinations(g.nodes, k)
    )
    assert best == brute / n


def test_exhaustive_refuses_large_searches_and_bad_k():
    pb = problem_from_graph(to_ig(random_nx(1, n=40, kind="er")))
    with pytest.raises(InvalidValue):
        exhaustive(pb, 3, max_scans=10)
    with pytest.raises(InvalidValue):
        exhaustive(pb, 4)


def test_best_is_never_behind_the_reference_where_one_candidate_dominates():
    for seed in range(6):
        pb = problem_from_graph(to_ig(random_nx(seed, n=40)), seed=seed)
        chosen, pool = run_strategy(pb, "best", k=5)
        ref = [c for c in pool if c.name in REFERENCE]
        m = chosen.metrics
        # the planner's rule: its worst shortfall is no larger than any reference strategy's
        for r in ref:
            worst_r = max(
                0.0,
                (r.metrics.lcc_after_k - min(c.metrics.lcc_after_k for c in ref)) / 0.005,
                (r.metrics.robustness - min(c.metrics.robustness for c in ref)) / 0.005,
            )
            worst = max(
                0.0,
                (m.lcc_after_k - min(c.metrics.lcc_after_k for c in ref)) / 0.005,
                (m.robustness - min(c.metrics.robustness for c in ref)) / 0.005,
            )
            assert worst <= worst_r + max(0, (r.metrics.qc_reinserted or 0) - (m.qc_reinserted or 0)) + 1e-9


def test_batch_mode_is_a_static_ranking():
    g = random_nx(5, n=30, kind="ba")
    ig_g = to_ig(g, weighted=False)
    p = plan(ig_g, strategy="hda", k=5, mode="batch", seed=0)
    deg = dict(g.degree())
    got = [deg[int(x)] for x in p.order[:10]]
    assert got == sorted(got, reverse=True)


def test_unknown_strategy_and_bad_arguments():
    ig_g = to_ig(random_nx(1, n=10))
    with pytest.raises(InvalidValue):
        plan(ig_g, strategy="nope")
    with pytest.raises(InvalidValue):
        plan(ig_g, k=-1)
    with pytest.raises(InvalidValue):
        plan(ig_g, threshold=1.5)


def test_all_protected_gives_an_honest_empty_plan():
    ig_g = to_ig(nx.path_graph(6))
    ig_g.vs["protected"] = [True] * 6
    p = plan(ig_g, k=3)
    assert p.targets == () and p.removable == 0 and p.metrics.qc is None
    assert any("never removed" in n for n in p.notes)


def test_gnd_avoids_an_expensive_cut_node():
    g = nx.barbell_graph(5, 1)  # two K5 joined through node 5
    ig_g = to_ig(g, weighted=False)
    dear = plan(ig_g, strategy="gnd", k=1, seed=0, cost={"5": 100.0})
    assert dear.targets != ("5",) and dear.metrics.cost_at_k == 1.0
    assert set_key(problem_from_graph(ig_g), [5])[0] == 5


def test_weighted_plans_use_strength_and_merge_parallel_ties():
    g = random_nx(9, n=30, kind="ba")
    ig_g = to_ig(g)
    p = plan(ig_g, strategy="hda", k=5, mode="batch", weight="weight", seed=0)
    strength = dict(g.degree(weight="weight"))
    got = [strength[int(x)] for x in p.order[:10]]
    assert got == sorted(got, reverse=True)
    doubled = ig_g.copy()
    doubled.add_edges(ig_g.get_edgelist(), attributes={"weight": ig_g.es["weight"]})
    q = plan(doubled, strategy="hda", k=5, mode="batch", weight="weight", seed=0)
    assert q.order == p.order  # parallel ties summed: same ranking
    for s in ("best", "hba", "gnd"):
        assert sorted(plan(ig_g, strategy=s, k=3, weight="weight", seed=0).order) == sorted(ig_g.vs["name"])
