"""CLI: `counterflow export-statements` (administrators only, logged, all or nothing)."""

import json

from typer.testing import CliRunner

from counterflow.audit.log import records, verify
from counterflow.cli.main import app
from counterflow.store import SqlStore
from counterflow.store.parquet import read_statements

runner = CliRunner()


def test_export_statements_from_the_command_line(tmp_path, governed_url):
    path = tmp_path / "exports" / "st"

    refused = runner.invoke(app, ["export-statements", str(path), "--as", "rs_mup.a"])
    assert refused.exit_code != 0 and "administrator" in refused.output and not path.exists()
    made = runner.invoke(app, ["export-statements", str(path), "--as", "admin", "--json"])
    assert made.exit_code == 0, made.output
    manifest = json.loads(made.stdout)
    assert manifest["statements"] == len(list(read_statements(path))) > 0
    assert list(manifest["by_agency"]) == ["rs_mup"]
    again = runner.invoke(app, ["export-statements", str(path), "--as", "admin"])
    assert again.exit_code != 0 and "already exists" in again.output
    store = SqlStore(governed_url)
    try:
        assert verify(store).ok
        disclosed = [r for r in records(store) if r["action"] == "disclosure" and r["object_id"] == "st"]
        assert len(disclosed) == 1 and disclosed[0]["actor"] == "admin"
    finally:
        store.close()
