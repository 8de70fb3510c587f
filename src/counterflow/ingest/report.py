"""Validating a native report and turning it into statements, all or nothing.

``parse_report`` checks the JSON Schema, then every code, schema, property, reference
and value, collecting *every* problem with its JSON path before deciding. Either a
complete ``ParsedReport`` comes back or ``ReportRejected`` lists all that is wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import fastjsonschema
from followthemoney import model as ftm_model
from jsonschema import Draft202012Validator

from counterflow.errors import InvalidValue, Problem, ReportRejected
from counterflow.ingest.build import EntityBuilder, Provenance, TextTask
from counterflow.ingest.mentions import NameIndex
from counterflow.model.agencies import agency_country, validate_agency
from counterflow.model.grading import Grading
from counterflow.model.handling import Classification, Handling
from counterflow.model.normalise import normalise_date
from counterflow.model.statement import Statement
from counterflow.model.visibility import Meta, NameEntry
from counterflow.store.rows import report_key, row_to_statement
from counterflow.store.sql import ReportRecord

FORMAT = "counterflow.report/1"
ALLOWED_SCHEMATA = frozenset(
    {
        "Person",
        "Organization",
        "Company",
        "LegalEntity",
        "Vehicle",
        "Vessel",
        "BankAccount",
        "CryptoWallet",
        "Address",
        "Passport",
        "Identification",
        "Call",
        "Payment",
        "Trip",
        "Event",
        "Associate",
        "Family",
        "Membership",
        "Ownership",
        "UnknownLink",
        "Sanction",
        "Note",
    }
)


@cache
def _schema() -> dict[str, Any]:
    raw = resources.files("counterflow.ingest").joinpath("schemas/report.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(raw)
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(_schema())


@cache
def _fast_validator() -> Callable[[Any], Any]:
    """A compiled validator: the fast yes/no check. It stops at the first error, so
    ``jsonschema`` runs only on reports that fail, to list every problem."""
    return fastjsonschema.compile(_schema())


def schema_problems(data: Any) -> list[Problem]:
    try:
        _fast_validator()(data)
        return []
    except fastjsonschema.JsonSchemaException:
        pass
    problems = []
    for err in sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        shown = err.instance if isinstance(err.instance, str | int | float) else None
        reason = err.message if shown is None else err.message.replace(repr(shown), "").strip() or err.message
        problems.append(
            Problem(_path(err.absolute_path), None if shown is None else str(shown)[:200], reason)
        )
    return problems


@dataclass(frozen=True, slots=True)
class ParsedReport:
    agency: str
    report_id: str
    record: ReportRecord
    names: list[NameEntry]
    text_task: TextTask | None = None

    @property
    def statements(self) -> list[Statement]:
        """The report's statements as objects (made from its rows, which are what gets written)."""
        return [row_to_statement(r) for r in self.record.statements]


def content_hash(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(report)"


def parse_report(
    data: Any,
    *,
    source: str | None = None,
    names: NameIndex | None = None,
    defer_names: bool = False,
    allow: Callable[[Meta], bool] | None = None,
) -> ParsedReport:
    """Validate and convert one native report; raises ReportRejected listing every problem.

    Names mentioned in the text are found with ``names`` (the known names), or only among
    the report's own entities when it is None. With ``defer_names`` they are not looked
    for at all: ``text_task`` says what to look in, so that bulk ingest can parse in
    worker processes and find names against the one shared index (``complete_names``).
    """
    label = str(data.get("report_id", "?")) if isinstance(data, dict) else "?"
    problems = schema_problems(data)
    if not isinstance(data, dict):
        raise ReportRejected(label, problems or [Problem("(report)", None, "a report must be a JSON object")])

    check = _Checker(problems)

    agency = data.get("agency")
    agency_ok = (
        isinstance(agency, str) and check("agency", agency, lambda: validate_agency(agency)) is not None
    )
    grading = _grading(data.get("grading"), "grading", check)
    handling = _handling(data.get("handling"), "handling", check)
    classification = None
    if isinstance(data.get("classification"), str):
        classification = check(
            "classification", data["classification"], lambda: Classification.parse(data["classification"])
        )
    reported_at = _date(data.get("reported_at"), "reported_at", check)
    observed_at = _date(data.get("observed_at"), "observed_at", check)

    header_ok = bool(agency_ok and grading and handling and classification and reported_at) and not problems
    report_id = str(data.get("report_id"))
    # With a bad header the values are still checked (against stand-in provenance), so
    # that one rejection lists every problem of the report.
    prov = Provenance(
        agency=agency if agency_ok and isinstance(agency, str) else "eu_unknown",
        report_id=report_id,
        reported_at=reported_at or "1970-01-01",
        observed_at=observed_at,
        grading=grading or Grading.parse("4x4", "X", "4"),
        handling=handling or Handling.parse("SIENA", "H0"),
        classification=classification or Classification.OFFICIAL,
        lang=data.get("language") if isinstance(data.get("language"), str) else None,
        agency_country=agency_country(agency) if agency_ok and isinstance(agency, str) else None,
    )
    builder = EntityBuilder(prov, problems)
    entities = data.get("entities")
    if not isinstance(entities, list):  # the schema check has named the problem
        entities = []
    local_ids = {e["id"] for e in entities if isinstance(e, dict) and isinstance(e.get("id"), str)}
    seen: set[str] = set()
    for i, ent in enumerate(entities):
        where = f"entities[{i}]"
        if not isinstance(ent, dict):
            continue
        ent_id = ent.get("id")
        if not isinstance(ent_id, str) or not ent_id:  # the schema check has named the problem
            continue
        if ent_id in seen:
            problems.append(Problem(f"{where}.id", str(ent_id), "duplicate entity id in this report"))
            continue
        seen.add(ent_id)
        schema_name = ent.get("schema")
        if not isinstance(schema_name, str) or schema_name not in ALLOWED_SCHEMATA:
            known = "known" if ftm_model.get(str(schema_name)) is not None else "unknown"
            problems.append(
                Problem(
                    f"{where}.schema",
                    str(schema_name),
                    f"{known} schema not accepted (accepted: {', '.join(sorted(ALLOWED_SCHEMATA))})",
                )
            )
            continue
        builder.add_entity(
            where,
            ent,
            local_ids,
            lambda w, g: _grading(g, w, check),
            lambda w, h: _handling(h, w, check),
            lambda w, d: _date(d, w, check),
        )
    text_parts = [str(data.get(k)) for k in ("title", "text") if data.get(k)]
    if text_parts:
        index = names if names is not None else NameIndex()
        builder.add_text(data.get("title"), data.get("text"), None if defer_names else index, allow)
    if problems or not header_ok:
        raise ReportRejected(label, problems)

    assert isinstance(agency, str) and grading and handling and classification and reported_at
    rows = builder.rows
    sha = content_hash(data)
    record = ReportRecord(
        report={
            "report_key": report_key(agency, report_id),
            "agency": agency,
            "report_id": report_id,
            "format": FORMAT,
            "reported_at": reported_at,
            "observed_at": observed_at,
            "language": data.get("language"),
            "grading_scheme": grading.scheme.value,
            "grading_source": grading.source,
            "grading_info": grading.information,
            "handling_scheme": handling.scheme.value,
            "handling_code": handling.code,
            "handling_conditions": handling.conditions,
            "classification": classification.value,
            "title": data.get("title"),
            "sanitised": data.get("sanitised") is True,
            "source": source,
            "sha256": sha,
            "n_statements": len(rows),
            "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        statements=rows,
    )
    return ParsedReport(agency, report_id, record, builder.names, builder.text_task)


T = TypeVar("T")


class _Checker:
    """Runs one validation, turning InvalidValue into a Problem so checking goes on."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems

    def __call__(self, where: str, value: Any, fn: Callable[[], T]) -> T | None:
        try:
            return fn()
        except InvalidValue as exc:
            self.problems.append(Problem(where, None if value is None else str(value)[:200], exc.reason))
            return None


def _grading(raw: Any, where: str, check: _Checker) -> Grading | None:
    if not isinstance(raw, dict) or not all(
        isinstance(raw.get(k), str) for k in ("scheme", "source", "information")
    ):
        return None
    return check(
        f"{where}",
        f"{raw['scheme']} {raw['source']}{raw['information']}",
        lambda: Grading.parse(raw["scheme"], raw["source"], raw["information"]),
    )


def _handling(raw: Any, where: str, check: _Checker) -> Handling | None:
    if not isinstance(raw, dict) or not all(isinstance(raw.get(k), str) for k in ("scheme", "code")):
        return None
    return check(
        where,
        f"{raw['scheme']} {raw['code']}",
        lambda: Handling.parse(raw["scheme"], raw["code"], raw.get("conditions")),
    )


def _date(raw: Any, where: str, check: _Checker) -> str | None:
    if not isinstance(raw, str):
        return None
    result = check(where, raw, lambda: normalise_date(raw))
    return None if result is None else str(result.value)
