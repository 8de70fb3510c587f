"""Gould–Fernandez brokerage against a brute-force count over every ordered triple."""

import itertools
import random

import networkx as nx
import pytest
from graphgen import random_nx

from counterflow.graph._ig import new_graph
from counterflow.graph.brokerage import ROLES, brokerage


def brute(d: nx.DiGraph, group: dict) -> dict:
    out = {v: dict.fromkeys(ROLES, 0) for v in d.nodes}
    for a, b, c in itertools.permutations(d.nodes, 3):
        if not (d.has_edge(a, b) and d.has_edge(b, c)) or d.has_edge(a, c):
            continue
        ga, gb, gc = group[a], group[b], group[c]
        if None in (ga, gb, gc):
            continue
        if ga == gb == gc:
            role = "coordinator"
        elif ga == gc:
            role = "itinerant"
        elif ga == gb:
            role = "representative"
        elif gb == gc:
            role = "gatekeeper"
        else:
            role = "liaison"
        out[b][role] += 1
    return out


@pytest.mark.parametrize("seed", range(8))
def test_undirected_matches_brute_force_on_reciprocal_ties(seed):
    g = random_nx(seed, n=18)
    rng = random.Random(seed)
    group = {v: rng.choice(["tr", "gr", "rs", None]) for v in g.nodes}
    ig_g = new_graph([str(v) for v in sorted(g.nodes)], list(g.edges))
    got = brokerage(ig_g, {str(v): grp for v, grp in group.items()})
    want = brute(g.to_directed(), group)
    assert {int(k): v.as_dict() for k, v in got.items()} == want


@pytest.mark.parametrize("seed", range(8))
def test_directed_matches_brute_force(seed):
    d = nx.gnp_random_graph(16, 0.25, seed=seed, directed=True)
    rng = random.Random(seed)
    group = {v: rng.choice([1, 2, 3]) for v in d.nodes}
    from counterflow.graph._ig import ig

    ig_g = ig.Graph(n=16, edges=list(d.edges), directed=True)
    ig_g.vs["name"] = [str(v) for v in range(16)]
    ig_g.vs["stage"] = [group[v] for v in range(16)]
    got = brokerage(ig_g, "stage")
    assert {int(k): v.as_dict() for k, v in got.items()} == brute(d, group)


def test_roles_on_a_three_stage_chain():
    # TR-a — TR-b — GR-c — RS-d : b represents TR to GR, c is GR's gatekeeper and representative
    g = new_graph(["a", "b", "c", "d"], [(0, 1), (1, 2), (2, 3)])
    got = brokerage(g, {"a": "TR", "b": "TR", "c": "GR", "d": "RS"})
    assert got["b"].representative == 1 and got["b"].gatekeeper == 1
    assert got["c"].liaison == 2
    assert got["a"].total == 0
