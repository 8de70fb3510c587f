"""Refresh the web workspace's vendored assets from npm package tarballs (a maintainer's tool).

The workspace must work with no internet, so its JavaScript and its basemap live in the
package (src/counterflow/web/static/vendor). To update them:

    mkdir /tmp/npm && cd /tmp/npm && npm pack cytoscape@3 leaflet@1 world-atlas@2
    for f in *.tgz; do mkdir -p "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
    python scripts/vendor_assets.py /tmp/npm

    python scripts/vendor_assets.py /tmp/npm ../shared/data/incidents/iom_mmp_balkan_channel_subset.csv

The basemap is Natural Earth's 1:50m countries (public domain, via the world-atlas
package's TopoJSON), decoded here to GeoJSON and cut to Europe, Turkey and the Channel.
The incidents layer is the IOM Missing Migrants Project's record of deaths and
disappearances on the overland routes to the Channel (CC BY 4.0, attributed wherever shown).
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "src" / "counterflow" / "web" / "static" / "vendor"
ROUTE_DATA = Path(__file__).resolve().parents[1] / "src" / "counterflow" / "routes" / "data"
BBOX = (-12.0, 33.0, 46.0, 72.0)  # lon min, lat min, lon max, lat max


def _package(root: Path, name: str) -> Path:
    found = sorted(root.glob(f"{name}-*/package"))
    if not found:
        raise SystemExit(f"no {name}-*/package under {root}")
    return found[-1]


def _arcs(topo: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            pts.append((round(x * sx + tx, 4), round(y * sy + ty, 4)))
        out.append(pts)
    return out


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for i in indexes:
        pts = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
        ring.extend(pts if not ring else pts[1:])
    return ring


def _in_box(rings: list[list[tuple[float, float]]]) -> bool:
    x0, y0, x1, y1 = BBOX
    return any(x0 <= x <= x1 and y0 <= y <= y1 for ring in rings for x, y in ring)


def europe_geojson(topo: dict[str, Any]) -> dict[str, Any]:
    arcs = _arcs(topo)
    features = []
    for geom in topo["objects"]["countries"]["geometries"]:
        if geom["type"] == "Polygon":
            polys = [[_ring(arcs, r) for r in geom["arcs"]]]
        elif geom["type"] == "MultiPolygon":
            polys = [[_ring(arcs, r) for r in p] for p in geom["arcs"]]
        else:
            continue
        polys = [p for p in polys if _in_box(p)]
        if not polys:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"name": geom.get("properties", {}).get("name", "")},
                "geometry": {"type": "MultiPolygon", "coordinates": polys},
            }
        )
    return {
        "type": "FeatureCollection",
        "attribution": "Natural Earth 1:50m countries (public domain), via world-atlas",
        "features": features,
    }


IOM_ROUTES = {"Western Balkans", "Mainland Europe to the UK", "Türkiye-Europe land route"}


def iom_incidents(path: Path) -> dict[str, Any]:
    """Incidents with coordinates on the Balkan route and towards the UK, as a GeoJSON layer."""
    features = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["Route"] not in IOM_ROUTES:
                continue
            try:
                lat, lon = float(row["Latitude"]), float(row["Longitude"])
            except ValueError:
                continue

            def count(col: str, row: dict[str, str] = row) -> int:
                raw = row.get(col, "")
                return int(float(raw)) if raw not in ("", "NA") else 0

            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "id": row["Main ID"],
                        "date": row["incident_date_clean"],
                        "dead_or_missing": count("No. dead/missing"),
                        "minors": count("No. minors"),
                        "cause": row["Cause of death (category)"],
                        "route": row["Route"],
                        "country": row["Country of Incident"],
                        "where": row["Location of death"],
                    },
                    "geometry": {"type": "Point", "coordinates": [round(lon, 4), round(lat, 4)]},
                }
            )
    return {
        "type": "FeatureCollection",
        "attribution": "IOM Missing Migrants Project (CC BY 4.0), via giocopp/Missing-Migrants-Count",
        "features": features,
    }


def main(root: Path, incidents: Path | None = None) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    cy = _package(root, "cytoscape")
    shutil.copy(cy / "dist" / "cytoscape.min.js", OUT / "cytoscape.min.js")
    shutil.copy(cy / "LICENSE", OUT / "LICENSE.cytoscape.txt")
    lf = _package(root, "leaflet")
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copy(lf / "dist" / name, OUT / name)
    shutil.copytree(lf / "dist" / "images", OUT / "images", dirs_exist_ok=True)
    shutil.copy(lf / "LICENSE", OUT / "LICENSE.leaflet.txt")
    wa = _package(root, "world-atlas")
    topo = json.loads((wa / "countries-50m.json").read_text(encoding="utf-8"))
    # The basemap is route reference data: the workspace's map and the case briefings both draw it.
    (ROUTE_DATA / "europe.geojson").write_text(json.dumps(europe_geojson(topo), separators=(",", ":")))
    shutil.copy(wa / "LICENSE", ROUTE_DATA / "LICENSE.world-atlas.txt")
    if incidents is not None:
        data = OUT.parent / "data"
        data.mkdir(exist_ok=True)
        layer = iom_incidents(incidents)
        (data / "iom_incidents.geojson").write_text(
            json.dumps(layer, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )
    print(f"vendored into {OUT}")


if __name__ == "__main__":
    main(
        Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/npm"),
        Path(sys.argv[2]) if len(sys.argv) > 2 else None,
    )
