"""Role annotations on persons (DOMAIN.md §3 and §6).

A role is a statement like any other (prop ``role`` on a Person or LegalEntity), so it
carries the reporting agency, grading and handling of whoever asserted it. Roles are not
FollowTheMoney properties; they are kept beside the entity (``Statement.is_extension``).

``PROTECTED_ROLES`` (victim, witness, minor) are safeguards: a person holding any of
them, from any visible statement, is never ranked or removed as a target.
"""

from __future__ import annotations

from enum import StrEnum

from counterflow.errors import InvalidValue


class Role(StrEnum):
    ORGANISER = "organiser"
    COORDINATOR = "coordinator"  # regional coordinator of a leg
    BROKER = "broker"  # ties stages together
    RECRUITER = "recruiter"
    DRIVER = "driver"
    SCOUT_DRIVER = "scout_driver"
    FOOT_GUIDE = "foot_guide"
    SAFE_HOUSE_KEEPER = "safe_house_keeper"
    FORGER = "forger"
    LOGISTICS = "logistics"  # boats, engines, life jackets, storage
    BOAT_SUPPLIER = "boat_supplier"
    MONEY_HANDLER = "money_handler"  # hawala banker
    CORRUPT_OFFICIAL = "corrupt_official"
    CAMP_GOVERNOR = "camp_governor"
    SUSPECT = "suspect"
    VICTIM = "victim"
    WITNESS = "witness"
    MINOR = "minor"


PROTECTED_ROLES = frozenset({Role.VICTIM, Role.WITNESS, Role.MINOR})
ORGANISER_ROLES = frozenset({Role.ORGANISER, Role.COORDINATOR, Role.BROKER})
ROLE_SCHEMATA = frozenset({"Person", "LegalEntity"})


def parse_role(value: str) -> Role:
    """A role from its name (case-insensitive, hyphens or spaces allowed); unknown roles are errors."""
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return Role(key)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise InvalidValue("role", value, f"unknown role (known: {known})") from None


def is_protected(roles: set[str]) -> bool:
    return any(r in PROTECTED_ROLES for r in roles)
