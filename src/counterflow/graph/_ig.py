"""The one place that imports igraph (it ships no type information).

Everything in ``counterflow.graph`` takes and returns ``igraph.Graph`` objects: undirected
simple graphs unless said otherwise, vertex attribute ``name`` (string ids), optional edge
attribute ``weight`` and optional vertex attributes ``protected`` (bool), ``feasible``
(bool), ``cost`` (float) and any grouping attribute (``stage``, ``country``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeAlias

import igraph as _igraph  # type: ignore[import-untyped]

ig: Any = _igraph
Graph: TypeAlias = Any  # an igraph.Graph

__all__ = ["Graph", "ig", "names", "new_graph", "seeded"]


def new_graph(names: list[str], edges: list[tuple[int, int]], *, weights: list[float] | None = None) -> Graph:
    """An undirected igraph graph with vertex names and optional weights."""
    g = ig.Graph(n=len(names), edges=edges, directed=False)
    g.vs["name"] = names
    if weights is not None:
        g.es["weight"] = weights
    return g


def names(graph: Graph) -> list[str]:
    """Vertex names as strings (vertex index when the graph has no names)."""
    if "name" in graph.vs.attributes():
        return [str(x) for x in graph.vs["name"]]
    return [str(i) for i in range(graph.vcount())]


@contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """Run igraph's randomised routines (Leiden) with their own seeded generator."""
    if seed is None:
        yield
        return
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)
