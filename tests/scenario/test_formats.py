"""Generated files are valid: report schema, FollowTheMoney schemata, codes, selectors, mappings."""

import json
import re
from pathlib import Path

import jsonschema
import phonenumbers
import yaml
from followthemoney import model
from openpyxl import load_workbook
from schwifty import IBAN

from counterflow.model.agencies import agency_country
from counterflow.model.grading import Grading
from counterflow.model.handling import Classification, Handling
from counterflow.model.roles import parse_role
from counterflow.model.statement import make_entity_id

from .conftest import read_csv

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "src/counterflow/ingest/schemas/report.schema.json").read_text("utf-8")
)
ENTITY_SCHEMATA = {
    "Person",
    "Organization",
    "Company",
    "LegalEntity",
    "Vehicle",
    "Vessel",
    "BankAccount",
    "CryptoWallet",
    "Address",
    "Passport",
    "Identification",
    "Call",
    "Payment",
    "Trip",
    "Event",
    "Associate",
    "Family",
    "Membership",
    "Ownership",
    "UnknownLink",
    "Sanction",
    "Note",
}


def _values(v):
    for x in v if isinstance(v, list) else [v]:
        yield x["value"] if isinstance(x, dict) else x


def test_layout_and_manifest(small):
    out, manifest = small
    on_disk = json.loads((out / "MANIFEST.json").read_text("utf-8"))
    assert on_disk == manifest.to_dict()
    for rel in manifest.files:
        assert (out / rel).is_file(), rel
        if not rel.startswith("reports/"):
            assert (out / rel).with_suffix(".yml").is_file()
    assert 600 <= manifest.reports <= 2500
    assert len(manifest.agencies) >= 10
    assert {"report-jsonl", "cdr-csv", "anpr-csv", "sheets-csv", "sheets-xlsx"} <= set(manifest.formats)


def test_reports_validate_against_schema_and_ftm(reports):
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for r in reports:
        errors = list(validator.iter_errors(r))
        assert not errors, (r["report_id"], errors[0].message)
        Grading.parse(**r["grading"])
        Handling.parse(**r["handling"])
        Classification.parse(r["classification"])
        local = {e["id"] for e in r.get("entities", [])}
        for e in r.get("entities", []):
            assert e["schema"] in ENTITY_SCHEMATA
            schema = model.get(e["schema"])
            for role in e.get("roles", []):
                parse_role(role)
            for prop, value in e["properties"].items():
                p = schema.get(prop)
                assert p is not None, (e["schema"], prop)
                if p.type.name == "entity":
                    for ref in _values(value):
                        assert ref in local, (r["report_id"], prop, ref)


def test_report_ids_unique_per_agency(reports):
    seen = set()
    for r in reports:
        key = (r["agency"], r["report_id"])
        assert key not in seen
        seen.add(key)


def test_phones_valid_for_their_country(small, reports):
    out, _ = small
    n = 0
    for r in reports:
        region = agency_country(r["agency"])
        for e in r.get("entities", []):
            for value in _values(e["properties"].get("phone", [])):
                num = phonenumbers.parse(value, region)
                assert phonenumbers.is_valid_number(num), (r["agency"], value)
                n += 1
    for path in sorted((out / "cdr").glob("*.csv"))[:3]:
        region = agency_country(path.name.split("_cdr_")[0])
        for row in read_csv(path)[:500]:
            for col in ("caller", "callee"):
                assert phonenumbers.is_valid_number(phonenumbers.parse(row[col], region)), row[col]
    assert n > 500


def _jmbg_ok(s: str) -> bool:
    w = [7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    m = 11 - sum(int(d) * k for d, k in zip(s[:12], w, strict=True)) % 11
    return len(s) == 13 and int(s[12]) == (0 if m > 9 else m)


def test_ibans_and_national_ids_valid(reports, truth):
    ibans = ids = 0
    for r in reports:
        for e in r.get("entities", []):
            for v in _values(e["properties"].get("iban", [])):
                IBAN(v)
                ibans += 1
            for v in _values(e["properties"].get("idNumber", [])):
                assert _jmbg_ok(v), v
                ids += 1
    assert ibans > 5 and ids > 20
    for p in truth["persons"]:
        if p["national_id"]:
            assert _jmbg_ok(p["national_id"])
            assert p["national_id"][:4] == p["birth_date"][8:10] + p["birth_date"][5:7]


def test_every_reported_entity_has_truth(reports, truth):
    known = {row["reported_entity_id"] for row in truth["entities"]}
    for r in reports:
        for e in r.get("entities", []):
            assert make_entity_id(r["agency"], e["id"]) in known


def test_mappings_use_ftm_and_existing_columns(small, truth):
    out, _ = small
    files = sorted(out.glob("*/*.yml"))
    assert files
    for yml in files:
        mapping = yaml.safe_load(yml.read_text("utf-8"))
        data = next(p for p in yml.parent.glob(yml.stem + ".*") if p.suffix != ".yml")
        if data.suffix == ".xlsx":
            ws = load_workbook(data, read_only=True).worksheets[0]
            header = [c.value for c in next(ws.iter_rows(max_row=1))]
        else:
            header = data.read_text("utf-8").splitlines()[0].split(mapping["source"].get("delimiter", ","))
        rep = mapping["report"]
        Grading.parse(**rep["grading"])
        Handling.parse(**rep["handling"])
        assert rep["observed_at_column"] in header
        for name, ent in mapping["entities"].items():
            schema = model.get(ent["schema"])
            assert schema is not None
            assert all(k in header for k in ent["keys"])
            if "roles_column" in ent:
                assert ent["roles_column"] in header
            for prop, spec in ent["properties"].items():
                assert schema.get(prop) is not None, (name, prop)
                cols = spec.get("columns", [spec["column"]] if "column" in spec else [])
                assert all(c in header for c in cols), (yml.name, cols)
                if "entity" in spec:
                    assert spec["entity"] in mapping["entities"]
    mapped_files = {row["file"] for row in truth["mapped_entities"]}
    assert any(f.startswith("cdr/") for f in mapped_files) and any(
        f.startswith("anpr/") for f in mapped_files
    )


def test_scripts_and_spellings(reports):
    def names(agency):
        return [
            v
            for r in reports
            if r["agency"] == agency
            for e in r["entities"]
            if e["schema"] == "Person"
            for v in _values(e["properties"]["name"])
        ]

    cyr = re.compile(r"[\u0400-\u04FF]")
    for agency in ("rs_mup", "mk_mvr"):
        ns = names(agency)
        share = sum(1 for n in ns if cyr.search(n)) / len(ns)
        assert 0.3 <= share <= 0.8, (agency, share)
    assert any(ch in n for n in names("mk_mvr") for ch in "ЃЌЅѓќѕ")
    assert any(re.search(r"[\u0370-\u03FF]", n) for n in names("gr_police"))
    latin = [
        n
        for r in reports
        for e in r["entities"]
        if e["schema"] == "Person"
        for n in _values(e["properties"]["name"])
    ]
    for spelling in ("Mohammed", "Muhammad", "Mohamad", "Muhamed"):
        assert any(spelling in n for n in latin), spelling


def test_partial_birth_dates_share(reports):
    dates = [
        v
        for r in reports
        for e in r["entities"]
        if e["schema"] == "Person"
        for v in _values(e["properties"].get("birthDate", []))
    ]
    partial = sum(1 for d in dates if re.fullmatch(r"\d{4}(-\d{2})?", d)) / len(dates)
    assert 0.05 <= partial <= 0.30, partial
    styles = {
        "rs": r"\d\d\.\d\d\.\d{4}\.",
        "de": r"\d\d\.\d\d\.\d{4}",
        "fr": r"\d\d/\d\d/\d{4}",
        "uk": r"\d{1,2} [A-Z][a-z]+ \d{4}",
        "iso": r"\d{4}-\d\d-\d\d",
    }
    for style, pattern in styles.items():
        assert any(re.fullmatch(pattern, d) for d in dates), style
