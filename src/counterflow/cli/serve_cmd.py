"""``counterflow serve``: the HTTP API and the web workspace on uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from counterflow.cli.output import err_console


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    @app.command()
    @handle_errors
    def serve(
        host: Annotated[
            str, typer.Option(help="Interface to listen on (0.0.0.0 for every one).")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
        workers: Annotated[
            int, typer.Option(min=1, max=32, help="Server processes (each serves requests on its own core).")
        ] = 1,
        timeout: Annotated[
            float, typer.Option(min=1, help="Seconds a request may take before a 504.")
        ] = 60.0,
        log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    ) -> None:
        """Serve the API (/api/v1, OpenAPI at /api/v1/docs) and the analysts' workspace (/).

        Users sign in with an API token (`counterflow tokens issue USER`), or send it as
        `Authorization: Bearer TOKEN`; with COUNTERFLOW_OIDC_* set, JWTs from the identity
        provider are accepted too. Example: counterflow serve --port 8000
        """
        import os

        import uvicorn

        from counterflow.cli.context import open_configured_store

        open_configured_store().ping()  # a clear error now rather than in every worker
        os.environ["COUNTERFLOW_REQUEST_TIMEOUT"] = str(timeout)
        err_console.print(
            f"Counterflow on http://{host}:{port}/  (API docs: http://{host}:{port}/api/v1/docs)"
        )
        uvicorn.run(
            "counterflow.api.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=log_level,
        )
