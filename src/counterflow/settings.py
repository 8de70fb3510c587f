"""Typed, immutable settings read once from ``COUNTERFLOW_*`` environment variables."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from counterflow.errors import ConfigurationError

DEFAULT_DATABASE_FILE = "counterflow.sqlite"
DUCKDB_MEMORY = "256MB"
_MEMORY = re.compile(r"([0-9]+(?:\.[0-9]+)?)(KB|MB|GB|TB|KIB|MIB|GIB|TIB)")
_UNITS = {"KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}  # fmt: skip


def memory_bytes(amount: str) -> int:
    """``256MB`` → 256,000,000 (DuckDB's units: KB/MB/GB decimal, KiB/MiB/GiB binary)."""
    found = _MEMORY.fullmatch(amount.strip().upper().replace(" ", ""))
    if found is None:
        raise ValueError(f"not an amount of memory: {amount!r}")
    return int(float(found[1]) * _UNITS[found[2]])


@dataclass(frozen=True, slots=True)
class Settings:
    """What a Counterflow process is configured with.

    ``database_url``: ``sqlite:///path`` (embedded default: ``counterflow.sqlite`` in the
    working directory) or ``postgresql+psycopg://user@host:port/db``.
    ``batch_size``: statements per write transaction in bulk ingest.
    ``workers``: processes parsing reports in bulk ingest (default: the number of CPUs, at most 4).
    ``user``: who the command line acts as (``COUNTERFLOW_USER``), once agencies are registered.
    ``selector_key_file``: the secret key for hit/no-hit selector hashes; by default beside
    the SQLite file (``counterflow.sqlite.key``) or ``./counterflow.key`` for PostgreSQL.
    ``engine``: where batch stages run (``COUNTERFLOW_ENGINE``): ``local`` (DuckDB in process,
    the default) or ``spark``, on ``spark_master`` (``COUNTERFLOW_SPARK_MASTER``, default
    ``local[2]``; ``spark://host:7077`` for a cluster).
    ``duckdb_memory``: what an embedded DuckDB may hold in memory before it spills to a temporary
    directory (``COUNTERFLOW_DUCKDB_MEMORY``, default ``256MB``; e.g. ``2GB``): it shares the process
    with the records it works on (see :mod:`counterflow.engine.local`).
    """

    database_url: str
    batch_size: int = 20_000
    workers: int = 1
    user: str | None = None
    selector_key_file: Path | None = None
    engine: str = "local"
    spark_master: str = "local[2]"
    duckdb_memory: str = DUCKDB_MEMORY

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        url = env.get("COUNTERFLOW_DATABASE_URL") or f"sqlite:///{Path.cwd() / DEFAULT_DATABASE_FILE}"
        if not (url.startswith("sqlite:///") or url.startswith("postgresql")):
            raise ConfigurationError(
                "COUNTERFLOW_DATABASE_URL must be sqlite:///PATH or postgresql+psycopg://…", url=url
            )
        raw_batch = env.get("COUNTERFLOW_BATCH_SIZE", "20000")
        try:
            batch = int(raw_batch)
        except ValueError:
            raise ConfigurationError("COUNTERFLOW_BATCH_SIZE must be an integer", value=raw_batch) from None
        if batch < 1:
            raise ConfigurationError("COUNTERFLOW_BATCH_SIZE must be positive", value=raw_batch)
        raw_workers = env.get("COUNTERFLOW_WORKERS", str(min(os.cpu_count() or 1, 4)))
        try:
            workers = int(raw_workers)
        except ValueError:
            raise ConfigurationError("COUNTERFLOW_WORKERS must be an integer", value=raw_workers) from None
        if workers < 1:
            raise ConfigurationError("COUNTERFLOW_WORKERS must be at least 1", value=raw_workers)
        engine = env.get("COUNTERFLOW_ENGINE", "local").strip().lower() or "local"
        if engine not in ("local", "spark"):
            raise ConfigurationError("COUNTERFLOW_ENGINE must be local or spark", value=engine)
        master = env.get("COUNTERFLOW_SPARK_MASTER", "local[2]").strip() or "local[2]"
        if not (master.startswith("local") or "://" in master):
            raise ConfigurationError(
                "COUNTERFLOW_SPARK_MASTER must be local[N] or a master URL (spark://host:7077)", value=master
            )
        memory = env.get("COUNTERFLOW_DUCKDB_MEMORY", DUCKDB_MEMORY).strip().upper().replace(" ", "")
        try:
            memory_bytes(memory)
        except ValueError:
            raise ConfigurationError(
                "COUNTERFLOW_DUCKDB_MEMORY must be an amount such as 256MB or 2GB", value=memory
            ) from None
        key_file = env.get("COUNTERFLOW_SELECTOR_KEY_FILE")
        if key_file:
            key_path = Path(key_file)
        elif url.startswith("sqlite:///"):
            key_path = Path(url.removeprefix("sqlite:///") + ".key")
        else:
            key_path = Path.cwd() / "counterflow.key"
        return cls(
            database_url=url,
            batch_size=batch,
            workers=workers,
            user=env.get("COUNTERFLOW_USER") or None,
            selector_key_file=key_path,
            engine=engine,
            spark_master=master,
            duckdb_memory=memory,
        )
