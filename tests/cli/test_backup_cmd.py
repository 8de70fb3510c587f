"""CLI: `counterflow backup` (administrators only, logged) and `counterflow restore` (verified, logged)."""

import json

from typer.testing import CliRunner

from counterflow.audit.log import records, verify
from counterflow.cli.main import app
from counterflow.store import SqlStore

runner = CliRunner()


def test_backup_and_restore_from_the_command_line(tmp_path, monkeypatch, governed_url):
    path = tmp_path / "backups" / "cf.cfbackup"

    refused = runner.invoke(app, ["backup", str(path), "--as", "rs_mup.a"])
    assert refused.exit_code != 0 and "administrator" in refused.output and not path.exists()
    made = runner.invoke(app, ["backup", str(path), "--as", "admin", "--json"])
    assert made.exit_code == 0, made.output
    manifest = json.loads(made.stdout)
    assert manifest["tables"]["reports"] == 1 and path.exists()
    shown = runner.invoke(app, ["backup", str(tmp_path / "again.cfbackup"), "--as", "admin"])
    assert "Backed up" in shown.stdout and "statements" in shown.stdout

    monkeypatch.setenv("COUNTERFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'restored.sqlite'}")
    done = runner.invoke(app, ["restore", str(path), "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["verified"] is True
    again = runner.invoke(app, ["restore", str(path)])  # the target holds data now
    assert again.exit_code != 0 and "--replace" in again.output
    restored = SqlStore(f"sqlite:///{tmp_path / 'restored.sqlite'}")
    try:
        assert verify(restored).ok
        disclosed = records(restored, action="disclosure")
        assert any(r["object_id"] == "cf.cfbackup" and r["actor"] == "admin" for r in disclosed)
        assert any(r["object_id"] == "cf.cfbackup" for r in records(restored, action="alteration"))
    finally:
        restored.close()
