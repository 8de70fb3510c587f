"""parse_report: every value normalised with provenance, every problem listed, nothing partial."""

import pytest

from counterflow.errors import ReportRejected
from counterflow.ingest.report import parse_report

from reports import report


def reasons(data):
    with pytest.raises(ReportRejected) as info:
        parse_report(data)
    return {p.where: p.reason for p in info.value.problems}


def test_statements_carry_provenance_and_normalised_values():
    parsed = parse_report(report())
    by_prop = {(s.entity_id, s.prop): s for s in parsed.statements}
    name = by_prop[("rs-mup.p17", "name")]
    assert (name.value, name.original_value, name.script) == (
        "Muhamed Alhasan",
        "Мухамед Алхасан",
        "Cyrillic",
    )
    phone = by_prop[("rs-mup.p17", "phone")]
    assert phone.value == "+381641234567" and phone.evidence["region_hint"] == "RS"
    assert by_prop[("rs-mup.p17", "birthDate")].value == "1989-04-12"
    assert by_prop[("rs-mup.v3", "registrationNumber")].value == "BG123AB"
    assert by_prop[("rs-mup.t1", "vehicle")].value == "rs-mup.v3"
    assert by_prop[("rs-mup.p17", "role")].value == "driver"
    for s in parsed.statements:
        assert s.agency == "rs_mup" and s.report_id == "RS-2026-0001"
        assert s.reported_at == "2026-03-14" and s.observed_at == "2026-03-12"
        assert s.grading.native == "1B" and s.grading.common == "B3"
        assert s.handling.code == "C" and s.handling.conditions == "EU law enforcement only"
        assert s.classification.value == "OFFICIAL-SENSITIVE"


def test_same_phone_differs_by_agency_country():
    rs = parse_report(
        report(entities=[{"id": "p", "schema": "Person", "properties": {"phone": "070 234 567"}}])
    )
    mk = parse_report(
        report(
            agency="mk_mvr",
            entities=[{"id": "p", "schema": "Person", "properties": {"phone": "070 234 567"}}],
        )
    )
    assert rs.statements[0].value.startswith("+381") and mk.statements[0].value == "+38970234567"


def test_per_entity_and_per_value_overrides():
    data = report(
        entities=[
            {
                "id": "n1",
                "schema": "Person",
                "roles": ["victim", "minor"],
                "handling": {"scheme": "SIENA", "code": "H2"},
                "observed_at": "2026-02",
                "properties": {
                    "name": [
                        {
                            "value": "Ahmad K.",
                            "lang": "en",
                            "grading": {"scheme": "3x5x2", "source": "2", "information": "C"},
                        }
                    ],
                    "gender": "male",
                },
            }
        ]
    )
    parsed = parse_report(data)
    name = next(s for s in parsed.statements if s.prop == "name")
    gender = next(s for s in parsed.statements if s.prop == "gender")
    assert name.grading.native == "2C" and gender.grading.native == "1B"
    assert name.lang == "en" and name.handling.code == "H2" and name.observed_at == "2026-02"
    assert {s.value for s in parsed.statements if s.prop == "role"} == {"victim", "minor"}


def test_every_problem_is_listed_at_once():
    data = report(
        grading={"scheme": "3x5x2", "source": "7", "information": "B"},
        handling={"scheme": "SIENA", "code": "H9"},
        classification="RESTRICTED",
        reported_at="31.02.2026",
    )
    data["entities"][0]["properties"]["phone"] = ["12"]
    data["entities"][0]["roles"] = ["kingpin"]
    data["entities"][1]["properties"]["colour"] = "red"
    data["entities"][2]["properties"]["vehicle"] = "v99"
    data["entities"].append({"id": "x", "schema": "Airplane", "properties": {}})
    data["entities"].append({"id": "p17", "schema": "Person", "properties": {}})
    problems = reasons(data)
    assert "not a 3x5x2 source code" in problems["grading"]
    assert "not a SIENA handling code" in problems["handling"]
    assert "unknown marking" in problems["classification"]
    assert "out of range" in problems["reported_at"]
    assert "not a possible number" in problems["entities[0].properties.phone[0]"]
    assert "unknown role" in problems["entities[0].roles[0]"]
    assert "has no property 'colour'" in problems["entities[1].properties.colour"]
    assert "reference to an entity not in this report" in problems["entities[2].properties.vehicle[0]"]
    assert "schema not accepted" in problems["entities[3].schema"]
    assert "duplicate entity id" in problems["entities[4].id"]


@pytest.mark.parametrize(
    ("change", "where", "fragment"),
    [
        ({"format": "counterflow.report/2"}, "format", "was expected"),
        ({"agency": "zz_police"}, "agency", "unknown prefix"),
        ({"unexpected": 1}, "(report)", "Additional properties"),
        ({"handling": {"scheme": "3x5x2", "code": "C"}}, "handling", "requires its conditions text"),
        ({"grading": {"scheme": "4x4", "source": "B"}}, "grading", "'information' is a required property"),
        ({"observed_at": "sometime"}, "observed_at", ""),
    ],
)
def test_header_rejections(change, where, fragment):
    problems = reasons(report(**change))
    assert where in problems and fragment in problems[where]


@pytest.mark.parametrize(
    ("schema", "props", "fragment"),
    [
        ("Person", {"birthDate": "32.13.1989"}, ""),
        ("Person", {"name": "   "}, "empty"),
        ("Person", {"nationality": "Atlantis"}, "not a valid country"),
        ("Vehicle", {"registrationNumber": "!!"}, ""),
        ("BankAccount", {"iban": "RS35 2600 0560 1001 6113 70"}, ""),
        ("Person", {"idNumber": "0101990710006"}, ""),
        ("Person", {"email": "not-an-email"}, ""),
        ("Person", {"phone": 12345}, ""),
        ("Person", {"holder": "p1"}, ""),
    ],
)
def test_value_rejections(schema, props, fragment):
    problems = reasons(report(entities=[{"id": "e", "schema": schema, "properties": props}]))
    assert problems, "the report must be rejected"
    assert any(fragment in r for r in problems.values())


def test_reverse_property_rejected():
    problems = reasons(
        report(entities=[{"id": "e", "schema": "Person", "properties": {"ownershipOwner": "x"}}])
    )
    assert any("reverse property" in r or "no property" in r for r in problems.values())


def test_roles_only_on_persons():
    problems = reasons(
        report(entities=[{"id": "v", "schema": "Vehicle", "roles": ["driver"], "properties": {}}])
    )
    assert "roles apply to persons" in problems["entities[0].roles[0]"]


def test_non_object_report():
    with pytest.raises(ReportRejected):
        parse_report(["not", "a", "report"])


def test_full_entity_id_references_pass():
    data = report(
        entities=[
            {
                "id": "c",
                "schema": "Call",
                "properties": {"caller": "mk-mvr.p3", "callerNumber": "+38970234567"},
            }
        ]
    )
    call = {s.prop: s.value for s in parse_report(data).statements}
    assert call["caller"] == "mk-mvr.p3"


def test_free_text_selectors_and_known_names():
    data = report(
        title="Минибус код Прешева",
        text="Возач Мухамед Алхасан, тел. 064 123 4567, возило BG 123-AB, "
        "uplata na RS35 2600 0560 1001 6113 79, mail smuggler@example.com.",
    )
    parsed = parse_report(data)
    doc = [s for s in parsed.statements if s.schema == "PlainText"]
    found = {(s.prop, s.value) for s in doc}
    assert ("phoneMentioned", "+381641234567") in found
    assert ("ibanMentioned", "RS35260005601001611379") in found
    assert ("emailMentioned", "smuggler@example.com") in found
    names = [s for s in doc if s.prop == "peopleMentioned"]
    assert names and names[0].evidence["entity_id"] == "rs-mup.p17"
    start, end = names[0].evidence["offsets"]
    assert data["text"][start:end] == "Мухамед Алхасан"
    plates = [
        s for s in parsed.statements if s.schema == "Mention" and s.prop == "name" and s.value == "BG123AB"
    ]
    assert plates, "the plate is found as a Mention"
    s, e = plates[0].evidence["offsets"]
    assert data["text"][s:e] == "BG 123-AB"


@pytest.mark.parametrize(
    "entities",
    [
        [{"schema": "Person", "properties": {"name": ["Goran"]}}],  # no id
        [{"id": {"not": "text"}, "schema": "Person", "properties": {}}],
        [{"id": "p1", "schema": {"Person": 1}, "properties": {}}],  # a schema that is not a name
        5,  # entities that are not a list
    ],
)
def test_malformed_entities_are_rejected_not_crashed_on(entities):
    """Found by scripts/fuzz_readers.py: each raised KeyError or TypeError before."""
    data = report()
    data["entities"] = entities
    assert reasons(data)


def test_a_header_of_the_wrong_types_is_rejected_with_every_problem():
    data = report()
    data["agency"] = 5
    data["classification"] = ["OFFICIAL"]
    found = reasons(data)
    assert "agency" in found and "classification" in found
