"""Neighbourhoods read from the store: the graph of every statement, from what the viewer may see."""

from __future__ import annotations

from counterflow.graph.build import build_graph
from counterflow.graph.neighbourhood import neighbourhood
from counterflow.ingest.pipeline import Ingestor
from counterflow.model.handling import Classification
from counterflow.model.visibility import Viewer
from counterflow.store import SqlStore

from reports import report

OP = Viewer.operator()


def _hub(store: SqlStore) -> None:
    """rs_mup's driver p17 (Cyrillic name, phone, role, birth date) in two reports, hr_mup's caller
    to that phone, a meeting of the caller and a third person, and a payment between them."""
    ingest = Ingestor(store).ingest_report
    ingest(report())
    ingest(report(report_id="RS-2026-0002", reported_at="2026-03-20"))
    ingest(
        report(
            agency="hr_mup",
            report_id="HR-1",
            language="hr",
            handling={"scheme": "3x5x2", "code": "P"},
            entities=[
                {
                    "id": "p1",
                    "schema": "Person",
                    "roles": ["organiser"],
                    "properties": {
                        "name": "Goran Babić",
                        "firstName": "Goran",
                        "birthDate": "1979-02-01",
                        "phone": "+385911112222",
                        "nationality": "hr",
                    },
                },
                {"id": "p2", "schema": "Person", "properties": {"name": "Ivan Horvat", "gender": "male"}},
                {
                    "id": "c1",
                    "schema": "Call",
                    "properties": {
                        "callerNumber": "+385911112222",
                        "receiverNumber": "+381641234567",
                        "date": "2026-03-11T22:15",
                        "duration": "95",
                    },
                },
                {
                    "id": "e1",
                    "schema": "Event",
                    "properties": {"involved": ["p1", "p2"], "location": "Horgoš", "date": "2026-03-10"},
                },
                {
                    "id": "m1",
                    "schema": "Payment",
                    "properties": {"payer": "p1", "beneficiary": "p2", "date": "2026-03-12", "amount": "900"},
                },
            ],
        )
    )


def _signature(graph):
    nodes = {(n.id, n.kind, n.schema, n.caption, frozenset(n.roles), n.country) for n in graph.nodes.values()}
    ties = {(key, t.count, t.first, t.last, frozenset(t.statements)) for key, t in graph.ties.items()}
    return nodes, ties


def test_reading_only_what_a_graph_uses_gives_the_graph_of_every_statement(store: SqlStore):
    _hub(store)
    hood = neighbourhood(store, ["rs-mup.p17"], viewer=OP, hops=2)
    entities = sorted({s.entity_id for s in hood.statements})
    assert {"rs-mup.p17", "hr-mup.p1", "hr-mup.p2", "hr-mup.c1", "hr-mup.m1", "hr-mup.e1"} <= set(entities)
    assert ("hr-mup.p1", "place:horgoš", "at") in hood.graph.ties
    # Birth dates, name parts, genders and durations stay in the store ...
    assert not {s.prop for s in hood.statements} & {"birthDate", "firstName", "gender", "duration"}
    # ... and the graph is the one every statement of those entities gives.
    everything = store.statements_for_entities(entities, viewer=OP)
    assert {s.prop for s in everything} & {"birthDate", "firstName", "gender", "duration"}
    assert _signature(hood.graph) == _signature(build_graph(everything))
    # A name both reports repeat is read once: its earliest statement.
    names = sorted(
        (s.reported_at, s.id, s.value)
        for s in hood.statements
        if s.entity_id == "rs-mup.p17" and s.prop == "name"
    )
    repeated = sorted(
        (s.reported_at, s.id, s.value) for s in everything if s.entity_id == "rs-mup.p17" and s.prop == "name"
    )
    assert len(names) == len({v for _, _, v in repeated}) < len(repeated)
    assert names == [min(r for r in repeated if r[2] == v) for _, _, v in names]
    caption = hood.graph.nodes["rs-mup.p17"].caption
    assert caption == "Muhamed Alhasan" or caption == "Мухамед Алхасан"
    assert hood.graph.nodes["hr-mup.p1"].roles == {"organiser"}
    assert hood.graph.nodes["hr-mup.p1"].country == "hr"


def test_what_the_viewer_may_not_see_is_never_read(store: SqlStore):
    _hub(store)
    # Serbia's analyst without any agreement: the Croatian call, caller and payment are not there.
    rs = Viewer.of_agency("rs_mup", Classification("OFFICIAL-SENSITIVE"), ())
    hood = neighbourhood(store, ["rs-mup.p17"], viewer=rs, hops=2)
    assert {s.agency for s in hood.statements} == {"rs_mup"}
    assert not any(n.startswith("hr-mup.") for n in hood.graph.nodes)
    # The Croatian analyst sees its own side and the Serbian phone only as a selector.
    hr = Viewer.of_agency("hr_mup", Classification("OFFICIAL-SENSITIVE"), ())
    hood = neighbourhood(store, ["hr-mup.p1"], viewer=hr, hops=2)
    assert {s.agency for s in hood.statements} == {"hr_mup"}
    assert "rs-mup.p17" not in hood.graph.nodes
    assert "phone:+381641234567" in hood.graph.nodes


def test_reading_stops_at_the_budget_and_says_so(store: SqlStore):
    _hub(store)
    hood = neighbourhood(store, ["rs-mup.p17"], viewer=OP, hops=3, max_entities=3)
    assert hood.truncated
    assert len({s.entity_id for s in hood.statements}) <= 3 + 2  # the budget, and the link's two ends
