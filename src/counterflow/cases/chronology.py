"""The case's chronology: every dated call, payment, trip and event, with its time of day.

One line per link or event entity of the material (resolution folds the same call reported
by two agencies only where it was resolved). Each line says what happened between whom, on
whose word (agency, report, grading), under which handling, and whether it may go to court:
a line is evidential only if every statement it is built from is.

Parties are shown by name; victims, witnesses and minors only as a count ("3 protected
persons"), never by name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from counterflow.cases.material import CaseMaterial
from counterflow.graph.views import PROTECTED_CAPTION
from counterflow.model.grading import weakest
from counterflow.model.handling import most_restrictive
from counterflow.model.statement import Statement

DATED = {
    "Call": ("startDate",),
    "Payment": ("date", "startDate"),
    "Trip": ("startDate", "date"),
    "Event": ("date", "startDate"),
    "Associate": ("startDate", "date"),
    "Family": ("startDate",),
    "Membership": ("startDate",),
    "Ownership": ("startDate",),
}
PARTY_PROPS = (
    "caller",
    "receiver",
    "payer",
    "beneficiary",
    "involved",
    "vehicle",
    "person",
    "associate",
    "relative",
    "member",
    "organization",
    "owner",
    "asset",
)


def _when(value: str) -> tuple[str, str | None]:
    """(date, HH:MM or None) of an ISO date or date-time."""
    day = value[:10]
    if len(value) >= 16 and value[10] in "T ":
        return day, value[11:16]
    return day, None


def chronology(material: CaseMaterial, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Dated events of the case in time order (oldest first); ``limit`` keeps the latest."""
    canonical = material.canonical
    by_entity: dict[str, list[Statement]] = defaultdict(list)
    for s in material.statements:
        by_entity[canonical(s.entity_id)].append(s)
    names, protected = material.labels()
    label = _labeller(names, protected, canonical)
    holders: dict[str, list[str]] = defaultdict(list)  # phone number -> who holds it
    for s in material.statements:
        if s.prop_type == "phone" and s.schema == "Person" and s.entity_id not in holders[s.value]:
            holders[s.value].append(s.entity_id)

    def number(value: str | None) -> str:
        if not value:
            return "?"
        if any(canonical(h) in protected for h in holders.get(value, [])):
            return label(holders[value])  # a protected person's number is not printed either
        return f"{label(holders[value])} ({value})" if holders.get(value) else value

    out: list[dict[str, Any]] = []
    for eid, stmts in by_entity.items():
        schema = stmts[0].schema
        props = DATED.get(schema)
        if props is None:
            continue
        dates = sorted(s.value for s in stmts if s.prop in props and s.value)
        if not dates:
            continue
        day, time = _when(dates[0])
        parties = [canonical(s.value) for s in stmts if s.prop in PARTY_PROPS]
        excluded = sorted({r.value for s in stmts for r in material.split.excluded.get(s.id, [])})
        grade = weakest([s.grading for s in stmts])
        out.append(
            {
                "date": day,
                "time": time,
                "kind": schema,
                "entity_id": eid,
                "summary": _summary(schema, stmts, parties, label, number),
                "agencies": sorted({s.agency for s in stmts}),
                "reports": sorted({s.report_id for s in stmts}),
                "grading": grade.to_dict() if grade else None,
                "handling": [h.to_dict() for h in most_restrictive([s.handling for s in stmts])],
                "evidential": not excluded,
                "excluded_because": excluded,
                "targets": sorted(set(parties) & set(material.targets)),
            }
        )
    out.sort(key=lambda e: (e["date"], e["time"] or "", e["entity_id"]))
    return out[-limit:] if limit else out


def _labeller(
    names: dict[str, str], protected: set[str], canonical: Callable[[str], str]
) -> Callable[[list[str]], str]:
    def label(refs: list[str]) -> str:
        ids = [canonical(r) for r in refs]
        shown = [names.get(i, i) for i in dict.fromkeys(ids) if i not in protected]
        hidden = len({i for i in ids if i in protected})
        if hidden:
            shown.append(f"{hidden} {PROTECTED_CAPTION}{'s' if hidden > 1 else ''}")
        return ", ".join(shown) or "unknown parties"

    return label


def _first(stmts: list[Statement], prop: str) -> str | None:
    return next((s.value for s in stmts if s.prop == prop), None)


def _summary(
    schema: str,
    stmts: list[Statement],
    parties: list[str],
    label: Callable[[list[str]], str],
    number: Callable[[str | None], str],
) -> str:
    def of(*props: str) -> list[str]:
        return [s.value for s in stmts if s.prop in props]

    if schema == "Call":
        caller = label(of("caller")) if of("caller") else number(_first(stmts, "callerNumber"))
        receiver = label(of("receiver")) if of("receiver") else number(_first(stmts, "receiverNumber"))
        duration = _first(stmts, "duration")
        return f"call {caller} → {receiver}" + (f" ({duration} s)" if duration else "")
    if schema == "Payment":
        amount = _first(stmts, "amount") or "?"
        currency = _first(stmts, "currency") or ""
        return f"payment {amount} {currency.upper()} from {label(of('payer'))} to {label(of('beneficiary'))}"
    place = _first(stmts, "location") or _first(stmts, "country") or ""
    where = f" at {place}" if place else ""
    if schema == "Trip":
        return f"trip{where}: {label(of('involved', 'person', 'vehicle'))}"
    if schema == "Event":
        name = _first(stmts, "name") or "event"
        return f"{name}{where}: {label(of('involved'))}"
    return f"{schema.lower()}: {label(parties)}"
