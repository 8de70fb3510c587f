"""How one agency writes a person, a vehicle or a report header: its register of records, its spelling,
script, date style, phone format, grading and handling. Also builds report dicts and counts statements."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from counterflow.model.statement import make_entity_id
from counterflow.scenario import agencies as ag
from counterflow.scenario.identifiers import cyrillic_lookalikes
from counterflow.scenario.names import ARABIC_SCRIPT_ORIGINS, to_arabic, to_cyrillic, to_greek, written_name
from counterflow.scenario.world import Person, Vehicle
from counterflow.scenario.writer import Output

SANITISED_PERCENT = 6  # of native reports, sent sanitised to protect a source
SLAVIC = frozenset({"sr", "bs", "hr", "mk"})
# Agencies that sometimes write Arabic-script names as found in documents, and how often (issue 4).
ARABIC_WRITERS: dict[str, float] = {
    "gb_nca": 0.2, "eu_europol": 0.15, "de_bpol": 0.1, "fr_ocriest": 0.1, "be_police": 0.1,
}  # fmt: skip
JMBG_READERS = frozenset({"rs_mup", "mk_mvr", "ba_sipa", "hr_mup", "gb_ukbsu", "eu_europol"})


@dataclass(slots=True)
class Record:
    local_id: str
    name: str
    given: str
    family: str
    partial: int


@dataclass
class AgencyState:
    agency: ag.Agency
    rng: random.Random
    reports: int = 0
    entities: int = 0
    people: dict[int, Record] = field(default_factory=dict)
    vehicles: dict[int, str] = field(default_factory=dict)


class Renderer:
    def __init__(self, seed: int, out: Output) -> None:
        self.out = out
        self.state = {a.code: AgencyState(a, random.Random(f"{seed}:agency:{a.code}")) for a in ag.AGENCIES}
        # Arabic script draws from its own streams, so every other choice stays as it was.
        self.arabic_rng = {code: random.Random(f"{seed}:arabic:{code}") for code in ARABIC_WRITERS}

    def forget(self, idx: int) -> None:
        """Drop register entries of a person who left the world (bounded memory for migrants)."""
        for st in self.state.values():
            st.people.pop(idx, None)

    # -- names ------------------------------------------------------------------------------------------
    def _script(
        self, st: AgencyState, p: Person, given: str, family: str, swapped: bool
    ) -> tuple[str, str, str]:
        a = st.agency
        rate = a.script_rate
        if a.script in ("sr", "mk") and p.origin in SLAVIC:
            rate = min(0.9, rate + 0.3)
        if a.script is None or st.rng.random() >= rate:
            full = f"{family.upper()} {given}" if swapped else f"{given} {family}"
            return full, given, family
        conv = to_greek if a.script == "el" else (lambda s: to_cyrillic(s, a.script or "sr"))
        g, f = conv(given), conv(family)
        return (f"{f.upper()} {g}" if swapped else f"{g} {f}"), g, f

    def _arabic(self, st: AgencyState, p: Person, full: str, given: str, family: str) -> tuple[str, str, str]:
        """Some agencies copy Arabic/Kurdish/Afghan names as written in the subject's documents."""
        rate = ARABIC_WRITERS.get(st.agency.code, 0.0)
        if not rate or p.origin not in ARABIC_SCRIPT_ORIGINS:
            return full, given, family
        if self.arabic_rng[st.agency.code].random() >= rate:
            return full, given, family
        g, f = to_arabic(p.given), to_arabic(p.family)
        if g is None or f is None:
            return full, given, family
        return f"{g} {f}", g, f

    def record(self, st: AgencyState, p: Person) -> tuple[Record, bool]:
        """The agency's record of a person: reused most of the time, sometimes a fresh duplicate record."""
        rec = st.people.get(p.idx)
        if rec is not None and st.rng.random() < 0.88:
            return rec, False
        a, rng = st.agency, st.rng
        origin_slavic = p.origin in SLAVIC and a.country in ("RS", "MK", "BA", "HR")
        _, g, f = written_name(
            rng,
            p.given,
            p.family,
            variant=0.05 if origin_slavic else a.variant_rate,
            swap=0.0,
            typo_rate=a.typo_rate,
        )
        full, g, f = self._script(st, p, g, f, rng.random() < a.swap_rate)
        full, g, f = self._arabic(st, p, full, g, f)
        st.entities += 1
        partial = p.birth_partial if rng.random() < 0.7 else (2 if rng.random() < a.partial_rate else 0)
        rec = Record(f"p{st.entities}", full, g, f, partial)
        st.people[p.idx] = rec
        return rec, True

    # -- entities ---------------------------------------------------------------------------------------
    def person(self, rb: ReportBuilder, p: Person, roles: list[str], *, hearsay: bool = False) -> str:
        st = rb.st
        rng, a = st.rng, st.agency
        rec, _ = self.record(st, p)
        props: dict[str, list[Any]] = {"name": [rec.name]}
        if hearsay:
            props["name"] = [
                {
                    "value": rec.name,
                    "grading": ag.grading(rng, a)
                    if a.grading != "3x5x2"
                    else {"scheme": "3x5x2", "source": "2", "information": "C"},
                }
            ]
        elif rng.random() < 0.25:
            props["firstName"] = [rec.given]
            props["lastName"] = [rec.family]
        if not hearsay and rng.random() < 0.8:
            props["birthDate"] = [ag.fmt_birth(p.born, rec.partial, a.date_style)]
        if rng.random() < 0.75:
            props["nationality"] = [p.nationality.lower()]
        if rng.random() < 0.3:
            props["gender"] = ["female" if p.female else "male"]
        phones = [
            ph.render(rng, a.country) for ph in p.phones if rng.random() < (0.7 if not hearsay else 0.3)
        ]
        if phones:
            props["phone"] = phones
        if p.national_id and a.code in JMBG_READERS and rng.random() < 0.6:
            props["idNumber"] = [p.national_id]
        if p.passport and not hearsay and rng.random() < 0.3:
            props["passportNumber"] = [p.passport]
        return rb.add("Person", props, p.pid, local_id=rec.local_id, roles=roles)

    def vehicle(self, rb: ReportBuilder, v: Vehicle) -> str:
        st = rb.st
        plate = v.plate
        if st.agency.code in ("rs_mup", "mk_mvr") and v.country in ("RS", "MK") and st.rng.random() < 0.3:
            plate = cyrillic_lookalikes(plate)
        elif st.rng.random() < 0.2:
            plate = plate.replace(" ", "").replace("-", "")
        local = st.vehicles.get(v.idx)
        if local is None:
            st.entities += 1
            local = f"v{st.entities}"
            st.vehicles[v.idx] = local
        props: dict[str, list[Any]] = {
            "registrationNumber": [plate],
            "country": [v.country.lower()],
            "model": [v.model],
        }
        return rb.add("Vehicle", props, v.vid, local_id=local)

    def begin(self, agency: str, when: datetime, title: str, *, legacy: bool = False) -> ReportBuilder:
        st = self.state[agency]
        st.reports += 1
        a = st.agency
        legacy = legacy or (a.legacy_rate > 0 and st.rng.random() < a.legacy_rate)
        reported = when.date().isoformat() if st.rng.random() < 0.5 else when.strftime("%Y-%m-%dT%H:%M:%SZ")
        header: dict[str, Any] = {
            "format": "counterflow.report/1",
            "agency": agency,
            "report_id": f"{a.prefix}-{when.year}-{st.reports:07d}",
            "reported_at": reported,
            "observed_at": when.date().isoformat(),
            "language": a.language,
            "grading": ag.grading(st.rng, a, legacy),
            "handling": ag.handling(st.rng, a, legacy),
            "classification": ag.classification(st.rng, a),
            "title": title,
        }
        # Some reports come sanitised (a source or technique protected): intelligence, never
        # evidence. Chosen by the report id, so the scenario's random stream is unchanged.
        if zlib.crc32(header["report_id"].encode()) % 100 < SANITISED_PERCENT:
            header["sanitised"] = True
        return ReportBuilder(st, header)


class ReportBuilder:
    """One report being assembled; ``finish`` writes it with its truth rows."""

    def __init__(self, st: AgencyState, header: dict[str, Any]) -> None:
        self.st = st
        self.header = header
        self.entities: list[dict[str, Any]] = []
        self.truth: list[tuple[str, str, str]] = []  # (local id, schema, true id)
        self.statements = 1 + 0  # the title
        self.seen: set[str] = set()

    def add(
        self,
        schema: str,
        props: dict[str, list[Any]],
        true_id: str,
        *,
        local_id: str | None = None,
        roles: list[str] | None = None,
    ) -> str:
        if local_id is None:
            self.st.entities += 1
            local_id = f"e{self.st.entities}"
        if local_id in self.seen:
            return local_id
        self.seen.add(local_id)
        ent: dict[str, Any] = {"id": local_id, "schema": schema}
        if roles:
            ent["roles"] = list(dict.fromkeys(roles))
            self.statements += len(ent["roles"])
        ent["properties"] = props
        self.statements += sum(len(v) for v in props.values())
        self.entities.append(ent)
        self.truth.append((local_id, schema, true_id))
        return local_id

    def finish(self, out: Output, text: str | None) -> None:
        report = dict(self.header)
        if text:
            report["text"] = text
            self.statements += 1
        report["entities"] = self.entities
        agency = report["agency"]
        out.report(agency, report, self.statements)
        table = out.truth["entities"]
        for local, schema, true_id in self.truth:
            table.write((make_entity_id(agency, local), agency, report["report_id"], schema, true_id))
