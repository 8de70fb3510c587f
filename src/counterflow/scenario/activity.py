"""The true activity, day by day: migrant parties moving leg by leg, hawala fees released per leg,
vehicle trips, border detections and stops, safe-house raids, boat shipments, weather-bound launches,
arrests and seizures, and the replacement and rerouting they cause.

The simulation emits ``Incident`` objects (what some agency could observe and report) and writes
the ground truth as it goes.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import NormalDist
from typing import Any

from counterflow.scenario import geo
from counterflow.scenario.agencies import TERRITORIAL
from counterflow.scenario.identifiers import make_phone
from counterflow.scenario.world import MIGRANT_ORIGINS, Person, PersonFactory, World, pick

# Share of days with at least one small-boat arrival, by month, 2023-2025.
# Source: Home Office and Border Force, UK Government - processed by The National (CC BY 4.0 / OGL v3.0),
# /work/shared/data/small_boats/uk_small_boats_daily.csv.
CROSSING_DAY_SHARE = (0.247, 0.353, 0.409, 0.411, 0.473, 0.478, 0.527, 0.484, 0.478, 0.376, 0.244, 0.226)
LAUNCH_P_GOOD, LAUNCH_P_BAD = 0.7, 0.04
MIGRANT_ID_BASE = 10_000_000


@dataclass(slots=True)
class Incident:
    kind: str  # stop, detection, raid, profile, ledger, shipment, launch, seizure, debrief, arrest
    when: datetime
    place: geo.Place | None
    agencies: list[str]
    persons: list[tuple[Person, list[str]]]
    true_id: str
    vehicle: int = -1
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Party:
    pid: str
    members: list[Person]
    route: tuple[geo.Leg, ...]
    leg: int
    due: int  # day index when the current leg ends
    group: int  # organisation serving the current leg
    waiting: bool = False


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class Sim:
    def __init__(
        self,
        seed: int,
        scale: float,
        world: World,
        truth: Callable[[str, list[Any]], None],
        start: date,
        weeks: int,
        on_person: Callable[[Person], None],
    ) -> None:
        self.rng = random.Random(f"{seed}:activity")
        self.scale = scale
        self.world = world
        self.truth = truth
        self.start = start
        self.days = weeks * 7
        self.on_person = on_person
        self.migrants = PersonFactory(random.Random(f"{seed}:migrants"), prefix="M")
        self.recruits = PersonFactory(random.Random(f"{seed}:recruits"), prefix="R")
        self.parties: list[Party] = []
        self.n_parties = 0
        self.route_weights = dict(geo.ROUTE_WEIGHTS)
        self.stock: dict[int, int] = {o.idx: 4 for o in world.orgs if o.stage == geo.S_FR}
        self.pending_boats: list[tuple[int, int, int]] = []  # (due day, org, boats)
        self.payments: list[tuple[str, date, Person, Person, int, str, str]] = []
        self.trips: list[tuple[int, datetime, str, str]] = []  # (vehicle, when, place key, trip id)
        self.weather = self._weather(random.Random(f"{seed}:weather"))
        self.counter = 0
        self.adj: dict[int, list[int]] = {}
        for a, b in world.ties:
            self.adj.setdefault(a, []).append(b)
            self.adj.setdefault(b, []).append(a)
        self.waiting: dict[int, list[Party]] = {}
        self._market: dict[int, tuple[list[int], list[float]]] = {}
        self.crackdowns = {
            weeks * 7 // 3: ("hungary", 0.3, "Hungarian border operation (Horgoš/Kelebija)"),
            2 * weeks * 7 // 3: ("bulgaria", 0.4, "Joint operation at Pirot and Kapitan Andreevo"),
        }
        self._seed_parties()

    # -- helpers -----------------------------------------------------------------------------------
    def _id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter:08d}"

    def day_date(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def _at(self, day: int) -> datetime:
        d = self.day_date(day)
        return datetime(d.year, d.month, d.day, self.rng.randint(0, 23), self.rng.randint(0, 59))

    def _weather(self, rng: random.Random) -> list[tuple[float, float, str, bool]]:
        out: list[tuple[float, float, str, bool]] = []
        z = 0.0
        for day in range(self.days):
            d = self.day_date(day)
            z = 0.6 * z + 0.8 * rng.gauss(0, 1)
            thr = NormalDist().inv_cdf(CROSSING_DAY_SHARE[d.month - 1])
            wind = max(2.0, 15 + 6 * (z - thr) + rng.gauss(0, 1))
            wave = max(0.1, 0.5 + 0.35 * (z - thr) + rng.gauss(0, 0.05))
            good = z < thr
            rating = "red" if z < thr - 0.5 else "amber" if z < thr + 0.3 else "green"
            out.append((round(wind, 1), round(wave, 2), rating, good))
            self.truth("weather", [d.isoformat(), round(wind, 1), round(wave, 2), rating, int(good)])
        return out

    def group_for(self, stage: int) -> int:
        """A group of the stage, chosen by market share (cached until shares change)."""
        market = self._market.get(stage)
        if market is None:
            orgs = [o for o in self.world.orgs if o.stage == stage and o.active] or [
                o for o in self.world.orgs if o.stage == stage
            ]
            cum, total = [], 0.0
            for o in orgs:
                total += o.share
                cum.append(total)
            market = ([o.idx for o in orgs], cum)
            self._market[stage] = market
        ids, cum = market
        return ids[min(len(ids) - 1, bisect.bisect_left(cum, self.rng.random() * cum[-1]))]

    def staff(self, org: int, roles: tuple[str, ...]) -> Person | None:
        cands = [
            self.world.persons[i]
            for i in self.world.orgs[org].members
            if self.world.persons[i].active and any(r in self.world.persons[i].roles for r in roles)
        ]
        return self.rng.choice(cands) if cands else None

    def observers(self, place: geo.Place, *, ukbsu: float = 0.25, europol: float = 0.05) -> list[str]:
        out = []
        if place.country in TERRITORIAL:
            out.append(TERRITORIAL[place.country])
        if place.country in ("RS", "MK", "BA") and self.rng.random() < ukbsu:
            out.append("gb_ukbsu")
        if self.rng.random() < europol or not out:
            out.append("eu_europol")
        return out

    # -- migrants --------------------------------------------------------------------------------------
    def _new_party(self, day: int, leg: int = 0) -> Party:
        rng = self.rng
        routes = list(self.route_weights)
        r = rng.random() * sum(self.route_weights.values())
        route = routes[-1]
        for name in routes:
            r -= self.route_weights[name]
            if r <= 0:
                route = name
                break
        legs = geo.ROUTES[route]
        leg = min(leg, len(legs) - 1)
        members = []
        for _ in range(rng.randint(3, 12)):
            nat, pool = pick(rng, MIGRANT_ORIGINS)
            minor = rng.random() < 0.16
            years = (2009, 2011) if minor else (1980, 2007)
            p = self.migrants.make(
                nat,
                pool,
                stage=-1,
                org=-1,
                roles=["victim"] + (["minor"] if minor else []),
                country=nat,
                born_years=years,
                female_rate=0.1,
            )
            p.idx += MIGRANT_ID_BASE
            p.victim, p.minor = True, minor
            if rng.random() < 0.7:
                p.phones.append(make_phone(rng, rng.choice((nat, "TR")) if nat != "AL" else "AL"))
            self.on_person(p)
            members.append(p)
        self.n_parties += 1
        lo, hi = geo.LEG_DAYS[legs[leg][0]]
        party = Party(
            f"PTY{self.n_parties:07d}",
            members,
            legs,
            leg,
            day + rng.randint(lo, hi),
            self.group_for(legs[leg][1]),
        )
        self.parties.append(party)
        return party

    def _seed_parties(self) -> None:
        for _ in range(max(1, round(4 * self.scale))):
            self._new_party(0, self.rng.randrange(7))

    def week(self, w: int) -> list[Incident]:
        incidents: list[Incident] = []
        self.payments.clear()
        self.trips.clear()
        for day in range(w * 7, min(self.days, w * 7 + 7)):
            if day in self.crackdowns:
                incidents += self._crackdown(day, *self.crackdowns[day])
            for _ in range(poisson(self.rng, 0.8 * self.scale)):
                self._new_party(day)
            for _due, org, boats in [b for b in self.pending_boats if b[0] == day]:
                self.stock[org] = self.stock.get(org, 0) + boats
            self.pending_boats = [b for b in self.pending_boats if b[0] != day]
            for party in [p for p in self.parties if p.due == day and not p.waiting]:
                incidents += self._advance(party, day)
            incidents += self._launches(day)
        incidents += self._shipments(w)
        incidents += self._raids(w)
        self.parties = [p for p in self.parties if p.members]
        incidents.sort(key=lambda i: i.when)
        return incidents

    def _advance(self, party: Party, day: int) -> list[Incident]:
        """The party finishes its current leg (or is caught on it)."""
        rng = self.rng
        leg_id, stage, route_places, mode = party.route[party.leg]
        out: list[Incident] = []
        crossings = [geo.PLACE[k] for k in route_places if geo.PLACE[k].kind == "crossing"]
        guide = self.staff(party.group, ("foot_guide",) if mode == "foot" else ("driver", "scout_driver"))
        org = self.world.orgs[party.group]
        if crossings and rng.random() < (0.22 if mode == "foot" else 0.1):
            place = rng.choice(crossings)
            caught = [(m, ["victim"] + (["minor"] if m.minor else [])) for m in party.members]
            inc = Incident("detection", self._at(day), place, self.observers(place), caught, self._id("DET"))
            if guide is not None and rng.random() < 0.35:
                inc.persons.insert(0, (guide, ["foot_guide" if mode == "foot" else "driver", "suspect"]))
                if rng.random() < 0.5:
                    out += self.arrest(guide, day, place, inc.agencies[0], "caught guiding a group")
            out.append(inc)
            for m in party.members:
                self.truth(
                    "movements",
                    [
                        self.day_date(day).isoformat(),
                        m.pid,
                        "detected",
                        place.key,
                        place.country,
                        stage,
                        leg_id,
                        party.pid,
                    ],
                )
            if rng.random() < 0.6:  # pushed back: try the leg again
                party.due = day + rng.randint(2, 6)
                return out
        if mode in ("car", "lorry") and guide is not None and guide.vehicle >= 0:
            trip_id = self._id("TRP")
            for k in route_places:
                self.trips.append((guide.vehicle, self._at(day), k, trip_id))
            hubs = [geo.PLACE[k] for k in route_places if geo.PLACE[k].country in TERRITORIAL]
            if hubs and rng.random() < 0.12:
                place = rng.choice(hubs)
                inc = Incident(
                    "stop",
                    self._at(day),
                    place,
                    self.observers(place),
                    [(guide, ["driver", "suspect"])]
                    + [(m, ["victim"] + (["minor"] if m.minor else [])) for m in party.members],
                    trip_id,
                    vehicle=guide.vehicle,
                    data={"leg": leg_id},
                )
                out.append(inc)
                if rng.random() < 0.5:
                    out += self.arrest(guide, day, place, inc.agencies[0], "driver stopped with migrants")
        # Leg done: fees released to the group (hawala "OK"), movement recorded.
        lo, hi, cur = geo.LEG_FEES[leg_id]
        payee_cands = [
            self.world.persons[i]
            for i in org.members
            if self.world.persons[i].active
            and ("money_handler" in self.world.persons[i].roles or "organiser" in self.world.persons[i].roles)
        ]
        payee = payee_cands[0] if payee_cands else self.world.persons[org.members[0]]
        banker = self.world.persons[rng.choice(self.world.hawala)]
        end = geo.PLACE[route_places[-1]]
        for m in party.members:
            amount = rng.randint(lo // 50, hi // 50) * 50
            pay_id = self._id("PAY")
            self.truth(
                "payments",
                [
                    pay_id,
                    self.day_date(day).isoformat(),
                    m.pid,
                    leg_id,
                    stage,
                    banker.pid,
                    payee.pid,
                    amount,
                    cur,
                ],
            )
            self.payments.append((pay_id, self.day_date(day), banker, payee, amount, cur, leg_id))
            self.truth(
                "movements",
                [
                    self.day_date(day).isoformat(),
                    m.pid,
                    "arrived",
                    end.key,
                    end.country,
                    stage,
                    leg_id,
                    party.pid,
                ],
            )
        party.leg += 1
        if party.leg >= len(party.route):
            party.members = []
            return out
        nxt = party.route[party.leg]
        party.group = self.group_for(nxt[1])
        if nxt[0] == "FR-UK":
            party.waiting = True
            self.waiting.setdefault(party.group, []).append(party)
        else:
            lo_d, hi_d = geo.LEG_DAYS[nxt[0]]
            party.due = day + rng.randint(lo_d, hi_d)
        return out

    # -- the Channel -----------------------------------------------------------------------------------
    def _launches(self, day: int) -> list[Incident]:
        rng = self.rng
        wind, wave, _rating, good = self.weather[day]
        out: list[Incident] = []
        beaches = geo.places(geo.S_FR, "beach")
        for org in [o for o in self.world.orgs if o.stage == geo.S_FR and o.active]:
            waiting = [p for p in self.waiting.get(org.idx, []) if p.members]
            self.waiting[org.idx] = waiting
            if rng.random() >= (LAUNCH_P_GOOD if good else LAUNCH_P_BAD) * min(1.0, 0.4 + 0.3 * len(waiting)):
                continue
            if self.stock.get(org.idx, 0) <= 0:
                continue
            self.stock[org.idx] -= 1
            beach = rng.choice(beaches)
            tracked = [m for p in waiting for m in p.members][:60]
            people = max(len(tracked), rng.randint(40, 70))
            boat = self._id("BOAT")
            outcome = "intercepted_on_beach" if rng.random() < 0.15 else "arrived_uk"
            self.truth(
                "launches",
                [
                    self.day_date(day).isoformat(),
                    org.oid,
                    beach.key,
                    boat,
                    people,
                    len(tracked),
                    outcome,
                    int(good),
                ],
            )
            pilot = self.staff(org.idx, ("foot_guide", "logistics", "driver"))
            persons: list[tuple[Person, list[str]]] = [(pilot, ["foot_guide", "suspect"])] if pilot else []
            persons += [(m, ["victim"] + (["minor"] if m.minor else [])) for m in tracked[:12]]
            inc = Incident(
                "launch",
                self._at(day),
                beach,
                ["fr_ocriest"],
                persons,
                boat,
                data={"people": people, "outcome": outcome, "wind": wind, "wave": wave},
            )
            out.append(inc)
            for p in waiting:
                for m in p.members:
                    self.truth(
                        "movements",
                        [
                            self.day_date(day).isoformat(),
                            m.pid,
                            "launched",
                            beach.key,
                            "FR",
                            geo.S_FR,
                            "FR-UK",
                            p.pid,
                        ],
                    )
                    if outcome == "arrived_uk":
                        self.truth(
                            "movements",
                            [
                                self.day_date(day).isoformat(),
                                m.pid,
                                "arrived",
                                "dover",
                                "GB",
                                geo.S_FR,
                                "FR-UK",
                                p.pid,
                            ],
                        )
                if outcome == "arrived_uk":
                    debriefed = [m for m in p.members if rng.random() < 0.25]
                    if debriefed:
                        out.append(self._debrief(day, debriefed, p))
                    p.members = []
                else:
                    p.due = day + rng.randint(2, 6)
        return out

    def _debrief(self, day: int, migrants: list[Person], party: Party) -> Incident:
        """UK arrival interviews name the smugglers met on the way (cross-stage, hearsay)."""
        named: list[tuple[Person, list[str]]] = []
        for leg in self.rng.sample(party.route, min(3, len(party.route))):
            org = self.group_for(leg[1])
            s = self.staff(org, ("foot_guide", "driver", "coordinator", "camp_governor", "recruiter"))
            if s is not None:
                named.append((s, [r for r in s.roles if r != "suspect"]))
        persons = [(m, ["victim", "witness"] + (["minor"] if m.minor else [])) for m in migrants] + named
        return Incident(
            "debrief", self._at(day + 1), geo.PLACE["dover"], ["gb_nca"], persons, self._id("DEB")
        )

    def _shipments(self, w: int) -> list[Incident]:
        rng = self.rng
        out: list[Incident] = []
        suppliers = [p for p in self.world.persons if p.active and "boat_supplier" in p.roles]
        for org in [o for o in self.world.orgs if o.stage == geo.S_FR and o.active]:
            if self.stock.get(org.idx, 0) > 5 or rng.random() > 0.6 or not suppliers:
                continue
            day = w * 7 + rng.randrange(7)
            boats = rng.randint(3, 8)
            supplier = rng.choice(suppliers)
            storage = geo.PLACE[rng.choice(("essen", "dortmund", "duisburg", "venlo", "rotterdam"))]
            carrier_org = self.group_for(geo.S_DE_BNL)
            carrier = self.staff(carrier_org, ("logistics", "driver")) or supplier
            beach = rng.choice(geo.places(geo.S_FR, "beach"))
            sid = self._id("SHP")
            status = "delivered"
            obs: list[str] = []
            if rng.random() < 0.35:
                obs.append(TERRITORIAL.get(storage.country, "eu_europol"))
            if rng.random() < 0.2:
                obs.append("be_police")
            if rng.random() < 0.2:
                obs.append("eu_europol")
            seized = rng.random() < 0.2
            if seized:
                status = "seized_in_dunes"
                obs.append("fr_ocriest")
                self.disruption(day, "seizure", "fr_ocriest", sid, beach, f"{boats} boats and engines seized")
                self.effect(day, sid, "launch_cut", org.oid, "", f"stock of {org.oid} not replenished")
            else:
                self.pending_boats.append((min(self.days - 1, day + rng.randint(5, 12)), org.idx, boats))
            self.truth(
                "shipments",
                [
                    sid,
                    self.day_date(day).isoformat(),
                    supplier.pid,
                    carrier.pid,
                    self.world.vehicles[carrier.vehicle].vid if carrier.vehicle >= 0 else "",
                    "aksaray",
                    storage.key,
                    beach.key,
                    boats,
                    boats,
                    status,
                ],
            )
            if carrier.vehicle >= 0:
                for k in ("kapitan_andreevo", storage.key, "jabbeke", "calais"):
                    self.trips.append((carrier.vehicle, self._at(day), k, sid))
            persons = [(supplier, ["boat_supplier", "suspect"]), (carrier, ["logistics", "suspect"])]
            for agency in dict.fromkeys(obs):
                place = (
                    beach
                    if agency == "fr_ocriest"
                    else geo.PLACE["jabbeke"]
                    if agency == "be_police"
                    else storage
                )
                out.append(
                    Incident(
                        "shipment",
                        self._at(day),
                        place,
                        [agency],
                        persons,
                        sid,
                        vehicle=carrier.vehicle,
                        data={"boats": boats, "status": status},
                    )
                )
        return out

    def _raids(self, w: int) -> list[Incident]:
        rng = self.rng
        out: list[Incident] = []
        for stage in (geo.S_GR_MK, geo.S_RS, geo.S_BA_HR, geo.S_DE_BNL):
            for _ in range(poisson(rng, 0.35 * self.scale)):
                org = self.group_for(stage)
                keeper = self.staff(org, ("safe_house_keeper",))
                if keeper is None:
                    continue
                hubs = [p for p in geo.places(stage) if p.country in TERRITORIAL]
                place = rng.choice(hubs)
                day = w * 7 + rng.randrange(7)
                present = [m for p in self.parties if p.group == org and not p.waiting for m in p.members][
                    :15
                ]
                persons = [(keeper, ["safe_house_keeper", "suspect"])] + [
                    (m, ["victim"] + (["minor"] if m.minor else [])) for m in present
                ]
                inc = Incident("raid", self._at(day), place, self.observers(place), persons, self._id("RAID"))
                out.append(inc)
                if rng.random() < 0.5:
                    out += self.arrest(keeper, day, place, inc.agencies[0], "safe house raided")
        return out

    # -- disruption and recovery ----------------------------------------------------------------------
    def disruption(
        self, day: int, kind: str, agency: str, target: str, place: geo.Place | None, detail: str
    ) -> str:
        did = self._id("DIS")
        self.truth(
            "disruptions",
            [did, self.day_date(day).isoformat(), kind, agency, target, place.key if place else "", detail],
        )
        return did

    def effect(self, day: int, did: str, kind: str, old: str, new: str, detail: str) -> None:
        self.truth("effects", [self.day_date(day).isoformat(), did, kind, old, new, detail])

    def arrest(self, person: Person, day: int, place: geo.Place, agency: str, why: str) -> list[Incident]:
        """Remove a smuggler; the group recruits a replacement or a rival takes the market."""
        if not person.active or person.org < 0:
            return []
        person.active = False
        did = self.disruption(day, "arrest", agency, person.pid, place, why)
        org = self.world.orgs[person.org]
        if "organiser" in person.roles:
            coords = [
                self.world.persons[i]
                for i in org.members
                if self.world.persons[i].active and "coordinator" in self.world.persons[i].roles
            ]
            if coords:
                coords[0].roles = ["organiser"]
                self.effect(
                    day, did, "promotion", person.pid, coords[0].pid, f"{org.oid} led by its coordinator"
                )
            else:
                org.active = False
                self._market.pop(org.stage, None)
                for rival in [o for o in self.world.orgs if o.stage == org.stage and o.active]:
                    rival.share += org.share / 2
                    self.effect(day, did, "market_takeover", org.oid, rival.oid, "rival takes the clients")
        else:
            new = self.recruits.make(
                person.nationality,
                person.origin,
                stage=person.stage,
                org=org.idx,
                roles=list(person.roles),
                country=person.country,
            )
            new.idx = len(self.world.persons)
            new.phones.append(make_phone(self.rng, person.phones[0].region))
            new.vehicle = person.vehicle  # takes over the van
            self.world.persons.append(new)
            self.world.by_stage[new.stage].append(new.idx)
            org.members.append(new.idx)
            self.on_person(new)
            for other in list(self.adj.get(person.idx, [])):
                wgt = self.world.ties[(min(other, person.idx), max(other, person.idx))]
                self.adj.setdefault(other, []).append(new.idx)
                self.adj.setdefault(new.idx, []).append(other)
                self.world.ties[(min(other, new.idx), max(other, new.idx))] = wgt
                op = self.world.persons[other]
                self.truth("ties", [op.pid, new.pid, wgt, int(op.stage == new.stage), op.stage, new.stage])
            self.effect(
                day, did, "replacement", person.pid, new.pid, f"{org.oid} recruits a new {person.roles[0]}"
            )
        return [
            Incident(
                "arrest",
                self._at(day),
                place,
                [agency] + (["eu_europol"] if self.rng.random() < 0.3 else []),
                [(person, [*person.roles, "suspect"])],
                did,
            )
        ]

    def _crackdown(self, day: int, corridor: str, factor: float, detail: str) -> list[Incident]:
        did = self.disruption(day, "border_operation", "eu_europol", corridor, None, detail)
        for route in self.route_weights:
            if corridor in route:
                old = self.route_weights[route]
                self.route_weights[route] = round(old * factor, 4)
                self.effect(
                    day, did, "rerouting", route, "", f"route weight {old} -> {self.route_weights[route]}"
                )
        return []
