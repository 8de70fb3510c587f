"""``counterflow resolve``: entity resolution, on files (the public contract) and on the store.

counterflow resolve --input ENTITIES.jsonl --output CLUSTERS.csv     (no store involved)
counterflow resolve run | new | queue | merge | split | detach | unsure | undo | explain | status
"""

from __future__ import annotations

import getpass
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from counterflow.cli.context import open_configured_store
from counterflow.cli.output import console, emit_json, err_console
from counterflow.engine import Engine, open_engine
from counterflow.errors import InvalidValue
from counterflow.model.visibility import Viewer
from counterflow.policy import registry
from counterflow.settings import Settings
from counterflow.store import SqlStore

resolve_app = typer.Typer(
    help=(
        "Entity resolution across agencies, spellings and scripts. With --input/--output: resolve a file "
        "of FollowTheMoney entities to entity_id,cluster_id (offline, deterministic). With a command: "
        "resolve the store, review, merge, split, undo and explain."
    ),
    no_args_is_help=False,
)

UserOpt = Annotated[
    str | None, typer.Option("--user", help="Who decides (default: $COUNTERFLOW_USER or login).")
]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (kept in the ledger).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help=(
            "Where blocking and scoring run: local (DuckDB in process) or spark (on "
            "$COUNTERFLOW_SPARK_MASTER, default local[2]). Default: $COUNTERFLOW_ENGINE or local. "
            "Both give the same clusters."
        ),
    ),
]


def _actor(user: str | None) -> str:
    return user or os.environ.get("COUNTERFLOW_USER") or getpass.getuser()


def _store() -> SqlStore:
    return open_configured_store(Settings.from_env())


def _viewer(user: str | None) -> Viewer:
    """Whom explanations and decisions are for: they see (and judge) only what this user may see."""
    return registry.viewer_for(_store(), user or Settings.from_env().user)


@contextmanager
def _engine(name: str | None) -> Iterator[Engine]:
    eng = open_engine(Settings.from_env(), name=name)
    try:
        yield eng
    finally:
        eng.close()


def _quiet() -> None:
    # Splink reports training progress at INFO/WARNING; the CLI shows its own summary.
    logging.getLogger("splink").setLevel(logging.ERROR)


def _show_summary(data: dict[str, Any]) -> None:
    console.print(
        f"[bold]{data['kind']}[/] run {data['run_id']} by {data['actor']}: "
        f"{data['counts'].get('records', data['counts'].get('new_records', 0)):,} records, "
        f"{data['counts'].get('merges', 0):,} merges, {data['counts'].get('clusters', '-')} clusters"
    )
    for kind, scorer in data["scorers"].items():
        console.print(f"  scorer {kind}: {scorer}")


def _show_decision(data: dict[str, Any]) -> None:
    for j in data["judgements"]:
        console.print(f"{j['judgement']} {j['left_id']} ~ {j['right_id']}  ({j['id']}, by {j['actor']})")
    for eid, members in data["after"].items():
        console.print(f"  {eid}: cluster of {len(members)}")
    for c in data["conflicts"]:
        console.print(f"  [yellow]conflict[/]: {c['message']}")


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors
    from counterflow.resolve import service

    @resolve_app.callback(invoke_without_command=True)
    @handle_errors
    def resolve_main(
        ctx: typer.Context,
        input_path: Annotated[
            Path | None, typer.Option("--input", help="FollowTheMoney entities, one JSON object per line.")
        ] = None,
        output_path: Annotated[
            Path | None, typer.Option("--output", help="CSV entity_id,cluster_id.")
        ] = None,
        user: UserOpt = None,
        engine: EngineOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        if ctx.invoked_subcommand is not None:
            return
        if input_path is None or output_path is None:
            err_console.print(ctx.get_help())
            raise InvalidValue("resolve", "", "give --input and --output, or a command (see above)")
        _quiet()
        with _engine(engine) as eng:
            summary = service.resolve_file(input_path, output_path, actor=_actor(user), engine=eng)
        if as_json:
            emit_json(summary.to_dict())
            return
        c = summary.counts
        err_console.print(
            f"{c['entities']:,} entities, {c['records']:,} resolved records, {c['merges']:,} merges, "
            f"{c['clusters']:,} clusters → {output_path}"
        )

    @resolve_app.command("run")
    @handle_errors
    def run(
        user: UserOpt = None,
        index: Annotated[Path | None, typer.Option("--index", help="Resolution index file.")] = None,
        engine: EngineOpt = None,
        statements: Annotated[
            Path | None,
            typer.Option(
                "--statements",
                help="Read the records from this whole-store Parquet export (counterflow export-statements) "
                "rather than the store; the engine reads it. Judgements still go to the store.",
            ),
        ] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Resolve the whole store: machine judgements to the ledger, a fresh resolution index.

        Example (national scale): counterflow export-statements /data/st-1203 &&
        COUNTERFLOW_ENGINE=spark counterflow resolve run --statements /data/st-1203
        """
        _quiet()
        with _engine(engine) as eng:
            summary = service.run_store(
                _store(), actor=_actor(user), index_path=index, engine=eng, statements=statements
            )
        emit_json(summary.to_dict()) if as_json else _show_summary(summary.to_dict())

    @resolve_app.command("new")
    @handle_errors
    def new(
        entity: Annotated[
            list[str] | None,
            typer.Argument(help="Entity ids (default: entities ingested since the last run)."),
        ] = None,
        since: Annotated[
            str | None, typer.Option("--since", help="Reports ingested after this ISO time.")
        ] = None,
        user: UserOpt = None,
        index: Annotated[Path | None, typer.Option("--index", help="Resolution index file.")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Resolve new entities against the existing resolution (incremental, no rerun)."""
        _quiet()
        summary = service.resolve_new(
            _store(), actor=_actor(user), entity_ids=entity or None, since=since, index_path=index
        )
        emit_json(summary.to_dict()) if as_json else _show_summary(summary.to_dict())

    @resolve_app.command("queue")
    @handle_errors
    def queue(
        limit: Annotated[int, typer.Option(min=1, max=10_000, help="Most pairs to list.")] = 50,
        user: UserOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Pairs waiting for an analyst (the scorer was unsure, or a constraint refused a strong link)."""
        rows = service.review_queue(_store(), limit=limit, viewer=_viewer(user))
        if as_json:
            emit_json(rows)
            return
        table = Table("left", "right", "weight", "why", "already together")
        for r in rows:
            table.add_row(
                r["left"],
                r["right"],
                f"{r['score']:.2f}",
                r["reason"] or "",
                "yes" if r["same_cluster"] else "",
            )
        console.print(table)

    @resolve_app.command("merge")
    @handle_errors
    def merge(
        left: str, right: str, reason: ReasonOpt, user: UserOpt = None, as_json: JsonOpt = False
    ) -> None:
        """Judge two entities to be one (an analyst positive judgement)."""
        data = service.merge(
            _store(), left, right, actor=_actor(user), reason=reason, viewer=_viewer(user)
        ).to_dict()
        emit_json(data) if as_json else _show_decision(data)

    @resolve_app.command("split")
    @handle_errors
    def split(
        left: str, right: str, reason: ReasonOpt, user: UserOpt = None, as_json: JsonOpt = False
    ) -> None:
        """Judge two entities not to be one (an analyst negative judgement); their cluster splits."""
        data = service.split(
            _store(), left, right, actor=_actor(user), reason=reason, viewer=_viewer(user)
        ).to_dict()
        emit_json(data) if as_json else _show_decision(data)

    @resolve_app.command("detach")
    @handle_errors
    def detach(entity: str, reason: ReasonOpt, user: UserOpt = None, as_json: JsonOpt = False) -> None:
        """Take one entity out of its cluster."""
        data = service.detach(
            _store(), entity, actor=_actor(user), reason=reason, viewer=_viewer(user)
        ).to_dict()
        emit_json(data) if as_json else _show_decision(data)

    @resolve_app.command("unsure")
    @handle_errors
    def unsure(
        left: str, right: str, reason: ReasonOpt, user: UserOpt = None, as_json: JsonOpt = False
    ) -> None:
        """Record that an analyst cannot decide (takes the pair off the queue; changes no cluster)."""
        data = service.mark_unsure(
            _store(), left, right, actor=_actor(user), reason=reason, viewer=_viewer(user)
        ).to_dict()
        emit_json(data) if as_json else _show_decision(data)

    @resolve_app.command("undo")
    @handle_errors
    def undo(judgement: str, reason: ReasonOpt, user: UserOpt = None, as_json: JsonOpt = False) -> None:
        """Reverse a judgement (by its id); undoing an undo restores it."""
        data = service.undo(_store(), judgement, actor=_actor(user), reason=reason).to_dict()
        emit_json(data) if as_json else _show_decision(data)

    @resolve_app.command("explain")
    @handle_errors
    def explain(
        left: str,
        right: Annotated[
            str | None, typer.Argument(help="Second entity (without: explain LEFT's cluster).")
        ] = None,
        user: UserOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Why two entities are (or are not) one, or what holds an entity's cluster together."""
        store = _store()
        _quiet()
        if right is None:
            data = service.explain_cluster(store, left, viewer=_viewer(user))
            if as_json:
                emit_json(data)
                return
            console.print(f"[bold]{data['cluster_id']}[/]: {len(data['members'])} members")
            for j in data["judgements"]:
                console.print(
                    f"  {j['judgement']:8} {j['left_id']} ~ {j['right_id']}  {j['source']} {j['actor']} "
                    f"score={j['score']} {j['reason'] or ''}"
                )
            return
        data = service.explain_pair(store, left, right, viewer=_viewer(user))
        if as_json:
            emit_json(data)
            return
        console.print(
            f"[bold]{left}[/] {data['left']['names']}  ~  [bold]{right}[/] {data['right']['names']}: "
            f"{data.get('decision', '-')} "
            f"(weight {data.get('match_weight')}, p={data.get('match_probability')})"
        )
        for m in data["name_parts"]["matched"]:
            console.print(f"  name part {m['left']!r} ~ {m['right']!r}: {m['how']} ({m['scripts']})")
        console.print(f"  birth dates: {data['birth_dates']['left']} / {data['birth_dates']['right']}")
        for s in data["selectors_in_common"]:
            console.print(f"  selector in common: {s['selector']}{' (shared)' if s['shared'] else ''}")
        if data["objection"]:
            console.print(f"  [yellow]objection[/]: {data['objection']}")
        table = Table("comparison", "level", "weight (bits)")
        for c in data.get("comparisons", []):
            table.add_row(c["comparison"], c["level"], f"{c['weight']:+.2f}")
        console.print(table)

    @resolve_app.command("status")
    @handle_errors
    def status(as_json: JsonOpt = False) -> None:
        """Clusters, judgements and conflicts in the ledger."""
        st = service.state(_store())
        data = {
            "clusters": len(st.members),
            "merged_entities": sum(len(m) for m in st.members.values()),
            "conflicts": [c.to_dict() for c in st.conflicts],
        }
        if as_json:
            emit_json(data)
            return
        console.print(f"{data['clusters']:,} clusters of {data['merged_entities']:,} entities")
        for c in st.conflicts:
            console.print(f"  [yellow]conflict[/]: {c.message}")

    app.add_typer(resolve_app, name="resolve")
