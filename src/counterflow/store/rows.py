"""Conversion between statements and flat store rows (tuples in ``STATEMENT_COLUMNS`` order)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import fields
from functools import lru_cache
from typing import Any

from counterflow.model.grading import Grading, GradingScheme
from counterflow.model.handling import Classification, Handling, HandlingScheme
from counterflow.model.statement import Fact, Statement, evidence_json

StatementRow = tuple[Any, ...]


def report_key(agency: str, report_id: str) -> str:
    return f"{agency}:{report_id}"


@lru_cache(maxsize=1024)
def _grade_columns(g: Grading) -> tuple[str, str, str, str]:
    return (g.scheme.value, g.source, g.information, g.common)


@lru_cache(maxsize=1024)
def _handling_columns(h: Handling, c: Classification) -> tuple[Any, ...]:
    return (h.scheme.value, h.code, h.conditions, h.rank, c.value, c.level)


def make_row(
    stmt_id: str,
    entity_id: str,
    schema: str,
    prop: str,
    prop_type: str,
    value: str,
    original_value: str | None,
    lang: str | None,
    script: str | None,
    agency: str,
    report_key_: str,
    observed_at: str | None,
    reported_at: str,
    first_seen: str | None,
    last_seen: str | None,
    grading: Grading,
    handling: Handling,
    classification: Classification,
    evidence: str | None,
) -> StatementRow:
    """A store row straight from its parts (bulk ingest builds rows without Statement objects)."""
    return (
        stmt_id,
        entity_id,
        schema,
        prop,
        prop_type,
        value,
        original_value,
        lang,
        script,
        agency,
        report_key_,
        observed_at,
        reported_at,
        first_seen,
        last_seen,
        *_grade_columns(grading),
        *_handling_columns(handling, classification),
        evidence,
    )


def statement_to_row(stmt: Statement) -> StatementRow:
    # Grading, handling and classification repeat across a report: their columns are cached.
    return (
        stmt.id,
        stmt.entity_id,
        stmt.schema,
        stmt.prop,
        stmt.prop_type,
        stmt.value,
        stmt.original_value,
        stmt.lang,
        stmt.script,
        stmt.agency,
        report_key(stmt.agency, stmt.report_id),
        stmt.observed_at,
        stmt.reported_at,
        stmt.first_seen,
        stmt.last_seen,
        *_grade_columns(stmt.grading),
        *_handling_columns(stmt.handling, stmt.classification),
        evidence_json(stmt.evidence),
    )


@lru_cache(maxsize=1024)
def _grading(scheme: str, source: str, info: str) -> Grading:
    return Grading(GradingScheme(scheme), source, info)


@lru_cache(maxsize=4096)
def _handling(scheme: str, code: str, conditions: str | None) -> Handling:
    return Handling(HandlingScheme(scheme), code, conditions)


def row_to_statement(row: Mapping[str, Any] | Sequence[Any]) -> Statement:
    """A statement from a store row (a mapping by column name, or a tuple in column order)."""
    if isinstance(row, Mapping):
        from counterflow.store.schema import STATEMENT_COLUMNS

        row = tuple(row[c] for c in STATEMENT_COLUMNS)
    # Positional, in STATEMENT_COLUMNS order: reads build thousands of these per request.
    (
        sid, entity_id, schema, prop, prop_type, value, original_value, lang, script, agency,
        report_key, observed_at, reported_at, first_seen, last_seen, g_scheme, g_source, g_info,
        _g_common, h_scheme, h_code, h_conditions, _h_rank, classification, _class_level, evidence,
    ) = row  # fmt: skip
    # The store's rows were statements once, checked on the way in (and their ids are set):
    # filling the slots directly costs half of the frozen dataclass's __init__.
    out = _new(Statement)
    for put, v in zip(
        _SLOTS,
        (
            entity_id, schema, prop, prop_type, value, agency, str(report_key).partition(":")[2],
            reported_at, _grading(g_scheme, g_source, g_info),
            _handling(h_scheme, h_code, h_conditions), _classification(classification),
            original_value, lang, script, observed_at, first_seen, last_seen,
            json.loads(evidence) if evidence else {}, sid,
        ),
        strict=True,
    ):  # fmt: skip
        put(out, v)
    return out


_new = object.__new__
_FILLED = (
    "entity_id", "schema", "prop", "prop_type", "value", "agency", "report_id", "reported_at",
    "grading", "handling", "classification", "original_value", "lang", "script", "observed_at",
    "first_seen", "last_seen", "evidence", "id",
)  # fmt: skip
if set(_FILLED) != {f.name for f in fields(Statement)}:  # a field added to Statement but not here
    raise RuntimeError("row_to_statement does not fill every field of Statement")
_SLOTS: tuple[Any, ...] = tuple(Statement.__dict__[name].__set__ for name in _FILLED)


@lru_cache(maxsize=64)
def _classification(label: str) -> Classification:
    return Classification(label)


# The columns of a ``Fact``, in the order ``row_to_fact`` reads them.
FACT_COLUMNS = (
    "id", "entity_id", "schema", "prop", "prop_type", "value", "agency", "observed_at", "reported_at",
    "grading_scheme", "grading_source", "grading_info", "handling_scheme", "handling_code",
    "handling_conditions", "classification",
)  # fmt: skip


def row_to_fact(row: Sequence[Any]) -> Fact:
    """A fact from a tuple of ``FACT_COLUMNS``."""
    (sid, entity_id, schema, prop, prop_type, value, agency, observed_at, reported_at,
     g_scheme, g_source, g_info, h_scheme, h_code, h_conditions, classification) = row  # fmt: skip
    return Fact(
        sid, entity_id, schema, prop, prop_type, value, agency, observed_at, reported_at,
        _grading(g_scheme, g_source, g_info), _handling(h_scheme, h_code, h_conditions),
        _classification(classification),
    )  # fmt: skip
