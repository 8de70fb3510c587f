"""Places on the Balkan route and the Channel coast, with real coordinates, and the route's stages.

Stages follow DOMAIN.md §2-3: smuggling is segmented by leg, each with its own local groups.
Coordinates are approximate town or crossing centres (WGS84), enough for maps and ANPR cameras.
"""

from __future__ import annotations

from counterflow.model.places import (
    PLACE as PLACE,
)
from counterflow.model.places import (
    PLACES as PLACES,
)
from counterflow.model.places import (
    S_BA_HR as S_BA_HR,
)
from counterflow.model.places import (
    S_DE_BNL as S_DE_BNL,
)
from counterflow.model.places import (
    S_FR as S_FR,
)
from counterflow.model.places import (
    S_GR_MK as S_GR_MK,
)
from counterflow.model.places import (
    S_RS as S_RS,
)
from counterflow.model.places import (
    S_SI_IT_AT as S_SI_IT_AT,
)
from counterflow.model.places import (
    S_TR as S_TR,
)
from counterflow.model.places import (
    STAGE_COUNTRIES as STAGE_COUNTRIES,
)
from counterflow.model.places import (
    STAGES as STAGES,
)
from counterflow.model.places import (
    Place as Place,
)


def places(stage: int, kind: str | None = None) -> list[Place]:
    """Places of a stage, optionally of one kind, in a stable order."""
    return [p for p in PLACES if p.stage == stage and (kind is None or p.kind == kind)]


# Corridors: the sequence of places a party passes, per stage, for each route variant.
# A route is a list of legs; each leg is (leg id, stage, place keys passed, mode).
Leg = tuple[str, int, tuple[str, ...], str]

LEG_TR_GR: Leg = ("TR-GR", S_TR, ("aksaray", "edirne", "evros", "alexandroupoli", "thessaloniki"), "foot")
LEG_TR_BG: Leg = ("TR-BG", S_TR, ("kumkapi", "edirne", "lesovo", "kapitan_andreevo"), "foot")
LEG_GR_MK: Leg = (
    "GR-MK",
    S_GR_MK,
    ("thessaloniki", "idomeni", "gevgelija", "vinojug", "kumanovo", "tabanovce"),
    "car",
)
LEG_BG_RS: Leg = ("BG-RS", S_RS, ("kapitan_andreevo", "pirot"), "foot")
LEG_RS_TRANSIT: Leg = (
    "RS-TRANSIT",
    S_RS,
    ("presevo", "bujanovac", "belgrade", "obrenovac", "krnjaca"),
    "car",
)
LEG_PIROT_TRANSIT: Leg = ("RS-TRANSIT", S_RS, ("pirot", "belgrade", "krnjaca"), "car")
LEG_RS_HU: Leg = ("RS-HU", S_RS, ("belgrade", "subotica", "horgos", "roszke", "szeged"), "car")
LEG_RS_HU_WEST: Leg = ("RS-HU", S_RS, ("belgrade", "sombor", "kelebija", "asotthalom", "szeged"), "foot")
LEG_RS_HR: Leg = ("RS-HR", S_RS, ("belgrade", "sid", "bajakovo"), "lorry")
LEG_RS_BA: Leg = ("RS-BA", S_RS, ("belgrade", "zvornik", "sarajevo"), "foot")
LEG_BA_IT_FOOT: Leg = (
    "BA-IT-FOOT",
    S_BA_HR,
    ("bihac", "velika_kladusa", "maljevac", "zagreb", "obrezje"),
    "foot",
)
LEG_BA_IT_CAR: Leg = ("BA-IT-CAR", S_BA_HR, ("cazin", "buzim", "zagreb", "obrezje"), "car")
LEG_HR_SI: Leg = ("HR-SI", S_BA_HR, ("bajakovo", "zagreb", "obrezje"), "car")
LEG_SI_IT_DE: Leg = ("IT-DE", S_SI_IT_AT, ("ljubljana", "trieste", "udine", "salzburg"), "car")
LEG_HU_AT_DE: Leg = ("AT-DE", S_SI_IT_AT, ("vienna", "graz", "salzburg"), "car")
LEG_DE_FR: Leg = ("DE-FR", S_DE_BNL, ("freilassing", "cologne", "essen", "brussels", "jabbeke"), "car")
LEG_FR_UK: Leg = ("FR-UK", S_FR, ("loon_plage", "gravelines", "dover"), "boat")

# Route variants (corridors); DOMAIN.md §2. Weights shift when a corridor is disrupted.
ROUTES: dict[str, tuple[Leg, ...]] = {
    "greece-hungary": (LEG_TR_GR, LEG_GR_MK, LEG_RS_TRANSIT, LEG_RS_HU, LEG_HU_AT_DE, LEG_DE_FR, LEG_FR_UK),
    "bulgaria-hungary": (
        LEG_TR_BG,
        LEG_BG_RS,
        LEG_PIROT_TRANSIT,
        LEG_RS_HU_WEST,
        LEG_HU_AT_DE,
        LEG_DE_FR,
        LEG_FR_UK,
    ),
    "greece-croatia": (
        LEG_TR_GR,
        LEG_GR_MK,
        LEG_RS_TRANSIT,
        LEG_RS_HR,
        LEG_HR_SI,
        LEG_SI_IT_DE,
        LEG_DE_FR,
        LEG_FR_UK,
    ),
    "greece-bosnia": (
        LEG_TR_GR,
        LEG_GR_MK,
        LEG_RS_TRANSIT,
        LEG_RS_BA,
        LEG_BA_IT_FOOT,
        LEG_SI_IT_DE,
        LEG_DE_FR,
        LEG_FR_UK,
    ),
    "bulgaria-bosnia": (
        LEG_TR_BG,
        LEG_BG_RS,
        LEG_PIROT_TRANSIT,
        LEG_RS_BA,
        LEG_BA_IT_CAR,
        LEG_SI_IT_DE,
        LEG_DE_FR,
        LEG_FR_UK,
    ),
}
ROUTE_WEIGHTS: dict[str, float] = {
    "greece-hungary": 0.30,
    "bulgaria-hungary": 0.20,
    "greece-croatia": 0.15,
    "greece-bosnia": 0.20,
    "bulgaria-bosnia": 0.15,
}

# Fee per person per leg (low, high, currency): DOMAIN.md §2 where it gives a figure.
LEG_FEES: dict[str, tuple[int, int, str]] = {
    "TR-GR": (400, 3000, "USD"),
    "TR-BG": (400, 3000, "USD"),
    "GR-MK": (1300, 1900, "EUR"),  # ~EUR 1,600 per entry (2024)
    "BG-RS": (600, 900, "EUR"),
    "RS-TRANSIT": (800, 4000, "EUR"),  # up to EUR 4,000 to cross Serbia
    "RS-HU": (1900, 2800, "EUR"),  # ~EUR 2,350
    "RS-HR": (900, 2500, "EUR"),  # not in DOMAIN: assumed
    "RS-BA": (300, 800, "EUR"),  # not in DOMAIN: assumed
    "BA-IT-FOOT": (400, 600, "EUR"),  # EUR 500 on foot
    "BA-IT-CAR": (2000, 4000, "EUR"),  # EUR 2,000-4,000 driven to Trieste
    "HR-SI": (800, 2000, "EUR"),  # not in DOMAIN: assumed
    "IT-DE": (800, 2500, "EUR"),  # part of $8,000-15,000 through-tickets
    "AT-DE": (800, 2500, "EUR"),
    "DE-FR": (500, 1500, "EUR"),
    "FR-UK": (1000, 3000, "EUR"),  # EUR 1,000-3,000 per seat
}

# Days a party spends on a leg (low, high); DOMAIN.md §2 tempo.
LEG_DAYS: dict[str, tuple[int, int]] = {
    "TR-GR": (3, 14),
    "TR-BG": (3, 12),
    "GR-MK": (1, 6),
    "BG-RS": (1, 3),
    "RS-TRANSIT": (4, 15),
    "RS-HU": (2, 10),
    "RS-HR": (2, 6),
    "RS-BA": (2, 6),
    "BA-IT-FOOT": (8, 20),
    "BA-IT-CAR": (2, 6),
    "HR-SI": (1, 4),
    "IT-DE": (1, 4),
    "AT-DE": (1, 4),
    "DE-FR": (2, 8),
    "FR-UK": (2, 30),
}
