"""Batch engines: where the heavy stages run (candidate blocking, scoring, edge aggregation).

``local`` (the default) is DuckDB in process; ``spark`` is Apache Spark (``local[N]`` or a
cluster), chosen by ``COUNTERFLOW_ENGINE`` and ``COUNTERFLOW_SPARK_MASTER``. A stage is written
once against :class:`Engine`: it puts Arrow tables in, materialises SQL selects as tables, reads
results back as Arrow, and hands Splink the engine's database API. SQL that the two engines spell
differently comes from the engine's :class:`~counterflow.engine.dialect.Dialect`; nothing else
forks. Work on a bounded sample (training a scorer) runs on the driver's DuckDB on both engines,
so both score with the same parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from counterflow.engine.dialect import DUCKDB, SPARK, Dialect
from counterflow.engine.grouped import GroupFn
from counterflow.engine.local import LocalEngine
from counterflow.errors import ConfigurationError
from counterflow.settings import Settings

__all__ = ["DUCKDB", "ENGINES", "SPARK", "Dialect", "Engine", "GroupFn", "LocalEngine", "open_engine"]

ENGINES = ("local", "spark")


class Engine(Protocol):
    name: str
    dialect: Dialect
    distributed: bool  # work spread over workers: worth splitting Python stages into groups

    @property
    def duckdb(self) -> duckdb.DuckDBPyConnection:
        """The driver's embedded connection (for bounded work such as training)."""
        ...

    def reserve_memory(self, nbytes: int) -> None:
        """Let the engine hold at least ``nbytes`` in memory for the work at hand (an embedded
        DuckDB raises its limit if lower; a cluster manages its own)."""

    def put(self, name: str, table: pa.Table) -> None:
        """Create (or replace) table ``name`` from an Arrow table."""

    def load(self, name: str, path: str) -> None:
        """Table ``name`` over the Hive-partitioned Parquet dataset at ``path`` (partition values
        read as strings)."""

    def create(self, name: str, select: str) -> None:
        """Materialise ``select`` as table ``name`` (replacing it)."""

    def fetch(self, select: str) -> pa.Table:
        """The rows of ``select``."""
        ...

    def scalar(self, select: str) -> Any:
        """The first column of the first row of ``select`` (None if no row)."""

    def drop(self, name: str) -> None: ...

    def map_groups(
        self, name: str, source: str, key: str, order: Sequence[str], fn: GroupFn, schema: pa.Schema
    ) -> None:
        """Create table ``name`` (of ``schema``) from ``fn`` applied to the rows of ``source``,
        whole groups of equal ``key`` at a time, sorted by ``key`` then ``order`` (see
        :mod:`counterflow.engine.grouped`). ``fn`` runs on the engine's workers: a module-level
        function or a picklable object."""

    def splink_api(self) -> Any:
        """Splink's database API over this engine."""

    def close(self) -> None: ...


def open_engine(
    settings: Settings | None = None, *, name: str | None = None, threads: int | None = None
) -> Engine:
    """The engine ``name`` or, without one, the settings' (``COUNTERFLOW_ENGINE``; local when unset)."""
    settings = settings or Settings.from_env()
    chosen = (name or settings.engine).strip().lower()
    if chosen == "local":
        return LocalEngine(threads=threads, memory_limit=settings.duckdb_memory)
    if chosen == "spark":
        from counterflow.engine.spark import SparkEngine

        return SparkEngine(master=settings.spark_master, threads=threads, memory_limit=settings.duckdb_memory)
    raise ConfigurationError(f"unknown engine {chosen!r}: local or spark", engine=chosen, known=list(ENGINES))
