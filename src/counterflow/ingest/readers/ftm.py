"""FollowTheMoney entities (JSON lines) and statements (CSV), into native reports.

FtM data carries entities but no intelligence metadata: agency, report id, date,
grading, handling and classification come from a ``ReportHeader`` (command-line
options or a YAML ``report:`` section). A file becomes reports of about ``PART_ROWS``
entities (JSON lines) or statement rows (CSV): ``<id>#1``, ``<id>#2``…; a file that
fits in one part keeps the plain id.

FtM ids are kept as the local ids, so an entity gets ``<agency slug>.<ftm id>``
(``make_entity_id``) whichever part it is in. A reference to an entity of the same
part stays a local id; any other reference is written as that full id, so it points
at the entity another part (or an earlier file) of the same agency brings.

A ``datasets``/``dataset`` value that is an agency id must be the header's agency:
re-sending another agency's export under one's own name would forge provenance.
FtM's ``first_seen``/``last_seen`` are processing times, not observations, and are
not carried over; neither is ``original_value`` (the value is normalised again and
kept as written). Statements marked ``external`` (candidates, not assertions) are
skipped.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from followthemoney import model as ftm_model
from followthemoney.exc import InvalidData
from followthemoney.types import registry
from rigour.langs import iso_639_alpha2

from counterflow.errors import InvalidValue, Problem
from counterflow.ingest.readers import base
from counterflow.ingest.readers.base import RawReport, ReaderItem, Rejected
from counterflow.ingest.readers.header import ReportHeader
from counterflow.model.agencies import validate_agency
from counterflow.model.statement import make_entity_id

__all__ = ["ReportHeader", "read_ftm_entities", "read_ftm_statements"]

MAX_LINE = 16 * 1024 * 1024
MAX_PROBLEMS = 1000
ENTITY_KEYS = {
    "id",
    "schema",
    "properties",
    "datasets",
    "caption",
    "referents",
    "first_seen",
    "last_seen",
    "last_change",
    "target",
    "origin",
}
STATEMENT_COLUMNS = ("entity_id", "prop", "schema", "value")
TRUE = {"t", "true", "1", "yes", "y"}
_PATH = re.compile(r"^entities\[(\d+)\](?:\.properties\.(\w+)\[(\d+)\])?")


@dataclass
class _Entity:
    schema: str
    where: str
    values: dict[str, dict[tuple[str, str | None], str]] = field(default_factory=dict)


@dataclass
class _Part:
    path: Path
    header: ReportHeader
    first: int = 0
    last: int = 0
    rows: int = 0
    entities: dict[str, _Entity] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def problem(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def seen(self, number: int) -> None:
        self.rows += 1
        self.first = self.first or number
        self.last = number

    def dataset(self, where: str, dataset: Any) -> None:
        text = str(dataset).strip()
        for candidate in (text, text.replace("-", "_")):
            try:
                validate_agency(candidate)
            except InvalidValue:
                continue
            if candidate != self.header.agency:
                reason = (
                    f"dataset is the agency {candidate}, not the reporting agency "
                    f"{self.header.agency}: a report carries only its own agency's intelligence"
                )
                self.problem(Problem(where, text, reason))
            return

    def add(
        self,
        entity_id: str,
        schema: str,
        where: str,
        prop: str | None = None,
        values: Sequence[tuple[str, str | None]] = (),
        wheres: Sequence[str] = (),
    ) -> None:
        """Add values (``(value, lang)``, each with where it was read) to an entity of this part."""
        ent = self.entities.get(entity_id)
        if ent is None:
            ent = self.entities[entity_id] = _Entity(schema, where)
        elif ent.schema != schema:
            a, b = ftm_model.get(ent.schema), ftm_model.get(schema)
            try:
                ent.schema = ftm_model.common_schema(a, b).name if a and b else schema
            except InvalidData:
                self.problem(
                    Problem(where, schema, f"schema does not fit {ent.schema} given earlier for {entity_id}")
                )
        if prop is None:
            return
        bucket = ent.values.setdefault(prop, {})
        for item, item_where in zip(values, wheres, strict=True):
            bucket.setdefault(item, item_where)

    def finish(self, report_id: str, unit: str) -> ReaderItem:
        source = f"{self.path} {unit} {self.first}-{self.last}"
        if self.problems:
            return Rejected(source, report_id, self.problems)
        data = self.header.native(report_id)
        places: dict[tuple[int, str, int], str] = {}
        entities = []
        for i, (entity_id, ent) in enumerate(self.entities.items()):
            places[(i, "", 0)] = ent.where
            schema = ftm_model.get(ent.schema)
            props: dict[str, list[Any]] = {}
            for prop_name, values in ent.values.items():
                prop = schema.get(prop_name) if schema is not None else None
                is_ref = prop is not None and prop.type == registry.entity
                items: list[Any] = []
                for j, ((value, lang), where) in enumerate(values.items()):
                    places[(i, prop_name, j)] = where
                    if is_ref and value not in self.entities:
                        value = make_entity_id(self.header.agency, value)
                    items.append({"value": value, "lang": lang} if lang else value)
                props[prop_name] = items
            entities.append({"id": entity_id, "schema": ent.schema, "properties": props})
        data["entities"] = entities
        return RawReport(source, data, _locator(self.path.name, places))


@dataclass(frozen=True)
class _Locator:
    """Maps a problem path back to file line/row and property (picklable for workers)."""

    name: str
    places: dict[tuple[int, str, int], str]

    def __call__(self, path: str) -> str:
        m = _PATH.match(path)
        if m is None:
            return f"{self.name} (report header from options: {path})"
        key = (int(m.group(1)), m.group(2) or "", int(m.group(3) or 0))
        return self.places.get(key) or self.places.get((key[0], "", 0)) or f"{self.name} ({path})"


def _locator(name: str, places: dict[tuple[int, str, int], str]) -> Callable[[str], str]:
    return _Locator(name, places)


def _parts(
    path: Path,
    header: ReportHeader,
    limit: int,
    unit: str,
    items: Iterator[tuple[bool, Callable[[_Part], None]]],
) -> Iterator[ReaderItem]:
    """Feed items into parts; ``new`` marks where a part may be cut (an entity boundary)."""
    part, n = _Part(path, header), 0
    for new, apply in items:
        if new and part.rows >= limit:
            n += 1
            yield part.finish(f"{header.report_id}#{n}", unit)
            part = _Part(path, header)
        apply(part)
    if part.rows:
        yield part.finish(str(header.report_id) if n == 0 else f"{header.report_id}#{n + 1}", unit)


def read_ftm_entities(
    path: Path, header: ReportHeader, *, part_rows: int | None = None
) -> Iterator[ReaderItem]:
    """Reports from a FollowTheMoney entity JSON lines file (one entity per line)."""
    header.require("reading FollowTheMoney entities")
    yield from _parts(path, header, part_rows or base.PART_ROWS, "lines", _entity_lines(path))


def _entity_lines(path: Path) -> Iterator[tuple[bool, Callable[[_Part], None]]]:
    name = path.name
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            yield True, partial(_entity_line, name=name, lineno=lineno, raw=raw)


def _entity_line(part: _Part, name: str, lineno: int, raw: bytes) -> None:
    where = f"{name} line {lineno}"
    part.seen(lineno)
    if len(raw) > MAX_LINE:
        part.problem(Problem(where, None, "line longer than 16 MiB"))
        return
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        part.problem(Problem(where, None, f"not UTF-8 ({exc.reason} at byte {exc.start})"))
        return
    except (json.JSONDecodeError, RecursionError) as exc:
        part.problem(Problem(where, None, f"invalid JSON: {getattr(exc, 'msg', 'nested too deeply')}"))
        return
    if not isinstance(data, dict):
        part.problem(Problem(where, None, "an entity must be a JSON object"))
        return
    unknown = sorted(set(data) - ENTITY_KEYS)
    if unknown:
        part.problem(
            Problem(where, None, f"unknown keys {', '.join(unknown)} (not a FollowTheMoney entity?)")
        )
    entity_id, schema, props = data.get("id"), data.get("schema"), data.get("properties", {})
    if not isinstance(entity_id, str) or not entity_id.strip():
        part.problem(Problem(f"{where} id", None, "missing entity id"))
        return
    if not isinstance(schema, str):
        part.problem(Problem(f"{where} schema", None, "missing schema"))
        return
    datasets = data.get("datasets") or []
    for dataset in datasets if isinstance(datasets, list) else [datasets]:
        part.dataset(f"{where} datasets", dataset)
    if not isinstance(props, dict):
        part.problem(Problem(f"{where} properties", None, "properties must be an object"))
        return
    part.add(entity_id, schema, where)
    for prop, values in props.items():
        values = values if isinstance(values, list) else [values]
        bad = [v for v in values if not isinstance(v, str)]
        if bad:
            part.problem(Problem(f"{where} property {prop}", str(bad[0])[:200], "values must be strings"))
            continue
        items: list[tuple[str, str | None]] = [(v, None) for v in values if v.strip()]
        wheres = [f"{where}, property {prop}[{j}]" for j in range(len(items))]
        part.add(entity_id, schema, where, str(prop), items, wheres)


def read_ftm_statements(
    path: Path, header: ReportHeader, *, part_rows: int | None = None
) -> Iterator[ReaderItem]:
    """Reports from a FollowTheMoney statement CSV (as ``ftm`` writes it; ``entity_id`` rows grouped)."""
    header.require("reading FollowTheMoney statements")
    name = path.name
    with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh, strict=True)
        try:
            columns = next(reader, None)
        except csv.Error as exc:
            yield Rejected(str(path), name, [Problem(f"{name} row 1", None, f"broken header row: {exc}")])
            return
        columns = [c.strip().removeprefix("\ufeff") for c in columns or []]
        missing = [c for c in STATEMENT_COLUMNS if c not in columns]
        if missing:
            yield Rejected(
                str(path),
                name,
                [
                    Problem(
                        f"{name} row 1",
                        ", ".join(columns)[:200],
                        f"not a FollowTheMoney statement CSV: missing columns {', '.join(missing)}",
                    )
                ],
            )
            return
        index = {c: i for i, c in reversed(list(enumerate(columns)))}
        yield from _parts(
            path,
            header,
            part_rows or base.PART_ROWS,
            "rows",
            _statement_rows(name, reader, index, len(columns)),
        )


def _statement_rows(
    name: str, reader: Any, index: dict[str, int], width: int
) -> Iterator[tuple[bool, Callable[[_Part], None]]]:
    number, previous = 1, None
    while True:
        number += 1
        try:
            row = next(reader, None)
        except csv.Error as exc:
            msg = f"{exc}: an unterminated quote or an oversized cell; reading stopped here"
            yield False, partial(_broken, where=f"{name} row {number}", number=number, reason=msg)
            return
        if row is None:
            return
        if not row:
            continue
        entity_id = row[index["entity_id"]].strip() if len(row) > index["entity_id"] else ""
        yield (
            entity_id != previous,
            partial(_statement, name=name, number=number, row=row, index=index, width=width),
        )
        previous = entity_id


def _statement(
    part: _Part, name: str, number: int, row: list[str], index: dict[str, int], width: int
) -> None:
    where = f"{name} row {number}"
    part.seen(number)
    if len(row) != width:
        part.problem(Problem(where, None, f"row has {len(row)} cells but the header has {width}"))
        return
    if any("\udc80" <= ch <= "\udcff" or ch == "\x00" for cell in row for ch in cell):
        part.problem(Problem(where, None, "bytes that are not valid UTF-8 text, or NUL bytes"))
        return

    def get(column: str) -> str:
        return row[index[column]].strip() if column in index else ""

    if get("external").lower() in TRUE:
        return
    entity_id, prop, schema, value = get("entity_id"), get("prop"), get("schema"), row[index["value"]]
    if not entity_id:
        part.problem(Problem(f"{where}, column entity_id", None, "empty entity id"))
        return
    if get("dataset"):
        part.dataset(f"{where}, column dataset", get("dataset"))
    if prop == "id" or not value.strip():
        part.add(entity_id, schema, where)
        return
    lang = get("lang")
    lang2 = iso_639_alpha2(lang) if lang else None
    part.add(entity_id, schema, where, prop, [(value, lang2)], [f"{where}, column value ({prop})"])


def _broken(part: _Part, where: str, number: int, reason: str) -> None:
    part.seen(number)
    part.problem(Problem(where, None, reason))
