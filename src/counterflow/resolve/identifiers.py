"""Identifiers first: strong selectors link records at once, unless the selector is shared.

Strong selectors: E.164 phone (national numbers read with the agency's region hint), email,
IBAN, crypto wallet, IMEI, JMBG/EMBG and validated national ids, passport numbers (with the
issuing country where known: two passports with the same number from different countries do
not link), plates with their country, IMO/MMSI numbers.

**The shared-selector rule.** A selector is *personal* when every two records that carry it
could be the same person: their names agree part for part across scripts (every part of the
shorter name matches, :func:`counterflow.resolve.names.same_name`), their birth dates do not
conflict (:func:`dates_conflict`) and their genders do not differ. Records without a name or
date do not object. A selector is *shared* as soon as one pair of its holders fails that test,
or when more than ``MAX_HOLDERS`` records carry it (a hawala shop's or a call centre's number).
A personal selector merges its holders; a shared one merges nobody and becomes a
:class:`SharedSelector` link between them, reported for the graph (the family phone of two
brothers, the number of a money shop). Persons and organisations never merge through a
selector: a selector they both carry is a link.

Object records (vehicles, accounts, wallets, documents) have no names to object: the same key
is the same object.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import jellyfish

from counterflow.resolve.names import same_name
from counterflow.resolve.records import Record

MAX_HOLDERS = 25
IDENTIFIER_VERSION = "identifiers-1"


def dates_conflict(a: str, b: str) -> bool:
    """Two birth dates (any precision) that cannot be the same person's.

    Compared at the precision both have. Full dates: equal, a day/month swap, or up to two
    mistyped characters (``1989-03-14`` / ``1989-03-41`` / ``1988-08-14``) do not conflict; two
    random dates differ in four characters or more. Year and month: one character. Years: one
    year apart at most.
    """
    n = min(len(a), len(b))
    x, y = a[:n], b[:n]
    if x == y:
        return False
    if n == 10 and x[:4] == y[:4] and x[5:7] == y[8:10] and x[8:10] == y[5:7]:
        return False
    if n <= 4:
        return not (x.isdigit() and y.isdigit() and abs(int(x) - int(y)) <= 1)
    return jellyfish.damerau_levenshtein_distance(x, y) > (2 if n == 10 else 1)


def compatible(a: Record, b: Record) -> str | None:
    """Why two records cannot be the same entity, or None when nothing objects."""
    if a.kind != b.kind:
        return "different kinds of entity"
    if a.kind == "object":
        return None
    if a.gender and b.gender and a.gender != b.gender:
        return "different genders"
    if a.dob and b.dob and dates_conflict(a.dob, b.dob):
        return f"birth dates {a.dob} and {b.dob} conflict"
    ja = {d for d in a.docs if d.startswith("jmbg:")}
    jb = {d for d in b.docs if d.startswith("jmbg:")}
    if ja and jb and not ja & jb:
        return "different national identity numbers"
    if a.parts and b.parts and not same_name(a.parts, b.parts):
        return "names do not agree part for part"
    return None


@dataclass(frozen=True, slots=True)
class IdentifierLink:
    """Two records joined by a personal selector (a merge)."""

    left: int
    right: int
    selector: str


@dataclass(frozen=True, slots=True)
class SharedSelector:
    """A selector carried by records that are not one entity: a link between them, never a merge."""

    selector: str
    holders: tuple[int, ...]
    reason: str


@dataclass(slots=True)
class IdentifierResult:
    links: list[IdentifierLink] = field(default_factory=list)
    shared: list[SharedSelector] = field(default_factory=list)
    shared_keys: set[str] = field(default_factory=set)


def _keys(rec: Record) -> tuple[str, ...]:
    if rec.kind == "object":
        return rec.object_keys
    return rec.selectors + rec.docs


def _passport_clash(holders: Sequence[Record], key: str) -> bool:
    countries = {r.doc_countries[key] for r in holders if key in r.doc_countries}
    return len(countries) > 1


def link_by_identifiers(records: Sequence[Record]) -> IdentifierResult:
    """Personal selectors as merge links, shared ones as :class:`SharedSelector` links."""
    holders: dict[str, list[int]] = defaultdict(list)
    for i, rec in enumerate(records):
        for key in _keys(rec):
            holders[key].append(i)
    result = IdentifierResult()
    for key in sorted(holders):
        idx = sorted(set(holders[key]))
        if len(idx) < 2:
            continue
        recs = [records[i] for i in idx]
        reason = _shared_reason(key, recs)
        if reason is not None:
            result.shared.append(SharedSelector(key, tuple(records[i].uid for i in idx), reason))
            result.shared_keys.add(key)
            continue
        first = records[idx[0]].uid
        for i in idx[1:]:
            result.links.append(IdentifierLink(first, records[i].uid, key))
    return result


def _shared_reason(key: str, recs: Sequence[Record]) -> str | None:
    if len(recs) > MAX_HOLDERS:
        return f"carried by {len(recs)} records (more than {MAX_HOLDERS})"
    if key.startswith("passport:") and _passport_clash(recs, key):
        return "same number, different issuing countries"
    for i, a in enumerate(recs):
        for b in recs[i + 1 :]:
            why = compatible(a, b)
            if why is not None:
                return f"{a.entity_id} and {b.entity_id}: {why}"
    return None
