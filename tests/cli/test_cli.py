"""The command line: exit codes, --json for scripts, errors that say what is wrong."""

import json

import pytest
from typer.testing import CliRunner

from counterflow.cli.main import app

from reports import report

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("COUNTERFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    return tmp_path


def run(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_ingest_search_entity_stats(env):
    path = env / "r.json"
    path.write_text(json.dumps(report(), ensure_ascii=False), encoding="utf-8")
    result = run("ingest", str(path), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["reports_added"] == 1 and summary["rejected"] == []
    again = json.loads(run("ingest", str(path), "--json").output)
    assert again["reports_added"] == 0 and again["reports_unchanged"] == 1

    hits = json.loads(run("search", "Алхасан", "--json").output)
    assert [h["entity_id"] for h in hits][:1] == ["rs-mup.p17"]
    assert json.loads(run("search", "alhasan", "--json").output)[0]["entity_id"] == "rs-mup.p17"

    profile = json.loads(run("entity", "rs-mup.p17", "--json").output)
    assert profile["roles"] == ["driver"] and profile["protected"] is False
    phone = next(s for s in profile["statements"] if s["prop"] == "phone")
    assert phone["value"] == "+381641234567" and phone["original_value"] == "064 123 4567"
    assert phone["grading"] == {"scheme": "3x5x2", "source": "1", "information": "B", "common": "B3"}
    assert phone["handling"]["conditions"] == "EU law enforcement only"

    stats = json.loads(run("stats", "--json").output)
    assert stats["reports"] == 1 and stats["by_agency"]["rs_mup"]["reports"] == 1

    human = run("entity", "rs-mup.p17")
    assert "Muhamed Alhasan" in human.output and "driver" in human.output


def test_rejected_report_exit_code_and_problems(env):
    bad = report(classification="RESTRICTED")
    bad["entities"][0]["properties"]["phone"] = ["12"]
    path = env / "bad.json"
    path.write_text(json.dumps(bad))
    result = run("ingest", str(path))
    assert result.exit_code == 65
    assert "RESTRICTED" in result.output and "phone[0]" in result.output
    as_json = run("ingest", str(path), "--json")
    assert as_json.exit_code == 65
    problems = json.loads(as_json.output)["rejected"][0]["problems"]
    assert {p["where"] for p in problems} == {"classification", "entities[0].properties.phone[0]"}


def test_missing_entity_and_file(env):
    result = run("entity", "rs-mup.nobody")
    assert result.exit_code == 66 and "no entity" in result.output
    result = run("ingest", str(env / "nope.json"))
    assert result.exit_code == 78 and "no such file" in result.output
    assert json.loads(run("entity", "x.y", "--json").output)["error"] == "NotFound"


def test_bad_database_url(monkeypatch):
    monkeypatch.setenv("COUNTERFLOW_DATABASE_URL", "mysql://nope")
    result = run("stats")
    assert result.exit_code == 78 and "COUNTERFLOW_DATABASE_URL" in result.output


def test_help_teaches():
    result = run("ingest", "--help")
    assert "Examples" in result.output and "--mapping" in result.output
    assert run("--help").exit_code == 0
