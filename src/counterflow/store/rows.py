"""Conversion between statements and flat store rows (tuples in ``STATEMENT_COLUMNS`` order)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from counterflow.model.grading import Grading, GradingScheme
from counterflow.model.handling import Classification, Handling, HandlingScheme
from counterflow.model.statement import Statement, evidence_json

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


def row_to_statement(row: Mapping[str, Any] | Sequence[Any]) -> Statement:
    """A statement from a store row (a mapping by column name, or a tuple in column order)."""
    if not isinstance(row, Mapping):
        from counterflow.store.schema import STATEMENT_COLUMNS

        row = dict(zip(STATEMENT_COLUMNS, row, strict=True))
    _agency, _, report_id = str(row["report_key"]).partition(":")
    return Statement(
        id=row["id"],
        entity_id=row["entity_id"],
        schema=row["schema"],
        prop=row["prop"],
        prop_type=row["prop_type"],
        value=row["value"],
        original_value=row["original_value"],
        lang=row["lang"],
        script=row["script"],
        agency=row["agency"],
        report_id=report_id,
        observed_at=row["observed_at"],
        reported_at=row["reported_at"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        grading=Grading(GradingScheme(row["grading_scheme"]), row["grading_source"], row["grading_info"]),
        handling=Handling(
            HandlingScheme(row["handling_scheme"]), row["handling_code"], row["handling_conditions"]
        ),
        classification=Classification(row["classification"]),
        evidence=json.loads(row["evidence"]) if row["evidence"] else {},
    )
