"""``counterflow dismantle``: a disruption plan for an edge list.

Public contract (issue 5): ``counterflow dismantle --edges FILE.csv --k 5 --json`` prints JSON
with ``order`` (a removal order of all nodes, as strings) and ``metrics``; ``--strategy``
picks one of best, hda, hba, corehd, gnd, greedy-lcc, kpp, exhaustive (default best).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from counterflow.cli.output import console, emit_json
from counterflow.errors import InvalidValue
from counterflow.graph import STRATEGIES, graph_from_edge_list, plan
from counterflow.graph.dismantle import Plan

EXPLAIN = {
    "best": "the planner ran every strategy and combinations of them and kept the plan that is no worse "
    "than the standard strategies on LCC after k, robustness R and q_c with reinsertion, and better where "
    "it can be",
    "hda": "adaptive highest degree on the largest component (HDA-LCC)",
    "hba": "adaptive highest betweenness on the largest component (HBA-LCC): brokers first",
    "corehd": "CoreHD: break every cycle by highest 2-core degree, break the trees, then greedy reinsertion",
    "gnd": "generalized network dismantling: spectral cuts covered by the cheapest nodes (Ren et al. 2019)",
    "greedy-lcc": "each step removes the node that leaves the smallest largest component",
    "kpp": "Borgatti's KPP-Neg: the k-set that fragments the network most, by swaps",
    "exhaustive": "the optimal k-set (k ≤ 3) by exhaustive search",
}


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _human(p: Plan, edges: Path, n_edges: int) -> None:
    m = p.metrics
    console.print(
        f"[bold]Disruption plan[/] for {edges} ({m.n:,} nodes, {n_edges:,} ties): "
        f"strategy [bold]{p.strategy}[/]" + (f" → {p.chosen}" if p.chosen != p.strategy else "")
    )
    table = Table("#", "target")
    for i, t in enumerate(p.targets, start=1):
        table.add_row(str(i), t)
    console.print(table)
    stats = Table("metric", "value", "meaning")
    stats.add_row("LCC/N intact", _pct(m.lcc_initial), "largest connected group before any removal")
    stats.add_row(
        f"LCC/N after {m.k}", _pct(m.lcc_after_k), f"largest group left after removing the {m.k} targets"
    )
    stats.add_row(
        f"fragmentation F after {m.k}", f"{m.fragmentation_after_k:.3f}", "share of pairs cut off (Borgatti)"
    )
    stats.add_row(
        "robustness R", f"{m.robustness:.4f}", "area under the LCC curve of the full order (lower = faster)"
    )
    qc = "not reachable" if m.qc is None else f"{m.qc} ({_pct(m.qc_fraction)})"
    stats.add_row(
        f"q_c({m.threshold:.0%})", qc, f"removals until no group exceeds {m.threshold:.0%} of the network"
    )
    qr = (
        "not reachable"
        if m.qc_reinserted is None
        else f"{m.qc_reinserted} ({_pct(m.qc_reinserted_fraction)})"
    )
    stats.add_row(f"q_c({m.threshold:.0%}) reinserted", qr, "the same after putting back removals not needed")
    console.print(stats)
    console.print(f"How: {EXPLAIN.get(p.strategy, p.strategy)}.")
    console.print(
        "Networks recover after arrests: check the plan with the resilience tools before acting. "
        "Protected persons (victims, witnesses, minors) are never targets."
    )
    for note in p.notes:
        console.print(f"[yellow]note:[/] {note}")


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    @app.command()
    @handle_errors
    def dismantle(
        edges: Annotated[Path, typer.Option("--edges", help="CSV with header source,target[,weight].")],
        k: Annotated[int, typer.Option("--k", help="Number of targets to recommend.")] = 5,
        strategy: Annotated[str, typer.Option(help=f"One of: {', '.join(STRATEGIES)}.")] = "best",
        threshold: Annotated[float, typer.Option(help="Dismantled when no group exceeds this share.")] = 0.1,
        seed: Annotated[int, typer.Option(help="Seed (breaks ties only; same seed, same plan).")] = 0,
        mode: Annotated[str, typer.Option(help="sequential (adaptive) or batch (one raid).")] = "sequential",
        protect: Annotated[
            list[str] | None, typer.Option("--protect", help="A node never to remove (repeatable).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Plan which nodes to remove to break a network apart, and what that achieves."""
        if strategy not in STRATEGIES:
            raise InvalidValue("strategy", strategy, f"unknown strategy (known: {', '.join(STRATEGIES)})")
        if k < 0:
            raise InvalidValue("k", str(k), "k must be 0 or more")
        graph = graph_from_edge_list(edges)
        unknown = sorted(set(protect or ()) - set(graph.vs["name"]))
        if unknown:
            raise InvalidValue("node", ", ".join(unknown[:10]), "--protect names a node not in the edge list")
        p = plan(graph, strategy=strategy, k=k, seed=seed, threshold=threshold, mode=mode, protected=protect)
        if as_json:
            out: dict[str, Any] = {"edges": str(edges), "nodes": graph.vcount(), "ties": graph.ecount()}
            out.update(p.to_dict())
            emit_json(out)
            return
        _human(p, edges, graph.ecount())
