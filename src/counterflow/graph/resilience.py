"""How long a disruption lasts: recovery, stability of the advice, hold-out, and honest "no".

Criminal networks recover after arrests (Duijn, Kashirin & Sloot 2014, Sci. Rep. 4:4238;
Diviák 2023) and smuggling markets are taken over by rivals (Campana 2018). A plan that only
counts fragments overstates its effect, so:

* ``simulate_recovery`` rewires the graph after a plan by one mechanism and measures how much
  of the disruption is undone (the *resilience discount*):

  - ``triadic``: contacts of each removed person get in touch, each pair with probability p
    (triadic closure around the gap);
  - ``replacement``: a surviving actor of the same role (vertex attribute ``role``/``roles``)
    takes over all the removed person's ties: the one already closest to them (most shared
    contacts, then degree); without role data nobody is replaced;
  - ``takeover``: a competitor from another Leiden community (same role when known, highest
    degree) wins each of the removed person's contacts with probability p.

  ``mode="batch"`` (a raid) removes everything, then the network recovers; ``"sequential"``
  lets it recover after each arrest, before the next. Discount = (LCC_recovered − LCC_removed)
  / (min(LCC_intact, (N − r)/N) − LCC_removed): 0 = the effect holds, 1 = fully undone (as far
  as anyone can undo it without the r removed persons).
* ``bootstrap_stability``: re-plan on copies with 10–20 % of ties (or nodes) dropped at random
  and report the mean Jaccard overlap of the recommended sets with the full-data plan.
* ``temporal_holdout``: plan on one snapshot (CAVIAR phase t), score on the next (t + 1)
  against the plan made with hindsight on t + 1 and against random removals.
* ``verdict``: whether any plan with k ≤ K leaves no group above a target share, saying when
  the answer is proven (exhaustive, k ≤ 3) rather than the best of the heuristics.
"""

from __future__ import annotations

import csv
import itertools
import random
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from counterflow.errors import InvalidValue
from counterflow.graph._ig import Graph, names
from counterflow.graph.build import graph_from_edge_list
from counterflow.graph.dismantle import plan
from counterflow.graph.dismantle.kpp import exhaustive, optimise_set, set_key
from counterflow.graph.dismantle.planner import REFERENCE, run_strategy
from counterflow.graph.dismantle.problem import problem_from_graph
from counterflow.graph.metrics import leiden

__all__ = [
    "Holdout",
    "Recovery",
    "Stability",
    "Verdict",
    "bootstrap_stability",
    "read_phases",
    "simulate_recovery",
    "temporal_holdout",
    "verdict",
]

MECHANISMS = ("triadic", "replacement", "takeover")


@dataclass(frozen=True)
class Recovery:
    mechanism: str
    mode: str
    removed: tuple[str, ...]
    added: tuple[tuple[str, str], ...]
    lcc_intact: float
    lcc_removed: float
    lcc_recovered: float

    n: int = 0

    @property
    def discount(self) -> float:
        """Share of the disruption undone by recovery (0: it holds; 1: fully undone).

        The removed persons never come back, so "fully undone" means an LCC as large as the
        survivors allow: ``min(LCC_intact, (N − removed) / N)``.
        """
        cap = self.lcc_intact if not self.n else min(self.lcc_intact, (self.n - len(self.removed)) / self.n)
        drop = cap - self.lcc_removed
        if drop <= 1e-12:
            return 0.0
        return max(0.0, min(1.0, (self.lcc_recovered - self.lcc_removed) / drop))


def _lcc(adj: list[set[int]], alive: list[bool]) -> int:
    seen = [not a for a in alive]
    best = 0
    for s in range(len(adj)):
        if seen[s]:
            continue
        seen[s] = True
        stack, size = [s], 1
        while stack:
            v = stack.pop()
            for u in adj[v]:
                if not seen[u]:
                    seen[u] = True
                    size += 1
                    stack.append(u)
        best = max(best, size)
    return best


def _roles(graph: Graph) -> list[str | None]:
    attrs = graph.vs.attributes()
    for key in ("role", "roles"):
        if key in attrs:
            return [None if not r else str(r).split(",")[0] for r in graph.vs[key]]
    return [None] * graph.vcount()


def simulate_recovery(
    graph: Graph,
    removed: Sequence[str],
    *,
    mechanism: str = "triadic",
    mode: str = "batch",
    p: float = 0.5,
    seed: int | None = None,
) -> Recovery:
    """Remove ``removed``, let the network recover by ``mechanism``, measure the LCC (fractions of N)."""
    if mechanism not in MECHANISMS:
        raise InvalidValue("mechanism", mechanism, f"known: {', '.join(MECHANISMS)}")
    if mode not in {"batch", "sequential"}:
        raise InvalidValue("mode", mode, "use 'batch' or 'sequential'")
    label = names(graph)
    index = {n: i for i, n in enumerate(label)}
    unknown = [r for r in removed if r not in index]
    if unknown:
        raise InvalidValue("node", ", ".join(unknown[:10]), "not in the graph")
    n = len(label)
    adj: list[set[int]] = [set() for _ in range(n)]
    for a, b in graph.get_edgelist():
        if a != b:
            adj[a].add(b)
            adj[b].add(a)
    alive = [True] * n
    rng = random.Random(seed)
    role = _roles(graph)
    community = leiden(graph, seed=seed).membership if mechanism == "takeover" else {}
    intact = _lcc(adj, alive)
    added: list[tuple[str, str]] = []
    targets = [index[r] for r in removed]
    contacts = {v: set(adj[v]) for v in targets}

    def cut(v: int) -> None:
        alive[v] = False
        for u in adj[v]:
            adj[u].discard(v)
        adj[v] = set()

    def link(a: int, b: int) -> None:
        if a != b and alive[a] and alive[b] and b not in adj[a]:
            adj[a].add(b)
            adj[b].add(a)
            added.append((label[a], label[b]) if label[a] < label[b] else (label[b], label[a]))

    def recover(v: int) -> None:
        left = sorted(u for u in contacts[v] if alive[u])
        if mechanism == "triadic":
            for i, a in enumerate(left):
                for b in left[i + 1 :]:
                    if rng.random() < p:
                        link(a, b)
            return
        pool = [u for u in range(n) if alive[u] and (role[v] is None or role[u] == role[v])]
        if mechanism == "replacement":
            if role[v] is None or not pool:
                return
            heir = max(pool, key=lambda u: (len(adj[u] & set(left)), len(adj[u]), label[u]))
            for a in left:
                link(heir, a)
            return
        rivals = [u for u in pool if community.get(label[u]) != community.get(label[v])]
        if not rivals:
            return
        rival = max(rivals, key=lambda u: (len(adj[u]), label[u]))
        for a in left:
            if rng.random() < p:
                link(rival, a)

    if mode == "batch":
        for v in targets:
            cut(v)
        after = _lcc(adj, alive)
        for v in targets:
            recover(v)
    else:
        for v in targets:
            cut(v)
            recover(v)
        after = _removed_lcc(graph, targets)
    recovered = _lcc(adj, alive)
    return Recovery(mechanism, mode, tuple(removed), tuple(added), intact / n, after / n, recovered / n, n)


def _removed_lcc(graph: Graph, targets: Sequence[int]) -> int:
    g = graph.copy()
    g.delete_vertices(list(targets))
    return max(g.connected_components().sizes(), default=0)


@dataclass(frozen=True)
class Stability:
    kind: str
    dropout: float
    samples: int
    targets: tuple[str, ...]
    jaccard: tuple[float, ...]
    frequency: dict[str, float]  # share of resamples recommending each node

    @property
    def mean_jaccard(self) -> float:
        return statistics.fmean(self.jaccard) if self.jaccard else 0.0


def bootstrap_stability(
    graph: Graph,
    *,
    k: int = 5,
    strategy: str = "best",
    dropout: float = 0.1,
    kind: str = "edge",
    samples: int = 20,
    seed: int | None = None,
) -> Stability:
    """Mean Jaccard overlap of the k targets planned on resampled graphs with the full-data plan."""
    if kind not in {"edge", "node"}:
        raise InvalidValue("kind", kind, "use 'edge' or 'node'")
    if not 0 < dropout < 1:
        raise InvalidValue("dropout", str(dropout), "a fraction between 0 and 1")
    full = set(plan(graph, strategy=strategy, k=k, seed=seed).targets)
    rng = random.Random(seed)
    scores: list[float] = []
    counts: dict[str, int] = {}
    for _ in range(samples):
        g = graph.copy()
        if kind == "edge":
            drop = [e for e in range(g.ecount()) if rng.random() < dropout]
            g.delete_edges(drop)
        else:
            g.delete_vertices([v for v in range(g.vcount()) if rng.random() < dropout])
        got = set(plan(g, strategy=strategy, k=k, seed=seed).targets)
        for t in got:
            counts[t] = counts.get(t, 0) + 1
        union = full | got
        scores.append(len(full & got) / len(union) if union else 1.0)
    freq = {t: c / samples for t, c in sorted(counts.items(), key=lambda x: (-x[1], x[0]))}
    return Stability(kind, dropout, samples, tuple(sorted(full)), tuple(scores), freq)


def read_phases(path: str | Path) -> dict[str, Graph]:
    """One graph per value of the ``phase`` column (ordered numerically when possible)."""
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        phases = {(row.get("phase") or "").strip() for row in csv.DictReader(fh)}
    phases.discard("")
    if not phases:
        raise InvalidValue("edge list", str(path), "no phase column or no phases")
    ordered = sorted(phases, key=lambda x: (0, int(x), x) if x.isdigit() else (1, 0, x))
    return {ph: graph_from_edge_list(path, phase=ph) for ph in ordered}


@dataclass(frozen=True)
class Holdout:
    phase: str
    next_phase: str
    targets: tuple[str, ...]
    present_next: int  # targets still active in the next phase
    lcc_next: float  # LCC/N of the next phase, intact
    lcc_next_planned: float  # after removing the targets planned on this phase
    lcc_next_hindsight: float  # after removing the k best targets planned on the next phase itself
    lcc_next_random: float  # after removing k random nodes of the next phase (mean of 20 draws)


def _lcc_without(graph: Graph, drop: set[str]) -> float:
    g = graph.copy()
    g.delete_vertices([v for v, n in enumerate(names(graph)) if n in drop])
    n = graph.vcount()
    return max(g.connected_components().sizes(), default=0) / n if n else 0.0


def temporal_holdout(
    phases: Mapping[str, Graph], *, k: int = 3, strategy: str = "best", seed: int | None = None
) -> list[Holdout]:
    """Plan on each phase, score on the next: does yesterday's plan still break today's network?"""
    keys = list(phases)
    rng = random.Random(seed)
    rows = []
    for t, nxt in itertools.pairwise(keys):
        now, later = phases[t], phases[nxt]
        if now.vcount() == 0 or later.vcount() == 0:
            continue
        targets = plan(now, strategy=strategy, k=k, seed=seed).targets
        hindsight = plan(later, strategy=strategy, k=k, seed=seed).targets
        later_names = names(later)
        rand = [
            _lcc_without(later, set(rng.sample(later_names, min(k, len(later_names))))) for _ in range(20)
        ]
        rows.append(
            Holdout(
                t,
                nxt,
                tuple(targets),
                sum(1 for x in targets if x in set(later_names)),
                _lcc_without(later, set()),
                _lcc_without(later, set(targets)),
                _lcc_without(later, set(hindsight)),
                statistics.fmean(rand),
            )
        )
    return rows


@dataclass(frozen=True)
class Verdict:
    possible: bool
    proven: bool  # True when every k ≤ K was searched exhaustively
    k: int | None  # the least k that reaches the target, if any
    targets: tuple[str, ...]
    best_lcc: float  # the smallest LCC/N reached with k ≤ K
    target: float
    message: str


def verdict(graph: Graph, *, K: int = 5, target: float = 0.5, seed: int | None = None) -> Verdict:
    """Can any plan with k ≤ K leave no connected group above ``target`` of the network?"""
    pb = problem_from_graph(graph, seed=seed)
    if pb.n == 0:
        return Verdict(True, True, 0, (), 0.0, target, "empty network")
    starts = [run_strategy(pb, name, k=K)[0].order for name in REFERENCE]
    proven = True
    best: tuple[float, list[int]] = (1.0, [])
    for k in range(1, min(K, pb.n_removable) + 1):
        members: list[int] | None = None
        if k <= 3:
            try:
                members = exhaustive(pb, k, max_scans=5_000)
            except InvalidValue:
                members = None
        if members is None:
            proven = False
            members = optimise_set(pb, k, objective="lcc", starts=[o[:k] for o in starts])
        lcc = set_key(pb, members)[0] / pb.n
        if lcc < best[0]:
            best = (lcc, members)
        if lcc <= target:
            who = tuple(pb.names[v] for v in members)
            return Verdict(
                True,
                k <= 3 and proven,
                k,
                who,
                lcc,
                target,
                f"{k} removal(s) leave no group above {target:.0%}",
            )
    who = tuple(pb.names[v] for v in best[1])
    how = (
        "proven by exhaustive search"
        if proven
        else "best found by the heuristics and swap search, not a proof"
    )
    msg = (
        f"no plan with k ≤ {K} leaves every group at or below {target:.0%} of the network "
        f"({how}); the best leaves {best[0]:.0%}"
    )
    return Verdict(False, proven, None, who, best[0], target, msg)
