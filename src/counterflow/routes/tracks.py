"""Movements along the route: sightings from statements, tracks, progress, time to the coast.

A *sighting* is an entity seen at a place of the gazetteer at a time, on some agency's word:
an ANPR read (a Trip whose startLocation is a camera with coordinates), a reported trip or
event with a location, a call made through a cell site near a place. Places a report names
that the gazetteer does not know are returned as ``Unknown`` (to be reported, not guessed).

A *track* is one subject's sightings in time order. Its progress is the furthest stage of
the route reached (``model.places.STAGES``: Turkey … the French coast). Leg durations
learnt from every visible track (first sighting in a stage to the first in a later one)
give an estimated time to the Channel coast for a track that has not reached it yet.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from counterflow.model.places import S_FR, STAGES, Place
from counterflow.model.statement import Statement
from counterflow.routes.gazetteer import Gazetteer, route_gazetteer

__all__ = ["LegTimes", "Sighting", "Track", "Unknown", "leg_times", "sightings", "tracks"]

MOVEMENT_SCHEMATA = ("Trip", "Event", "Call")
SUBJECT_PROPS = {"Trip": ("vehicle", "involved"), "Event": ("involved", "organizer"), "Call": ("caller",)}
COAST = S_FR


@dataclass(frozen=True, slots=True)
class Sighting:
    subject: str  # a (resolved) entity id, or "phone:+…" for a number seen through a cell site
    at: str  # ISO date or date-time, as precise as the report
    place: Place
    how: str  # how the gazetteer matched: name, local, alias, contained, nearest
    source: str  # anpr, trip, event, cell
    agency: str
    statements: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Unknown:
    text: str
    agency: str
    statements: tuple[str, ...]


@dataclass
class Track:
    subject: str
    sightings: list[Sighting] = field(default_factory=list)

    @property
    def last(self) -> Sighting:
        return self.sightings[-1]

    @property
    def journeys(self) -> list[list[Sighting]]:
        """The track cut where it goes back down the route: a driver shuttling between the coast and
        the Balkans makes one journey per run towards the coast."""
        out: list[list[Sighting]] = []
        top = -2
        for s in self.sightings:
            if not out or s.place.stage < top:
                out.append([])
                top = -2
            out[-1].append(s)
            top = max(top, s.place.stage)
        return out

    @property
    def stage(self) -> int:
        """The furthest stage of the route reached on the current journey (-1: not on the route yet)."""
        current = self.journeys[-1] if self.sightings else []
        return max((s.place.stage for s in current), default=-1)

    @property
    def progress(self) -> float:
        """0 at the start of the route, 1 on the Channel coast."""
        return max(0.0, self.stage) / COAST

    def to_dict(self) -> dict[str, object]:
        return {
            "subject": self.subject,
            "stage": STAGES[self.stage] if 0 <= self.stage < len(STAGES) else None,
            "progress": round(self.progress, 3),
            "sightings": [
                {
                    "at": s.at,
                    "place": s.place.key,
                    "name": s.place.name,
                    "country": s.place.country,
                    "kind": s.place.kind,
                    "source": s.source,
                    "agency": s.agency,
                    "matched": s.how,
                    "statements": list(s.statements),
                }
                for s in self.sightings
            ],
        }


class _Ent:
    __slots__ = ("agency", "id", "props", "schema")

    def __init__(self, eid: str) -> None:
        self.id = eid
        self.schema = ""
        self.agency = ""
        self.props: dict[str, list[Statement]] = defaultdict(list)

    def first(self, *props: str) -> Statement | None:
        for p in props:
            if self.props.get(p):
                return self.props[p][0]
        return None


def _when(ent: _Ent) -> tuple[str, Statement | None] | None:
    st = ent.first("startDate", "date", "endDate")
    if st is not None:
        return st.value, st
    any_st = next((s for v in ent.props.values() for s in v), None)
    if any_st is not None and (any_st.observed_at or any_st.reported_at):
        return (any_st.observed_at or any_st.reported_at or ""), None
    return None


def _coord(ent: _Ent, prop: str) -> float | None:
    st = ent.first(prop)
    try:
        return float(st.value) if st is not None else None
    except ValueError:
        return None


def sightings(
    statements: Iterable[Statement],
    gazetteer: Gazetteer | None = None,
    *,
    canonical: Callable[[str], str] | None = None,
) -> tuple[list[Sighting], list[Unknown]]:
    """Every sighting the statements support, and the place names the gazetteer did not know."""
    gz = gazetteer or route_gazetteer()
    canon = canonical or (lambda x: x)
    ents: dict[str, _Ent] = {}
    for s in statements:
        e = ents.get(s.entity_id)
        if e is None:
            e = ents[s.entity_id] = _Ent(s.entity_id)
        e.schema = e.schema or s.schema
        e.agency = e.agency or s.agency
        e.props[s.prop].append(s)
    cells = {
        (e.agency, st.original_value or st.value): e
        for e in ents.values()
        if e.schema == "Address"
        for st in e.props.get("name", [])
    }
    out: list[Sighting] = []
    unknown: list[Unknown] = []
    for e in ents.values():
        if e.schema not in MOVEMENT_SCHEMATA:
            continue
        when = _when(e)
        if when is None:
            continue
        at, at_stmt = when
        source, where, ids = _where(e, ents, cells, gz)
        if where is None:
            loc = e.first("location")
            if loc is not None:
                unknown.append(Unknown(loc.original_value or loc.value, e.agency, (loc.id,)))
            continue
        place, how = where
        base = tuple(i for i in (*ids, at_stmt.id if at_stmt else None) if i)
        subjects: list[tuple[str, str]] = []
        for prop in SUBJECT_PROPS.get(e.schema, ()):
            subjects.extend((canon(st.value), st.id) for st in e.props.get(prop, []))
        if e.schema == "Call":
            subjects.extend((f"phone:{st.value}", st.id) for st in e.props.get("callerNumber", []))
        for subject, sid in subjects:
            out.append(Sighting(subject, at, place, how, source, e.agency, (*base, sid)))
    out.sort(key=lambda s: (s.subject, s.at, s.place.key))
    return out, unknown


def _where(
    e: _Ent, ents: dict[str, _Ent], cells: dict[tuple[str, str], _Ent], gz: Gazetteer
) -> tuple[str, tuple[Place, str] | None, tuple[str, ...]]:
    """Where a movement entity puts its subjects: by place name, by an address's coordinates or name."""
    if e.schema == "Call":
        cell_st = e.first("description")
        cell = cells.get((e.agency, (cell_st.original_value or cell_st.value))) if cell_st else None
        if cell is None or cell_st is None:
            return "cell", None, ()
        lat, lon = _coord(cell, "latitude"), _coord(cell, "longitude")
        m = gz.nearest(lat, lon) if lat is not None and lon is not None else None
        return "cell", (m.place, m.how) if m else None, (cell_st.id,)
    for prop in ("location", "startLocation", "endLocation", "departure", "destination"):
        st = e.first(prop)
        if st is None:
            continue
        if st.prop_type == "entity" and st.value in ents:
            addr = ents[st.value]
            name = addr.first("name", "full")
            lat, lon = _coord(addr, "latitude"), _coord(addr, "longitude")
            m = gz.geocode(name.value if name else None, lat, lon)
            source = "anpr" if e.schema == "Trip" and lat is not None else e.schema.lower()
            return source, (m.place, m.how) if m else None, (st.id,)
        m = gz.by_name(st.original_value or st.value)
        return e.schema.lower(), (m.place, m.how) if m else None, (st.id,)
    return e.schema.lower(), None, ()


def tracks(found: Iterable[Sighting]) -> dict[str, Track]:
    out: dict[str, Track] = {}
    for s in sorted(found, key=lambda s: (s.subject, s.at)):
        out.setdefault(s.subject, Track(s.subject)).sightings.append(s)
    return out


def _time(at: str) -> datetime | None:
    try:
        return datetime.fromisoformat(at[:19]) if len(at) >= 10 else None
    except ValueError:
        return None


@dataclass
class LegTimes:
    """Observed hours from the first sighting in a stage to the first in each later stage, per journey."""

    hours: dict[tuple[int, int], list[float]] = field(default_factory=dict)

    def median(self, a: int, b: int) -> float | None:
        xs = self.hours.get((a, b))
        return statistics.median(xs) if xs else None

    def to_coast(self, stage: int) -> timedelta | None:
        """Estimated time from entering ``stage`` to reaching the coast (direct, else chained)."""
        if stage >= COAST:
            return timedelta(0)
        direct = self.median(stage, COAST)
        if direct is not None:
            return timedelta(hours=direct)
        for nxt in range(stage + 1, COAST):
            step = self.median(stage, nxt)
            rest = self.to_coast(nxt) if step is not None else None
            if step is not None and rest is not None:
                return timedelta(hours=step) + rest
        return None


def leg_times(all_tracks: Iterable[Track]) -> LegTimes:
    out = LegTimes()
    for t in all_tracks:
        for journey in t.journeys:
            first: dict[int, datetime] = {}
            for s in journey:
                when = _time(s.at)
                if when is not None and s.place.stage >= 0 and s.place.stage not in first:
                    first[s.place.stage] = when
            for a, ta in first.items():
                for b, tb in first.items():
                    if b > a and tb >= ta:
                        out.hours.setdefault((a, b), []).append((tb - ta).total_seconds() / 3600)
    return out
