"""The store commands of ``counterflow resolve`` (the file contract is tested in test_ftm_io.py)."""

import json

import pytest
from typer.testing import CliRunner

from counterflow.cli.main import app
from counterflow.ingest.pipeline import Ingestor, read_path
from counterflow.store import SqlStore

runner = CliRunner()


def _report(agency, rid, entities):
    return {
        "format": "counterflow.report/1",
        "agency": agency,
        "report_id": rid,
        "reported_at": "2026-03-05",
        "grading": {"scheme": "4x4", "source": "B", "information": "2"},
        "handling": {"scheme": "SIENA", "code": "H0"},
        "classification": "OFFICIAL",
        "entities": [
            {"id": e["id"].split(".", 1)[1], "schema": e["schema"], "properties": e["properties"]}
            for e in entities
        ],
    }


def test_run_explain_merge_undo_new_from_the_command_line(tmp_path, monkeypatch, entities):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("COUNTERFLOW_DATABASE_URL", url)
    path = tmp_path / "r.jsonl"
    first, later = entities[:-2], entities[-2:]
    path.write_text(
        "".join(
            json.dumps(_report(e["datasets"][0], f"R{i}", [e]), ensure_ascii=False) + "\n"
            for i, e in enumerate(first)
        ),
        encoding="utf-8",
    )
    store = SqlStore(url)
    Ingestor(store).ingest(read_path(path))
    result = runner.invoke(app, ["resolve", "run", "--user", "ann", "--json"])
    assert result.exit_code == 0, result.output
    run = json.loads(result.output)
    assert run["actor"] == "ann" and run["kind"] == "full" and run["merges"]
    result = runner.invoke(app, ["resolve", "explain", "rs-mup.p3", "gb-nca.p9", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["same_cluster"]
    result = runner.invoke(app, ["resolve", "merge", "de-bpol.p5", "rs-mup.p3", "--reason", "x", "--json"])
    decision = json.loads(result.output)
    assert "de-bpol.p5" in decision["after"]["rs-mup.p3"]
    result = runner.invoke(
        app, ["resolve", "undo", decision["judgements"][0]["id"], "--reason", "y", "--json"]
    )
    assert json.loads(result.output)["after"]["de-bpol.p5"] == ["de-bpol.p5"]
    assert runner.invoke(app, ["resolve", "queue"]).exit_code == 0
    assert runner.invoke(app, ["resolve", "status"]).exit_code == 0
    # a later report resolves against the index, without a rerun
    more = tmp_path / "more.jsonl"
    more.write_text(
        "".join(
            json.dumps(_report(e["datasets"][0], f"L{i}", [e]), ensure_ascii=False) + "\n"
            for i, e in enumerate(later)
        ),
        encoding="utf-8",
    )
    Ingestor(store).ingest(read_path(more))
    result = runner.invoke(app, ["resolve", "new", *[e["id"] for e in later], "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["counts"]["new_records"] == 2
    store.close()


@pytest.mark.xdist_group("spark")
def test_the_file_contract_gives_the_same_clusters_on_spark(tmp_path, spark, entities):
    """``--engine spark`` (the session of this test process) writes the file ``local`` writes."""
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entities), encoding="utf-8")
    outs = {}
    for engine in ("local", "spark"):
        out = tmp_path / f"{engine}.csv"
        result = runner.invoke(
            app, ["resolve", "--input", str(src), "--output", str(out), "--engine", engine, "--json"]
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["inputs"]["engine"] == engine
        outs[engine] = out.read_text(encoding="utf-8")
    assert outs["spark"] == outs["local"]
    assert len(set(line.split(",")[1] for line in outs["local"].splitlines()[1:])) < len(entities)


def test_an_unknown_engine_is_refused_by_name(tmp_path, entities):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(entities[0]) + "\n", encoding="utf-8")
    result = runner.invoke(
        app, ["resolve", "--input", str(src), "--output", str(tmp_path / "o.csv"), "--engine", "hadoop"]
    )
    assert result.exit_code != 0
    assert "unknown engine 'hadoop'" in result.output
    assert not (tmp_path / "o.csv").exists()
