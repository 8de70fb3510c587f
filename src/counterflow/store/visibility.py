"""The need-to-know rule (``model.visibility.may_see``) as a SQL condition on ``statements``.

Every read of statement content in the store adds this condition, so no service above
can forget it. It must say exactly what ``may_see`` says; the property-based tests in
tests/store/test_visibility.py compare the two on random agencies, agreements, codes,
clearances and statements.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, exists, false, or_

from counterflow.model.handling import HANDLING_CODES
from counterflow.model.visibility import Agreement, Viewer, handling_allows
from counterflow.store.schema import statements
from counterflow.store.schema_policy import protected_entities


def is_protected(table: Table = statements) -> ColumnElement[bool]:
    """Whether a row's entity is flagged victim, witness or minor (``protected_entities``, by key)."""
    return exists().where(protected_entities.c.entity_id == table.c.entity_id)


def _allowed(agreement: Agreement) -> tuple[tuple[str, str], ...]:
    """The (scheme, code) pairs an agreement lets through (model.visibility.handling_allows)."""
    return tuple(
        (scheme.value, code)
        for scheme, codes in HANDLING_CODES.items()
        for code in codes
        if handling_allows(agreement, scheme.value, code)
    )


def _handling_clause(table: Table, allowed: tuple[tuple[str, str], ...]) -> ColumnElement[bool]:
    by_scheme: dict[str, list[str]] = defaultdict(list)
    for scheme, code in allowed:
        by_scheme[scheme].append(code)
    if not by_scheme:
        return false()
    return or_(
        *(
            and_(table.c.handling_scheme == s, table.c.handling_code.in_(codes))
            for s, codes in sorted(by_scheme.items())
        )
    )


@lru_cache(maxsize=1024)
def visible(viewer: Viewer, table: Table = statements) -> ColumnElement[bool] | None:
    """The condition a statement row must meet to be shown to ``viewer``; None means no limit.

    own agency OR an agreement including protected persons OR (an agreement excluding them AND
    the entity is not protected): the protection lookup is written once, and only reached for
    rows no other branch admits. Cached per viewer: building and compiling the condition
    costs more than running it on an indexed read.
    """
    if viewer.open:
        return None
    own = and_(table.c.agency == viewer.agency, table.c.class_level <= viewer.clearance.level)
    # Owners whose agreements say the same thing share one clause (agency IN (…)): a smaller
    # condition to build, hash and evaluate.
    groups: dict[tuple[int, tuple[tuple[str, str], ...], bool], list[str]] = defaultdict(list)
    for owner, agreement in sorted(viewer.shares.items()):
        ceiling = min(viewer.clearance.level, agreement.max_classification.level)
        groups[(ceiling, _allowed(agreement), agreement.include_protected)].append(owner)
    including: list[ColumnElement[bool]] = []
    excluding: list[ColumnElement[bool]] = []
    for (ceiling, allowed, include_protected), owners in sorted(groups.items()):
        clause = and_(
            table.c.agency.in_(owners), table.c.class_level <= ceiling, _handling_clause(table, allowed)
        )
        (including if include_protected else excluding).append(clause)
    branches = [own, *including]
    if excluding:
        branches.append(and_(or_(*excluding), ~is_protected(table)))
    return or_(*branches)


def restrict(query: Select[Any], viewer: Viewer, table: Table = statements) -> Select[Any]:
    """``query`` limited to what ``viewer`` may see."""
    clause = visible(viewer, table)
    return query if clause is None else query.where(clause)
