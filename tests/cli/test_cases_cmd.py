"""``counterflow cases …`` end to end on the case world: open, target, analyse, brief, export."""

import json

import pytest
from typer.testing import CliRunner

from counterflow.audit.log import records
from counterflow.cli.main import app
from counterflow.store import SqlStore

from casetools import build_world


@pytest.fixture
def env(tmp_path, monkeypatch):
    path = tmp_path / "cli.sqlite"
    build_world(path).close()
    monkeypatch.setenv("COUNTERFLOW_DATABASE_URL", f"sqlite:///{path}")
    return tmp_path


def run(*args):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_a_case_from_the_command_line(env):
    assert run("cases", "open", "op-drina", "--title", "Operation Drina", "--as", "gb_ukbsu.a").exit_code == 0
    out = run("cases", "target", "op-drina", "rs-mup.p1", "--as", "gb_ukbsu.a")
    assert out.exit_code == 0 and "1 target(s) added" in out.output
    refused = run("cases", "target", "op-drina", "rs-mup.p9", "--as", "gb_ukbsu.a")
    assert refused.exit_code != 0 and "never targets" in " ".join(refused.output.split())
    hidden = run("cases", "show", "op-drina", "--as", "rs_mup.a")
    assert hidden.exit_code != 0 and "no case" in hidden.output

    analysis = json.loads(run("cases", "analyse", "op-drina", "--as", "gb_ukbsu.a", "--json").output)
    assert analysis["targets"][0]["standing"] == "evidence"
    events = json.loads(
        run("cases", "chronology", "op-drina", "--evidential", "--as", "gb_ukbsu.a", "--json").output
    )
    assert events and all(e["evidential"] for e in events)

    doc = env / "statement.txt"
    doc.write_text("A driver's statement.", encoding="utf-8")
    stored = run(
        "cases",
        "document",
        "op-drina",
        str(doc),
        "--exhibit",
        "JB/1",
        "--handling",
        "SIENA H0",
        "--classification",
        "official",
        "--as",
        "gb_ukbsu.a",
        "--json",
    )
    assert json.loads(stored.output)["sha256"]
    bad = run(
        "cases",
        "document",
        "op-drina",
        str(doc),
        "--exhibit",
        "JB/2",
        "--handling",
        "H0",
        "--classification",
        "OFFICIAL",
        "--as",
        "gb_ukbsu.a",
    )
    assert bad.exit_code != 0 and "SCHEME CODE" in bad.output
    verified = run("cases", "custody", "op-drina", "--as", "gb_ukbsu.a")
    assert verified.exit_code == 0 and "JB/1: intact" in verified.output

    brief = json.loads(
        run(
            "cases",
            "briefing",
            "op-drina",
            "--recipient",
            "CPS",
            "--out",
            str(env / "b"),
            "--as",
            "gb_ukbsu.a",
            "--json",
        ).output
    )
    assert (env / "b" / "briefing-op-drina.pdf").exists() and brief["marking"]["classification"]
    exported = run(
        "cases",
        "export",
        "op-drina",
        "--format",
        "graphml",
        "--recipient",
        "NCA",
        "--out",
        str(env / "x"),
        "--as",
        "gb_ukbsu.a",
    )
    assert exported.exit_code == 0 and (env / "x" / "op-drina-evidential.graphml").exists()
    store = SqlStore(f"sqlite:///{env / 'cli.sqlite'}")
    disclosed = [(r["object_type"], r["recipients"]) for r in records(store, action="disclosure")]
    assert disclosed == [("case-briefing", "CPS"), ("case-export-graphml", "NCA")]
    consulted = [r["object_id"] for r in records(store, action="consultation") if r["object_type"] == "case"]
    assert consulted.count("op-drina") >= 4  # every read of the case is logged
    store.close()


def test_the_agency_sets_its_evidential_rule(env):
    from counterflow.policy import registry

    out = run("agencies", "evidential", "gb_ukbsu", "--exclude-single-source-untested")
    assert out.exit_code == 0 and "excluded from" in out.output
    store = SqlStore(f"sqlite:///{env / 'cli.sqlite'}")
    assert registry.single_source_rule(store, "gb_ukbsu") and not registry.single_source_rule(store, "rs_mup")
    unknown = run("agencies", "evidential", "xx_nobody", "--include-single-source-untested")
    assert unknown.exit_code != 0 and "xx_nobody" in unknown.output
    store.close()


def test_sanctions_import_screen_and_watch(env):
    listed = env / "list.ftm.json"
    entry = {
        "id": "ofsi-1",
        "schema": "Person",
        "properties": {"name": ["Драган Петровић"]},
        "datasets": ["x"],
    }
    listed.write_text(json.dumps(entry, ensure_ascii=False) + "\n", encoding="utf-8")
    refused = run("sanctions", "import", str(listed), "--list", "gb_ofsi", "--as", "gb_ukbsu.a")
    assert refused.exit_code != 0 and "supervisor" in refused.output
    out = run("sanctions", "import", str(listed), "--list", "gb_ofsi", "--as", "gb_ukbsu.sup")
    assert out.exit_code == 0 and "1 persons and organisations imported" in out.output
    broken = env / "broken.json"
    broken.write_text("{oops\n", encoding="utf-8")
    bad = run("sanctions", "import", str(broken), "--list", "gb_ofsi", "--as", "gb_ukbsu.sup")
    assert bad.exit_code != 0 and "not JSON" in bad.output
    assert json.loads(run("sanctions", "lists", "--json").output)[0]["entries"] == 1  # the good one stays
    found = json.loads(run("sanctions", "screen", "--as", "gb_ukbsu.a", "--json").output)
    assert {m["entity_id"] for m in found} == {"rs-mup.p1"}
    run("cases", "open", "op-drina", "--title", "Drina", "--as", "gb_ukbsu.a")
    run("cases", "target", "op-drina", "rs-mup.p3", "--as", "gb_ukbsu.a")
    in_case = json.loads(
        run("sanctions", "screen", "--case", "op-drina", "--as", "gb_ukbsu.a", "--json").output
    )
    assert [m["listed_id"] for m in in_case] == ["ofsi-1"]  # the organiser is in the case's material
    watch = run("alerts", "watch", "sanctions", "gb_ofsi", "--as", "gb_ukbsu.a")
    assert watch.exit_code == 0 and "sanctions gb_ofsi" in watch.output
