"""Backup and restore: a verified round trip on SQLite and PostgreSQL, and every refusal."""

import json
import threading
from pathlib import Path

import pytest

from counterflow.audit.log import verify
from counterflow.errors import ConfigurationError, StoreError
from counterflow.ingest.report import parse_report
from counterflow.resolve import service
from counterflow.store import SqlStore
from counterflow.store.backup import backup, manifest_path, restore

from pgtools import pg_database
from reports import report


def _fill(store: SqlStore, n: int = 6) -> None:
    for i in range(n):
        person = {"id": f"p{i}", "schema": "Person", "properties": {"name": [f"Goran Babić {i}"]}}
        store.write_reports([parse_report(report(report_id=f"B{i}", entities=[person])).record])
    service.merge(store, "rs-mup.p0", "rs-mup.p1", actor="analyst", reason="same passport")
    service.split(store, "rs-mup.p2", "rs-mup.p3", actor="analyst", reason="different fathers")


@pytest.fixture
def target_url(store_url, tmp_path):
    """An empty target of the same kind as the store under test."""
    if store_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
    else:
        yield from pg_database()


def test_round_trip_keeps_statements_log_and_resolution(store, target_url, tmp_path):
    _fill(store)
    before = service.state(store)
    made = backup(store, tmp_path / "b" / "cf.cfbackup", actor="admin")
    assert made.tables["statements"] > 0 and made.tables["resolve_judgements"] == 2
    assert json.loads(manifest_path(tmp_path / "b" / "cf.cfbackup").read_text())["sha256"] == made.sha256
    # The backup is in the log it copied, as a disclosure of the whole store.
    assert made.log_head and made.log_head.startswith(f"{made.log_records}:")
    done = restore(tmp_path / "b" / "cf.cfbackup", target_url)
    assert done.problems == [] and done.tables == made.tables
    restored = SqlStore(target_url)
    try:
        assert verify(restored).ok
        after = service.state(restored)
        assert after.clusters == before.clusters and after.members == before.members
        assert after.cluster_of("rs-mup.p1") == after.cluster_of("rs-mup.p0")
    finally:
        restored.close()


def test_refusals_name_the_problem(store, target_url, tmp_path):
    _fill(store)
    path = tmp_path / "cf.cfbackup"
    backup(store, path, actor="admin")
    with pytest.raises(ConfigurationError, match="already exists"):
        backup(store, path, actor="admin")
    restore(path, target_url)
    with pytest.raises(ConfigurationError, match="--replace"):  # the target now holds data
        restore(path, target_url)
    assert restore(path, target_url, replace=True).problems == []
    other = "postgresql+psycopg://x@localhost/y" if store.dialect == "sqlite" else "sqlite:///x.sqlite"
    with pytest.raises(ConfigurationError, match="cannot be restored into"):
        restore(path, other)


def test_a_damaged_file_and_a_store_that_does_not_match_are_caught(store, target_url, tmp_path):
    _fill(store)
    path = tmp_path / "cf.cfbackup"
    backup(store, path, actor="admin")
    good = path.read_bytes()
    middle = len(good) // 2
    path.write_bytes(good[:middle] + bytes([good[middle] ^ 0xFF]) + good[middle + 1 :])  # one bit-rotten byte
    with pytest.raises(StoreError, match="SHA-256"):
        restore(path, target_url)
    path.write_bytes(good)
    # A manifest promising other contents than the file holds: the restored store is checked.
    manifest = manifest_path(path)
    data = json.loads(manifest.read_text())
    data["tables"]["reports"] += 1
    data["statements_digest"] = "0" * 64
    manifest.write_text(json.dumps(data))
    with pytest.raises(StoreError) as info:
        restore(path, target_url)
    assert "reports:" in info.value.message and "statements_digest" in info.value.message


def test_sqlite_backup_is_consistent_while_reports_keep_arriving(tmp_path):
    store = SqlStore(f"sqlite:///{tmp_path / 'live.sqlite'}")
    stop = threading.Event()

    def keep_writing() -> None:
        i = 0
        while not stop.is_set():
            store.write_reports([parse_report(report(report_id=f"L{i}")).record])
            i += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        made = backup(store, tmp_path / "live.cfbackup", actor="admin")
    finally:
        stop.set()
        writer.join()
    done = restore(tmp_path / "live.cfbackup", f"sqlite:///{tmp_path / 'copy.sqlite'}")
    assert done.problems == [] and done.tables["reports"] == made.tables["reports"]
    assert Path(tmp_path / "copy.sqlite").exists() and not Path(f"{tmp_path / 'copy.sqlite'}-wal").exists()
    store.close()
