"""Rule watches: groups moving towards the coast, boat logistics near the beaches, new community ties."""

import time

import pytest

from counterflow.alerts.engine import run
from counterflow.alerts.feed import alert_feed
from counterflow.alerts.network_rules import Communities, community_drafts
from counterflow.alerts.watchlist import Watch, add_watch
from counterflow.errors import InvalidValue
from counterflow.ingest.pipeline import Ingestor, Submitter
from counterflow.model.grading import Grading
from counterflow.model.handling import Classification, Handling
from counterflow.model.statement import Statement

from casetools import build_world, viewer


@pytest.fixture
def world(tmp_path):
    store = build_world(tmp_path / "rules.sqlite")
    run(store)
    yield store
    store.close()


def _report(rid, schema, location, people, date, name=None):
    persons = [{"id": f"m{i}", "schema": "Person", "properties": {"name": f"Migrant {i}"}} for i in people]
    props = {"involved": [f"m{i}" for i in people], "location": location}
    props["date" if schema == "Event" else "startDate"] = date
    if name:
        props["name"] = name
    return {
        "format": "counterflow.report/1",
        "agency": "rs_mup",
        "report_id": f"RS-G{rid}",
        "reported_at": date[:10],
        "language": "en",
        "grading": {"scheme": "4x4", "source": "A", "information": "1"},
        "handling": {"scheme": "SIENA", "code": "H0"},
        "classification": "OFFICIAL",
        "entities": [*persons, {"id": f"x{rid}", "schema": schema, "properties": props}],
    }


def _ingest(store, data):
    Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(data)


def test_rule_watch_values_are_checked(world):
    uk = viewer(world, "gb_ukbsu.a")
    with pytest.raises(InvalidValue, match="smallest group"):
        add_watch(world, uk, "group", "many")
    assert add_watch(world, uk, "group", "").value == "5"
    assert add_watch(world, uk, "community", "whatever").value == "any"


def test_a_group_moving_towards_the_coast_is_raised_without_names(world):
    uk = viewer(world, "gb_ukbsu.a")
    add_watch(world, uk, "group", "6")
    _ingest(world, _report(1, "Event", "Belgrade", range(1, 8), "2026-05-01"))  # a hub: no history, no alert
    _ingest(world, _report(2, "Trip", "Zvornik", range(1, 8), "2026-05-03T02:10"))  # further along
    _ingest(world, _report(3, "Trip", "Zvornik", range(20, 23), "2026-05-03T04:00"))  # too small
    _ingest(world, _report(4, "Trip", "Belgrade", range(1, 8), "2026-05-06T04:00"))  # back: not towards
    run(world)
    feed = [a for a in alert_feed(world, viewer(world, "gb_ukbsu.a")) if a["rule"] == "group-moving"]
    assert len(feed) == 1
    assert "group of 7" in feed[0]["title"] and "Zvornik" in feed[0]["title"] and "Serbia" in feed[0]["title"]
    assert "Migrant" not in feed[0]["title"] and feed[0]["place"] == "zvornik"


def test_boats_and_engines_within_reach_of_the_beaches(world):
    uk = viewer(world, "gb_ukbsu.a")
    add_watch(world, uk, "logistics", "400")
    name = "Boat and engine consignment"
    _ingest(world, _report(5, "Event", "Rotterdam", [1], "2026-05-01", name=name))
    _ingest(world, _report(6, "Event", "Belgrade", [1], "2026-05-01", name=name))  # 1,600 km away
    _ingest(world, _report(7, "Event", "Rotterdam", [1], "2026-05-01", name="Arrest"))  # no boats
    run(world)
    feed = [a for a in alert_feed(world, viewer(world, "gb_ukbsu.a")) if a["rule"] == "boat-logistics"]
    assert [a["place"] for a in feed] == ["rotterdam"] and "Dunkirk" in feed[0]["title"]


def _stmt(entity, schema, prop, value, report="R1", prop_type="entity"):
    return Statement(
        entity_id=entity, schema=schema, prop=prop, prop_type=prop_type, value=value, agency="rs_mup",
        report_id=report, reported_at="2026-05-01", grading=Grading.parse("4x4", "A", "1"),
        handling=Handling.parse("SIENA", "H0"), classification=Classification.OFFICIAL,
    )  # fmt: skip


def test_a_tie_between_two_unjoined_communities_once_never_a_victim():
    watch = Watch(1, "gb_ukbsu", "u", "community", None, "any", None, None, "2026-01-01", True)
    snap = Communities(
        membership={"a": 0, "b": 0, "c": 1, "d": 2, "v": 1},
        sizes={0: 2, 1: 2, 2: 1},
        joined={frozenset((0, 2)): {"old"}},
        protected={"v"},
    )
    tie = [_stmt("l1", "Associate", "person", "a"), _stmt("l1", "Associate", "associate", "c")]
    known = [_stmt("l2", "Associate", "person", "a"), _stmt("l2", "Associate", "associate", "d")]
    inside = [_stmt("l3", "Associate", "person", "a"), _stmt("l3", "Associate", "associate", "b")]
    victim = [_stmt("l4", "Associate", "person", "a"), _stmt("l4", "Associate", "associate", "v")]
    drafts = community_drafts([*tie, *known, *inside, *victim], [watch], snap)
    assert [(d.subject, d.extra) for d in drafts] == [("a", "c")]
    assert "community of 2" in drafts[0].title
    # The same pair in another report: the same dedupe key (raised once, ever).
    again = community_drafts([_stmt("l9", "Associate", "person", "a", "R2"),
                              _stmt("l9", "Associate", "associate", "c", "R2")], [watch], snap)  # fmt: skip
    assert again[0].dedupe_key == drafts[0].dedupe_key


def test_the_service_path_refreshes_the_snapshot_beside_the_report_and_stores_it(world):
    """Reports written by the service are evaluated at once; the snapshot they need is computed
    beside them, never in their way, and kept in the store for every other process."""
    from counterflow.alerts import network_snapshot
    from counterflow.alerts.engine import evaluate_records
    from counterflow.ingest.report import parse_report
    from counterflow.store import snapshots

    network_snapshot._SNAPSHOTS.pop(world.url, None)
    with world.engine.begin() as conn:  # the follower's run() stored one: make it stale
        conn.exec_driver_sql("UPDATE network_snapshots SET made_at = '2000-01-01T00:00:00+00:00'")
    add_watch(world, viewer(world, "gb_ukbsu.a"), "community", "any")
    rec = parse_report(_report(900, "Event", "Belgrade", [1, 2], "2026-03-20")).record
    world.write_reports([rec])
    evaluate_records(world, [rec])
    assert network_snapshot.refresh_in_background(world) is None  # already at it, or done: no second thread
    deadline = time.monotonic() + 60
    while (
        world.url not in network_snapshot._SNAPSHOTS or network_snapshot._SNAPSHOTS[world.url].stale()
    ) and time.monotonic() < deadline:
        time.sleep(0.05)
    snap = network_snapshot._SNAPSHOTS[world.url]
    assert snap.membership and not snap.stale()
    stored = snapshots.latest_snapshot(world)
    assert stored is not None and stored.made_at == snap.stamp and stored.persons == len(snap.membership)
    assert network_snapshot.refresh_in_background(world) is None  # fresh: nothing to do
