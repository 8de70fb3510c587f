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
        import uvicorn

        from counterflow.api.app import create_app
        from counterflow.api.context import Limits
        from counterflow.cli.context import open_configured_store
        from counterflow.policy.auth import JwtValidator

        store = open_configured_store()
        store.ping()
        limits = Limits(timeout_seconds=timeout)
        application = create_app(store, validator=JwtValidator.from_env(), limits=limits)
        err_console.print(
            f"Counterflow on http://{host}:{port}/  (API docs: http://{host}:{port}/api/v1/docs)"
        )
        uvicorn.run(application, host=host, port=port, log_level=log_level)
