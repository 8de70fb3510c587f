"""Intelligence grading in its native schemes, and a common scale that never upgrades.

Three schemes arrive (DOMAIN.md §5):

* ``3x5x2`` (UK College of Policing): source ``1`` reliable, ``2`` untested, ``3`` not
  reliable; intelligence ``A`` known directly, ``B`` indirectly but corroborated, ``C``
  known indirectly, ``D`` not known, ``E`` suspected to be false.
* ``5x5x5`` (legacy UK): source ``A`` always reliable … ``D`` unreliable, ``E`` untested;
  information ``1`` known to be true … ``4`` cannot be judged, ``5`` suspected false.
* ``4x4`` (EU / Europol Regulation art. 29): source ``A`` no doubt, ``B`` mostly reliable,
  ``C`` mostly unreliable, ``X`` cannot be assessed; information ``1`` not in doubt,
  ``2`` known personally to the source, ``3`` corroborated, ``4`` not corroborated.

The native code is kept exactly as received. For ranking and filtering, every grade
also maps onto the 4x4 scale (the one all partners exchange through Europol). Each
mapping picks the *lowest* common grade the native grade can mean, so conversion never
upgrades. The choices, with the reason where it is not obvious:

* 3x5x2 source ``1`` → ``B``: "reliable" is a track record, not 4x4's "no doubt".
* 3x5x2 intelligence ``A`` → ``2``: known directly *to the source*, not verified by
  the officer, which is 4x4's ``2``, not ``1``.
* 3x5x2 ``C`` and ``D`` → ``4``; ``E`` → ``4`` with ``suspected_false``.
* 5x5x5 source ``D`` (unreliable) → ``C``; ``E`` (untested) → ``X``.
* 5x5x5 information ``4`` → ``4``; ``5`` → ``4`` with ``suspected_false``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from counterflow.errors import InvalidValue


class GradingScheme(StrEnum):
    UK_3X5X2 = "3x5x2"
    UK_5X5X5 = "5x5x5"
    EU_4X4 = "4x4"


SOURCE_CODES: dict[GradingScheme, dict[str, str]] = {
    GradingScheme.UK_3X5X2: {"1": "reliable", "2": "untested", "3": "not reliable"},
    GradingScheme.UK_5X5X5: {
        "A": "always reliable",
        "B": "mostly reliable",
        "C": "sometimes reliable",
        "D": "unreliable",
        "E": "untested source",
    },
    GradingScheme.EU_4X4: {
        "A": "no doubt of authenticity, trustworthiness and competence",
        "B": "mostly reliable",
        "C": "mostly unreliable",
        "X": "reliability cannot be assessed",
    },
}

INFORMATION_CODES: dict[GradingScheme, dict[str, str]] = {
    GradingScheme.UK_3X5X2: {
        "A": "known directly to the source",
        "B": "known indirectly to the source but corroborated",
        "C": "known indirectly to the source",
        "D": "not known",
        "E": "suspected to be false",
    },
    GradingScheme.UK_5X5X5: {
        "1": "known to be true without reservation",
        "2": "known personally to the source but not to the officer",
        "3": "not known personally to the source but corroborated",
        "4": "cannot be judged",
        "5": "suspected to be false or malicious",
    },
    GradingScheme.EU_4X4: {
        "1": "no doubt about its accuracy",
        "2": "known personally to the source but not to the official passing it on",
        "3": "not known personally to the source but corroborated",
        "4": "not known personally to the source and cannot be corroborated",
    },
}

_COMMON_SOURCE: dict[GradingScheme, dict[str, str]] = {
    GradingScheme.UK_3X5X2: {"1": "B", "2": "X", "3": "C"},
    GradingScheme.UK_5X5X5: {"A": "A", "B": "B", "C": "C", "D": "C", "E": "X"},
    GradingScheme.EU_4X4: {"A": "A", "B": "B", "C": "C", "X": "X"},
}
_COMMON_INFORMATION: dict[GradingScheme, dict[str, str]] = {
    GradingScheme.UK_3X5X2: {"A": "2", "B": "3", "C": "4", "D": "4", "E": "4"},
    GradingScheme.UK_5X5X5: {"1": "1", "2": "2", "3": "3", "4": "4", "5": "4"},
    GradingScheme.EU_4X4: {"1": "1", "2": "2", "3": "3", "4": "4"},
}
_SUSPECTED_FALSE = {(GradingScheme.UK_3X5X2, "E"), (GradingScheme.UK_5X5X5, "5")}

# Ranking weight on the common scale: higher means more trustworthy.
_SOURCE_WEIGHT = {"A": 1.0, "B": 0.8, "X": 0.5, "C": 0.3}
_INFORMATION_WEIGHT = {"1": 1.0, "2": 0.85, "3": 0.7, "4": 0.4}


@dataclass(frozen=True, slots=True)
class Grading:
    """A grade exactly as an agency sent it, with its common-scale reading."""

    scheme: GradingScheme
    source: str
    information: str
    # The 4x4 reading (``B3``); never higher than the native grade means. Worked out once: a
    # link chart reads it for every statement of every tie.
    common: str = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        common = (
            f"{_COMMON_SOURCE[self.scheme][self.source]}{_COMMON_INFORMATION[self.scheme][self.information]}"
        )
        object.__setattr__(self, "common", common)

    @classmethod
    def parse(cls, scheme: str, source: str, information: str) -> Grading:
        """Validate a native grade; unknown schemes or codes raise InvalidValue (never coerced)."""
        try:
            sch = GradingScheme(scheme)
        except ValueError:
            known = ", ".join(s.value for s in GradingScheme)
            raise InvalidValue("grading scheme", scheme, f"unknown scheme (known: {known})") from None
        if source not in SOURCE_CODES[sch]:
            known = ", ".join(SOURCE_CODES[sch])
            raise InvalidValue("grading source", source, f"not a {sch.value} source code (known: {known})")
        if information not in INFORMATION_CODES[sch]:
            known = ", ".join(INFORMATION_CODES[sch])
            raise InvalidValue(
                "grading information", information, f"not a {sch.value} intelligence code (known: {known})"
            )
        return cls(sch, source, information)

    @property
    def native(self) -> str:
        """The grade as written in its scheme, e.g. ``1B`` (3x5x2) or ``B2`` (4x4)."""
        return f"{self.source}{self.information}"

    @property
    def common_source(self) -> str:
        return _COMMON_SOURCE[self.scheme][self.source]

    @property
    def common_information(self) -> str:
        return _COMMON_INFORMATION[self.scheme][self.information]

    @property
    def suspected_false(self) -> bool:
        return (self.scheme, self.information) in _SUSPECTED_FALSE

    @property
    def weight(self) -> float:
        """A ranking weight in (0, 1]: source weight times information weight; tiny if suspected false."""
        w = _SOURCE_WEIGHT[self.common_source] * _INFORMATION_WEIGHT[self.common_information]
        return round(w * (0.1 if self.suspected_false else 1.0), 4)

    def to_dict(self) -> dict[str, str]:
        """The grade as shown to people and scripts: native scheme and codes, and the common reading."""
        return {
            "scheme": self.scheme.value,
            "source": self.source,
            "information": self.information,
            "common": self.common,
        }

    def describe(self) -> str:
        return (
            f"{self.scheme.value} {self.native}: source {SOURCE_CODES[self.scheme][self.source]}; "
            f"intelligence {INFORMATION_CODES[self.scheme][self.information]}"
        )


def weakest(grades: list[Grading]) -> Grading | None:
    """The least trustworthy of several grades (for values derived from all of them)."""
    if not grades:
        return None
    return min(grades, key=lambda g: (g.weight, g.common))
