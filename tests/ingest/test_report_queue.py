"""The service's ingest thread: reports from many callers prepared and written in batches, each
caller told its own report's fate."""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import Future

import pytest
from sqlalchemy import select

from counterflow.errors import ReportConflict, ReportRejected, StoreUnavailable
from counterflow.ingest.report import parse_report
from counterflow.ingest.report_queue import ReportQueue, Written
from counterflow.model.visibility import Viewer
from counterflow.store import SqlStore
from counterflow.store.schema_policy import audit_log

from reports import report

OP = Viewer.operator()


@pytest.fixture
def queue(store: SqlStore):
    q = ReportQueue(store)
    yield q
    q.close()


def outcome(future: Future[Written]) -> str | BaseException:
    try:
        return future.result(timeout=30).outcome
    except Exception as exc:
        return exc


def held_then_released(
    q: ReportQueue, reports: list[dict], viewer: Viewer | list[Viewer] = OP
) -> list[str | BaseException]:
    """Submit every report (each by ``viewer``, or by its own of a list) while the thread is
    held (it waits on the names lock), so they arrive together; then let it go."""
    viewers = viewer if isinstance(viewer, list) else [viewer] * len(reports)
    with q.lock:
        futures = [q.submit(v, r) for v, r in zip(viewers, reports, strict=True)]
    return [outcome(f) for f in futures]


def test_reports_arriving_together_are_written_in_fewer_transactions(store: SqlStore):
    added: list[str] = []
    q = ReportQueue(store, after=lambda recs: added.extend(r.key for r in recs))
    try:
        out = held_then_released(q, [report(report_id=f"R{i}") for i in range(40)])
    finally:
        q.close()
    assert out == ["added"] * 40
    assert sorted(added) == sorted(f"rs_mup:R{i}" for i in range(40))
    assert store.stats(viewer=OP)["reports"] == 40
    assert q.reports == 40 and q.batches <= 2  # the first report alone at most, then the rest


def test_the_result_names_the_report(queue: ReportQueue):
    assert queue.write(OP, report(report_id="R1")) == Written("rs_mup:R1", "added")
    assert queue.write(OP, report(report_id="R1")) == Written("rs_mup:R1", "unchanged")


def test_the_same_report_sent_twice_at_once_is_added_once(queue: ReportQueue):
    assert held_then_released(queue, [report(report_id="SAME")] * 3) == ["added", "unchanged", "unchanged"]


def test_a_changed_report_sent_at_the_same_moment_is_a_conflict_for_its_sender(store, queue):
    first, changed = report(report_id="SAME"), report(report_id="SAME", observed_at="2026-03-13")
    out = held_then_released(queue, [first, changed])
    assert out[0] == "added" and isinstance(out[1], ReportConflict)
    stored = store.report_row("rs_mup", "SAME", viewer=OP)
    assert stored["sha256"] == parse_report(first).record.report["sha256"]


def test_a_rejected_report_fails_alone(store, queue):
    bad = report(report_id="BAD", grading={"scheme": "3x5x2", "source": "9", "information": "Q"})
    out = held_then_released(queue, [report(report_id="OK1"), bad, report(report_id="OK2")])
    assert out[0] == "added" and out[2] == "added"
    assert isinstance(out[1], ReportRejected) and "BAD" in str(out[1])
    assert store.stats(viewer=OP)["reports"] == 2


def test_a_failed_transaction_fails_its_callers_and_the_next_batch_goes_on(store, queue, monkeypatch):
    real = store.write_report_groups
    calls = {"n": 0}

    def flaky(groups):
        calls["n"] += 1
        if calls["n"] == 1:
            raise StoreUnavailable("the store went away")
        return real(groups)

    monkeypatch.setattr(store, "write_report_groups", flaky)
    out = held_then_released(queue, [report(report_id="LOST1"), report(report_id="LOST2")])
    assert all(isinstance(o, StoreUnavailable) for o in out)
    assert store.statements_for_report("rs_mup", "LOST1", viewer=OP) == []
    assert queue.write(OP, report(report_id="KEPT")).outcome == "added"
    assert queue.write(OP, report(report_id="LOST1")).outcome == "added"  # sending it again works


def test_reports_from_several_submitters_share_one_transaction(store: SqlStore):
    q = ReportQueue(store)
    analyst = dataclasses.replace(OP, user="rs_mup.analyst")
    try:
        with q.lock:
            futures = [q.submit(OP if i % 2 else analyst, report(report_id=f"R{i}")) for i in range(6)]
            deadline = time.monotonic() + 10
            while q.reports < 1 and time.monotonic() < deadline:  # the first is taken alone
                time.sleep(0.001)
            futures += [q.submit(OP if i % 2 else analyst, report(report_id=f"S{i}")) for i in range(6)]
    finally:
        q.close()
    assert [outcome(f) for f in futures] == ["added"] * 12
    assert q.batches <= 2


def test_a_shared_transaction_that_breaks_is_retried_one_submitter_at_a_time(store, queue, monkeypatch):
    real = store.write_report_groups

    def breaks_on_poison(groups):
        if any(rec.key == "rs_mup:POISON" for _, records in groups for rec in records):
            raise RuntimeError("something in POISON broke the transaction")
        return real(groups)

    monkeypatch.setattr(store, "write_report_groups", breaks_on_poison)
    other = dataclasses.replace(OP, user="rs_mup.other")
    sent = [report(report_id=r) for r in ("FINE1", "POISON", "FINE2")]
    out = held_then_released(queue, sent, [OP, other, OP])
    assert out[0] == "added" and out[2] == "added"
    assert isinstance(out[1], RuntimeError) and "POISON" in str(out[1])
    assert store.statements_for_report("rs_mup", "POISON", viewer=OP) == []
    assert store.stats(viewer=OP)["reports"] == 2


def test_an_after_hook_failure_does_not_fail_the_stored_report(store: SqlStore):
    def broken(records):
        raise RuntimeError("alert rules broke")

    q = ReportQueue(store, after=broken)
    try:
        assert q.write(OP, report(report_id="R1")).outcome == "added"
    finally:
        q.close()
    assert store.report_row("rs_mup", "R1", viewer=OP)["report_key"] == "rs_mup:R1"


def test_a_caller_who_gave_up_before_its_turn_has_nothing_written(store, queue):
    with queue.lock:
        first = queue.submit(OP, report(report_id="FIRST"))
        deadline = time.monotonic() + 10
        while queue.reports < 1 and time.monotonic() < deadline:  # taken; the thread waits for the lock
            time.sleep(0.001)
        given_up = queue.submit(OP, report(report_id="GIVEN-UP"))
        assert given_up.cancel()
    assert outcome(first) == "added"
    queue.close()
    assert queue.reports == 1
    assert store.statements_for_report("rs_mup", "GIVEN-UP", viewer=OP) == []


def test_close_finishes_what_is_queued(store: SqlStore):
    q = ReportQueue(store)
    with q.lock:
        futures = [q.submit(OP, report(report_id=f"R{i}")) for i in range(5)]
    q.close()
    assert [f.result(timeout=0).outcome for f in futures] == ["added"] * 5


def test_each_actor_is_logged_as_the_collector_of_its_own_reports(store, queue):
    analyst = dataclasses.replace(OP, user="rs_mup.analyst")
    other = dataclasses.replace(OP, user="rs_mup.other")
    sent = [report(report_id=r) for r in ("A1", "A2", "B1")]
    assert held_then_released(queue, sent, [analyst, analyst, other]) == ["added"] * 3
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.actor, audit_log.c.details).where(audit_log.c.action == "collection")
        )
        by_actor: dict[str, str] = {}
        for actor, details in rows:
            by_actor[actor] = by_actor.get(actor, "") + details
    assert "rs_mup:A1" in by_actor["rs_mup.analyst"] and "rs_mup:A2" in by_actor["rs_mup.analyst"]
    assert "rs_mup:B1" in by_actor["rs_mup.other"] and "rs_mup:B1" not in by_actor["rs_mup.analyst"]


def test_a_slow_batch_is_logged_with_where_its_time_went(store, caplog):
    q = ReportQueue(store, slow_seconds=0.0)
    try:
        with caplog.at_level("WARNING", logger="counterflow.ingest.report_queue"):
            q.write(OP, report(report_id="R1"))
    finally:
        q.close()
    [message] = [r.getMessage() for r in caplog.records if "ingest of" in r.getMessage()]
    assert message.startswith("ingest of 1 reports took ")
    assert "preparing" in message and "writing" in message and "alert rules" in message
