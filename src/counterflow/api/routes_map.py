"""Map layers: the route's places (the gazetteer), as GeoJSON for the workspace's map."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from counterflow.api.context import SessionDep
from counterflow.model.places import PLACES, STAGES

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
