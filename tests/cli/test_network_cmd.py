"""CLI: `counterflow network` (the network you may see; same answer in memory, on DuckDB, on Spark)."""

import json

import pytest
from typer.testing import CliRunner

from counterflow.audit.log import records
from counterflow.cli.main import app
from counterflow.ingest.pipeline import Ingestor
from counterflow.store import SqlStore

from reports import report

runner = CliRunner()


def _person(pid, name, phone, roles=()):
    return {
        "id": pid,
        "schema": "Person",
        "roles": list(roles),
        "properties": {"name": [name], "phone": [phone]},
    }


def _call(cid, a, b, day):
    return {
        "id": cid,
        "schema": "Call",
        "properties": {"caller": [a], "receiver": [b], "startDate": [day]},
    }


@pytest.fixture
def store_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cf.sqlite'}"
    monkeypatch.setenv("COUNTERFLOW_DATABASE_URL", url)
    monkeypatch.delenv("COUNTERFLOW_USER", raising=False)
    monkeypatch.delenv("COUNTERFLOW_ENGINE", raising=False)
    people = [
        _person("boss", "Arben Krasniqi", "+38160100001", ["organiser"]),
        _person("d1", "Goran Babić", "+38160100002", ["driver"]),
        _person("d2", "Nikola Petrović", "+38160100003", ["driver"]),
        _person("m1", "Samir Haddad", "+38160100004", ["victim"]),
        _person("r1", "Luka Horvat", "+38160100005", ["recruiter"]),
    ]
    calls = [
        _call("c1", "boss", "d1", "2026-03-01"),
        _call("c2", "boss", "d2", "2026-03-02"),
        _call("c3", "d1", "m1", "2026-03-03"),
        _call("c4", "r1", "boss", "2026-03-04"),
        _call("c5", "d2", "r1", "2026-03-05"),
    ]
    store = SqlStore(url)
    Ingestor(store).ingest_report(report(report_id="N1", entities=people + calls))
    store.close()
    return url


def _run(*args):
    result = runner.invoke(app, ["network", "--k", "2", "--json", *args])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    data.pop("seconds")
    return data


def test_the_network_is_the_same_in_memory_and_on_duckdb(store_url):
    memory, duck = _run(), _run("--engine", "local")
    assert memory == duck
    assert memory["persons"] == 5 and memory["ties"] >= 5 and memory["protected_persons"] == 1
    targets = [t["id"] for t in memory["plan"]["targets"]]
    assert "rs-mup.m1" not in targets and memory["plan"]["protected_never_targeted"]
    assert "rs-mup.m1" not in [b["id"] for b in memory["brokers"]]
    store = SqlStore(store_url)
    try:
        logged = [
            r for r in records(store) if r["action"] == "consultation" and r["object_type"] == "network"
        ]
    finally:
        store.close()
    assert len(logged) == 2


@pytest.mark.xdist_group("spark")
def test_the_network_is_the_same_on_spark(store_url, spark):
    assert _run("--engine", "spark") == _run()


def test_the_victim_is_a_node_but_never_a_target(store_url):
    from counterflow.graph.views import visible_network
    from counterflow.model.visibility import Viewer

    store = SqlStore(store_url)
    try:
        people = visible_network(store, Viewer.operator())
    finally:
        store.close()
    assert people.nodes["rs-mup.m1"].protected  # the id the other test checks is the victim's
    plan = _run("--k", "4")["plan"]
    assert len(plan["targets"]) == 4 and "rs-mup.m1" not in [t["id"] for t in plan["targets"]]


def test_a_network_snapshot_is_stored_for_every_process_and_logged(store_url):
    from counterflow.alerts import network_snapshot
    from counterflow.store.snapshots import latest_snapshot

    made = runner.invoke(app, ["network-snapshot", "--json"])
    assert made.exit_code == 0, made.output
    first = json.loads(made.stdout)
    assert first["engine"] == "memory" and first["persons"] == 5 and first["communities"] >= 1
    on_duck = json.loads(runner.invoke(app, ["network-snapshot", "--engine", "local", "--json"]).stdout)
    store = SqlStore(store_url)
    try:
        newest = latest_snapshot(store)
        assert newest.id == on_duck["id"] and newest.engine == "local"
        network_snapshot._SNAPSHOTS.pop(store.url, None)
        read = network_snapshot.communities(store, refresh=False)
        assert read is not None and set(read.membership) == {
            f"rs-mup.{p}" for p in ("boss", "d1", "d2", "m1", "r1")
        }
        assert "rs-mup.m1" in read.protected
        logged = [
            r
            for r in records(store)
            if r["action"] == "combination" and r["object_type"] == "network_snapshot"
        ]
        assert [r["object_id"] for r in logged] == [first["id"], on_duck["id"]]
    finally:
        network_snapshot._SNAPSHOTS.pop(store.url, None)
        store.close()


def test_a_network_snapshot_needs_an_administrator(governed_url):
    refused = runner.invoke(app, ["network-snapshot", "--as", "rs_mup.a"])
    assert refused.exit_code != 0 and "administrator" in refused.output
    made = runner.invoke(app, ["network-snapshot", "--as", "admin", "--json"])
    assert made.exit_code == 0, made.output


def test_a_network_snapshot_from_an_export(governed_url, tmp_path):
    path = tmp_path / "export"
    made = runner.invoke(app, ["export-statements", str(path), "--as", "admin", "--json"])
    assert made.exit_code == 0, made.output
    from_store = json.loads(runner.invoke(app, ["network-snapshot", "--as", "admin", "--json"]).stdout)
    got = runner.invoke(app, ["network-snapshot", "--as", "admin", "--json", "--statements", str(path)])
    assert got.exit_code == 0, got.output
    from_export = json.loads(got.stdout)
    assert from_export["engine"] == "local" and from_store["engine"] == "memory"
    assert from_export["persons"] == from_store["persons"] > 0
    assert from_export["communities"] == from_store["communities"]
    assert from_export["reports_held"] == from_store["reports_held"]
    missing = runner.invoke(
        app, ["network-snapshot", "--as", "admin", "--statements", str(tmp_path / "none")]
    )
    assert missing.exit_code == 2 and "Invalid value" in missing.output
