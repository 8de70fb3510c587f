import json

import pytest
from followthemoney.statement import Statement
from followthemoney.statement.serialize import CSV, write_statements

from counterflow.errors import ConfigurationError, ReportRejected
from counterflow.ingest.readers import base
from counterflow.ingest.readers.base import RawReport, Rejected
from counterflow.ingest.readers.ftm import read_ftm_entities, read_ftm_statements
from counterflow.ingest.readers.header import ReportHeader
from counterflow.ingest.report import parse_report


def header(report_id="HU-FTM-1", agency="hu_police"):
    return ReportHeader.from_options(
        agency=agency,
        report_id=report_id,
        reported_at="2026-03-20",
        grading="4x4:B3",
        handling="SIENA:H2",
        classification="OFFICIAL-SENSITIVE",
    )


ENTITIES = [
    {
        "id": "p1",
        "schema": "Person",
        "properties": {"name": ["Ahmad Nagy"], "phone": ["+36 30 123 4567"]},
        "datasets": ["hu_police"],
    },
    {
        "id": "v1",
        "schema": "Vehicle",
        "properties": {"registrationNumber": ["ABC-123"], "country": ["hu"], "operator": ["p1"]},
    },
    {
        "id": "t1",
        "schema": "Trip",
        "caption": "Trip",
        "properties": {"name": ["Röszke run"], "vehicle": ["v1"], "involved": ["p1", "other_1"]},
    },
]


def jsonl(path, rows):
    lines = ((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_entities_one_report(tmp_path):
    found = list(read_ftm_entities(jsonl(tmp_path / "e.jsonl", ENTITIES), header()))
    assert len(found) == 1 and isinstance(found[0], RawReport)
    data = found[0].data
    assert data["report_id"] == "HU-FTM-1"
    trip = data["entities"][2]
    assert trip["properties"]["vehicle"] == ["v1"]  # same part: local id
    # other_1 is not in the file: a full id, hashed like the entity's own id would be
    assert trip["properties"]["involved"][1].startswith("hu-police.h")
    parsed = parse_report(data)
    assert any(
        s.entity_id == "hu-police.t1" and s.prop == "vehicle" and s.value == "hu-police.v1"
        for s in parsed.statements
    )
    assert found[0].locate("entities[1].properties.country[0]") == "e.jsonl line 2, property country[0]"


def test_entities_split_into_parts_keep_references(tmp_path, monkeypatch):
    monkeypatch.setattr(base, "PART_ROWS", 2)
    found = list(read_ftm_entities(jsonl(tmp_path / "e.jsonl", ENTITIES), header()))
    assert [f.data["report_id"] for f in found] == ["HU-FTM-1#1", "HU-FTM-1#2"]
    trip = found[1].data["entities"][0]
    assert trip["properties"]["vehicle"] == ["hu-police.v1"]
    for f in found:
        parse_report(f.data)


def test_entities_problems_name_lines(tmp_path):
    rows = [
        ENTITIES[0],
        "{not json",
        {"id": "x", "schema": "Person", "properties": {"name": ["A"]}, "datasets": ["rs_mup"]},
        {"schema": "Person"},
        [1, 2],
    ]
    found = list(read_ftm_entities(jsonl(tmp_path / "e.jsonl", rows), header()))
    assert len(found) == 1 and isinstance(found[0], Rejected)
    wheres = [p.where for p in found[0].problems]
    assert wheres == ["e.jsonl line 2", "e.jsonl line 3 datasets", "e.jsonl line 4 id", "e.jsonl line 5"]
    assert "not the reporting agency hu_police" in found[0].problems[1].reason


def test_bad_value_located(tmp_path):
    rows = [{"id": "p1", "schema": "Person", "properties": {"phone": ["call me maybe"]}}]
    report = next(read_ftm_entities(jsonl(tmp_path / "e.jsonl", rows), header()))
    with pytest.raises(ReportRejected) as info:
        parse_report(report.data)
    assert report.locate(info.value.problems[0].where) == "e.jsonl line 1, property phone[0]"


def test_header_must_be_complete(tmp_path):
    partial = ReportHeader.from_dict(
        {"agency": "rs_mup", "grading": "4x4:B2", "handling": "SIENA:H0", "classification": "OFFICIAL"},
        partial=True,
    )
    with pytest.raises(ConfigurationError):
        list(read_ftm_entities(jsonl(tmp_path / "e.jsonl", ENTITIES), partial))


def statements_csv(path, stmts):
    with path.open("wb") as fh:
        write_statements(fh, CSV, stmts)
    return path


def ftm_statements(dataset="hu_police"):
    return [
        Statement("p1", "id", "Person", "p1", dataset),
        Statement("p1", "name", "Person", "Ахмад Наѓи", dataset, lang="mkd"),
        Statement("p1", "name", "LegalEntity", "Ahmad Nagy", dataset, lang="eng"),
        Statement("p1", "birthDate", "Person", "1989-04-12", dataset),
        Statement("o1", "name", "Company", "Balkan Trans d.o.o.", dataset),
        Statement("a1", "owner", "Ownership", "p1", dataset),
        Statement("a1", "asset", "Ownership", "o1", dataset),
        Statement("a1", "asset", "Ownership", "o9", dataset, external=True),
    ]


def test_statements_round_trip(tmp_path):
    path = statements_csv(tmp_path / "s.csv", ftm_statements())
    found = list(read_ftm_statements(path, header()))
    assert len(found) == 1 and isinstance(found[0], RawReport)
    entities = found[0].data["entities"]
    assert [e["id"] for e in entities] == ["p1", "o1", "a1"]
    person = entities[0]
    assert person["schema"] == "Person"
    assert person["properties"]["name"] == [
        {"value": "Ахмад Наѓи", "lang": "mk"},
        {"value": "Ahmad Nagy", "lang": "en"},
    ]
    assert entities[2]["properties"]["asset"] == ["o1"]  # external statement skipped
    assert found[0].locate("entities[0].properties.birthDate[0]") == "s.csv row 5, column value (birthDate)"
    parsed = parse_report(found[0].data)
    assert any(s.entity_id == "hu-police.a1" and s.value == "hu-police.p1" for s in parsed.statements)


def test_statements_parts(tmp_path):
    path = statements_csv(tmp_path / "s.csv", ftm_statements())
    found = list(read_ftm_statements(path, header(), part_rows=3))
    ids = [f.data["report_id"] for f in found]
    assert ids == ["HU-FTM-1#1", "HU-FTM-1#2"]
    assert found[1].data["entities"][-1]["properties"]["owner"] == ["hu-police.p1"]
    for f in found:
        parse_report(f.data)


def test_statements_other_agency_and_broken_rows(tmp_path):
    path = statements_csv(tmp_path / "s.csv", ftm_statements(dataset="rs_mup"))
    rejected = next(read_ftm_statements(path, header()))
    assert isinstance(rejected, Rejected)
    assert rejected.problems[0].where == "s.csv row 2, column dataset"
    assert len(rejected.problems) == 7  # one per statement (the external one is skipped)
    other = statements_csv(tmp_path / "o.csv", ftm_statements(dataset="us_ofac_sdn"))
    assert isinstance(next(read_ftm_statements(other, header())), RawReport)
    broken = tmp_path / "b.csv"
    broken.write_text(
        'entity_id,prop,schema,value\np1,name,Person,A\np1,name,Person\np1,name,Person,"unterminated\n',
        encoding="utf-8",
    )
    rejected = next(read_ftm_statements(broken, header()))
    assert [p.where for p in rejected.problems] == ["b.csv row 3", "b.csv row 4"]
    notftm = tmp_path / "n.csv"
    notftm.write_text("a,b\n1,2\n", encoding="utf-8")
    rejected = next(read_ftm_statements(notftm, header()))
    assert "missing columns entity_id, prop, schema, value" in rejected.problems[0].reason
