"""The demo runs the whole pipeline on the scenario and its --json summary says what it found."""

import json
from pathlib import Path

import networkx
from typer.testing import CliRunner

from counterflow.cli.main import app


def test_demo_json(tmp_path, monkeypatch):
    monkeypatch.setenv("COUNTERFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.sqlite'}")
    monkeypatch.setenv("COUNTERFLOW_WORKERS", "2")
    result = CliRunner().invoke(
        app, ["demo", "--out", str(tmp_path / "world"), "--json"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["scenario"]["statements"] > 100_000
    ingest = summary["ingest"]
    assert ingest["rejected"] == 0 and ingest["reports_added"] > 1000
    seen = summary["visibility"]
    # need-to-know: a Serbian analyst sees Serbian (and Europol-shared) material only; the UK unit,
    # which partners share with, sees most agencies but not everything (victims, conditional material)
    assert seen["rs_mup"]["agencies"] <= 2 < seen["gb_ukbsu"]["agencies"]
    assert seen["rs_mup"]["statements"] < seen["gb_ukbsu"]["statements"] < ingest["statements_added"]
    search = summary["search"]
    assert search["query"] and len(search["agencies"]) >= 2  # one name, written in Cyrillic, found elsewhere
    assert search["searched_by"] == "gb_ukbsu.analyst"
    resolution = summary["resolution"]
    assert (
        resolution["counts"]["merges"] > 0
        and resolution["counts"]["clusters"] < resolution["counts"]["records"]
    )
    assert resolution["explained"]["left"] and resolution["explained"]["right"]
    network = summary["network"]
    assert network["persons"] > 100 and network["protected_persons"] > 0
    assert len(network["plan"]["targets"]) == 5 and network["plan"]["protected_never_targeted"]
    assert network["plan"]["lcc_after_k"] < network["plan"]["lcc_initial"]
    rules = summary["alerts"]["by_rule"]  # watches set before the reports arrived
    assert {"selector", "group-moving", "boat-logistics", "community-bridge"} <= set(rules)
    flows = summary["routes"]["flows"]  # counted on Europol's view of the trips
    assert flows["movements"] > 50 and flows["weeks"] >= 20 and "RS-HU" in flows["per_leg"]
    case = summary["case"]
    assert len(case["targets"]) >= 2 and case["viewer"] == "gb_ukbsu.analyst"
    st = case["statements"]
    assert 0 < st["evidential"] < st["intelligence"] and {"court-restricted", "sanitised"} <= set(
        st["by_reason"]
    )
    pdf = Path(case["briefing"]["pdf"])
    assert pdf.name.startswith("briefing") and pdf.read_bytes().startswith(b"%PDF")
    assert Path(case["briefing"]["html"]).read_text(encoding="utf-8").count(case["targets"][0]["name"]) >= 1
    sanctions = summary["sanctions"]  # designations written in Cyrillic and Arabic script
    assert {"demo-1", "demo-2"} <= set(sanctions["listed_matched"])
    assert sanctions["namesake_matched_only_undated"]  # a namesake 31 years older: no dated match
    graph = networkx.read_graphml(case["graphml"])
    assert graph.number_of_nodes() > 5 and any(d["target"] for _, d in graph.nodes(data=True))

    again = json.loads(CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "world"), "--json"]).output)
    assert again["ingest"]["reports_added"] == 0
    assert again["ingest"]["reports_unchanged"] == ingest["reports_added"]  # idempotent
