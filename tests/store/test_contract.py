"""The store contract: the same tests on SQLite and on a real PostgreSQL."""

import pytest
from sqlalchemy import select

from counterflow.errors import NotFound
from counterflow.ingest.report import parse_report
from counterflow.model.visibility import Viewer
from counterflow.store import SqlStore
from counterflow.store.migrations import MIGRATIONS, current_version
from counterflow.store.schema_policy import audit_log

from reports import report

OP = Viewer.operator()


def test_migrations_applied_once(store: SqlStore, store_url: str):
    assert store.version == MIGRATIONS[-1][0]
    again = SqlStore(store_url)  # opening again applies nothing new and keeps the data
    assert again.version == store.version == current_version(again.engine)
    again.close()


def test_write_is_idempotent_and_round_trips(store: SqlStore):
    parsed = parse_report(report())
    assert store.write_reports([parsed.record]) == {"rs_mup:RS-2026-0001": "added"}
    assert store.write_reports([parsed.record]) == {"rs_mup:RS-2026-0001": "unchanged"}
    stored = store.statements_for_report("rs_mup", "RS-2026-0001", viewer=OP)
    assert sorted(s.id for s in stored) == sorted(s.id for s in parsed.statements)
    by_id = {s.id: s for s in parsed.statements}
    for s in stored:
        assert s == by_id[s.id]  # every field, grading and handling included, survives the round trip
    assert store.stats(viewer=OP)["statements"] == len(parsed.statements)


def test_conflict_writes_nothing_of_that_report(store: SqlStore):
    store.write_reports([parse_report(report()).record])
    changed = report(title="another version")
    other = parse_report(report(report_id="RS-2026-0002")).record
    result = store.write_reports([parse_report(changed).record, other])
    assert result == {"rs_mup:RS-2026-0001": "conflict", "rs_mup:RS-2026-0002": "added"}
    titles = [
        s for s in store.statements_for_report("rs_mup", "RS-2026-0001", viewer=OP) if s.prop == "title"
    ]
    assert titles == []


def test_reports_of_several_submitters_in_one_transaction(store: SqlStore):
    store.write_reports([parse_report(report(report_id="G1")).record], actor="rs_mup.a")
    changed = parse_report(report(report_id="G1", title="another version")).record
    second, third = (parse_report(report(report_id=r)).record for r in ("G2", "G3"))
    result = store.write_report_groups([("rs_mup.a", [third]), ("rs_mup.b", [changed, second])])
    assert result == {"rs_mup:G1": "conflict", "rs_mup:G2": "added", "rs_mup:G3": "added"}
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.actor, audit_log.c.object_id).where(audit_log.c.action == "collection")
        ).all()
    assert sorted(map(tuple, rows)) == [
        ("rs_mup.a", "rs_mup:G1"),
        ("rs_mup.a", "rs_mup:G3"),
        ("rs_mup.b", "rs_mup:G2"),
    ]
    assert store.stats(viewer=OP)["reports"] == 3


def test_entity_reads(store: SqlStore):
    store.write_reports([parse_report(report()).record])
    stmts = store.statements_for_entity("rs-mup.p17", viewer=OP)
    assert {s.prop for s in stmts} == {"name", "birthDate", "phone", "nationality", "role"}
    with pytest.raises(NotFound):
        store.statements_for_entity("rs-mup.nobody", viewer=OP)
    phone = store.find_by_value("phone", "+381641234567", viewer=OP)
    assert [s.entity_id for s in phone] == ["rs-mup.p17"]


def test_search_across_scripts(store: SqlStore):
    store.write_reports([parse_report(report()).record])
    latin = store.search("alhasan", viewer=OP)
    assert "rs-mup.p17" in [h.entity_id for h in latin]
    cyrillic = store.search("Алхасан", viewer=OP)  # matches the original spelling too
    assert "rs-mup.p17" in [h.entity_id for h in cyrillic]
    prefix = store.search("muham", viewer=OP)
    assert "rs-mup.p17" in [h.entity_id for h in prefix]
    assert store.search("nobodyhere", viewer=OP) == []
    assert store.search("  ;; ", viewer=OP) == []


def test_stats_by_agency(store: SqlStore):
    mk = report(agency="mk_mvr", report_id="MK-1")
    mk["entities"][0]["properties"]["phone"] = ["070 234 567"]  # a Macedonian number for a Macedonian agency
    store.write_reports([parse_report(report()).record, parse_report(mk).record])
    stats = store.stats(viewer=OP)
    assert stats["reports"] == 2
    assert set(stats["by_agency"]) == {"rs_mup", "mk_mvr"}
    assert stats["entities_by_schema"]["Person"] == 2


def test_iter_statements_streams_everything(store: SqlStore):
    for i in range(5):
        store.write_reports([parse_report(report(report_id=f"R{i}")).record])
    total = store.stats(viewer=OP)["statements"]
    streamed = list(store.iter_statements(viewer=OP, batch=7))
    assert len(streamed) == total and len({s.id for s in streamed}) == total
    names = list(store.iter_statements(viewer=OP, batch=3, prop_types=["name"]))
    assert names and all(s.prop_type == "name" for s in names)


def test_name_index(store: SqlStore):
    store.write_reports([parse_report(report()).record])
    entries = {(e.entity_id, e.value, e.meta.agency, e.meta.protected) for e in store.name_index(viewer=OP)}
    assert ("rs-mup.p17", "Muhamed Alhasan", "rs_mup", False) in entries


def test_search_crosses_scripts_both_ways(store: SqlStore):
    from counterflow.ingest.pipeline import Ingestor

    Ingestor(store).ingest_report(report())  # Мухамед Алхасан, latinised Muhamed Alhasan
    latin = report(
        agency="hr_mup",
        report_id="HR-9",
        handling={"scheme": "3x5x2", "code": "P"},
        entities=[{"id": "p1", "schema": "Person", "properties": {"name": "Muhamed Alhasan"}}],
    )
    Ingestor(store).ingest_report(latin)
    for query in ("Алхасан", "alhasan", "Мухамед Alhasan"):
        assert {h.entity_id for h in store.search(query, viewer=OP)} == {"rs-mup.p17", "hr-mup.p1"}, query


def test_a_store_made_before_cases_gains_them_and_keeps_its_reports(store_url: str):
    from sqlalchemy import create_engine, text

    from counterflow.store import migrations

    engine = create_engine(store_url)
    older = [m for m in migrations.MIGRATIONS if m[0] < 7]  # 7 and later applied on opening
    with engine.begin() as conn:  # build the store as the version before cases made it
        migrations.schema.migrations.create(conn, checkfirst=True)
    for version, description, apply in older:
        with engine.begin() as conn:
            apply(conn, engine.dialect.name)
            conn.execute(
                migrations.insert(migrations.schema.migrations).values(
                    version=version, description=description, applied_at="2026-01-01"
                )
            )
    with engine.begin() as conn:  # drop what the current table definitions already added
        for table, column in (("reports", "sanitised"), ("agencies", "exclude_single_source_untested")):
            conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
    engine.dispose()
    store = SqlStore(store_url)  # opening applies migration 7
    assert store.version == MIGRATIONS[-1][0]
    store.write_reports([parse_report(report(sanitised=True)).record])
    store.write_reports([parse_report(report(report_id="RS-2")).record])
    assert store.sanitised_reports(["rs_mup:RS-2026-0001", "rs_mup:RS-2", "rs_mup:RS-3"]) == {
        "rs_mup:RS-2026-0001"
    }
    store.close()


def test_reports_held_names_the_content_and_is_read_from_indexes(store: SqlStore):
    from sqlalchemy import inspect

    assert store.reports_held() == (0, None)
    store.write_reports([parse_report(report()).record])
    count, latest = store.reports_held()
    assert count == 1 and latest is not None
    store.write_reports([parse_report(report(report_id="RS-2026-0002")).record])
    assert store.reports_held()[0] == 2 and store.reports_held()[1] >= latest
    indexed = {tuple(i["column_names"]) for i in inspect(store.engine).get_indexes("reports")}
    assert ("ingested_at",) in indexed
