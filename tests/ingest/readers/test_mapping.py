import datetime
import zipfile

import openpyxl
import pytest

from counterflow.errors import ConfigurationError, ReportRejected
from counterflow.ingest.readers import base, tables
from counterflow.ingest.readers.base import RawReport, Rejected
from counterflow.ingest.readers.header import ReportHeader
from counterflow.ingest.readers.mapping import load_mapping, read_mapped, shipped_mappings
from counterflow.ingest.report import parse_report

HEADER = """\
report:
  agency: {agency}
  id: "{id}"
  reported_at: "2026-03-20"
  grading: {{scheme: 4x4, source: B, information: "2"}}
  handling: {{scheme: SIENA, code: H0}}
  classification: OFFICIAL
"""

HU = (
    HEADER.format(agency="hu_police", id="HU-DET-{file_stem}")
    + """\
  observed_at_column: detected_at
  language: hu
source:
  delimiter: ";"
  encoding: utf-8-sig
entities:
  person:
    schema: Person
    keys: [surname, given_name, birth_date]
    roles: [suspect]
    properties:
      name: {columns: [given_name, surname], join: " "}
      birthDate: {column: birth_date}
      nationality: {column: nationality}
      phone: {column: phone, split: ",", required: false}
  detection:
    schema: Event
    keys: [record_no]
    properties:
      name: {literal: "Border detection"}
      date: {column: detected_at}
      location: {column: place}
      involved: {entity: person}
"""
)
HU_COLUMNS = "record_no;surname;given_name;birth_date;nationality;phone;detected_at;place"


def write(path, text, encoding="utf-8"):
    path.write_text(text, encoding=encoding)
    return path


def hu_csv(tmp_path, rows, name="detections.csv", bom=True):
    text = ("\ufeff" if bom else "") + HU_COLUMNS + "\n" + "".join(r + "\n" for r in rows)
    return write(tmp_path / name, text)


def items(path, mapping, **kw):
    return list(read_mapped(path, mapping, **kw))


def only_report(found):
    assert len(found) == 1, found
    assert isinstance(found[0], RawReport), found[0]
    return found[0]


def only_rejected(found):
    rejected = [f for f in found if isinstance(f, Rejected)]
    assert len(rejected) == 1, found
    return rejected[0]


ROWS = [
    "1;Nagy;Ahmad;12.04.1989;sy;+36 30 123 4567,+36 70 555 0101;14.03.2026;Röszke",
    "2;Nagy;Ahmad;12.04.1989;sy;;15.03.2026;Tompa",
    "3;Kiss;Omar;01.01.1990;af;06 30 765 4321;15.03.2026;Tompa",
]


def test_semicolon_csv_with_bom_round_trips(tmp_path):
    mapping = load_mapping(write(tmp_path / "hu.yml", HU))
    report = only_report(items(hu_csv(tmp_path, ROWS), mapping))
    data = report.data
    assert data["report_id"] == "HU-DET-detections"
    assert data["language"] == "hu"
    people = [e for e in data["entities"] if e["schema"] == "Person"]
    events = [e for e in data["entities"] if e["schema"] == "Event"]
    assert len(people) == 2 and len(events) == 3  # Ahmad's two rows merged
    ahmad = people[0]
    assert ahmad["id"].startswith("person-") and len(ahmad["id"]) == len("person-") + 16
    assert ahmad["roles"] == ["suspect"]
    phones = [v["value"] for v in ahmad["properties"]["phone"]]
    assert phones == ["+36 30 123 4567", "+36 70 555 0101"]
    name = ahmad["properties"]["name"][0]
    assert name == {
        "value": "Ahmad Nagy",
        "observed_at": "2026-03-14",
        "first_seen": "2026-03-14",
        "last_seen": "2026-03-15",
    }
    assert events[0]["properties"]["involved"] == [ahmad["id"]]
    assert events[0]["observed_at"] == "2026-03-14"
    assert report.locate("entities[0].properties.phone[1]") == "detections.csv row 2, column phone"
    assert report.locate("entities[3].properties.phone[0]") == "detections.csv row 4, column phone"
    assert report.locate("entities[0].roles[0]") == "detections.csv row 2, mapping roles"
    parsed = parse_report(data, source=report.source)
    assert {s.entity_id for s in parsed.statements} >= {f"hu-police.{ahmad['id']}"}
    assert any(s.prop == "phone" and s.value == "+36705550101" for s in parsed.statements)


def test_locate_names_row_and_column_of_a_bad_value(tmp_path):
    mapping = load_mapping(write(tmp_path / "hu.yml", HU))
    rows = [*ROWS[:2], "3;Kiss;Omar;01.01.1990;af;not a phone;15.03.2026;Tompa"]
    report = only_report(items(hu_csv(tmp_path, rows), mapping))
    with pytest.raises(ReportRejected) as info:
        parse_report(report.data)
    where = [report.locate(p.where) for p in info.value.problems]
    assert "detections.csv row 4, column phone" in where


def test_same_keys_give_same_ids_across_files(tmp_path):
    mapping = load_mapping(write(tmp_path / "hu.yml", HU))
    a = only_report(items(hu_csv(tmp_path, ROWS[:1], "a.csv"), mapping))
    b = only_report(items(hu_csv(tmp_path, ROWS[1:2], "b.csv", bom=False), mapping))
    assert a.data["entities"][0]["id"] == b.data["entities"][0]["id"]
    assert a.data["report_id"] == "HU-DET-a" and b.data["report_id"] == "HU-DET-b"


def test_empty_keys_skip_entity_and_references(tmp_path):
    mapping = load_mapping(write(tmp_path / "hu.yml", HU))
    report = only_report(
        items(hu_csv(tmp_path, [";;;;;;14.03.2026;Horgoš", "9;;;;;;14.03.2026;Horgoš", ""]), mapping)
    )
    assert [e["schema"] for e in report.data["entities"]] == ["Event"]
    assert "involved" not in report.data["entities"][0]["properties"]
    parse_report(report.data)


def test_serbian_xlsx_with_cyrillic(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Лица"
    ws.append(["презиме", "име", "датум рођења", "телефон", "таблице", "улога"])
    ws.append(["Петровић", "Марко", datetime.datetime(1985, 6, 1), "064 123 4567", "BG 123-AB", "driver"])
    ws.append(["Јовановић", "Ана", datetime.datetime(1992, 11, 23), "065 765 4321", "NI 555-XY", "organiser"])
    ws.append([None, None, None, None, None, None])
    path = tmp_path / "lica.xlsx"
    wb.save(path)
    text = (
        HEADER.format(agency="rs_mup", id="RS-MUP-{file_stem}")
        + """\
  language: sr
source:
  sheet: Лица
entities:
  osoba:
    schema: Person
    keys: [презиме, име, датум рођења]
    roles_column: улога
    properties:
      lastName: {column: презиме}
      firstName: {column: име}
      name: {columns: [име, презиме]}
      birthDate: {column: датум рођења}
      phone: {column: телефон}
  vozilo:
    schema: Vehicle
    keys: [таблице]
    properties:
      registrationNumber: {column: таблице}
      country: {literal: rs}
      operator: {entity: osoba}
"""
    )
    mapping = load_mapping(write(tmp_path / "rs.yml", text))
    report = only_report(items(path, mapping))
    people = [e for e in report.data["entities"] if e["schema"] == "Person"]
    assert people[0]["properties"]["name"] == ["Марко Петровић"]
    assert people[0]["properties"]["birthDate"] == ["1985-06-01"]
    assert people[1]["roles"] == ["organiser"]
    parsed = parse_report(report.data)
    names = {s.original_value or s.value for s in parsed.statements if s.prop == "name"}
    assert "Марко Петровић" in names
    assert any(s.prop == "phone" and s.value == "+381641234567" for s in parsed.statements)


CDR = (
    "record_id,caller,callee,start,duration_s,cell_id,cell_lat,cell_lon\n"
    "c1,064 123 4567,+36 30 123 4567,2026-03-12 03:40:00,95,RS-NI-0042,43.3209,21.8958\n"
    "c2,064 123 4567,065 765 4321,2026-03-12 04:10:00,12,RS-NI-0042,43.3209,21.8958\n"
    "c3,065 765 4321,064 123 4567,2026-03-12 05:00:00,40,,,\n"
)


def test_cdr_shipped_mapping_via_extends(tmp_path):
    assert {"cdr", "anpr"} <= set(shipped_mappings())
    yml = write(tmp_path / "calls.yml", "extends: cdr\n" + HEADER.format(agency="rs_bia", id="RS-CDR-7"))
    mapping = load_mapping(yml)
    report = only_report(items(write(tmp_path / "calls.csv", CDR), mapping))
    by_schema = {}
    for ent in report.data["entities"]:
        by_schema.setdefault(ent["schema"], []).append(ent)
    assert len(by_schema["Call"]) == 3 and len(by_schema["Address"]) == 1 and len(by_schema["Event"]) == 3
    cell = by_schema["Address"][0]
    assert cell["properties"]["latitude"] == [
        {
            "value": "43.3209",
            "observed_at": "2026-03-12T03:40:00",
            "first_seen": "2026-03-12T03:40:00",
            "last_seen": "2026-03-12T04:10:00",
        }
    ]
    assert by_schema["Event"][0]["properties"]["addressEntity"] == [cell["id"]]
    assert "addressEntity" not in by_schema["Event"][2]["properties"]
    assert by_schema["Call"][0]["observed_at"] == "2026-03-12T03:40:00"
    parsed = parse_report(report.data)
    assert any(s.prop == "callerNumber" and s.value == "+381641234567" for s in parsed.statements)


ANPR = (
    "read_id,plate,country,camera_id,camera_name,lat,lon,read_at,direction\n"
    "r1,BG 123-AB,RS,CAM-7,Preševo A1 km 12,42.3081,21.6483,12.03.2026 03:41,north\n"
    "r2,BG 123-AB,RS,CAM-9,Vranje A1 km 40,42.5521,21.9001,12.03.2026 04:05,north\n"
)


def test_anpr_shipped_mapping_with_header_from_options(tmp_path):
    header = ReportHeader.from_options(
        agency="rs_mup",
        report_id="RS-ANPR-{file_stem}",
        reported_at="2026-03-13",
        grading="4x4:A1",
        handling="SIENA:H1",
        classification="OFFICIAL",
    )
    mapping = load_mapping("anpr").with_report(header)
    report = only_report(items(write(tmp_path / "reads.csv", ANPR), mapping))
    assert report.data["report_id"] == "RS-ANPR-reads"
    vehicles = [e for e in report.data["entities"] if e["schema"] == "Vehicle"]
    trips = [e for e in report.data["entities"] if e["schema"] == "Trip"]
    assert len(vehicles) == 1 and len(trips) == 2
    assert trips[0]["properties"]["vehicle"] == [vehicles[0]["id"]]
    assert trips[0]["properties"]["startLocation"] == trips[0]["properties"]["endLocation"]
    parsed = parse_report(report.data)
    assert any(s.prop == "registrationNumber" and s.value == "BG123AB" for s in parsed.statements)


def test_extends_overrides_source_and_report(tmp_path):
    yml = write(
        tmp_path / "anpr_hu.yml",
        "extends: anpr\nsource: {delimiter: ';'}\n"
        + HEADER.format(agency="hu_police", id="X")
        + "  observed_at_column: null\n",
    )
    assert load_mapping(yml).report.observed_at_column is None  # null switches the base's column off
    yml.write_text("extends: anpr\nsource: {delimiter: ';'}\n" + HEADER.format(agency="hu_police", id="X"))
    mapping = load_mapping(yml)
    assert mapping.source.delimiter == ";"
    assert mapping.report.observed_at_column == "read_at"
    report = only_report(items(write(tmp_path / "r.csv", ANPR.replace(",", ";")), mapping))
    parse_report(report.data)


def test_mapping_problems_listed_at_once(tmp_path):
    text = """\
report:
  agency: hu_police
  id: "HU-{file_steem}"
  id_column: ref
  grading: 4x4:B9
  handling: {scheme: SIENA, code: H0}
  classification: OFFICIAL
colour: blue
source: {format: ods, delimter: ";"}
entities:
  person:
    schema: Persn
    keys: [a]
  car:
    schema: Vehicle
    keys: []
    roles: [driver]
    properties:
      plate: {column: p}
      owner: {entity: ghost}
      registrationNumber: {column: p, literal: x}
  trip:
    schema: Trip
    keys: [t]
    properties:
      vehicle: {entity: trip}
      name: {entity: car}
"""
    with pytest.raises(ConfigurationError) as info:
        load_mapping(write(tmp_path / "bad.yml", text))
    problems = "\n".join(info.value.details["problems"])
    for fragment in (
        "{file_steem}",
        "exactly one of id and id_column",
        "exactly one of reported_at",
        "grading",
        "colour",
        "format: 'ods'",
        "delimter",
        "unknown schema 'Persn'",
        "car.keys",
        "roles apply to persons",
        "no property 'plate'",
        "no mapping entity 'ghost'",
        "exactly one of column, columns, literal, entity",
        "'vehicle' takes a Vehicle",
        "'name' is a name, not an entity reference",
    ):
        assert fragment in problems, fragment
    assert len(info.value.details["problems"]) >= 15


def test_unknown_and_cyclic_mappings(tmp_path):
    with pytest.raises(ConfigurationError, match="shipped: anpr, cdr"):
        load_mapping("nonesuch")
    a = write(tmp_path / "a.yml", "extends: b.yml\n")
    write(tmp_path / "b.yml", "extends: a.yml\n")
    with pytest.raises(ConfigurationError, match="extends itself"):
        load_mapping(a)


def test_missing_columns_listed_at_once(tmp_path):
    mapping = load_mapping(write(tmp_path / "hu.yml", HU))
    path = write(tmp_path / "d.csv", "record_no;surname;phone;place\n1;Nagy;;Tompa\n")
    with pytest.raises(ConfigurationError) as info:
        items(path, mapping)
    assert "given_name, birth_date, nationality, detected_at" in info.value.details["problems"][0]


def test_mapping_without_header_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError, match="no report header"):
        items(write(tmp_path / "c.csv", CDR), load_mapping("cdr"))


def problems_of(found):
    return [(p.where, p.reason) for p in only_rejected(found).problems]


def test_wrong_encoding_names_row_and_column(tmp_path):
    mapping = load_mapping(write(tmp_path / "hu.yml", HU.replace("utf-8-sig", "utf-8")))
    path = tmp_path / "d.csv"
    latin2 = "4;Šarić;Ivo;01.01.1990;hr;;15.03.2026;Tompa\n".encode("cp1250")
    path.write_bytes((HU_COLUMNS + "\n" + ROWS[2] + "\n").encode() + latin2)
    found = problems_of(items(path, mapping))
    assert found[0][0] == "d.csv row 3, column surname" and "not valid utf-8" in found[0][1]


def test_nul_ragged_and_short_rows_all_named(tmp_path):
    mapping = load_mapping(write(tmp_path / "hu.yml", HU))
    rows = [
        ROWS[0],
        "2;Nagy;Ah\x00mad;12.04.1989;sy;;15.03.2026;Tompa",
        ROWS[2] + ";extra;more",
        "4;Kiss;Omar",
    ]
    found = problems_of(items(hu_csv(tmp_path, rows), mapping))
    wheres = [w for w, _ in found]
    assert wheres == [
        "detections.csv row 3, column given_name",
        "detections.csv row 4, column 9",
        "detections.csv row 5",
    ]
    assert "NUL" in found[0][1] and "10 cells" in found[1][1] and "missing: birth_date" in found[2][1]


def test_unterminated_quote_stops_with_row(tmp_path):
    mapping = load_mapping(write(tmp_path / "hu.yml", HU))
    rows = [ROWS[0], '2;"Nagy;Ahmad;12.04.1989;sy;;15.03.2026;Tompa', ROWS[2]]
    rejected = only_rejected(items(hu_csv(tmp_path, rows), mapping))
    assert rejected.problems[0].where.startswith("detections.csv row 3")
    assert "unterminated quote" in rejected.problems[0].reason


def test_required_empty_and_bad_role(tmp_path):
    text = HU.replace("roles: [suspect]", "roles_column: role").replace("required: false", "required: true")
    mapping = load_mapping(write(tmp_path / "hu.yml", text))
    path = write(
        tmp_path / "d.csv",
        HU_COLUMNS.replace(";", ",") + ",role\n"
        "1,Nagy,Ahmad,12.04.1989,sy,,14.03.2026,Röszke,suspect\n"
        '2,Kiss,Omar,01.01.1990,af,0630,14.03.2026,Tompa,"driver,kingpin"\n',
    )
    text = text.replace('delimiter: ";"', 'delimiter: ","')
    mapping = load_mapping(write(tmp_path / "hu.yml", text))
    found = problems_of(items(path, mapping))
    assert ("d.csv row 2, column phone", "required value of person.phone is empty") in found
    assert found[1][0] == "d.csv row 3, column role" and "unknown role" in found[1][1]


def test_reported_at_column_must_agree(tmp_path):
    text = HU.replace('reported_at: "2026-03-20"', "reported_at_column: detected_at")
    mapping = load_mapping(write(tmp_path / "hu.yml", text))
    found = problems_of(items(hu_csv(tmp_path, ROWS), mapping))
    assert found == [
        (
            f"detections.csv row {n}, column detected_at",
            "reported_at differs from '2026-03-14' (row 2) in the same report",
        )
        for n in (3, 4)
    ]


def test_monthfirst_dates(tmp_path):
    text = HU.replace("encoding: utf-8-sig", "encoding: utf-8-sig\n  date_format: monthfirst")
    mapping = load_mapping(write(tmp_path / "hu.yml", text))
    rows = ["1;Nagy;Ahmad;04/12/1989;sy;;03/14/2026;Röszke", "2;Kiss;Omar;13/01/1990;af;;03/14/2026;Tompa"]
    rejected = only_rejected(items(hu_csv(tmp_path, rows), mapping))
    assert [p.where for p in rejected.problems] == ["detections.csv row 3, column birth_date"]
    report = only_report(items(hu_csv(tmp_path, rows[:1]), mapping))
    person = report.data["entities"][0]
    assert person["properties"]["birthDate"] == ["1989-04-12"]
    assert person["observed_at"] == "2026-03-14"
    parse_report(report.data)


def test_large_file_split_into_parts(tmp_path, monkeypatch):
    mapping = load_mapping(write(tmp_path / "hu.yml", HU))
    rows = [f"{i};Nagy;Ahmad;12.04.1989;sy;;14.03.2026;Röszke" for i in range(1, 6)]
    monkeypatch.setattr(base, "PART_ROWS", 2)
    found = items(hu_csv(tmp_path, rows), mapping)
    assert [f.data["report_id"] for f in found] == [
        "HU-DET-detections#1",
        "HU-DET-detections#2",
        "HU-DET-detections#3",
    ]
    assert [f.source.split(" rows ")[1] for f in found] == ["2-3", "4-5", "6-6"]
    person_ids = {f.data["entities"][0]["id"] for f in found}
    assert len(person_ids) == 1
    for f in found:
        parse_report(f.data)
    single = items(hu_csv(tmp_path, rows[:2], "small.csv"), mapping)
    assert [f.data["report_id"] for f in single] == ["HU-DET-small"]


def test_part_with_bad_row_rejected_alone(tmp_path):
    mapping = load_mapping(write(tmp_path / "hu.yml", HU))
    rows = [ROWS[0], ROWS[1], ROWS[2] + ";x", ROWS[0]]
    found = items(hu_csv(tmp_path, rows), mapping, part_rows=2)
    assert [type(f).__name__ for f in found] == ["RawReport", "Rejected"]
    assert found[1].label == "HU-DET-detections#2"


def test_id_column_reports(tmp_path):
    text = HU.replace('id: "HU-DET-{file_stem}"', "id_column: ref")
    mapping = load_mapping(write(tmp_path / "hu.yml", text))
    header = HU_COLUMNS + ";ref"
    body = [ROWS[0] + ";A", ROWS[1] + ";B", ROWS[2] + ";A", ROWS[2] + ";"]
    found = items(write(tmp_path / "d.csv", header + "\n" + "\n".join(body) + "\n"), mapping)
    reports = [f for f in found if isinstance(f, RawReport)]
    assert sorted(r.data["report_id"] for r in reports) == ["A", "B"]
    for r in reports:
        parse_report(r.data)
    assert problems_of(found) == [
        ("d.csv row 5, column ref", "empty report id: the row belongs to no report")
    ]


def make_xlsx(path, rows):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_not_an_xlsx(tmp_path):
    mapping = load_mapping("anpr")
    found = items(write(tmp_path / "reads.xlsx", ANPR), mapping)
    assert "not a valid xlsx file" in only_rejected(found).problems[0].reason
    fake = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(fake, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    assert "not a readable xlsx workbook" in only_rejected(items(fake, mapping)).problems[0].reason


def test_zip_bomb_rejected_before_opening(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    chunk = b"<c><v>1</v></c>" * 65536
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for _ in range(300 * 2**20 // len(chunk)):
                fh.write(chunk)
    assert bomb.stat().st_size < 5 * 2**20
    rejected = only_rejected(items(bomb, load_mapping("anpr")))
    assert "over the 200 MiB limit" in rejected.problems[0].reason


def test_zip_ratio_limit(tmp_path, monkeypatch):
    dense = tmp_path / "dense.xlsx"
    with zipfile.ZipFile(dense, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"A" * (8 * 2**20))
    rejected = only_rejected(items(dense, load_mapping("anpr")))
    assert "compression ratio" in rejected.problems[0].reason
    assert rejected.problems[0].where == "dense.xlsx entry xl/worksheets/sheet1.xml"
    monkeypatch.setattr(tables, "MAX_XLSX_RATIO", 10**6)
    reason = only_rejected(items(dense, load_mapping("anpr"))).problems[0].reason
    assert "not a readable xlsx workbook" in reason


def test_xlsx_cells_beyond_header_and_missing_sheet(tmp_path):
    header = ReportHeader.from_options(
        agency="rs_mup",
        report_id="R",
        reported_at="2026-03-13",
        grading="4x4:A1",
        handling="SIENA:H0",
        classification="OFFICIAL",
    )
    cols = ANPR.splitlines()[0].split(",")
    path = make_xlsx(tmp_path / "r.xlsx", [cols, [*ANPR.splitlines()[1].split(","), None, "stray"]])
    mapping = load_mapping("anpr").with_report(header)
    found = problems_of(items(path, mapping))
    assert found[0][0] == "r.xlsx row 2, column 11 (beyond the header)"
    yml = write(tmp_path / "m.yml", "extends: anpr\nsource: {sheet: Reads}\n")
    with pytest.raises(ConfigurationError, match="no sheet 'Reads'"):
        items(path, load_mapping(yml).with_report(header))


def test_damaged_workbooks_found_by_fuzzing_are_rejected(tmp_path):
    """A workbook with no worksheet, and a zip needing a version Python cannot read: rejections,
    not crashes (both found by scripts/fuzz_readers.py)."""
    path = make_xlsx(tmp_path / "ok.xlsx", [["a"], ["1"]])
    data = bytearray(path.read_bytes())
    # "version needed to extract" of every central directory entry set to 7.7
    at = data.find(b"PK\x01\x02")
    while at != -1:
        data[at + 6 : at + 8] = (77).to_bytes(2, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    bad = tmp_path / "version.xlsx"
    bad.write_bytes(bytes(data))
    assert "not a valid xlsx file" in only_rejected(items(bad, load_mapping("anpr"))).problems[0].reason
    empty = tmp_path / "nosheet.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(empty, "w") as dst:
        for info in src.infolist():
            if "worksheets/" not in info.filename:
                dst.writestr(info, src.read(info.filename))
    reason = only_rejected(items(empty, load_mapping("anpr"))).problems[0].reason
    assert "no worksheet" in reason or "not a readable xlsx workbook" in reason
