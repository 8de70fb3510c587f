"""The result type shared by every value normaliser."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Normalised:
    """A value in its comparable form, the original as written, and the evidence used.

    ``evidence`` records what the normaliser assumed or derived (a region hint, an
    issuing country, the birth date a JMBG encodes, a date's precision), so that an
    analyst can see why two spellings were taken to be the same value.
    """

    value: str
    original: str
    evidence: dict[str, str] = field(default_factory=dict)
