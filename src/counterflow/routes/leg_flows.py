"""Flows per leg of the route, per week, from the movements a viewer may see.

A *movement on a leg* is a subject travelling forward along it: seen at one of the leg's
places (``model.places`` legs, e.g. RS-HU: Belgrade, Subotica, Horgoš, Röszke, Szeged) and
then at a later one within a few days. Further forward steps continue the same movement;
turning back, leaving the leg or a long gap ends it. One trip often places several subjects
at once (a van, its driver, the people it carries): it is one movement, recognised by the
statements that placed its steps. What is counted is what the agencies observed (trips,
ANPR reads, detections), not how many people crossed.

From the weekly counts, ``flows.shifts`` finds when a leg's level changed, so that an
analyst sees a corridor fall after an operation, and one rise instead, on the agencies'
own data rather than on published monthly figures.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from counterflow.model.places import ROUTES, Place
from counterflow.routes.flows import Shift, WeeklyCounts, shifts, weekly_counts
from counterflow.routes.tracks import Track

__all__ = ["LegFlows", "LegMove", "leg_flows", "leg_moves", "legs_of"]


def _leg_places() -> dict[str, tuple[str, ...]]:
    """Every leg id with all places any corridor passes on it, in route order."""
    found: dict[str, list[str]] = {}
    for legs in ROUTES.values():
        for leg_id, _stage, places, _mode in legs:
            known = found.setdefault(leg_id, [])
            known.extend(p for p in places if p not in known)
    return {k: tuple(v) for k, v in found.items()}


LEG_PLACES = _leg_places()
# Route order of the legs (the first corridor that names each), for tables and charts.
LEG_ORDER: tuple[str, ...] = tuple(
    dict.fromkeys(leg[0] for legs in sorted(ROUTES.values(), key=len, reverse=True) for leg in legs)
)
MAX_GAP_DAYS = 3.0  # longest plausible time between two places of one leg on one trip
_BY_PLACE: dict[str, tuple[str, ...]] = {}
for _leg, _places in LEG_PLACES.items():
    for _p in _places:
        _BY_PLACE[_p] = (*_BY_PLACE.get(_p, ()), _leg)


def legs_of(previous: Place, place: Place) -> tuple[str, ...]:
    """The legs on which a step from ``previous`` to ``place`` moves forward: both places are on
    the leg, ``place`` after ``previous`` in the leg's order."""
    found = []
    for leg in _BY_PLACE.get(place.key, ()):
        order = LEG_PLACES[leg]
        if previous.key in order and order.index(previous.key) < order.index(place.key):
            found.append(leg)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class LegMove:
    leg: str
    day: date
    subject: str
    statements: tuple[str, ...]


def leg_moves(
    all_tracks: Iterable[Track], *, leave_out: set[str] | None = None, max_gap_days: float = MAX_GAP_DAYS
) -> list[LegMove]:
    """Movements on legs, one per trip, oldest first, dated by their first step forward.

    Steps more than ``max_gap_days`` apart are not one trip: a plate read once at a camera, or
    twice weeks apart, did not travel the leg as far as anyone can tell. ``leave_out``: subjects
    not counted as movers on their own (protected persons; the vehicle or trip that carried
    them is the same movement)."""
    skip = leave_out or set()
    seen: set[tuple[str, tuple[str, ...]]] = set()  # (leg, statements) of every step counted so far
    out: list[LegMove] = []
    for track in all_tracks:
        if track.subject in skip:
            continue
        moving: set[str] = set()  # legs this subject is travelling along now
        for a, b in itertools.pairwise(track.sightings):
            t1, t2 = _time(a.at), _time(b.at)
            near = (
                t1 is not None and t2 is not None and 0 <= (t2 - t1).total_seconds() <= max_gap_days * 86400
            )
            legs = legs_of(a.place, b.place) if near else ()
            if a.place.key != b.place.key:  # standing still keeps a movement going; anything else ends it
                moving &= set(legs)
            for leg in legs:
                key = (leg, b.statements)
                if leg not in moving and key not in seen and t2 is not None:
                    out.append(LegMove(leg, t2.date(), track.subject, b.statements))
                moving.add(leg)  # a step of a movement already counted (this one, or a fellow traveller's)
                seen.add(key)
    out.sort(key=lambda m: (m.day, m.leg, m.subject))
    return out


def _time(at: str) -> datetime | None:
    try:
        return datetime.fromisoformat(at[:19])
    except ValueError:
        return None


@dataclass(frozen=True)
class LegFlows:
    counts: WeeklyCounts
    shifts: list[Shift]
    moves: int

    def to_dict(self) -> dict[str, object]:
        legs = [leg for leg in LEG_ORDER if leg in self.counts.counts]
        return {
            "weeks": [w.isoformat() for w in self.counts.weeks],
            "legs": {leg: list(self.counts.series(leg)) for leg in legs},
            "movements": self.moves,
            "shifts": [
                {
                    "leg": s.series,
                    "week": s.at.isoformat(),
                    "direction": s.direction,
                    "before": round(s.before, 1),
                    "after": round(s.after, 1),
                    "ratio": round(s.ratio, 2),
                }
                for s in self.shifts
            ],
        }


def leg_flows(
    all_tracks: Iterable[Track],
    *,
    leave_out: set[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    min_weeks: int = 8,
) -> LegFlows:
    """Weekly movements per leg, and the change points of every leg with ``min_weeks`` of data
    and some movement (a leg's weekly counts are small: a Poisson cost, no seasonal term)."""
    moves = leg_moves(all_tracks, leave_out=leave_out)
    counts = weekly_counts(((m.leg, m.day) for m in moves), start=start, end=end)
    found: list[Shift] = []
    if len(counts.weeks) >= min_weeks:
        for leg in LEG_ORDER:
            series = counts.series(leg)
            if sum(series) >= min_weeks:
                found += shifts(counts.weeks, series, name=leg, cost="poisson")
    found.sort(key=lambda s: (s.at, s.series))
    kept = sum(sum(c) for c in counts.counts.values())
    return LegFlows(counts, found, kept)
