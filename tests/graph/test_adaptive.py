"""HDA-LCC, HBA-LCC and Greedy-LCC against naive networkx implementations of their definitions."""

import networkx as nx
import pytest
from graphgen import random_nx, to_ig

from counterflow.graph.dismantle.adaptive import greedy_lcc, hba, hda
from counterflow.graph.dismantle.problem import problem_from_graph


def lcc_nodes(h: nx.Graph) -> set:
    comps = [c for c in nx.connected_components(h) if len(c) > 1]
    return max(comps, key=len) if comps else set()


def replay(g, order, score):
    """Check each removal while the LCC has > 1 node: the removed node maximises ``score`` in an LCC."""
    h = g.copy()
    for v in order:
        if h.number_of_edges() == 0:
            break
        sizes = [len(c) for c in nx.connected_components(h)]
        big = max(sizes)
        lccs = [c for c in nx.connected_components(h) if len(c) == big]
        home = next(c for c in lccs if v in c) if any(v in c for c in lccs) else None
        assert home is not None, "removed a node outside the largest component"
        sub = h.subgraph(home)
        vals = score(sub)
        assert vals[v] >= max(vals.values()) - 1e-9
        h.remove_node(v)


@pytest.mark.parametrize("seed", range(10))
def test_hda_removes_highest_degree_of_the_lcc(seed):
    g = random_nx(seed)
    order = [
        int(x) for x in (problem_from_graph(to_ig(g)).names[v] for v in hda(problem_from_graph(to_ig(g))))
    ]
    replay(g, order, lambda s: dict(s.degree()))


@pytest.mark.parametrize("seed", range(10))
def test_hba_removes_highest_betweenness_of_the_lcc(seed):
    g = random_nx(seed)
    pb = problem_from_graph(to_ig(g))
    order = [int(pb.names[v]) for v in hba(pb)]
    replay(
        g, order, lambda s: nx.betweenness_centrality(s, normalized=False) if len(s) > 2 else dict(s.degree())
    )


@pytest.mark.parametrize("seed", range(10))
def test_greedy_lcc_minimises_the_next_lcc(seed):
    g = random_nx(seed)
    pb = problem_from_graph(to_ig(g))
    order = [int(pb.names[v]) for v in greedy_lcc(pb)]

    def score(sub):
        out = {}
        for v in sub.nodes:
            h = sub.copy()
            h.remove_node(v)
            out[v] = -max((len(c) for c in nx.connected_components(h)), default=0)
        return out

    replay(g, order, score)


def test_sampled_hba_runs_in_batches():
    g = random_nx(2, n=60, kind="ba")
    pb = problem_from_graph(to_ig(g), seed=1)
    order = hba(pb, batch=0.1, pivots=8)
    assert sorted(order) == list(range(60))
