"""KPP-Neg swaps and the raid search against brute force on small graphs."""

import itertools

import networkx as nx
import pytest
from graphgen import random_nx, to_ig

from counterflow.graph.dismantle.kpp import exhaustive, kpp, optimise_set, scan, set_key
from counterflow.graph.dismantle.measures import fragmentation
from counterflow.graph.dismantle.problem import problem_from_graph


def brute_f(g, k):
    n = g.number_of_nodes() - k
    best = -1.0
    for s in itertools.combinations(g.nodes, k):
        h = g.subgraph(set(g.nodes) - set(s))
        best = max(best, 1 - sum(len(c) * (len(c) - 1) for c in nx.connected_components(h)) / (n * (n - 1)))
    return best


@pytest.mark.parametrize("seed", range(8))
def test_scan_matches_set_key(seed):
    g = random_nx(seed)
    pb = problem_from_graph(to_ig(g))
    alive = [v % 4 != 0 for v in range(pb.n)]
    got = scan(pb, alive)
    for v, key in got.items():
        assert key == set_key(pb, [u for u in range(pb.n) if not alive[u]] + [v])


@pytest.mark.parametrize("seed", range(6))
def test_kpp_is_a_swap_local_optimum_close_to_the_optimum(seed):
    g = random_nx(seed + 50, n=14)
    pb = problem_from_graph(to_ig(g), seed=seed)
    k = 3
    chosen = kpp(pb, k)
    f = fragmentation(pb, chosen)
    best_f = brute_f(g, k)
    assert f <= best_f + 1e-12
    assert fragmentation(pb, exhaustive(pb, k, objective="fragmentation")) == pytest.approx(best_f)
    # no single swap improves it
    for u in chosen:
        for v in range(pb.n):
            if v not in chosen:
                swapped = [x if x != u else v for x in chosen]
                assert fragmentation(pb, swapped) <= f + 1e-12


def test_optimise_set_never_worse_than_its_starts():
    g = random_nx(7, n=40, kind="ba")
    pb = problem_from_graph(to_ig(g))
    start = list(range(5))
    got = optimise_set(pb, 5, starts=[start])
    assert set_key(pb, got) <= set_key(pb, start)
