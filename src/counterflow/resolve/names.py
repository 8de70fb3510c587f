"""Name parts and their keys across scripts: what the person and organisation scorers compare.

A name is cut into parts (``Мухамед Алхасан`` → ``muhamed``, ``hasan``), each part written in
three comparable ways:

* ``latin``: the part in lower-case ASCII. Cyrillic and Greek go through the Balkan tables of
  :mod:`counterflow.model.normalise.names` (``Ђорђевић`` → ``djordjevic``, ``Μωχάμεντ`` →
  ``mohament``); Arabic-script parts through :func:`romanise_arabic` below. Double letters are
  collapsed (``Mohammed`` → ``mohamed``), so spellings that differ only by doubling agree.
* ``skeleton``: the consonants, in classes (``kh``/``x``/``h`` → ``h``, ``q``/``k`` → ``k``,
  ``j``/``y`` → ``y``, ``sh`` → ``s``…), vowels and inner ``w``/``y`` dropped, a final ``i``/``y``
  kept as ``y`` (the nisba: ``Ahmadi`` is not ``Ahmad``). ``Mohammed``, ``Muhamed``, ``Мухамед``,
  ``Μωχάμεντ`` and ``محمد`` all have the skeleton ``mhmd``. It is a blocking key and, with
  Jaro-Winkler on ``latin``, the variant test between Latin-like parts.
* ``pattern`` (Arabic script only): a regular expression over ``latin`` spellings that an
  Arabic part admits. Arabic writes consonants and long vowels but not short vowels, so
  ``محمود`` (m-h-m-**ū**-d) admits ``mahmoud``/``mahmud`` but not ``mohamed``, and ``حسين``
  (h-s-**ī**-n) admits ``hussein``/``husayn`` but not ``hasan``: a consonant skeleton alone
  would confuse both pairs. Each Arabic letter becomes its Latin renderings; a gap between
  consonants admits at most one (short) vowel letter.

Particles are dropped (``al``, ``el``, ``bin``, ``ibn``… as rigour's stop-word list and the
Arabic article glued to a part: ``Alhasan`` → ``hasan``, ``الحسن`` → ``حسن``, also before a vowel,
where Arabic has a hamza or ʿayn: ``Alahmad`` → ``ahmad``, ``Alobeidi`` → ``obeidi``, as
``Al Ahmad`` and ``Al-Obeidi`` are written apart); ``Abd``/``Abdul``/
``Abdel`` is joined to the part after it (``Abdul Rahman`` = ``Abdulrahman`` = ``عبد الرحمن``).
rigour's name analysis tags the parts (stop words, legal forms of organisations).

Versioned: a change of any table here is a new ``NAME_KEYS_VERSION`` (scorers record it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
from rigour.names import NameTypeTag, analyze_names

from counterflow.model.normalise.names import detect_script, fold_ascii, latinise

NAME_KEYS_VERSION = "names-2"
TYPO_MIN_LENGTH = 5
MAX_PARTS = 6

# Arabic particles written as separate parts (rigour's stop words cover most of them too).
PARTICLES = frozenset(
    {"al", "el", "ul", "ibn", "bin", "bint", "ben", "ar", "as", "ad", "at", "an", "az", "ash"}
)
_GLUED_ARTICLE = re.compile(r"^(?:al|el)(?=[^aeiou]{1,2}[aeiou]|[aeiou][^aeiou])")
_ABD = frozenset({"abd", "abdul", "abdel", "abdal", "abdol", "abdil", "abdu", "bd"})

# Latin digraphs to one consonant class, for skeletons.
_DIGRAPHS = (("sch", "s"), ("sh", "s"), ("ch", "h"), ("kh", "h"), ("gh", "g"), ("th", "s"), ("dh", "d"),
             ("ph", "f"), ("zh", "z"), ("ck", "k"), ("dj", "y"), ("gj", "y"), ("kj", "c"), ("tz", "y"),
             ("v", "w"))  # fmt: skip
_CLASS = str.maketrans({"q": "k", "x": "h", "j": "y", "w": "w"})
_VOWELS = frozenset("aeiou")

# Arabic script (Arabic, Persian, Kurdish Sorani, Pashto/Urdu letters): (skeleton class, pattern).
# Pattern pieces are regular expressions over the collapsed Latin spelling.
_V = "[aeiou]"
_AR_CONSONANTS: dict[str, tuple[str, str]] = {
    "ب": ("b", "(?:b|p)"), "پ": ("p", "(?:p|b)"), "ت": ("t", "t"), "ط": ("t", "t"), "ث": ("s", "(?:th|s|t)"),
    "ج": ("y", "(?:j|g|dj|dz|y|c)"), "چ": ("c", "(?:ch|c|tch)"), "ح": ("h", "(?:h|kh|x)"),
    "خ": ("h", "(?:kh|x|h|ch)"), "د": ("d", "d"), "ذ": ("d", "(?:dh|z|d|th)"), "ر": ("r", "r"),
    "ڕ": ("r", "r"),
    "ز": ("z", "(?:z|s)"), "ژ": ("z", "(?:zh|j|z)"), "س": ("s", "s"), "ص": ("s", "s"),
    "ش": ("s", "(?:sh|s|ch|sch)"), "ض": ("d", "(?:d|dh|z)"), "ظ": ("z", "(?:z|dh|th|d)"),
    "غ": ("g", "(?:gh|g|r)"), "ف": ("f", "(?:f|ph|v)"), "ڤ": ("v", "(?:v|w)"), "ق": ("k", "(?:q|k|g|c)"),
    "ك": ("k", "(?:k|c|q)"), "ک": ("k", "(?:k|c|q)"), "گ": ("g", "g"), "ل": ("l", "l"), "ڵ": ("l", "l"),
    "م": ("m", "m"), "ن": ("n", "n"), "ه": ("h", "h"), "ھ": ("h", "h"), "ۀ": ("h", "h"),
}  # fmt: skip
# Long vowels and glides: (pattern at the start, in the middle, at the end); skeleton "" except noted.
_AR_VOWELS: dict[str, tuple[str, str, str]] = {
    "ا": ("(?:a|e|i|o|u)", "(?:a|e|o)", "(?:a|e|ah)?"),
    "آ": ("(?:a|aa)", "(?:a|aa)", "(?:a|aa)"),
    "أ": ("(?:a|e|o|u)", "[aeiou]?", "[aeiou]?"),
    "إ": ("(?:i|e)", "[aeiou]?", "[aeiou]?"),
    "ٱ": ("(?:a|e)?", "[aeiou]?", "[aeiou]?"),
    "ئ": ("[aeiou]?", "[aeiou]?", "[aeiou]?"),
    "ؤ": ("[aeiou]?", "[aeiou]?", "[aeiou]?"),
    "ء": ("[aeiou]?", "[aeiou]?", "[aeiou]?"),
    "ع": ("[aeiou]?", "[aeiou]{0,2}", "[aeiou]?"),
    "و": ("(?:w|v|o|u)", "[aeiou]?(?:w|v|u|o|ou|uo)[aeiou]?", "(?:u|o|ou|w|aw|ow)"),
    "ۆ": ("(?:o|u)", "(?:o|u|ou)", "(?:o|u)"),
    "ي": ("(?:y|j|i|e)", "[aeiou]?(?:y|i|e|j|ei|ey|ie|ai|ay)[aeiou]?", "(?:i|y|e|ey|ie|ay|ai)"),
    "ی": ("(?:y|j|i|e)", "[aeiou]?(?:y|i|e|j|ei|ey|ie|ai|ay)[aeiou]?", "(?:i|y|e|ey|ie|ay|ai)"),
    "ێ": ("(?:e|i)", "(?:e|i|ei|ey)", "(?:e|i)"),
    "ى": ("(?:a|e|i)", "(?:a|e|i)", "(?:a|e|i)?"),
    "ة": ("(?:a|e)", "(?:a|e)", "(?:a|e|ah|eh|at|et)?"),
    "ە": ("(?:a|e)", "(?:a|e)", "(?:a|e|ah|eh)"),
}  # fmt: skip
_AR_ROMAN = {**{k: v[0] for k, v in _AR_CONSONANTS.items()}, "ا": "a", "آ": "a", "أ": "a", "إ": "i",
             "ٱ": "a", "ع": "", "ء": "", "ئ": "", "ؤ": "", "و": "u", "ۆ": "o", "ي": "i", "ی": "i",
             "ێ": "e", "ى": "a", "ة": "a", "ە": "e"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a name: as written, its script, and its comparable keys."""

    form: str
    script: str
    latin: str
    skeleton: str
    pattern: str = ""  # Arabic-script parts only

    @property
    def variant_key(self) -> str:
        """Skeleton and the class of the first vowel: ``mhmd|u`` for Mohammed/Muhamed/Мухамед, not
        Mahmoud (``mhmd|a``); ``hsn|a`` Hassan, not Hussein (``hsn|u``). A part that starts with its
        vowel is marked ``^``: Ahmad/Ahmed/Ахмад (``hmd|^a``) are not Hamid/Hamed (``hmd|a``), whose
        skeletons are the same. Arabic parts: ``ar:`` skeleton."""
        if self.pattern:
            return "ar:" + self.skeleton
        initial = "^" if self.latin[:1] in _VOWEL_CLASS else ""
        return f"{self.skeleton}|{initial}{_first_vowel_class(self.latin)}"


_VOWEL_CLASS = {"a": "a", "e": "i", "i": "i", "o": "u", "u": "u"}


def _first_vowel_class(latin: str) -> str:
    for ch in latin:
        if ch in _VOWEL_CLASS:
            return _VOWEL_CLASS[ch]
    return ""


def _collapse(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def latin_skeleton(latin: str) -> str:
    """Consonant classes of a lower-case ASCII part (``mohamed`` → ``mhmd``, ``ahmadi`` → ``hmdy``)."""
    text = latin
    for digraph, cls in _DIGRAPHS:
        text = text.replace(digraph, cls)
    text = text.translate(_CLASS)
    out: list[str] = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch in _VOWELS:
            if i == last and ch == "i" and i > 0:
                out.append("y")
            continue
        if ch == "w":
            if i == 0:
                out.append("v")
            continue
        if ch == "y" and 0 < i < last:
            continue
        if ch == "h" and i == last and i > 0 and text[i - 1] in _VOWELS:
            continue
        out.append(ch)
    return _collapse("".join(out))


def _is_arabic_letter(ch: str) -> bool:
    return ch in _AR_CONSONANTS or ch in _AR_VOWELS


def _strip_article_arabic(word: str) -> str:
    if word.startswith("ال") and len(word) > 3:
        return word[2:]
    return word


def romanise_arabic(word: str) -> tuple[str, str, str]:
    """(latin, skeleton, pattern) of one Arabic-script part, the article already removed."""
    letters = [c for c in unicodedata.normalize("NFC", word) if _is_arabic_letter(c)]
    latin: list[str] = []
    skeleton: list[str] = []
    pattern: list[str] = []
    gap = True  # a short vowel may stand before the next consonant
    last = len(letters) - 1
    for i, ch in enumerate(letters):
        where = 0 if i == 0 else (2 if i == last else 1)
        latin.append(_AR_ROMAN.get(ch, ""))
        if ch in _AR_CONSONANTS and not (ch in "هۀ" and where == 2 and i > 0):
            cls, pat = _AR_CONSONANTS[ch]
            if i > 0 and gap:
                pattern.append(_V + "?")
            pattern.append(pat)
            skeleton.append(cls)
            gap = True
            continue
        if ch in "هۀ":  # final h: a vowel ending (ta marbuta written without dots)
            pattern.append("(?:a|e|ah|eh|h)?")
            continue
        start, middle, end = _AR_VOWELS[ch]
        piece = (start, middle, end)[where]
        if where == 0 and ch in "وي":
            skeleton.append("v" if ch == "و" else "y")
        elif where == 2 and ch in "يی":
            skeleton.append("y")
        pattern.append(piece)
        gap = False
    if gap and letters:
        pattern.append(_V + "?")
    return _collapse("".join(latin)), _collapse("".join(skeleton)), "^" + "".join(pattern) + "$"


@lru_cache(maxsize=262_144)
def _word_part(word: str) -> Part | None:
    """One whitespace/hyphen-separated word as a part (None when nothing of it is comparable)."""
    script = detect_script(word)
    if script == "Arabic":
        stripped = _strip_article_arabic(word)
        latin, skeleton, pattern = romanise_arabic(stripped)
        if not skeleton and not latin:
            return None
        return Part(word, "Arabic", latin, skeleton, pattern)
    latin = fold_ascii(latinise(word)).lower()
    latin = "".join(c for c in latin if c.isalnum())
    if not latin:
        return None
    latin = _collapse(latin)
    return Part(word, script or "Latin", latin, latin_skeleton(latin))


_SPLIT = re.compile(r"[\s\-‐‑‒–—−_/,.;:()\"'’‘`´ʼ]+")


def _drop_article(part: Part) -> Part:
    if part.script == "Arabic":
        return part
    m = _GLUED_ARTICLE.match(part.latin)
    if m is None or len(part.latin) < 6:
        return part
    rest = part.latin[2:]
    return Part(part.form, part.script, rest, latin_skeleton(rest))


def _join(first: Part, second: Part) -> Part:
    """``Abd`` + the part after it, as one part (``Abdul Rahman`` → ``abdulrahman``)."""
    if first.script == "Arabic" and second.script == "Arabic":
        rest = second.form[1:] if second.form.startswith("ال") else second.form  # عبد الرحمن: ʿabd-u-r-raḥmān
        latin, skeleton, pattern = romanise_arabic(first.form + rest)
        return Part(f"{first.form} {second.form}", "Arabic", latin, skeleton, pattern)
    latin = _collapse(first.latin + second.latin)
    return Part(f"{first.form} {second.form}", first.script, latin, latin_skeleton(latin))


@lru_cache(maxsize=262_144)
def name_parts(name: str, *, organisation: bool = False) -> tuple[Part, ...]:
    """The comparable parts of one name, particles dropped, in written order."""
    text = unicodedata.normalize("NFC", name).strip()
    if not text:
        return ()
    words = [w for w in _SPLIT.split(text) if w]
    if organisation:
        words = _org_words(text) or words
    parts: list[Part] = []
    for word in words:
        part = _word_part(word)
        if part is None:
            continue
        if part.script != "Arabic" and part.latin in PARTICLES:
            continue
        if part.script == "Arabic" and word in ("ال", "بن", "ابن", "بنت"):
            continue
        parts.append(part)
    joined: list[Part] = []
    for part in parts:
        if joined and (joined[-1].latin in _ABD or joined[-1].form == "عبد") and len(joined[-1].latin) <= 5:
            joined[-1] = _join(joined[-1], part)
            continue
        joined.append(part)
    if len(joined) > 1:
        joined = [_drop_article(p) for p in joined]
    return tuple(joined[:MAX_PARTS])


@lru_cache(maxsize=65_536)
def _org_words(text: str) -> list[str]:
    """Words of an organisation name after rigour removed legal forms and stop words."""
    names = analyze_names(NameTypeTag.ORG, [text], symbols=False, phonetics=False)
    words: list[str] = []
    for name in sorted(names, key=lambda n: n.form):
        words = [p.form for p in name.parts if str(p.tag) not in ("NamePartTag.STOP", "NamePartTag.LEGAL")]
        break
    return words


def arabic_admits(pattern: str, latin: str) -> bool:
    """Does an Arabic part's pattern admit this Latin spelling?"""
    return _compiled(pattern).fullmatch(latin) is not None


@lru_cache(maxsize=65_536)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def part_match(a: Part, b: Part) -> str | None:
    """How two parts match, or None: ``same``, ``variant``, ``arabic``, ``typo``, ``skeleton``.

    ``typo`` is one edit between parts of five letters or more that agree in their first and last
    letters (a swap of the first two, ``Hamed``/``Ahmed``, makes another name, not a typo).
    ``skeleton`` (same consonants, other first vowel: Hassan/Hussein) is the weakest and does not
    count towards :func:`same_name`.
    """
    if a.latin == b.latin and bool(a.pattern) == bool(b.pattern):
        return "same"
    if a.variant_key == b.variant_key:
        return "arabic" if a.pattern else "variant"
    if a.pattern and not b.pattern and arabic_admits(a.pattern, b.latin):
        return "arabic"
    if b.pattern and not a.pattern and arabic_admits(b.pattern, a.latin):
        return "arabic"
    if (
        not a.pattern
        and not b.pattern
        and min(len(a.latin), len(b.latin)) >= TYPO_MIN_LENGTH
        and abs(len(a.latin) - len(b.latin)) <= 1
        and a.latin[-1] == b.latin[-1]
        and a.latin[0] == b.latin[0]
        and jellyfish.damerau_levenshtein_distance(a.latin, b.latin) == 1
    ):
        return "typo"
    if a.skeleton and a.skeleton == b.skeleton:
        return "skeleton"
    return None


def matched_parts(left: tuple[Part, ...], right: tuple[Part, ...]) -> list[tuple[Part, Part, str]]:
    """A one-to-one pairing of matching parts (greedy, best kind first), for explanations and guards."""
    order = {"same": 0, "variant": 1, "arabic": 2, "typo": 3, "skeleton": 4}
    candidates: list[tuple[int, int, int, str]] = []
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            kind = part_match(a, b)
            if kind is not None:
                candidates.append((order[kind], i, j, kind))
    used_l: set[int] = set()
    used_r: set[int] = set()
    out: list[tuple[Part, Part, str]] = []
    for _, i, j, kind in sorted(candidates):
        if i in used_l or j in used_r:
            continue
        used_l.add(i)
        used_r.add(j)
        out.append((left[i], right[j], kind))
    return out


def same_name(left: tuple[Part, ...], right: tuple[Part, ...]) -> bool:
    """Every part of the shorter name (at least two parts) matches a part of the other."""
    if not left or not right:
        return False
    small = min(len(left), len(right))
    if small < 2 and len(left) != len(right):
        return False
    strong = [m for m in matched_parts(left, right) if m[2] != "skeleton"]
    return len(strong) >= small
