"""Fixtures for command-line tests."""

from pathlib import Path

import pytest

from counterflow.ingest.pipeline import Ingestor, Submitter
from counterflow.policy import registry
from counterflow.store import SqlStore

from reports import report


@pytest.fixture
def governed_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A governed SQLite store as COUNTERFLOW_DATABASE_URL: agency rs_mup, analyst ``rs_mup.a``,
    administrator ``admin``, one report of the analyst's."""
    url = f"sqlite:///{tmp_path / 'cf.sqlite'}"
    monkeypatch.setenv("COUNTERFLOW_DATABASE_URL", url)
    monkeypatch.delenv("COUNTERFLOW_USER", raising=False)
    store = SqlStore(url)
    registry.add_agency(store, "rs_mup", "MUP")
    registry.add_user(store, "rs_mup.a", "rs_mup", roles=["analyst"])
    registry.add_user(store, "admin", "rs_mup", roles=["administrator"])
    Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(report())
    store.close()
    return url
