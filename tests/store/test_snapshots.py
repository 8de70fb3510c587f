"""Network snapshots and claims on computing them, on SQLite and PostgreSQL."""

from counterflow.audit.log import records, verify
from counterflow.store import snapshots


def test_the_newest_few_are_kept_whole_and_logged(store):
    for i in range(5):
        snapshots.save_snapshot(store, {"i": i, "ids": ["a", "b"]}, engine="memory", persons=i, communities=1)
    newest = snapshots.latest_snapshot(store)
    assert newest is not None and newest.data == {"i": 4, "ids": ["a", "b"]} and newest.persons == 4
    assert snapshots.latest_snapshot_time(store) == newest.made_at
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM network_snapshots").scalar_one() == snapshots.KEEP
    logged = [r for r in records(store) if r["object_type"] == "network_snapshot"]
    assert len(logged) == 5 and {r["action"] for r in logged} == {"combination"}
    assert verify(store).ok


def test_an_empty_store_has_no_snapshot(store):
    assert snapshots.latest_snapshot(store) is None and snapshots.latest_snapshot_time(store) is None


def test_one_holder_at_a_time_until_released_or_run_out(store):
    assert snapshots.claim(store, "communities", "a", 60)
    assert not snapshots.claim(store, "communities", "b", 60)
    assert snapshots.claim(store, "communities", "a", 60)  # the holder renews
    assert snapshots.claim(store, "other-work", "b", 60)  # kinds are separate
    snapshots.release(store, "communities", "b")  # not the holder: nothing happens
    assert not snapshots.claim(store, "communities", "b", 60)
    snapshots.release(store, "communities", "a")
    assert snapshots.claim(store, "communities", "b", -1)  # taken, already run out
    assert snapshots.claim(store, "communities", "c", 60)  # so the next one may take it
