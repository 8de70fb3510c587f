"""Agency identifiers and the country their prefix names.

An agency id is ``<prefix>_<name>`` (``rs_mup``, ``mk_mvr``, ``eu_europol``). The prefix
gives the country used as the region hint for national phone numbers and the default
issuing country of national documents. ``eu_`` agencies have no country.
"""

from __future__ import annotations

import re

from counterflow.errors import InvalidValue

PREFIX_COUNTRY: dict[str, str | None] = {
    "rs": "RS",
    "mk": "MK",
    "ba": "BA",
    "hr": "HR",
    "gr": "GR",
    "hu": "HU",
    "de": "DE",
    "fr": "FR",
    "be": "BE",
    "gb": "GB",
    "bg": "BG",
    "si": "SI",
    "at": "AT",
    "it": "IT",
    "nl": "NL",
    "al": "AL",
    "me": "ME",
    "xk": "XK",
    "ro": "RO",
    "tr": "TR",
    "eu": None,
}

AGENCY_RE = re.compile(r"^([a-z]{2})_[a-z0-9_]{1,40}$")


def validate_agency(agency: str) -> str:
    """Return ``agency`` if it is a well-formed id with a known prefix, else raise InvalidValue."""
    match = AGENCY_RE.match(agency)
    if match is None:
        raise InvalidValue("agency", agency, "expected <country prefix>_<name>, lower case, e.g. rs_mup")
    if match.group(1) not in PREFIX_COUNTRY:
        known = ", ".join(sorted(PREFIX_COUNTRY))
        raise InvalidValue("agency", agency, f"unknown prefix {match.group(1)!r} (known: {known})")
    return agency


def agency_country(agency: str) -> str | None:
    """ISO 3166 alpha-2 country of an agency (``None`` for EU bodies)."""
    validate_agency(agency)
    return PREFIX_COUNTRY[agency[:2]]


def agency_slug(agency: str) -> str:
    """The agency id in the character set FollowTheMoney allows in entity ids."""
    return agency.replace("_", "-")
