"""Oracle tests: every metric against networkx on random graphs."""

import math
import random

import networkx as nx
import pytest
from graphgen import random_nx, to_ig

from counterflow.graph import metrics


def close(a: dict, b: dict, tol: float = 1e-6) -> None:
    assert set(a) == {str(k) for k in b}
    for k, v in b.items():
        assert math.isclose(a[str(k)], v, rel_tol=tol, abs_tol=tol), (k, a[str(k)], v)


def test_degree_and_strength(rgraph):
    g, ig_g = rgraph
    close(metrics.degree(ig_g), dict(g.degree()))
    close(metrics.degree(ig_g, weight="weight"), dict(g.degree(weight="weight")))


def test_betweenness_exact(rgraph):
    g, ig_g = rgraph
    close(metrics.betweenness(ig_g), nx.betweenness_centrality(g, normalized=False))
    # weights that are powers of two keep 1/w path lengths exact, so ties between paths are real ties
    for u, v in g.edges:
        g.edges[u, v]["weight"] = 2 ** (g.edges[u, v]["weight"] % 4)
        g.edges[u, v]["length"] = 1.0 / g.edges[u, v]["weight"]
    ig_g = to_ig(g)
    close(
        metrics.betweenness(ig_g, weight="weight"),
        nx.betweenness_centrality(g, normalized=False, weight="length"),
    )


def test_betweenness_pivots_is_brandes_pich_estimate(rgraph):
    g, ig_g = rgraph
    n = g.number_of_nodes()
    p = max(1, n // 3)
    est = metrics.betweenness(ig_g, pivots=p, seed=5)
    sources = sorted(random.Random(5).sample(range(n), p))
    sub = nx.betweenness_centrality_subset(g, sources=sources, targets=list(g.nodes), normalized=False)
    close(est, {v: b * n / p for v, b in sub.items()})
    # all nodes as pivots is the exact value
    close(metrics.betweenness(ig_g, pivots=n, seed=1), nx.betweenness_centrality(g, normalized=False))


def test_closeness(rgraph):
    g, ig_g = rgraph
    close(metrics.closeness(ig_g), nx.closeness_centrality(g))


def test_pagerank(rgraph):
    g, ig_g = rgraph
    close(metrics.pagerank(ig_g), nx.pagerank(g, weight=None, tol=1e-10, max_iter=100_000), tol=1e-5)
    close(
        metrics.pagerank(ig_g, weight="weight"),
        nx.pagerank(g, weight="weight", tol=1e-10, max_iter=100_000),
        tol=1e-5,
    )


@pytest.mark.parametrize("seed", range(6))
def test_eigenvector_connected(seed):
    g = random_nx(seed, n=30, kind="ba")
    ig_g = to_ig(g)
    close(metrics.eigenvector(ig_g), nx.eigenvector_centrality_numpy(g), tol=1e-5)
    close(
        metrics.eigenvector(ig_g, weight="weight"),
        nx.eigenvector_centrality_numpy(g, weight="weight"),
        tol=1e-5,
    )


def test_kcore(rgraph):
    g, ig_g = rgraph
    assert metrics.kcore(ig_g) == {str(k): v for k, v in nx.core_number(g).items()}


def test_leiden_modularity_matches_networkx_and_is_deterministic(rgraph):
    g, ig_g = rgraph
    c = metrics.leiden(ig_g, seed=3)
    assert c == metrics.leiden(ig_g, seed=3)
    parts = [{int(x) for x in grp} for grp in c.groups]
    assert sorted(x for p in parts for x in p) == sorted(g.nodes)
    if g.number_of_edges():
        assert math.isclose(c.modularity, nx.community.modularity(g, parts, weight=None), abs_tol=1e-9)
        louvain = nx.community.louvain_communities(g, weight=None, seed=1)
        assert c.modularity >= nx.community.modularity(g, louvain, weight=None) - 0.05
    for p in parts:  # Leiden guarantees connected communities
        assert nx.is_connected(g.subgraph(p))


def test_rank_never_lists_protected(rgraph):
    _, ig_g = rgraph
    ig_g.vs["protected"] = [i % 3 == 0 for i in range(ig_g.vcount())]
    ranked = metrics.rank(metrics.degree(ig_g), ig_g)
    assert ranked and all(int(n) % 3 != 0 for n, _ in ranked)
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)
