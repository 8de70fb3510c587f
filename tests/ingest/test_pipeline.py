"""Ingest end to end: atomic per report, idempotent, rejections listed, others go on."""

import json

import pytest

from counterflow.errors import ReportConflict, ReportRejected
from counterflow.ingest.pipeline import Ingestor, expand_paths, read_path
from counterflow.model.visibility import Viewer
from counterflow.store import SqlStore

from reports import report

OP = Viewer.operator()


def write_jsonl(path, reports):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in reports) + "\n", encoding="utf-8")
    return path


def test_bulk_file_good_and_bad_reports(store: SqlStore, tmp_path):
    bad = report(report_id="BAD-1")
    bad["entities"][0]["properties"]["phone"] = ["12"]
    lines = [report(report_id=f"R{i}") for i in range(3)] + [bad]
    path = write_jsonl(tmp_path / "rs.jsonl", lines)
    with path.open("a") as fh:
        fh.write("{not json\n")
    summary = Ingestor(store, batch_statements=5).ingest(read_path(path))
    assert summary.reports_added == 3
    assert [r.report for r in summary.rejected] == ["BAD-1", "line 5"]
    assert "invalid JSON" in summary.rejected[1].problems[0].reason
    assert store.stats(viewer=OP)["reports"] == 3
    assert store.statements_for_report("rs_mup", "BAD-1", viewer=OP) == []
    again = Ingestor(store).ingest(read_path(path))
    assert (again.reports_added, again.reports_unchanged, again.statements_added) == (0, 3, 0)
    assert store.stats(viewer=OP)["reports"] == 3


def test_conflicting_resend_is_rejected(store: SqlStore, tmp_path):
    ing = Ingestor(store)
    assert ing.ingest_report(report()) == "added"
    assert ing.ingest_report(report()) == "unchanged"
    with pytest.raises(ReportConflict, match="different content"):
        ing.ingest_report(report(title="changed"))
    summary = ing.ingest(read_path(write_jsonl(tmp_path / "x.jsonl", [report(title="changed")])))
    assert summary.rejected and "different content" in summary.rejected[0].problems[0].reason


def test_single_report_rejection_raises(store: SqlStore):
    with pytest.raises(ReportRejected):
        Ingestor(store).ingest_report(report(classification="RESTRICTED"))
    assert store.stats(viewer=OP)["statements"] == 0


def test_failure_during_write_leaves_nothing(store: SqlStore, monkeypatch):
    def boom(conn, rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_insert_statements", boom)
    with pytest.raises(RuntimeError):
        Ingestor(store).ingest_report(report())
    monkeypatch.undo()
    assert store.stats(viewer=OP)["reports"] == 0 and store.stats(viewer=OP)["statements"] == 0
    assert Ingestor(store).ingest_report(report()) == "added"  # and a retry works


def test_text_mentions_names_from_earlier_reports(sqlite_store: SqlStore):
    ing = Ingestor(sqlite_store)
    ing.ingest_report(report())
    later = report(
        agency="hr_mup",
        report_id="HR-9",
        language="hr",
        entities=[],
        text="Suspect Muhamed Alhasan was seen near Bajakovo.",
    )
    ing.ingest_report(later)
    mentions = [
        s
        for s in sqlite_store.statements_for_report("hr_mup", "HR-9", viewer=OP)
        if s.prop == "peopleMentioned"
    ]
    assert [m.evidence["entity_id"] for m in mentions] == ["rs-mup.p17"]
    # a fresh ingestor (another process) builds the same index from the store
    fresh = Ingestor(sqlite_store)
    fresh.ingest_report(
        report(agency="hr_mup", report_id="HR-10", entities=[], text="Again Мухамед Алхасан in Zagreb.")
    )
    assert [
        s.evidence["entity_id"]
        for s in sqlite_store.statements_for_report("hr_mup", "HR-10", viewer=OP)
        if s.prop == "peopleMentioned"
    ] == ["rs-mup.p17"]


def test_native_json_list_and_not_utf8(tmp_path, sqlite_store: SqlStore):
    (tmp_path / "two.json").write_text(json.dumps([report(report_id="A"), report(report_id="B")]))
    (tmp_path / "latin1.json").write_bytes('{"x": "é"}'.encode("latin-1"))
    (tmp_path / "notes.txt").write_text("ignored")
    files = expand_paths([tmp_path])
    assert [f.name for f in files] == ["latin1.json", "two.json"]
    summary = Ingestor(sqlite_store).ingest(item for f in files for item in read_path(f))
    assert summary.reports_added == 2
    assert "not UTF-8" in summary.rejected[0].problems[0].reason


def test_workers_do_not_change_the_result(tmp_path):
    """Parallel ingest (workers parse and write, names found in window order) equals sequential ingest."""
    from sqlalchemy import select

    from counterflow.scenario import generate
    from counterflow.store import schema

    world = tmp_path / "world"
    generate(world, seed=3, size="small")
    files = [
        world / "reports" / "rs_mup.jsonl",
        world / "reports" / "hr_mup.jsonl",
        *sorted((world / "cdr").glob("*.csv"))[:1],
        *sorted((world / "sheets").glob("*.xlsx"))[:1],
    ]
    ids = []
    for workers in (1, 2):
        store = SqlStore(f"sqlite:///{tmp_path / f'w{workers}.sqlite'}")
        ingestor = Ingestor(store, workers=workers, batch_statements=3000)
        for path in files:
            summary = ingestor.ingest(read_path(path))
            assert summary.rejected == []
        with store.engine.connect() as conn:
            ids.append(set(conn.execute(select(schema.statements.c.id)).scalars()))
        store.close()
    assert len(ids[0]) > 5000
    assert ids[0] == ids[1]
