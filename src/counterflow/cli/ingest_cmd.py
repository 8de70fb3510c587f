"""``counterflow ingest``: load reports from files into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from counterflow.cli.context import open_configured_store, submitter_for
from counterflow.cli.output import console, emit_json, err_console
from counterflow.ingest.pipeline import Ingestor, IngestSummary, expand_paths, read_path
from counterflow.settings import Settings


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    @app.command()
    @handle_errors
    def ingest(
        paths: Annotated[list[Path], typer.Argument(help="Report files or folders (searched recursively).")],
        mapping: Annotated[
            str | None,
            typer.Option(
                help="Mapping for CSV/Excel files: a shipped name (cdr, anpr) or a YAML file. "
                "Without it, a sidecar FILE.yml next to each spreadsheet is used."
            ),
        ] = None,
        header: Annotated[
            Path | None,
            typer.Option(
                help="YAML with a `report:` section giving agency, grading, handling and classification "
                "for FollowTheMoney files."
            ),
        ] = None,
        agency: Annotated[str | None, typer.Option(help="Agency for FollowTheMoney files (rs_mup…).")] = None,
        report_id: Annotated[str | None, typer.Option(help="Report id for FollowTheMoney files.")] = None,
        reported_at: Annotated[
            str | None, typer.Option(help="Date the report was written (FtM files).")
        ] = None,
        grading: Annotated[
            str | None, typer.Option(help="Grading for FtM files, SCHEME:SOURCE+INFO, e.g. 4x4:B2.")
        ] = None,
        handling: Annotated[
            str | None, typer.Option(help="Handling for FtM files, e.g. SIENA:H0 or 3x5x2:C:conditions.")
        ] = None,
        classification: Annotated[str | None, typer.Option(help="Classification for FtM files.")] = None,
        workers: Annotated[
            int | None,
            typer.Option(min=1, help="Parsing processes (default COUNTERFLOW_WORKERS or the CPUs)."),
        ] = None,
        as_user: Annotated[
            str | None, typer.Option("--as", help="Submit as this user (default: COUNTERFLOW_USER).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    ) -> None:
        """Ingest intelligence reports: native JSON/JSONL, FollowTheMoney entities or statements,
        CSV/Excel with a YAML mapping (call records, ANPR, agency spreadsheets).

        Each report is stored whole or not at all; ingesting the same report again adds nothing.
        A bad report is rejected with every problem listed (where, value, why); the others go on.
        Exit code 65 if any report was rejected.

        Examples:

          counterflow ingest reports/rs_mup.jsonl

          counterflow ingest calls.csv --mapping cdr

          counterflow ingest scenario-out/
        """
        settings = Settings.from_env()
        store = open_configured_store(settings)
        submitter = submitter_for(store, as_user)
        files = expand_paths(paths)
        options = {
            k: v
            for k, v in {
                "agency": agency,
                "report_id": report_id,
                "reported_at": reported_at,
                "grading": grading,
                "handling": handling,
                "classification": classification,
            }.items()
            if v
        }
        total = IngestSummary()
        with Progress(
            TextColumn("[bold]ingest[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=err_console,
            disable=as_json,
            transient=True,
        ) as bar:
            task = bar.add_task("", total=len(files))

            def show(s: IngestSummary) -> None:
                bar.update(
                    task,
                    description=f"{total.reports_added + s.reports_added} reports, "
                    f"{total.statements_added + s.statements_added:,} statements",
                )

            ingestor = Ingestor(
                store,
                batch_statements=settings.batch_size,
                progress=show,
                workers=workers or settings.workers,
                submitter=submitter,
            )
            for path in files:
                s = ingestor.ingest(
                    read_path(path, mapping=mapping, header_file=header, header_options=options)
                )
                total.reports_added += s.reports_added
                total.reports_unchanged += s.reports_unchanged
                total.statements_added += s.statements_added
                total.rejected.extend(s.rejected)
                bar.advance(task)
        from counterflow.alerts.engine import run as run_alerts

        raised = run_alerts(store) if total.reports_added else []  # watchlists see what just arrived
        if raised:
            from counterflow.alerts.webhooks import deliver_pending

            deliver_pending(store)
        if as_json:
            emit_json({"files": len(files), **total.to_dict(), "alerts_raised": len(raised)})
        else:
            console.print(
                f"{len(files)} file(s): [green]{total.reports_added} reports added[/] "
                f"({total.statements_added:,} statements), {total.reports_unchanged} unchanged, "
                f"[{'red' if total.rejected else 'green'}]{len(total.rejected)} rejected[/]"
                + (
                    f"; [bold yellow]{len(raised)} alerts raised[/] (counterflow alerts list)"
                    if raised
                    else ""
                )
            )
            for r in total.rejected:
                err_console.print(f"[red]rejected[/] {r.report} ({r.source}):", highlight=False)
                for p in r.problems:
                    err_console.print(f"  - {p}", highlight=False, markup=False)
        if total.rejected:
            raise typer.Exit(65)
