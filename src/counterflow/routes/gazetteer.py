"""The route's gazetteer: place names in any script, and coordinates, to the route's places.

A report says "Београд", "Belgrade (park by the bus station)", "Orestiada" or "Evros", or an
ANPR camera or cell site gives coordinates. ``Gazetteer.geocode`` turns either into one of
the route's places (``model.places``), saying how it matched. It never guesses: a name is
matched only on whole words, equal to a place's name, its local-script name or a
parenthesised alias (all latinised and folded), or containing exactly one such name;
coordinates only within ``max_km`` of a place. Anything else is ``None``, for the caller to
report as an unknown place.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from counterflow.errors import InvalidValue
from counterflow.model.normalise import name_tokens
from counterflow.model.places import PLACES, Place

__all__ = ["Gazetteer", "Match", "distance_km", "route_gazetteer"]

EARTH_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class Match:
    place: Place
    how: str  # name | local | alias | contained | nearest
    distance_km: float | None = None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(math.sqrt(a))


def _key(text: str) -> tuple[str, ...]:
    try:
        return tuple(name_tokens(text))
    except InvalidValue:
        return ()


class Gazetteer:
    """Name and coordinate lookup over the route's places."""

    def __init__(self, places: Iterable[Place] = PLACES) -> None:
        self.places = tuple(places)
        self._names: dict[tuple[str, ...], tuple[Place, str]] = {}
        for p in self.places:
            main, _, rest = p.name.partition("(")
            keys = [(main, "name"), (p.name, "name"), (p.local, "local")]
            if rest:
                keys.append((rest.rstrip(") "), "alias"))
            for text, how in keys:
                key = _key(text) if text else ()
                if key and key not in self._names:
                    self._names[key] = (p, how)
        self._longest = max((len(k) for k in self._names), default=0)

    def by_name(self, text: str) -> Match | None:
        key = _key(text)
        if not key:
            return None
        found = self._names.get(key)
        if found is not None:
            return Match(found[0], found[1])
        hits = {
            self._names[key[i : i + n]][0]
            for n in range(min(self._longest, len(key)), 0, -1)
            for i in range(len(key) - n + 1)
            if key[i : i + n] in self._names
        }
        return Match(hits.pop(), "contained") if len(hits) == 1 else None

    def nearest(self, lat: float, lon: float, max_km: float = 15.0) -> Match | None:
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            return None
        best = min(self.places, key=lambda p: distance_km(lat, lon, p.lat, p.lon))
        d = distance_km(lat, lon, best.lat, best.lon)
        return Match(best, "nearest", round(d, 2)) if d <= max_km else None

    def geocode(
        self,
        text: str | None = None,
        lat: float | None = None,
        lon: float | None = None,
        max_km: float = 15.0,
    ) -> Match | None:
        """By name first, then by coordinates; ``None`` when neither is known."""
        if text:
            found = self.by_name(text)
            if found is not None:
                return found
        if lat is not None and lon is not None:
            return self.nearest(lat, lon, max_km)
        return None

    def get(self, key: str) -> Place:
        for p in self.places:
            if p.key == key:
                return p
        raise InvalidValue("place", key, "not in the gazetteer")


@cache
def route_gazetteer() -> Gazetteer:
    """The gazetteer of the route's places, built once per process."""
    return Gazetteer()
