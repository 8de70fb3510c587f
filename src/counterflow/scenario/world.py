"""The true world: organisations by stage, smugglers with roles, their ties, phones and vehicles.

Calibration (DOMAIN.md §3): networks are segmented by stage, each leg with a main group and rivals;
about 15% of smugglers are organisers or coordinators, 85% helpers; a tie inside a stage is about
seven times likelier than across stages; organisers rarely link to each other directly; a few
brokers and hawala bankers join stages. Migrants are created by the activity simulation.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from counterflow.scenario import geo
from counterflow.scenario.identifiers import (
    Phone,
    make_iban,
    make_jmbg,
    make_passport,
    make_phone,
    make_plate,
)
from counterflow.scenario.names import POOLS

# Who works each stage (nationality, name pool, weight).
STAGE_PEOPLE: tuple[tuple[tuple[str, str, float], ...], ...] = (
    (("TR", "tr", 0.4), ("SY", "ar", 0.3), ("AF", "ps", 0.2), ("IQ", "ku", 0.1)),
    (("MK", "mk", 0.35), ("GR", "el", 0.15), ("AL", "sq", 0.2), ("PK", "ps", 0.15), ("SY", "ar", 0.15)),
    (("RS", "sr", 0.4), ("AF", "ps", 0.25), ("MA", "ar", 0.15), ("SY", "ar", 0.2)),
    (("BA", "bs", 0.35), ("HR", "hr", 0.1), ("PK", "ps", 0.25), ("AF", "ps", 0.15), ("RS", "sr", 0.15)),
    (("XK", "sq", 0.3), ("AF", "ps", 0.3), ("SY", "ar", 0.2), ("AL", "sq", 0.2)),
    (("IQ", "ku", 0.5), ("SY", "ar", 0.2), ("AL", "sq", 0.15), ("AF", "ps", 0.15)),
    (("IQ", "ku", 0.55), ("AF", "ps", 0.15), ("AL", "sq", 0.15), ("IR", "ku", 0.15)),
)
# Helper roles per stage with weights (model/roles.py names).
STAGE_ROLES: tuple[tuple[tuple[str, float], ...], ...] = (
    (
        ("recruiter", 2),
        ("driver", 2),
        ("foot_guide", 3),
        ("safe_house_keeper", 2),
        ("boat_supplier", 1),
        ("forger", 1),
        ("money_handler", 1),
    ),
    (("foot_guide", 3), ("driver", 3), ("safe_house_keeper", 2), ("corrupt_official", 1), ("recruiter", 1)),
    (
        ("driver", 4),
        ("scout_driver", 2),
        ("foot_guide", 2),
        ("safe_house_keeper", 2),
        ("recruiter", 1),
        ("corrupt_official", 1),
        ("forger", 1),
        ("money_handler", 1),
    ),
    (
        ("foot_guide", 4),
        ("driver", 2),
        ("scout_driver", 1),
        ("safe_house_keeper", 2),
        ("camp_governor", 1),
        ("corrupt_official", 1),
    ),
    (("driver", 4), ("scout_driver", 2), ("safe_house_keeper", 1)),
    (("driver", 3), ("logistics", 3), ("safe_house_keeper", 1), ("money_handler", 1), ("forger", 1)),
    (("camp_governor", 1), ("logistics", 3), ("recruiter", 1), ("driver", 2), ("foot_guide", 3)),
)
GROUPS_PER_STAGE = (2, 2, 3, 2, 2, 2, 3)
MIGRANT_ORIGINS: tuple[tuple[str, str, float], ...] = (
    ("AF", "ps", 0.30),
    ("SY", "ar", 0.20),
    ("IQ", "ku", 0.20),
    ("IR", "ku", 0.08),
    ("PK", "ps", 0.10),
    ("MA", "ar", 0.07),
    ("AL", "sq", 0.05),
)
COMMON_NAMES = (
    ("Mohammed", "Ahmadi"),
    ("Ahmad", "Karimi"),
    ("Ali", "Hussein"),
    ("Mohammed", "Ahmed"),
    ("Omar", "Saleh"),
    ("Mohammad", "Khan"),
)
VANS = (
    "Mercedes Sprinter",
    "Ford Transit",
    "Renault Master",
    "VW Transporter",
    "Fiat Ducato",
    "Peugeot Boxer",
)
CARS = ("VW Golf", "Škoda Octavia", "Opel Astra", "BMW 320d", "Audi A4", "Toyota Corolla", "VW Passat")
ID_COUNTRIES = frozenset({"RS", "BA", "HR", "MK"})
TARGET_TIE_RATIO = 7.0


@dataclass(slots=True)
class Person:
    idx: int
    pid: str
    given: str
    family: str
    origin: str
    nationality: str
    female: bool
    born: date
    roles: list[str]
    org: int
    stage: int
    country: str
    phones: list[Phone] = field(default_factory=list)
    family_phone: Phone | None = None
    national_id: str = ""
    passport: str = ""
    iban: str = ""
    victim: bool = False
    minor: bool = False
    active: bool = True
    vehicle: int = -1
    relatives: list[int] = field(default_factory=list)
    birth_partial: int = 0  # 0 full date known, 1 year-month only, 2 year only (as documents show it)

    @property
    def name(self) -> str:
        return f"{self.given} {self.family}"


@dataclass(slots=True)
class Organisation:
    idx: int
    oid: str
    name: str
    stage: int
    country: str
    members: list[int] = field(default_factory=list)
    share: float = 1.0  # market share among the stage's groups
    active: bool = True
    rival_of: int = -1


@dataclass(slots=True)
class Vehicle:
    idx: int
    vid: str
    plate: str
    country: str
    model: str
    owner: int


@dataclass(slots=True)
class World:
    persons: list[Person]
    orgs: list[Organisation]
    vehicles: list[Vehicle]
    ties: dict[tuple[int, int], float]
    by_stage: list[list[int]]
    hawala: list[int]
    brokers: list[int]

    def neighbours(self) -> dict[int, list[tuple[int, float]]]:
        out: dict[int, list[tuple[int, float]]] = {}
        for (a, b), w in self.ties.items():
            out.setdefault(a, []).append((b, w))
            out.setdefault(b, []).append((a, w))
        return out


def pick(rng: random.Random, weighted: tuple[tuple[str, str, float], ...]) -> tuple[str, str]:
    r = rng.random() * sum(w for _, _, w in weighted)
    for nat, pool, w in weighted:
        r -= w
        if r <= 0:
            return nat, pool
    return weighted[-1][0], weighted[-1][1]


class PersonFactory:
    """Creates persons with consistent identifiers; shared by the world and the migrant flow."""

    def __init__(self, rng: random.Random, prefix: str = "P") -> None:
        self.rng = rng
        self.prefix = prefix
        self.count = 0

    def make(
        self,
        nationality: str,
        pool: str,
        *,
        stage: int,
        org: int,
        roles: list[str],
        country: str,
        born_years: tuple[int, int] = (1975, 2002),
        female_rate: float = 0.05,
        family: str | None = None,
    ) -> Person:
        rng = self.rng
        female = rng.random() < female_rate
        names = POOLS[pool]
        given = rng.choice(names[1] if female else names[0])
        fam = family or rng.choice(names[2])
        if family is None and not female and rng.random() < 0.08:
            given, fam = rng.choice(COMMON_NAMES)  # namesakes: same name, different people
        born = date(rng.randint(*born_years), 1, 1) + timedelta(days=rng.randrange(365))
        p = Person(
            self.count,
            f"{self.prefix}{self.count:07d}",
            given,
            fam,
            pool,
            nationality,
            female,
            born,
            roles,
            org,
            stage,
            country,
        )
        self.count += 1
        r = rng.random()
        p.birth_partial = 2 if r < 0.08 else 1 if r < 0.14 else 0
        if nationality in ID_COUNTRIES:
            p.national_id = make_jmbg(rng, nationality, born, female)
        if rng.random() < 0.5:
            p.passport = make_passport(rng, nationality)
        return p


def build_world(seed: int, scale: float) -> World:
    rng = random.Random(f"{seed}:world")
    factory = PersonFactory(rng)
    persons: list[Person] = []
    orgs: list[Organisation] = []
    by_stage: list[list[int]] = [[] for _ in geo.STAGES]

    def add(p: Person) -> Person:
        persons.append(p)
        if p.stage >= 0:
            by_stage[p.stage].append(p.idx)
        base = p.country if p.country != "XK" else "SI"
        p.phones.append(make_phone(rng, base))
        if rng.random() < 0.35:
            second = rng.choice(("TR", p.nationality, base))
            p.phones.append(make_phone(rng, second if second in _PHONE_REGIONS else base))
        if any(r in p.roles for r in ("organiser", "money_handler", "broker")) or rng.random() < 0.05:
            p.iban = make_iban(rng, base if base in _IBAN_COUNTRIES else "DE")
        return p

    for stage, base_groups in enumerate(GROUPS_PER_STAGE):
        n_groups = max(2, round(base_groups * scale))
        countries = geo.STAGE_COUNTRIES[stage]
        for g in range(n_groups):
            country = countries[g % len(countries)] if rng.random() < 0.7 else rng.choice(countries)
            org = Organisation(
                len(orgs),
                f"O{len(orgs):05d}",
                "",
                stage,
                country,
                share=1.0 if g == 0 else rng.uniform(0.3, 0.8),
                rival_of=-1 if g == 0 else len(orgs) - g,
            )
            orgs.append(org)
            size = rng.randint(8, 16)
            roles_table = STAGE_ROLES[stage]
            for k in range(size):
                nat, pool = pick(rng, STAGE_PEOPLE[stage])
                if k == 0:
                    roles = ["organiser"]
                elif k == 1 or (k == 2 and size > 14):
                    roles = ["coordinator"]
                else:
                    roles = [_weighted_role(rng, roles_table)]
                home = country
                if k == 0 and rng.random() < 0.4:  # organisers often abroad
                    home = rng.choice(("TR", "DE", "GB", "NL", "AT")) if nat not in ("TR",) else "TR"
                p = add(factory.make(nat, pool, stage=stage, org=org.idx, roles=roles, country=home))
                org.members.append(p.idx)
            org.name = f"{persons[org.members[0]].family} network"
    hawala: list[int] = []
    for k in range(max(2, round(4 * scale))):
        home = ("IQ", "TR")[k % 2]
        p = add(
            factory.make(
                "IQ" if home == "IQ" else rng.choice(("TR", "SY", "IQ")),
                "ku" if home == "IQ" else "tr",
                stage=geo.S_TR,
                org=-1,
                roles=["money_handler"],
                country=home,
            )
        )
        hawala.append(p.idx)
    brokers: list[int] = []
    for _ in range(max(2, round(3 * scale))):
        stage = rng.choice((geo.S_RS, geo.S_BA_HR, geo.S_DE_BNL, geo.S_FR))
        nat, pool = pick(rng, STAGE_PEOPLE[stage])
        p = add(
            factory.make(
                nat, pool, stage=stage, org=-1, roles=["broker"], country=geo.STAGE_COUNTRIES[stage][0]
            )
        )
        brokers.append(p.idx)
    _add_relatives(rng, factory, persons, orgs, by_stage, add)
    vehicles = _vehicles(rng, persons)
    world = World(persons, orgs, vehicles, {}, by_stage, hawala, brokers)
    _ties(rng, world)
    return world


_PHONE_REGIONS = frozenset(
    {
        "RS",
        "MK",
        "BA",
        "HR",
        "GR",
        "HU",
        "DE",
        "FR",
        "BE",
        "NL",
        "GB",
        "AT",
        "IT",
        "SI",
        "BG",
        "AL",
        "TR",
        "IQ",
        "AF",
        "SY",
        "IR",
        "PK",
        "MA",
    }
)
_IBAN_COUNTRIES = frozenset({"DE", "RS", "BE", "FR", "NL", "HR", "BA", "MK", "GB", "TR", "AT"})


def _weighted_role(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    r = rng.random() * sum(w for _, w in table)
    for role, w in table:
        r -= w
        if r <= 0:
            return role
    return table[-1][0]


def _add_relatives(
    rng: random.Random,
    factory: PersonFactory,
    persons: list[Person],
    orgs: list[Organisation],
    by_stage: list[list[int]],
    add: Callable[[Person], Person],
) -> None:
    """Brothers in the same trade: same family name and a shared family phone, different given names
    and birth dates (hard negatives for resolution)."""
    for p in list(persons):
        if p.org < 0 or rng.random() > 0.12:
            continue
        org = orgs[p.org]
        born = (p.born.year - 6, p.born.year + 6)
        rel = factory.make(
            p.nationality,
            p.origin,
            stage=p.stage,
            org=org.idx,
            roles=[_weighted_role(rng, STAGE_ROLES[p.stage])],
            country=p.country,
            born_years=(max(1960, born[0]), min(2004, born[1])),
            female_rate=0.0,
            family=p.family,
        )
        if rel.given == p.given:
            rel.given = rng.choice([g for g in POOLS[p.origin][0] if g != p.given])
        add(rel)
        org.members.append(rel.idx)
        fam_phone = make_phone(rng, p.nationality if p.nationality in _PHONE_REGIONS else p.phones[0].region)
        for q in (p, rel):
            q.family_phone = fam_phone
            q.phones.append(fam_phone)
        p.relatives.append(rel.idx)
        rel.relatives.append(p.idx)


def _vehicles(rng: random.Random, persons: list[Person]) -> list[Vehicle]:
    out: list[Vehicle] = []
    for p in persons:
        if not any(r in p.roles for r in ("driver", "scout_driver", "logistics", "coordinator")):
            continue
        if "coordinator" in p.roles and rng.random() < 0.5:
            continue
        van = "driver" in p.roles or "logistics" in p.roles
        country = p.country if p.country not in ("XK", "IQ") else "SI"
        v = Vehicle(
            len(out),
            f"V{len(out):06d}",
            make_plate(rng, country),
            country,
            rng.choice(VANS if van else CARS),
            p.idx,
        )
        out.append(v)
        p.vehicle = v.idx
    return out


def _ties(rng: random.Random, world: World) -> None:
    """Social ties: dense inside groups, sparse across stages; brokers and bankers join stages."""
    ties = world.ties
    persons = world.persons

    def tie(a: int, b: int, w: float) -> None:
        if a != b:
            ties[(min(a, b), max(a, b))] = round(w, 2)

    for org in world.orgs:
        m = org.members
        boss = m[0]
        coords = [i for i in m if "coordinator" in persons[i].roles]
        for c in coords:
            tie(boss, c, rng.uniform(1.5, 3.0))
        for i in m[1:]:
            if i in coords:
                continue
            tie(rng.choice(coords) if coords else boss, i, rng.uniform(1.0, 3.0))
            if "money_handler" in persons[i].roles:
                tie(boss, i, rng.uniform(0.5, 1.5))
            for j in rng.sample(m[1:], min(2, len(m) - 1)):
                if j not in coords:
                    tie(i, j, rng.uniform(0.5, 2.0))
        for r in m:
            for rel in persons[r].relatives:
                tie(r, rel, 1.0)
    # A few contacts between rival groups of a stage.
    for stage in range(len(geo.STAGES)):
        helpers = [i for i in world.by_stage[stage] if _helper(persons[i])]
        for _ in range(max(1, len(helpers) // 15)):
            a, b = rng.sample(helpers, 2)
            if persons[a].org != persons[b].org:
                tie(a, b, rng.uniform(0.3, 1.0))
    # Hand-offs between consecutive stages, brokers and hawala bankers.
    for org in world.orgs:
        if org.stage + 1 < len(geo.STAGES):
            nxt = [o for o in world.orgs if o.stage == org.stage + 1]
            for o in rng.sample(nxt, min(2, len(nxt))):
                tie(rng.choice(org.members[1:]), rng.choice(o.members[1:]), rng.uniform(0.5, 1.5))
    for b in world.brokers:
        for o in rng.sample(world.orgs, min(5, len(world.orgs))):
            tie(b, rng.choice(o.members[:3]), rng.uniform(0.5, 2.0))
    handlers = [p.idx for p in persons if "money_handler" in p.roles or "organiser" in p.roles]
    for h in world.hawala:
        for j in rng.sample(handlers, min(6, len(handlers))):
            tie(h, j, rng.uniform(0.5, 1.5))
    _top_up_cross_ties(rng, world, tie)


def _helper(p: Person) -> bool:
    return not any(r in p.roles for r in ("organiser", "coordinator", "broker"))


def _top_up_cross_ties(rng: random.Random, world: World, tie: Callable[[int, int, float], None]) -> None:
    """Add helper-to-helper ties across adjacent stages until within-stage ties are ~7x likelier per pair."""
    persons = world.persons
    sizes = [len(s) for s in world.by_stage]
    within_pairs = sum(n * (n - 1) // 2 for n in sizes)
    cross_pairs = (sum(sizes) ** 2 - sum(n * n for n in sizes)) // 2
    within = sum(1 for a, b in world.ties if persons[a].stage == persons[b].stage)
    cross = len(world.ties) - within
    target = int(within / within_pairs * cross_pairs / TARGET_TIE_RATIO)
    helpers = [[i for i in s if _helper(persons[i])] for s in world.by_stage]
    while cross < target:
        s = rng.randrange(len(helpers) - 1)
        a, b = rng.choice(helpers[s]), rng.choice(helpers[s + 1])
        key = (min(a, b), max(a, b))
        if key not in world.ties:
            tie(a, b, rng.uniform(0.3, 1.0))
            cross += 1
