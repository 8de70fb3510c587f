"""Selectors with real structure: mobile numbers valid for their country, JMBG/EMBG with checksums,
passport numbers, plates in national formats, IBANs with valid check digits."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import phonenumbers
from schwifty import IBAN

# Mobile prefixes (after the country code) and how many digits follow, per region.
_MOBILE: dict[str, tuple[tuple[str, ...], int]] = {
    "RS": (("60", "61", "62", "63", "64", "65", "66", "69"), 7),
    "MK": (("70", "71", "72", "75", "76", "77", "78"), 6),
    "BA": (("61", "62", "63", "65", "66"), 6),
    "HR": (("91", "92", "95", "98", "99"), 7),
    "GR": (("690", "693", "694", "695", "697", "698", "699"), 7),
    "HU": (("20", "30", "70"), 7),
    "DE": (("151", "160", "170", "171", "172", "175", "176", "177", "178", "179"), 7),
    "FR": (("6", "7"), 8),
    "BE": (("470", "471", "472", "473", "474", "475", "476", "477", "478", "479", "484", "485", "486"), 6),
    "NL": (("6",), 8),
    "GB": (("74", "75", "77", "78", "79"), 8),
    "AT": (("664", "676", "699"), 7),
    "IT": (("320", "328", "333", "338", "340", "347", "349", "380"), 7),
    "SI": (("40", "41", "51", "31"), 6),
    "BG": (("87", "88", "89"), 7),
    "AL": (("67", "68", "69"), 7),
    "TR": (("530", "532", "533", "535", "536", "541", "542", "543", "544", "545", "505", "506", "507"), 7),
    "IQ": (("750", "751", "770", "771", "780", "781", "790"), 7),
    "AF": (("70", "72", "77", "78", "79"), 7),
    "SY": (("93", "94", "95", "96", "98", "99"), 7),
    "IR": (("912", "913", "919", "935", "936", "901", "902"), 7),
    "PK": (("300", "301", "310", "321", "333", "345"), 7),
    "MA": (("6",), 8),
}
_CC = {r: str(phonenumbers.country_code_for_region(r)) for r in _MOBILE}


@dataclass(frozen=True, slots=True)
class Phone:
    e164: str
    region: str
    national: str  # e.g. "064 1234567"
    international: str  # e.g. "+381 64 1234567"

    def render(self, rng: random.Random, agency_country: str | None) -> str:
        """As an agency writes it: national without country code at home, +/00 abroad; various separators."""
        r = rng.random()
        if self.region == agency_country:
            if r < 0.5:
                return self.national
            if r < 0.75:
                return self.national.replace(" ", "")
            return self.national.replace(" ", "-") if r < 0.9 else self.national.replace(" ", "/", 1)
        if r < 0.45:
            return self.international
        if r < 0.7:
            return self.e164
        if r < 0.85 and agency_country is not None:  # 00 needs a region to read the exit code
            return "00" + self.e164[1:]
        return self.international.replace(" ", "-")


def make_phone(rng: random.Random, region: str) -> Phone:
    """A random mobile number valid for ``region`` (checked with libphonenumber)."""
    prefixes, n = _MOBILE[region]
    for _ in range(50):
        digits = rng.choice(prefixes) + "".join(rng.choice("0123456789") for _ in range(n))
        num = phonenumbers.parse("+" + _CC[region] + digits)
        if phonenumbers.is_valid_number(num):
            return Phone(
                phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164),
                region,
                phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.NATIONAL),
                phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
            )
    raise RuntimeError(f"could not make a valid {region} number")  # pragma: no cover


# JMBG / EMBG region codes (digits 8-9): RS central 71-79, Vojvodina 80-89; BA 10-19; HR 30-39;
# MK 41-49; ME 21-29.
_JMBG_REGIONS = {"RS": (71, 89), "BA": (10, 19), "HR": (30, 39), "MK": (41, 49), "ME": (21, 29)}
_JMBG_WEIGHTS = (7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def jmbg_check(first12: str) -> int:
    """The JMBG/EMBG control digit (11 means none: such serials are not issued)."""
    total = sum(int(d) * w for d, w in zip(first12, _JMBG_WEIGHTS, strict=True))
    m = 11 - total % 11
    return 0 if m == 11 else m


def make_jmbg(rng: random.Random, country: str, born: date, female: bool) -> str:
    lo, hi = _JMBG_REGIONS[country]
    head = f"{born.day:02d}{born.month:02d}{born.year % 1000:03d}{rng.randint(lo, hi):02d}"
    while True:
        serial = rng.randint(500, 999) if female else rng.randint(0, 499)
        body = head + f"{serial:03d}"
        check = jmbg_check(body)
        if check < 10:
            return body + str(check)


_PASSPORT = {
    "SY": ("N", 8),
    "IQ": ("A", 8),
    "AF": ("P", 7),
    "TR": ("U", 8),
    "IR": ("K", 8),
    "PK": ("AB", 7),
    "AL": ("BA", 7),
    "MA": ("AB", 6),
    "RS": ("", 9),
    "MK": ("M", 7),
    "BA": ("", 9),
    "HR": ("", 9),
    "GR": ("AK", 7),
    "DE": ("C", 8),
    "XK": ("P", 8),
}


def make_passport(rng: random.Random, country: str) -> str:
    prefix, n = _PASSPORT.get(country, ("X", 8))
    return prefix + "".join(rng.choice("0123456789") for _ in range(n))


_AZ = "ABCDEFGHJKLMNPRSTUVWXYZ"
_PLATE_AREAS = {
    "RS": ("BG", "NS", "SU", "NI", "KG", "VR", "ŠA", "SO", "PI"),
    "MK": ("SK", "KU", "GE", "TE", "BT", "OH"),
    "HR": ("ZG", "ST", "RI", "OS", "VU", "KA"),
    "DE": ("K", "D", "E", "DO", "DU", "M", "B", "PA", "RO"),
    "BG": ("CA", "CB", "X", "H", "PB"),
    "GR": ("IKY", "NAO", "ZHT", "XAN", "KNA"),
    "SI": ("LJ", "MB", "KR", "NM"),
    "AT": ("W", "G", "S", "L"),
    "TR": ("34", "22", "06", "35"),
}


def _letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_AZ) for _ in range(n))


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def make_plate(rng: random.Random, country: str) -> str:
    """A number plate in the country's usual layout."""
    area = rng.choice(_PLATE_AREAS.get(country, ("XX",)))
    if country == "RS":
        return f"{area} {_digits(rng, 3)}-{_letters(rng, 2)}"
    if country == "MK":
        return f"{area} {_digits(rng, 4)} {_letters(rng, 2)}"
    if country == "HR":
        return f"{area} {_digits(rng, 4)}-{_letters(rng, 2)}"
    if country == "BA":
        return f"{rng.choice('AEJKMOT')}{_digits(rng, 2)}-{rng.choice('AEJKMOT')}-{_digits(rng, 3)}"
    if country == "DE":
        return f"{area} {_letters(rng, 2)} {rng.randint(1, 9999)}"
    if country == "FR":
        return f"{_letters(rng, 2)}-{_digits(rng, 3)}-{_letters(rng, 2)}"
    if country == "BE":
        return f"{rng.randint(1, 2)}-{_letters(rng, 3)}-{_digits(rng, 3)}"
    if country == "NL":
        return f"{_letters(rng, 2)}-{_digits(rng, 3)}-{_letters(rng, 1)}"
    if country == "GB":
        return f"{_letters(rng, 2)}{_digits(rng, 2)} {_letters(rng, 3)}"
    if country == "HU":
        return f"{_letters(rng, 3)}-{_digits(rng, 3)}"
    if country == "GR":
        return f"{area}-{_digits(rng, 4)}"
    if country == "BG":
        return f"{area} {_digits(rng, 4)} {_letters(rng, 2)}"
    if country == "TR":
        return f"{area} {_letters(rng, 3)} {_digits(rng, 3)}"
    if country == "IT":
        return f"{_letters(rng, 2)} {_digits(rng, 3)}{_letters(rng, 2)}"
    if country == "AT":
        return f"{area}-{_digits(rng, 5)}{_letters(rng, 1)}"
    if country == "SI":
        return f"{area} {_letters(rng, 2)}-{_digits(rng, 3)}"
    return f"{_letters(rng, 2)} {_digits(rng, 4)}"


_LATIN_TO_CYR = str.maketrans("ABEKMHOPCTXY", "АВЕКМНОРСТХУ")


def cyrillic_lookalikes(plate: str) -> str:
    """A plate typed with Cyrillic look-alike letters (as a Cyrillic keyboard produces)."""
    return plate.translate(_LATIN_TO_CYR)


_BANKS = {
    "DE": ("37040044", "10070000", "50010517"),
    "RS": ("160", "205", "265"),
    "BE": ("539", "068", "310"),
    "FR": ("30006", "30004", "20041"),
    "NL": ("ABNA", "INGB", "RABO"),
    "HR": ("2484008", "2360000"),
    "BA": ("129", "161"),
    "MK": ("300", "250"),
    "GB": ("NWBK", "BARC"),
    "TR": ("00061", "00010"),
    "AT": ("19043", "20111"),
}


def make_iban(rng: random.Random, country: str) -> str:
    """A structurally valid IBAN (check digits by ISO 13616, national check digits by schwifty)."""
    bank = rng.choice(_BANKS[country])
    while True:
        try:
            return str(IBAN.generate(country, bank_code=bank, account_code=_digits(rng, rng.randint(7, 10))))
        except ValueError:  # pragma: no cover - a rare account code the national scheme refuses
            continue
