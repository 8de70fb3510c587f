"""SQLite-specific behaviour of the embedded default."""

from sqlalchemy import text

from counterflow.model.visibility import Viewer
from counterflow.store import SqlStore

OP = Viewer.operator()


def test_wal_and_fts(sqlite_store: SqlStore):
    with sqlite_store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        names = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
    assert "statement_fts" in names


def test_unreachable_store_is_reported():
    import pytest

    from counterflow.errors import StoreUnavailable

    with pytest.raises(StoreUnavailable, match="cannot open the store"):
        SqlStore("sqlite:////nonexistent-dir/xyz/store.sqlite")
