import csv
import json

import pytest
from typer.testing import CliRunner

from counterflow.cli.main import app
from counterflow.errors import InvalidValue
from counterflow.resolve.ftm_io import read_ftm_file, read_ftm_lines
from counterflow.resolve.service import resolve_file

runner = CliRunner()


def test_contract_one_row_per_entity_singletons_included(entities_file, tmp_path):
    out = tmp_path / "clusters.csv"
    extra = {
        "id": "rs-mup.e1",
        "schema": "Associate",
        "properties": {"person": ["rs-mup.p3"]},
        "datasets": ["rs_mup"],
    }
    with entities_file.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(extra) + "\n")
    result = runner.invoke(app, ["resolve", "--input", str(entities_file), "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["entity_id", "cluster_id"]
    ids = {r["entity_id"]: r["cluster_id"] for r in rows}
    assert len(rows) == 9 and ids["rs-mup.e1"] == "rs-mup.e1" and ids["hu-police.p4"] == "hu-police.p4"
    assert (
        len({ids[e] for e in ("eu-europol.p1", "hr-mup.p7", "rs-mup.p3", "gb-nca.p9", "gr-police.p2")}) == 1
    )


def test_contract_is_deterministic(entities_file, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    resolve_file(entities_file, a, actor="t")
    resolve_file(entities_file, b, actor="t")
    assert a.read_bytes() == b.read_bytes()


def test_an_entity_on_several_lines_is_one_record_with_every_value(tmp_path):
    def line(eid: str, agency: str, **props: list[str]) -> dict[str, object]:
        return {"id": eid, "schema": "Person", "properties": props, "datasets": [agency]}

    lines = [
        line("rs.p1", "rs_mup", name=["Marko Petrović"]),
        line("rs.p2", "rs_mup", name=["Ana Jovanović"]),
        line("rs.p1", "hr_mup", phone=["064 123 4567"], name=["Marko Petrovic"]),
    ]
    src = tmp_path / "dup.jsonl"
    src.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    for data in (read_ftm_file(src), read_ftm_lines(iter(src.read_text(encoding="utf-8").splitlines()))):
        assert data.entity_ids == ["rs.p1", "rs.p2"] and not data.problems
        by_id = {r.entity_id: r for r in data.records}
        assert len(data.records) == 2
        first = by_id["rs.p1"]
        assert first.names == ("Marko Petrović", "Marko Petrovic")
        assert first.selectors == ("phone:+381641234567",)  # the first line's agency gives the region
        assert first.agency == "rs_mup" and by_id["rs.p2"].selectors == ()
        assert data.datasets == {"rs_mup": 2, "hr_mup": 1}


def test_bad_lines_are_all_listed_and_nothing_is_written(tmp_path):
    src = tmp_path / "bad.jsonl"
    src.write_text(
        '{"id": "a", "schema": "Person"}\nnot json\n{"id": "", "schema": "Nope"}\n[1]\n', encoding="utf-8"
    )
    problems = read_ftm_lines(src.read_text(encoding="utf-8").splitlines()).problems
    assert [p.where for p in problems] == ["input:2", "input:3.id", "input:3.schema", "input:4"]
    out = tmp_path / "out.csv"
    with pytest.raises(InvalidValue, match="4 problem"):
        resolve_file(src, out, actor="t")
    assert not out.exists()
    result = runner.invoke(app, ["resolve", "--input", str(src), "--output", str(out)])
    assert result.exit_code != 0 and not out.exists()


def test_resolve_without_arguments_explains_itself():
    result = runner.invoke(app, ["resolve"])
    assert result.exit_code != 0
