"""Pictures for case files, as self-contained SVG: the link chart and the map of the case.

Briefings go to prosecutors' laptops and into PDFs, so the pictures carry no script and fetch
nothing: positions are computed here (igraph's Fruchterman–Reingold with a fixed seed, so
the same case draws the same chart) and the basemap is the vendored Natural Earth outline.

Link chart: persons as circles (targets ringed in red, plan targets filled dark), ties solid
where evidence supports them and dashed where only intelligence does. Protected persons are
small grey circles without a name. Map: the route's places where the case's material puts
someone, sized by how often, over the country outlines.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from html import escape

from counterflow.graph._ig import ig, seeded
from counterflow.graph.build import EntityGraph
from counterflow.graph.views import PROTECTED_CAPTION
from counterflow.model.places import Place
from counterflow.routes.basemap import ATTRIBUTION, outlines

FONT = "DejaVu Sans, sans-serif"


def link_chart_svg(
    people: EntityGraph,
    *,
    targets: Iterable[str],
    plan: Iterable[str] = (),
    evidential_ties: set[tuple[str, str, str]] | None = None,
    width: int = 760,
    height: int = 520,
    seed: int = 7,
) -> str:
    """The person network as an SVG link chart (see the module docstring)."""
    nodes = sorted(people.nodes)
    targets, plan = set(targets), set(plan)
    if not nodes:
        return _empty(width, 120, "no persons in this view")
    index = {n: i for i, n in enumerate(nodes)}
    pairs: dict[tuple[str, str], bool] = {}
    for key, tie in people.ties.items():
        if tie.source == tie.target or tie.source not in index or tie.target not in index:
            continue
        pair = (min(tie.source, tie.target), max(tie.source, tie.target))
        proven = evidential_ties is None or key in evidential_ties
        pairs[pair] = pairs.get(pair, False) or proven
    g = ig.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in pairs])
    with seeded(seed):
        layout = g.layout_fruchterman_reingold(seed=_seed_positions(len(nodes), seed), niter=500)
    xs, ys = [p[0] for p in layout], [p[1] for p in layout]
    pad = 40
    sx = (width - 2 * pad) / ((max(xs) - min(xs)) or 1)
    sy = (height - 2 * pad) / ((max(ys) - min(ys)) or 1)
    pos = {n: (pad + (xs[i] - min(xs)) * sx, pad + (ys[i] - min(ys)) * sy) for n, i in index.items()}
    out = [_open(width, height, "Link chart of the case")]
    for (a, b), proven in sorted(pairs.items()):
        (x1, y1), (x2, y2) = pos[a], pos[b]
        dash = "" if proven else ' stroke-dasharray="5,4"'
        colour = "#444" if proven else "#999"
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
            f'stroke-width="1.2"{dash}/>'
        )
    for n in nodes:
        x, y = pos[n]
        node = people.nodes[n]
        if node.protected:
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#bbb">'
                f"<title>{PROTECTED_CAPTION}</title></circle>"
            )
            continue
        fill = "#1f3b5a" if n in plan else "#8fb3d9"
        ring = ' stroke="#c0392b" stroke-width="3"' if n in targets else ' stroke="#fff" stroke-width="1"'
        r = 9 if n in targets else 6
        name = escape(node.caption)
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{fill}"{ring}><title>{name}</title></circle>'
        )
        if n in targets or n in plan:
            out.append(
                f'<text x="{x + 11:.1f}" y="{y + 4:.1f}" font-size="11" font-family="{FONT}">{name}</text>'
            )
    out.append(_legend(height))
    out.append("</svg>")
    return "\n".join(out)


def _seed_positions(n: int, seed: int) -> list[tuple[float, float]]:
    """Deterministic starting positions on a circle (igraph's own RNG is global state)."""
    return [
        (math.cos(2 * math.pi * (i + seed % 7) / n), math.sin(2 * math.pi * (i + seed % 7) / n))
        for i in range(n)
    ]


def _legend(height: int) -> str:
    y = height - 14
    return (
        f'<g font-size="10" font-family="{FONT}">'
        f'<circle cx="12" cy="{y - 4}" r="6" fill="#8fb3d9" stroke="#c0392b" stroke-width="3"/>'
        f'<text x="24" y="{y}">case target</text>'
        f'<circle cx="112" cy="{y - 4}" r="6" fill="#1f3b5a"/>'
        f'<text x="124" y="{y}">in the disruption plan</text>'
        f'<line x1="260" y1="{y - 4}" x2="290" y2="{y - 4}" stroke="#444" stroke-width="1.2"/>'
        f'<text x="296" y="{y}">tie backed by evidence</text>'
        f'<line x1="430" y1="{y - 4}" x2="460" y2="{y - 4}" stroke="#999" stroke-dasharray="5,4"/>'
        f'<text x="466" y="{y}">intelligence only</text>'
        f'<circle cx="572" cy="{y - 4}" r="4" fill="#bbb"/>'
        f'<text x="582" y="{y}">{PROTECTED_CAPTION}</text></g>'
    )


def map_svg(
    places: Mapping[Place, int],
    *,
    width: int = 760,
    height: int = 520,
    title: str = "Places in the case",
) -> str:
    """The places (with how many sightings each) over the basemap, framed around them."""
    if not places:
        return _empty(width, 120, "no located sightings in this view")
    lons = [p.lon for p in places]
    lats = [p.lat for p in places]
    lon0, lon1 = min(lons) - 2.0, max(lons) + 2.0
    lat0, lat1 = min(lats) - 1.5, max(lats) + 1.5
    # Equirectangular, scaled by the cosine of the middle latitude so shapes look right.
    k = math.cos(math.radians((lat0 + lat1) / 2))
    span_x, span_y = (lon1 - lon0) * k, lat1 - lat0
    scale = min(width / span_x, (height - 20) / span_y)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (lon - lon0) * k * scale, (lat1 - lat) * scale

    out = [_open(width, height, title), f'<rect width="{width}" height="{height}" fill="#dfeaf2"/>']
    for name, rings in outlines():
        for ring in rings:
            if not any(lon0 - 5 <= x <= lon1 + 5 and lat0 - 5 <= y <= lat1 + 5 for x, y in ring):
                continue
            pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in (xy(x, y) for x, y in ring))
            out.append(
                f'<polygon points="{pts}" fill="#f6f4ee" stroke="#9aa" stroke-width="0.6">'
                f"<title>{escape(name)}</title></polygon>"
            )
    top = max(places.values())
    for place, n in sorted(places.items(), key=lambda x: -x[1]):
        x, y = xy(place.lon, place.lat)
        r = 3 + 9 * math.sqrt(n / top)
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#c0392b" fill-opacity="0.65" '
            'stroke="#7b241c">'
            f"<title>{escape(place.name)}: {n}</title></circle>"
        )
        out.append(
            f'<text x="{x + r + 2:.1f}" y="{y + 4:.1f}" font-size="10" font-family="{FONT}">'
            f"{escape(place.name)} ({n})</text>"
        )
    out.append(
        f'<text x="6" y="{height - 6}" font-size="9" fill="#555" font-family="{FONT}">'
        f"{escape(ATTRIBUTION)}</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )


def _empty(width: int, height: int, text: str) -> str:
    return (
        _open(width, height, text)
        + f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" font-size="13" fill="#666" '
        f'font-family="{FONT}">{escape(text)}</text></svg>'
    )
