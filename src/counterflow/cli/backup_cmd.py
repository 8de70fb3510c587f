"""``counterflow backup`` and ``counterflow restore``: a verified copy of the whole store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from counterflow.cli.output import console, emit_json

Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]
AsUser = Annotated[str | None, typer.Option("--as", help="Act as this user (default: COUNTERFLOW_USER).")]


def register(app: typer.Typer) -> None:
    from counterflow.cli.main import handle_errors

    @app.command("backup")
    @handle_errors
    def backup_cmd(
        path: Annotated[Path, typer.Argument(help="The backup file to write (must not exist).")],
        as_user: AsUser = None,
        as_json: Json = False,
    ) -> None:
        """Back the configured store up to PATH, with PATH.manifest.json beside it.

        SQLite: an online copy (the service may go on writing). PostgreSQL: pg_dump, in the same
        snapshot as the manifest's figures. Needs the administrator role; logged as a disclosure
        of the whole store. The selector key is not in the backup: keep it apart, safely.
        Example: counterflow backup backups/cf-2026-12-03.cfbackup
        """
        from counterflow.cli.context import open_session
        from counterflow.model.visibility import UserRole
        from counterflow.store.backup import backup, manifest_path

        session = open_session(as_user)
        session.require(UserRole.ADMINISTRATOR)
        found = backup(session.store, path, actor=session.viewer.user)
        session.store.close()
        if as_json:
            emit_json({"backup": str(path), "manifest": str(manifest_path(path)), **found.to_dict()})
            return
        console.print(
            f"Backed up {found.tables['statements']:,} statements, {found.tables['reports']:,} reports and "
            f"{found.log_records:,} log records to {path} ({found.bytes / 2**20:.1f} MiB, "
            f"SHA-256 {found.sha256[:16]}…); manifest {manifest_path(path)}"
        )

    @app.command("restore")
    @handle_errors
    def restore_cmd(
        path: Annotated[Path, typer.Argument(help="A backup file written by `counterflow backup`.")],
        replace: Annotated[
            bool, typer.Option("--replace", help="Overwrite a store that already holds data.")
        ] = False,
        as_json: Json = False,
    ) -> None:
        """Restore PATH into the configured store (COUNTERFLOW_DATABASE_URL) and verify it.

        The file must match its manifest's SHA-256; the restored store must match the manifest's
        rows per table, statement and resolution-ledger digests (so resolution comes out the same) and
        processing-log head, and its log must verify, or the restore is reported as failed.
        The restore is then written to the restored store's own log.
        Example: COUNTERFLOW_DATABASE_URL=sqlite:///new.sqlite counterflow restore cf.cfbackup
        """
        from counterflow.settings import Settings
        from counterflow.store import SqlStore, audit_chain
        from counterflow.store.backup import restore

        url = Settings.from_env().database_url
        found = restore(path, url, replace=replace)
        store = SqlStore(url)
        with store.engine.begin() as conn:
            audit_chain.append(
                conn,
                actor="operator",
                action="alteration",
                object_type="store",
                object_id=path.name,
                details={"restored_from": str(path.resolve()), "sha256": found.sha256},
            )
        store.close()
        if as_json:
            emit_json({"restored": str(path), "verified": True, **found.to_dict()})
            return
        console.print(
            f"Restored and verified {found.tables['statements']:,} statements, "
            f"{found.tables['reports']:,} reports and {found.log_records:,} log records from {path}: "
            "every table's rows, the statement and resolution digests and the log's hash chain match."
        )
