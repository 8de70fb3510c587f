"""The ``counterflow`` command: one Typer app, errors mapped to exit codes in one place."""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer

from counterflow.cli.output import emit_json, err_console
from counterflow.errors import CounterflowError, ReportRejected, status_of

app = typer.Typer(
    name="counterflow",
    help=(
        "Counterflow: shared intelligence against people-smuggling networks on the Balkan route.\n\n"
        "The store is where COUNTERFLOW_DATABASE_URL says (sqlite:///PATH or postgresql+psycopg://…), "
        "by default ./counterflow.sqlite. Start with `counterflow demo`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def handle_errors(func: F) -> F:
    """Show CounterflowErrors as a clear message (or JSON with --json) and exit with their code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CounterflowError as exc:
            code, _ = status_of(exc)
            if kwargs.get("as_json"):
                emit_json(exc.to_dict())
            else:
                err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False, markup=True)
                if isinstance(exc, ReportRejected):
                    pass  # the message already lists every problem
            raise typer.Exit(code) from None

    return wrapper  # type: ignore[return-value]


def _configure_logging() -> None:
    level = os.environ.get("COUNTERFLOW_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.WARNING), format="%(levelname)s %(name)s: %(message)s"
    )


_configure_logging()

# Each command module has register(app); add new ones here, one per line.
COMMAND_MODULES = (
    "ingest_cmd",
    "query_cmd",
    "scenario_cmd",
    "demo_cmd",
    "policy_cmd",
    "graph_cmd",
    "policy_extra_cmd",
    "resolve_cmd",
    "serve_cmd",
    "routes_cmd",
    "alerts_cmd",
    "cases_cmd",
    "sanctions_cmd",
    "backup_cmd",
    "export_cmd",
    "network_cmd",
)
for _name in COMMAND_MODULES:
    importlib.import_module(f"counterflow.cli.{_name}").register(app)
