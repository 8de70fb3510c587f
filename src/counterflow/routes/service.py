"""Tracks and interception windows from the store, as one viewer may see them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from counterflow.errors import NotFound
from counterflow.model.statement import Statement
from counterflow.model.visibility import Viewer
from counterflow.routes.tracks import LegTimes, Track, Unknown, leg_times, sightings, tracks
from counterflow.routes.windows import Window, interception_window
from counterflow.store.sql import SqlStore

__all__ = ["RouteView", "route_view", "track_of"]

# Movements and the places they name; calls through cell sites are read per subject only
# (there are millions of them, and the population's leg times come from trips and events).
POPULATION_SCHEMATA = ("Trip", "Event", "Address")


@dataclass
class RouteView:
    tracks: dict[str, Track]
    unknown: list[Unknown]
    times: LegTimes
    protected: set[str] = field(default_factory=set)

    @property
    def latest(self) -> str | None:
        return max((t.last.at for t in self.tracks.values() if t.sightings), default=None)

    def windows(
        self, agencies: Iterable[str], *, now: datetime | None = None, fresh_days: float = 14.0
    ) -> list[Window]:
        """Open windows of tracks seen in the last ``fresh_days`` before ``now`` (by default the latest
        sighting), soonest to close first. Protected persons (victims, witnesses, minors) are not
        subjects of a window: the vehicles, phones and facilitators moving them are."""
        known = list(agencies)
        ref = now or (_parse(self.latest) if self.latest else None)
        found = []
        for t in self.tracks.values():
            if t.subject in self.protected or not t.sightings:
                continue
            seen = _parse(t.last.at)
            if ref is not None and (seen is None or (ref - seen).total_seconds() > fresh_days * 86400):
                continue
            w = interception_window(t, self.times, known)
            if w is not None:
                found.append(w)
        return sorted(found, key=lambda w: (w.until or "9999", w.subject))


def _parse(at: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(at[:19]) if at else None
    except ValueError:
        return None


def route_view(
    store: SqlStore, viewer: Viewer, *, canonical: Callable[[str], str] | None = None
) -> RouteView:
    """Every visible movement: tracks, unknown places, and the leg times they show."""
    found, unknown = sightings(
        store.iter_statements(viewer=viewer, schemata=POPULATION_SCHEMATA), canonical=canonical
    )
    all_tracks = tracks(found)
    canon = canonical or (lambda x: x)
    protected = {canon(e) for e in store.protected_ids()}
    return RouteView(all_tracks, unknown, leg_times(all_tracks.values()), protected)


def track_of(
    store: SqlStore,
    viewer: Viewer,
    entity_id: str,
    *,
    members: Callable[[str], list[str]] | None = None,
    canonical: Callable[[str], str] | None = None,
) -> Track:
    """One entity's track (a vehicle, person, or phone number as ``phone:+…``), calls included."""
    canon = canonical or (lambda x: x)
    subject = entity_id if entity_id.startswith("phone:") else canon(entity_id)
    if subject.startswith("phone:"):
        number = subject.removeprefix("phone:")
        movers = store.entities_with_values("phone", [number], viewer=viewer)
    else:
        ids = (members or (lambda e: [e]))(subject)
        if not store.visible_entities(ids, viewer=viewer):
            raise NotFound(f"no entity {entity_id!r}", entity_id=entity_id)
        movers = store.entities_with_values("entity", ids, viewer=viewer)
    moves = [e for e, schema in movers.items() if schema in ("Trip", "Event", "Call")]
    stmts: list[Statement] = store.statements_for_entities(moves, viewer=viewer) if moves else []
    refs = {s.value for s in stmts if s.prop_type == "entity"}
    cells = {(s.original_value or s.value) for s in stmts if s.schema == "Call" and s.prop == "description"}
    extra = store.statements_for_entities(refs, viewer=viewer) if refs else []
    if cells:
        sites = store.entities_with_values("name", cells, viewer=viewer)
        extra += store.statements_for_entities(
            [e for e, sch in sites.items() if sch == "Address"], viewer=viewer
        )
    found, _ = sightings([*stmts, *extra], canonical=canon)
    return tracks(s for s in found if s.subject == subject).get(subject, Track(subject))
