"""Need-to-know: the SQL filter on every read path agrees with the rule (model.visibility.may_see).

A fixed store holds statements of every combination of owning agency, classification,
handling code and protection; hypothesis then draws thousands of viewers (agency,
clearance, agreements with random ceilings and flags) and checks, for each read path,
that exactly what the rule allows comes back, and that counts, search hits, entity
lookups and errors reveal nothing more.
"""

import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counterflow.errors import NotFound
from counterflow.model.grading import Grading
from counterflow.model.handling import HANDLING_CODES, Classification, Handling
from counterflow.model.statement import Statement
from counterflow.model.visibility import Agreement, Viewer, may_see
from counterflow.store import SqlStore, statement_to_row
from counterflow.store.sql import ReportRecord

AGENCIES = ["rs_mup", "mk_mvr", "hr_mup", "gb_ukbsu", "eu_europol"]
CODES = [(s.value, c) for s, codes in HANDLING_CODES.items() for c in codes]
G = Grading.parse("4x4", "B", "2")


def build_store(url: str) -> tuple[SqlStore, list[dict]]:
    """Every agency × classification × handling code, half of the entities protected."""
    rng = random.Random(5)
    store = SqlStore(url)
    facts = []
    combos = itertools.product(AGENCIES, list(Classification), CODES)
    for n, (agency, cls, (scheme, code)) in enumerate(combos, start=1):
        entity = f"{agency.replace('_', '-')}.e{n}"
        protected = rng.random() < 0.5
        handling = Handling.parse(scheme, code, "conditions text" if code in {"C", "H3"} else None)
        stmts = [
            Statement(
                entity_id=entity,
                schema="Person",
                prop="name",
                prop_type="name",
                value=f"Alpha Person{n}",
                agency=agency,
                report_id=f"R{n}",
                reported_at="2026-03-01",
                grading=G,
                handling=handling,
                classification=cls,
            ),
            Statement(
                entity_id=entity,
                schema="Person",
                prop="phone",
                prop_type="phone",
                value=f"+3816{n:07d}",
                agency=agency,
                report_id=f"R{n}",
                reported_at="2026-03-01",
                grading=G,
                handling=handling,
                classification=cls,
            ),
        ]
        if protected:
            stmts.append(
                Statement(
                    entity_id=entity,
                    schema="Person",
                    prop="role",
                    prop_type="role",
                    value=rng.choice(["victim", "witness", "minor"]),
                    agency=agency,
                    report_id=f"R{n}",
                    reported_at="2026-03-01",
                    grading=G,
                    handling=handling,
                    classification=cls,
                )
            )
        record = ReportRecord(
            {
                "report_key": f"{agency}:R{n}",
                "agency": agency,
                "report_id": f"R{n}",
                "format": "test",
                "reported_at": "2026-03-01",
                "observed_at": None,
                "language": None,
                "grading_scheme": "4x4",
                "grading_source": "B",
                "grading_info": "2",
                "handling_scheme": scheme,
                "handling_code": code,
                "handling_conditions": handling.conditions,
                "classification": cls.value,
                "title": None,
                "source": None,
                "sha256": str(n),
                "n_statements": len(stmts),
                "ingested_at": "2026-03-01",
            },
            [statement_to_row(s) for s in stmts],
        )
        store.write_reports([record])
        facts.extend(
            {
                "id": s.id,
                "entity": entity,
                "agency": agency,
                "level": cls.level,
                "scheme": scheme,
                "code": code,
                "protected": protected,
                "prop": s.prop,
                "phone": s.value if s.prop == "phone" else None,
            }
            for s in stmts
        )
    return store, facts


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    store, facts = build_store(f"sqlite:///{tmp_path_factory.mktemp('vis') / 'v.sqlite'}")
    yield store, facts
    store.close()


@pytest.fixture(scope="module")
def pg_world():
    """The same store on PostgreSQL (fewer examples there: it is the slower one)."""
    from pgtools import pg_database

    databases = pg_database()
    store, facts = build_store(next(databases))
    yield store, facts
    store.close()
    databases.close()


agreements = st.builds(
    Agreement,
    owner=st.sampled_from(AGENCIES),
    recipient=st.sampled_from(AGENCIES),
    max_classification=st.sampled_from(list(Classification)),
    accepts_conditions=st.booleans(),
    include_protected=st.booleans(),
)
viewers = st.builds(
    lambda agency, clearance, ags: Viewer(
        "u", agency, clearance, frozenset({"analyst"}), tuple(a for a in ags if a.owner != a.recipient)
    ),
    st.sampled_from(AGENCIES),
    st.sampled_from(list(Classification)),
    st.lists(agreements, max_size=8),
)


def expected(viewer, facts):
    return {
        f["id"]
        for f in facts
        if may_see(
            viewer,
            agency=f["agency"],
            class_level=f["level"],
            handling_scheme=f["scheme"],
            handling_code=f["code"],
            protected=f["protected"],
        )
    }


def check_read_paths(world, viewer):
    store, facts = world
    allowed = expected(viewer, facts)
    # streaming read (graph building, exports and analytics read this way)
    assert {s.id for s in store.iter_statements(viewer=viewer, batch=97)} == allowed
    # counts reveal nothing more
    stats = store.stats(viewer=viewer)
    assert stats["statements"] == len(allowed)
    assert stats["entities"] == len({f["entity"] for f in facts if f["id"] in allowed})
    # entity reads: visible parts only; NotFound (same message as a missing one) otherwise
    by_entity = {}
    for f in facts:
        by_entity.setdefault(f["entity"], []).append(f)
    sample = random.Random(hash(viewer)).sample(sorted(by_entity), 12)
    for entity in sample:
        want = {f["id"] for f in by_entity[entity] if f["id"] in allowed}
        if want:
            assert {s.id for s in store.statements_for_entity(entity, viewer=viewer)} == want
        else:
            with pytest.raises(NotFound) as info:
                store.statements_for_entity(entity, viewer=viewer)
            assert str(info.value) == f"no entity {entity!r}"
        phone = next(f["phone"] for f in by_entity[entity] if f["phone"])
        found = {s.id for s in store.find_by_value("phone", phone, viewer=viewer)}
        assert found == {f["id"] for f in by_entity[entity] if f["phone"] and f["id"] in allowed}


def check_search(world, viewer):
    store, facts = world
    allowed = expected(viewer, facts)
    named = {f["entity"] for f in facts if f["id"] in allowed and f["prop"] == "name"}
    assert {h.entity_id for h in store.search("Alpha", viewer=viewer, limit=10_000)} == named
    assert {e.entity_id for e in store.name_index(viewer=viewer)} == named


SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}


@settings(max_examples=1500, **SETTINGS)
@given(viewer=viewers)
def test_every_read_path_shows_exactly_what_the_rule_allows(world, viewer):
    check_read_paths(world, viewer)


@settings(max_examples=300, **SETTINGS)
@given(viewer=viewers)
def test_search_and_names_only_visible(world, viewer):
    check_search(world, viewer)


@pytest.mark.postgres
@settings(max_examples=150, **SETTINGS)
@given(viewer=viewers)
def test_every_read_path_on_postgresql(pg_world, viewer):
    check_read_paths(pg_world, viewer)


@pytest.mark.postgres
@settings(max_examples=60, **SETTINGS)
@given(viewer=viewers)
def test_search_on_postgresql(pg_world, viewer):
    check_search(pg_world, viewer)
