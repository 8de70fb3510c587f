"""The public CLI contract: counterflow dismantle --edges FILE.csv --k 5 --json."""

import json

import pytest
from typer.testing import CliRunner

from counterflow.cli.main import app
from counterflow.graph import STRATEGIES

runner = CliRunner()


@pytest.fixture
def edges(tmp_path):
    f = tmp_path / "net.csv"
    rows = ["source,target,weight"] + [f"n{i},n{(i * 7 + 3) % 30},{1 + i % 3}" for i in range(30)]
    rows += [f"n{i},n{i + 1}" + "," for i in range(0, 29, 2)]
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return f


def names_in(path):
    out = set()
    for line in path.read_text().splitlines()[1:]:
        a, b, _ = line.split(",")
        out |= {a, b}
    return out


@pytest.mark.parametrize("strategy", [None, *STRATEGIES])
def test_json_contract(edges, strategy):
    args = ["dismantle", "--edges", str(edges), "--k", "3" if strategy == "exhaustive" else "5", "--json"]
    if strategy:
        args += ["--strategy", strategy]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["strategy"] == (strategy or "best")
    assert all(isinstance(x, str) for x in out["order"])
    assert sorted(out["order"]) == sorted(names_in(edges))
    m = out["metrics"]
    for key in ("lcc_after_k", "fragmentation_after_k", "robustness", "r_auc", "qc", "qc_reinserted"):
        assert key in m
    assert out["targets"] == out["order"][: out["k"]]


def test_real_network_and_protect(networks):
    f = networks / "siren.csv"
    res = runner.invoke(app, ["dismantle", "--edges", str(f), "--k", "5", "--json", "--protect", "1"])
    out = json.loads(res.stdout)
    assert res.exit_code == 0 and "1" not in out["targets"] and out["order"][-1] == "1"
    assert len(out["order"]) == 44


def test_human_output(edges):
    res = runner.invoke(app, ["dismantle", "--edges", str(edges), "--k", "2"])
    assert res.exit_code == 0 and "LCC/N after 2" in res.stdout


def test_errors_are_clear_and_json(tmp_path, edges):
    res = runner.invoke(app, ["dismantle", "--edges", str(tmp_path / "none.csv"), "--json"])
    assert res.exit_code == 65 and json.loads(res.stdout)["error"] == "InvalidValue"
    res = runner.invoke(app, ["dismantle", "--edges", str(edges), "--strategy", "magic", "--json"])
    assert res.exit_code == 65 and "unknown strategy" in json.loads(res.stdout)["message"]
    res = runner.invoke(app, ["dismantle", "--edges", str(edges), "--strategy", "exhaustive", "--k", "4"])
    assert res.exit_code == 65 and "error" in res.stderr
