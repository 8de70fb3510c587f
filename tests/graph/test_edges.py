"""Tie and selector removal."""

import networkx as nx
import pytest
from graphgen import random_nx, to_ig
from test_build import world

from counterflow.errors import InvalidValue
from counterflow.graph.build import build_graph
from counterflow.graph.dismantle.edges import edge_plan, selector_units


@pytest.mark.parametrize("strategy", ["betweenness", "greedy"])
@pytest.mark.parametrize("seed", range(5))
def test_edge_plan_curve_matches_networkx(strategy, seed):
    g = random_nx(seed, n=20)
    ig_g = to_ig(g)
    p = edge_plan(ig_g, k=3, strategy=strategy)
    assert len(p.order) == g.number_of_edges()
    h = g.copy()
    for i, unit in enumerate(p.order):
        assert p.lcc[i] == max(len(c) for c in nx.connected_components(h))
        a, b = unit.split("|")
        h.remove_edge(int(a), int(b))
    assert p.lcc[-1] == 1


def test_first_edge_by_betweenness_is_the_bridge():
    g = nx.barbell_graph(5, 0)
    p = edge_plan(to_ig(g, weighted=False), k=1)
    assert set(p.order[0].split("|")) == {"4", "5"}
    assert p.lcc_after_k == 0.5


def test_selector_units_from_a_built_graph():
    eg = build_graph(world())
    ig_g = eg.to_igraph()
    units = selector_units(ig_g)
    assert "phone:+381601" in units
    p = edge_plan(ig_g, k=1, units=units, strategy="greedy")
    assert set(p.order) == set(units)
    with pytest.raises(InvalidValue):
        selector_units(to_ig(random_nx(1)))
