"""The route's places: hubs, crossings, camps, storage and launch beaches of the Balkan route and the
Channel coast (DOMAIN.md §2), with real coordinates, country, stage and names in local scripts.

Coordinates are approximate town or crossing centres (WGS84), enough for maps, ANPR cameras
and interception windows. Pure reference data: the scenario places its world here, the
route tracker geocodes reports to it, the workspace draws it.
"""

from __future__ import annotations

from dataclasses import dataclass

STAGES: tuple[str, ...] = (
    "Turkey to Greece/Bulgaria",
    "Greece to North Macedonia/Albania",
    "Serbia",
    "Bosnia and Croatia",
    "Slovenia/Italy/Austria",
    "Germany and Benelux staging",
    "French coast",
)
S_TR, S_GR_MK, S_RS, S_BA_HR, S_SI_IT_AT, S_DE_BNL, S_FR = range(7)

# Where each stage's local smugglers are based (ISO 3166 alpha-2), first is the main one.
STAGE_COUNTRIES: tuple[tuple[str, ...], ...] = (
    ("TR", "GR", "BG"),
    ("MK", "GR", "AL"),
    ("RS",),
    ("BA", "HR"),
    ("SI", "IT", "AT"),
    ("DE", "NL", "BE"),
    ("FR",),
)


@dataclass(frozen=True, slots=True)
class Place:
    key: str
    name: str
    country: str
    lat: float
    lon: float
    stage: int
    kind: str  # hub, crossing, camp, beach, storage, origin, arrival
    local: str = ""  # name in the local script where it differs (Cyrillic, Greek)


_P = Place
PLACES: tuple[Place, ...] = (
    _P("erbil", "Erbil", "IQ", 36.1911, 44.0092, -1, "origin"),
    _P("sulaymaniyah", "Sulaymaniyah", "IQ", 35.5613, 45.4375, -1, "origin"),
    _P("aksaray", "Istanbul Aksaray", "TR", 41.0086, 28.9497, S_TR, "hub"),
    _P("kumkapi", "Istanbul Kumkapı", "TR", 41.0030, 28.9650, S_TR, "hub"),
    _P("edirne", "Edirne", "TR", 41.6771, 26.5557, S_TR, "hub"),
    _P("evros", "Orestiada (Evros)", "GR", 41.5030, 26.5310, S_TR, "crossing", "Ορεστιάδα"),
    _P("alexandroupoli", "Alexandroupoli", "GR", 40.8457, 25.8744, S_TR, "hub", "Αλεξανδρούπολη"),
    _P("kapitan_andreevo", "Kapitan Andreevo", "BG", 41.7195, 26.3228, S_TR, "crossing"),
    _P("lesovo", "Lesovo", "BG", 41.9900, 26.5590, S_TR, "crossing"),
    _P("thessaloniki", "Thessaloniki", "GR", 40.6401, 22.9444, S_GR_MK, "hub", "Θεσσαλονίκη"),
    _P("idomeni", "Idomeni", "GR", 41.1239, 22.5136, S_GR_MK, "crossing", "Ειδομένη"),
    _P("gevgelija", "Gevgelija", "MK", 41.1392, 22.5025, S_GR_MK, "crossing", "Гевгелија"),
    _P("vinojug", "Vinojug", "MK", 41.1420, 22.5100, S_GR_MK, "camp", "Винојуг"),
    _P("kumanovo", "Kumanovo", "MK", 42.1322, 21.7144, S_GR_MK, "hub", "Куманово"),
    _P("tabanovce", "Tabanovce", "MK", 42.2136, 21.6939, S_GR_MK, "crossing", "Табановце"),
    _P("kakavia", "Kakavia", "GR", 39.9050, 20.3200, S_GR_MK, "crossing", "Κακαβιά"),
    _P("presevo", "Preševo", "RS", 42.3067, 21.6500, S_RS, "camp", "Прешево"),
    _P("bujanovac", "Bujanovac", "RS", 42.4600, 21.7667, S_RS, "hub", "Бујановац"),
    _P("pirot", "Pirot", "RS", 43.1531, 22.5861, S_RS, "crossing", "Пирот"),
    _P("belgrade", "Belgrade (park by the bus station)", "RS", 44.8090, 20.4560, S_RS, "hub", "Београд"),
    _P("obrenovac", "Obrenovac", "RS", 44.6547, 20.2003, S_RS, "camp", "Обреновац"),
    _P("krnjaca", "Krnjača", "RS", 44.8600, 20.4900, S_RS, "camp", "Крњача"),
    _P("subotica", "Subotica", "RS", 46.1000, 19.6658, S_RS, "hub", "Суботица"),
    _P("horgos", "Horgoš", "RS", 46.1558, 19.9714, S_RS, "crossing", "Хоргош"),
    _P("kelebija", "Kelebija", "RS", 46.1670, 19.6160, S_RS, "crossing", "Келебија"),
    _P("sombor", "Sombor", "RS", 45.7742, 19.1122, S_RS, "crossing", "Сомбор"),
    _P("sid", "Šid", "RS", 45.1283, 19.2267, S_RS, "crossing", "Шид"),
    _P("roszke", "Röszke", "HU", 46.1870, 20.0370, S_RS, "crossing"),
    _P("asotthalom", "Ásotthalom", "HU", 46.1986, 19.7833, S_RS, "crossing"),
    _P("szeged", "Szeged", "HU", 46.2530, 20.1414, S_RS, "hub"),
    _P("zvornik", "Zvornik", "BA", 44.3856, 19.1025, S_BA_HR, "crossing", "Зворник"),
    _P("sarajevo", "Sarajevo", "BA", 43.8563, 18.4131, S_BA_HR, "hub"),
    _P("bihac", "Bihać", "BA", 44.8169, 15.8708, S_BA_HR, "camp"),
    _P("velika_kladusa", "Velika Kladuša", "BA", 45.1842, 15.8056, S_BA_HR, "crossing"),
    _P("cazin", "Cazin", "BA", 44.9667, 15.9431, S_BA_HR, "hub"),
    _P("buzim", "Bužim", "BA", 45.0506, 16.0297, S_BA_HR, "crossing"),
    _P("bajakovo", "Bajakovo", "HR", 45.0460, 19.1170, S_BA_HR, "crossing"),
    _P("maljevac", "Maljevac", "HR", 45.1950, 15.7900, S_BA_HR, "crossing"),
    _P("zagreb", "Zagreb", "HR", 45.8150, 15.9819, S_BA_HR, "hub"),
    _P("obrezje", "Obrežje", "SI", 45.8460, 15.6890, S_SI_IT_AT, "crossing"),
    _P("ljubljana", "Ljubljana", "SI", 46.0569, 14.5058, S_SI_IT_AT, "hub"),
    _P("trieste", "Trieste", "IT", 45.6495, 13.7768, S_SI_IT_AT, "hub"),
    _P("udine", "Udine", "IT", 46.0711, 13.2346, S_SI_IT_AT, "hub"),
    _P("vienna", "Vienna", "AT", 48.2082, 16.3738, S_SI_IT_AT, "hub"),
    _P("graz", "Graz", "AT", 47.0707, 15.4395, S_SI_IT_AT, "hub"),
    _P("salzburg", "Salzburg", "AT", 47.8095, 13.0550, S_SI_IT_AT, "crossing"),
    _P("passau", "Passau", "DE", 48.5667, 13.4319, S_DE_BNL, "crossing"),
    _P("rosenheim", "Rosenheim", "DE", 47.8561, 12.1289, S_DE_BNL, "crossing"),
    _P("freilassing", "Freilassing", "DE", 47.8409, 12.9811, S_DE_BNL, "crossing"),
    _P("essen", "Essen (NRW)", "DE", 51.4556, 7.0116, S_DE_BNL, "storage"),
    _P("dortmund", "Dortmund (NRW)", "DE", 51.5136, 7.4653, S_DE_BNL, "storage"),
    _P("duisburg", "Duisburg (NRW)", "DE", 51.4344, 6.7623, S_DE_BNL, "storage"),
    _P("cologne", "Cologne (NRW)", "DE", 50.9375, 6.9603, S_DE_BNL, "hub"),
    _P("venlo", "Venlo", "NL", 51.3704, 6.1724, S_DE_BNL, "storage"),
    _P("rotterdam", "Rotterdam", "NL", 51.9244, 4.4777, S_DE_BNL, "storage"),
    _P("brussels", "Brussels", "BE", 50.8503, 4.3517, S_DE_BNL, "hub"),
    _P("jabbeke", "Jabbeke (E40 parking)", "BE", 51.1810, 3.0890, S_DE_BNL, "hub"),
    _P("loon_plage", "Loon-Plage", "FR", 50.9970, 2.2170, S_FR, "camp"),
    _P("grande_synthe", "Grande-Synthe", "FR", 51.0150, 2.3030, S_FR, "camp"),
    _P("calais", "Calais", "FR", 50.9513, 1.8587, S_FR, "camp"),
    _P("gravelines", "Gravelines", "FR", 50.9865, 2.1281, S_FR, "beach"),
    _P("dunkirk", "Dunkirk", "FR", 51.0343, 2.3768, S_FR, "beach"),
    _P("wissant", "Wissant", "FR", 50.8850, 1.6630, S_FR, "beach"),
    _P("wimereux", "Wimereux", "FR", 50.7690, 1.6110, S_FR, "beach"),
    _P("boulogne", "Boulogne-sur-Mer", "FR", 50.7264, 1.6147, S_FR, "beach"),
    _P("hardelot", "Hardelot", "FR", 50.6350, 1.5850, S_FR, "beach"),
    _P("le_touquet", "Le Touquet", "FR", 50.5211, 1.5856, S_FR, "beach"),
    _P("dover", "Dover", "GB", 51.1279, 1.3134, -1, "arrival"),
)
PLACE: dict[str, Place] = {p.key: p for p in PLACES}


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
