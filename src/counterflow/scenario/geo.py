"""Places on the Balkan route and the Channel coast, with real coordinates, and the route's stages.

Stages follow DOMAIN.md §2-3: smuggling is segmented by leg, each with its own local groups.
Coordinates are approximate town or crossing centres (WGS84), enough for maps and ANPR cameras.
"""

from __future__ import annotations

from counterflow.model.places import (
    LEG_BA_IT_CAR as LEG_BA_IT_CAR,
)
from counterflow.model.places import (
    LEG_BA_IT_FOOT as LEG_BA_IT_FOOT,
)
from counterflow.model.places import (
    LEG_BG_RS as LEG_BG_RS,
)
from counterflow.model.places import (
    LEG_DE_FR as LEG_DE_FR,
)
from counterflow.model.places import (
    LEG_FR_UK as LEG_FR_UK,
)
from counterflow.model.places import (
    LEG_GR_MK as LEG_GR_MK,
)
from counterflow.model.places import (
    LEG_HR_SI as LEG_HR_SI,
)
from counterflow.model.places import (
    LEG_HU_AT_DE as LEG_HU_AT_DE,
)
from counterflow.model.places import (
    LEG_PIROT_TRANSIT as LEG_PIROT_TRANSIT,
)
from counterflow.model.places import (
    LEG_RS_BA as LEG_RS_BA,
)
from counterflow.model.places import (
    LEG_RS_HR as LEG_RS_HR,
)
from counterflow.model.places import (
    LEG_RS_HU as LEG_RS_HU,
)
from counterflow.model.places import (
    LEG_RS_HU_WEST as LEG_RS_HU_WEST,
)
from counterflow.model.places import (
    LEG_RS_TRANSIT as LEG_RS_TRANSIT,
)
from counterflow.model.places import (
    LEG_SI_IT_DE as LEG_SI_IT_DE,
)
from counterflow.model.places import (
    LEG_TR_BG as LEG_TR_BG,
)
from counterflow.model.places import (
    LEG_TR_GR as LEG_TR_GR,
)
from counterflow.model.places import (
    PLACE as PLACE,
)
from counterflow.model.places import (
    PLACES as PLACES,
)
from counterflow.model.places import (
    ROUTES as ROUTES,
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
    Leg as Leg,
)
from counterflow.model.places import (
    Place as Place,
)


def places(stage: int, kind: str | None = None) -> list[Place]:
    """Places of a stage, optionally of one kind, in a stable order."""
    return [p for p in PLACES if p.stage == stage and (kind is None or p.kind == kind)]


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
