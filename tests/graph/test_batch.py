"""Graph building on a batch engine equals the in-memory builder (its oracle), on DuckDB and Spark."""

import math
from datetime import date

import pyarrow as pa
import pytest
from test_build import world

from counterflow.graph.batch import build_graph_from, build_graph_on, components
from counterflow.graph.build import build_graph
from counterflow.model.visibility import Viewer
from counterflow.store.parquet import statements_to_arrow


def assert_same(got, want):
    assert got.nodes == want.nodes
    assert got.ties.keys() == want.ties.keys()
    for key, t in want.ties.items():
        u = got.ties[key]
        assert (u.count, u.first, u.last, u.statements, u.via) == (
            t.count,
            t.first,
            t.last,
            t.statements,
            t.via,
        ), key
        assert math.isclose(u.weight, t.weight, rel_tol=1e-9), key


@pytest.mark.parametrize(
    "options",
    [
        {"half_life_days": 30.0, "now": date(2026, 3, 1)},
        {"half_life_days": 180.0},
        {"half_life_days": None, "window": (date(2026, 2, 15), None)},
        {"window": (date(2026, 1, 15), date(2026, 2, 15))},
        {"canonical": lambda x: "a.p1" if x == "a.p4" else x},
        {"max_shared": 1},
    ],
)
def test_ties_match_the_in_memory_builder(engine, options):
    want = build_graph(world(), **options)
    assert want.ties  # the options leave something to compare
    assert_same(build_graph_on(engine, world(), **options), want)


def _in_store_order(statements):
    """The order the store gives statements in (record, then statement id)."""
    return sorted(statements, key=lambda s: (s.entity_id, s.id))


def _mapping(statements, canonical):
    ids = {s.entity_id for s in statements} | {s.value for s in statements if s.prop_type == "entity"}
    return pa.table({"entity_id": sorted(ids), "canonical": [canonical(i) for i in sorted(ids)]})


@pytest.mark.parametrize(
    "options",
    [
        {"half_life_days": 30.0, "now": date(2026, 3, 1)},
        {"window": (date(2026, 1, 15), date(2026, 2, 15)), "max_shared": 1},
        {"canonical": lambda x: "a.p1" if x == "a.p4" else x},
    ],
)
def test_the_map_half_on_the_engine_too(engine, options):
    statements = _in_store_order(world())
    want = build_graph(statements, **options)
    engine.put("g_statements", statements_to_arrow(statements))
    canonical = options.pop("canonical", None)
    if canonical is not None:
        engine.put("g_canonical", _mapping(statements, canonical))
    got = build_graph_from(engine, "g_statements", canonical="g_canonical" if canonical else None, **options)
    assert_same(got, want)


def test_nothing_in_nothing_out(engine):
    g = build_graph_on(engine, [])
    assert g.nodes == {} and g.ties == {}


@pytest.fixture(scope="module")
def small_statements(tmp_path_factory):
    from counterflow.demo import INPUT_FOLDERS
    from counterflow.ingest.pipeline import Ingestor, expand_paths, read_path
    from counterflow.scenario import generate
    from counterflow.store import SqlStore

    root = tmp_path_factory.mktemp("small")
    generate(root / "world", seed=7, size="small")
    store = SqlStore(f"sqlite:///{root / 'store.sqlite'}")
    ingestor = Ingestor(store)
    for path in expand_paths([root / "world" / f for f in INPUT_FOLDERS if (root / "world" / f).exists()]):
        ingestor.ingest(read_path(path))
    stmts = list(store.iter_statements(viewer=Viewer.operator()))
    store.close()
    return stmts


def test_the_small_scenario_builds_the_same_graph(engine, small_statements):
    want = build_graph(small_statements)
    assert len(want.ties) > 5_000
    got = build_graph_on(engine, small_statements)
    assert_same(got, want)


def test_the_small_scenario_builds_the_same_graph_from_a_table(engine, small_statements):
    statements = _in_store_order(small_statements)
    engine.put("g_statements", statements_to_arrow(statements))
    assert_same(build_graph_from(engine, "g_statements"), build_graph(statements))


def test_components_are_igraphs(engine, small_statements):
    g = build_graph(small_statements)
    ig_g = g.to_igraph()
    expected = {}
    for members in ig_g.connected_components():
        names = [ig_g.vs[i]["name"] for i in members]
        for n in names:
            expected[n] = min(names)
    build_graph_on(engine, small_statements)  # leaves cf_ties on the engine
    engine.put(
        "cf_people",
        pa.table({"node": [n for n, v in g.nodes.items() if v.schema == "Person"]}),
    )
    engine.create("cf_simple", "SELECT source, target FROM cf_ties WHERE source <> target")
    got = components(engine, "cf_simple", nodes="cf_people")
    assert got == expected
    assert len(set(got.values())) > 1
