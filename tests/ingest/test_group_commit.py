"""Group commit: many threads' reports written together, each caller told its own report's fate."""

import pytest

from concurrently import all_at_once
from counterflow.errors import StoreUnavailable
from counterflow.ingest.group_commit import GroupWriter
from counterflow.ingest.report import parse_report
from counterflow.model.visibility import Viewer
from counterflow.store import SqlStore

from reports import report

OP = Viewer.operator()


def record(report_id: str, **changes):
    return parse_report(report(report_id=report_id, **changes)).record


def write_all(writer: GroupWriter, items, actor="ingest"):
    """Each item written from its own thread, all released at once; outcomes (or errors) by index."""
    return all_at_once(lambda rec: writer.write(rec, actor), items)


def test_concurrent_reports_are_all_written_in_fewer_transactions(store: SqlStore):
    added: list[str] = []
    writer = GroupWriter(store, after=lambda recs: added.extend(r.key for r in recs))
    items = [record(f"R{i}") for i in range(40)]
    out = write_all(writer, items)
    assert out == dict.fromkeys(range(40), "added")
    assert sorted(added) == sorted(r.key for r in items)
    assert store.stats(viewer=OP)["reports"] == 40
    assert writer.reports == 40 and writer.batches < 40  # they were grouped


def test_the_same_report_sent_twice_at_once_is_added_once(store: SqlStore):
    writer = GroupWriter(store)
    out = write_all(writer, [record("SAME"), record("SAME")])
    assert sorted(out.values()) == ["added", "unchanged"]


def test_a_changed_report_sent_at_the_same_moment_is_a_conflict_for_one_caller(store: SqlStore):
    writer = GroupWriter(store)
    first = record("SAME")
    changed = record("SAME", observed_at="2026-03-13")
    out = write_all(writer, [first, changed])
    assert sorted(out.values()) == ["added", "conflict"]
    winner = first if out[0] == "added" else changed
    stored = store.report_row("rs_mup", "SAME", viewer=OP)
    assert stored["sha256"] == winner.report["sha256"]


def test_a_failed_transaction_fails_its_callers_and_the_next_batch_goes_on(store: SqlStore, monkeypatch):
    writer = GroupWriter(store)
    real = store.write_reports
    calls = {"n": 0}

    def flaky(records, *, actor="ingest"):
        calls["n"] += 1
        if calls["n"] == 1:
            raise StoreUnavailable("the store went away")
        return real(records, actor=actor)

    monkeypatch.setattr(store, "write_reports", flaky)
    with pytest.raises(StoreUnavailable):
        writer.write(record("LOST"), "ingest")
    assert store.statements_for_report("rs_mup", "LOST", viewer=OP) == []
    assert writer.write(record("KEPT"), "ingest") == "added"
    assert writer.write(record("LOST"), "ingest") == "added"  # sending it again works


def test_an_after_hook_failure_does_not_fail_the_stored_report(store: SqlStore):
    def broken(records):
        raise RuntimeError("alert rules broke")

    writer = GroupWriter(store, after=broken)
    assert writer.write(record("R1"), "ingest") == "added"
    assert store.report_row("rs_mup", "R1", viewer=OP)["report_key"] == "rs_mup:R1"


def test_each_actor_is_logged_as_the_collector_of_its_own_reports(store: SqlStore):
    from sqlalchemy import select

    from counterflow.store.schema_policy import audit_log

    writer = GroupWriter(store)
    out = write_all(writer, [record("A1"), record("A2")], actor="rs_mup.analyst")
    assert set(out.values()) == {"added"}
    assert writer.write(record("B1"), "rs_mup.other") == "added"
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.actor, audit_log.c.details).where(audit_log.c.action == "collection")
        )
        by_actor: dict[str, str] = {}
        for actor, details in rows:
            by_actor[actor] = by_actor.get(actor, "") + details
    assert "rs_mup:A1" in by_actor["rs_mup.analyst"] and "rs_mup:A2" in by_actor["rs_mup.analyst"]
    assert "rs_mup:B1" in by_actor["rs_mup.other"] and "rs_mup:B1" not in by_actor["rs_mup.analyst"]
