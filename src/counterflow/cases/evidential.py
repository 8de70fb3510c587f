"""What may go to court: the rules that separate evidential material from intelligence.

A statement stays out of a case's evidential view for any of these reasons (DOMAIN.md §5):

* ``court-restricted``: SIENA ``H1``, not to be used in judicial proceedings without the
  provider's permission;
* ``sanitised``: it came in a report its agency sanitised to protect a source or technique;
* ``suspected-false``: graded suspected false (3x5x2 ``E``, 5x5x5 ``5``);
* ``single-source-untested``: where the owning agency configures it, a value from an untested
  source (common scale ``X``) that no second report corroborates.

Each excluded statement keeps every reason that applies, so a gap can say what would bring it
in (the provider's permission, the unsanitised original, a second source). Nothing here
reads the store: the caller passes what it knows about reports, so the rules are testable
one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from counterflow.model.statement import Statement


class Exclusion(StrEnum):
    COURT_RESTRICTED = "court-restricted"
    SANITISED = "sanitised"
    SUSPECTED_FALSE = "suspected-false"
    SINGLE_SOURCE_UNTESTED = "single-source-untested"


# What would bring excluded material into evidence: said to the analyst beside each gap.
REMEDY = {
    Exclusion.COURT_RESTRICTED: "ask {agency} for permission to use it in court (SIENA H1)",
    Exclusion.SANITISED: "ask {agency} for the unsanitised original or evidence of the same fact",
    Exclusion.SUSPECTED_FALSE: "do not rely on it; establish the fact independently",
    Exclusion.SINGLE_SOURCE_UNTESTED: "corroborate it from a second source",
}


@dataclass(frozen=True)
class EvidentialSplit:
    """The statements of a view divided into evidence and unused material, with reasons."""

    evidential: list[Statement]
    excluded: dict[str, list[Exclusion]]  # statement id -> reasons

    def is_evidential(self, statement_id: str) -> bool:
        return statement_id not in self.excluded


def corroborated(
    statements: Iterable[Statement],
    canonical: Callable[[str], str],
    usable: Callable[[Statement], bool] = lambda s: True,
) -> set[str]:
    """Ids of statements whose fact (entity, property, value) a second source states: another
    report, from another agency or from a tested source, itself ``usable`` (not court-restricted,
    sanitised or suspected false). An agency repeating its own untested source is not a second
    source."""
    stmts = list(statements)
    sources: dict[tuple[str, str, str], list[Statement]] = {}
    for s in stmts:
        if usable(s):
            sources.setdefault((canonical(s.entity_id), s.prop, s.value), []).append(s)
    out = set()
    for s in stmts:
        for other in sources.get((canonical(s.entity_id), s.prop, s.value), []):
            if other.report_key != s.report_key and (
                other.agency != s.agency or other.grading.common_source != "X"
            ):
                out.add(s.id)
                break
    return out


def exclusions_of(
    s: Statement,
    *,
    sanitised_reports: set[str],
    single_source_rule: bool,
    corroborated_ids: set[str],
) -> list[Exclusion]:
    reasons = []
    if s.handling.court_restricted:
        reasons.append(Exclusion.COURT_RESTRICTED)
    if s.report_key in sanitised_reports:
        reasons.append(Exclusion.SANITISED)
    if s.grading.suspected_false:
        reasons.append(Exclusion.SUSPECTED_FALSE)
    if single_source_rule and s.grading.common_source == "X" and s.id not in corroborated_ids:
        reasons.append(Exclusion.SINGLE_SOURCE_UNTESTED)
    return reasons


def split(
    statements: list[Statement],
    *,
    sanitised_reports: set[str],
    single_source_rule: bool,
    canonical: Callable[[str], str] = lambda e: e,
) -> EvidentialSplit:
    """Divide ``statements`` into what may go to court and what may not (with every reason).

    Corroboration is counted within ``statements``: what the viewer of the case can see,
    never material hidden from them.
    """

    def usable(s: Statement) -> bool:
        return not exclusions_of(
            s, sanitised_reports=sanitised_reports, single_source_rule=False, corroborated_ids=set()
        )

    confirmed = corroborated(statements, canonical, usable) if single_source_rule else set()
    excluded: dict[str, list[Exclusion]] = {}
    evidential: list[Statement] = []
    for s in statements:
        reasons = exclusions_of(
            s,
            sanitised_reports=sanitised_reports,
            single_source_rule=single_source_rule,
            corroborated_ids=confirmed,
        )
        if reasons:
            excluded[s.id] = reasons
        else:
            evidential.append(s)
    return EvidentialSplit(evidential, excluded)
