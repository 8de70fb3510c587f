"""Interception windows: which agency can still act, where, and until when.

For a track that has not reached the Channel coast, the next places on its corridor
(``model.places.ROUTES``) are where it can be met; the agencies of those places' countries
(and of the country it was last seen in) are the ones to tell; and the window closes when
the subject is expected on the coast: the last sighting plus the median time observed on
other tracks from that stage to the coast. Every window says what its estimate rests on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from counterflow.model.agencies import agency_country
from counterflow.model.places import PLACE, ROUTES, STAGES, Place
from counterflow.routes.tracks import COAST, LegTimes, Track

__all__ = ["Window", "interception_window", "next_places"]


@dataclass(frozen=True)
class Window:
    subject: str
    last_place: Place
    last_seen: str
    next_places: tuple[Place, ...]
    countries: tuple[str, ...]
    agencies: tuple[str, ...]
    until: str | None
    eta_hours: float | None
    basis: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "last_seen": {
                "at": self.last_seen,
                "place": self.last_place.key,
                "name": self.last_place.name,
                "lat": self.last_place.lat,
                "lon": self.last_place.lon,
            },
            "stage": STAGES[self.last_place.stage] if 0 <= self.last_place.stage < len(STAGES) else None,
            "where": [
                {"place": p.key, "name": p.name, "country": p.country, "kind": p.kind}
                for p in self.next_places
            ],
            "countries": list(self.countries),
            "agencies": list(self.agencies),
            "until": self.until,
            "eta_hours": self.eta_hours,
            "basis": self.basis,
        }


def next_places(place: Place, limit: int = 4) -> list[Place]:
    """The places that follow ``place`` on any corridor, nearest first (crossings before the rest)."""
    ahead: dict[str, int] = {}
    for legs in ROUTES.values():
        keys = [k for _leg_id, _stage, places, _mode in legs for k in places]
        if place.key not in keys:
            continue
        start = keys.index(place.key)
        for dist, k in enumerate(keys[start + 1 :], 1):
            if k != place.key and (k not in ahead or dist < ahead[k]):
                ahead[k] = dist
    ordered = sorted(ahead, key=lambda k: (ahead[k], PLACE[k].kind != "crossing", k))
    return [PLACE[k] for k in ordered[:limit]]


def _parse(at: str) -> datetime | None:
    try:
        return datetime.fromisoformat(at[:19])
    except ValueError:
        return None


def interception_window(track: Track, times: LegTimes, agencies: list[str]) -> Window | None:
    """The window for a track still short of the coast; ``None`` once it is there (act on the coast)."""
    if not track.sightings:
        return None
    last = track.last
    if last.place.stage >= COAST or last.place.stage < 0:
        return None
    ahead = next_places(last.place)
    countries = tuple(dict.fromkeys([last.place.country, *(p.country for p in ahead)]))
    tell = tuple(a for a in sorted(agencies) if _country(a) in countries)
    eta = times.to_coast(track.stage)
    seen = _parse(last.at)
    until = (seen + eta).isoformat(timespec="minutes") if eta is not None and seen is not None else None
    n = len(times.hours.get((track.stage, COAST), []))
    basis = (
        f"median of {n} observed journeys from {STAGES[track.stage]} to the coast"
        if n
        else (
            "chained medians of observed legs" if eta is not None else "no observed journeys from this stage"
        )
    )
    return Window(
        track.subject,
        last.place,
        last.at,
        tuple(ahead),
        countries,
        tell,
        until,
        round(eta / timedelta(hours=1), 1) if eta is not None else None,
        basis,
    )


def _country(agency: str) -> str | None:
    try:
        return agency_country(agency)
    except Exception:  # an agency id of another form: it is simply not matched to a country
        return None
