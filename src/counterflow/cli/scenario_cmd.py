"""``counterflow scenario``: write the synthetic Balkan-route world and its reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from counterflow.cli.output import console, emit_json, err_console
from counterflow.errors import ConfigurationError

SIZES = ("small", "medium", "large")


def parse_size(size: str) -> str | int:
    if size in SIZES:
        return size
    try:
        n = int(size.replace("_", "").replace(",", ""))
    except ValueError:
        raise ConfigurationError(
            f"--size must be small, medium, large or a number of statements, not {size!r}", size=size
        ) from None
    if n < 1000:
        raise ConfigurationError("--size must be at least 1000 statements", size=size)
    return n


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    @app.command()
    @handle_errors
    def scenario(
        out: Annotated[
            Path, typer.Option(help="Folder to write reports, call records, ANPR, sheets and truth.")
        ],
        seed: Annotated[
            int, typer.Option(help="Random seed: the same seed and size give identical files.")
        ] = 7,
        size: Annotated[
            str,
            typer.Option(
                help="small (~1k reports, the demo), medium (~1M statements), large (~10M) "
                "or a statement count."
            ),
        ] = "small",
        as_json: Annotated[bool, typer.Option("--json", help="Print the manifest as JSON.")] = False,
    ) -> None:
        """Generate the synthetic Balkan-route world: smuggling groups by stage, migrants (victims),
        calls, payments, trips, ANPR, shipments and launches, reported by ~10 agencies in their own
        scripts, formats and grading schemes, with the ground truth beside them (truth/).

        Example: counterflow scenario --seed 7 --size small --out world/ && counterflow ingest world/
        """
        from counterflow.scenario import generate

        wanted = parse_size(size)
        with Progress(
            TextColumn("[bold]scenario[/]"),
            BarColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
            console=err_console,
            disable=as_json,
            transient=True,
        ) as bar:
            task = bar.add_task("", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            manifest = generate(out, seed=seed, size=wanted, progress=progress)
        data = manifest.to_dict()
        if as_json:
            emit_json(data)
        else:
            console.print(
                f"wrote the {size} world (seed {seed}) to {out}: "
                f"{data.get('statements', 0):,} statements; manifest in {out / 'MANIFEST.json'}"
            )
