"""Handling codes in their native schemes, classification markings, and restrictiveness.

Handling codes say what a recipient may do with intelligence (DOMAIN.md §5):

* ``3x5x2``: ``P`` lawful sharing permitted; ``C`` permitted with conditions (the
  conditions are free text and must be present).
* ``5x5x5``: ``1`` law enforcement and prosecutors incl. EEA; ``2`` UK non-prosecuting
  parties; ``3`` non-EEA law enforcement with conditions; ``4`` originating agency only;
  ``5`` no further dissemination.
* ``SIENA``: ``H0`` only to prevent and combat crime; ``H1`` not in court without the
  provider's permission; ``H2`` no onward dissemination without permission; ``H3`` other
  restrictions (text required).

The native code is kept verbatim. Each code also yields flags the policy and case layers
use (may it go to court, may it be passed on, only the originator) and a restriction
rank, so that anything derived from several statements can carry the most restrictive
handling of its inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from counterflow.errors import InvalidValue


class HandlingScheme(StrEnum):
    UK_3X5X2 = "3x5x2"
    UK_5X5X5 = "5x5x5"
    SIENA = "SIENA"


HANDLING_CODES: dict[HandlingScheme, dict[str, str]] = {
    HandlingScheme.UK_3X5X2: {
        "P": "lawful sharing permitted",
        "C": "lawful sharing permitted with conditions",
    },
    HandlingScheme.UK_5X5X5: {
        "1": "may be disseminated to law enforcement and prosecuting agencies, including EEA",
        "2": "may be disseminated to UK non-prosecuting parties",
        "3": "may be disseminated to non-EEA law enforcement, with conditions",
        "4": "may be disseminated within the originating agency only",
        "5": "no further dissemination; refer to the originator",
    },
    HandlingScheme.SIENA: {
        "H0": "use only for preventing and combating crime",
        "H1": "not to be used in judicial proceedings without the provider's permission",
        "H2": "no onward dissemination without the provider's permission",
        "H3": "other restrictions apply (see conditions)",
    },
}
_NEEDS_CONDITIONS = {(HandlingScheme.UK_3X5X2, "C"), (HandlingScheme.SIENA, "H3")}

# Restriction rank: 0 open … 4 originator only. Ties keep both codes visible in a merge.
_RANK: dict[tuple[HandlingScheme, str], int] = {
    (HandlingScheme.UK_3X5X2, "P"): 0,
    (HandlingScheme.UK_3X5X2, "C"): 2,
    (HandlingScheme.UK_5X5X5, "1"): 0,
    (HandlingScheme.UK_5X5X5, "2"): 1,
    (HandlingScheme.UK_5X5X5, "3"): 2,
    (HandlingScheme.UK_5X5X5, "4"): 4,
    (HandlingScheme.UK_5X5X5, "5"): 3,
    (HandlingScheme.SIENA, "H0"): 0,
    (HandlingScheme.SIENA, "H1"): 1,
    (HandlingScheme.SIENA, "H2"): 3,
    (HandlingScheme.SIENA, "H3"): 2,
}


@dataclass(frozen=True, slots=True)
class Handling:
    """A handling code as received, with its conditions text where the scheme requires it."""

    scheme: HandlingScheme
    code: str
    conditions: str | None = None

    @classmethod
    def parse(cls, scheme: str, code: str, conditions: str | None = None) -> Handling:
        try:
            sch = HandlingScheme(scheme)
        except ValueError:
            known = ", ".join(s.value for s in HandlingScheme)
            raise InvalidValue("handling scheme", scheme, f"unknown scheme (known: {known})") from None
        if code not in HANDLING_CODES[sch]:
            known = ", ".join(HANDLING_CODES[sch])
            raise InvalidValue("handling code", code, f"not a {sch.value} handling code (known: {known})")
        text = (conditions or "").strip() or None
        if (sch, code) in _NEEDS_CONDITIONS and text is None:
            raise InvalidValue("handling code", code, f"{sch.value} {code} requires its conditions text")
        return cls(sch, code, text)

    @property
    def rank(self) -> int:
        return _RANK[(self.scheme, self.code)]

    @property
    def court_restricted(self) -> bool:
        """May not be used in court without the provider's permission (SIENA H1)."""
        return self.scheme is HandlingScheme.SIENA and self.code == "H1"

    @property
    def no_onward(self) -> bool:
        """May not be passed on to another agency without the provider's permission."""
        return (self.scheme, self.code) in {
            (HandlingScheme.SIENA, "H2"),
            (HandlingScheme.UK_5X5X5, "4"),
            (HandlingScheme.UK_5X5X5, "5"),
        }

    @property
    def originator_only(self) -> bool:
        return self.scheme is HandlingScheme.UK_5X5X5 and self.code == "4"

    @property
    def label(self) -> str:
        return f"{self.scheme.value} {self.code}"

    def to_dict(self) -> dict[str, str | None]:
        return {"scheme": self.scheme.value, "code": self.code, "conditions": self.conditions}

    def describe(self) -> str:
        base = f"{self.label}: {HANDLING_CODES[self.scheme][self.code]}"
        return f"{base}; conditions: {self.conditions}" if self.conditions else base


def most_restrictive(codes: list[Handling]) -> list[Handling]:
    """The handling a derived result must carry: every input code of the highest rank.

    Codes of different schemes are not comparable in every respect (H1 restricts court
    use, 5x5x5 ``4`` restricts dissemination), so the result keeps every code that sets a
    restriction flag plus all codes of the top rank, deduplicated and in a stable order.
    """
    if not codes:
        return []
    top = max(c.rank for c in codes)
    keep = {c for c in codes if c.rank == top or c.court_restricted or c.no_onward or c.conditions}
    return sorted(keep, key=lambda c: (-c.rank, c.scheme.value, c.code, c.conditions or ""))


class Classification(StrEnum):
    """UK Government Security Classifications markings, in increasing order."""

    OFFICIAL = "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE"
    SECRET = "SECRET"
    TOP_SECRET = "TOP SECRET"

    @property
    def level(self) -> int:
        return _LEVEL[self.value]

    @classmethod
    def parse(cls, marking: str) -> Classification:
        """Accept the marking in any letter case; anything else is an error, never coerced."""
        try:
            return cls(marking.strip().upper())
        except ValueError:
            known = ", ".join(c.value for c in cls)
            raise InvalidValue("classification", marking, f"unknown marking (known: {known})") from None


_LEVEL = {c.value: i for i, c in enumerate(Classification)}


def highest(markings: list[Classification]) -> Classification:
    return max(markings, key=lambda c: c.level) if markings else Classification.OFFICIAL
