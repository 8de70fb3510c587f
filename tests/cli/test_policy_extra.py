"""CLI: tokens, hit/no-hit, notifications, dissemination packages, retention."""

import json

import pytest
from typer.testing import CliRunner

from counterflow.cli.main import app
from counterflow.ingest.pipeline import Ingestor, Submitter
from counterflow.policy import registry
from counterflow.policy.auth import authenticate_token
from counterflow.store import SqlStore
from counterflow.store.selectors import load_key

from reports import report

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    db = tmp_path / "cli.sqlite"
    monkeypatch.setenv("COUNTERFLOW_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.delenv("COUNTERFLOW_USER", raising=False)
    monkeypatch.delenv("COUNTERFLOW_RETENTION_FILE", raising=False)
    monkeypatch.setenv("COUNTERFLOW_SIGNING_KEY_FILE", str(tmp_path / "sign.key"))
    store = SqlStore(f"sqlite:///{db}", selector_key=load_key(tmp_path / "cli.sqlite.key"))
    for agency in ("rs_mup", "gb_ukbsu"):
        registry.add_agency(store, agency, agency.upper())
        registry.add_user(store, f"{agency}.a", agency, roles=["analyst"], clearance="OFFICIAL-SENSITIVE")
        registry.add_user(store, f"{agency}.sup", agency, roles=["supervisor"], clearance="SECRET")
    registry.add_user(store, "admin", "gb_ukbsu", roles=["administrator"])
    Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(report())
    store.close()
    return tmp_path


def run(*args, input=None):
    return runner.invoke(app, list(args), catch_exceptions=False, input=input)


def test_tokens_issue_list_revoke(env):
    result = run("tokens", "issue", "gb_ukbsu.a", "--days", "30", "--as", "admin", "--json")
    assert result.exit_code == 0, result.output
    issued = json.loads(result.output)
    store = SqlStore(f"sqlite:///{env / 'cli.sqlite'}")
    assert authenticate_token(store, issued["token"]).user == "gb_ukbsu.a"
    listed = json.loads(run("tokens", "list", "--as", "gb_ukbsu.a", "--user", "gb_ukbsu.a", "--json").output)
    assert [t["token_id"] for t in listed] == [issued["token_id"]] and issued["token"] not in json.dumps(
        listed
    )
    denied = run("tokens", "issue", "rs_mup.a", "--as", "gb_ukbsu.a")
    assert denied.exit_code == 77 and "administrator" in denied.output
    assert run("tokens", "revoke", issued["token_id"], "--as", "gb_ukbsu.a").exit_code == 0  # own token
    assert run("tokens", "revoke", issued["token_id"], "--as", "admin").exit_code == 66  # already revoked
    store.close()


def test_hit_and_notifications(env):
    result = run("hit", "phone", "+381 64 123 4567", "--as", "gb_ukbsu.a", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "hit": True,
        "owners": [{"agency": "rs_mup", "handling": ["3x5x2 C"], "reports": 1}],
    }
    human = run("hit", "plate", "БГ 123-АБ", "--as", "gb_ukbsu.a")
    assert "contact rs_mup" in human.output and "Alhasan" not in human.output
    nothing = run("hit", "name", "Nobody Known", "--birth-date", "1990-01-01", "--as", "gb_ukbsu.a", "--json")
    assert json.loads(nothing.output) == {"hit": False, "owners": []}
    told = json.loads(run("notifications", "--as", "rs_mup.a", "--json").output)
    assert [(n["asker"], n["kind"]) for n in told] == [("gb_ukbsu.a", "plate"), ("gb_ukbsu.a", "phone")]
    bad = run("hit", "phone", "12", "--as", "gb_ukbsu.a")
    assert bad.exit_code == 65 and "invalid phone" in bad.output
    assert run("hit", "phone", "+381641234567").exit_code == 78  # who is asking?


def test_disseminate_and_verify(env):
    out = env / "pkg"
    result = run(
        "disseminate",
        "rs-mup.p17",
        "rs-mup.v3",
        "--to",
        "gb_ukbsu",
        "--out",
        str(out),
        "--as",
        "rs_mup.a",
        "--json",
    )
    assert result.exit_code == 0, result.output
    pkg = json.loads(result.output)
    assert pkg["recipient"] == "gb_ukbsu" and pkg["entities"] == 2
    ok = run("verify-package", str(out), "--public-key", pkg["public_key"], "--json")
    assert ok.exit_code == 0 and json.loads(ok.output) == {"ok": True, "problems": [], "pinned_key": True}
    (env / "pub.txt").write_text(pkg["public_key"])
    assert "verifies" in run("verify-package", str(out), "--public-key", str(env / "pub.txt")).output
    body = (out / "statements.jsonl").read_text(encoding="utf-8")
    (out / "statements.jsonl").write_text(body.replace("Alhasan", "Alhasen"), encoding="utf-8")
    bad = run("verify-package", str(out))
    assert bad.exit_code == 65 and "altered" in bad.output
    denied = run(
        "disseminate", "rs-mup.p17", "--to", "rs_mup", "--out", str(env / "p2"), "--as", "gb_ukbsu.a"
    )
    assert denied.exit_code == 66  # gb_ukbsu cannot see it, let alone send it


def test_retention_commands(env):
    assert run("retention", "schedule", "--as", "rs_mup.a").exit_code == 77
    scheduled = json.loads(run("retention", "schedule", "--as", "rs_mup.sup", "--json").output)
    assert scheduled["scheduled"] == 1 and "defaults" in scheduled["groups_from"]
    due = json.loads(run("retention", "due", "--as-of", "2040-01-01", "--as", "rs_mup.sup", "--json").output)
    assert [r["report_key"] for r in due] == ["rs_mup:RS-2026-0001"]
    kept = run(
        "retention", "decide", "rs_mup:RS-2026-0001", "retain", "--reason", "open case", "--as", "rs_mup.sup"
    )
    assert kept.exit_code == 0 and "next review" in kept.output
    denied = run(
        "retention", "erase", "rs_mup:RS-2026-0001", "--reason", "x", "--yes", "--as", "gb_ukbsu.sup"
    )
    assert denied.exit_code == 77
    aborted = run(
        "retention", "erase", "rs_mup:RS-2026-0001", "--reason", "x", "--as", "rs_mup.sup", input="n\n"
    )
    assert aborted.exit_code != 0
    erased = run(
        "retention",
        "erase",
        "rs_mup:RS-2026-0001",
        "--reason",
        "court order",
        "--yes",
        "--as",
        "rs_mup.sup",
        "--json",
    )
    assert erased.exit_code == 0, erased.output
    assert json.loads(erased.output)["removed"]["statements"] > 0
    assert json.loads(run("stats", "--as", "rs_mup.sup", "--json").output)["statements"] == 0
    assert json.loads(run("audit", "verify", "--json", "--as", "admin").output)["ok"] is True


def test_help_has_examples():
    for command in (
        ["hit"],
        ["disseminate"],
        ["verify-package"],
        ["tokens", "issue"],
        ["retention", "erase"],
    ):
        result = run(*command, "--help")
        assert result.exit_code == 0 and "Examples" in result.output, command
