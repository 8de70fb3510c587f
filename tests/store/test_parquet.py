"""Statements to Parquet (partitioned by agency and report date) and back, on SQLite and PostgreSQL."""

import json

import pyarrow.parquet as pq
import pytest

from counterflow.audit.log import verify
from counterflow.errors import ConfigurationError
from counterflow.ingest.report import parse_report
from counterflow.model.handling import Classification
from counterflow.model.visibility import Viewer
from counterflow.store import SqlStore
from counterflow.store.parquet import MANIFEST, export_statements, read_manifest, read_statements

from reports import report

DAYS = ["14.03.2026.", "15.03.2026.", "02.04.2026."]


def _fill(store: SqlStore) -> None:
    for i, day in enumerate(DAYS):
        for agency in ("rs_mup", "hr_mup"):
            person = {"id": f"p{i}", "schema": "Person", "properties": {"name": [f"Goran Babić {i}"]}}
            store.write_reports(
                [
                    parse_report(
                        report(agency=agency, report_id=f"R{i}", reported_at=day, entities=[person])
                    ).record
                ]
            )
    secret = report(report_id="S1", classification="SECRET", reported_at="16.03.2026.")
    store.write_reports([parse_report(secret).record])


def _everything(store: SqlStore) -> list:
    return sorted(store.iter_statements(viewer=Viewer.operator()), key=lambda s: s.id)


def test_round_trip_keeps_every_statement_whole(store, tmp_path):
    _fill(store)
    made = export_statements(store, tmp_path / "x", actor="admin")
    back = sorted(read_statements(tmp_path / "x"), key=lambda s: s.id)
    want = _everything(store)
    assert len(want) > 10 and back == want
    assert made.statements == len(want)
    assert made.by_agency == {a: sum(1 for s in want if s.agency == a) for a in ("hr_mup", "rs_mup")}
    assert set(made.by_agency) == {s.agency for s in want}
    assert read_manifest(tmp_path / "x").statements == made.statements


def test_partitions_are_agency_then_report_day(store, tmp_path):
    _fill(store)
    made = export_statements(store, tmp_path / "x", actor="admin")
    dirs = sorted(str(p.parent.relative_to(tmp_path / "x")) for p in (tmp_path / "x").rglob("*.parquet"))
    assert set(dirs) == {
        "agency=hr_mup/date=2026-03-14",
        "agency=hr_mup/date=2026-03-15",
        "agency=hr_mup/date=2026-04-02",
        "agency=rs_mup/date=2026-03-14",
        "agency=rs_mup/date=2026-03-15",
        "agency=rs_mup/date=2026-03-16",
        "agency=rs_mup/date=2026-04-02",
    }
    assert made.partitions == 7
    # each file holds only its partition's rows (the partition columns live in the path)
    for path in (tmp_path / "x").rglob("*.parquet"):
        table = pq.read_table(path)
        agency = path.parent.parent.name.removeprefix("agency=")
        day = path.parent.name.removeprefix("date=")
        assert "agency" not in table.column_names
        assert {s[:10] for s in table.column("reported_at").to_pylist()} == {day}, agency
    only = list(read_statements(tmp_path / "x", agencies=["hr_mup"]))
    assert only and {s.agency for s in only} == {"hr_mup"}


def test_a_viewer_exports_only_what_it_may_see(store, tmp_path):
    _fill(store)
    reader = Viewer("ana", "rs_mup", Classification.OFFICIAL_SENSITIVE)
    made = export_statements(store, tmp_path / "x", actor="ana", viewer=reader)
    got = list(read_statements(tmp_path / "x"))
    seen = sorted(store.iter_statements(viewer=reader), key=lambda s: s.id)
    assert sorted(got, key=lambda s: s.id) == seen
    assert {s.classification for s in got} != {Classification.SECRET}
    assert "SECRET" not in {s.classification.value for s in got}
    assert made.viewer == "ana" and made.statements < len(_everything(store))


def test_the_export_is_logged_before_rows_leave(store, tmp_path):
    _fill(store)
    export_statements(store, tmp_path / "x", actor="admin")
    assert verify(store).ok
    with store.engine.connect() as conn:
        from sqlalchemy import select

        from counterflow.store.schema_policy import audit_log

        rows = conn.execute(select(audit_log).where(audit_log.c.action == "disclosure")).mappings().all()
    assert [r["recipients"] for r in rows if "parquet:x" in str(r["recipients"])]


def test_an_export_never_lands_in_part(store, tmp_path):
    _fill(store)

    calls = []

    def boom(n):  # fails once some batches have been written
        calls.append(n)
        if len(calls) == 4:
            raise RuntimeError("disk full")

    out = tmp_path / "exports"
    out.mkdir()
    with pytest.raises(RuntimeError, match="disk full"):
        export_statements(store, out / "x", actor="admin", batch=2, progress=boom)
    assert list(out.iterdir()) == []
    export_statements(store, out / "x", actor="admin")
    with pytest.raises(ConfigurationError, match="already exists"):
        export_statements(store, out / "x", actor="admin")


def test_a_directory_that_is_not_an_export_is_refused(tmp_path):
    (tmp_path / "d").mkdir()
    with pytest.raises(ConfigurationError, match="not a Counterflow statements export"):
        list(read_statements(tmp_path / "d"))
    (tmp_path / "d" / MANIFEST).write_text(json.dumps({"format": "other/9"}), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="this code reads"):
        list(read_statements(tmp_path / "d"))


def test_an_empty_store_exports_an_empty_dataset(store, tmp_path):
    made = export_statements(store, tmp_path / "x", actor="admin")
    assert made.statements == 0 and list(read_statements(tmp_path / "x")) == []
