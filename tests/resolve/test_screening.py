"""Sanctions lists: import (all problems named, atomic), cross-script screening with explanations."""

import json

import pytest

from counterflow.errors import InvalidValue, ReportRejected
from counterflow.resolve import screening

from casetools import build_world, viewer


def entity(eid, name, birth=None, nationality=None, schema="Person", **props):
    properties = {"name": [name], **props}
    if birth:
        properties["birthDate"] = [birth]
    if nationality:
        properties["nationality"] = [nationality]
    return json.dumps({"id": eid, "schema": schema, "properties": properties, "datasets": ["gb_ofsi"]})


LIST = [
    entity("ofsi-1", "Драган Петровић", "1980-05-04", "rs", program=["Irregular migration"]),  # Cyrillic
    entity("ofsi-2", "Dragan Petrović", "1961-11-30", "rs"),  # a namesake, born decades earlier
    entity("ofsi-3", "Ahmad Karimi"),  # no birth date listed
    entity("ofsi-4", "Someone Else", "1970-01-01"),
    json.dumps(
        {"id": "ofsi-s1", "schema": "Sanction", "properties": {"program": ["x"]}, "datasets": ["gb_ofsi"]}
    ),
]


@pytest.fixture
def world(tmp_path):
    store = build_world(tmp_path / "screening.sqlite")
    # The organiser's birth date, as rs_mup reported it (so the list's dates can be weighed).
    from counterflow.ingest.pipeline import Ingestor, Submitter

    from casetools import rs_report

    extra = rs_report("11", "p1", "p3")
    extra["entities"][0]["properties"]["birthDate"] = "1980-04-05"  # day and month swapped
    Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(extra)
    yield store
    store.close()


def test_import_names_every_problem_and_writes_nothing_of_a_bad_list(world):
    from counterflow.errors import AccessDenied

    with pytest.raises(AccessDenied):  # a shared list: not for any analyst to replace
        screening.import_list(world, viewer(world, "gb_ukbsu.a"), LIST, "gb_ofsi")
    sup = viewer(world, "gb_ukbsu.sup")
    bad = [LIST[0], "{not json", json.dumps({"id": "", "schema": "Nope", "properties": {}})]
    with pytest.raises(ReportRejected) as err:
        screening.import_list(world, sup, bad, "gb_ofsi")
    text = str(err.value.problems)
    assert "not JSON" in text and "empty entity id" in text and "not a FollowTheMoney schema" in text
    assert screening.list_summaries(world) == []
    with pytest.raises(InvalidValue, match="list name"):
        screening.import_list(world, sup, LIST, "GB OFSI")
    done = screening.import_list(world, sup, LIST, "gb_ofsi")
    assert done == {"list": "gb_ofsi", "entries": 4, "replaced": 0, "skipped": 1}  # the Sanction entity
    again = screening.import_list(
        world, viewer(world, "gb_ukbsu.sup"), LIST[:2], "gb_ofsi"
    )  # a new edition replaces the old
    assert again["replaced"] == 4 and screening.list_summaries(world)[0]["entries"] == 2


def test_screening_matches_across_scripts_weighs_dates_and_explains(world):
    uk = viewer(world, "gb_ukbsu.a")
    screening.import_list(world, viewer(world, "gb_ukbsu.sup"), LIST, "gb_ofsi")
    found = {(m["entity_id"], m["listed_id"]): m for m in screening.screen(world, uk)}
    boss = found[("rs-mup.p1", "ofsi-1")]
    parts = boss["explanation"]["parts"]
    assert {(p["ours"], p["listed"]) for p in parts} == {("Dragan", "Драган"), ("Petrović", "Петровић")}
    assert all(p["scripts"] == ["Latin", "Cyrillic"] for p in parts)
    assert boss["explanation"]["birth_dates"] == "day and month swapped"
    assert boss["programme"] == "Irregular migration" and boss["explanation"]["countries"] == []
    # The namesake born in 1961 is not our organiser (born 1980): no match, despite the same name.
    assert ("rs-mup.p1", "ofsi-2") not in found
    # No birth date on the list: a weaker match, still shown as a lead.
    karimi = found[("rs-mup.p3", "ofsi-3")]
    assert karimi["explanation"]["birth_dates"] == "unknown" and karimi["score"] < boss["score"]
    assert not any(k[1] == "ofsi-4" for k in found)


def test_screening_sees_only_what_the_viewer_may_see(world):
    screening.import_list(world, viewer(world, "gb_ukbsu.sup"), LIST, "gb_ofsi")
    hr = screening.screen(world, viewer(world, "hr_mup.a"))
    assert {m["entity_id"] for m in hr} == {"hr-mup.p1"}  # hr_mup's own namesake record only
    assert screening.screen(world, viewer(world, "gb_ukbsu.a"), lists=["un_sc"]) == []
