"""Statements to and from Parquet, partitioned by agency and report date.

The hand-over between the store and a batch engine at national scale: ``export_statements``
writes every statement (or every one a viewer may see) as a Hive-partitioned Parquet dataset,
``agency=<code>/date=<YYYY-MM-DD>/part-N.parquet``, the date being the day the report was made.
Spark and DuckDB read it directly (partition values stay strings: Counterflow's Spark session
turns type inference of partition columns off). A manifest (``_counterflow.json``, ignored by
both readers for its leading underscore) records the rows per agency and the store's content
version at export.

The export is all or nothing: it is written beside the target and renamed into place once
complete, so a reader never sees half of one. Exporting is a disclosure of what it contains and
is written to the processing log before any row leaves the store.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.dataset as pads  # type: ignore[import-untyped]
from sqlalchemy import select

from counterflow.errors import ConfigurationError, InvalidValue
from counterflow.model.statement import Statement
from counterflow.model.visibility import Viewer
from counterflow.store import audit_chain, schema
from counterflow.store.rows import row_to_statement, statement_to_row
from counterflow.store.sql import SqlStore
from counterflow.store.visibility import restrict

__all__ = [
    "MANIFEST",
    "PARQUET_SCHEMA",
    "ParquetExport",
    "export_statements",
    "read_statements",
    "statement_table",
]

EXPORT_FORMAT = "counterflow.statements.parquet/1"
MANIFEST = "_counterflow.json"
PARTITIONS = ("agency", "date")
_INTEGERS = {"handling_rank", "class_level"}
PARQUET_SCHEMA = pa.schema(
    [(name, pa.int32() if name in _INTEGERS else pa.string()) for name in schema.STATEMENT_COLUMNS]
    + [("date", pa.string())]
)
_OPEN_FILES = 16
_PARTITIONING = pads.partitioning(pa.schema([("agency", pa.string()), ("date", pa.string())]), flavor="hive")


@dataclass(slots=True)
class ParquetExport:
    """What an export holds (the manifest)."""

    format: str
    path: str
    created_at: str
    actor: str
    viewer: str | None
    statements: int
    by_agency: dict[str, int] = field(default_factory=dict)
    partitions: int = 0
    reports_held: list[Any] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _batch(rows: list[Any]) -> pa.RecordBatch:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema.STATEMENT_COLUMNS]
    arrays = [pa.array(col, type=PARQUET_SCHEMA.field(i).type) for i, col in enumerate(columns)]
    reported = columns[schema.STATEMENT_COLUMNS.index("reported_at")]
    arrays.append(pa.array([str(r)[:10] for r in reported], pa.string()))
    return pa.RecordBatch.from_arrays(arrays, schema=PARQUET_SCHEMA)


def statements_to_arrow(statements: Iterable[Statement]) -> pa.Table:
    """Statements as an Arrow table of the export's columns (for an engine to read)."""
    return pa.Table.from_batches([_batch([statement_to_row(s) for s in statements])], schema=PARQUET_SCHEMA)


def export_statements(
    store: SqlStore,
    out_dir: Path,
    *,
    actor: str,
    viewer: Viewer | None = None,
    batch: int = 20_000,
    progress: Callable[[int], None] | None = None,
) -> ParquetExport:
    """Write the store's statements (those ``viewer`` may see, if given) to ``out_dir`` (new)."""
    out_dir = Path(out_dir)
    if out_dir.exists():
        raise ConfigurationError(f"{out_dir} already exists: export to a new directory", path=str(out_dir))
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    st = schema.statements
    # In partition order, so that each partition's file is written whole and closed: the writer
    # then holds a few open files, not one per partition (thousands at national scale).
    query = select(*(st.c[name] for name in schema.STATEMENT_COLUMNS)).order_by(st.c.agency, st.c.reported_at)
    if viewer is not None:
        query = restrict(query, viewer)
    reports = store.reports_held()
    with store.engine.begin() as conn:
        audit_chain.append(
            conn,
            actor=actor,
            action="disclosure",
            object_type="store",
            object_id=out_dir.name,
            recipients=[f"parquet:{out_dir.name}"],
            details={"directory": str(out_dir.resolve()), "viewer": viewer.user if viewer else None},
        )
    by_agency: dict[str, int] = {}
    agency_at = schema.STATEMENT_COLUMNS.index("agency")

    def batches() -> Iterator[pa.RecordBatch]:
        with store.engine.connect() as conn:
            if store.dialect == "sqlite":  # the sort spills to disk, not to the store's memory temp store
                conn.exec_driver_sql("PRAGMA temp_store=FILE")
            try:
                result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
                for part in result.partitions(batch):
                    rows = [tuple(r) for r in part]
                    for r in rows:
                        by_agency[r[agency_at]] = by_agency.get(r[agency_at], 0) + 1
                    if progress:
                        progress(len(rows))
                    yield _batch(rows)
            finally:
                if store.dialect == "sqlite":
                    conn.exec_driver_sql("PRAGMA temp_store=MEMORY")

    partial = out_dir.with_name(f".{out_dir.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    written: list[str] = []
    try:
        pads.write_dataset(
            pa.RecordBatchReader.from_batches(PARQUET_SCHEMA, batches()),
            partial,
            format="parquet",
            partitioning=_PARTITIONING,
            basename_template="part-{i}.parquet",
            existing_data_behavior="error",
            max_open_files=_OPEN_FILES,
            file_visitor=lambda f: written.append(f.path),
        )
        partial.mkdir(exist_ok=True)  # an empty store still exports an (empty) dataset
        found = ParquetExport(
            format=EXPORT_FORMAT,
            path=str(out_dir),
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            actor=actor,
            viewer=viewer.user if viewer else None,
            statements=sum(by_agency.values()),
            by_agency=dict(sorted(by_agency.items())),
            partitions=len({str(Path(p).parent) for p in written}),
            reports_held=list(reports),
        )
        (partial / MANIFEST).write_text(json.dumps(found.to_dict(), indent=2) + "\n", encoding="utf-8")
        os.rename(partial, out_dir)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return found


def read_manifest(path: Path) -> ParquetExport:
    """The manifest of an export (refusing a directory that is not one)."""
    file = Path(path) / MANIFEST
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"{path} is not a Counterflow statements export ({exc})", path=str(path)
        ) from None
    if data.get("format") != EXPORT_FORMAT:
        raise ConfigurationError(
            f"{path}: export format {data.get('format')!r}, this code reads {EXPORT_FORMAT}", path=str(path)
        )
    return ParquetExport(**data)


def whole_store_export(path: Path, why: str) -> ParquetExport:
    """The manifest of an export of every statement, refusing one made for one viewer (a system
    process over what one user saw would judge with part of the evidence). ``why``: what for."""
    manifest = read_manifest(path)
    if manifest.viewer is not None:
        raise InvalidValue(
            "statements",
            str(path),
            f"exported for {manifest.viewer}, not the whole store, so it cannot serve {why}: "
            "export again as an administrator",
        )
    return manifest


def statement_table(path: Path, *, agencies: list[str] | None = None) -> pa.Table:
    """An export's statements as one Arrow table (optionally of some agencies only: the
    partitions of the others are not read)."""
    read_manifest(path)
    dataset = pads.dataset(Path(path), format="parquet", partitioning=_PARTITIONING, schema=PARQUET_SCHEMA)
    flt = pads.field("agency").isin(agencies) if agencies is not None else None
    return dataset.to_table(filter=flt)


def read_statements(path: Path, *, agencies: list[str] | None = None) -> Iterator[Statement]:
    """An export's statements, rebuilt as the store would return them."""
    table = statement_table(path, agencies=agencies).select(list(schema.STATEMENT_COLUMNS))
    for rb in table.to_batches():
        for row in zip(*(col.to_pylist() for col in rb.columns), strict=True):
            yield row_to_statement(row)
