"""Plan metrics against networkx (and scipy's Simpson rule) on random graphs and orders."""

import math
import random

import networkx as nx
import pytest
from graphgen import random_nx, to_ig
from scipy.integrate import simpson

from counterflow.graph.dismantle.measures import (
    evaluate,
    fragmentation,
    lcc_curve,
    qc,
    r_auc,
    reinsert,
    robustness,
    staged_paths,
    stop_size,
)
from counterflow.graph.dismantle.problem import problem_from_graph


def nx_curve(g: nx.Graph, order: list[int]) -> list[int]:
    h = g.copy()
    out = [max((len(c) for c in nx.connected_components(h)), default=0)]
    for v in order:
        h.remove_node(v)
        out.append(max((len(c) for c in nx.connected_components(h)), default=0))
    return out


@pytest.fixture(params=range(15))
def case(request):
    g = random_nx(request.param)
    order = list(g.nodes)
    random.Random(request.param).shuffle(order)
    return g, problem_from_graph(to_ig(g)), order


def test_lcc_curve_matches_networkx(case):
    g, pb, order = case
    assert lcc_curve(pb, order) == nx_curve(g, order)


def test_robustness_qc_auc_follow_their_definitions(case):
    g, pb, order = case
    n = g.number_of_nodes()
    curve = nx_curve(g, order)
    assert math.isclose(robustness(lcc_curve(pb, order)), sum(s / n for s in curve[1:]) / n)
    limit = math.ceil(0.1 * n)
    q = next(i for i, s in enumerate(curve) if s <= limit)
    assert qc(curve, 0.1) == q
    ys = [s / n for s in curve[1 : q + 1]]
    want = simpson(ys, dx=1) if len(ys) > 1 else 0.0
    assert math.isclose(r_auc(curve, 0.1), want, abs_tol=1e-12)


def test_fragmentation_is_borgatti(case):
    g, pb, order = case
    removed = order[:3]
    h = g.copy()
    h.remove_nodes_from(removed)
    n = h.number_of_nodes()
    want = 1 - sum(len(c) * (len(c) - 1) for c in nx.connected_components(h)) / (n * (n - 1))
    assert math.isclose(fragmentation(pb, removed), want)


def test_reinsertion_keeps_the_threshold_and_is_greedy(case):
    g, pb, order = case
    curve = lcc_curve(pb, order)
    q = qc(curve, 0.1)
    limit = stop_size(pb.n, 0.1)
    r = reinsert(pb, order[:q], limit)
    assert set(r.kept) | set(r.reinserted) == set(order[:q])
    h = g.copy()
    h.remove_nodes_from(r.kept)
    assert max((len(c) for c in nx.connected_components(h)), default=0) <= limit
    for v in r.kept:  # no kept node could come back on its own
        h2 = h.copy()
        h2.add_node(v)
        h2.add_edges_from((v, u) for u in g.neighbors(v) if u in h)
        assert len(nx.node_connected_component(h2, v)) > limit


def test_evaluate_reports_consistent_metrics(case):
    g, pb, order = case
    m = evaluate(pb, order, k=3)
    curve = nx_curve(g, order)
    assert m.lcc_after_k == curve[3] / g.number_of_nodes()
    assert m.qc is not None and m.qc_reinserted is not None and m.qc_reinserted <= m.qc


def test_staged_paths_count_layer_to_layer_paths():
    # stages 1 → 2 → 3 ; paths: a-c-e, a-c-f, b-c-e, b-c-f, b-d-f  (d–e missing) = 5
    g = nx.Graph([("a", "c"), ("b", "c"), ("b", "d"), ("c", "e"), ("c", "f"), ("d", "f"), ("a", "b")])
    stage = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 3, "f": 3}
    ig_g = to_ig(g, weighted=False)
    pb = problem_from_graph(ig_g, stage=stage)
    assert staged_paths(pb) == 5
    index = pb.index()
    assert staged_paths(pb, [index["c"]]) == 1
    dag = nx.DiGraph((u, v) for u, v in g.edges if stage[v] == stage[u] + 1)
    dag.add_edges_from((v, u) for u, v in g.edges if stage[u] == stage[v] + 1)
    brute = sum(len(list(nx.all_simple_paths(dag, s, t))) for s in "ab" for t in "ef")
    assert brute == 5
