"""The service's SQLite checkpoints run beside commits, not inside them."""

import threading
import time

from sqlalchemy import text

from counterflow.ingest.report import parse_report
from counterflow.store import SqlStore

from reports import report


def _autocheckpoint(store: SqlStore) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text("PRAGMA wal_autocheckpoint")).scalar_one())


def test_background_checkpoints_keep_the_log_checkpointed_without_commits_doing_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    plain = SqlStore(url)
    assert _autocheckpoint(plain) == 1000  # the command line keeps SQLite's own checkpoints
    plain.close()
    store = SqlStore(url, background_checkpoints=True)
    assert store.checkpointer is not None
    store.checkpointer.interval = 0.05
    assert _autocheckpoint(store) == 0  # commits never checkpoint
    db = tmp_path / "a.sqlite"
    store.checkpointer.checkpoint()
    runs, before = store.checkpointer.runs, db.stat().st_size
    for i in range(60):  # written to the log only: the database file grows at a checkpoint
        store.write_reports([parse_report(report(report_id=f"R{i}")).record])
    deadline = time.monotonic() + 10
    # Both: the file grows while the checkpoint runs, before the run is counted.
    while not (db.stat().st_size > before and store.checkpointer.runs > runs) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert db.stat().st_size > before and store.checkpointer.runs > runs
    store.close()
    assert not store.checkpointer._thread.is_alive()


def test_postgres_and_plain_stores_have_no_checkpointer(store: SqlStore):
    assert store.checkpointer is None


def test_the_log_starts_afresh_under_steady_writes_and_reads(tmp_path):
    """Passive checkpoints alone left the log growing for as long as writes and reads went on."""
    db = tmp_path / "a.sqlite"
    store = SqlStore(f"sqlite:///{db}", background_checkpoints=True)
    assert store.checkpointer is not None
    store.checkpointer.interval, store.checkpointer.restart_frames = 0.02, 200
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            store.existing_reports(["rs_mup:R0", "rs_mup:R1"])

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    wal = db.with_name("a.sqlite-wal")
    try:
        for i in range(600):
            store.write_reports([parse_report(report(report_id=f"R{i}")).record])
        longest = wal.stat().st_size // 4096  # the file keeps the log's longest length (pages)
    finally:
        stop.set()
        for t in readers:
            t.join()
    restarts = store.checkpointer.restarts
    store.close()
    assert restarts > 0
    assert longest < 4_000  # passive checkpoints alone: 6,400 to 12,100 pages in three runs
