"""Sanctions watches on ingest: a listed person appears; a designated person gains a new associate."""

import json

import pytest

from counterflow.alerts.engine import run
from counterflow.alerts.feed import alert_feed
from counterflow.alerts.watchlist import add_watch
from counterflow.errors import InvalidValue
from counterflow.ingest.pipeline import Ingestor, Submitter
from counterflow.resolve import screening

from casetools import build_world, rs_report, viewer

LISTED = json.dumps(
    {"id": "ofsi-1", "schema": "Person", "properties": {"name": ["Драган Петровић"]}, "datasets": ["gb_ofsi"]}
)


@pytest.fixture
def world(tmp_path):
    store = build_world(tmp_path / "sanctions-alerts.sqlite")
    run(store)  # the world's own reports came before any watch
    yield store
    store.close()


def _ingest(store, data):
    Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(data)


def _new_person(rid, other, name, roles=None):
    data = rs_report(rid, "p1", "p3")
    person = {"id": other, "schema": "Person", "properties": {"name": name}}
    if roles:
        person["roles"] = roles
    data["entities"][1] = person
    data["entities"][2]["properties"]["associate"] = other
    return data


def test_a_sanctions_watch_needs_an_imported_list(world):
    uk = viewer(world, "gb_ukbsu.a")
    with pytest.raises(InvalidValue, match="not imported"):
        add_watch(world, uk, "sanctions", "gb_ofsi")


def test_listed_person_then_new_associates_once_each_never_a_victim(world):
    uk = viewer(world, "gb_ukbsu.a")
    screening.import_list(world, viewer(world, "gb_ukbsu.sup"), [LISTED], "gb_ofsi")
    add_watch(world, uk, "sanctions", "gb_ofsi")
    _ingest(world, _new_person("11", "p20", "Vuk Marić"))
    new = run(world)
    feed = {a["rule"]: a for a in alert_feed(world, viewer(world, "gb_ukbsu.a"))}
    assert set(feed) == {"sanctions-match", "designated-associate"} and len(new) == 2
    match = feed["sanctions-match"]
    assert match["subject"] == "rs-mup.p1" and "Драган Петровић" in match["title"]
    assert {e["prop"] for e in match["evidence"]} >= {"name"}
    assert feed["designated-associate"]["subject"] == "rs-mup.p20"
    # The same pair again: nothing new. A new associate: one alert. A victim: never.
    _ingest(world, _new_person("12", "p20", "Vuk Marić"))
    _ingest(world, _new_person("13", "p21", "Lazar Kostić"))
    _ingest(world, _new_person("14", "p22", "Amina Rahimi", roles=["victim"]))
    run(world)
    associates = [
        a for a in alert_feed(world, viewer(world, "gb_ukbsu.a")) if a["rule"] == "designated-associate"
    ]
    assert sorted(a["subject"] for a in associates) == ["rs-mup.p20", "rs-mup.p21"]
    assert "Amina" not in str(alert_feed(world, viewer(world, "gb_ukbsu.a")))
    # Another agency's analysts see no alert of the UK unit's watch.
    assert alert_feed(world, viewer(world, "hr_mup.a")) == []
