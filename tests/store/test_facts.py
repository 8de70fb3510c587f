"""Facts: what graphs read of statements, through the same need-to-know as every read."""

from counterflow.ingest.pipeline import Ingestor
from counterflow.model.handling import Classification
from counterflow.model.visibility import Viewer
from counterflow.store import SqlStore

from reports import report

OP = Viewer.operator()
TYPES = ("entity", "phone", "name")


def _two_agencies(store: SqlStore) -> None:
    ingest = Ingestor(store).ingest_report
    ingest(report())
    ingest(report(report_id="RS-2026-0002", reported_at="2026-03-20"))
    croatian = {
        "id": "p1",
        "schema": "Person",
        "properties": {"name": "Goran Babić", "phone": "+385911112222"},
    }
    hr = {"agency": "hr_mup", "report_id": "HR-1", "language": "hr", "entities": [croatian]}
    ingest(report(**hr, handling={"scheme": "3x5x2", "code": "P"}))


def test_facts_are_the_statements_values_times_and_markings(store: SqlStore):
    _two_agencies(store)
    ids = sorted({s.entity_id for s in store.iter_statements(viewer=OP)})
    statements = store.statements_for_entities(ids, viewer=OP, prop_types=TYPES)
    facts = store.facts_for_entities(ids, viewer=OP, prop_types=TYPES)
    assert len(facts) == len(statements) > 0
    for f, s in zip(facts, statements, strict=True):
        assert f == (s.id, s.entity_id, s.schema, s.prop, s.prop_type, s.value, s.agency, s.observed_at,
                     s.reported_at, s.grading, s.handling, s.classification)  # fmt: skip


def test_facts_keep_the_earliest_of_each_repeated_value(store: SqlStore):
    _two_agencies(store)
    ids = sorted({s.entity_id for s in store.iter_statements(viewer=OP)})
    every = store.facts_for_entities(ids, viewer=OP, prop_types=TYPES)
    first = store.facts_for_entities(ids, viewer=OP, prop_types=TYPES, first_only=("name",))
    names = [f for f in every if f.prop == "name"]
    kept = [f for f in first if f.prop == "name"]
    distinct = {(f.entity_id, f.value) for f in names}
    assert len(kept) == len(distinct) < len(names)  # the second Serbian report repeats its names
    for f in kept:
        same = [g for g in names if (g.entity_id, g.value) == (f.entity_id, f.value)]
        assert (f.reported_at, f.id) == min((g.reported_at, g.id) for g in same)
    assert [f for f in first if f.prop != "name"] == [f for f in every if f.prop != "name"]


def test_facts_show_only_what_the_viewer_may_see(store: SqlStore):
    _two_agencies(store)
    ids = sorted({s.entity_id for s in store.iter_statements(viewer=OP)})
    rs = Viewer.of_agency("rs_mup", Classification("OFFICIAL-SENSITIVE"), ())
    facts = store.facts_for_entities(ids, viewer=rs, prop_types=TYPES)
    assert facts and {f.agency for f in facts} == {"rs_mup"}
    assert {f.id for f in facts} == {
        s.id for s in store.statements_for_entities(ids, viewer=rs, prop_types=TYPES)
    }
