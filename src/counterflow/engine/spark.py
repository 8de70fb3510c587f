"""The distributed engine: Apache Spark (``COUNTERFLOW_ENGINE=spark``).

Tables are Spark temporary views; a created table is checkpointed locally (eager), so each stage
reads the previous one's result rather than recomputing its lineage. The session carries the
string-similarity jar Splink ships, its functions registered (``damerau_levenshtein``…), UTC as
its time zone, a few shuffle partitions for a local master, and no web UI. ``pyspark`` is an
optional dependency (``pip install counterflow[spark]``), imported only when this engine is chosen.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from counterflow.engine.dialect import SPARK, Dialect
from counterflow.engine.grouped import GroupFn, whole_groups
from counterflow.engine.local import duckdb_connection
from counterflow.errors import ConfigurationError
from counterflow.settings import DUCKDB_MEMORY

__all__ = ["SparkEngine", "spark_session"]

log = logging.getLogger(__name__)


def _local_cores(master: str) -> int | None:
    if not master.startswith("local"):
        return None
    inner = master.removeprefix("local").strip("[]") or "1"
    if inner.split(",")[0] == "*":
        return os.cpu_count() or 2
    try:
        return max(1, int(inner.split(",")[0]))
    except ValueError:
        raise ConfigurationError(
            f"not a local Spark master: {master!r} (local, local[N] or local[*])"
        ) from None


def spark_session(master: str, *, driver_memory: str = "2g") -> Any:
    """A Spark session on ``master`` (``local[2]``, ``spark://host:7077``…) set up for Counterflow."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigurationError(
            "COUNTERFLOW_ENGINE=spark needs pyspark: pip install 'counterflow[spark]'"
        ) from None
    from splink.internals.spark.jar_location import get_scala_udfs, similarity_jar_location

    cores = _local_cores(master)
    # Python stages (grouped maps) run in workers that pyspark starts with $PYSPARK_PYTHON, else
    # whatever "python3" is on the path: on a local master it must be this interpreter, which has
    # Counterflow. (A cluster's executors need Counterflow installed, and name their own.)
    if cores is not None:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName("counterflow")
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(max(2, 2 * cores) if cores else 200))
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    for name, java_class, returns in get_scala_udfs():  # type: ignore[no-untyped-call]
        session.udf.registerJavaFunction(name, java_class, returns)
    # Local checkpoints still ask for a directory on this Spark (4.x); a cluster brings its own.
    if not session.sparkContext.getCheckpointDir():
        session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="counterflow-spark-"))
    return session


class SparkEngine:
    """Batch stages as Spark SQL on a session (built from ``master`` unless one is given)."""

    name = "spark"
    dialect: Dialect = SPARK
    distributed = True

    def __init__(
        self,
        session: Any | None = None,
        *,
        master: str = "local[2]",
        threads: int | None = None,
        memory_limit: str = DUCKDB_MEMORY,
    ) -> None:
        self.spark = session if session is not None else spark_session(master)
        self._threads = threads
        self._memory_limit = memory_limit
        self._duckdb: duckdb.DuckDBPyConnection | None = None

    @property
    def duckdb(self) -> duckdb.DuckDBPyConnection:
        """An embedded connection on the driver, for work on a bounded sample (model training)."""
        if self._duckdb is None:
            self._duckdb = duckdb_connection(self._threads, self._memory_limit)
        return self._duckdb

    def reserve_memory(self, nbytes: int) -> None:
        """Spark's executors have their own memory settings; the driver's DuckDB only trains on
        a bounded sample."""

    def put(self, name: str, table: pa.Table) -> None:
        self.spark.createDataFrame(table).createOrReplaceTempView(name)

    def load(self, name: str, path: str) -> None:
        self.spark.read.parquet(path).createOrReplaceTempView(name)

    def create(self, name: str, select: str) -> None:
        self.spark.sql(select).localCheckpoint(eager=True).createOrReplaceTempView(name)

    def fetch(self, select: str) -> pa.Table:
        return self.spark.sql(select).toArrow()

    def scalar(self, select: str) -> Any:
        row = self.spark.sql(select).first()
        return row[0] if row else None

    def drop(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)

    def map_groups(
        self, name: str, source: str, key: str, order: Sequence[str], fn: GroupFn, schema: pa.Schema
    ) -> None:
        from pyspark.sql.pandas.types import from_arrow_schema

        def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            return whole_groups(batches, key, fn, schema)

        frame = (
            self.spark.table(source)
            .repartition(self._partitions(), key)
            .sortWithinPartitions(key, *order)
            .mapInArrow(run, from_arrow_schema(schema))
        )
        frame.localCheckpoint(eager=True).createOrReplaceTempView(name)

    def splink_api(self) -> Any:
        from splink import SparkAPI

        return SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=self.spark, num_partitions_on_repartition=self._partitions()
        )

    def _partitions(self) -> int:
        return int(self.spark.conf.get("spark.sql.shuffle.partitions"))

    def close(self) -> None:
        """Release the driver-side DuckDB; the Spark session is shared and stays up."""
        if self._duckdb is not None:
            self._duckdb.close()
            self._duckdb = None
