"""Generalized Network Dismantling (Ren, Gleinig, Helbing & Antulov-Fantulin 2019, PNAS 116:6554).

GND finds node sets of low total *cost* whose removal splits the network, by spectral
partitioning and weighted vertex cover, applied again and again to the largest component:

1. On the largest component with node costs ``w`` (scaled so the cheapest is 1), build
   ``B = AW + WA − A`` (so ``b_ij = a_ij (w_i + w_j − 1)``) and its Laplacian ``L_w = D_B − B``.
   With unit costs ``B = A`` and ``L_w`` is the ordinary Laplacian.
2. Take the Fiedler vector of ``L_w`` (eigenvector of the second smallest eigenvalue) and split
   the nodes by its sign; the edges across are the cut.
3. Cover the cut edges with nodes, greedily taking the node of least cost per uncovered cut
   edge (the weighted vertex cover heuristic of the paper); remove the cover.
4. Repeat on the largest component until it has at most ``⌈θ N⌉`` nodes; then break what is
   left by Greedy-LCC so that the order covers every node.

Honest notes: the paper obtains the Fiedler vector by power iteration on a shifted matrix;
here it is computed with LAPACK (``scipy.linalg.eigh``) for components up to 200 nodes, by
shift-invert Lanczos (ARPACK ``eigsh``, σ just below 0) up to 5,000 nodes, and by LOBPCG
(constrained orthogonal to the constant vector) above that. Unremovable
nodes get infinite cost: a cut edge between two of them cannot be covered and is left; if a
partition yields no coverable cut, the cheapest highest-degree removable node is removed.
GNDR (GND with reinsertion) is ``planner.with_reinsertion`` applied to this order.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg  # type: ignore[import-untyped]
import scipy.sparse  # type: ignore[import-untyped]
import scipy.sparse.linalg  # type: ignore[import-untyped]

from counterflow.graph.dismantle.adaptive import greedy_chooser
from counterflow.graph.dismantle.cuts import complete, lcc_first
from counterflow.graph.dismantle.measures import stop_size
from counterflow.graph.dismantle.problem import Problem

__all__ = ["fiedler_vector", "gnd", "weighted_laplacian"]

DENSE_LIMIT = 200
SHIFT_INVERT_LIMIT = 5000


def weighted_laplacian(n: int, edges: list[tuple[int, int]], cost: list[float]) -> scipy.sparse.csr_matrix:
    """``L_w = D_B − B`` with ``b_ij = a_ij (w_i + w_j − 1)`` (Ren et al. 2019, eq. 5)."""
    if not edges:
        return scipy.sparse.csr_matrix((n, n))
    e = np.asarray(edges, dtype=np.int64)
    w = np.asarray(cost, dtype=float)
    b = w[e[:, 0]] + w[e[:, 1]] - 1.0
    rows = np.concatenate([e[:, 0], e[:, 1]])
    cols = np.concatenate([e[:, 1], e[:, 0]])
    vals = np.concatenate([b, b])
    bmat = scipy.sparse.csr_matrix((vals, (rows, cols)), shape=(n, n))
    deg = np.asarray(bmat.sum(axis=1)).ravel()
    return (scipy.sparse.diags(deg) - bmat).tocsr()


def fiedler_vector(lap: scipy.sparse.csr_matrix, seed: int = 0) -> np.ndarray:
    """The eigenvector of the second smallest eigenvalue of a connected graph's Laplacian."""
    n = lap.shape[0]
    if n <= 2:
        return np.array([1.0, -1.0][:n])
    if n <= DENSE_LIMIT:
        _, vec = scipy.linalg.eigh(lap.toarray(), subset_by_index=[1, 1])
        return np.asarray(vec[:, 0])
    if n <= SHIFT_INVERT_LIMIT:
        v0 = np.linspace(1.0, 2.0, n)
        vals, vecs = scipy.sparse.linalg.eigsh(lap.tocsc(), k=2, sigma=-1e-3, which="LM", v0=v0)
        return np.asarray(vecs[:, int(np.argsort(vals)[1])])
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 1))
    ones = np.ones((n, 1)) / math.sqrt(n)
    _, vec = scipy.sparse.linalg.lobpcg(lap, x, Y=ones, largest=False, tol=1e-6, maxiter=400)
    return np.asarray(vec[:, 0])


def _cover(problem: Problem, comp: list[int], alive: list[bool]) -> list[int]:
    index = {v: i for i, v in enumerate(comp)}
    adj = problem.adj
    edges = [(index[v], index[u]) for v in comp for u in adj[v] if alive[u] and v < u]
    raw = [problem.cost[v] for v in comp]
    low = min(raw)
    lap = weighted_laplacian(len(comp), edges, [c / low for c in raw])
    x = fiedler_vector(lap, problem.seed)
    side = x > 0
    cut: dict[int, set[int]] = {}
    for i, j in edges:
        if side[i] != side[j]:
            a, b = comp[i], comp[j]
            if problem.removable[a] or problem.removable[b]:
                cut.setdefault(a, set()).add(b)
                cut.setdefault(b, set()).add(a)
    chosen: list[int] = []
    rank = problem.rank
    while any(cut.values()):
        v = min(
            (v for v, nb in cut.items() if nb and problem.removable[v]),
            key=lambda v: (problem.cost[v] / len(cut[v]), rank[v]),
        )
        chosen.append(v)
        for u in cut.pop(v):
            cut[u].discard(v)
    if not chosen:
        cand = [v for v in comp if problem.removable[v]]
        deg = {v: sum(1 for u in adj[v] if alive[u]) for v in cand}
        return [min(cand, key=lambda v: (-deg[v] / problem.cost[v], rank[v]))] if cand else []
    return chosen


def gnd(problem: Problem, *, threshold: float = 0.1) -> list[int]:
    """GND's removal order (cover sets in the order found), completed by Greedy-LCC."""
    alive = [True] * problem.n
    target = max(1, stop_size(problem.n, threshold))

    def choose(comp: list[int], alive: list[bool]) -> list[int]:
        return _cover(problem, comp, alive)

    first = lcc_first(problem, choose, alive=alive, until=target)
    then = lcc_first(problem, greedy_chooser(problem), alive=alive)
    return complete(problem, first + then)
