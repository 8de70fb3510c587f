"""The route: its places (the gazetteer), an entity's track, the open interception windows, and the
weekly flows per leg."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from counterflow.api.context import SessionDep, ViewCache, view_key
from counterflow.errors import InvalidValue
from counterflow.model.places import PLACES, STAGES
from counterflow.policy import registry
from counterflow.policy.session import Session
from counterflow.resolve import service as resolution
from counterflow.routes.leg_flows import leg_flows
from counterflow.routes.service import RouteView, route_view, track_of

router = APIRouter(prefix="/map", tags=["map"])


@router.get("/places", summary="The route's places: hubs, crossings, camps, storage, beaches (GeoJSON)")
def get_places(session: SessionDep) -> dict[str, Any]:
    """Reference data, not intelligence: the same for every signed-in user."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": p.key,
                "properties": {
                    "key": p.key,
                    "name": p.name,
                    "local": p.local or None,
                    "country": p.country,
                    "kind": p.kind,
                    "stage": STAGES[p.stage] if 0 <= p.stage < len(STAGES) else None,
                },
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            }
            for p in PLACES
        ],
    }


@router.get("/track", summary="Where an entity (or phone:+E164) was seen, in time order (GeoJSON line)")
def get_track(
    session: SessionDep, entity: Annotated[str, Query(min_length=1, max_length=200)]
) -> dict[str, Any]:
    state = resolution.state(session.store)
    found = track_of(
        session.store,
        session.viewer,
        entity,
        members=state.members_of,
        canonical=resolution.canonical_for(session.store, session.viewer),
    )
    session.consulted("track", entity, {"sightings": len(found.sightings)})
    points = [[s.place.lon, s.place.lat] for s in found.sightings]
    return {
        "type": "FeatureCollection",
        "track": found.to_dict(),
        "features": [
            {
                "type": "Feature",
                "properties": {"subject": found.subject, "kind": "track"},
                "geometry": {"type": "LineString", "coordinates": points},
            },
            *(
                {
                    "type": "Feature",
                    "properties": {
                        "kind": "sighting",
                        "at": s.at,
                        "place": s.place.name,
                        "source": s.source,
                        "agency": s.agency,
                    },
                    "geometry": {"type": "Point", "coordinates": [s.place.lon, s.place.lat]},
                }
                for s in found.sightings
            ),
        ],
    }


@router.get("/windows", summary="Interception windows open on what you may see (where, who, until when)")
def get_windows(
    request: Request,
    session: SessionDep,
    fresh_days: Annotated[float, Query(ge=0.5, le=365)] = 14.0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    view = _view(request, session)
    agencies = [str(a["id"]) for a in registry.list_agencies(session.store)]
    found = view.windows(agencies, fresh_days=fresh_days)
    session.consulted("routes", None, {"tracks": len(view.tracks), "windows": len(found)})
    return {
        "tracks": len(view.tracks),
        "latest_sighting": view.latest,
        "open": len(found),
        "unknown_places": sorted({u.text for u in view.unknown}),
        "windows": [w.to_dict() for w in found[:limit]],
    }


@router.get(
    "/flows",
    summary="Movements per leg of the route per week, and when each leg's level changed",
)
def get_flows(
    request: Request,
    session: SessionDep,
    since: Annotated[date | None, Query(description="first week (default: the first movement)")] = None,
    until: Annotated[date | None, Query(description="last week (default: the last movement)")] = None,
) -> dict[str, Any]:
    """Counted on what the caller may see: a trip carrying several subjects is one movement; protected
    persons are counted only through the vehicle or trip that carried them."""
    if since and until and since > until:
        raise InvalidValue("since", since.isoformat(), f"after until ({until.isoformat()})")
    view = _view(request, session)
    flows = leg_flows(view.tracks.values(), leave_out=view.protected, start=since, end=until)
    session.consulted("routes", None, {"tracks": len(view.tracks), "flows": flows.moves})
    return flows.to_dict()


def _view(request: Request, session: Session) -> RouteView:
    cache: ViewCache[RouteView] = request.app.state.route_views
    return cache.get(
        view_key(session),
        lambda: route_view(
            session.store, session.viewer, canonical=resolution.canonical_for(session.store, session.viewer)
        ),
    )
