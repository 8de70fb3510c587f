"""``counterflow export-statements``: the store's statements as partitioned Parquet for a batch engine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from counterflow.cli.output import console, emit_json, err_console


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    @app.command("export-statements")
    @handle_errors
    def export_statements_cmd(
        path: Annotated[Path, typer.Argument(help="The directory to write (must not exist).")],
        as_user: Annotated[
            str | None, typer.Option("--as", help="Act as this user (default: COUNTERFLOW_USER).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON.")] = False,
    ) -> None:
        """Write every statement to PATH as Parquet, partitioned agency=…/date=… (the report's day).

        For a batch engine at national scale (COUNTERFLOW_ENGINE=spark reads it directly; so does
        DuckDB). The export is complete or absent: it is renamed into place when done, with its
        manifest (_counterflow.json: rows per agency, the store's content version). Needs the
        administrator role; logged as a disclosure of the whole store before any row is written.
        Example: counterflow export-statements exports/statements-2026-12-03
        """
        from counterflow.cli.context import open_session
        from counterflow.model.visibility import UserRole
        from counterflow.store.parquet import export_statements

        session = open_session(as_user)
        session.require(UserRole.ADMINISTRATOR)
        with Progress(
            SpinnerColumn(),
            TextColumn("[bold]export[/] {task.completed:,} statements"),
            TimeElapsedColumn(),
            console=err_console,
            disable=as_json,
            transient=True,
        ) as bar:
            task = bar.add_task("", total=None)
            made = export_statements(
                session.store, path, actor=session.viewer.user, progress=lambda n: bar.advance(task, n)
            )
        session.store.close()
        if as_json:
            emit_json(made.to_dict())
            return
        agencies = ", ".join(f"{a} {n:,}" for a, n in made.by_agency.items())
        console.print(
            f"Exported {made.statements:,} statements in {made.partitions:,} partitions to {path}"
            + (f" ({agencies})" if agencies else "")
        )
