"""Native reports (``counterflow.report/1``) about incidents, and weekly intelligence: subject
profiles, hawala ledgers and bank transfers. Free text in English, Serbian or Macedonian mentions
the names, phones, plates and IBANs of the entities reported."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from counterflow.scenario import agencies as ag
from counterflow.scenario import geo
from counterflow.scenario.activity import Incident, Sim
from counterflow.scenario.render import Renderer, ReportBuilder
from counterflow.scenario.world import Person, World

_TITLES = {
    "stop": "Vehicle stopped with migrants near {place}",
    "detection": "Irregular border crossing detected at {place}",
    "raid": "Search of a safe house in {place}",
    "arrest": "Arrest of a suspected facilitator in {place}",
    "launch": "Small boat launch at {place}",
    "shipment": "Consignment of inflatable boats and engines ({place})",
    "debrief": "Debrief of small-boat arrivals at {place}",
}
_TEXT = {
    "en": {
        "stop": "On {date} a {model} registration {plate} was stopped near {place}. The driver, {name} "
        "(tel. {phone}), carried {n} migrants.",
        "detection": "On {date} a group of {n} migrants was detected crossing at {place}. {name} was "
        "identified as the guide (tel. {phone}).",
        "raid": "On {date} a safe house in {place} kept by {name} (tel. {phone}) was searched; {n} migrants "
        "were found.",
        "arrest": "On {date} {name} (tel. {phone}) was arrested in {place}.",
        "launch": "On {date} an inflatable with about {n} people left the beach at {place}. Pilot believed "
        "to be {name}.",
        "shipment": "On {date} a consignment of {n} inflatable boats with engines was traced ({place}); "
        "carrier {name}, tel. {phone}, vehicle {plate}.",
        "debrief": "Arrivals interviewed on {date} named {name} (tel. {phone}) "
        "as a facilitator on the route.",
        "profile": "Subject {name} (tel. {phone}) is assessed to act as {role} for a network active around "
        "{place}. Associates include {other}.",
        "ledger": "Hawala ledger extract: {n} releases by {name} (tel. {phone}) "
        "to facilitators on the route.",
        "transfer": "Transfers from IBAN {iban} held by {name} to accounts of network members.",
    },
    "sr": {
        "stop": "Дана {date} код места {place} заустављено је возило {model} рег. ознаке {plate}. "
        "Возач {name}, тел. {phone}, превозио је {n} миграната.",
        "detection": "Дана {date} на подручју {place} откривена је група од {n} миграната. "
        "Водич {name}, тел. {phone}.",
        "raid": "Дана {date} претресен је објекат у {place} који користи {name}, тел. {phone}; "
        "затечено {n} миграната.",
        "arrest": "Дана {date} у {place} ухапшен је {name}, тел. {phone}.",
        "profile": "Лице {name}, тел. {phone}, делује као {role} у мрежи на подручју {place}. "
        "Контакти: {other}.",
    },
    "mk": {
        "stop": "На {date} кај {place} е запрено возило {model} со рег. таблици {plate}. Возачот {name}, "
        "тел. {phone}, превезувал {n} мигранти.",
        "detection": "На {date} кај {place} е откриена група од {n} мигранти. Водич {name}, тел. {phone}.",
        "raid": "На {date} е претресен објект во {place} на {name}, тел. {phone}; пронајдени {n} мигранти.",
        "arrest": "На {date} во {place} е уапсен {name}, тел. {phone}.",
        "profile": "Лицето {name}, тел. {phone}, делува како {role} во мрежа во {place}. Контакти: {other}.",
    },
}
_EVENT_NAMES = {
    "detection": "Border detection",
    "raid": "Safe house search",
    "arrest": "Arrest",
    "launch": "Small boat launch",
    "shipment": "Boat and engine consignment",
    "debrief": "Arrival debrief",
}


def _place_name(place: geo.Place | None, lang: str) -> str:
    if place is None:
        return ""
    return (
        place.local if place.local and lang in ("sr", "mk") and place.country in ("RS", "MK") else place.name
    )


class Reporter:
    def __init__(self, seed: int, world: World, renderer: Renderer) -> None:
        self.world = world
        self.r = renderer
        self.rng = random.Random(f"{seed}:reports")

    def _text(self, rb: ReportBuilder, kind: str, lang: str, **values: Any) -> str | None:
        table = _TEXT.get(lang, _TEXT["en"])
        tpl = table.get(kind) or _TEXT["en"].get(kind)
        if tpl is None or self.rng.random() < 0.15 or values.get("name") == "unknown":
            return None
        try:
            return tpl.format(**values)
        except (KeyError, IndexError):  # pragma: no cover - a template asks for a value not given
            return None

    def _mention(self, rb: ReportBuilder, p: Person | None) -> tuple[str, str]:
        if p is None:
            return "unknown", "n/a"
        rec = rb.st.people.get(p.idx)
        name = rec.name if rec else p.name
        phone = p.phones[0].render(self.rng, rb.st.agency.country) if p.phones else "n/a"
        return name, phone

    def incident(self, inc: Incident, emit_sheet: Any) -> None:
        for agency in inc.agencies:
            if emit_sheet(agency, inc):
                continue
            self._native(agency, inc)

    def _native(self, agency: str, inc: Incident) -> None:
        a = ag.AGENCY[agency]
        lang = ag.text_language(self.rng, a)
        place = _place_name(inc.place, lang)
        rb = self.r.begin(agency, inc.when, _TITLES.get(inc.kind, inc.kind).format(place=place))
        ids: list[str] = []
        suspect: Person | None = None
        hearsay = inc.kind == "debrief"
        for p, roles in inc.persons:
            smuggler = "victim" not in roles
            ids.append(self.r.person(rb, p, roles, hearsay=hearsay and smuggler))
            if smuggler and suspect is None:
                suspect = p
        when = inc.when.strftime("%Y-%m-%dT%H:%M")
        plate = model = ""
        if inc.vehicle >= 0:
            v = self.world.vehicles[inc.vehicle]
            vid = self.r.vehicle(rb, v)
            plate, model = rb.entities[-1]["properties"]["registrationNumber"][0], v.model
            props: dict[str, list[Any]] = {"vehicle": [vid], "involved": ids[:20], "startDate": [when]}
            if inc.place:
                props["location"] = [place]
            rb.add("Trip", props, inc.true_id)
        if inc.kind in _EVENT_NAMES:
            props = {
                "name": [_EVENT_NAMES[inc.kind]],
                "date": [ag.fmt_date(inc.when.date(), a.date_style)],
                "involved": ids[:50],
            }
            if inc.place:
                props["location"] = [place]
                props["country"] = [inc.place.country.lower()]
            if inc.kind == "launch":
                props["description"] = [
                    f"about {inc.data['people']} people; wind {inc.data['wind']} mph, "
                    f"waves {inc.data['wave']} m; {inc.data['outcome'].replace('_', ' ')}"
                ]
            rb.add("Event", props, inc.true_id)
        if hearsay:
            migrants = [i for i, (_, roles) in zip(ids, inc.persons, strict=True) if "victim" in roles]
            for sid, (p, roles) in zip(ids, inc.persons, strict=True):
                if "victim" not in roles and migrants:
                    rb.add(
                        "Associate",
                        {"person": [migrants[0]], "associate": [sid], "relationship": ["paid for passage"]},
                        f"hearsay:{inc.persons[0][0].pid}:{p.pid}",
                    )
        name, phone = self._mention(rb, suspect)
        n = (
            sum(1 for _, roles in inc.persons if "victim" in roles)
            or inc.data.get("people", 0)
            or inc.data.get("boats", 0)
        )
        text = self._text(
            rb,
            inc.kind,
            lang,
            date=ag.fmt_date(inc.when.date(), a.date_style),
            place=place,
            name=name,
            phone=phone,
            n=n,
            plate=plate or "n/a",
            model=model or "vehicle",
        )
        rb.finish(self.r.out, text)

    # -- weekly intelligence ----------------------------------------------------------------------------
    def weekly(self, w: int, sim: Sim, scale: float) -> None:
        start = sim.day_date(w * 7)
        for a in ag.AGENCIES:
            pool = [i for s in a.stages for i in self.world.by_stage[s] if self.world.persons[i].active]
            if a.focus_leaders:
                leaders = [
                    i
                    for i in pool
                    if any(
                        r in self.world.persons[i].roles
                        for r in ("organiser", "coordinator", "broker", "money_handler")
                    )
                ]
                pool = leaders + self.world.brokers + self.world.hawala + pool[: len(pool) // 4]
            if not pool:
                continue
            for _ in range(_poisson(self.rng, 1.6 * a.profile_rate * scale)):
                subject = self.world.persons[self.rng.choice(pool)]
                when = datetime(start.year, start.month, start.day) + timedelta(
                    hours=self.rng.randrange(7 * 24)
                )
                self._profile(a, subject, when, sim)
        if sim.payments:
            for agency in ("eu_europol", "gb_nca", "de_bpol"):
                for _ in range(_poisson(self.rng, 0.8 * scale)):
                    self._ledger(agency, sim, start)
        for _ in range(_poisson(self.rng, 0.5 * scale)):
            self._transfer(self.rng.choice(("eu_europol", "gb_nca", "de_bpol", "rs_mup")), start)

    def _profile(self, a: ag.Agency, p: Person, when: datetime, sim: Sim) -> None:
        lang = ag.text_language(self.rng, a)
        rb = self.r.begin(a.code, when, f"Subject profile: {p.roles[0].replace('_', ' ')}")
        sid = self.r.person(rb, p, [*p.roles, "suspect"])
        others: list[str] = []
        for other in self.rng.sample(sim.adj.get(p.idx, []), min(2, len(sim.adj.get(p.idx, [])))):
            q = self.world.persons[other]
            oid = self.r.person(rb, q, [*q.roles, "suspect"])
            others.append(rb.st.people[q.idx].name)
            rb.add(
                "Associate",
                {"person": [sid], "associate": [oid], "relationship": ["contact"]},
                f"tie:{min(p.pid, q.pid)}:{max(p.pid, q.pid)}",
            )
        for rel in p.relatives[:1]:
            if self.rng.random() < 0.5:
                q = self.world.persons[rel]
                oid = self.r.person(rb, q, [*q.roles, "suspect"])
                rb.add(
                    "Family",
                    {"person": [sid], "relative": [oid], "relationship": ["brother"]},
                    f"family:{min(p.pid, q.pid)}:{max(p.pid, q.pid)}",
                )
        if p.vehicle >= 0 and self.rng.random() < 0.4:
            vid = self.r.vehicle(rb, self.world.vehicles[p.vehicle])
            rb.entities[-1]["properties"]["owner"] = [sid]
            rb.statements += 1
            del vid
        if p.iban and self.rng.random() < 0.5:
            rb.add("BankAccount", {"iban": [p.iban]}, f"iban:{p.iban}")
        if p.org >= 0 and a.focus_leaders and self.rng.random() < 0.6:
            org = self.world.orgs[p.org]
            oid = rb.add(
                "Organization", {"name": [f"OCG {org.name}"], "country": [org.country.lower()]}, org.oid
            )
            rb.add(
                "Membership",
                {"member": [sid], "organization": [oid], "role": [p.roles[0]]},
                f"member:{p.pid}:{org.oid}",
            )
        name, phone = self._mention(rb, p)
        place = _place_name(self.rng.choice(geo.places(p.stage) or list(geo.PLACES)), lang)
        text = self._text(
            rb,
            "profile",
            lang,
            name=name,
            phone=phone,
            role=p.roles[0].replace("_", " "),
            place=place,
            other=", ".join(others) or "unknown",
        )
        rb.finish(self.r.out, text)

    def _ledger(self, agency: str, sim: Sim, start: Any) -> None:
        rows = self.rng.sample(sim.payments, min(len(sim.payments), self.rng.randint(2, 8)))
        when = datetime(start.year, start.month, start.day) + timedelta(days=self.rng.randint(7, 13))
        rb = self.r.begin(agency, when, "Hawala ledger extract")
        banker = rows[0][2]
        bid = self.r.person(rb, banker, ["money_handler", "suspect"])
        date_style = ag.AGENCY[agency].date_style
        for pay_id, day, payer, payee, amount, cur, leg in rows:
            pid = bid if payer is banker else self.r.person(rb, payer, ["money_handler", "suspect"])
            qid = self.r.person(rb, payee, [*payee.roles, "suspect"])
            rb.add(
                "Payment",
                {
                    "payer": [pid],
                    "beneficiary": [qid],
                    "amount": [str(amount)],
                    "currency": [cur],
                    "date": [ag.fmt_date(day, date_style)],
                    "purpose": [f"leg {leg}"],
                },
                pay_id,
            )
        name, phone = self._mention(rb, banker)
        rb.finish(self.r.out, self._text(rb, "ledger", "en", n=len(rows), name=name, phone=phone))

    def _transfer(self, agency: str, start: Any) -> None:
        holders = [p for p in self.world.persons if p.iban and p.active]
        if len(holders) < 2:
            return
        payer, payee = self.rng.sample(holders, 2)
        when = datetime(start.year, start.month, start.day) + timedelta(days=self.rng.randint(0, 6))
        rb = self.r.begin(agency, when, "Suspicious transfers between accounts")
        a_id = self.r.person(rb, payer, [*payer.roles, "suspect"])
        b_id = self.r.person(rb, payee, [*payee.roles, "suspect"])
        acc_a = rb.add("BankAccount", {"iban": [payer.iban]}, f"iban:{payer.iban}")
        acc_b = rb.add("BankAccount", {"iban": [payee.iban]}, f"iban:{payee.iban}")
        for k in range(self.rng.randint(1, 4)):
            rb.add(
                "Payment",
                {
                    "payer": [a_id],
                    "beneficiary": [b_id],
                    "payerAccount": [acc_a],
                    "beneficiaryAccount": [acc_b],
                    "amount": [str(self.rng.randint(20, 400) * 50)],
                    "currency": ["EUR"],
                    "date": [(when.date() - timedelta(days=k * 3)).isoformat()],
                },
                f"transfer:{agency}:{rb.header['report_id']}:{k}",
            )
        name, _ = self._mention(rb, payer)
        rb.finish(self.r.out, self._text(rb, "transfer", "en", iban=payer.iban, name=name))


def _poisson(rng: random.Random, lam: float) -> int:
    from counterflow.scenario.activity import poisson

    return poisson(rng, lam)
