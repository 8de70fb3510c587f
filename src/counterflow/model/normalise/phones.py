"""Telephone numbers to E.164 with phonenumbers.

A number written in national format (``064 123 4567``) only means something together
with a country. The caller passes the reporting agency's country as ``region_hint``; it is
used for national-format numbers only, never to reinterpret a number written with ``+``
or ``00``. The same digits can be valid in two countries (``070 234 567`` is a Serbian
and a Macedonian mobile), which is why a national number without a hint is rejected
rather than guessed.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, ValidationResult

from counterflow.errors import InvalidValue
from counterflow.model.normalise.base import Normalised

MAX_DIGITS = 15  # E.164

_ALLOWED = re.compile(r"^[+0-9\s.\-/()]+$")
_TRUNK_IN_PARENS = re.compile(r"\(\s*0\s*\)")

_POSSIBLE_REASONS: dict[int, str] = {
    ValidationResult.INVALID_COUNTRY_CODE: "unknown country calling code",
    ValidationResult.TOO_SHORT: "too short to be a number of that country",
    ValidationResult.TOO_LONG: "too long to be a number of that country",
    ValidationResult.INVALID_LENGTH: "wrong length for a number of that country",
}

_PARSE_REASONS: dict[int, str] = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown country calling code",
    NumberParseException.NOT_A_NUMBER: "not a telephone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "too short to be a telephone number",
    NumberParseException.TOO_LONG: "too long to be a telephone number",
}


def _check_hint(text: str, region_hint: str | None) -> str | None:
    if region_hint is None or region_hint == "":
        return None
    hint = region_hint.upper()
    if hint not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidValue(
            "phone", text, f"unknown region hint {region_hint!r}: expected an ISO 3166 alpha-2 code"
        )
    return hint


def _clean(text: str) -> tuple[str, bool]:
    """Strip separators and ``(0)``; turn a leading ``00`` into ``+``. Returns (digits, international)."""
    stripped = text.strip()
    if not stripped:
        raise InvalidValue("phone", text, "phone number is empty")
    if any(c.isalpha() for c in stripped):
        raise InvalidValue("phone", text, "phone number contains letters")
    if not _ALLOWED.match(stripped):
        bad = next(c for c in stripped if not _ALLOWED.match(c))
        raise InvalidValue("phone", text, f"unexpected character {bad!r} in phone number")
    if stripped.count("+") > 1 or ("+" in stripped and not stripped.startswith("+")):
        raise InvalidValue("phone", text, "'+' may only appear once, at the start")
    international = stripped.startswith("+")
    body = stripped[1:] if international else stripped
    digits = re.sub(r"\D", "", body)
    if not international and digits.startswith("00") and len(digits) > 2 and digits[2] != "0":
        international = True
        digits = digits[2:]
        body = re.sub(r"^\D*0\D*0", "", body)
    if international:
        # "+381 (0)64 ..." : the trunk zero in brackets is not dialled from abroad.
        digits = re.sub(r"\D", "", _TRUNK_IN_PARENS.sub("", body, count=1))
    if not digits:
        raise InvalidValue("phone", text, "phone number contains no digits")
    if len(digits) > MAX_DIGITS + (0 if international else 2):
        raise InvalidValue(
            "phone", text, f"too long: {len(digits)} digits, E.164 allows at most {MAX_DIGITS}"
        )
    return digits, international


def _evidence(number: PhoneNumber, hint: str | None, used_hint: bool) -> dict[str, str]:
    return {
        "region_hint": hint or "",
        "country": phonenumbers.region_code_for_number(number) or "",
        "used_hint": "yes" if used_hint else "no",
        "format": "national" if used_hint else "international",
    }


def normalise_phone(text: str, region_hint: str | None) -> Normalised:
    """A telephone number as E.164 (``+38164123456``); evidence: region_hint, country, used_hint, format."""
    hint = _check_hint(text, region_hint)
    digits, international = _clean(text)
    if not international and hint is None:
        raise InvalidValue("phone", text, "national number without a country: cannot tell which country")
    try:
        number = phonenumbers.parse(
            "+" + digits if international else digits, None if international else hint
        )
    except NumberParseException as exc:
        reason = _PARSE_REASONS.get(exc.error_type, str(exc))
        raise InvalidValue("phone", text, reason) from exc
    where = f"+{number.country_code}" if international else f"{hint} (from the region hint)"
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible not in (ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        raise InvalidValue("phone", text, f"not a possible number for {where}: {_POSSIBLE_REASONS[possible]}")
    if possible == ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        raise InvalidValue(
            "phone",
            text,
            f"not a possible number for {where}: too short for a full number (at most a local one)",
        )
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue(
            "phone", text, f"not a valid number for {where}: no number range of that country matches"
        )
    value = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return Normalised(value=value, original=text, evidence=_evidence(number, hint, not international))


def find_phones(text: str, region_hint: str | None) -> list[tuple[int, int, Normalised]]:
    """Valid phone numbers in free text, as (start, end, Normalised) with offsets into ``text``.

    Without a region hint only international numbers (``+`` or ``00``) are found.
    """
    hint = _check_hint(text, region_hint)
    found: list[tuple[int, int, Normalised]] = []
    matcher = phonenumbers.PhoneNumberMatcher(text, hint, leniency=phonenumbers.Leniency.VALID)
    for match in matcher:
        try:
            result = normalise_phone(match.raw_string, hint)
        except InvalidValue:
            number = match.number
            national = not match.raw_string.lstrip().startswith(("+", "00"))
            value = phonenumbers.format_number(number, PhoneNumberFormat.E164)
            result = Normalised(
                value=value, original=match.raw_string, evidence=_evidence(number, hint, national)
            )
        found.append((match.start, match.end, result))
    return found
