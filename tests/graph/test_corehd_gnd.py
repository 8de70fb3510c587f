"""CoreHD's decycling and GND's weighted Laplacian, checked against their definitions."""

import networkx as nx
import numpy as np
import pytest
from graphgen import random_nx, to_ig

from counterflow.graph.dismantle.corehd import corehd, decycle
from counterflow.graph.dismantle.gnd import fiedler_vector, gnd, weighted_laplacian
from counterflow.graph.dismantle.problem import problem_from_graph


@pytest.mark.parametrize("seed", range(10))
def test_decycling_leaves_a_forest_and_removes_2core_max_degree(seed):
    g = random_nx(seed)
    pb = problem_from_graph(to_ig(g))
    alive = [True] * pb.n
    removed = decycle(pb, alive)
    h = g.copy()
    for v in removed:
        core = nx.k_core(h, 2)
        deg = dict(core.degree())
        assert v in deg and deg[v] == max(deg.values())
        h.remove_node(v)
    assert nx.is_forest(h)
    assert sorted(corehd(pb)) == list(range(pb.n))


@pytest.mark.parametrize("seed", range(6))
def test_weighted_laplacian_is_ren_et_al(seed):
    g = random_nx(seed, n=12, kind="er")
    n = 12
    cost = np.random.default_rng(seed).uniform(1, 3, n)
    lap = weighted_laplacian(n, list(g.edges), list(cost)).toarray()
    a = nx.to_numpy_array(g, nodelist=range(n), weight=None)
    w = np.diag(cost)
    b = a @ w + w @ a - a
    want = np.diag(b.sum(axis=1)) - b
    assert np.allclose(lap, want)
    unit = weighted_laplacian(n, list(g.edges), [1.0] * n).toarray()
    assert np.allclose(unit, nx.laplacian_matrix(g, nodelist=range(n), weight=None).toarray())


def test_fiedler_vector_splits_a_barbell():
    g = nx.barbell_graph(6, 0)
    lap = weighted_laplacian(12, list(g.edges), [1.0] * 12)
    x = fiedler_vector(lap)
    assert len({bool(v > 0) for v in x[:6]}) == 1 and len({bool(v > 0) for v in x[6:]}) == 1
    assert (x[0] > 0) != (x[11] > 0)
    a = nx.random_regular_graph(4, 800, seed=1)
    big = nx.disjoint_union(a, a)
    big.add_edge(0, 800)
    lap = weighted_laplacian(1600, list(big.edges), [1.0] * 1600)  # the sparse path
    x = fiedler_vector(lap)
    left = x[:800] > 0
    assert left.mean() in (0.0, 1.0) and bool((x[800:] > 0).mean() > 0.5) != bool(left[0])


def test_gnd_cuts_the_bridge_first():
    g = nx.barbell_graph(6, 1)
    pb = problem_from_graph(to_ig(g, weighted=False))
    order = gnd(pb)
    assert sorted(order) == list(range(13))
    first = int(pb.names[order[0]])
    h = g.copy()
    h.remove_node(first)
    assert max(len(c) for c in nx.connected_components(h)) <= 7
