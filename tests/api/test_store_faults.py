"""The store under concurrent writers and a database restart, as users of the service see it.

* Several ingest processes and the service write to one SQLite store at once: SQLite's single
  writer is waited for, never reported to a user as "database is locked".
* The PostgreSQL server is stopped while the service takes reports: the service answers 503
  (StoreUnavailable), and when the server is back it serves again by itself, with nothing
  half-written in between.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from counterflow.api.app import create_app
from counterflow.audit.log import verify
from counterflow.ingest.pipeline import Ingestor, Submitter, read_path
from counterflow.model.visibility import Viewer
from counterflow.policy import registry
from counterflow.policy.auth import issue_token
from counterflow.store import SqlStore

from apitools import auth
from pgtools import PG_URL, REQUIRE_PG
from reports import report

ROOT = Path(__file__).resolve().parents[2]


def _governed(url: str) -> str:
    store = SqlStore(url)
    registry.add_agency(store, "rs_mup", "MUP")
    registry.add_user(store, "rs_mup.a", "rs_mup", roles=["analyst"])
    token = issue_token(store, "rs_mup.a")
    store.close()
    return token


def _person(tag: str, i: int) -> dict:
    people = [{"id": f"{tag}{i}", "schema": "Person", "properties": {"name": [f"Person {tag} {i}"]}}]
    return report(report_id=f"{tag}-{i}", entities=people)


def _bulk(url: str, path: str) -> None:
    store = SqlStore(url)
    summary = Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup"), batch_statements=30).ingest(
        read_path(Path(path))
    )
    os._exit(0 if summary.ok and summary.reports_added == 300 else 3)


def test_ingest_processes_and_the_service_write_to_one_sqlite_store_at_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    token = _governed(url)
    files = []
    for tag in ("A", "B"):
        path = tmp_path / f"{tag}.jsonl"
        path.write_text("".join(json.dumps(_person(tag, i)) + "\n" for i in range(300)))
        files.append(path)
    ctx = multiprocessing.get_context("fork")
    store = SqlStore(url)
    client = TestClient(create_app(store))
    statuses: list[int] = []
    bodies: list[str] = []

    def post(lo: int, hi: int) -> None:
        for i in range(lo, hi):
            r = client.post("/api/v1/reports", json=_person("S", i), headers=auth(token))
            statuses.append(r.status_code)
            bodies.append(r.text)

    workers = [ctx.Process(target=_bulk, args=(url, str(p))) for p in files]
    for w in workers:
        w.start()
    posters = [threading.Thread(target=post, args=(k * 40, k * 40 + 40)) for k in range(3)]
    for t in posters:
        t.start()
    for t in posters:
        t.join(120)
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    assert statuses == [200] * 120, [b for b in bodies if "locked" in b or '"error"' in b][:3]
    assert not any("locked" in b for b in bodies)
    assert store.stats(viewer=Viewer.operator())["reports"] == 300 + 300 + 120
    assert verify(store).ok
    store.close()


def _private_cluster() -> str:
    """A PostgreSQL cluster of this test's own (restarting the shared one would upset others)."""
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("COUNTERFLOW_REQUIRE_PG=1 but PostgreSQL was not started")
        pytest.skip("PostgreSQL not started (run scripts/test.sh)")
    if shutil.which("su") is None and os.geteuid() == 0:
        pytest.skip("no su to run PostgreSQL as its own user")
    out = subprocess.run(
        [str(ROOT / "scripts" / "pg.sh"), "start"], capture_output=True, text=True, check=True
    )
    env = dict(line.removeprefix("export ").split("=", 1) for line in out.stdout.splitlines())
    return env["PGTMP"].strip("'") + "|" + env["COUNTERFLOW_TEST_PG_URL"].strip("'")


@pytest.mark.postgres
def test_a_database_restart_gives_503s_then_the_service_recovers_by_itself():
    cluster, url = _private_cluster().split("|")
    pg = str(ROOT / "scripts" / "pg.sh")
    try:
        token = _governed(url)
        store = SqlStore(url)
        client = TestClient(create_app(store))
        ok = client.post("/api/v1/reports", json=_person("R", 0), headers=auth(token))
        assert ok.status_code == 200
        subprocess.run([pg, "halt", cluster], check=True)
        down = client.post("/api/v1/reports", json=_person("R", 1), headers=auth(token))
        assert down.status_code == 503, down.text
        assert down.json()["error"] == "StoreUnavailable" and "postgres" not in down.text.lower()
        assert client.get("/api/v1/search", params={"q": "Person"}, headers=auth(token)).status_code == 503
        subprocess.run([pg, "resume", cluster], check=True)
        answers = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            answers.append(
                client.post("/api/v1/reports", json=_person("R", 1), headers=auth(token)).status_code
            )
            if answers[-1] == 200:
                break
            time.sleep(0.2)
        assert answers[-1] == 200, answers
        assert len(answers) <= 2  # at most the one request that found its pooled connection dead
        for i in range(2, 12):
            assert (
                client.post("/api/v1/reports", json=_person("R", i), headers=auth(token)).status_code == 200
            )
        assert store.stats(viewer=Viewer.operator())["reports"] == 12
        assert verify(store).ok
        store.close()
    finally:
        subprocess.run([pg, "stop", cluster], check=False)
