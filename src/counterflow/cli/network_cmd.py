"""``counterflow network``: the network of persons you may see, its brokers, communities and a plan."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from counterflow.cli.output import console, emit_json, err_console

if TYPE_CHECKING:
    from counterflow.engine import Engine

EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Aggregate the ties on a batch engine: local (DuckDB) or spark "
        "(default: $COUNTERFLOW_ENGINE if spark, else in memory). Same network either way.",
    ),
]
AsUserOpt = Annotated[str | None, typer.Option("--as", help="Act as this user (default: COUNTERFLOW_USER).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _batch_engine(name: str | None) -> Engine | None:
    """The engine asked for, else Spark if the settings name it, else None (in memory)."""
    from counterflow.engine import open_engine
    from counterflow.settings import Settings

    settings = Settings.from_env()
    chosen = name or (settings.engine if settings.engine != "local" else None)
    return open_engine(settings, name=chosen) if chosen else None


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    @app.command("network")
    @handle_errors
    def network_cmd(
        k: Annotated[int, typer.Option("--k", min=1, max=50, help="How many persons the plan removes.")] = 5,
        strategy: Annotated[
            str, typer.Option("--strategy", help="Plan strategy (see `counterflow dismantle --help`).")
        ] = "hba",
        engine: EngineOpt = None,
        as_user: AsUserOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """The person network of everything you may see, entity resolution folded in: its size,
        communities (Leiden), top brokers (betweenness) and a k-removal disruption plan.

        Victims, witnesses and minors are never ranked or targeted. Logged as a consultation.
        Example: counterflow network --k 5 --json
        """
        from counterflow.cli.context import open_session
        from counterflow.graph.views import network_summary, visible_network
        from counterflow.resolve.service import canonical_for

        session = open_session(as_user)
        eng = _batch_engine(engine)
        try:
            with nullcontext() if as_json else err_console.status("building the network…", spinner="dots"):
                people = visible_network(
                    session.store,
                    session.viewer,
                    canonical=canonical_for(session.store, session.viewer),
                    engine=eng,
                )
                result = network_summary(people, k=k, strategy=strategy)
        finally:
            if eng is not None:
                eng.close()
        session.consulted(
            "network", None, {"persons": result["persons"], "k": k, "engine": eng.name if eng else "memory"}
        )
        session.store.close()
        if as_json:
            emit_json(result)
            return
        console.print(
            f"{result['persons']:,} persons, {result['ties']:,} ties, {result['communities']:,} communities "
            f"(modularity {result['modularity']}), {result['protected_persons']:,} protected"
        )
        brokers = Table("broker", "betweenness", title="Top brokers")
        for b in result["brokers"]:
            brokers.add_row(b["name"], f"{b['betweenness']:,}")
        console.print(brokers)
        if result["plan"]:
            p = result["plan"]
            console.print(
                f"Plan ({p['strategy']}, k={p['k']}): "
                + ", ".join(t["name"] for t in p["targets"])
                + f"; largest component {p['lcc_initial']} → {p['lcc_after_k']}"
            )

    @app.command("network-snapshot")
    @handle_errors
    def network_snapshot_cmd(
        engine: EngineOpt = None,
        statements: Annotated[
            Path | None,
            typer.Option(
                "--statements",
                help="Read the statements from this whole-store export (`counterflow export-statements`) "
                "on the engine, not from the store: at national size nothing passes through this "
                "process but the nodes and summed ties.",
                exists=True,
                file_okay=False,
            ),
        ] = None,
        as_user: AsUserOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Compute the communities of the whole network and store them for every process.

        `community` watches use this snapshot: the service and the alert follower read the newest
        one from the store and refresh it themselves when it is ten minutes old; a scheduled job
        (on Spark for a national store) keeps them from doing that work. A system process over
        every statement: needs the administrator role; logged as a combination, with the snapshot.
        Example: COUNTERFLOW_ENGINE=spark counterflow network-snapshot
        Example: counterflow network-snapshot --engine spark --statements /data/export-2026-12-03
        """
        from counterflow.alerts.network_snapshot import CLAIM, LEASE_SECONDS, compute_snapshot
        from counterflow.cli.context import open_session
        from counterflow.errors import LimitExceeded
        from counterflow.model.visibility import UserRole
        from counterflow.store.snapshots import claim, release

        session = open_session(as_user)
        session.require(UserRole.ADMINISTRATOR)
        holder = f"cli:{session.viewer.user}"
        if not claim(session.store, CLAIM, holder, LEASE_SECONDS):
            raise LimitExceeded("another process is computing the snapshot now: try again when it is done")
        eng = None
        try:  # the lease goes back even if the engine cannot start
            eng = _batch_engine(engine)
            with nullcontext() if as_json else err_console.status("computing communities…", spinner="dots"):
                snap = compute_snapshot(
                    session.store, engine=eng, actor=session.viewer.user, statements=statements
                )
        finally:
            release(session.store, CLAIM, holder)
            if eng is not None:
                eng.close()
        session.store.close()
        out = {
            "id": snap.id,
            "made_at": snap.made_at,
            "engine": snap.engine,
            "persons": snap.persons,
            "communities": snap.communities,
            "reports_held": snap.reports_held,
        }
        if as_json:
            emit_json(out)
            return
        console.print(
            f"Snapshot {snap.id[:8]} ({snap.engine}): {snap.persons:,} persons in {snap.communities:,} "
            f"communities, over {snap.reports_held:,} reports"
        )
