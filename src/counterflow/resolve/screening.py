"""Sanctions screening: the network's persons and organisations against imported lists.

A list is FollowTheMoney entity JSON lines (the format OpenSanctions and national lists are
published in), imported whole under a name (``import_list``). Screening compares names part by
part with the same cross-script matching as entity resolution (``resolve.names``: Latin,
Cyrillic, Greek and Arabic spellings of one name match), then weighs birth dates (exact, same
year, day and month swapped, or in conflict) and nationality. Every match says which parts
matched how, and what the dates and countries said; nothing is merged: a screening hit is a
lead for an analyst, never a judgement.

``screen`` reads the store as one viewer sees it, so a hit can only point at what that viewer
may see. The alert engine uses ``ListIndex.match`` on each ingested report (watch kind
``sanctions``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select

from counterflow.errors import AccessDenied, InvalidValue, Problem, ReportRejected
from counterflow.model.visibility import UserRole, Viewer
from counterflow.resolve.ftm_io import read_ftm_lines
from counterflow.resolve.names import Part, matched_parts, name_parts, same_name
from counterflow.resolve.records import Record, record_from_ftm
from counterflow.store import audit_chain
from counterflow.store.schema_sanctions import sanctioned
from counterflow.store.sql import SqlStore

LIST_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-")
MIN_SCORE = 0.7


@dataclass(frozen=True)
class Listed:
    list_name: str
    entity_id: str
    schema: str
    caption: str
    record: Record
    programme: str | None


@dataclass
class ListIndex:
    """Listed entries by the skeletons of their name parts (the candidates of a name)."""

    entries: list[Listed] = field(default_factory=list)
    by_key: dict[str, list[int]] = field(default_factory=dict)

    def add(self, entry: Listed) -> None:
        i = len(self.entries)
        self.entries.append(entry)
        keys = {_key(p) for name in entry.record.names for p in _parts(name, entry.record)}
        for key in keys:
            self.by_key.setdefault(key, []).append(i)

    def match(self, rec: Record) -> list[dict[str, Any]]:
        """Listed entries this record's names match, best first, each with its explanation."""
        own = [(name, _parts(name, rec)) for name in rec.names]
        candidates = {i for _, parts in own for p in parts for i in self.by_key.get(_key(p), [])}
        out: list[dict[str, Any]] = []
        for i in sorted(candidates):
            entry = self.entries[i]
            if (entry.record.kind == "org") != (rec.kind == "org"):
                continue
            found = _best_name(own, entry)
            if found is None:
                continue
            name, listed_name, pairs = found
            dates = _dates(rec.dobs, entry.record.dobs)
            countries = sorted(set(rec.countries) & set(entry.record.countries))
            score = _score(pairs, dates, bool(countries), bool(rec.countries and entry.record.countries))
            if score < MIN_SCORE:
                continue
            out.append(
                {
                    "list": entry.list_name,
                    "listed_id": entry.entity_id,
                    "listed_name": entry.caption,
                    "programme": entry.programme,
                    "score": round(score, 3),
                    "explanation": {
                        "name": name,
                        "listed_as": listed_name,
                        "parts": [
                            {"ours": a.form, "listed": b.form, "how": how, "scripts": [a.script, b.script]}
                            for a, b, how in pairs
                        ],
                        "birth_dates": dates,
                        "countries": countries,
                    },
                }
            )
        out.sort(key=lambda m: (-m["score"], m["list"], m["listed_id"]))
        return out


def _key(part: Part) -> str:
    """The candidate key of a name part: its consonant skeleton, the same in every script (Yousef,
    Јусуф and يوسف are all ``ysf``); ``same_name`` then decides."""
    return part.skeleton or part.latin


def _parts(name: str, rec: Record) -> tuple[Part, ...]:
    return name_parts(name, organisation=rec.kind == "org")


def _best_name(
    own: list[tuple[str, tuple[Part, ...]]], entry: Listed
) -> tuple[str, str, list[tuple[Part, Part, str]]] | None:
    best: tuple[int, str, str, list[tuple[Part, Part, str]]] | None = None
    for listed_name in entry.record.names:
        theirs = _parts(listed_name, entry.record)
        for name, parts in own:
            if not same_name(parts, theirs):
                continue
            pairs = matched_parts(parts, theirs)
            strength = sum(1 for _, _, how in pairs if how in ("same", "variant", "arabic"))
            if best is None or strength > best[0]:
                best = (strength, name, listed_name, pairs)
    return None if best is None else (best[1], best[2], best[3])


def _dates(ours: Sequence[str], theirs: Sequence[str]) -> str:
    """``same``, ``same year``, ``day and month swapped``, ``different`` or ``unknown``."""
    if not ours or not theirs:
        return "unknown"
    found = "different"
    for a in ours:
        for b in theirs:
            if a == b or (len(a) < len(b) and b.startswith(a)) or (len(b) < len(a) and a.startswith(b)):
                return "same"
            if len(a) == len(b) == 10 and a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]:
                found = "day and month swapped"
            elif a[:4] == b[:4] and found == "different":
                found = "same year"
    return found


def _score(
    pairs: list[tuple[Part, Part, str]], dates: str, same_country: bool, both_countries: bool
) -> float:
    strong = sum(1 for _, _, how in pairs if how in ("same", "variant", "arabic"))
    score = 0.6 + 0.2 * (strong / max(len(pairs), 1))
    score += {"same": 0.2, "day and month swapped": 0.1, "same year": 0.05, "unknown": 0.0}.get(dates, -0.4)
    if same_country:
        score += 0.05
    elif both_countries:
        score -= 0.1
    return min(score, 1.0)


def import_list(store: SqlStore, viewer: Viewer, lines: Iterable[str], list_name: str) -> dict[str, Any]:
    """Replace the list ``list_name`` with these entities (all problems listed; nothing half-written).

    A list is shared by every agency of the store, so only a supervisor or an administrator imports it.
    """
    if not (viewer.open or {UserRole.SUPERVISOR.value, UserRole.ADMINISTRATOR.value} & viewer.roles):
        raise AccessDenied("importing a sanctions list needs the supervisor or administrator role")
    if not list_name or not set(list_name) <= LIST_NAME_CHARS or len(list_name) > 64:
        raise InvalidValue("list", list_name, "a list name is 1-64 lower-case letters, digits, _ and -")
    text = list(lines)
    parsed = read_ftm_lines(text, source=list_name)
    if parsed.problems:
        raise ReportRejected(f"sanctions list {list_name}", parsed.problems)
    raw: dict[str, dict[str, Any]] = {}
    for line in text:
        if line.strip():
            obj = json.loads(line)
            props = raw.setdefault(obj["id"], {**obj, "properties": {}})["properties"]
            for prop, values in (obj.get("properties") or {}).items():
                props.setdefault(prop, []).extend(values if isinstance(values, list) else [values])
    too_long = [Problem(f"{list_name}:{eid[:40]}", eid[:80], "entity id longer than 200 characters")
                for eid in parsed.entity_ids if len(eid) > 200]  # fmt: skip
    if too_long:
        raise ReportRejected(f"sanctions list {list_name}", too_long)
    screenable = [r for r in parsed.records if r.kind in ("person", "org") and r.names]
    if not screenable:
        raise ReportRejected(
            f"sanctions list {list_name}",
            [Problem(list_name, None, "no person or organisation with a name in the list")],
        )
    now = datetime.now(UTC).isoformat(timespec="seconds")
    rows = [
        {
            "list_name": list_name,
            "entity_id": rec.entity_id,
            "schema": rec.schema,
            "caption": rec.names[0],
            "data": json.dumps(raw[rec.entity_id], ensure_ascii=False, sort_keys=True),
            "imported_at": now,
            "imported_by": viewer.user,
        }
        for rec in screenable
    ]
    skipped = len(parsed.entity_ids) - len(rows)
    with store.engine.begin() as conn:
        before = conn.execute(
            select(func.count()).select_from(sanctioned).where(sanctioned.c.list_name == list_name)
        ).scalar_one()
        conn.execute(delete(sanctioned).where(sanctioned.c.list_name == list_name))
        conn.execute(insert(sanctioned), rows)
        audit_chain.append(
            conn,
            actor=viewer.user,
            agency=viewer.agency or None,
            action="collection",
            object_type="sanctions-list",
            object_id=list_name,
            details={"entries": len(rows), "replaced": before, "skipped": skipped},
        )
    _INDEXES.clear()
    return {"list": list_name, "entries": len(rows), "replaced": before, "skipped": skipped}


def list_summaries(store: SqlStore) -> list[dict[str, Any]]:
    """The imported lists: name, entries, when and by whom."""
    q = select(
        sanctioned.c.list_name,
        func.count(),
        func.max(sanctioned.c.imported_at),
        func.max(sanctioned.c.imported_by),
    ).group_by(sanctioned.c.list_name)
    with store.engine.connect() as conn:
        return [
            {"list": name, "entries": int(n), "imported_at": at, "imported_by": by}
            for name, n, at, by in conn.execute(q.order_by(sanctioned.c.list_name))
        ]


_INDEXES: dict[tuple[str, tuple[str, ...], str], ListIndex] = {}


def load_index(store: SqlStore, lists: Sequence[str] | None = None) -> ListIndex:
    """The index of the named lists (all lists by default), cached until a list is imported again."""
    with store.engine.connect() as conn:
        stamp = conn.execute(
            select(func.max(sanctioned.c.imported_at), func.count()).select_from(sanctioned)
        ).one()
    key = (store.url, tuple(sorted(lists or ())), f"{stamp[0]}:{stamp[1]}")
    found = _INDEXES.get(key)
    if found is not None:
        return found
    q = select(sanctioned.c.list_name, sanctioned.c.entity_id, sanctioned.c.caption, sanctioned.c.data)
    if lists:
        q = q.where(sanctioned.c.list_name.in_(list(lists)))
    index = ListIndex()
    with store.engine.connect() as conn:
        for list_name, eid, caption, data in conn.execute(
            q.order_by(sanctioned.c.list_name, sanctioned.c.entity_id)
        ):
            entity = json.loads(data)
            rec = record_from_ftm(entity)
            if rec is None:
                continue
            props = entity.get("properties") or {}
            programme = next(
                iter(props.get("program") or props.get("programId") or props.get("topics") or []), None
            )
            index.add(Listed(list_name, eid, rec.schema, caption, rec, programme))
    _INDEXES.clear()
    _INDEXES[key] = index
    return index


def screen(
    store: SqlStore,
    viewer: Viewer,
    *,
    canonical: Callable[[str], str] = lambda e: e,
    entity_ids: Iterable[str] | None = None,
    lists: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Every visible person and organisation (or those of ``entity_ids``) that matches a listed entry.

    One row per (resolved entity, listed entry), with the best-scoring record's explanation and
    every record of the cluster that matched.
    """
    from counterflow.resolve.service import load_records

    index = load_index(store, lists)
    if not index.entries:
        return []
    # The person as resolved: every visible record of a cluster together, so a birth date known
    # from one agency's record rules out a namesake that another record, without one, cannot.
    # Victims, witnesses and minors are never screened as suspects.
    protected = {canonical(e) for e in store.protected_ids()}
    clusters: dict[str, list[Record]] = {}
    for rec in load_records(store, entity_ids, viewer=viewer):
        if rec.kind in ("person", "org") and rec.names and canonical(rec.entity_id) not in protected:
            clusters.setdefault(canonical(rec.entity_id), []).append(rec)
    out = []
    for cid, recs in clusters.items():
        combined = Record(
            cid,
            recs[0].schema,
            recs[0].kind,
            recs[0].agency,
            names=tuple(dict.fromkeys(n for r in recs for n in r.names)),
            dobs=tuple(sorted({d for r in recs for d in r.dobs})),
            countries=tuple(sorted({c for r in recs for c in r.countries})),
        )
        for m in index.match(combined):
            out.append({"entity_id": cid, **m, "records": sorted(r.entity_id for r in recs)})
    return sorted(out, key=lambda r: (-r["score"], r["entity_id"], r["list"]))
