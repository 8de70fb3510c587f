"""Vehicle registration plates in the form ANPR cameras and border systems compare.

The comparable form is upper-case Latin letters and digits with every separator removed:
``BG 123-AB``, ``BG123AB`` and ``бг 123 аб`` are the same plate.

Choices a caller should know:

* **Diacritics are folded to their base letter** (``Š→S``, ``Č/Ć→C``, ``Ž→Z``, ``Đ→D``).
  Serbian, Croatian and Bosnian plates carry these letters, but ANPR engines and most
  foreign databases read the glyph without its mark, so ``NI 045-ŠĐ`` is stored as
  ``NI045SD``. Note ``Đ→D`` here, unlike names (``Đ→Dj``): a plate is a picture, not a word.
* **Cyrillic and Greek letters that look like Latin ones map by shape**: Cyrillic
  ``А В Е К М Н О Р С Т У Х`` and Greek ``Α Β Ε Ζ Η Ι Κ Μ Ν Ο Ρ Τ Υ Χ``. Bulgarian and
  Greek plates are made of exactly these letters (``СА 1234 ВК`` is Sofia's ``CA1234BK``),
  and a Serbian plate typed on a Cyrillic keyboard mixes them in (``ВG 123 АВ``).
* **Other Serbian/Macedonian Cyrillic letters map by sound, letter by letter** (``Б→B``,
  ``Г→G``, ``Ш→S``, ``Љ→LJ``): a Serbian plate typed in Cyrillic (``БГ 123-АБ``) becomes
  ``BG123AB``. Greek letters with no Latin look-alike (``Λ``, ``Σ``, ``Ω``...) never occur on
  Greek plates and are rejected, as is any other script.
* **A plate must contain a digit.** Every plate format on the route has one, and
  letter-only values are what officers type for "unknown" (``NEPOZNATO``, ``UNKNOWN``);
  accepting them would link every unknown vehicle together.

Evidence: ``country`` (as given, upper case, or ``""``) and ``folded`` (``yes`` when any
letter was changed other than by upper-casing: diacritic dropped, script mapped).
"""

from __future__ import annotations

import unicodedata

from counterflow.errors import InvalidValue
from counterflow.model.normalise.base import Normalised

MIN_LENGTH = 2
MAX_LENGTH = 12

_SEPARATORS = set(" -.·/\u2010\u2011\u2012\u2013\u2014\u2212\u00a0\t_")

# Upper-case letters only: the input is upper-cased first.
_CYRILLIC_LOOKALIKE = dict(zip("АВЕКМНОРСТУХ", "ABEKMHOPCTYX", strict=True))
_GREEK_LOOKALIKE = dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX", strict=True))
_CYRILLIC_SOUND: dict[str, str] = {
    "Б": "B", "Г": "G", "Ѓ": "G", "Д": "D", "Ђ": "D", "Ж": "Z", "З": "Z", "Ѕ": "DZ", "И": "I",
    "Й": "J", "Ј": "J", "Ќ": "K", "Л": "L", "Љ": "LJ", "Њ": "NJ", "П": "P", "Ћ": "C", "Ф": "F",
    "Ц": "C", "Ч": "C", "Џ": "DZ", "Ш": "S", "Щ": "S", "Ъ": "A", "Ь": "", "Ю": "JU", "Я": "JA",
    "Э": "E", "Ы": "Y", "Ё": "E", "І": "I", "Ї": "I", "Є": "E", "Ґ": "G",
}  # fmt: skip
_LATIN_SPECIAL = {"Đ": "D", "Ð": "D", "Ł": "L", "Ø": "O", "Æ": "AE", "Œ": "OE", "ß": "SS", "ẞ": "SS"}


def _map_char(char: str, text: str) -> str:
    """One upper-case character to ASCII letters/digits, or raise."""
    if char.isascii():
        return char
    for table in (_CYRILLIC_LOOKALIKE, _GREEK_LOOKALIKE, _CYRILLIC_SOUND, _LATIN_SPECIAL):
        if char in table:
            return table[char]
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    if base != char and len(base) == 1:
        return _map_char(base, text)
    name = unicodedata.name(char, f"U+{ord(char):04X}")
    if name.startswith("GREEK"):
        raise InvalidValue(
            "plate", text, f"Greek letter {char!r} has no Latin look-alike and is not used on plates"
        )
    raise InvalidValue("plate", text, f"character {char!r} ({name}) is not used on number plates")


def normalise_plate(text: str, country: str | None) -> Normalised:
    """A registration plate as upper-case ASCII letters and digits; evidence: country, folded."""
    if not text or not text.strip():
        raise InvalidValue("plate", text, "plate is empty")
    cleaned: list[str] = []
    folded = False
    for char in unicodedata.normalize("NFC", text.strip()).upper():
        if char in _SEPARATORS:
            continue
        mapped = _map_char(char, text)
        folded = folded or mapped != char
        cleaned.append(mapped)
    value = "".join(cleaned)
    bad = sorted({c for c in value if not (c.isascii() and c.isalnum())})
    if bad:
        raise InvalidValue(
            "plate", text, f"unexpected character(s) {''.join(bad)!r}: plates are letters and digits"
        )
    if not MIN_LENGTH <= len(value) <= MAX_LENGTH:
        raise InvalidValue(
            "plate",
            text,
            f"{len(value)} letters and digits after cleaning, expected {MIN_LENGTH} to {MAX_LENGTH}",
        )
    if not any(c.isdigit() for c in value):
        raise InvalidValue("plate", text, "no digit: every plate format on the route has at least one")
    evidence = {"country": (country or "").upper(), "folded": "yes" if folded else "no"}
    return Normalised(value=value, original=text, evidence=evidence)
