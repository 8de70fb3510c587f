"""Backups of the store and their verified restore.

A backup is one file and its manifest (``<file>.manifest.json``). On SQLite the file is a
copy made with SQLite's online backup API: a consistent snapshot taken while the service
goes on writing. On PostgreSQL it is a ``pg_dump`` custom-format archive, taken in the very
snapshot in which the manifest is counted (``pg_export_snapshot``), so the two agree.

The manifest says what the backup must contain: rows per table, the processing log's head
and length, a digest of the statements' ids, a digest of the resolution ledger (judgements
and runs; the resolved state is a pure function of the ledger, so equal digests mean equal
resolution), and the file's SHA-256. ``restore`` refuses a file whose hash differs, restores
into an empty target (or replaces it when told), then checks every figure of the manifest
and the log's hash chain on the restored store, and names every difference. A copy that
fails (SQLite's integrity check, pg_restore, which runs as one transaction) leaves the
target as it was; a restored store that does not verify is reported as such and must not
be used.

Taking a backup is a disclosure of the whole store: it is written to the processing log
(before the copy, so the copy holds its own record). The selector key is not in the backup;
keep it with the backup's other secrets, or hit/no-hit indexes cannot be rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.engine import make_url

from counterflow.errors import ConfigurationError, StoreError

# Every table is counted in a manifest: make sure each schema module has registered its own.
from counterflow.store import (  # noqa: F401
    audit_chain,
    schema,
    schema_alerts,
    schema_cases,
    schema_network,
    schema_sanctions,
)
from counterflow.store.log_check import verify
from counterflow.store.schema import metadata
from counterflow.store.schema_policy import audit_log
from counterflow.store.sql import SqlStore

__all__ = ["Manifest", "backup", "manifest_path", "restore"]

FORMAT = "counterflow.backup/1"
_CHUNK = 1 << 20


@dataclass
class Manifest:
    dialect: str
    schema_version: int
    created_at: str
    tables: dict[str, int]
    log_records: int
    log_head: str | None
    statements_digest: str
    resolution_digest: str  # the judgements ledger and the runs: what resolution is a function of
    file: str = ""
    sha256: str = ""
    bytes: int = 0
    format: str = FORMAT
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigurationError(
                f"cannot read the backup manifest {path}: {exc}", path=str(path)
            ) from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ConfigurationError(
                f"{path} is not a Counterflow backup manifest ({FORMAT})", path=str(path)
            )
        try:
            return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        except TypeError as exc:
            raise ConfigurationError(f"backup manifest {path} is incomplete: {exc}", path=str(path)) from None


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def backup(store: SqlStore, path: Path, *, actor: str) -> Manifest:
    """Back the store up to ``path`` (which must not exist) and write its manifest beside it."""
    path = Path(path)
    if path.exists() or manifest_path(path).exists():
        raise ConfigurationError(f"{path} already exists: choose a new name for each backup", path=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    with store.engine.begin() as conn:
        audit_chain.append(
            conn,
            actor=actor,
            action="disclosure",
            object_type="store",
            object_id=path.name,
            recipients=[f"backup:{path.name}"],
            details={"file": str(path.resolve())},
        )
    partial = path.with_name(path.name + ".partial")
    try:
        if store.dialect == "sqlite":
            _sqlite_copy(_sqlite_file(store.url), partial)
            found = _figures_of_url(f"sqlite:///{partial}")
        elif store.dialect == "postgresql":
            found = _pg_dump(store, partial)
        else:
            raise ConfigurationError(f"no backup for {store.dialect} stores")
        found.file = path.name
        found.sha256, found.bytes = _sha256(partial), partial.stat().st_size
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    manifest_path(path).write_text(json.dumps(found.to_dict(), indent=2) + "\n", encoding="utf-8")
    return found


def restore(path: Path, target_url: str, *, replace: bool = False) -> Manifest:
    """Restore the backup at ``path`` into ``target_url`` and verify it against its manifest.

    Returns the restored store's figures; raises StoreError naming every difference."""
    path = Path(path)
    expected = Manifest.read(manifest_path(path))
    if not path.is_file():
        raise ConfigurationError(f"no backup file {path}", path=str(path))
    if _sha256(path) != expected.sha256:
        raise StoreError(f"{path} does not match its manifest's SHA-256: damaged or altered", path=str(path))
    dialect = make_url(target_url).get_backend_name()
    if dialect != expected.dialect:
        raise ConfigurationError(
            f"this is a {expected.dialect} backup; it cannot be restored into a {dialect} store",
            backup=expected.dialect,
            target=dialect,
        )
    if dialect == "sqlite":
        _sqlite_restore(path, _sqlite_file(target_url), replace=replace)
    else:
        _pg_restore(path, target_url, replace=replace)
    found = _figures_of_url(target_url)
    found.file, found.sha256, found.bytes = expected.file, expected.sha256, expected.bytes
    found.problems = _differences(expected, found)
    store = SqlStore(target_url)
    try:
        check = verify(store)
    finally:
        store.close()
    found.problems += [f"processing log: {p}" for p in check.problems]
    if found.problems:
        raise StoreError(
            "the restored store differs from its backup: " + "; ".join(found.problems),
            problems=found.problems,
        )
    return found


def _differences(expected: Manifest, found: Manifest) -> list[str]:
    out = []
    for table, rows in sorted(expected.tables.items()):
        got = found.tables.get(table)
        if got != rows:
            out.append(f"{table}: {got} rows, the backup had {rows}")
    for name in ("log_records", "log_head", "statements_digest", "resolution_digest", "schema_version"):
        if getattr(found, name) != getattr(expected, name):
            out.append(f"{name}: {getattr(found, name)} instead of {getattr(expected, name)}")
    return out


# -- figures -------------------------------------------------------------------------------


def _figures(conn: Connection, dialect: str) -> Manifest:
    tables = {
        t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
        for t in metadata.sorted_tables
    }
    head = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == audit_chain.HEAD_KEY)).scalar()
    version = conn.execute(select(func.coalesce(func.max(schema.migrations.c.version), 0))).scalar_one()
    return Manifest(
        dialect=dialect,
        schema_version=int(version),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        tables=tables,
        log_records=tables[audit_log.name],
        log_head=str(head) if head else None,
        statements_digest=_digest(conn, select(schema.statements.c.id).order_by(schema.statements.c.id)),
        resolution_digest=_digest(
            conn,
            select(schema.resolve_judgements).order_by(schema.resolve_judgements.c.id),
            select(schema.resolve_runs).order_by(*schema.resolve_runs.primary_key.columns),
        ),
    )


def _figures_of_url(url: str) -> Manifest:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return _figures(conn, engine.dialect.name)
    finally:
        engine.dispose()


def _digest(conn: Connection, *queries: Any) -> str:
    h = hashlib.sha256()
    for query in queries:
        for row in conn.execute(query.execution_options(yield_per=10_000)):
            h.update(json.dumps([str(v) for v in row], ensure_ascii=False).encode())
            h.update(b"\n")
        h.update(b"--\n")
    return h.hexdigest()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


# -- SQLite --------------------------------------------------------------------------------


def _sqlite_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ConfigurationError("an in-memory store has nothing to back up or restore into")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while other connections go on writing."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst, pages=4096)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()


def _sqlite_restore(backup_file: Path, target: Path, *, replace: bool) -> None:
    if target.exists() and not replace:
        raise ConfigurationError(
            f"{target} exists: restore into a new file, or pass --replace to overwrite it", path=str(target)
        )
    partial = target.with_name(target.name + ".restoring")
    partial.unlink(missing_ok=True)
    try:
        shutil.copyfile(backup_file, partial)
        con = sqlite3.connect(partial)
        try:
            if con.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise StoreError(f"{backup_file} fails SQLite's integrity check", path=str(backup_file))
        finally:
            con.close()
        for suffix in ("-wal", "-shm"):  # the old store's log must not be replayed onto the new file
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


# -- PostgreSQL ----------------------------------------------------------------------------


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it (a password
    on a command line is visible to every user of the machine)."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ConfigurationError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _pg_dump(store: SqlStore, target: Path) -> Manifest:
    dsn, env = _libpq(store.url)
    with store.engine.connect() as conn:
        conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        found = _figures(conn, "postgresql")
        done = subprocess.run(
            [_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={target}", dsn],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        conn.rollback()
    if done.returncode != 0:
        raise StoreError(f"pg_dump failed: {done.stderr.strip()[-2000:]}")
    return found


def _pg_restore(backup_file: Path, target_url: str, *, replace: bool) -> None:
    engine = create_engine(target_url)
    try:
        with engine.connect() as conn:
            present = conn.execute(
                text("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()")
            ).scalar_one()
    finally:
        engine.dispose()
    if present and not replace:
        raise ConfigurationError(
            "the target database is not empty: restore into a new database, or pass --replace"
        )
    dsn, env = _libpq(target_url)
    cmd = [_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction", f"--dbname={dsn}"]
    if present:
        cmd += ["--clean", "--if-exists"]
    done = subprocess.run([*cmd, str(backup_file)], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise StoreError(
            "pg_restore failed (one transaction: the target database is as it was): "
            + done.stderr.strip()[-2000:]
        )
