"""Watchlists on ingest: selectors, entities, vehicles at crossings; dedupe; need-to-know on the feed."""

import pytest

from counterflow.alerts.engine import evaluate_reports, run
from counterflow.alerts.feed import alert_feed
from counterflow.alerts.watchlist import add_watch, list_watches, remove_watch
from counterflow.errors import InvalidValue, NotFound
from counterflow.ingest.pipeline import Ingestor, Submitter
from counterflow.policy import registry
from counterflow.policy.session import Session
from counterflow.store import SqlStore

from reports import report


@pytest.fixture
def store(tmp_path):
    store = SqlStore(f"sqlite:///{tmp_path / 'a.sqlite'}", selector_key=b"k" * 32)
    for agency in ("rs_mup", "hr_mup", "mk_mvr"):
        registry.add_agency(store, agency, agency.upper())
        registry.add_user(store, f"{agency}.a", agency, roles=["analyst"], clearance="OFFICIAL-SENSITIVE")
    yield store
    store.close()


def _viewer(store, user):
    return Session.open(store, user).viewer


def _ingest(store, agency, data):
    return Ingestor(store, submitter=Submitter(f"{agency}.a", agency)).ingest_report(data)


def _hr_call_report(rid="HR-1", phone="+381641234567", location=None):
    entities = [{"id": "p1", "schema": "Person", "properties": {"name": "Goran Babić", "phone": phone}}]
    return report(agency="hr_mup", report_id=rid, language="hr", entities=entities)


def test_selector_watch_in_national_format_and_the_feed_under_need_to_know(store):
    rs = _viewer(store, "rs_mup.a")
    watch = add_watch(store, rs, "selector", "064 123 4567", selector_kind="phone")
    assert watch.value == "+381641234567"  # a Serbian analyst's national format, normalised
    _ingest(store, "hr_mup", _hr_call_report())  # 3x5x2 C, no agreement with rs_mup yet
    new = run(store)
    assert len(new) == 1
    assert run(store) == []  # the cursor moved on; nothing twice
    feed = alert_feed(store, rs)
    assert len(feed) == 1 and feed[0]["evidence"] == []
    assert feed[0]["contact"] == "hr_mup" and feed[0]["handling_codes"] == ["3x5x2 C"]
    assert "Babić" not in str(feed) and "+381641234567" not in str(feed)  # no content leaks
    registry.add_agreement(store, "hr_mup", "rs_mup", accepts_conditions=True)
    feed = alert_feed(store, _viewer(store, "rs_mup.a"))
    assert feed[0]["evidence"][0]["value"] == "+381641234567" and feed[0]["subject"] == "hr-mup.p1"
    assert alert_feed(store, _viewer(store, "mk_mvr.a")) == []  # someone else's watch
    # The owner of the material is told who watched it, as with a hit/no-hit question.
    from counterflow.policy.hits import notifications

    told = notifications(store, _viewer(store, "hr_mup.a"))
    assert [(n["asker"], n["asker_agency"], n["kind"], n["reports"]) for n in told] == [
        ("rs_mup.a", "rs_mup", "watch:selector", ["hr_mup:HR-1"])
    ]


def test_entity_watch_and_dedupe_across_paths(store):
    _ingest(store, "rs_mup", report())
    rs = _viewer(store, "rs_mup.a")
    add_watch(store, rs, "entity", "rs-mup.p17")
    assert run(store) == []  # a watch sees what arrives after it, not the history before it
    later = report(
        report_id="RS-2",
        entities=[
            {
                "id": "v9",
                "schema": "Vehicle",
                "properties": {"registrationNumber": "BG 777-XY", "country": "rs"},
            },
            {
                "id": "t9",
                "schema": "Trip",
                "properties": {"vehicle": "v9", "involved": "rs-mup.p17", "startDate": "2026-04-01T10:00"},
            },
        ],
    )
    _ingest(store, "rs_mup", later)
    first = evaluate_reports(store, ["rs_mup:RS-2"])
    assert len(first) == 1
    assert run(store) == [] and evaluate_reports(store, ["rs_mup:RS-2"]) == []  # deduplicated
    assert alert_feed(store, rs)[0]["rule"] == "entity"


def test_vehicle_at_a_crossing(store):
    rs = _viewer(store, "rs_mup.a")
    add_watch(store, rs, "crossing", "BG 123-AB", selector_kind="plate")
    add_watch(store, rs, "crossing", "BG 123-AB", selector_kind="plate", place="horgos")

    def trip(rid, location):
        return report(
            report_id=rid,
            entities=[
                {
                    "id": "v3",
                    "schema": "Vehicle",
                    "properties": {"registrationNumber": "BG 123-AB", "country": "rs"},
                },
                {
                    "id": f"t-{rid}",
                    "schema": "Trip",
                    "properties": {"vehicle": "v3", "startDate": "2026-03-12T03:40", "location": location},
                },
            ],
        )

    _ingest(store, "rs_mup", trip("R1", "Belgrade"))  # a hub, not a crossing
    assert run(store) == []
    _ingest(store, "rs_mup", trip("R2", "Prohod Gevgelija"))  # contains a crossing's name
    _ingest(store, "rs_mup", trip("R3", "Хоргош"))  # Horgoš, in Cyrillic
    new = run(store)
    feed = alert_feed(store, rs)
    assert len(new) == 3  # Gevgelija (any crossing); Horgoš for both watches
    assert sorted(a["place"] for a in feed) == ["gevgelija", "horgos", "horgos"]


def test_bad_watches_are_refused_and_removal(store):
    rs = _viewer(store, "rs_mup.a")
    with pytest.raises(InvalidValue, match="phone"):
        add_watch(store, rs, "selector", "not a phone", selector_kind="phone")
    with pytest.raises(InvalidValue, match="crossing"):
        add_watch(store, rs, "crossing", "rs-mup.v3", place="belgrade")
    with pytest.raises(InvalidValue, match="watch kind"):
        add_watch(store, rs, "mood", "x")
    w = add_watch(store, rs, "entity", "rs-mup.p17")
    with pytest.raises(NotFound):
        remove_watch(store, _viewer(store, "hr_mup.a"), w.id)  # not theirs
    remove_watch(store, rs, w.id)
    assert list_watches(store, rs) == []


def test_the_engines_watch_cache_sees_every_change_at_once(store):
    """Watches are read once and kept; adding or removing one (here or in another process) is seen
    at the next report."""
    from counterflow.alerts.engine import evaluate_records
    from counterflow.alerts.watchlist import engine_watches
    from counterflow.ingest.report import parse_report

    rs = _viewer(store, "rs_mup.a")
    assert engine_watches(store) == []
    first = add_watch(store, rs, "selector", "+381641234567", selector_kind="phone")
    assert [w.id for w in engine_watches(store)] == [first.id]
    other = SqlStore(store.url, selector_key=store.selector_key)  # another process's view
    second = add_watch(other, _viewer(other, "rs_mup.a"), "selector", "+381641111111", selector_kind="phone")
    assert [w.id for w in engine_watches(store)] == [first.id, second.id]
    remove_watch(other, _viewer(other, "rs_mup.a"), first.id)
    assert [w.id for w in engine_watches(store)] == [second.id]
    other.close()
    # evaluate_records (the service's path, from the rows just written) raises what
    # evaluate_reports (reading them back) would.
    data = _hr_call_report(rid="HR-9", phone="+381641111111")
    rec = parse_report(data).record
    assert store.write_reports([rec]) == {rec.key: "added"}
    assert len(evaluate_records(store, [rec])) == 1
    assert evaluate_reports(store, [rec.key]) == []  # the same alert: deduplicated
    data = _hr_call_report(rid="HR-10", phone="+381641234567")  # the removed watch's number
    rec = parse_report(data).record
    store.write_reports([rec])
    assert evaluate_records(store, [rec]) == []
