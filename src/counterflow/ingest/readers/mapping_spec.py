"""The YAML mapping for spreadsheets: loading, ``extends``, and validating it whole.

A mapping says which report the rows of a CSV or Excel file belong to (``report:``),
how to read the file (``source:``) and how columns become entities (``entities:``);
docs/formats/mapping.md is the user's description. ``load_mapping`` checks everything
that can be checked without the file (keys, schemata, properties, references between
mapping entities, roles, the id template) and raises one ``ConfigurationError``
listing every problem, so a mapping is fixed in one round trip.

``extends: cdr`` (a shipped mapping) or ``extends: other.yml`` (a path relative to
the extending file) starts from another mapping: ``report:`` and ``source:`` keys
override the base's one by one, ``entities:`` replace the base's entities of the
same name and add new ones.
"""

from __future__ import annotations

import codecs
import re
import string
from dataclasses import dataclass, replace
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from followthemoney import model as ftm_model
from followthemoney.types import registry

from counterflow.errors import ConfigurationError, InvalidValue
from counterflow.ingest.readers.header import HEADER_KEYS, ReportHeader, load_yaml, parse_header, scalar
from counterflow.ingest.report import ALLOWED_SCHEMATA
from counterflow.model.roles import ROLE_SCHEMATA, parse_role

TOP_KEYS = ("report", "source", "entities", "extends", "description")
COLUMN_KEYS = ("id_column", "reported_at_column", "observed_at_column")
SOURCE_KEYS = ("format", "delimiter", "encoding", "sheet", "date_format")
ENTITY_KEYS = ("schema", "keys", "roles", "roles_column", "properties")
PROPERTY_KEYS = ("column", "columns", "join", "literal", "entity", "split", "required")
TEMPLATE_FIELDS = ("file_stem", "file_name")
FORMATS = ("csv", "xlsx")
_ENTITY_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class ReportSpec:
    """Where each report's header comes from; ``header`` is ``None`` in a base mapping without one."""

    header: ReportHeader | None
    id_column: str | None = None
    reported_at_column: str | None = None
    observed_at_column: str | None = None


@dataclass(frozen=True)
class SourceSpec:
    format: str | None = None  # None: from the file's suffix
    delimiter: str = ","
    encoding: str = "utf-8"
    sheet: str | None = None
    date_format: str = "dayfirst"


@dataclass(frozen=True)
class PropertySpec:
    name: str
    column: str | None = None
    columns: tuple[str, ...] = ()
    join: str = " "
    literal: str | None = None
    entity: str | None = None
    split: str | None = None
    required: bool = False
    is_date: bool = False

    @cached_property
    def label(self) -> str:
        """How a problem names the value's origin: ``column caller``."""
        if self.column is not None:
            return f"column {self.column}"
        if self.columns:
            return f"columns {', '.join(self.columns)}"
        if self.literal is not None:
            return f"literal of {self.name}"
        return f"entity {self.entity}"


@dataclass(frozen=True)
class EntitySpec:
    name: str
    schema: str
    keys: tuple[str, ...]
    properties: tuple[PropertySpec, ...] = ()
    roles: tuple[str, ...] = ()
    roles_column: str | None = None


@dataclass(frozen=True)
class Mapping:
    name: str
    report: ReportSpec
    source: SourceSpec
    entities: tuple[EntitySpec, ...]

    def with_report(self, header: ReportHeader) -> Mapping:
        """This mapping with a header given elsewhere (command-line options); its id and date win."""
        report = replace(self.report, header=header)
        if header.report_id:
            report = replace(report, id_column=None)
        if header.reported_at:
            report = replace(report, reported_at_column=None)
        return replace(self, report=report)

    def columns(self) -> list[str]:
        """Every column the mapping reads, in a stable order (to check a file's header)."""
        cols: list[str] = []
        for ent in self.entities:
            cols.extend(ent.keys)
            cols.extend(c for p in ent.properties for c in ((p.column,) if p.column else p.columns))
            if ent.roles_column:
                cols.append(ent.roles_column)
        r = self.report
        cols.extend(c for c in (r.id_column, r.reported_at_column, r.observed_at_column) if c)
        return list(dict.fromkeys(cols))


def shipped_mappings() -> list[str]:
    """Names of the mappings shipped in the package (``cdr``, ``anpr``…)."""
    folder = resources.files("counterflow.ingest").joinpath("mappings")
    return sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".yml"))


def load_mapping(path_or_name: str | Path) -> Mapping:
    """A mapping from a YAML file or a shipped name; raises ConfigurationError listing every problem."""
    raw, label = _load_raw(path_or_name, None, ())
    problems: list[str] = []
    mapping = _parse(raw, label, problems)
    if problems or mapping is None:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise ConfigurationError(
            f"invalid mapping {label} ({len(problems)} problems):\n{lines}", mapping=label, problems=problems
        )
    return mapping


def _locate_file(ref: str | Path, relative_to: Path | None) -> tuple[Path | None, str]:
    text = str(ref)
    if isinstance(ref, Path) or text.endswith((".yml", ".yaml")) or "/" in text:
        path = Path(text)
        if relative_to is not None and not path.is_absolute():
            path = relative_to.parent / path
        return path, path.name
    if text in shipped_mappings():
        folder = resources.files("counterflow.ingest").joinpath("mappings")
        return Path(str(folder.joinpath(f"{text}.yml"))), text
    return None, text


def _load_raw(
    ref: str | Path, relative_to: Path | None, chain: tuple[str, ...]
) -> tuple[dict[str, Any], str]:
    path, label = _locate_file(ref, relative_to)
    if path is None:
        known = ", ".join(shipped_mappings())
        msg = f"no shipped mapping {label!r} (shipped: {known}); give a path to a .yml file for your own"
        raise ConfigurationError(msg, problems=[msg])
    if str(path) in chain:
        msg = f"{label}: extends itself through {' -> '.join(chain)}"
        raise ConfigurationError(msg, problems=[msg])
    data = load_yaml(path)
    if not isinstance(data, dict):
        msg = f"{label}: a mapping must be a YAML mapping with report:, source: and entities:"
        raise ConfigurationError(msg, problems=[msg])
    if "extends" not in data:
        return data, label
    base, _ = _load_raw(str(data["extends"]), path, (*chain, str(path)))
    return _merge(base, data), label


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in base.items() if k != "extends"}
    for key, value in child.items():
        if key == "extends":
            continue
        old = out.get(key)
        if key in ("report", "source", "entities") and isinstance(old, dict) and isinstance(value, dict):
            merged = dict(old)
            if key == "report":
                # id/id_column and reported_at/reported_at_column exclude each other: the child's choice wins
                for pair in (("id", "id_column"), ("reported_at", "reported_at_column")):
                    if any(k in value for k in pair):
                        for k in pair:
                            merged.pop(k, None)
            merged.update(value)
            out[key] = merged
        else:
            out[key] = value
    return out


def _parse(raw: dict[str, Any], label: str, problems: list[str]) -> Mapping | None:
    for key in raw:
        if key not in TOP_KEYS:
            problems.append(f"{label}: unknown top-level key {key!r} (known: {', '.join(TOP_KEYS)})")
    report = _parse_report(raw.get("report"), f"{label}: report", problems)
    source = _parse_source(raw.get("source") or {}, f"{label}: source", problems)
    entities = _parse_entities(raw.get("entities"), f"{label}: entities", problems)
    if report is None or source is None or entities is None:
        return None
    return Mapping(label, report, source, entities)


def _text(raw: Any, where: str, problems: list[str]) -> str | None:
    try:
        value = scalar(raw)
    except TypeError as exc:
        problems.append(f"{where}: expected text, got {exc}")
        return None
    if value == "":
        problems.append(f"{where}: empty")
        return None
    return value


def _parse_report(raw: Any, where: str, problems: list[str]) -> ReportSpec | None:
    if raw is None:
        return ReportSpec(None)
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping")
        return None
    start = len(problems)
    cols = {k: _text(raw[k], f"{where}.{k}", problems) if k in raw else None for k in COLUMN_KEYS}
    header = None
    if any(k in raw for k in HEADER_KEYS) or any(k not in COLUMN_KEYS for k in raw):
        header = parse_header(raw, where, problems, partial=True, extra_keys=COLUMN_KEYS)
        for value_key, column_key in (("id", "id_column"), ("reported_at", "reported_at_column")):
            given = [k for k in (value_key, column_key) if raw.get(k) not in (None, "")]
            if len(given) != 1:
                problems.append(f"{where}: give exactly one of {value_key} and {column_key}")
        template = scalar(raw.get("id")) if isinstance(raw.get("id"), str | int) else None
        if template:
            _check_template(template, f"{where}.id", problems)
    if len(problems) > start:
        return None
    return ReportSpec(header, cols["id_column"], cols["reported_at_column"], cols["observed_at_column"])


def _check_template(template: str, where: str, problems: list[str]) -> None:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        problems.append(f"{where}: {template!r} is not a valid template ({exc})")
        return
    for name in fields:
        if name not in TEMPLATE_FIELDS:
            problems.append(
                f"{where}: unknown placeholder {{{name}}} (known: "
                f"{', '.join('{' + f + '}' for f in TEMPLATE_FIELDS)})"
            )


def _parse_source(raw: Any, where: str, problems: list[str]) -> SourceSpec | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping of {', '.join(SOURCE_KEYS)}")
        return None
    start = len(problems)
    for key in raw:
        if key not in SOURCE_KEYS:
            problems.append(f"{where}.{key}: unknown key (known: {', '.join(SOURCE_KEYS)})")
    values = {k: _text(raw[k], f"{where}.{k}", problems) for k in SOURCE_KEYS if k in raw}
    fmt = values.get("format")
    if fmt is not None and fmt not in FORMATS:
        problems.append(f"{where}.format: {fmt!r} is not one of {', '.join(FORMATS)}")
    delimiter = raw.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        problems.append(f"{where}.delimiter: {delimiter!r} must be one character (not a quote or newline)")
    encoding = values.get("encoding") or "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        problems.append(f"{where}.encoding: unknown encoding {encoding!r}")
    date_format = values.get("date_format") or "dayfirst"
    if date_format not in ("dayfirst", "monthfirst"):
        problems.append(f"{where}.date_format: {date_format!r} is not dayfirst or monthfirst")
    if len(problems) > start:
        return None
    return SourceSpec(fmt, str(delimiter), encoding, values.get("sheet"), date_format)


def _parse_entities(raw: Any, where: str, problems: list[str]) -> tuple[EntitySpec, ...] | None:
    if not isinstance(raw, dict) or not raw:
        problems.append(f"{where}: expected a mapping of entity names to entity definitions")
        return None
    start = len(problems)
    schemata: dict[str, str] = {}
    for name, ent in raw.items():
        if isinstance(ent, dict) and isinstance(ent.get("schema"), str):
            schemata[str(name)] = ent["schema"]
    out = [_parse_entity(str(name), ent, f"{where}.{name}", schemata, problems) for name, ent in raw.items()]
    if len(problems) > start:
        return None
    return tuple(e for e in out if e is not None)


def _parse_entity(
    name: str, raw: Any, where: str, schemata: dict[str, str], problems: list[str]
) -> EntitySpec | None:
    if not _ENTITY_NAME.match(name):
        problems.append(
            f"{where}: entity name must be lower case letters, digits and _, starting with a letter"
        )
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping of {', '.join(ENTITY_KEYS)}")
        return None
    for key in raw:
        if key not in ENTITY_KEYS:
            problems.append(f"{where}.{key}: unknown key (known: {', '.join(ENTITY_KEYS)})")
    schema_name = raw.get("schema")
    schema = ftm_model.get(str(schema_name)) if schema_name is not None else None
    if schema_name is None:
        problems.append(f"{where}.schema: missing")
    elif schema is None or schema.name not in ALLOWED_SCHEMATA:
        kind = "unknown schema" if schema is None else "schema not accepted"
        accepted = ", ".join(sorted(ALLOWED_SCHEMATA))
        problems.append(f"{where}.schema: {kind} {schema_name!r} (accepted: {accepted})")
        schema = None
    keys = _columns(raw.get("keys"), f"{where}.keys", problems, required=True)
    roles: list[str] = []
    raw_roles = raw.get("roles", [])
    if not isinstance(raw_roles, list):
        problems.append(f"{where}.roles: expected a list")
        raw_roles = []
    for i, role in enumerate(raw_roles):
        try:
            roles.append(parse_role(str(role)).value)
        except InvalidValue as exc:
            problems.append(f"{where}.roles[{i}]: {role!r} {exc.reason}")
    roles_column = None
    if "roles_column" in raw:
        roles_column = _text(raw["roles_column"], f"{where}.roles_column", problems)
    if (raw_roles or roles_column) and schema is not None and not any(schema.is_a(s) for s in ROLE_SCHEMATA):
        problems.append(f"{where}: roles apply to persons, not {schema.name}")
    props_raw = raw.get("properties", {})
    props: list[PropertySpec] = []
    if not isinstance(props_raw, dict):
        problems.append(f"{where}.properties: expected a mapping of property names")
        props_raw = {}
    for prop_name, spec in props_raw.items():
        pwhere = f"{where}.properties.{prop_name}"
        prop = _parse_property(str(prop_name), spec, pwhere, schema, schemata, problems)
        if prop is not None:
            props.append(prop)
    if schema is None or keys is None:
        return None
    return EntitySpec(name, schema.name, keys, tuple(props), tuple(roles), roles_column)


def _columns(raw: Any, where: str, problems: list[str], *, required: bool) -> tuple[str, ...] | None:
    if raw is None and not required:
        return ()
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}: expected a non-empty list of column names")
        return None
    out = [_text(c, f"{where}[{i}]", problems) for i, c in enumerate(raw)]
    return tuple(c for c in out if c is not None) if all(out) else None


def _parse_property(
    name: str, raw: Any, where: str, schema: Any, schemata: dict[str, str], problems: list[str]
) -> PropertySpec | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping with one of column, columns, literal, entity")
        return None
    start = len(problems)
    for key in raw:
        if key not in PROPERTY_KEYS:
            problems.append(f"{where}.{key}: unknown key (known: {', '.join(PROPERTY_KEYS)})")
    prop = schema.get(name) if schema is not None else None
    if schema is not None and prop is None:
        problems.append(f"{where}: {schema.name} has no property {name!r}")
    elif prop is not None and prop.stub:
        problems.append(f"{where}: {name!r} is a reverse property; set it on the other entity")
    sources = [k for k in ("column", "columns", "literal", "entity") if k in raw]
    if len(sources) != 1:
        problems.append(f"{where}: give exactly one of column, columns, literal, entity (got {len(sources)})")
    column = _text(raw["column"], f"{where}.column", problems) if "column" in raw else None
    columns = _columns(raw.get("columns"), f"{where}.columns", problems, required=False) or ()
    literal = _text(raw["literal"], f"{where}.literal", problems) if "literal" in raw else None
    entity = _text(raw["entity"], f"{where}.entity", problems) if "entity" in raw else None
    join = raw.get("join", " ")
    if "join" in raw and "columns" not in raw:
        problems.append(f"{where}.join: only with columns")
    if not isinstance(join, str):
        problems.append(f"{where}.join: expected text")
    split = raw.get("split")
    with_columns = "column" in raw or "columns" in raw
    if split is not None and (not isinstance(split, str) or not split or not with_columns):
        problems.append(f"{where}.split: expected a non-empty separator, with column or columns")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        problems.append(f"{where}.required: expected true or false")
    if entity is not None:
        if entity not in schemata:
            problems.append(f"{where}.entity: no mapping entity {entity!r} (defined: {', '.join(schemata)})")
        elif prop is not None and prop.type != registry.entity:
            problems.append(f"{where}.entity: {name!r} is a {prop.type.name}, not an entity reference")
        elif prop is not None and prop.range is not None:
            target = ftm_model.get(schemata[entity])
            if target is None or not target.is_a(prop.range):
                problems.append(
                    f"{where}.entity: {name!r} takes a {prop.range.name}, {entity!r} is a {schemata[entity]}"
                )
    if len(problems) > start:
        return None
    is_date = prop is not None and prop.type == registry.date
    return PropertySpec(
        name, column, tuple(columns), str(join), literal, entity, split, bool(required), is_date
    )
