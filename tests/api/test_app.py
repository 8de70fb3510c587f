"""How the service process sets itself up."""

import platform

import pytest

from counterflow.api.app import _fewer_malloc_arenas


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc arenas are glibc's")
def test_the_service_caps_malloc_arenas_on_glibc():
    assert _fewer_malloc_arenas(2) is True  # mallopt answered 1: the cap is set


def test_a_worker_builds_what_requests_share_before_serving(tmp_path, monkeypatch):
    import gc

    from counterflow.api.app import app_from_env
    from counterflow.ingest.pipeline import Ingestor
    from counterflow.store import SqlStore

    from reports import report

    url = f"sqlite:///{tmp_path / 'w.sqlite'}"
    store = SqlStore(url)
    Ingestor(store).ingest_report(report())
    store.close()
    monkeypatch.setenv("COUNTERFLOW_DATABASE_URL", url)
    frozen = gc.get_freeze_count()
    try:
        app = app_from_env()
        names = app.state.services.names
        assert names is not None and names.find("Muhamed Alhasan met him", None)  # the report's person
        assert gc.get_freeze_count() > frozen  # built before the freeze, and out of full passes
    finally:
        gc.unfreeze()
        app.state.services.store.close()
