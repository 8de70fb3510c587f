"""Records: one reported entity with the features resolution compares.

A record is built either from a FollowTheMoney entity (the ``counterflow resolve --input``
contract: raw values, normalised here with the reporting agency's country as region hint) or
from the store's statements of one entity (values already normalised at ingest). Both paths
end in :class:`RecordBuilder`, so a value means the same thing whichever way it came.

Kinds: ``person`` (Person), ``org`` (Organization, Company, LegalEntity) are scored
probabilistically; ``object`` (Vehicle, Vessel, BankAccount, CryptoWallet, Passport,
Identification) resolve on their identifiers only.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
from followthemoney.types import registry

from counterflow.errors import InvalidValue
from counterflow.model.agencies import PREFIX_COUNTRY
from counterflow.model.normalise import (
    fold_ascii,
    latinise,
    normalise_crypto_wallet,
    normalise_date,
    normalise_email,
    normalise_iban,
    normalise_imei,
    normalise_jmbg,
    normalise_national_id,
    normalise_passport,
    normalise_phone,
    normalise_plate,
)
from counterflow.resolve.names import MAX_PARTS, Part, name_parts

PERSON_SCHEMATA = frozenset({"Person"})
ORG_SCHEMATA = frozenset({"Organization", "Company", "LegalEntity", "PublicBody"})
OBJECT_SCHEMATA = frozenset(
    {"Vehicle", "Vessel", "BankAccount", "CryptoWallet", "Passport", "Identification"}
)
RESOLVABLE = PERSON_SCHEMATA | ORG_SCHEMATA | OBJECT_SCHEMATA

NAME_PROPS = ("name", "alias", "previousName")
PART_PROPS = ("firstName", "secondName", "middleName", "lastName")
DATE_PROPS = ("birthDate",)
COUNTRY_PROPS = ("nationality", "citizenship", "country", "jurisdiction", "mainCountry")
WEAK_ID_PROPS = ("socialSecurityNumber", "taxNumber", "registrationNumber", "licenseNumber")


def kind_of(schema: str) -> str | None:
    if schema in PERSON_SCHEMATA:
        return "person"
    if schema in ORG_SCHEMATA:
        return "org"
    if schema in OBJECT_SCHEMATA:
        return "object"
    return None


def region_of(dataset: str) -> str | None:
    """The country an agency's prefix names (``rs_mup`` → ``RS``), the region hint for phones."""
    prefix = dataset[:2].lower()
    if len(dataset) > 2 and dataset[2] in "_-":
        return PREFIX_COUNTRY.get(prefix)
    return None


Strings = tuple[str, ...]
_NO_COUNTRIES: Mapping[str, str] = MappingProxyType({})


def _no_countries() -> Mapping[str, str]:
    return _NO_COUNTRIES


@dataclass(slots=True)
class Record:
    """One entity's comparable features; ``uid`` is its row in the run.

    Values are tuples, and empty ones the one shared empty tuple: a run holds a record per entity
    (a list per field and record cost 300 bytes a record)."""

    entity_id: str
    schema: str
    kind: str
    agency: str
    names: Strings = ()
    parts: tuple[Part, ...] = ()
    dob: str | None = None
    dobs: Strings = ()
    countries: Strings = ()
    gender: str | None = None
    selectors: Strings = ()  # phone:, email:, iban:, wallet:, imei:
    docs: Strings = ()  # jmbg:, natid:CC:, passport:  (strong documents)
    doc_countries: Mapping[str, str] = field(default_factory=_no_countries)  # passport key -> issuer
    object_keys: Strings = ()  # plate:CC:, imo:, iban:, wallet: for objects
    address: Strings = ()
    weak_ids: Strings = ()
    uid: int = -1

    @property
    def name_string(self) -> str:
        return " ".join(sorted(p.latin for p in self.parts))

    @property
    def scripts(self) -> frozenset[str]:
        return frozenset(p.script for p in self.parts)


_GENDERS = {"m": "male", "male": "male", "man": "male", "f": "female", "female": "female", "woman": "female"}
_ADDRESS_WORD = re.compile(r"[a-z0-9]+")


_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


@lru_cache(maxsize=262_144)
def _phone(value: str, region: str | None) -> str:
    """E.164 as written is taken as it is (a selector key); anything else through the normaliser."""
    if _E164.match(value):
        return value
    return normalise_phone(value, region).value


@lru_cache(maxsize=65_536)
def _date(value: str) -> str:
    return normalise_date(value).value[:10]


@lru_cache(maxsize=4096)
def _country(value: str) -> str | None:
    cleaned = registry.country.clean(value, proxy=None)
    return str(cleaned).upper() if cleaned else None


class RecordBuilder:
    """Accumulates normalised values of one entity and finishes it into a :class:`Record`."""

    def __init__(self, entity_id: str, schema: str, agency: str) -> None:
        kind = kind_of(schema)
        if kind is None:
            raise InvalidValue("schema", schema, "not a schema that resolution handles")
        # interned: a run holds a record per entity, and these repeat across all of them
        self.record = Record(entity_id, sys.intern(schema), kind, sys.intern(agency))
        self.region = region_of(agency)
        self.dobs: list[str] = []
        self.countries: list[str] = []
        self.selectors: list[str] = []
        self.docs: list[str] = []
        self.object_keys: list[str] = []
        self.address: list[str] = []
        self.weak_ids: list[str] = []
        self._full: list[str] = []
        self._parts: dict[str, list[str]] = {}
        self._passports: list[tuple[str, str]] = []
        self._plate_country: str | None = None
        self._plates: list[str] = []

    # -- raw values (FtM input) ----------------------------------------------------------------
    def add_raw(self, prop: str, raw: str) -> None:
        """One value as an agency wrote it; values nothing can make sense of are skipped."""
        value = raw.strip()
        if not value:
            return
        try:
            self._add_raw(prop, value)
        except (InvalidValue, ValueError):
            return

    def _add_raw(self, prop: str, value: str) -> None:
        rec = self.record
        if prop in NAME_PROPS:
            self._full.append(value)
        elif prop in PART_PROPS:
            self._parts.setdefault(prop, []).append(value)
        elif prop in DATE_PROPS:
            self.dobs.append(_date(value))
        elif prop in COUNTRY_PROPS:
            code = _country(value)
            if code:
                self.countries.append(code)
                if prop == "country":
                    self._plate_country = code
        elif prop == "gender":
            gender = _GENDERS.get(value.lower())
            if gender:
                rec.gender = gender
        elif prop == "phone":
            self.selectors.append("phone:" + _phone(value, self.region))
        elif prop == "email":
            self.selectors.append("email:" + normalise_email(value).value)
        elif prop in ("iban", "accountNumber") and rec.kind == "object":
            self.object_keys.append("iban:" + normalise_iban(value).value)
        elif prop in ("publicKey", "cryptoAddress"):
            self.object_keys.append("wallet:" + normalise_crypto_wallet(value).value)
        elif prop == "imei":
            self.selectors.append("imei:" + normalise_imei(value).value)
        elif prop in ("passportNumber",) or (rec.schema == "Passport" and prop == "number"):
            self._passports.append((normalise_passport(value, None).value, ""))
        elif prop in ("idNumber", "personalNumber") or (rec.schema == "Identification" and prop == "number"):
            self._id_number(value)
        elif prop == "registrationNumber" and rec.schema in ("Vehicle", "Vessel"):
            self._plates.append(value)
        elif prop in ("imoNumber", "mmsi"):
            self.object_keys.append(f"{prop.lower()}:" + "".join(value.split()).upper())
        elif prop == "address":
            self.address.extend(_ADDRESS_WORD.findall(fold_ascii(latinise(value)).lower()))
        elif prop in WEAK_ID_PROPS:
            compact = "".join(c for c in value.upper() if c.isalnum())
            if compact:
                self.weak_ids.append(compact)

    def _id_number(self, value: str) -> None:
        digits = "".join(c for c in value if not c.isspace())
        if len(digits) == 13 and digits.isdigit():
            try:
                self.docs.append("jmbg:" + normalise_jmbg(digits).value)
                return
            except InvalidValue:
                pass
        country = self.region
        if country:
            norm = normalise_national_id(value, country)
            if norm.evidence.get("validated") == "yes":
                self.docs.append(f"natid:{country}:{norm.value}")
                return
        compact = "".join(c for c in value.upper() if c.isalnum())
        if compact:
            self.weak_ids.append(compact)

    # -- normalised values (store statements) ---------------------------------------------------
    def add_stored(self, prop: str, value: str, original: str | None, evidence: Mapping[str, Any]) -> None:
        """One stored statement value (already normalised at ingest, with its evidence)."""
        rec = self.record
        if prop in NAME_PROPS:
            self._full.append(original or value)
        elif prop in PART_PROPS:
            self._parts.setdefault(prop, []).append(original or value)
        elif prop in DATE_PROPS:
            self.dobs.append(value[:10])
        elif prop in COUNTRY_PROPS:
            code = value.upper()
            self.countries.append(code)
            if prop == "country":
                self._plate_country = code
        elif prop == "gender":
            gender = _GENDERS.get(value.lower())
            if gender:
                rec.gender = gender
        elif prop in ("phone", "email"):
            self.selectors.append(f"{prop}:{value}")
        elif prop in ("iban", "accountNumber") and rec.kind == "object":
            self.object_keys.append("iban:" + value)
        elif prop in ("publicKey", "cryptoAddress"):
            self.object_keys.append("wallet:" + value)
        elif prop in ("passportNumber",) or (rec.schema == "Passport" and prop == "number"):
            self._passports.append((value, str(evidence.get("country", ""))))
        elif prop in ("idNumber", "personalNumber") or (rec.schema == "Identification" and prop == "number"):
            scheme = evidence.get("scheme")
            if scheme == "jmbg":
                self.docs.append("jmbg:" + value)
            elif evidence.get("validated") == "yes" and scheme:
                self.docs.append(f"natid:{evidence.get('country', '')}:{value}")
            elif evidence.get("form"):  # an IMEI identification
                self.selectors.append("imei:" + value)
            else:
                self.weak_ids.append(value)
        elif prop == "registrationNumber" and rec.schema in ("Vehicle", "Vessel"):
            self._plates.append(value)
        elif prop in ("imoNumber", "mmsi"):
            self.object_keys.append(f"{prop.lower()}:{value}")
        elif prop == "address":
            self.address.extend(_ADDRESS_WORD.findall(fold_ascii(latinise(value)).lower()))
        elif prop in WEAK_ID_PROPS:
            self.weak_ids.append(value)

    # -- finishing -----------------------------------------------------------------------------
    def finish(self) -> Record:
        rec = self.record
        names = list(dict.fromkeys(self._full))
        given = " ".join(self._parts.get("firstName", []) + self._parts.get("secondName", []))
        given = " ".join([given, *self._parts.get("middleName", [])]).strip()
        family = " ".join(self._parts.get("lastName", []))
        if (given or family) and not names:
            names.append(f"{given} {family}".strip())
        rec.names = tuple(names)
        seen: dict[str, Part] = {}
        org = rec.kind == "org"
        for name in names:
            for part in name_parts(name, organisation=org):
                seen.setdefault(part.latin, part)
        rec.parts = tuple(seen.values())[:MAX_PARTS]
        rec.dobs = tuple(sorted(set(self.dobs), key=lambda d: (-len(d), d)))
        rec.dob = rec.dobs[0] if rec.dobs else None
        rec.countries = tuple(sorted(set(self.countries)))
        country = self._plate_country or (rec.countries[0] if len(rec.countries) == 1 else "")
        issuers: dict[str, str] = {}
        for number, issuing in self._passports:
            key = "passport:" + number
            self.docs.append(key)
            issued = issuing or (country if rec.kind == "object" else "")
            if issued:
                issuers[key] = issued
        if issuers:
            rec.doc_countries = issuers
        for plate in self._plates:
            try:
                norm = normalise_plate(plate, country or None)
            except InvalidValue:
                continue
            self.object_keys.append(f"plate:{country}:{norm.value}")
        if rec.kind == "object":
            self.object_keys.extend(self.docs)
            self.object_keys.extend(s for s in self.selectors if s.startswith("imei:"))
        rec.selectors = tuple(sorted(set(self.selectors)))
        rec.docs = tuple(sorted(set(self.docs)))
        rec.object_keys = tuple(sorted(set(self.object_keys)))
        rec.weak_ids = tuple(sorted(set(self.weak_ids)))
        rec.address = tuple(self.address)
        return rec


def record_from_ftm(entity: Mapping[str, Any]) -> Record | None:
    """A record from one FollowTheMoney entity dict (None for schemata resolution ignores)."""
    schema = str(entity.get("schema", ""))
    if kind_of(schema) is None:
        return None
    datasets = entity.get("datasets") or []
    agency = str(datasets[0]) if datasets else ""
    builder = RecordBuilder(str(entity["id"]), schema, agency)
    props = entity.get("properties") or {}
    for prop, values in props.items():
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, dict):
                value = value.get("value", "")
            if isinstance(value, str):
                builder.add_raw(prop, value)
    return builder.finish()


def records_from_rows(
    rows: Iterable[tuple[str, str, str, str, str, str | None, Mapping[str, Any]]],
) -> list[Record]:
    """Records from stored statement rows ``(entity_id, schema, agency, prop, value, original, evidence)``
    ordered by entity id."""
    out: list[Record] = []
    builder: RecordBuilder | None = None
    current = ""
    for entity_id, schema, agency, prop, value, original, evidence in rows:
        if entity_id != current:
            if builder is not None:
                out.append(builder.finish())
            current = entity_id
            builder = RecordBuilder(entity_id, schema, agency) if kind_of(schema) else None
        if builder is not None:
            if kind_of(schema) and builder.record.schema != schema and schema in PERSON_SCHEMATA:
                builder.record.schema, builder.record.kind = schema, "person"
            builder.add_stored(prop, value, original, evidence)
    if builder is not None:
        out.append(builder.finish())
    return out


_JSON_FIELDS = ("entity_id", "schema", "kind", "agency", "names", "dob", "dobs", "countries", "gender",
                "selectors", "docs", "doc_countries", "object_keys", "address", "weak_ids")  # fmt: skip


def record_to_json(rec: Record) -> dict[str, Any]:
    """The record's values (its name parts are recomputed from its names on the way back)."""
    out = {k: getattr(rec, k) for k in _JSON_FIELDS}
    out["doc_countries"] = dict(rec.doc_countries)
    return out


_TUPLE_FIELDS = frozenset(("names", "dobs", "countries", "selectors", "docs", "object_keys", "address",
                           "weak_ids"))  # fmt: skip


def _from_json(data: Mapping[str, Any]) -> Record:
    values: dict[str, Any] = {
        k: (tuple(data[k]) if k in _TUPLE_FIELDS else data[k]) for k in _JSON_FIELDS if k in data
    }
    if not values.get("doc_countries"):
        values.pop("doc_countries", None)
    return Record(**values)


def record_from_json(data: Mapping[str, Any], uid: int = -1) -> Record:
    rec = _from_json(data)
    seen: dict[str, Part] = {}
    for name in rec.names:
        for part in name_parts(name, organisation=rec.kind == "org"):
            seen.setdefault(part.latin, part)
    rec.parts = tuple(seen.values())[:MAX_PARTS]
    rec.uid = uid
    return rec


def pack_record(rec: Record) -> str:
    """The record as JSON with its analysed name parts and uid, for a worker to rebuild exactly
    (:func:`unpack_record`) without analysing the names again."""
    data = record_to_json(rec)
    data["parts"] = [[p.form, p.script, p.latin, p.skeleton, p.pattern] for p in rec.parts]
    data["uid"] = rec.uid
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def unpack_record(text: str) -> Record:
    data = json.loads(text)
    rec = _from_json(data)
    rec.parts = tuple(Part(*p) for p in data["parts"])
    rec.uid = int(data["uid"])
    return rec


# Arrow buffers of a run's big tables come from the system allocator, which hands freed memory
# back; pyarrow's default pool (mimalloc) kept ~80 MB of freed tables in a 200,000-record run.
ARROW_POOL = pa.system_memory_pool()

RECORD_COLUMNS = ("entity_id", "schema", "agency", "prop", "value", "original_value", "evidence")
PACKED = pa.schema([("entity_id", pa.string()), ("record", pa.string())])


class BuildRecords:
    """The grouped map: an entity's statement rows in, its record out (packed with its analysed
    names, so the driver only unpacks it)."""

    def __call__(self, table: pa.Table) -> pa.Table:
        cols = [table.column(c).to_pylist() for c in RECORD_COLUMNS]
        rows = (
            (e, s, a, p, v, o, json.loads(ev) if ev else {})
            for e, s, a, p, v, o, ev in zip(*cols, strict=True)
        )
        records = records_from_rows(rows)
        return pa.table(
            {"entity_id": [r.entity_id for r in records], "record": [pack_record(r) for r in records]},
            schema=PACKED,
        )
