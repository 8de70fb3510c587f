"""Graphs from statements: relations, weights by volume and recency, windows, provenance, projection."""

import math
from datetime import date

import pytest

from counterflow.errors import InvalidValue
from counterflow.graph.build import build_graph, graph_from_edge_list, person_projection
from counterflow.model.grading import Grading
from counterflow.model.handling import Classification, Handling

G = Grading.parse("4x4", "B", "2")
H = Handling.parse("SIENA", "H0")


def st(entity, schema, prop, value, prop_type="string", when="2026-03-01", report="R1"):
    from counterflow.model.statement import Statement

    return Statement(
        entity_id=entity,
        schema=schema,
        prop=prop,
        prop_type=prop_type,
        value=value,
        agency="rs_mup",
        report_id=report,
        reported_at=when,
        grading=G,
        handling=H,
        classification=Classification.OFFICIAL,
    )


def person(eid, name, phone=None, role=None):
    out = [st(eid, "Person", "name", name, "name")]
    if phone:
        out.append(st(eid, "Person", "phone", phone, "phone"))
    if role:
        out.append(st(eid, "Person", "role", role))
    return out


def world():
    s = []
    s += person("a.p1", "Ali", "+381601", "organiser")
    s += person("a.p2", "Bora", "+381602")
    s += person("a.p3", "Cem", "+381603", "driver")
    s += person("a.p4", "Dana", "+381601")  # shares Ali's phone
    s += person("a.p5", "Eli", role="victim")
    for i, day in enumerate(["2026-01-01", "2026-03-01", "2026-03-01"]):
        c = f"b.call{i}"
        s += [
            st(c, "Call", "callerNumber", "+381601", "phone"),
            st(c, "Call", "receiverNumber", "+381602", "phone"),
            st(c, "Call", "startDate", day, "date"),
        ]
    s += [
        st("b.pay1", "Payment", "payer", "a.p2", "entity"),
        st("b.pay1", "Payment", "beneficiary", "a.p3", "entity"),
        st("b.pay1", "Payment", "date", "2026-02-01", "date"),
        st("a.v1", "Vehicle", "registrationNumber", "BG123", "identifier"),
        st("b.trip", "Trip", "vehicle", "a.v1", "entity"),
        st("b.trip", "Trip", "involved", "a.p3", "entity"),
        st("b.trip", "Trip", "involved", "a.p5", "entity"),
        st("b.trip", "Trip", "startDate", "2026-03-01", "date"),
        st("b.fam", "Family", "person", "a.p1", "entity"),
        st("b.fam", "Family", "relative", "x.p9", "entity"),
    ]
    return s


def test_relations_weights_and_provenance():
    stmts = world()
    g = build_graph(stmts, half_life_days=30.0, now=date(2026, 3, 1))
    call = g.ties[("phone:+381601", "phone:+381602", "call")]
    assert call.count == 3
    assert math.isclose(call.weight, 2 + 2 ** (-59 / 30))
    call_ids = {s.id for s in stmts if s.entity_id.startswith("b.call")}
    assert call.statements == call_ids
    assert ("a.p2", "a.p3", "payment") in g.ties
    assert ("a.p3", "a.p5", "co-travel") in g.ties
    assert ("a.p1", "x.p9", "family") in g.ties
    shared = g.ties[("a.p1", "a.p4", "shared-selector")]
    assert shared.via == {"phone:+381601"}
    assert g.nodes["a.p5"].protected and not g.nodes["a.p1"].protected
    assert g.nodes["a.p1"].roles == {"organiser"}


def test_time_window_and_no_decay():
    g = build_graph(world(), half_life_days=None, window=(date(2026, 2, 15), None))
    call = g.ties[("phone:+381601", "phone:+381602", "call")]
    assert call.count == 2 and call.weight == 2
    assert ("a.p2", "a.p3", "payment") not in g.ties


def test_canonical_merges_entities():
    g = build_graph(world(), canonical=lambda x: "a.p1" if x == "a.p4" else x)
    assert "a.p4" not in g.nodes
    assert not any(t.relation == "shared-selector" for t in g.ties.values())


def test_person_projection_ties_the_holders_of_phones():
    g = build_graph(world(), half_life_days=None)
    p = person_projection(g)
    assert all(n.schema == "Person" for n in p.nodes.values())
    calls = {(t.source, t.target) for t in p.ties.values() if t.relation == "call"}
    assert calls == {("a.p1", "a.p2"), ("a.p4", "a.p2")}
    t = p.ties[("a.p1", "a.p2", "call")]
    phone_stmt = {s.id for s in world() if s.entity_id == "a.p1" and s.prop == "phone"}
    assert phone_stmt <= t.statements and t.count == 3
    ig_g = p.to_igraph()
    assert set(ig_g.vs["name"]) >= {"a.p1", "a.p2", "a.p3", "a.p5"}
    e = ig_g.es[ig_g.get_eid(ig_g.vs.find(name="a.p1").index, ig_g.vs.find(name="a.p2").index)]
    assert "call" in e["relations"] and e["statements"]
    assert ig_g.vs.find(name="a.p5")["protected"]


def test_edge_list_merges_and_lists_every_problem(tmp_path):
    f = tmp_path / "e.csv"
    f.write_text("source,target,weight\na,b,2\nb,a,3\na,a,1\nc,b,\n", encoding="utf-8")
    g = graph_from_edge_list(f)
    assert sorted(g.vs["name"]) == ["a", "b", "c"]
    assert g.ecount() == 2
    assert g.es[g.get_eid(g.vs.find(name="a").index, g.vs.find(name="b").index)]["weight"] == 5
    bad = tmp_path / "bad.csv"
    bad.write_text("source,target,weight\na,b,x\n,b,1\nc,d,-2\n", encoding="utf-8")
    with pytest.raises(InvalidValue) as err:
        graph_from_edge_list(bad)
    assert (
        "3 problem(s)" in err.value.message
        and "line 2" in err.value.message
        and "line 4" in err.value.message
    )
    (tmp_path / "h.csv").write_text("from,to\na,b\n", encoding="utf-8")
    with pytest.raises(InvalidValue):
        graph_from_edge_list(tmp_path / "h.csv")
    with pytest.raises(InvalidValue):
        graph_from_edge_list(tmp_path / "missing.csv")


def test_real_networks_load_with_the_documented_sizes(networks):
    sizes = {"crime_stlouis": (754, 2127), "caviar": (107, 214), "montagna_meetings": (101, 256)}
    for name, (n, m) in sizes.items():
        g = graph_from_edge_list(networks / f"{name}.csv")
        assert (g.vcount(), g.ecount()) == (n, m)
