"""The processing log is append-only in effect: any edit, deletion or reordering is detected."""

import pytest
from sqlalchemy import delete, select, update

from counterflow.audit.log import head, records, verify
from counterflow.ingest.pipeline import Ingestor
from counterflow.policy.session import Session
from counterflow.store import SqlStore
from counterflow.store.schema_policy import audit_log

from reports import report


@pytest.fixture
def logged(tmp_path):
    store = SqlStore(f"sqlite:///{tmp_path / 'a.sqlite'}")
    ing = Ingestor(store)
    for i in range(3):
        ing.ingest_report(report(report_id=f"R{i}"))
    session = Session.open(store, None)
    for _ in range(3):
        session.profile("rs-mup.p17")
    yield store
    store.close()


def test_log_records_collection_and_consultation(logged):
    result = verify(logged)
    assert result.ok and result.records == 6 and result.head.startswith("6:")
    actions = [r["action"] for r in records(logged)]
    assert actions == ["collection"] * 3 + ["consultation"] * 3
    assert records(logged)[0]["object_id"] == "rs_mup:R0"


def edit(store, seq, **values):
    with store.engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == seq).values(**values))


def test_edited_record_is_named(logged):
    edit(logged, 4, actor="someone-else")
    result = verify(logged)
    assert not result.ok and result.first_bad_seq == 4
    assert "record 4: content does not match its hash (altered)" in result.problems


def test_deleted_record_is_named(logged):
    with logged.engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 2))
    result = verify(logged)
    assert not result.ok and result.first_bad_seq == 3
    assert any("expected record 2" in p for p in result.problems)


def test_reordered_records_are_named(logged):
    with logged.engine.connect() as conn:
        a, b = (dict(r._mapping) for r in conn.execute(select(audit_log).where(audit_log.c.seq.in_([2, 3]))))
    # swap the contents of records 2 and 3 but keep their sequence numbers
    keep = ("seq",)
    edit(logged, 2, **{k: v for k, v in b.items() if k not in keep})
    edit(logged, 3, **{k: v for k, v in a.items() if k not in keep})
    result = verify(logged)
    assert not result.ok and result.first_bad_seq == 2


def test_truncated_tail_is_detected(logged):
    with logged.engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 6))
    result = verify(logged)
    assert not result.ok
    assert any("removed from the end" in p for p in result.problems)


def test_rehashing_one_record_still_breaks_the_next_link(logged):
    """An attacker who edits a record and recomputes its hash breaks the following record's link."""
    from counterflow.store.audit_chain import chain_fields, record_hash

    with logged.engine.connect() as conn:
        rec = dict(conn.execute(select(audit_log).where(audit_log.c.seq == 3)).one()._mapping)
    rec["actor"] = "forger"
    edit(logged, 3, actor="forger", hash=record_hash(rec["prev_hash"], chain_fields(rec)))
    result = verify(logged)
    assert not result.ok and result.first_bad_seq == 4
    assert head(logged) is not None


def test_concurrent_appends_keep_one_chain(store):
    """Threads appending at once (the service's request threads) never collide on a sequence number."""
    import threading

    from counterflow.audit.log import verify
    from counterflow.store import audit_chain

    errors = []

    def work():
        for _ in range(25):
            try:
                with store.engine.begin() as conn:
                    audit_chain.append(
                        conn, actor="a", action="consultation", object_type="entity", object_id="x"
                    )
            except Exception as exc:  # any failure is the bug
                errors.append(repr(exc))

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = verify(store)
    assert result.ok and result.records == 150
