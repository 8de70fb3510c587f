"""The service's SQLite checkpoints run beside commits, not inside them."""

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
