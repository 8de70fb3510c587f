"""Need-to-know and victims-first across cases, screening and alerts (cases that slipped before)."""

import json

import pytest

from counterflow.alerts.engine import run
from counterflow.alerts.feed import alert_feed
from counterflow.alerts.watchlist import add_watch
from counterflow.cases import files
from counterflow.cases.briefing import build_briefing, render_html
from counterflow.cases.exports import export_case
from counterflow.cases.material import gather
from counterflow.errors import InvalidValue
from counterflow.ingest.pipeline import Ingestor, Submitter
from counterflow.model.handling import Classification, Handling
from counterflow.resolve import screening, service

from casetools import NAMES, rs_report, viewer


def _hr(store, data):
    Ingestor(store, submitter=Submitter("hr_mup.a", "hr_mup")).ingest_report(data)


def _hr_victim(store, name="Lejla Begić"):
    data = {**rs_report("1", "p1", "p2"), "agency": "hr_mup", "report_id": "HR-V", "language": "hr"}
    data["entities"] = [{"id": "v1", "schema": "Person", "roles": ["victim"], "properties": {"name": name}}]
    _hr(store, data)


def test_an_invisible_victim_is_only_unknown_and_a_merged_victim_is_never_a_target(world):
    _hr_victim(world)
    uk = viewer(world, "gb_ukbsu.a")
    files.create_case(world, uk, "op-drina", "Drina")
    with pytest.raises(InvalidValue) as err:
        files.add_targets(world, uk, "op-drina", ["hr-mup.v1"])
    assert "unknown entities: hr-mup.v1" in str(err.value) and "never" not in str(err.value)
    # Croatia flags as a victim a person the UK knows (through rs_mup) only as the driver p2.
    service.merge(world, "hr-mup.v1", "rs-mup.p2", actor="operator", reason="same person")
    with pytest.raises(InvalidValue, match=r"never targets: rs-mup\.p2"):
        files.add_targets(world, uk, "op-drina", ["rs-mup.p2"])
    files.add_targets(world, uk, "op-drina", ["rs-mup.p1"])
    b = build_briefing(gather(world, uk, "op-drina"), k=8)
    html = render_html(b)
    latin = "Milan Jovanovic"  # p2, as stored
    assert latin not in html and "rs-mup.p2" not in {
        t["id"] for v in b["views"].values() for t in v["plan"]["targets"]
    }


def test_alert_titles_are_shown_only_to_readers_of_all_their_evidence(world):
    sup = viewer(world, "gb_ukbsu.sup")
    listed = {"id": "l1", "schema": "Person", "properties": {"name": ["Драган Петровић"]}, "datasets": ["x"]}
    screening.import_list(world, sup, [json.dumps(listed, ensure_ascii=False)], "gb_ofsi")
    run(world)
    add_watch(world, viewer(world, "gb_ukbsu.a"), "sanctions", "gb_ofsi")
    data = rs_report("11", "p1", "p3")
    # The new associate is reported under 5x5x5 4: rs_mup's eyes only; the tie itself under H0.
    data["entities"][1] = {
        "id": "s9",
        "schema": "Person",
        "handling": {"scheme": "5x5x5", "code": "4"},
        "properties": {"name": "Secret Informant"},
    }
    data["entities"][2]["properties"]["associate"] = "s9"
    Ingestor(world, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(data)
    run(world)
    feed = {a["rule"]: a for a in alert_feed(world, viewer(world, "gb_ukbsu.a"))}
    tie = feed["designated-associate"]
    assert tie["evidence"] and tie["subject"] is None and "not yours to see" in tie["title"]
    assert "Informant" not in str(feed)
    from counterflow.model.visibility import Viewer

    assert "Secret Informant" in str(alert_feed(world, Viewer.operator()))  # the title was written whole


def test_screening_never_returns_a_victim(world):
    sup = viewer(world, "gb_ukbsu.sup")
    listed = {"id": "l9", "schema": "Person", "properties": {"name": [NAMES["p9"]]}, "datasets": ["x"]}
    screening.import_list(world, sup, [json.dumps(listed)], "gb_ofsi")
    assert screening.screen(world, viewer(world, "gb_ukbsu.a")) == []


def test_documents_follow_the_owners_agreements_and_the_evidential_view(world, tmp_path):
    uk = viewer(world, "gb_ukbsu.a")
    files.create_case(world, uk, "op-drina", "Drina")
    files.add_targets(world, uk, "op-drina", ["rs-mup.p1"])
    files.add_participant(world, uk, "op-drina", "rs_mup.a")
    for exhibit, code in (("A/1", ("5x5x5", "5")), ("A/2", ("SIENA", "H1")), ("A/3", ("SIENA", "H0"))):
        handling = Handling.parse(*code)
        files.add_document(world, uk, "op-drina", exhibit=exhibit, filename="свидетель.txt", content=b"x",
                           handling=handling, classification=Classification.OFFICIAL)  # fmt: skip
    # rs_mup has no agreement letting it read the UK unit's material: it sees none of the exhibits.
    assert files.get_case(world, viewer(world, "rs_mup.a"), "op-drina").documents == []
    manifest = export_case(gather(world, uk, "op-drina"), tmp_path, fmt="ftm", recipient="CPS",
                           documents=True, store=world)  # fmt: skip
    assert manifest["documents"] == [
        "A/1",
        "A/3",
    ]  # the UK's own no-further material may go; H1 not as evidence
    assert {h["code"] for h in manifest["marking"]["handling"]} >= {"5"}


def test_designation_names_come_only_from_released_material(world, tmp_path):
    uk = viewer(world, "gb_ukbsu.a")
    alias = rs_report("12", "p1", "p3", handling="H2")
    alias["entities"][0]["properties"]["name"] = "Gazda Drago"
    Ingestor(world, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(alias)
    files.create_case(world, uk, "op-drina", "Drina")
    files.add_targets(world, uk, "op-drina", ["rs-mup.p1"])
    export_case(gather(world, uk, "op-drina"), tmp_path, fmt="designation", recipient="OFSI", store=world)
    text = (tmp_path / "op-drina-evidential.designation-pack.json").read_text(encoding="utf-8")
    assert "Gazda Drago" not in text
