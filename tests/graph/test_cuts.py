"""removal_effects: the largest piece and Σ piece² after removing each node, against networkx."""

import networkx as nx
import pytest
from graphgen import random_nx

from counterflow.graph.dismantle.cuts import removal_effects, split


@pytest.mark.parametrize("seed", range(20))
def test_removal_effects_match_brute_force(seed):
    g = random_nx(seed)
    n = max(g.nodes) + 1
    adj = [sorted(g.neighbors(v)) for v in range(n)]
    alive = [True] * n
    for comp in split(adj, alive, range(n)):
        eff = removal_effects(adj, alive, comp[0])
        assert sorted(eff.nodes) == sorted(comp) and eff.comp_size == len(comp)
        for v in comp:
            h = g.subgraph(comp).copy()
            h.remove_node(v)
            sizes = [len(c) for c in nx.connected_components(h)]
            assert eff.max_piece[v] == max(sizes, default=0)
            assert eff.sum_sq[v] == sum(s * s for s in sizes)
