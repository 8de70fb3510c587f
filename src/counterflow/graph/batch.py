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
    Node,
    Occurrence,
    Tie,
    _day,
    add_endpoint_nodes,
    nodes_and_occurrences,
    shared_selector_ties,
)
from counterflow.model.statement import Statement

__all__ = [
    "OCCURRENCES",
    "EntityOccurrences",
    "aggregate_ties",
    "build_graph_from",
    "build_graph_on",
    "components",
    "occurrence_batches",
]

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
    """:func:`~counterflow.graph.build.build_graph`, its ties aggregated by ``engine`` (the
    statements read on the driver; :func:`build_graph_from` reads them on the engine)."""
    g, occurrences = nodes_and_occurrences(statements, canonical)
    tables = list(occurrence_batches(occurrences))
    engine.put("cf_occurrences", pa.concat_tables(tables) if tables else OCCURRENCES.empty_table())
    return _finish(engine, g, half_life_days=half_life_days, now=now, window=window, max_shared=max_shared)


# -- the map half on the engine too ----------------------------------------------------------------

ROWS = pa.schema(
    [
        ("row", pa.string()),  # "node" or "occurrence"
        *[OCCURRENCES.field(i) for i in range(len(OCCURRENCES))],
        ("schema", pa.string()),
        ("caption", pa.string()),
        ("roles", pa.list_(pa.string())),
        ("country", pa.string()),
    ]
)


class EntityOccurrences:
    """The grouped map: an entity's statements (after the canonical mapping) in, its node and
    occurrences out, by the builder's own :func:`~counterflow.graph.build.nodes_and_occurrences`."""

    def __call__(self, table: pa.Table) -> pa.Table:
        cols: dict[str, list[Any]] = table.to_pydict()
        rows = zip(cols["entity"], cols["id"], cols["schema"], cols["prop"], cols["prop_type"],
                   cols["value"], cols["seen"], strict=True)  # fmt: skip
        statements = (_Seen(e, i, sc, p, t, v, seen) for e, i, sc, p, t, v, seen in rows)
        g, occurrences = nodes_and_occurrences(statements)  # type: ignore[arg-type]
        occ = pa.concat_tables(list(occurrence_batches(occurrences)) or [OCCURRENCES.empty_table()])
        nodes = list(g.nodes.values())
        none = [None] * len(nodes)
        node_rows = pa.table(
            {
                "row": ["node"] * len(nodes),
                "a": [n.id for n in nodes],
                "b": none,
                "relation": none,
                "seen": none,
                "day": pa.array(none, pa.date32()),
                "statements": pa.array(none, pa.list_(pa.string())),
                "via": pa.array(none, pa.list_(pa.string())),
                "schema": [n.schema for n in nodes],
                "caption": [n.caption for n in nodes],
                "roles": [sorted(n.roles) for n in nodes],
                "country": [n.country for n in nodes],
            },
            schema=ROWS,
        )
        occ_rows = occ.append_column("row", pa.array(["occurrence"] * occ.num_rows, pa.string()))
        for name in ("schema", "caption", "country"):
            occ_rows = occ_rows.append_column(name, pa.nulls(occ.num_rows, pa.string()))
        occ_rows = occ_rows.append_column("roles", pa.nulls(occ.num_rows, pa.list_(pa.string())))
        return pa.concat_tables([node_rows, occ_rows.select(ROWS.names).cast(ROWS)])


class _Seen:
    """The statement fields graph building reads (a row already mapped to canonical ids)."""

    __slots__ = ("entity_id", "id", "observed_at", "prop", "prop_type", "reported_at", "schema", "value")

    def __init__(
        self, entity: str, sid: str, schema: str, prop: str, ptype: str, value: str, seen: str
    ) -> None:
        self.entity_id, self.id, self.schema, self.prop = entity, sid, schema, prop
        self.prop_type, self.value, self.observed_at, self.reported_at = ptype, value, seen, seen


def build_graph_from(
    engine: Engine,
    statements: str,
    *,
    canonical: str | None = None,
    half_life_days: float | None = 180.0,
    now: date | None = None,
    window: tuple[date | None, date | None] | None = None,
    max_shared: int = 50,
) -> EntityGraph:
    """:func:`~counterflow.graph.build.build_graph` of the statements in table ``statements`` (the
    columns of a Parquet export), read, mapped and aggregated on ``engine``: only the nodes and
    the summed ties come back to the driver. ``canonical``: a table (``entity_id``, ``canonical``)
    mapping records to their resolved entity; entities missing from it stand for themselves.

    Each canonical entity's statements reach the builder in (record id, statement id) order, the
    order the store gives them, so captions and every other first-seen choice agree."""
    mapping = canonical or "cf_no_canonical"
    if canonical is None:
        empty = pa.schema([("entity_id", pa.string()), ("canonical", pa.string())]).empty_table()
        engine.put("cf_no_canonical", empty)
    engine.create(
        "cf_graph_rows",
        f"""
        SELECT coalesce(c.canonical, s.entity_id) AS entity, s.entity_id, s.id, s.schema, s.prop,
               s.prop_type,
               CASE WHEN s.prop_type = 'entity' THEN coalesce(v.canonical, s.value) ELSE s.value END
                   AS value,
               CASE WHEN s.observed_at IS NULL OR s.observed_at = '' THEN s.reported_at
                    ELSE s.observed_at END AS seen
        FROM {statements} s
        LEFT JOIN {mapping} c ON c.entity_id = s.entity_id
        LEFT JOIN {mapping} v ON s.prop_type = 'entity' AND v.entity_id = s.value
        """,
    )
    engine.map_groups(
        "cf_graph_out", "cf_graph_rows", "entity", ["entity_id", "id"], EntityOccurrences(), ROWS
    )
    engine.create(
        "cf_occurrences",
        "SELECT a, b, relation, seen, day, statements, via FROM cf_graph_out WHERE row = 'occurrence'",
    )
    nodes: dict[str, list[Any]] = engine.fetch(
        "SELECT a, schema, caption, roles, country FROM cf_graph_out WHERE row = 'node' ORDER BY a"
    ).to_pydict()
    g = EntityGraph()
    for nid, schema, caption, roles, country in zip(*nodes.values(), strict=True):
        g.nodes[nid] = Node(nid, "entity", schema, caption, set(roles), country)
    for name in ("cf_graph_rows", "cf_graph_out", "cf_no_canonical"):
        engine.drop(name)
    return _finish(engine, g, half_life_days=half_life_days, now=now, window=window, max_shared=max_shared)


def _finish(
    engine: Engine,
    g: EntityGraph,
    *,
    half_life_days: float | None,
    now: date | None,
    window: tuple[date | None, date | None] | None,
    max_shared: int,
) -> EntityGraph:
    """Sum the occurrences in ``cf_occurrences`` into ``g``'s ties, then the builder's last steps."""
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
