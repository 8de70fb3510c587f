"""Who may see a statement: the need-to-know rule as a pure function (the specification).

A viewer sees a statement when all of these hold:

1. its classification is at or below the viewer's clearance;
2. it belongs to the viewer's own agency, or the owning agency has a sharing agreement
   with the viewer's agency that covers it:
   - the classification is at or below the agreement's ceiling;
   - the handling code allows passing it to the recipient (``handling_allows``);
   - it is not about a protected person (victim, witness, minor) unless the agreement
     explicitly includes protected persons (Europol Regulation art. 30: processed only
     where strictly necessary).

An *open* viewer is the single operator of an unconfigured store (no agencies
registered): there is nobody to keep anything from, so everything is visible. As soon
as the first agency is registered, every reader is a registered user and these rules
apply. ``store/visibility.py`` turns the same rules into SQL; the property-based tests
check that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from counterflow.model.handling import Classification, HandlingScheme


class UserRole(StrEnum):
    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    LIAISON = "liaison"  # liaison officer of a partner agency, a user of that partner agency
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"


@dataclass(frozen=True, slots=True)
class Agreement:
    """A standing permission from ``owner`` to share with ``recipient``, within limits."""

    owner: str
    recipient: str
    max_classification: Classification = Classification.OFFICIAL_SENSITIVE
    accepts_conditions: bool = False  # the recipient undertakes 3x5x2 C / 5x5x5 3 / SIENA H3 conditions
    include_protected: bool = False  # victims, witnesses and minors are shared too


@dataclass(frozen=True, slots=True)
class Viewer:
    """A reader: a user of an agency with a clearance, and the agreements shared with that agency."""

    user: str
    agency: str
    clearance: Classification
    roles: frozenset[str] = frozenset()
    agreements: tuple[Agreement, ...] = ()
    open: bool = False
    shares: dict[str, Agreement] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        shares = {a.owner: a for a in self.agreements if a.recipient == self.agency}
        object.__setattr__(self, "shares", shares)

    @classmethod
    def operator(cls) -> Viewer:
        """The single operator of an unconfigured store (sees everything; see module docstring)."""
        return cls(
            "operator", "", Classification.TOP_SECRET, frozenset({UserRole.ADMINISTRATOR.value}), (), True
        )

    @classmethod
    def of_agency(cls, agency: str, clearance: Classification, agreements: tuple[Agreement, ...]) -> Viewer:
        """An agency acting as a whole (what its reports may be linked to at ingest)."""
        return cls(f"agency:{agency}", agency, clearance, frozenset(), agreements)


def handling_allows(agreement: Agreement, scheme: str, code: str) -> bool:
    """May material with this handling code go to the agreement's recipient?

    3x5x2 ``P`` yes, ``C`` only to a recipient who accepts conditions. 5x5x5 ``1`` yes
    (law enforcement incl. EEA); ``2`` only UK recipients; ``3`` (non-EEA law enforcement,
    with conditions) only to a recipient who accepts conditions; ``4`` (originator only)
    and ``5`` (no further dissemination) never. SIENA ``H0``, ``H1`` (not in court: the
    case layer keeps it out of evidence) and ``H2`` (no *onward* dissemination: the
    recipient may read it but not pass it on) yes; ``H3`` only with accepted conditions.
    """
    if scheme == HandlingScheme.UK_3X5X2:
        return code == "P" or (code == "C" and agreement.accepts_conditions)
    if scheme == HandlingScheme.UK_5X5X5:
        if code == "1":
            return True
        if code == "2":
            return agreement.recipient.startswith("gb_")
        if code == "3":
            return agreement.accepts_conditions
        return False
    if scheme == HandlingScheme.SIENA:
        return code in {"H0", "H1", "H2"} or (code == "H3" and agreement.accepts_conditions)
    return False


def may_see(
    viewer: Viewer,
    *,
    agency: str,
    class_level: int,
    handling_scheme: str,
    handling_code: str,
    protected: bool,
) -> bool:
    """The rule (module docstring) for one statement's metadata."""
    if viewer.open:
        return True
    if class_level > viewer.clearance.level:
        return False
    if agency == viewer.agency:
        return True
    agreement = viewer.shares.get(agency)
    if agreement is None or class_level > agreement.max_classification.level:
        return False
    if protected and not agreement.include_protected:
        return False
    return handling_allows(agreement, handling_scheme, handling_code)


@dataclass(frozen=True, slots=True)
class Meta:
    """What deciding a statement's visibility needs to know about it."""

    agency: str
    class_level: int
    handling_scheme: str
    handling_code: str
    protected: bool


def may_see_meta(viewer: Viewer, meta: Meta) -> bool:
    return may_see(
        viewer,
        agency=meta.agency,
        class_level=meta.class_level,
        handling_scheme=meta.handling_scheme,
        handling_code=meta.handling_code,
        protected=meta.protected,
    )


@dataclass(frozen=True, slots=True)
class NameEntry:
    """A known name, with the metadata of the statement that gave it."""

    entity_id: str
    value: str
    meta: Meta


@dataclass(frozen=True, slots=True)
class Sharing:
    """The agreements in force, and whether any agency is registered at all (else: open store)."""

    open: bool
    agreements: tuple[Agreement, ...] = ()

    def agency_viewer(self, agency: str, clearance: Classification) -> Viewer:
        """What an agency's own material may be linked to (at the given classification)."""
        if self.open:
            return Viewer.operator()
        return Viewer.of_agency(agency, clearance, self.agreements)
