"""Route rules evaluated on every ingest: a group moving towards the coast; boat logistics near launch areas.

``group`` watches (value: the smallest group, default 5) raise ``group-moving`` when a report
puts that many people together in one trip or event at a place of the route, and they are
further along the route than where any of them was seen before (or, never seen before, at a
border crossing). The alert names the place, the stages and the count, never the people: the
smuggled are victims, not subjects.

``logistics`` watches (value: how far from a launch beach, in km, default 400: a night's drive)
raise ``boat-logistics`` when a report puts boats or engines (a purchase, storage or transport:
an event or report text naming them, in the route's languages) at a place within that distance
of a Channel launch beach.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from counterflow.alerts.drafts import Draft
from counterflow.alerts.watchlist import Watch
from counterflow.model.places import PLACES, STAGES, Place
from counterflow.model.statement import Statement
from counterflow.routes.gazetteer import distance_km
from counterflow.routes.tracks import Sighting

DEFAULT_GROUP = 5
DEFAULT_REACH_KM = 400.0
BEACHES = tuple(p for p in PLACES if p.kind == "beach")
# Boats and engines in the languages reports arrive in (stems; matched case-insensitively).
LOGISTICS_WORDS = re.compile(
    r"\b(boats?|dinghy|dinghies|inflatable|outboard|engines?|bateaux?|moteurs?|pneumatique|"
    r"schlauchboot\w*|boot(e)?|motor(en|i|a)?|čamc\w*|camc\w*|gumenjak\w*|чам(ац|ци|ца)\w*|"
    r"гумењак\w*|мотор\w*|βάρκ\w*|φουσκωτ\w*|μηχαν\w*|قارب\w*|محرك\w*)\b",
    re.IGNORECASE,
)

PriorStage = Callable[[set[str], str], int | None]  # (persons, before time) -> furthest earlier stage


@dataclass(frozen=True)
class RouteContext:
    prior_stage: PriorStage


def _number(value: str, default: float) -> float:
    try:
        return float(value)
    except ValueError:
        return default


def group_drafts(
    statements: Sequence[Statement],
    watches: Sequence[Watch],
    context: RouteContext,
    moves: Sequence[Sighting],
) -> list[Draft]:
    persons = {s.entity_id for s in statements if s.schema == "Person"}
    persons |= {s.value for s in statements if s.prop == "involved" and s.prop_type == "entity"}
    by_movement: dict[tuple[str, ...], list[Sighting]] = {}
    for seen in moves:
        if seen.subject in persons and seen.source in ("trip", "event", "anpr"):
            by_movement.setdefault(seen.statements[:-1], []).append(seen)
    out: list[Draft] = []
    by_id = {s.id: s for s in statements}
    for found in by_movement.values():
        people = {s.subject for s in found}
        place, at = found[0].place, found[0].at
        prior = context.prior_stage(people, at)
        towards = prior is not None and place.stage > prior
        entering = prior is None and place.kind == "crossing"
        if not (towards or entering):
            continue
        evidence = tuple(dict.fromkeys(i for s in found for i in s.statements))
        why = (
            f"last seen in {STAGES[prior]}"
            if towards and prior is not None and prior >= 0
            else "first sighting"
        )
        for w in watches:
            if len(people) < _number(w.value, DEFAULT_GROUP):
                continue
            out.append(
                Draft(
                    w,
                    "group-moving",
                    f"group of {len(people)} moving towards the coast: at {place.name} ({place.country}, "
                    f"{STAGES[place.stage] if place.stage >= 0 else 'origin'}), {why}",
                    by_id[evidence[0]].entity_id,
                    place.key,
                    at,
                    evidence,
                    by_id[evidence[0]].report_key,
                )
            )
    return out


def _nearest_beach(place: Place) -> tuple[Place, float]:
    return min(((b, distance_km(place.lat, place.lon, b.lat, b.lon)) for b in BEACHES), key=lambda x: x[1])


def logistics_drafts(
    statements: Sequence[Statement], watches: Sequence[Watch], moves: Sequence[Sighting]
) -> list[Draft]:
    """Boats or engines named in an event (a purchase, storage, transport) placed near a launch beach."""
    by_entity: dict[str, list[Statement]] = {}
    owner: dict[str, str] = {}
    for s in statements:
        by_entity.setdefault(s.entity_id, []).append(s)
        owner[s.id] = s.entity_id
    out: list[Draft] = []
    done: set[tuple[str, str]] = set()
    for seen in moves:
        if seen.source != "event":
            continue
        event = by_entity.get(owner.get(seen.statements[0], ""), [])
        if not any(
            LOGISTICS_WORDS.search(s.value) for s in event if s.prop in ("name", "description", "summary")
        ):
            continue
        key = (event[0].entity_id, seen.place.key)
        if key in done:
            continue
        done.add(key)
        beach, km = _nearest_beach(seen.place)
        for w in watches:
            if km > _number(w.value, DEFAULT_REACH_KM):
                continue
            out.append(
                Draft(
                    w,
                    "boat-logistics",
                    f"boats or engines at {seen.place.name} ({seen.place.country}), {km:.0f} km from the "
                    f"launch beach of {beach.name}",
                    event[0].entity_id,
                    seen.place.key,
                    seen.at,
                    tuple(s.id for s in event),
                    event[0].report_key,
                )
            )
    return out
