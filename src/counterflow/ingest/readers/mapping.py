"""Spreadsheets (CSV, xlsx) through a YAML mapping, into native reports.

Each row gives at most one entity per mapping entity; an entity's local id is
``<mapping entity name>-<first 16 hex of sha1 of its key values joined by \\x1f>``, so
the same keys give the same entity in every row, part and file of an agency. Within a
report the rows of one entity are merged (union of values), so entity ids are unique.

A file becomes one report (``report.id``, a template) or one report per distinct value
of ``report.id_column``. A report longer than ``PART_ROWS`` rows is cut into parts,
each its own report: ``<id>#1``, ``<id>#2``… (a report that fits in one part keeps its
plain id). Rows are streamed; at most one part per open report is held in memory, and
with ``id_column`` at most ``MAX_OPEN_ROWS_PARTS`` parts' worth of rows over all open
reports (the largest is cut early when that is exceeded, so keep a report's rows together).

Problems of the file or of a row (see ``tables``; an empty ``required`` cell; an
ambiguous date under ``monthfirst``) reject the part with every problem found. The
values are otherwise passed on as written: ``parse_report`` normalises and validates
them, and the ``locate`` function of each report turns its problem paths into
``file row N, column C``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counterflow.errors import ConfigurationError, InvalidValue, Problem
from counterflow.ingest.readers import base
from counterflow.ingest.readers.base import RawReport, ReaderItem, Rejected
from counterflow.ingest.readers.header import ReportHeader
from counterflow.ingest.readers.mapping_spec import (
    EntitySpec,
    Mapping,
    PropertySpec,
    load_mapping,
    shipped_mappings,
)
from counterflow.ingest.readers.tables import FileRejected, Row, Table, open_table
from counterflow.model.normalise import normalise_date
from counterflow.model.roles import parse_role

__all__ = ["Mapping", "ReportHeader", "load_mapping", "read_mapped", "shipped_mappings"]

MAX_PROBLEMS = 1000  # per part; the rest are counted
MAX_OPEN_ROWS_PARTS = 4  # with id_column: open rows over all reports ≤ this many parts
_PATH = re.compile(r"^entities\[(\d+)\](?:\.properties\.(\w+)\[(\d+)\](.*)|\.roles\[(\d+)\]|(.*))$")
_NUMERIC_DATE = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b")

Where = tuple[int, str]  # (row number, "column caller")


@dataclass
class _Seen:
    """Where a value was first read, and every (normalised) observation date of it."""

    where: Where
    observed: set[str | None] = field(default_factory=set)


@dataclass
class _Entity:
    local_id: str
    spec: EntitySpec
    row: int
    values: dict[str, dict[str, _Seen]] = field(default_factory=dict)
    roles: dict[str, Where] = field(default_factory=dict)
    observed: set[str | None] = field(default_factory=set)


@dataclass
class _Part:
    """The rows of one report part, merged into entities, with their problems."""

    path: Path
    header: ReportHeader
    first_row: int = 0
    last_row: int = 0
    rows: int = 0
    entities: dict[str, _Entity] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    dropped: int = 0
    reported_at: tuple[str, int] | None = None

    def problem(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.dropped += 1

    def finish(self, report_id: str, reported_at_column: str | None) -> ReaderItem:
        """The part as a native report (or a rejection listing its problems) under ``report_id``."""
        name = self.path.name
        source = f"{self.path} rows {self.first_row}-{self.last_row}"
        if reported_at_column and self.reported_at is None:
            self.problem(
                Problem(
                    f"{name} rows {self.first_row}-{self.last_row}, column {reported_at_column}",
                    None,
                    "no reported_at date in any row of this report",
                )
            )
        if self.problems:
            extra = [Problem(name, None, f"and {self.dropped} more problems")] if self.dropped else []
            return Rejected(source, report_id, self.problems + extra)
        data = self.header.native(report_id, self.reported_at[0] if self.reported_at else None)
        places: dict[tuple[int, str, int], Where] = {}
        entities = [self._native(ent, i, places) for i, ent in enumerate(self.entities.values())]
        data["entities"] = entities
        rows = (self.first_row, self.last_row)
        return RawReport(source, data, _locator(name, rows, places, reported_at_column, self.reported_at))

    @staticmethod
    def _native(ent: _Entity, i: int, places: dict[tuple[int, str, int], Where]) -> dict[str, Any]:
        # One observation date for the whole entity goes on the entity; otherwise each value
        # carries its earliest date as observed_at and first_seen, and its latest as last_seen.
        one_time = len(ent.observed) == 1
        out: dict[str, Any] = {"id": ent.local_id, "schema": ent.spec.schema}
        if one_time and None not in ent.observed:
            out["observed_at"] = next(iter(ent.observed))
        places[(i, "", 0)] = (ent.row, "")
        props: dict[str, list[Any]] = {}
        for prop, values in ent.values.items():
            items: list[Any] = []
            for j, (value, seen) in enumerate(values.items()):
                places[(i, prop, j)] = seen.where
                if one_time:
                    items.append(value)
                    continue
                dates = sorted(d for d in seen.observed if d is not None)
                if not dates:
                    items.append(value)
                    continue
                item = {"value": value, "observed_at": dates[0]}
                if len(dates) > 1:
                    item.update(first_seen=dates[0], last_seen=dates[-1])
                items.append(item)
            props[prop] = items
        out["properties"] = props
        if ent.roles:
            out["roles"] = list(ent.roles)
            for j, where in enumerate(ent.roles.values()):
                places[(i, "#roles", j)] = where
        return out


@dataclass(frozen=True)
class _Locator:
    """Maps a problem path in the built report back to file, row and column (picklable for workers)."""

    name: str
    rows: tuple[int, int]
    places: dict[tuple[int, str, int], Where]
    reported_at_column: str | None
    reported_at: tuple[str, int] | None

    def __call__(self, path: str) -> str:
        m = _PATH.match(path)
        if m is None:
            if path == "reported_at" and self.reported_at_column and self.reported_at:
                return f"{self.name} row {self.reported_at[1]}, column {self.reported_at_column}"
            return f"{self.name} rows {self.rows[0]}-{self.rows[1]} (mapping report section: {path})"
        i = int(m.group(1))
        if m.group(2) is not None:
            where = self.places.get((i, m.group(2), int(m.group(3))))
        elif m.group(5) is not None:
            where = self.places.get((i, "#roles", int(m.group(5))))
        else:
            where = self.places.get((i, "", 0))
        if where is None:
            return f"{self.name} ({path})"
        row, col = where
        return f"{self.name} row {row}" + (f", {col}" if col else "") + (f" ({path})" if not col else "")


def _locator(
    name: str,
    rows: tuple[int, int],
    places: dict[tuple[int, str, int], Where],
    reported_at_column: str | None,
    reported_at: tuple[str, int] | None,
) -> Callable[[str], str]:
    return _Locator(name, rows, places, reported_at_column, reported_at)


class _Reader:
    def __init__(self, path: Path, mapping: Mapping, table: Table) -> None:
        report = mapping.report
        assert report.header is not None
        self.path, self.mapping, self.header, self.report = path, mapping, report.header, report
        self.index = table.index()
        self.monthfirst = mapping.source.date_format == "monthfirst"
        self.template = None if report.id_column else (report.header.report_id or "")

    def cell(self, row: Row, column: str) -> str:
        return row.values[self.index[column]] if row.values else ""

    def column_report_id(self, row: Row) -> str | None:
        assert self.report.id_column is not None
        return self.cell(row, self.report.id_column) or None

    def date(self, part: _Part, row: Row, column: str, value: str, *, always: bool = False) -> str | None:
        """A date cell as ISO 8601, or ``None`` after recording a problem.

        Property dates are left as written (``parse_report`` normalises them) except
        numeric dates under ``monthfirst``, which parse_report would read day first.
        Report and observation dates (``always``) are normalised here, to be compared.
        """
        if not always and (not self.monthfirst or not _NUMERIC_DATE.match(value)):
            return value
        try:
            return normalise_date(value, dayfirst=not self.monthfirst).value
        except InvalidValue as exc:
            part.problem(Problem(f"{self.path.name} row {row.number}, column {column}", value, exc.reason))
            return None

    def add(self, part: _Part, row: Row) -> None:
        part.rows += 1
        part.first_row = part.first_row or row.number
        part.last_row = row.number
        for problem in row.problems:
            part.problem(problem)
        if not row.values or row.fatal or not any(row.values):
            return
        name = self.path.name
        if self.report.reported_at_column:
            col = self.report.reported_at_column
            cell = self.cell(row, col)
            value = self.date(part, row, col, cell, always=True) if cell else None
            if value and part.reported_at is None:
                part.reported_at = (value, row.number)
            elif value and part.reported_at is not None and value != part.reported_at[0]:
                part.problem(
                    Problem(
                        f"{name} row {row.number}, column {col}",
                        value,
                        f"reported_at differs from {part.reported_at[0]!r} (row "
                        f"{part.reported_at[1]}) in the same report",
                    )
                )
        observed = None
        if self.report.observed_at_column:
            raw = self.cell(row, self.report.observed_at_column)
            observed = self.date(part, row, self.report.observed_at_column, raw, always=True) if raw else None
        ids: dict[str, str] = {}
        for spec in self.mapping.entities:
            keys = [self.cell(row, k) for k in spec.keys]
            if any(keys):
                digest = hashlib.sha1("\x1f".join(keys).encode("utf-8", "surrogateescape")).hexdigest()[:16]
                ids[spec.name] = f"{spec.name.replace('_', '-')}-{digest}"
        for spec in self.mapping.entities:
            if spec.name in ids:
                self.add_entity(part, row, spec, ids, observed)
            else:
                for prop in spec.properties:
                    if prop.required:
                        part.problem(
                            Problem(
                                f"{name} row {row.number}, columns {', '.join(spec.keys)}",
                                None,
                                f"{spec.name} has a required {prop.name} but its key columns are all empty",
                            )
                        )

    def add_entity(
        self, part: _Part, row: Row, spec: EntitySpec, ids: dict[str, str], observed: str | None
    ) -> None:
        local_id = ids[spec.name]
        ent = part.entities.get(local_id)
        if ent is None:
            ent = part.entities[local_id] = _Entity(local_id, spec, row.number)
        ent.observed.add(observed)
        for prop in spec.properties:
            values = self.values(part, row, prop, ids)
            if not values and prop.required:
                part.problem(
                    Problem(
                        f"{self.path.name} row {row.number}, {prop.label}",
                        None,
                        f"required value of {spec.name}.{prop.name} is empty",
                    )
                )
            if not values:
                continue
            bucket = ent.values.setdefault(prop.name, {})
            for value in values:
                seen = bucket.get(value)
                if seen is None:
                    seen = bucket[value] = _Seen((row.number, prop.label))
                seen.observed.add(observed)
        roles = list(spec.roles)
        if spec.roles_column:
            for raw in self.cell(row, spec.roles_column).split(","):
                if raw.strip():
                    try:
                        roles.append(parse_role(raw).value)
                    except InvalidValue as exc:
                        part.problem(
                            Problem(
                                f"{self.path.name} row {row.number}, column {spec.roles_column}",
                                raw.strip(),
                                exc.reason,
                            )
                        )
        for role in roles:
            label = f"column {spec.roles_column}" if spec.roles_column else "mapping roles"
            ent.roles.setdefault(role, (row.number, label))

    def values(self, part: _Part, row: Row, prop: PropertySpec, ids: dict[str, str]) -> list[str]:
        if prop.entity is not None:
            return [ids[prop.entity]] if prop.entity in ids else []
        if prop.literal is not None:
            return [prop.literal]
        if prop.column is not None:
            cell = row.values[self.index[prop.column]] if row.values else ""
        else:
            cell = prop.join.join(v for c in prop.columns if (v := self.cell(row, c)))
        if not cell:
            return []
        pieces = [p.strip() for p in cell.split(prop.split)] if prop.split else [cell]
        if not prop.is_date:
            return [p for p in pieces if p]
        column = prop.column or ", ".join(prop.columns)
        return [d for p in pieces if p and (d := self.date(part, row, column, p))]


def _check(path: Path, mapping: Mapping, table: Table) -> None:
    problems: list[str] = []
    report = mapping.report
    if report.header is None:
        problems.append(
            f"mapping {mapping.name} has no report header (agency, grading, handling, "
            "classification): extend it with a report: section or give the header options"
        )
    else:
        if not report.header.report_id and not report.id_column:
            problems.append(f"mapping {mapping.name}: the report needs an id or id_column")
        if not report.header.reported_at and not report.reported_at_column:
            problems.append(f"mapping {mapping.name}: the report needs reported_at or reported_at_column")
    present = set(table.header)
    missing = [c for c in mapping.columns() if c not in present]
    if missing:
        problems.append(
            f"{path.name}: columns missing from the header row: {', '.join(missing)} "
            f"(header: {', '.join(table.header)})"
        )
    dupes = sorted({c for c in mapping.columns() if table.header.count(c) > 1})
    if dupes:
        problems.append(f"{path.name}: columns appearing twice in the header row: {', '.join(dupes)}")
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise ConfigurationError(
            f"mapping {mapping.name} does not fit {path.name}:\n{lines}",
            mapping=mapping.name,
            file=str(path),
            problems=problems,
        )


def read_mapped(path: Path, mapping: Mapping, *, part_rows: int | None = None) -> Iterator[ReaderItem]:
    """Reports from a CSV or xlsx file read through ``mapping``.

    Raises ConfigurationError (on the first ``next``) if the mapping lacks a report
    header or the file lacks columns the mapping reads; yields ``Rejected`` for a file
    that cannot be read and for each part with bad rows.
    """
    limit = part_rows or base.PART_ROWS
    try:
        with open_table(path, mapping.source) as table:
            _check(path, mapping, table)
            reader = _Reader(path, mapping, table)
            if reader.template is not None:
                yield from _by_file(reader, table, limit)
            else:
                yield from _by_column(reader, table, limit)
    except FileRejected as exc:
        yield Rejected(str(path), path.name, exc.problems)


def _new_part(reader: _Reader) -> _Part:
    return _Part(reader.path, reader.header)


def _by_file(reader: _Reader, table: Table, limit: int) -> Iterator[ReaderItem]:
    report_id = (reader.template or "").format(file_stem=reader.path.stem, file_name=reader.path.name)
    part, n = _new_part(reader), 0
    column = reader.report.reported_at_column
    for row in table.rows:
        if part.rows >= limit:
            n += 1
            yield part.finish(f"{report_id}#{n}", column)
            part = _new_part(reader)
        reader.add(part, row)
    if part.rows:
        yield part.finish(report_id if n == 0 else f"{report_id}#{n + 1}", column)


def _by_column(reader: _Reader, table: Table, limit: int) -> Iterator[ReaderItem]:
    open_parts: dict[str, _Part] = {}
    counts: dict[str, int] = {}
    orphans = _new_part(reader)
    column = reader.report.reported_at_column
    id_column = reader.report.id_column
    for row in table.rows:
        if row.fatal:  # nothing after this row was read: every open report may be incomplete
            for target in [*open_parts.values()] or [orphans]:
                reader.add(target, row)
            continue
        report_id = reader.column_report_id(row) if any(row.values) else None
        if report_id is None:
            if row.problems or any(row.values):
                orphans.rows += 1
                orphans.first_row = orphans.first_row or row.number
                orphans.last_row = row.number
                for problem in row.problems:
                    orphans.problem(problem)
                if any(row.values):
                    orphans.problem(
                        Problem(
                            f"{reader.path.name} row {row.number}, column {id_column}",
                            None,
                            "empty report id: the row belongs to no report",
                        )
                    )
            continue
        part = open_parts.get(report_id)
        if part is not None and part.rows >= limit:
            counts[report_id] = counts.get(report_id, 0) + 1
            yield part.finish(f"{report_id}#{counts[report_id]}", column)
            part = None
        if part is None:
            part = open_parts[report_id] = _new_part(reader)
        reader.add(part, row)
        if sum(p.rows for p in open_parts.values()) > MAX_OPEN_ROWS_PARTS * limit:
            big = max(open_parts, key=lambda k: open_parts[k].rows)
            counts[big] = counts.get(big, 0) + 1
            yield open_parts.pop(big).finish(f"{big}#{counts[big]}", column)
    for report_id, part in open_parts.items():
        n = counts.get(report_id, 0)
        yield part.finish(report_id if n == 0 else f"{report_id}#{n + 1}", column)
    if orphans.problems:
        yield Rejected(
            f"{reader.path} rows {orphans.first_row}-{orphans.last_row}",
            f"{reader.path.name} (rows without a report id)",
            orphans.problems,
        )
