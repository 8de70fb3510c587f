"""E-mail addresses.

The whole address is lower-cased, local part included. RFC 5321 lets a server treat
``Ana.Petrovic@`` and ``ana.petrovic@`` as different mailboxes, but no provider used on
the route does, and analysts copy addresses in whatever case they were written; treating
them as one selector is what matching needs. Provider-specific aliasing (Gmail dots,
``+tag`` suffixes) is *not* undone: the value is the address as written, and the
resolution stage decides whether two such addresses are one person.

Validation is deliberately practical rather than full RFC 5322: dot-atom local parts
(no quoted strings, no comments), ASCII only, and a DNS domain with at least two labels;
an internationalised domain is stored in its IDNA (``xn--``) form.
"""

from __future__ import annotations

import re

from counterflow.errors import InvalidValue
from counterflow.model.normalise.base import Normalised

_LOCAL = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_CANDIDATE = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")


def _domain(text: str, domain: str) -> str:
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise InvalidValue(
            "email", text, f"domain {domain!r} is not a valid internationalised domain"
        ) from exc
    labels = ascii_domain.split(".")
    if len(labels) < 2:
        raise InvalidValue("email", text, f"domain {domain!r} has no top-level domain")
    if len(ascii_domain) > 253:
        raise InvalidValue("email", text, "domain is longer than 253 characters")
    for label in labels:
        if not _LABEL.match(label):
            raise InvalidValue("email", text, f"domain label {label!r} is not valid")
    tld = labels[-1]
    if not (tld.isalpha() and len(tld) >= 2) and not tld.startswith("xn--"):
        raise InvalidValue("email", text, f"top-level domain {tld!r} is not valid")
    return ascii_domain


def normalise_email(text: str) -> Normalised:
    """An e-mail address, lower-cased; evidence: ``domain``."""
    address = text.strip()
    if address.lower().startswith("mailto:"):
        address = address[7:]
    address = address.strip().strip("<>").strip()
    if not address:
        raise InvalidValue("email", text, "e-mail address is empty")
    if any(c.isspace() for c in address):
        raise InvalidValue("email", text, "e-mail address contains whitespace")
    if address.count("@") != 1:
        raise InvalidValue(
            "email", text, f"e-mail address must contain exactly one '@', found {address.count('@')}"
        )
    local, domain = address.split("@")
    local = local.lower()
    if not local:
        raise InvalidValue("email", text, "nothing before the '@'")
    if not local.isascii():
        raise InvalidValue("email", text, "non-ASCII characters before the '@' are not supported")
    if len(local) > 64:
        raise InvalidValue("email", text, "part before the '@' is longer than 64 characters")
    if not _LOCAL.match(local):
        raise InvalidValue("email", text, f"part before the '@' ({local!r}) has invalid characters or dots")
    if not domain:
        raise InvalidValue("email", text, "nothing after the '@'")
    ascii_domain = _domain(text, domain)
    value = f"{local}@{ascii_domain}"
    if len(value) > 254:
        raise InvalidValue("email", text, "e-mail address is longer than 254 characters")
    return Normalised(value=value, original=text, evidence={"domain": ascii_domain})


def find_emails(text: str) -> list[tuple[int, int, Normalised]]:
    """Valid e-mail addresses in free text, as (start, end, Normalised)."""
    found: list[tuple[int, int, Normalised]] = []
    for match in _CANDIDATE.finditer(text):
        start, end = match.start(), match.end()
        candidate = match.group(0)
        trimmed = candidate.rstrip(".-")  # a sentence's full stop
        end -= len(candidate) - len(trimmed)
        try:
            found.append((start, end, normalise_email(trimmed)))
        except InvalidValue:
            continue
    return found
