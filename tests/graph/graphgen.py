"""Random graphs for the oracle tests (imported by the tests as ``graphgen``)."""

from __future__ import annotations

import random
from pathlib import Path

import networkx as nx

from counterflow.graph._ig import new_graph

NETWORKS = Path(__file__).resolve().parents[3] / "shared" / "data" / "networks"


def random_nx(seed: int, n: int | None = None, kind: str | None = None) -> nx.Graph:
    """A small random graph of one of several shapes, possibly disconnected, nodes 0..n-1."""
    rng = random.Random(seed)
    n = n or rng.randint(8, 40)
    kind = kind or rng.choice(["er", "ba", "ws", "tree", "two"])
    if kind == "er":
        g = nx.gnp_random_graph(n, rng.uniform(0.05, 0.3), seed=seed)
    elif kind == "ba":
        g = nx.barabasi_albert_graph(n, rng.randint(1, 3), seed=seed)
    elif kind == "ws":
        g = nx.watts_strogatz_graph(n, 4, 0.2, seed=seed)
    elif kind == "tree":
        g = (
            nx.random_labeled_tree(n, seed=seed)
            if hasattr(nx, "random_labeled_tree")
            else nx.random_tree(n, seed=seed)
        )
    else:
        a = nx.gnp_random_graph(n // 2, 0.3, seed=seed)
        b = nx.gnp_random_graph(n - n // 2, 0.3, seed=seed + 1)
        g = nx.disjoint_union(a, b)
    for u, v in g.edges:
        g.edges[u, v]["weight"] = rng.randint(1, 9)
    return g


def to_ig(g: nx.Graph, weighted: bool = True):
    nodes = sorted(g.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v in g.edges]
    weights = [float(g.edges[u, v].get("weight", 1)) for u, v in g.edges] if weighted else None
    return new_graph([str(v) for v in nodes], edges, weights=weights)
