"""Graph building on a batch engine: ties aggregated in SQL, components by Splink's clustering.

The map half, each entity's node and occurrences with FollowTheMoney's semantics, is
:func:`~counterflow.graph.build.nodes_and_occurrences`, the same Python the in-memory builder runs. The
reduce half sums every occurrence of a (source, target, relation) into one tie: its count, its
recency-weighted strength (``2^(−age/half_life)`` per occurrence, age in days before the latest
occurrence or ``now``), its first and last times, its statements and intermediaries. That half
is one SQL statement the engine runs, DuckDB or Spark; the in-memory
:func:`~counterflow.graph.build.build_graph` is its oracle, and the tests hold the two equal.

Connected components come from Splink's clustering (connected components in SQL, on the same
engine: :mod:`counterflow.engine.components`), so they too need no second implementation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from counterflow.engine import Engine
from counterflow.engine.components import connected_components
from counterflow.graph.build import (
    DIRECTED,
    EntityGraph,
    Occurrence,
    Tie,
    _day,
    add_endpoint_nodes,
    nodes_and_occurrences,
    shared_selector_ties,
)
from counterflow.model.statement import Statement

__all__ = ["OCCURRENCES", "aggregate_ties", "build_graph_on", "components", "occurrence_batches"]

OCCURRENCES = pa.schema(
    [
        ("a", pa.string()),
        ("b", pa.string()),
        ("relation", pa.string()),
        ("seen", pa.string()),
        ("day", pa.date32()),
        ("statements", pa.list_(pa.string())),
        ("via", pa.list_(pa.string())),
    ]
)
BATCH = 50_000


def _table(rows: list[Occurrence]) -> pa.Table:
    a, b, rel, seen, day, ids, via = [], [], [], [], [], [], []
    for x, y, r, t, s, v in rows:
        if r not in DIRECTED and y < x:
            x, y = y, x
        a.append(x)
        b.append(y)
        rel.append(r)
        seen.append(t)
        day.append(_day(t))
        ids.append(sorted(s))
        via.append(sorted(v))
    return pa.table([a, b, rel, seen, day, ids, via], schema=OCCURRENCES)


def occurrence_batches(occurrences: Iterable[Occurrence], size: int = BATCH) -> Iterator[pa.Table]:
    """Occurrences as Arrow tables of at most ``size`` rows (undirected ties in a canonical order)."""
    chunk: list[Occurrence] = []
    for occ in occurrences:
        chunk.append(occ)
        if len(chunk) >= size:
            yield _table(chunk)
            chunk = []
    if chunk:
        yield _table(chunk)


def aggregate_ties(
    engine: Engine,
    source: str,
    target: str,
    *,
    half_life_days: float | None = 180.0,
    now: date | None = None,
    window: tuple[date | None, date | None] | None = None,
) -> date:
    """Create table ``target`` (one row per tie) from the occurrences in ``source``; returns the
    reference day of the weights (``now``, else the latest occurrence, else today)."""
    d = engine.dialect
    latest = engine.scalar(f"SELECT max(day) FROM {source}")
    ref = now or (latest if isinstance(latest, date) else None) or date.today()
    # Doubles throughout: Spark reads a literal such as 30.0 as a decimal and would round the age.
    one = "CAST(1 AS DOUBLE)"
    weight = one
    if half_life_days is not None:
        age = f"CAST(greatest(0, {d.days('day', f'DATE {_quote(ref)}')}) AS DOUBLE)"
        half = f"CAST({float(half_life_days)!r} AS DOUBLE)"
        weight = f"CASE WHEN day IS NULL THEN {one} ELSE pow(CAST(2 AS DOUBLE), -{age} / {half}) END"
    where = ""
    if window is not None:
        start, end = window
        where = "WHERE day IS NOT NULL"
        where += f" AND day >= DATE {_quote(start)}" if start else ""
        where += f" AND day <= DATE {_quote(end)}" if end else ""
    engine.create(
        target,
        f"""
        SELECT a AS source, b AS target, relation, count(*) AS n, sum(w) AS weight,
               min(seen) AS first, max(seen) AS last,
               {d.union("statements")} AS statements, {d.union("via")} AS via
        FROM (SELECT a, b, relation, seen, statements, via, {weight} AS w FROM {source} {where}) o
        GROUP BY a, b, relation
        """,
    )
    return ref


def _quote(day: date) -> str:
    return f"'{day.isoformat()}'"


def build_graph_on(
    engine: Engine,
    statements: Iterable[Statement],
    *,
    canonical: Callable[[str], str] | None = None,
    half_life_days: float | None = 180.0,
    now: date | None = None,
    window: tuple[date | None, date | None] | None = None,
    max_shared: int = 50,
) -> EntityGraph:
    """:func:`~counterflow.graph.build.build_graph`, its ties aggregated by ``engine``."""
    g, occurrences = nodes_and_occurrences(statements, canonical)
    tables = list(occurrence_batches(occurrences))
    engine.put("cf_occurrences", pa.concat_tables(tables) if tables else OCCURRENCES.empty_table())
    aggregate_ties(engine, "cf_occurrences", "cf_ties", half_life_days=half_life_days, now=now, window=window)
    rows: dict[str, list[Any]] = engine.fetch(
        "SELECT source, target, relation, n, weight, first, last, statements, via FROM cf_ties "
        "ORDER BY source, target, relation"
    ).to_pydict()
    for a, b, rel, n, w, first, last, ids, via in zip(*rows.values(), strict=True):
        g.ties[(a, b, rel)] = Tie(a, b, rel, int(n), float(w), first, last, set(ids), set(via))
    add_endpoint_nodes(g)
    shared_selector_ties(g, max_shared)
    return g


def components(engine: Engine, ties: str, *, nodes: str | None = None) -> dict[str, str]:
    """Connected components of the ties in table ``ties`` (columns ``source``, ``target``) on
    ``engine``: node → its component, named by its smallest node id. ``nodes`` (a table with a
    ``node`` column) adds isolated nodes as their own components."""
    engine.create("cf_cc_ties", f"SELECT source AS l, target AS r FROM {ties}")
    extra = f"SELECT node FROM {nodes}" if nodes is not None else None
    connected_components(engine, "cf_cc_ties", "cf_cc_found", nodes=extra)
    table = engine.fetch("SELECT node, component FROM cf_cc_found").to_pydict()
    engine.drop("cf_cc_ties")
    engine.drop("cf_cc_found")
    return dict(zip(table["node"], table["component"], strict=True))
