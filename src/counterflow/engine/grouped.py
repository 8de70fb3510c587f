"""Whole groups of rows through a Python function, in batches: the engines' grouped map.

A stage that must run Python per entity (building a record from its statements, an entity's
graph occurrences, the constrained clustering of one connected component) hands the engine a
function from an Arrow table of *complete* groups (rows sorted by the group key, then by the
stage's order) to an Arrow table of results. The engine feeds it sorted rows, DuckDB from one
ordered scan and Spark from each partition of a repartition by the key, and this module cuts
the stream at group boundaries: a group that straddles two batches is carried into the next
call, so no call ever sees part of a group. Calling the function once per batch of groups
rather than once per group keeps the per-call cost (Arrow to Python and back) off millions of
tiny groups.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

__all__ = ["GroupFn", "whole_groups"]

GroupFn = Callable[[pa.Table], pa.Table]


def _last_group_start(keys: pa.ChunkedArray | pa.Array) -> int:
    """Index of the first row of the last group in a column sorted by key."""
    last = keys[len(keys) - 1]
    if not last.is_valid:
        nulls = pc.is_null(keys)
        return len(keys) - int(pc.sum(nulls).as_py() or 0)
    differs = pc.invert(pc.fill_null(pc.equal(keys, last), False))
    idx = pc.indices_nonzero(differs)
    return int(idx[len(idx) - 1].as_py()) + 1 if len(idx) else 0


def whole_groups(
    batches: Iterable[pa.RecordBatch], key: str, fn: GroupFn, schema: pa.Schema
) -> Iterator[pa.RecordBatch]:
    """``fn`` over ``batches`` (sorted by ``key``) cut at group boundaries; results as batches of
    ``schema``. Every group reaches ``fn`` whole, exactly once."""
    carry: pa.Table | None = None
    for batch in batches:
        if batch.num_rows == 0:
            continue
        table = pa.Table.from_batches([batch])
        if carry is not None:
            table = pa.concat_tables([carry, table.cast(carry.schema)])
        cut = _last_group_start(table.column(key))
        carry = table.slice(cut)
        if cut:
            yield from _apply(fn, table.slice(0, cut), schema)
    if carry is not None and carry.num_rows:
        yield from _apply(fn, carry, schema)


def _apply(fn: GroupFn, table: pa.Table, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    out = fn(table.combine_chunks())
    yield from out.select(schema.names).cast(schema).to_batches()
