"""Person and organisation names: script detection, romanisation and ASCII folding.

Names on the Balkan route arrive in Serbian and Macedonian Cyrillic, Bulgarian, Greek,
Latin with South Slavic, Albanian, Turkish and Hungarian diacritics, and Arabic script.
Generic transliterators (ICU, rigour) turn ``Đ`` into ``D`` and ``Џ`` into ``D``, which
breaks the match between ``Ђорђевић`` and the ``Djordjevic`` in a passport, so the
Cyrillic and Greek tables here are our own:

* Cyrillic follows Serbian Gaj Latin and the Macedonian official romanisation
  (``Ѓ→Gj``, ``Ќ→Kj``, ``Ѕ→Dz``); the Russian/Bulgarian letters use the Bulgarian
  official system where it does not clash (``Щ→Sht``, ``Ъ→A``, ``Я→Ya``, ``Ю→Yu``).
* Greek is ELOT 743-like, bent towards how Arabic, Kurdish and Pashto names written by
  Greek officials compare with their Latin spellings: ``Χ→H`` (``Χασάν`` → Hasan), and
  ``ΜΠ→B``, ``ΝΤ→D``, ``ΓΚ→G`` *everywhere*, not only word-initially, because Greek
  renders Arabic ``b``/``d``/``g`` that way (``Αμπντούλ`` → Abdoul, ``Χαμπίμπ`` →
  Habib, ``Μπάμπης`` → Babis). Greek names with a pronounced nasal (``Λάμπρος``) come
  out as ``Labros``; matching tolerates that, a missed Arabic name it would not.
  ``ΟΥ→ou`` is kept (Greek passports write Papadopoulos), ``ΕΙ/ΟΙ/ΥΙ→i``, ``ΑΙ→ai``,
  ``ΑΥ/ΕΥ/ΗΥ→av/ev/iv`` (``af/ef/if`` before a voiceless consonant or at word end).
* Arabic and any other script go through rigour's ICU transliteration. This is lossy:
  short vowels are not written in Arabic, so ``محمد`` becomes ``mhmd``. A proper Arabic
  romaniser is a later task; until then Arabic-script names only match each other.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from icu import ICUError
from rigour.text.translit import ascii_text

from counterflow.errors import InvalidValue
from counterflow.model.normalise.base import Normalised

MAX_NAME_LENGTH = 300

_CYRILLIC: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "ђ": "đ", "ѓ": "gj", "е": "e",
    "ё": "yo", "є": "ye", "ж": "ž", "з": "z", "ѕ": "dz", "и": "i", "і": "i", "ї": "yi", "й": "y",
    "ј": "j", "к": "k", "ќ": "kj", "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "ћ": "ć", "у": "u", "ў": "u", "ф": "f", "х": "h",
    "ц": "c", "ч": "č", "џ": "dž", "ш": "š", "щ": "sht", "ъ": "a", "ы": "y", "ь": "", "э": "e",
    "ю": "yu", "я": "ya", "ѐ": "e", "ѝ": "i",
}  # fmt: skip

_GREEK: dict[str, str] = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i",
    "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s",
    "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "h", "ψ": "ps", "ω": "o",
}  # fmt: skip

# Two-letter Greek groups, tried before single letters.
_GREEK_DIGRAPHS: dict[str, str] = {
    "ου": "ou", "ει": "i", "οι": "i", "υι": "i", "αι": "ai",
    "μπ": "b", "ντ": "d", "γκ": "g", "γγ": "ng", "γξ": "nx", "γχ": "nh", "τζ": "tz",
}  # fmt: skip
_GREEK_V_GROUPS = {"αυ": "a", "ευ": "e", "ηυ": "i"}
_GREEK_VOICELESS = set("θκξπστφχψς")

# Latin letters that Unicode decomposition does not fold, with South Slavic, Turkish and
# Nordic conventions; everything else loses its combining marks (Č→C, ë→e, ő→o, ä→a).
_FOLD: dict[str, str] = {
    "đ": "dj", "ǆ": "dz", "ǉ": "lj", "ǌ": "nj", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o",
    "þ": "th", "ð": "d", "ł": "l", "ı": "i", "ħ": "h", "ŋ": "ng", "ŧ": "t",
}  # fmt: skip

_APOSTROPHES = "'’‘ʼ`´ʻʹ′"
_HYPHENS = "-‐‑‒–—−"


@lru_cache(maxsize=8192)
def _script_of(char: str) -> str:
    """The script of one letter, by its Unicode name (``CYRILLIC CAPITAL LETTER JE`` → Cyrillic)."""
    name = unicodedata.name(char, "")
    first = name.split(" ", 1)[0]
    if first in ("LATIN", "CYRILLIC", "GREEK", "ARABIC"):
        return first.title()
    if name.startswith("MODIFIER LETTER"):
        return "Latin"
    return "Other"


def detect_script(text: str) -> str:
    """``Latin``, ``Cyrillic``, ``Greek``, ``Arabic``, ``Other``, ``Mixed`` or ``""`` (no letters)."""
    if text.isascii():  # the common case, without a Unicode lookup per character
        return "Latin" if any(c.isalpha() for c in text) else ""
    scripts = {_script_of(c) for c in text if unicodedata.category(c).startswith("L")}
    if not scripts:
        return ""
    if len(scripts) > 1:
        return "Mixed"
    return scripts.pop()


def _cased(out: str, source: str, prev: str, nxt: str) -> str:
    """Give ``out`` the case ``source`` had in its context: ``Љубиша``→Lj, ``ЉУБИША``→LJ."""
    if not out:
        return out
    if unicodedata.category(source[0]) == "Lt":  # title-case digraph letters: ǅ, ǈ, ǋ
        return out[0].upper() + out[1:]
    if not source[0].isupper():
        return out
    if len(out) == 1:
        return out.upper()
    if nxt.isupper() or (not nxt.isalpha() and prev.isupper()):
        return out.upper()
    return out[0].upper() + out[1:]


def _latinise_cyrillic(text: str) -> str:
    parts: list[str] = []
    for i, char in enumerate(text):
        out = _CYRILLIC.get(char.lower())
        if out is None:
            parts.append(char)
            continue
        prev = text[i - 1] if i else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        parts.append(_cased(out, char, prev, nxt))
    return "".join(parts)


def _latinise_greek(text: str) -> str:
    """Romanise Greek letters; tonos is dropped, dialytika splits a vowel pair."""
    # Decompose, remember which base letters carried a diaeresis (ϊ, ϋ) or an accent.
    bases: list[str] = []
    marks: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and bases:
            marks[-1] += char
            continue
        bases.append(char)
        marks.append("")
    diaeresis = ["\u0308" in m for m in marks]
    accent = [any(a in m for a in ("\u0301", "\u0300", "\u0342")) for m in marks]
    parts: list[str] = []
    i = 0
    while i < len(bases):
        char = bases[i]
        low = char.lower()
        if low not in _GREEK:
            parts.append(char + marks[i])  # not Greek: keep its diacritics (č, ć, ž)
            i += 1
            continue
        nxt_low = bases[i + 1].lower() if i + 1 < len(bases) else ""
        pair = low + nxt_low
        # "άι" (accent on the first vowel) and "αϊ" are two vowels, not a diphthong.
        split = bool(nxt_low) and (diaeresis[i + 1] or (accent[i] and nxt_low in "ιυ"))
        width = 1
        if pair in _GREEK_DIGRAPHS and not split:
            out, width = _GREEK_DIGRAPHS[pair], 2
        elif pair in _GREEK_V_GROUPS and not split:
            after = bases[i + 2].lower() if i + 2 < len(bases) else ""
            voiceless = after in _GREEK_VOICELESS or not after.isalpha()
            out, width = _GREEK_V_GROUPS[pair] + ("f" if voiceless else "v"), 2
        else:
            out = _GREEK[low]
        prev = bases[i - 1] if i else ""
        nxt = bases[i + width] if i + width < len(bases) else ""
        parts.append(_cased(out, char, prev, nxt))
        i += width
    return unicodedata.normalize("NFC", "".join(parts))


def _ascii_run(run: str) -> str:
    """ICU's transliteration of one run of letters, degrading rather than failing.

    ICU refuses some sequences as a whole (an Egyptian hieroglyph before a kana iteration mark
    raises "Unmappable input sequence"); such a run is transliterated letter by letter and a
    letter ICU cannot map at all is dropped: hostile text must not stop a report.
    """
    try:
        return ascii_text(run)
    except ICUError:
        pass
    out: list[str] = []
    for char in run:
        try:
            out.append(ascii_text(char))
        except ICUError:
            continue
    return "".join(out)


def _transliterate_other(text: str) -> str:
    """Run rigour's (ICU) transliteration over every run of non-Latin letters left."""
    out: list[str] = []
    run: list[str] = []
    for char in text:
        if unicodedata.category(char).startswith("L") and _script_of(char) not in ("Latin",):
            run.append(char)
            continue
        if run:
            out.append(_ascii_run("".join(run)))
            run = []
        out.append(char)
    if run:
        out.append(_ascii_run("".join(run)))
    return "".join(out)


def latinise(text: str) -> str:
    """Cyrillic, Greek (and, lossily, other scripts) to Latin, keeping South Slavic diacritics."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text)
    text = _latinise_cyrillic(text)
    text = _latinise_greek(text)
    return unicodedata.normalize("NFC", _transliterate_other(text))


def fold_ascii(text: str) -> str:
    """Latin with diacritics to ASCII the South Slavic way: ``Đ→Dj``, ``Dž→Dz``, ``Č/Ć→C``, ``ß→ss``."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFC", text)
    parts: list[str] = []
    for i, char in enumerate(text):
        special = _FOLD.get(char.lower())
        if special is not None:
            prev = text[i - 1] if i else ""
            nxt = text[i + 1] if i + 1 < len(text) else ""
            parts.append(_cased(special, char, prev, nxt))
            continue
        if char == "ẞ":
            parts.append("SS")
            continue
        stripped = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if stripped.isascii():
            parts.append(stripped)
        else:
            parts.append(ascii_text(stripped))
    return "".join(parts)


_SEPARATORS = re.compile(r"[\s\-']+")


def _clean_punctuation(text: str) -> str:
    """Keep letters, digits, and hyphens/apostrophes between letters; everything else is a space."""
    for char in _APOSTROPHES:
        text = text.replace(char, "'")
    for char in _HYPHENS:
        text = text.replace(char, "-")
    kept = "".join(c if c.isalnum() or c in "-'" else " " for c in text)
    tokens = []
    for token in kept.split():
        token = re.sub(r"[-']{2,}", lambda m: m.group(0)[0], token).strip("-'")
        if token:
            tokens.append(token)
    return " ".join(tokens)


def normalise_name(text: str) -> Normalised:
    """A name in comparable ASCII form, case preserved; evidence: ``script`` and ``latin``."""
    if not text or not text.strip():
        raise InvalidValue("name", text, "name is empty")
    if len(text) > MAX_NAME_LENGTH:
        raise InvalidValue(
            "name", text, f"name is {len(text)} characters long, at most {MAX_NAME_LENGTH} allowed"
        )
    for char in text:
        if unicodedata.category(char) == "Cc" and char not in "\t\n\r":
            raise InvalidValue("name", text, f"name contains control character U+{ord(char):04X}")
    # Format characters (zero-width joiners, soft hyphens, BOM) carry no letters: drop them.
    cleaned = "".join(c for c in text if unicodedata.category(c) != "Cf")
    if not any(unicodedata.category(c).startswith("L") for c in cleaned):
        raise InvalidValue("name", text, "name contains no letters")
    latin = " ".join(latinise(cleaned).split())
    value = _clean_punctuation(fold_ascii(latin))
    if not any(c.isalpha() for c in value):
        raise InvalidValue("name", text, "name has no letters left after transliteration")
    return Normalised(value=value, original=text, evidence={"script": detect_script(cleaned), "latin": latin})


def name_tokens(text: str) -> list[str]:
    """Lower-case ASCII tokens of :func:`normalise_name`, split on spaces, hyphens and apostrophes."""
    return list(_tokens(text))


@lru_cache(maxsize=131_072)
def _tokens(text: str) -> tuple[str, ...]:
    # Cached: free text is tokenised word by word, and words repeat endlessly.
    value = normalise_name(text).value.lower()
    return tuple(token for token in _SEPARATORS.split(value) if token)
