"""Governing the store from the command line: agencies, users, agreements, tasks, the log."""

import json

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from counterflow.cli.main import app

from reports import report

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("COUNTERFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    monkeypatch.delenv("COUNTERFLOW_USER", raising=False)
    return tmp_path


def run(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_governing_a_store(env):
    victim = report(
        entities=[{"id": "v1", "schema": "Person", "roles": ["victim"], "properties": {"name": "A B"}}]
    )
    (env / "r.json").write_text(json.dumps(report()))
    (env / "v.json").write_text(json.dumps({**victim, "report_id": "V1"}))
    assert run("agencies", "add", "rs_mup", "Serbia MUP").exit_code == 0
    assert run("agencies", "add", "gb_ukbsu", "UK unit").exit_code == 0
    assert (
        run("users", "add", "admin", "gb_ukbsu", "--role", "administrator", "--role", "auditor").exit_code
        == 0
    )
    # now governed: anonymous administration and reading are refused
    assert run("users", "add", "x", "rs_mup").exit_code == 78
    assert run("stats").exit_code == 78
    assert (
        run(
            "users", "add", "rs.ana", "rs_mup", "--clearance", "OFFICIAL-SENSITIVE", "--as", "admin"
        ).exit_code
        == 0
    )
    assert (
        run(
            "users", "add", "uk.ana", "gb_ukbsu", "--clearance", "OFFICIAL-SENSITIVE", "--as", "admin"
        ).exit_code
        == 0
    )
    # an agency submits its own reports only
    assert run("ingest", str(env / "r.json"), "--as", "uk.ana").exit_code == 65
    assert run("ingest", str(env / "r.json"), str(env / "v.json"), "--as", "rs.ana").exit_code == 0
    assert json.loads(run("stats", "--as", "uk.ana", "--json").output)["statements"] == 0
    result = run("agreements", "add", "rs_mup", "gb_ukbsu", "--accepts-conditions", "--as", "admin")
    assert result.exit_code == 0
    seen = json.loads(run("stats", "--as", "uk.ana", "--json").output)
    own = json.loads(run("stats", "--as", "rs.ana", "--json").output)
    assert 0 < seen["statements"] < own["statements"]  # the victim stays with rs_mup
    assert run("entity", "rs-mup.v1", "--as", "uk.ana").exit_code == 66
    tasks = json.loads(run("tasks", "--as", "rs.ana", "--json").output)
    assert [t["entity_id"] for t in tasks] == ["rs-mup.v1"]
    assert json.loads(run("tasks", "--as", "uk.ana", "--json").output) == []
    # the log: only auditors and administrators read it; it verifies; tampering is caught
    assert run("audit", "verify", "--as", "uk.ana").exit_code == 77
    verified = json.loads(run("audit", "verify", "--as", "admin", "--json").output)
    assert verified["ok"] and verified["records"] == 3  # one collection (both reports), two consultations
    run("entity", "rs-mup.p17", "--as", "uk.ana")
    who = json.loads(run("audit", "who-consulted", "rs-mup.p17", "--as", "admin", "--json").output)
    assert [w["user"] for w in who] == ["uk.ana"]  # it was hidden from uk.ana before the agreement
    from counterflow.store import SqlStore
    from counterflow.store.schema_policy import audit_log

    store = SqlStore(f"sqlite:///{env / 'p.sqlite'}")
    with store.engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 1).values(actor="nobody"))
    result = run("audit", "verify", "--as", "admin")
    assert result.exit_code == 1 and "record 1" in result.output
