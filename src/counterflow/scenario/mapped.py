"""Spreadsheet-shaped intelligence with YAML mappings (docs/formats/mapping.md): call records
(rs_mup, de_bpol, fr_ocriest), ANPR reads (hu_police, hr_mup, fr_ocriest, be_police), Hungarian
border detections (CSV) and German vehicle checks (XLSX).

Column layouts of CDR and ANPR files are those of the shipped ``cdr`` and ``anpr`` mappings; each
file still comes with its own complete mapping YAML, using only keys, properties with
``column``/``columns``+``join``/``literal``/``entity``, ``roles_column`` and ``observed_at_column``.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from counterflow.scenario import agencies as ag
from counterflow.scenario import geo
from counterflow.scenario.activity import Incident, Sim, poisson
from counterflow.scenario.identifiers import Phone, make_phone
from counterflow.scenario.render import Renderer
from counterflow.scenario.world import Person, World
from counterflow.scenario.writer import MappedFile, Output

CDR_HEADER = ["record_id", "caller", "callee", "start", "duration_s", "cell_id", "cell_lat", "cell_lon"]
ANPR_HEADER = [
    "read_id",
    "plate",
    "country",
    "camera_id",
    "camera_name",
    "lat",
    "lon",
    "read_at",
    "direction",
]
HU_HEADER = [
    "record_no",
    "surname",
    "given_name",
    "birth_date",
    "nationality",
    "gender",
    "phone",
    "role",
    "detected_at",
    "place",
]
DE_HEADER = [
    "kontroll_nr",
    "datum",
    "ort",
    "kennzeichen",
    "land",
    "fahrzeug",
    "nachname",
    "vorname",
    "geburtsdatum",
    "staatsangehoerigkeit",
    "telefon",
    "rolle",
]
CDR_AGENCIES = {"rs_mup": geo.S_RS, "de_bpol": geo.S_DE_BNL, "fr_ocriest": geo.S_FR}
CAMERAS: dict[str, tuple[tuple[str, str, str], ...]] = {  # agency: (camera id, name, place key)
    "hu_police": (
        ("HU-M5-RO1", "M5 Röszke border", "roszke"),
        ("HU-M5-SZ2", "M5 Szeged south", "szeged"),
        ("HU-55-AS1", "Road 55 Ásotthalom", "asotthalom"),
    ),
    "hr_mup": (
        ("HR-A3-BJ1", "A3 Bajakovo", "bajakovo"),
        ("HR-A3-ZG4", "A3 Zagreb Lučko", "zagreb"),
        ("HR-D1-MA1", "D1 Maljevac", "maljevac"),
    ),
    "fr_ocriest": (
        ("FR-A16-CAL", "A16 Calais Marck", "calais"),
        ("FR-A16-DK2", "A16 Dunkerque Est", "dunkirk"),
        ("FR-A16-BL1", "A16 Boulogne Nord", "boulogne"),
    ),
    "be_police": (
        ("BE-E40-JAB", "E40 Jabbeke parking", "jabbeke"),
        ("BE-E40-BRU", "E40 Brussel Ring", "brussels"),
    ),
}
_CAM_BY_PLACE = {
    place: (agency, cam) for agency, cams in CAMERAS.items() for cam in cams for place in [cam[2]]
}


def _report(
    agency: str,
    rid: str,
    reported: date,
    *,
    grading: dict[str, str],
    handling: dict[str, str],
    classification: str,
    observed_col: str,
) -> dict[str, Any]:
    a = ag.AGENCY[agency]
    return {
        "agency": agency,
        "id": rid,
        "reported_at": reported.isoformat(),
        "observed_at_column": observed_col,
        "grading": grading,
        "handling": handling,
        "classification": classification,
        "language": a.language,
    }


def _next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


class Mapped:
    def __init__(
        self, seed: int, world: World, sim: Sim, out: Output, renderer: Renderer, scale: float
    ) -> None:
        self.rng = random.Random(f"{seed}:mapped")
        self.world, self.sim, self.out, self.r, self.scale = world, sim, out, renderer, scale
        self.watch: dict[int, list[str]] = {}
        for agency, stage in CDR_AGENCIES.items():
            for i in world.by_stage[stage]:
                if self.rng.random() < 0.3:
                    self.watch.setdefault(i, []).append(agency)
        self.noise_phones = {
            a: [make_phone(self.rng, ag.AGENCY[a].country or "DE") for _ in range(40)] for a in CDR_AGENCIES
        }
        self.noise_plates: list[tuple[str, str]] = []
        from counterflow.scenario.identifiers import make_plate

        for _ in range(max(100, int(400 * scale))):
            c = self.rng.choice(("HU", "RS", "HR", "DE", "FR", "BE", "NL", "GB", "AT", "RO", "BG", "TR"))
            self.noise_plates.append((make_plate(self.rng, c), c))
        self.n_calls = self.n_reads = 0
        self.current: dict[str, str] = {}  # file key -> month opened

    # -- file bookkeeping ---------------------------------------------------------------------------------
    def _file(self, kind: str, agency: str, month: date) -> MappedFile:
        a = ag.AGENCY[agency]
        tag = f"{month.year}-{month.month:02d}"
        key = f"{kind}:{agency}:{tag}"
        if key in self.out.mapped:
            return self.out.mapped[key]
        rid = f"{a.prefix}-{kind.upper()}-{tag}"
        grading = (
            {"scheme": "4x4", "source": "A", "information": "1"}
            if kind in ("cdr", "anpr")
            else {"scheme": "4x4", "source": "B", "information": "2"}
        )
        handling = {"scheme": "SIENA", "code": "H1" if kind == "cdr" else "H0"}
        cls = "OFFICIAL-SENSITIVE" if kind == "cdr" else "OFFICIAL"
        if kind == "cdr":
            name, folder, fmt, header = f"{agency}_cdr_{tag}", "cdr", "csv", CDR_HEADER
            mapping = self._cdr_mapping(agency, rid, month, grading, handling, cls)
        elif kind == "anpr":
            name, folder, fmt, header = f"{agency}_anpr_{tag}", "anpr", "csv", ANPR_HEADER
            mapping = self._anpr_mapping(agency, rid, month, grading, handling, cls)
        elif kind == "det":
            name, folder, fmt, header = f"{agency}_detections_{tag}", "sheets", "csv", HU_HEADER
            mapping = self._hu_mapping(agency, rid, month, grading, handling, cls)
        else:
            name, folder, fmt, header = f"{agency}_kontrollen_{tag}", "sheets", "xlsx", DE_HEADER
            mapping = self._de_mapping(agency, rid, month, grading, handling, cls)
        delim = ";" if kind == "det" else ","
        return self.out.open_mapped(
            key, agency, name, fmt, folder, header, mapping, sheet="Kontrollen", delimiter=delim
        )

    def close_before(self, day: date) -> None:
        """Close files of months that ended before ``day`` (keeps memory bounded)."""
        tag = f"{day.year}-{day.month:02d}"
        for key in sorted(self.out.mapped):
            if key.rsplit(":", 1)[1] < tag:
                self.out.close_mapped(key)

    @staticmethod
    def _cdr_mapping(
        agency: str, rid: str, month: date, g: dict[str, str], h: dict[str, str], cls: str
    ) -> dict[str, Any]:
        return {
            "report": _report(
                agency,
                rid,
                _next_month(month),
                grading=g,
                handling=h,
                classification=cls,
                observed_col="start",
            ),
            "source": {"format": "csv", "delimiter": ",", "encoding": "utf-8", "date_format": "dayfirst"},
            "entities": {
                "call": {
                    "schema": "Call",
                    "keys": ["record_id"],
                    "properties": {
                        "recordId": {"column": "record_id"},
                        "callerNumber": {"column": "caller"},
                        "receiverNumber": {"column": "callee"},
                        "startDate": {"column": "start"},
                        "duration": {"column": "duration_s"},
                        "description": {"column": "cell_id"},
                    },
                },
                "cell": {
                    "schema": "Address",
                    "keys": ["cell_id"],
                    "properties": {
                        "name": {"column": "cell_id"},
                        "latitude": {"column": "cell_lat"},
                        "longitude": {"column": "cell_lon"},
                    },
                },
            },
        }

    @staticmethod
    def _anpr_mapping(
        agency: str, rid: str, month: date, g: dict[str, str], h: dict[str, str], cls: str
    ) -> dict[str, Any]:
        return {
            "report": _report(
                agency,
                rid,
                _next_month(month),
                grading=g,
                handling=h,
                classification=cls,
                observed_col="read_at",
            ),
            "source": {"format": "csv", "delimiter": ",", "encoding": "utf-8", "date_format": "dayfirst"},
            "entities": {
                "vehicle": {
                    "schema": "Vehicle",
                    "keys": ["plate"],
                    "properties": {
                        "registrationNumber": {"column": "plate"},
                        "country": {"column": "country"},
                    },
                },
                "camera": {
                    "schema": "Address",
                    "keys": ["camera_id"],
                    "properties": {
                        "name": {"column": "camera_name"},
                        "latitude": {"column": "lat"},
                        "longitude": {"column": "lon"},
                    },
                },
                "read": {
                    "schema": "Trip",
                    "keys": ["read_id"],
                    "properties": {
                        "recordId": {"column": "read_id"},
                        "name": {"literal": "ANPR read"},
                        "startDate": {"column": "read_at"},
                        "startLocation": {"entity": "camera"},
                        "vehicle": {"entity": "vehicle"},
                        "description": {"column": "direction"},
                    },
                },
            },
        }

    @staticmethod
    def _hu_mapping(
        agency: str, rid: str, month: date, g: dict[str, str], h: dict[str, str], cls: str
    ) -> dict[str, Any]:
        return {
            "report": _report(
                agency,
                rid,
                _next_month(month),
                grading=g,
                handling=h,
                classification=cls,
                observed_col="detected_at",
            ),
            "source": {"format": "csv", "delimiter": ";", "encoding": "utf-8", "date_format": "dayfirst"},
            "entities": {
                "person": {
                    "schema": "Person",
                    "keys": ["surname", "given_name", "birth_date"],
                    "roles_column": "role",
                    "properties": {
                        "name": {"columns": ["given_name", "surname"], "join": " "},
                        "firstName": {"column": "given_name"},
                        "lastName": {"column": "surname"},
                        "birthDate": {"column": "birth_date"},
                        "nationality": {"column": "nationality"},
                        "gender": {"column": "gender"},
                        "phone": {"column": "phone", "required": False},
                    },
                },
                "detection": {
                    "schema": "Event",
                    "keys": ["record_no"],
                    "properties": {
                        "name": {"literal": "Border detection"},
                        "date": {"column": "detected_at"},
                        "location": {"column": "place"},
                        "country": {"literal": "hu"},
                        "involved": {"entity": "person"},
                    },
                },
            },
        }

    @staticmethod
    def _de_mapping(
        agency: str, rid: str, month: date, g: dict[str, str], h: dict[str, str], cls: str
    ) -> dict[str, Any]:
        return {
            "report": _report(
                agency,
                rid,
                _next_month(month),
                grading=g,
                handling=h,
                classification=cls,
                observed_col="datum",
            ),
            "source": {"format": "xlsx", "sheet": "Kontrollen", "date_format": "dayfirst"},
            "entities": {
                "person": {
                    "schema": "Person",
                    "keys": ["nachname", "vorname", "geburtsdatum"],
                    "roles_column": "rolle",
                    "properties": {
                        "name": {"columns": ["vorname", "nachname"], "join": " "},
                        "birthDate": {"column": "geburtsdatum"},
                        "nationality": {"column": "staatsangehoerigkeit"},
                        "phone": {"column": "telefon", "required": False},
                    },
                },
                "vehicle": {
                    "schema": "Vehicle",
                    "keys": ["kennzeichen"],
                    "properties": {
                        "registrationNumber": {"column": "kennzeichen"},
                        "country": {"column": "land"},
                        "model": {"column": "fahrzeug"},
                    },
                },
                "kontrolle": {
                    "schema": "Trip",
                    "keys": ["kontroll_nr"],
                    "properties": {
                        "name": {"literal": "Fahrzeugkontrolle"},
                        "startDate": {"column": "datum"},
                        "location": {"column": "ort"},
                        "vehicle": {"entity": "vehicle"},
                        "involved": {"entity": "person"},
                    },
                },
            },
        }

    # -- sheets from incidents -----------------------------------------------------------------------------
    def sheet(self, agency: str, inc: Incident) -> bool:
        """Route an incident to a spreadsheet if this agency sends that kind as a spreadsheet."""
        if agency == "hu_police" and inc.kind == "detection":
            self._hu_rows(inc)
            return True
        if agency == "de_bpol" and inc.kind == "stop" and inc.vehicle >= 0:
            self._de_rows(inc)
            return True
        return False

    def _names(self, agency: str, p: Person) -> tuple[str, str, str, str]:
        st = self.r.state[agency]
        rec, _ = self.r.record(st, p)
        birth = ag.fmt_birth(p.born, rec.partial, st.agency.date_style)
        phone = p.phones[0].render(st.rng, st.agency.country) if p.phones and st.rng.random() < 0.6 else ""
        return rec.family, rec.given, birth, phone

    def _hu_rows(self, inc: Incident) -> None:
        mf = self._file("det", "hu_police", inc.when.date())
        truth = self.out.truth["mapped_entities"]
        when = inc.when.strftime("%Y-%m-%d %H:%M")
        for k, (p, roles) in enumerate(inc.persons):
            fam, giv, birth, phone = self._names("hu_police", p)
            gender = "female" if p.female else "male"
            row = [
                inc.true_id,
                fam,
                giv,
                birth,
                p.nationality,
                gender,
                phone,
                ",".join(roles),
                when,
                inc.place.name if inc.place else "",
            ]
            n_person = 5 + (1 if phone else 0) + len(roles) + 1
            mf.add(
                row,
                [
                    ("person", (fam, giv, birth), n_person, p.pid),
                    ("detection", (inc.true_id,), 4, inc.true_id),
                ],
                truth,
            )
            mf.statements += 1 if k else 0  # another 'involved' value on the same event

    def _de_rows(self, inc: Incident) -> None:
        mf = self._file("kon", "de_bpol", inc.when.date())
        truth = self.out.truth["mapped_entities"]
        v = self.world.vehicles[inc.vehicle]
        datum = ag.fmt_date(inc.when.date(), "de")
        for k, (p, roles) in enumerate(inc.persons):
            fam, giv, birth, phone = self._names("de_bpol", p)
            row = [
                inc.true_id,
                datum,
                inc.place.name if inc.place else "",
                v.plate,
                v.country,
                v.model,
                fam,
                giv,
                birth,
                p.nationality,
                phone,
                ",".join(roles),
            ]
            mf.add(
                row,
                [
                    ("person", (fam, giv, birth), 3 + (1 if phone else 0) + len(roles), p.pid),
                    ("vehicle", (v.plate,), 3, v.vid),
                    ("kontrolle", (inc.true_id,), 4, inc.true_id),
                ],
                truth,
            )
            mf.statements += 1 if k else 0

    # -- call records and ANPR -------------------------------------------------------------------------
    def week(self, w: int) -> None:
        self._calls(w)
        self._anpr(w)

    def _cdr_number(self, agency: str, ph: Phone) -> str:
        if agency == "rs_mup" and ph.region == "RS":
            return "".join(ch for ch in ph.national if ch.isdigit())
        return "00" + ph.e164[1:] if agency == "de_bpol" else ph.e164

    def _call_row(
        self, agency: str, when: datetime, a: Phone, b: Phone, call_id: str, anchor: Person
    ) -> None:
        mf = self._file("cdr", agency, when.date())
        places = [
            p for p in geo.places(anchor.stage) if p.country == (ag.AGENCY[agency].country or "")
        ] or geo.places(CDR_AGENCIES[agency])
        place = places[anchor.idx % len(places)]
        cell = f"{place.country}-{place.key.upper()}-{anchor.idx % 3 + 1}"
        lat = round(place.lat + (anchor.idx % 3 - 1) * 0.01, 5)
        lon = round(place.lon + (anchor.idx % 5 - 2) * 0.01, 5)
        rec_id = f"{ag.AGENCY[agency].prefix}-CDR-{self.n_calls:09d}"
        row = [
            rec_id,
            self._cdr_number(agency, a),
            self._cdr_number(agency, b),
            when.strftime("%Y-%m-%dT%H:%M:%S"),
            self.rng.randint(5, 600),
            cell,
            lat,
            lon,
        ]
        mf.add(
            row,
            [("call", (rec_id,), 6, call_id), ("cell", (cell,), 3, f"cell:{cell}")],
            self.out.truth["mapped_entities"],
        )

    def _calls(self, w: int) -> None:
        rng, persons = self.rng, self.world.persons
        base = self.sim.day_date(w * 7)
        t0 = datetime(base.year, base.month, base.day)
        for i in sorted(self.watch):
            p = persons[i]
            if not p.active:
                continue
            for o in self.sim.adj.get(i, []):
                q = persons[o]
                if not q.active or (o in self.watch and o < i) or not q.phones:
                    continue
                agencies = list(dict.fromkeys(self.watch[i] + self.watch.get(o, [])))
                wgt = self.world.ties[(min(i, o), max(i, o))]
                for _ in range(poisson(rng, 0.9 * wgt)):
                    self.n_calls += 1
                    when = t0 + timedelta(seconds=rng.randrange(7 * 86400))
                    a, b = (p, q) if rng.random() < 0.5 else (q, p)
                    pa, pb = rng.choice(a.phones), rng.choice(b.phones)
                    for agency in agencies:
                        self._call_row(agency, when, pa, pb, f"CALL{self.n_calls:09d}", p)
            for agency in self.watch[i]:
                for _ in range(poisson(rng, 2.0)):
                    self.n_calls += 1
                    when = t0 + timedelta(seconds=rng.randrange(7 * 86400))
                    self._call_row(
                        agency,
                        when,
                        p.phones[0],
                        rng.choice(self.noise_phones[agency]),
                        f"CALL{self.n_calls:09d}",
                        p,
                    )

    def _anpr(self, w: int) -> None:
        rng = self.rng
        truth = self.out.truth["mapped_entities"]
        for vidx, when, place, trip_id in self.sim.trips:
            hit = _CAM_BY_PLACE.get(place)
            if hit is None or rng.random() < 0.2:
                continue
            v = self.world.vehicles[vidx]
            self._read(hit[0], hit[1], when, v.plate, v.country, v.vid, truth)
            del trip_id
        base = self.sim.day_date(w * 7)
        t0 = datetime(base.year, base.month, base.day)
        for agency, cams in CAMERAS.items():
            for cam in cams:
                for _ in range(poisson(rng, 25.0 * self.scale)):
                    plate, country = rng.choice(self.noise_plates)
                    when = t0 + timedelta(seconds=rng.randrange(7 * 86400))
                    self._read(agency, cam, when, plate, country, f"NV:{country}:{plate}", truth)

    def _read(
        self,
        agency: str,
        cam: tuple[str, str, str],
        when: datetime,
        plate: str,
        country: str,
        true_id: str,
        truth: Any,
    ) -> None:
        mf = self._file("anpr", agency, when.date())
        self.n_reads += 1
        read_id = f"{cam[0]}-{self.n_reads:09d}"
        shown = plate.replace(" ", "").replace("-", "").upper()
        if self.rng.random() < 0.03:  # OCR confusion
            shown = shown.replace("O", "0", 1) if "O" in shown else shown.replace("8", "B", 1)
        place = geo.PLACE[cam[2]]
        row = [
            read_id,
            shown,
            country,
            cam[0],
            cam[1],
            place.lat,
            place.lon,
            when.strftime("%Y-%m-%d %H:%M:%S"),
            self.rng.choice(("N", "S", "E", "W")),
        ]
        mf.add(
            row,
            [
                ("read", (read_id,), 6, f"READ:{read_id}"),
                ("vehicle", (shown,), 2, true_id),
                ("camera", (cam[0],), 3, f"camera:{cam[0]}"),
            ],
            truth,
        )
