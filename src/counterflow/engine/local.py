"""The embedded engine: DuckDB in process (the default, one machine)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from counterflow.engine.dialect import DUCKDB, Dialect
from counterflow.engine.grouped import GroupFn, whole_groups
from counterflow.settings import DUCKDB_MEMORY, memory_bytes

__all__ = ["LocalEngine", "duckdb_connection", "memory_bytes"]

BATCH_ROWS = 50_000


@lru_cache(maxsize=1)
def _spill_root() -> str:
    """This process's directory for DuckDB's spill files (removed at exit). DuckDB's own default
    for an in-memory database is ``.tmp`` in the working directory."""
    path = tempfile.mkdtemp(prefix="counterflow-duckdb-")
    atexit.register(shutil.rmtree, path, True)
    return path


def spill_directory() -> str:
    """A fresh directory for one connection's spill files: DuckDB names them the same in every
    database, so two connections spilling into one directory overwrite each other's."""
    return tempfile.mkdtemp(dir=_spill_root())


def duckdb_connection(
    threads: int | None = None, memory_limit: str = DUCKDB_MEMORY
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection set up the way every batch stage expects.

    Its memory is capped (``memory_limit``; DuckDB's default is 80% of the machine): a resolution
    run holds its records in Python beside it, and DuckDB keeps what it freed up to its limit. A
    200,000-record ``counterflow resolve`` peaked at 1,073-1,078 MiB with the default and 881-949
    MiB with 256 MB, in the same time (26-28 s, alternated runs, same clusters)."""
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = '{spill_directory()}'")
    return con


class LocalEngine:
    """Batch stages on an in-memory DuckDB connection (``COUNTERFLOW_ENGINE=local``)."""

    name = "local"
    dialect: Dialect = DUCKDB
    distributed = False

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection | None = None,
        *,
        threads: int | None = None,
        memory_limit: str = DUCKDB_MEMORY,
    ) -> None:
        self.con = con if con is not None else duckdb_connection(threads, memory_limit)
        self.memory_limit = memory_bytes(memory_limit)

    @property
    def duckdb(self) -> duckdb.DuckDBPyConnection:
        return self.con

    def reserve_memory(self, nbytes: int) -> None:
        if nbytes > self.memory_limit:
            self.con.execute(f"SET memory_limit = '{nbytes // 2**20}MiB'")
            self.memory_limit = nbytes

    def put(self, name: str, table: pa.Table) -> None:
        self.con.register("cf_engine_arrow", table)
        try:
            self.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM cf_engine_arrow")
        finally:
            self.con.unregister("cf_engine_arrow")

    def load(self, name: str, path: str) -> None:
        glob = (str(path).rstrip("/") + "/**/*.parquet").replace("'", "''")
        self.con.execute(
            f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM "
            f"read_parquet('{glob}', hive_partitioning = true, hive_types_autocast = false)"
        )

    def create(self, name: str, select: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {select}")

    def fetch(self, select: str) -> pa.Table:
        return self.con.execute(select).to_arrow_table()

    def scalar(self, select: str) -> Any:
        row = self.con.execute(select).fetchone()
        return row[0] if row else None

    def drop(self, name: str) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {name}")

    def map_groups(
        self, name: str, source: str, key: str, order: Sequence[str], fn: GroupFn, schema: pa.Schema
    ) -> None:
        cols = ", ".join([key, *order])
        reader = self.con.execute(f"SELECT * FROM {source} ORDER BY {cols}").to_arrow_reader(BATCH_ROWS)
        # Read the whole ordered result before writing: one connection cannot interleave the two.
        results = list(whole_groups(reader, key, fn, schema))
        self.put(name, pa.Table.from_batches(results, schema=schema))

    def splink_api(self) -> Any:
        from splink import DuckDBAPI

        return DuckDBAPI(self.con)

    def close(self) -> None:
        try:
            row = self.con.execute("SELECT current_setting('temp_directory')").fetchone()
        except duckdb.Error:  # closed already
            row = None
        self.con.close()
        spill = Path(str(row[0])) if row else None
        if spill is not None and spill.parent == Path(_spill_root()):
            shutil.rmtree(spill, ignore_errors=True)
