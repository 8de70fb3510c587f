"""Fixtures for tests/graph: random graphs and the real networks in ../shared/data/networks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # importlib mode: make graphgen importable

from graphgen import NETWORKS, random_nx, to_ig


@pytest.fixture(params=range(12))
def rgraph(request):
    """(networkx graph, igraph graph with names '0'..'n-1') for 12 seeds."""
    g = random_nx(request.param)
    return g, to_ig(g)


@pytest.fixture
def networks() -> Path:
    if not NETWORKS.exists():
        pytest.skip("shared networks not present")
    return NETWORKS
