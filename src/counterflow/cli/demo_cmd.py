"""``counterflow demo``: the whole pipeline on the scenario world, stage by stage."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from counterflow.cli.output import console, emit_json
from counterflow.demo import run_demo


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    @app.command()
    @handle_errors
    def demo(
        out: Annotated[Path, typer.Option(help="Folder for the generated world.")] = Path("counterflow-demo"),
        seed: Annotated[int, typer.Option(help="Scenario seed.")] = 7,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the summary as one JSON object.")
        ] = False,
    ) -> None:
        """Run everything Counterflow can do on the small Balkan-route scenario and say what it found:
        generate the world, set watches, ingest every agency's reports, raise alerts, compare what
        each agency may see, search across scripts, resolve, analyse the network, follow the routes,
        and build a case against the main organisation's organisers (briefing in HTML and PDF, GraphML).

        The store is COUNTERFLOW_DATABASE_URL (default ./counterflow.sqlite); running it again adds nothing.
        """
        summary = run_demo(out, seed=seed, echo=None if as_json else console.print)
        if as_json:
            emit_json(summary)
        else:
            console.print(
                "\nTo look at it in the workspace: counterflow tokens issue gb_ukbsu.analyst, then "
                "counterflow serve, and sign in at http://127.0.0.1:8000/ with the token."
            )
