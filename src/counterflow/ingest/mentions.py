"""Finding selectors and known names in free text, with character offsets.

Selectors (phones read with the agency's country, emails, IBANs, crypto wallets, vehicle
plates, passport-like numbers) come from the normalisers' finders and patterns below.
Names are found by ``NameIndex``: every word of the text is normalised on its own
(Cyrillic and Greek latinised, ASCII folded), and runs of two or more words that equal a
known person's or organisation's name, in any script, are reported with the offsets of
the original words.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from counterflow.errors import InvalidValue
from counterflow.model.normalise import (
    Normalised,
    find_crypto_wallets,
    find_emails,
    find_ibans,
    find_phones,
    name_tokens,
    normalise_passport,
    normalise_plate,
)
from counterflow.model.visibility import Meta, NameEntry

_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)
# Plates: upper-case letters and digits in 2–4 groups (BG 123-AB, K-AB 1234, AB-123-CD, 1-ABC-234),
# in Latin, Cyrillic or Greek capitals. Lower-case words never match, so prose ("at 2026 in") is safe.
_U = "A-ZČĆŠŽĐÄÖÜА-ЯЂЈЉЊЋЏЅЃЌΑ-Ω"
_PLATE = re.compile(
    rf"(?<![\w-])([{_U}]{{1,3}}[ \-·]?\d{{2,4}}[ \-·]?[{_U}]{{1,3}}|[{_U}]{{1,3}}-[{_U}]{{1,2}} ?\d{{1,4}}|"
    rf"[{_U}]{{2}}-\d{{3}}-[{_U}]{{2}}|\d-[{_U}]{{3}}-\d{{3}}|[{_U}]{{2}}\d{{2}} ?[{_U}]{{3}})(?![\w-])"
)
# Passport-like numbers: 1–2 letters then 6–9 digits, near a passport keyword.
_PASSPORT = re.compile(
    r"(?i)(passport|pasoš|пасош|pasaport|διαβατήριο|reisepass|passeport)\D{0,20}"
    r"\b([A-Z]{1,2}\d{6,9})\b"
)


@dataclass(frozen=True, slots=True)
class Found:
    """One thing found in text: what kind, where, and its normalised form."""

    kind: str  # phone | email | iban | wallet | plate | passport | name
    start: int
    end: int
    normalised: Normalised
    entity_id: str | None = None  # for names: the known entity named


class NameIndex:
    """Known names (as lower-case ASCII token tuples) → entity ids, for mention detection.

    Each entry keeps the visibility metadata of the statement that gave the name, so a
    text is only linked to entities its author may see (``find(…, allow=…)``): a link
    would otherwise tell the author that another agency holds someone of that name.

    The index lives as long as the service and grows with every report, so it is built of
    what the garbage collector does not track: dicts of tuples of strings and numbers, each
    entry naming its metadata by number (a few distinct ones serve every name). Built of
    sets and dataclasses, it made each full collection walk every name ever ingested.
    """

    def __init__(self) -> None:
        # first token → all tokens → ((entity id, metadata number or -1), …)
        self._by_first: dict[str, dict[tuple[str, ...], tuple[tuple[str, int], ...]]] = {}
        self._metas: list[Meta] = []
        self._meta_numbers: dict[Meta, int] = {}
        self._longest = 0

    def add(self, entity_id: str, name: str, meta: Meta | None = None) -> None:
        try:
            tokens = tuple(name_tokens(name))
        except InvalidValue:
            return
        if len(tokens) < 2 or sum(len(t) for t in tokens) < 6:
            return  # single words and initials are too ambiguous to find in text
        entry = (entity_id, -1 if meta is None else self._number(meta))
        names = self._by_first.setdefault(tokens[0], {})
        entries = names.get(tokens, ())
        if entry not in entries:
            names[tokens] = (*entries, entry)
        self._longest = max(self._longest, len(tokens))

    def _number(self, meta: Meta) -> int:
        found = self._meta_numbers.get(meta)
        if found is None:
            found = self._meta_numbers[meta] = len(self._metas)
            self._metas.append(meta)
        return found

    def add_many(self, items: Iterable[NameEntry]) -> None:
        for entry in items:
            self.add(entry.entity_id, entry.value, entry.meta)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_first.values())

    def find(self, text: str, allow: Callable[[Meta], bool] | None = None) -> list[Found]:
        """Runs of two or more words of ``text`` equal to a known name (longest first), with the
        entities they name; only entries ``allow`` accepts (entries without metadata always)."""
        words: list[tuple[int, int, str]] = []
        for m in _WORD.finditer(text):
            try:
                toks = name_tokens(m.group(0))
            except InvalidValue:
                continue
            for tok in toks:
                words.append((m.start(), m.end(), tok))
        found: list[Found] = []
        i = 0
        while i < len(words):
            candidates = self._by_first.get(words[i][2])
            best: tuple[int, set[str]] | None = None
            if candidates:
                for n in range(min(self._longest, len(words) - i), 1, -1):
                    key = tuple(w[2] for w in words[i : i + n])
                    entries = candidates.get(key)
                    if entries:
                        ids = {e for e, m in entries if m < 0 or allow is None or allow(self._metas[m])}
                        if ids:
                            best = (n, ids)
                            break
            if best is None:
                i += 1
                continue
            n, ids = best
            start, end = words[i][0], words[i + n - 1][1]
            surface = text[start:end]
            for eid in sorted(ids):
                found.append(
                    Found(
                        "name",
                        start,
                        end,
                        Normalised(" ".join(w[2] for w in words[i : i + n]), surface, {}),
                        eid,
                    )
                )
            i += n
        return found


def find_selectors(text: str, region_hint: str | None) -> list[Found]:
    """Every selector in ``text``; overlapping finds keep the first, longest kind."""
    out: list[Found] = []
    for start, end, norm in find_phones(text, region_hint):
        out.append(Found("phone", start, end, norm))
    for start, end, norm in find_emails(text):
        out.append(Found("email", start, end, norm))
    for start, end, norm in find_ibans(text):
        out.append(Found("iban", start, end, norm))
    for start, end, norm in find_crypto_wallets(text):
        out.append(Found("wallet", start, end, norm))
    for m in _PASSPORT.finditer(text):
        with contextlib.suppress(InvalidValue):
            out.append(Found("passport", m.start(2), m.end(2), normalise_passport(m.group(2), None)))
    taken = [(f.start, f.end) for f in out]
    for m in _PLATE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        with contextlib.suppress(InvalidValue):
            out.append(Found("plate", m.start(1), m.end(1), normalise_plate(m.group(1), region_hint)))
    out.sort(key=lambda f: (f.start, -f.end))
    return out
