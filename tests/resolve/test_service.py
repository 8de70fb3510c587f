import json

import pytest

from counterflow.engine import LocalEngine
from counterflow.errors import InvalidValue, NotFound
from counterflow.ingest.pipeline import Ingestor, read_path
from counterflow.resolve import service
from counterflow.store import SqlStore


def report(agency, rid, entities):
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


@pytest.fixture
def store(tmp_path, entities):
    path = tmp_path / "reports.jsonl"
    by_agency = {}
    for e in entities:
        by_agency.setdefault(e["datasets"][0], []).append(e)
    with path.open("w", encoding="utf-8") as fh:
        for i, (agency, ents) in enumerate(sorted(by_agency.items())):
            fh.write(json.dumps(report(agency, f"R-{i}", ents), ensure_ascii=False) + "\n")
    s = SqlStore(f"sqlite:///{tmp_path / 'store.sqlite'}")
    Ingestor(s).ingest(read_path(path))
    yield s
    s.close()


def test_run_review_merge_split_undo_explain(store, tmp_path):
    summary = service.run_store(store, actor="ann", index_path=tmp_path / "idx.duckdb")
    assert summary.kind == "full" and summary.actor == "ann" and summary.counts["merges"] >= 4
    assert summary.scorers["person"].startswith("cf-person/")
    state = service.state(store)
    assert state.members_of("rs-mup.p3") == sorted(
        ["eu-europol.p1", "hr-mup.p7", "rs-mup.p3", "gb-nca.p9", "gr-police.p2"]
    )
    assert state.cluster_of("de-bpol.p5") == "de-bpol.p5"  # the brother

    split = service.split(store, "gr-police.p2", "eu-europol.p1", actor="bob", reason="different man")
    assert "gr-police.p2" not in split.after["eu-europol.p1"]
    undone = service.undo(store, split.judgements[0]["id"], actor="bob", reason="mistake")
    assert "gr-police.p2" in undone.after["eu-europol.p1"]

    merged = service.merge(store, "hu-police.p4", "eu-europol.p1", actor="cat", reason="test")
    assert "hu-police.p4" in merged.after["eu-europol.p1"]
    detached = service.detach(store, "hu-police.p4", actor="cat", reason="test")
    assert detached.after["hu-police.p4"] == ["hu-police.p4"]
    assert service.state(store).conflicts  # merge and split of the same pair by analysts

    pair = service.explain_pair(store, "rs-mup.p3", "gb-nca.p9")
    assert pair["same_cluster"] and pair["name_parts"]["matched"]
    assert {m["scripts"] for m in pair["name_parts"]["matched"]} == {"Cyrillic–Arabic"}
    assert sum(c["weight"] for c in pair["comparisons"]) + pair["prior_weight"] == pytest.approx(
        pair["match_weight"], abs=0.01
    )
    cluster = service.explain_cluster(store, "rs-mup.p3")
    assert cluster["judgements"] and len(cluster["members"]) == 5


def test_unknown_entities_and_missing_index(store, tmp_path):
    with pytest.raises(NotFound):
        service.merge(store, "nobody.p1", "eu-europol.p1", actor="a", reason="r")
    with pytest.raises(NotFound):
        service.resolve_new(store, actor="a", entity_ids=["eu-europol.p1"], index_path=tmp_path / "none")


def _ledger_rows(store):
    from sqlalchemy import func, select

    from counterflow.store import schema
    from counterflow.store.schema_policy import audit_log

    with store.engine.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (schema.resolve_judgements, schema.resolve_runs, audit_log)
        )


def test_a_run_lands_whole_or_not_at_all(store, tmp_path, monkeypatch):
    """A run that fails while writing its results leaves no judgement, run or log record behind."""
    from counterflow.resolve import ledger

    before = _ledger_rows(store)

    def fail(conn, run):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(ledger, "insert_run", fail)  # after the judgements were inserted
    with pytest.raises(RuntimeError, match="connection lost"):
        service.run_store(store, actor="ann", index_path=tmp_path / "idx.duckdb")
    assert _ledger_rows(store) == before
    assert service.state(store).cluster_of("rs-mup.p3") == "rs-mup.p3"
    monkeypatch.undo()
    summary = service.run_store(store, actor="ann", index_path=tmp_path / "idx.duckdb")
    after = _ledger_rows(store)
    assert after[0] - before[0] == summary.counts["judgements_written"] > 0
    assert (after[1] - before[1], after[2] - before[2]) == (1, 1)


def test_a_run_from_a_statements_export_judges_as_a_run_from_the_store(store, tmp_path):
    from counterflow.model.handling import Classification
    from counterflow.model.visibility import Viewer
    from counterflow.store.parquet import export_statements

    export_statements(store, tmp_path / "st", actor="admin")
    from_store = service.load_records(store)
    from_export = service.records_from_export(LocalEngine(threads=1), tmp_path / "st")
    assert [r.entity_id for r in from_export] == [r.entity_id for r in from_store]
    assert [r.parts for r in from_export] == [r.parts for r in from_store]
    assert [(r.dob, r.selectors, r.docs) for r in from_export] == [
        (r.dob, r.selectors, r.docs) for r in from_store
    ]
    summary = service.run_store(
        store, actor="ann", index_path=tmp_path / "idx.duckdb", statements=tmp_path / "st"
    )
    assert summary.inputs["source"] == str(tmp_path / "st")
    assert service.state(store).members_of("rs-mup.p3") == sorted(
        ["eu-europol.p1", "hr-mup.p7", "rs-mup.p3", "gb-nca.p9", "gr-police.p2"]
    )
    partial = tmp_path / "partial"
    export_statements(
        store, partial, actor="ann", viewer=Viewer("ann", "rs_mup", Classification.OFFICIAL_SENSITIVE)
    )
    with pytest.raises(InvalidValue, match="not the whole store"):
        service.run_store(store, actor="ann", index_path=tmp_path / "i2.duckdb", statements=partial)


@pytest.mark.xdist_group("spark")
def test_records_built_on_the_engine_are_the_store_s(store, tmp_path, engine):
    from counterflow.store.parquet import export_statements

    export_statements(store, tmp_path / "st", actor="admin")
    from_store = service.load_records(store)
    assert len(from_store) > 5
    assert service.records_from_export(engine, tmp_path / "st") == from_store
