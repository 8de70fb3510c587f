"""Agency profiles: what each agency sees and how it writes it (script, dates, grading, handling)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from counterflow.scenario import geo

MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, slots=True)
class Agency:
    code: str
    country: str | None  # region hint for phones; None for Europol
    prefix: str  # report id prefix
    language: str
    stages: tuple[int, ...]  # stages whose smugglers it profiles
    territory: tuple[str, ...]  # countries where it observes incidents
    script: str | None = None  # "sr", "mk" Cyrillic or "el" Greek
    script_rate: float = 0.0
    text_langs: tuple[tuple[str, float], ...] = (("en", 1.0),)
    date_style: str = "iso"
    grading: str = "4x4"
    legacy_rate: float = 0.0  # share of historic 5x5x5 records
    handling: str = "SIENA"
    classification: tuple[tuple[str, float], ...] = (("OFFICIAL", 0.6), ("OFFICIAL-SENSITIVE", 0.4))
    variant_rate: float = 0.3
    swap_rate: float = 0.15
    typo_rate: float = 0.05
    partial_rate: float = 0.05
    profile_rate: float = 1.0  # intelligence profiles per week at scale 1
    focus_leaders: bool = False  # profiles favour organisers, brokers and money handlers


AGENCIES: tuple[Agency, ...] = (
    Agency(
        "gr_police",
        "GR",
        "GR-HP",
        "el",
        (geo.S_TR, geo.S_GR_MK),
        ("GR",),
        "el",
        0.2,
        date_style="fr",
        variant_rate=0.4,
    ),
    Agency(
        "mk_mvr",
        "MK",
        "MK-MVR",
        "mk",
        (geo.S_GR_MK,),
        ("MK",),
        "mk",
        0.6,
        (("en", 0.4), ("mk", 0.6)),
        date_style="de",
        swap_rate=0.3,
    ),
    Agency(
        "rs_mup",
        "RS",
        "RS-MUP",
        "sr",
        (geo.S_RS,),
        ("RS",),
        "sr",
        0.55,
        (("en", 0.3), ("sr", 0.7)),
        date_style="rs",
        swap_rate=0.3,
        profile_rate=1.5,
    ),
    Agency("hu_police", "HU", "HU-ORFK", "hu", (geo.S_RS,), ("HU",), date_style="iso", swap_rate=0.5),
    Agency("ba_sipa", "BA", "BA-SIPA", "bs", (geo.S_BA_HR, geo.S_RS), ("BA",), "sr", 0.15, date_style="rs"),
    Agency("hr_mup", "HR", "HR-MUP", "hr", (geo.S_BA_HR,), ("HR",), date_style="rs"),
    Agency(
        "de_bpol",
        "DE",
        "DE-BPOL",
        "de",
        (geo.S_SI_IT_AT, geo.S_DE_BNL),
        ("DE", "AT"),
        date_style="de",
        profile_rate=1.2,
    ),
    Agency(
        "fr_ocriest",
        "FR",
        "FR-OCRIEST",
        "fr",
        (geo.S_FR, geo.S_DE_BNL),
        ("FR",),
        date_style="fr",
        profile_rate=1.5,
        variant_rate=0.35,
    ),
    Agency(
        "be_police",
        "BE",
        "BE-FGP",
        "nl",
        (geo.S_DE_BNL, geo.S_FR),
        ("BE", "NL"),
        date_style="fr",
        profile_rate=0.6,
    ),
    Agency(
        "gb_nca",
        "GB",
        "GB-NCA",
        "en",
        (geo.S_FR, geo.S_DE_BNL),
        ("GB",),
        date_style="uk",
        grading="3x5x2",
        legacy_rate=0.1,
        handling="3x5x2",
        classification=(("OFFICIAL-SENSITIVE", 0.85), ("SECRET", 0.05), ("OFFICIAL", 0.1)),
        focus_leaders=True,
    ),
    Agency(
        "gb_ukbsu",
        "GB",
        "GB-UKBSU",
        "en",
        (geo.S_GR_MK, geo.S_RS, geo.S_BA_HR),
        ("RS", "MK", "BA"),
        date_style="uk",
        grading="3x5x2",
        handling="3x5x2",
        classification=(("OFFICIAL-SENSITIVE", 0.9), ("OFFICIAL", 0.1)),
        profile_rate=1.2,
    ),
    Agency(
        "eu_europol",
        None,
        "EU-EUROPOL",
        "en",
        tuple(range(len(geo.STAGES))),
        (),
        date_style="iso",
        classification=(("OFFICIAL-SENSITIVE", 1.0),),
        focus_leaders=True,
        profile_rate=1.2,
    ),
)
AGENCY: dict[str, Agency] = {a.code: a for a in AGENCIES}
# The agency that records an incident in each country (TR, BG, SI, IT, AT, NL only reach us via Europol).
TERRITORIAL: dict[str, str] = {c: a.code for a in AGENCIES if a.code != "gb_ukbsu" for c in a.territory}

_CONDITIONS = (
    "Not to be disseminated outside the Joint Operational Team without the originator's consent",
    "For intelligence purposes only; not to be used in judicial proceedings or shown to the subject",
    "Do not share with the authorities of third countries",
)


def _weighted(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    r = rng.random() * sum(w for _, w in table)
    for v, w in table:
        r -= w
        if r <= 0:
            return v
    return table[-1][0]


def grading(rng: random.Random, agency: Agency, legacy: bool = False) -> dict[str, str]:
    if legacy:
        return {"scheme": "5x5x5", "source": rng.choice("ABBCCE"), "information": rng.choice("122334")}
    if agency.grading == "3x5x2":
        return {
            "scheme": "3x5x2",
            "source": _weighted(rng, (("1", 0.4), ("2", 0.5), ("3", 0.1))),
            "information": _weighted(rng, (("A", 0.25), ("B", 0.35), ("C", 0.3), ("D", 0.07), ("E", 0.03))),
        }
    return {
        "scheme": "4x4",
        "source": _weighted(rng, (("A", 0.1), ("B", 0.5), ("C", 0.15), ("X", 0.25))),
        "information": _weighted(rng, (("1", 0.1), ("2", 0.35), ("3", 0.3), ("4", 0.25))),
    }


def handling(rng: random.Random, agency: Agency, legacy: bool = False) -> dict[str, str]:
    if legacy:
        return {
            "scheme": "5x5x5",
            "code": _weighted(rng, (("1", 0.5), ("2", 0.2), ("3", 0.15), ("4", 0.1), ("5", 0.05))),
        }
    if agency.handling == "3x5x2":
        if rng.random() < 0.6:
            return {"scheme": "3x5x2", "code": "P"}
        return {"scheme": "3x5x2", "code": "C", "conditions": rng.choice(_CONDITIONS)}
    code = _weighted(rng, (("H0", 0.5), ("H1", 0.25), ("H2", 0.15), ("H3", 0.1)))
    if code == "H3":
        return {"scheme": "SIENA", "code": "H3", "conditions": rng.choice(_CONDITIONS)}
    return {"scheme": "SIENA", "code": code}


def classification(rng: random.Random, agency: Agency) -> str:
    return _weighted(rng, agency.classification)


def text_language(rng: random.Random, agency: Agency) -> str:
    return _weighted(rng, agency.text_langs)


def fmt_date(d: date, style: str) -> str:
    """A date as the agency writes it: rs ``14.03.2026.``, de ``14.03.2026``, fr ``14/03/2026``,
    uk ``14 March 2026``, iso ``2026-03-14``."""
    if style == "rs":
        return f"{d.day:02d}.{d.month:02d}.{d.year}."
    if style == "de":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if style == "fr":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == "uk":
        return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    return d.isoformat()


def fmt_birth(d: date, precision: int, style: str) -> str:
    """A birth date at the precision known: 0 full, 1 year-month (ISO), 2 year only."""
    if precision == 2:
        return str(d.year)
    if precision == 1:
        return f"{d.year}-{d.month:02d}"
    return fmt_date(d, style)
