"""Personal identifiers: JMBG/EMBG, other national ids, passport numbers, IMEIs.

JMBG (Serbian, Bosnian, Montenegrin, pre-1991 Croatian and Slovenian) and EMBG
(Macedonian) are the same 13-digit ``DDMMYYYRRBBBK`` number: birth date, a political
region code, a serial number (000–499 male, 500–999 female) and a check digit.
Region codes 00–09 were given to foreigners and naturalised citizens registered in the
republic whose block starts with the same second digit (01 Bosnia and Herzegovina,
02 Montenegro, 03 Croatia, 04 North Macedonia, 05 Slovenia, 07/08 Serbia, 09 Kosovo);
60–69 are temporary residence and name no country.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from rigour.territories import lookup_territory
from stdnum import luhn
from stdnum.bg import egn
from stdnum.exceptions import ValidationError
from stdnum.gr import amka
from stdnum.hr import oib

from counterflow.errors import InvalidValue
from counterflow.model.normalise.base import Normalised

_JMBG_BLOCKS: list[tuple[range, str, str]] = [
    (range(0, 10), "", "foreigners registered in"),
    (range(10, 20), "BA", "Bosnia and Herzegovina"),
    (range(20, 30), "ME", "Montenegro"),
    (range(30, 40), "HR", "Croatia"),
    (range(40, 50), "MK", "North Macedonia"),
    (range(50, 60), "SI", "Slovenia"),
    (range(60, 70), "", "temporary residence"),
    (range(70, 80), "RS", "central Serbia"),
    (range(80, 90), "RS", "Vojvodina, Serbia"),
    (range(90, 100), "XK", "Kosovo"),
]
_FOREIGNER_COUNTRY = {1: ("BA", "Bosnia and Herzegovina"), 2: ("ME", "Montenegro"), 3: ("HR", "Croatia"),
                      4: ("MK", "North Macedonia"), 5: ("SI", "Slovenia"), 7: ("RS", "central Serbia"),
                      8: ("RS", "Vojvodina, Serbia"), 9: ("XK", "Kosovo")}  # fmt: skip
_JMBG_PLACES = {
    10: "Banja Luka", 11: "Bihać", 12: "Doboj", 13: "Goražde", 14: "Livno", 15: "Mostar", 16: "Prijedor",
    17: "Sarajevo", 18: "Tuzla", 19: "Zenica", 21: "Podgorica", 41: "Bitola", 42: "Kumanovo", 43: "Ohrid",
    44: "Prilep", 45: "Skopje", 46: "Strumica", 47: "Tetovo", 48: "Veles", 49: "Štip", 71: "Belgrade",
    72: "Kragujevac", 73: "Niš", 74: "Leskovac", 75: "Zaječar", 76: "Smederevo", 77: "Šabac", 78: "Kraljevo",
    79: "Užice", 80: "Novi Sad", 81: "Sombor", 82: "Subotica", 85: "Zrenjanin", 86: "Pančevo", 87: "Kikinda",
    88: "Ruma", 89: "Sremska Mitrovica", 91: "Priština", 92: "Kosovska Mitrovica", 93: "Peć", 94: "Đakovica",
    95: "Prizren", 96: "Gnjilane",
}  # fmt: skip
_JMBG_COUNTRIES = {"RS", "MK", "BA", "ME", "SI", "HR", "XK"}
_WEIGHTS = (7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_SEPARATORS = re.compile(r"[\s.\-/]")
# ICAO codes for travel documents of people without a national passport.
_ICAO_SPECIAL = {
    "XXA": "stateless person", "XXB": "refugee (1951 Convention)", "XXC": "refugee (other)",
    "XXX": "unspecified nationality", "UNO": "United Nations", "EUE": "European Union",
}  # fmt: skip
_ICAO_ALIASES = {"D": "DE", "GBD": "GB", "GBN": "GB", "GBO": "GB", "GBP": "GB", "GBS": "GB", "RKS": "XK"}


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", text.strip()).upper()


def jmbg_check_digit(first12: str) -> int:
    """The JMBG check digit of the first twelve digits (``m = 11 − (Σ wᵢ·aᵢ mod 11)``, 10 and 11 → 0)."""
    m = 11 - sum(w * int(d) for w, d in zip(_WEIGHTS, first12, strict=True)) % 11
    return 0 if m > 9 else m


def _jmbg_region(code: int) -> tuple[str, str]:
    """(country, human name) of a JMBG region code."""
    for block, country, name in _JMBG_BLOCKS:
        if code in block:
            if block.start == 0:
                host = _FOREIGNER_COUNTRY.get(code)
                return (host[0], f"foreigners registered in {host[1]}") if host else ("", "foreigners")
            place = _JMBG_PLACES.get(code)
            return country, f"{place}, {name}" if place else name
    raise AssertionError(code)  # pragma: no cover - codes are two digits


def normalise_jmbg(text: str) -> Normalised:
    """A 13-digit JMBG/EMBG, validated; evidence: birth_date, region_code, region, country, sex."""
    value = _compact(text)
    if not value.isdigit():
        raise InvalidValue("jmbg", text, "JMBG must contain only digits")
    if len(value) != 13:
        raise InvalidValue("jmbg", text, f"JMBG must be 13 digits, got {len(value)}")
    day, month, yyy = int(value[0:2]), int(value[2:4]), int(value[4:7])
    year = 1000 + yyy if yyy >= 900 else 2000 + yyy
    today = datetime.date.today()
    try:
        birth = datetime.date(year, month, day)
    except ValueError:
        raise InvalidValue(
            "jmbg", text, f"JMBG birth date {value[0:2]}.{value[2:4]}.{year} (digits 1-7) is not a real date"
        ) from None
    if birth > today:
        raise InvalidValue("jmbg", text, f"JMBG birth date {birth.isoformat()} is in the future")
    expected = jmbg_check_digit(value[:12])
    if int(value[12]) != expected:
        raise InvalidValue("jmbg", text, f"JMBG checksum digit is {value[12]}, expected {expected}")
    country, region = _jmbg_region(int(value[7:9]))
    evidence = {
        "birth_date": birth.isoformat(),
        "region_code": value[7:9],
        "region": region,
        "country": country,
        "sex": "male" if int(value[9:12]) < 500 else "female",
    }
    return Normalised(value=value, original=text, evidence=evidence)


def _stdnum(kind: str, text: str, value: str, scheme: str, validate: Callable[[str], object]) -> None:
    try:
        validate(value)
    except ValidationError as exc:
        raise InvalidValue(kind, text, f"not a valid {scheme}: {str(exc).rstrip('.').lower()}") from exc


def normalise_national_id(text: str, country: str | None) -> Normalised:
    """A national identity number, validated where the country's scheme is known.

    The scheme is chosen by country and shape: JMBG for 13 digits in the ex-Yugoslav
    states, OIB (HR, 11 digits), EGN (BG, 10 digits), AMKA (GR, 11 digits). Anything
    else is kept as upper-case alphanumerics with ``validated: no``. Evidence always has
    ``country``, ``scheme`` and ``validated``; JMBG adds its own evidence (its ``country``
    becomes ``jmbg_country``, the region the number was issued in).
    """
    code = (country or "").upper()
    value = _compact(text)
    if not value:
        raise InvalidValue("national_id", text, "national id is empty")
    if code in _JMBG_COUNTRIES and len(value) == 13 and value.isdigit():
        jmbg = normalise_jmbg(text)
        evidence = {"country": code, "scheme": "jmbg", "validated": "yes", **jmbg.evidence}
        evidence["jmbg_country"] = jmbg.evidence["country"]
        evidence["country"] = code
        return Normalised(value=jmbg.value, original=text, evidence=evidence)
    evidence = {"country": code, "scheme": "", "validated": "yes"}
    if code == "HR" and len(value) == 11 and value.isdigit():
        _stdnum("national_id", text, value, "OIB", oib.validate)
        evidence["scheme"] = "oib"
    elif code == "BG" and len(value) == 10 and value.isdigit():
        _stdnum("national_id", text, value, "EGN", egn.validate)
        evidence.update(scheme="egn", birth_date=egn.get_birth_date(value).isoformat())
    elif code == "GR" and len(value) == 11 and value.isdigit():
        _stdnum("national_id", text, value, "AMKA", amka.validate)
        evidence.update(scheme="amka", birth_date=amka.get_birth_date(value).isoformat())
    else:
        if not value.isascii() or not value.isalnum():
            raise InvalidValue(
                "national_id", text, "national id must be letters and digits (separators aside)"
            )
        if not 3 <= len(value) <= 30:
            raise InvalidValue(
                "national_id", text, f"national id has {len(value)} characters, expected 3 to 30"
            )
        if not any(c.isdigit() for c in value):
            raise InvalidValue("national_id", text, "national id contains no digit")
        evidence.update(scheme="unknown", validated="no")
    return Normalised(value=value, original=text, evidence=evidence)


def _issuing_country(text: str, country: str) -> dict[str, str]:
    code = country.strip().upper()
    if code in _ICAO_SPECIAL:
        return {"country": "", "icao_code": code, "document_holder": _ICAO_SPECIAL[code]}
    code = _ICAO_ALIASES.get(code, code)
    territory = lookup_territory(code) if 2 <= len(code) <= 3 and code.isalpha() else None
    if territory is None or len(territory.code) != 2:
        raise InvalidValue(
            "passport", text, f"unknown issuing country {country!r}: expected ISO alpha-2 or alpha-3"
        )
    return {"country": territory.code.upper()}


def normalise_passport(text: str, country: str | None) -> Normalised:
    """A passport number as upper-case alphanumerics (5–12, with a digit); evidence: issuing ``country``."""
    evidence = _issuing_country(text, country) if country else {"country": ""}
    value = _compact(text)
    if not value:
        raise InvalidValue("passport", text, "passport number is empty")
    if not (value.isascii() and value.isalnum()):
        raise InvalidValue(
            "passport", text, "passport number must be Latin letters and digits (separators aside)"
        )
    if not 5 <= len(value) <= 12:
        raise InvalidValue("passport", text, f"passport number has {len(value)} characters, expected 5 to 12")
    if not any(c.isdigit() for c in value):
        raise InvalidValue("passport", text, "passport number contains no digit")
    return Normalised(value=value, original=text, evidence=evidence)


def normalise_imei(text: str) -> Normalised:
    """A handset identity as the 15-digit IMEI; evidence: ``tac`` and ``form``.

    Accepted forms: 15 digits with a valid Luhn check digit (``imei``); 14 digits, the
    check digit computed (``imei14``); 16-digit IMEISV, whose last two digits are the
    software version, not a check digit, so the first 14 get a computed check digit
    (``imeisv``, with ``software_version``); and 15 digits ending in ``0`` whose Luhn
    check fails (``cdr-spare-zero``): network call records store the 14-digit IMEI plus a
    spare ``0``, so those get the computed check digit too. Other Luhn failures are rejected.
    """
    value = _compact(text)
    if not value.isdigit():
        raise InvalidValue("imei", text, "IMEI must contain only digits")
    evidence: dict[str, str] = {}
    if len(value) == 15:
        expected = luhn.calc_check_digit(value[:14])
        if value[14] == expected:
            form = "imei"
        elif value[14] == "0":
            form = "cdr-spare-zero"
        else:
            raise InvalidValue("imei", text, f"IMEI check digit is {value[14]}, expected {expected}")
    elif len(value) == 14:
        form = "imei14"
    elif len(value) == 16:
        form = "imeisv"
        evidence["software_version"] = value[14:]
    else:
        raise InvalidValue("imei", text, f"IMEI must be 14, 15 or 16 (IMEISV) digits, got {len(value)}")
    body = value[:14]
    if body[:8] == "00000000":
        raise InvalidValue("imei", text, "IMEI type allocation code 00000000 is not allocated")
    evidence.update(tac=body[:8], form=form)
    return Normalised(value=body + luhn.calc_check_digit(body), original=text, evidence=evidence)
