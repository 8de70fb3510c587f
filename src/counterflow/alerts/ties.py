"""The ties a report states between entities: who is linked to whom, by which link entity."""

from __future__ import annotations

from collections.abc import Iterable

from counterflow.model.statement import Statement

# Link schemata and the properties naming their parties.
PARTIES = {
    "Associate": ("person", "associate"),
    "Family": ("person", "relative"),
    "Membership": ("member", "organization"),
    "Call": ("caller", "receiver"),
    "Payment": ("payer", "beneficiary"),
    "Trip": ("involved", "person"),
    "Event": ("involved",),
    "UnknownLink": ("subject", "object"),
}


def by_entity(statements: Iterable[Statement]) -> dict[str, list[Statement]]:
    out: dict[str, list[Statement]] = {}
    for s in statements:
        out.setdefault(s.entity_id, []).append(s)
    return out


def names_of(entities: dict[str, list[Statement]]) -> dict[str, str]:
    """Each entity's first reported name (its id when it has none), for alert titles."""
    return {e: next((s.value for s in ss if s.prop == "name"), e) for e, ss in entities.items()}


def report_ties(entities: dict[str, list[Statement]]) -> list[tuple[str, list[str], list[Statement]]]:
    """(link entity, the entities it ties, its party statements) for each link entity."""
    out = []
    for eid, stmts in entities.items():
        props = PARTIES.get(stmts[0].schema)
        if not props:
            continue
        ends = sorted({s.value for s in stmts if s.prop in props and s.prop_type == "entity"})
        if len(ends) >= 2:
            out.append((eid, ends, [s for s in stmts if s.prop in props]))
    return out


def name_statements(entities: dict[str, list[Statement]], *entity_ids: str) -> tuple[str, ...]:
    """Ids of the name statements of these entities (evidence for a title that names them)."""
    return tuple(s.id for e in entity_ids for s in entities.get(e, []) if s.prop == "name")
