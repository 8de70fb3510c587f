"""The community snapshot: computed once, kept in the store, read by every process; one computes at a time."""

import pytest

from counterflow.alerts import network_snapshot as ns
from counterflow.alerts.engine import run
from counterflow.store import snapshots

from casetools import build_world


@pytest.fixture
def world(tmp_path):
    store = build_world(tmp_path / "rules.sqlite")
    run(store)
    ns._SNAPSHOTS.pop(store.url, None)
    yield store
    ns._SNAPSHOTS.pop(store.url, None)
    store.close()


def _no_computing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("computed, where the stored snapshot should have been read")

    monkeypatch.setattr(ns, "_parts", refuse)


def test_another_process_reads_the_stored_snapshot_instead_of_computing(world, monkeypatch):
    made = ns.communities(world, refresh=True)
    assert made is not None and made.membership
    ns._SNAPSHOTS.clear()  # as a fresh worker
    _no_computing(monkeypatch)
    read = ns.communities(world, refresh=True)
    assert read is not None and read is not made
    assert (read.membership, read.sizes, read.joined, read.protected) == (
        made.membership,
        made.sizes,
        made.joined,
        made.protected,
    )


def test_only_the_lease_holder_computes(world, monkeypatch):
    ns.communities(world, refresh=True)
    with world.engine.begin() as conn:  # stale now
        conn.exec_driver_sql("UPDATE network_snapshots SET made_at = '2000-01-01T00:00:00+00:00'")
    ns._SNAPSHOTS.clear()
    assert snapshots.claim(world, ns.CLAIM, "other-host:1:1", 60)
    _no_computing(monkeypatch)
    stale = ns.communities(world, refresh=True)  # someone else is at it: use what there is
    assert stale is not None and stale.stale()
    assert not snapshots.claim(world, ns.CLAIM, "third:1:1", 60)
    snapshots.release(world, ns.CLAIM, "third:1:1")  # not the holder: nothing happens
    assert not snapshots.claim(world, ns.CLAIM, "third:1:1", 60)
    snapshots.release(world, ns.CLAIM, "other-host:1:1")
    assert snapshots.claim(world, ns.CLAIM, "third:1:1", -1)  # taken, and already run out
    assert snapshots.claim(world, ns.CLAIM, "fourth:1:1", 60)  # a dead holder's lease is taken over


def test_the_store_keeps_the_newest_few(world):
    for i in range(5):
        snapshots.save_snapshot(world, {"i": i}, engine="memory", persons=i, communities=1)
    with world.engine.connect() as conn:
        kept = conn.exec_driver_sql("SELECT count(*) FROM network_snapshots").scalar_one()
    assert kept == snapshots.KEEP
    assert snapshots.latest_snapshot(world).data == {"i": 4}


def test_parts_survive_the_store(world):
    parts = ns._parts_of(world)
    assert parts[0] and parts[1]
    assert ns.parts_from(ns.snapshot_data(parts)) == parts


def test_the_snapshot_computed_in_a_process_of_its_own_is_the_one_computed_here(world):
    here = ns._parts_of(world)
    apart = ns._compute_apart(world)
    assert here[0] and apart == here


def test_a_failing_snapshot_process_says_why(tmp_path):
    from counterflow.store import SqlStore

    store = SqlStore(f"sqlite:///{tmp_path / 'gone.sqlite'}")
    (tmp_path / "gone.sqlite").unlink()
    (tmp_path / "gone.sqlite").mkdir()  # a directory where the store was: the process cannot open it
    with pytest.raises(RuntimeError, match="community snapshot"):
        ns._compute_apart(store)
    store.close()


def _partition(membership):
    groups = {}
    for node, c in membership.items():
        groups.setdefault(c, set()).add(node)
    return {frozenset(g) for g in groups.values()}


@pytest.mark.xdist_group("spark")
def test_a_snapshot_from_a_statements_export_is_the_store_s(world, tmp_path, engine):
    from counterflow.resolve import service
    from counterflow.store.parquet import export_statements

    # an analyst's merge, so that the export's statements must be mapped to resolved entities
    service.merge(world, "hr-mup.p1", "rs-mup.p1", actor="analyst", reason="same man")
    export = export_statements(world, tmp_path / "export", actor="test")
    snap = ns.compute_snapshot(world, engine=engine, statements=tmp_path / "export")
    here = ns._parts_of(world)
    got = ns.parts_from(snap.data)
    assert len(here[0]) >= 10 and here[3]  # persons, some of them protected
    assert ("hr-mup.p1" in here[0]) != ("rs-mup.p1" in here[0])  # the merged pair is one node
    assert set(got[0]) == set(here[0]) and _partition(got[0]) == _partition(here[0])
    assert got[3] == here[3]
    assert snap.engine == engine.name and snap.reports_held == export.reports_held[0]


def test_a_snapshot_will_not_read_one_viewer_s_export(world, tmp_path):
    from counterflow.errors import InvalidValue
    from counterflow.model.visibility import Viewer
    from counterflow.store.parquet import export_statements

    export_statements(world, tmp_path / "mine", actor="test", viewer=Viewer.operator())
    with pytest.raises(InvalidValue, match="not the whole store"):
        ns.compute_snapshot(world, statements=tmp_path / "mine")


def test_the_snapshot_process_runs_only_when_the_processor_is_free():
    import subprocess
    import sys

    code = (
        "import os\n"
        "from counterflow.alerts.network_snapshot import lowest_priority\n"
        "how = lowest_priority()\n"
        "idle = hasattr(os, 'SCHED_IDLE') and os.sched_getscheduler(0) == os.SCHED_IDLE\n"
        "print(how, idle or os.nice(0) == 19)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    how, lowered = out.stdout.split()[-2:]
    assert lowered == "True"
    if sys.platform == "linux":
        assert how == "idle"
