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


def test_routes_commands(tmp_path, monkeypatch):
    """`routes places`, `track` and `windows` on a store with a vehicle seen on its way to the coast."""
    import json

    from typer.testing import CliRunner

    from counterflow.cli.main import app
    from counterflow.ingest.pipeline import Ingestor
    from counterflow.store import SqlStore

    from reports import report

    url = f"sqlite:///{tmp_path / 'r.sqlite'}"
    monkeypatch.setenv("COUNTERFLOW_DATABASE_URL", url)
    store = SqlStore(url)
    for i, (at, loc) in enumerate(
        [
            ("2026-03-01T00:00", "Belgrade"),
            ("2026-03-04T00:00", "Loon-Plage"),
            ("2026-03-10T00:00", "Београд"),
        ]
    ):
        Ingestor(store).ingest_report(
            report(
                report_id=f"T{i}",
                entities=[
                    {
                        "id": "v",
                        "schema": "Vehicle",
                        "properties": {"registrationNumber": "BG 555-AA", "country": "rs"},
                    },
                    {
                        "id": f"t{i}",
                        "schema": "Trip",
                        "properties": {"vehicle": "v", "startDate": at, "location": loc},
                    },
                ],
            )
        )
    store.close()
    runner = CliRunner()
    places = json.loads(runner.invoke(app, ["routes", "places", "--json"]).stdout)
    assert any(p["key"] == "belgrade" and p["local"] == "Београд" for p in places)
    track = json.loads(runner.invoke(app, ["routes", "track", "rs-mup.v", "--json"]).stdout)
    assert [s["place"] for s in track["sightings"]] == ["belgrade", "loon_plage", "belgrade"]
    windows = json.loads(runner.invoke(app, ["routes", "windows", "--json"]).stdout)
    assert windows["windows"] == 1
    assert windows["shown"][0]["until"] == "2026-03-13T00:00"  # 72 h observed from Serbia to the coast
    missing = runner.invoke(app, ["routes", "track", "rs-mup.nobody"])
    assert missing.exit_code == 66
    # Flows per leg: the vehicle never stepped along a leg (Belgrade to the coast is no leg's step).
    assert json.loads(runner.invoke(app, ["routes", "flows", "--json"]).stdout)["legs"] == {}
    store = SqlStore(url)
    for i, (at, loc) in enumerate([("2026-03-02T01:00", "Belgrade"), ("2026-03-02T03:00", "Суботица")]):
        entities = [
            {
                "id": "w",
                "schema": "Vehicle",
                "properties": {"registrationNumber": "NS 1-AA", "country": "rs"},
            },
            {
                "id": f"u{i}",
                "schema": "Trip",
                "properties": {"vehicle": "w", "startDate": at, "location": loc},
            },
        ]
        Ingestor(store).ingest_report(report(report_id=f"U{i}", entities=entities))
    store.close()
    flows = json.loads(runner.invoke(app, ["routes", "flows", "--json"]).stdout)
    assert flows["legs"] == {"RS-HU": [1]} and flows["weeks"] == ["2026-03-02"]
    shown = runner.invoke(app, ["routes", "flows"])
    assert shown.exit_code == 0 and "RS-HU" in shown.stdout and "1 movements" in shown.stdout
    bad = runner.invoke(app, ["routes", "flows", "--since", "March"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_alerts_commands(tmp_path, monkeypatch):
    """Watch a phone in national format; an ingest that carries it raises an alert, listed with evidence."""
    import json

    from typer.testing import CliRunner

    from counterflow.cli.main import app

    from reports import report

    monkeypatch.setenv("COUNTERFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'a.sqlite'}")
    runner = CliRunner()
    added = runner.invoke(
        app, ["alerts", "watch", "selector", "+381 64 123 4567", "--type", "phone", "--json"]
    )
    assert added.exit_code == 0, added.stdout
    assert json.loads(added.stdout)["value"] == "+381641234567"
    path = tmp_path / "r.json"
    path.write_text(json.dumps(report(), ensure_ascii=False), encoding="utf-8")
    ingested = runner.invoke(app, ["ingest", str(path), "--json"])
    assert json.loads(ingested.stdout)["alerts_raised"] == 1
    listed = json.loads(runner.invoke(app, ["alerts", "list", "--json"]).stdout)
    assert [a["rule"] for a in listed] == ["selector"] and listed[0]["evidence"][0][
        "value"
    ] == "+381641234567"
    again = runner.invoke(app, ["ingest", str(path), "--json"])  # unchanged: nothing new, no new alert
    assert json.loads(again.stdout)["alerts_raised"] == 0
    bad = runner.invoke(app, ["alerts", "watch", "selector", "12", "--type", "phone"])
    assert bad.exit_code == 65


def test_routes_outlook_and_shifts_on_the_public_series():
    import json

    from typer.testing import CliRunner

    from counterflow.cli.main import app

    runner = CliRunner()
    out = json.loads(
        runner.invoke(app, ["routes", "outlook", "--days", "3", "--as-of", "2024-06-30", "--json"]).stdout
    )
    assert out["data_until"] == "2024-06-30" and [d["day"] for d in out["days"]] == [
        "2024-07-01",
        "2024-07-02",
        "2024-07-03",
    ]
    assert all(0 <= d["p_crossing"] <= 1 for d in out["days"]) and "Home Office" in out["source"]
    wb = json.loads(
        runner.invoke(app, ["routes", "shifts", "--route", "Western Balkan Route", "--json"]).stdout
    )
    falls = [s["at"] for s in wb["shifts"] if s["direction"] == "down"]
    assert "2023-11" in falls and "Frontex" in wb["source"]
    assert runner.invoke(app, ["routes", "shifts", "--route", "Nowhere Route"]).exit_code == 65


def test_a_search_is_one_consultation_and_crosses_scripts(tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from counterflow.audit.log import records
    from counterflow.cli.main import app
    from counterflow.store import SqlStore

    from reports import report

    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    monkeypatch.setenv("COUNTERFLOW_DATABASE_URL", url)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(report(), ensure_ascii=False), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(path)]).exit_code == 0
    hits = json.loads(runner.invoke(app, ["search", "Muhamed Alhasan", "--json"]).stdout)
    assert [h["entity_id"] for h in hits] == ["rs-mup.p17"]  # written Мухамед Алхасан
    store = SqlStore(url)
    searches = [r for r in records(store, action="consultation", limit=100) if r["object_type"] == "search"]
    store.close()
    assert len(searches) == 1
