"""The API's network and resolution routes, under need-to-know."""

from counterflow.policy import registry

from apitools import auth
from reports import report


def _calls_report(**changes):
    """An hr_mup report: a person with a phone calling rs_mup's driver's phone, in Latin script."""
    return report(
        agency="hr_mup",
        report_id="HR-1",
        language="hr",
        handling={"scheme": "3x5x2", "code": "P"},
        entities=[
            {
                "id": "p1",
                "schema": "Person",
                "properties": {
                    "name": "Muhamed Alhasan",
                    "birthDate": "1989-04-12",
                    "phone": "+381641234567",
                },
            },
            {"id": "p2", "schema": "Person", "properties": {"name": "Goran Babić", "phone": "+385911112222"}},
            {
                "id": "c1",
                "schema": "Call",
                "properties": {
                    "callerNumber": "+385911112222",
                    "receiverNumber": "+381641234567",
                    "date": "2026-03-11T22:15",
                },
            },
        ],
        **changes,
    )


def _load(client, tokens):
    assert client.post("/api/v1/reports", json=report(), headers=auth(tokens["rs_mup.a"])).status_code == 200
    r = client.post("/api/v1/reports", json=_calls_report(), headers=auth(tokens["hr_mup.a"]))
    assert r.status_code == 200, r.text


def test_neighbourhood_follows_links_and_shared_selectors_as_the_viewer_may_see(client, store, tokens):
    _load(client, tokens)
    rs = auth(tokens["rs_mup.a"])
    r = client.get("/api/v1/graph/neighbourhood", params={"entity": "rs-mup.p17", "hops": 2}, headers=rs)
    assert r.status_code == 200, r.text
    body = r.json()
    ids = {n["id"] for n in body["nodes"]}
    assert "rs-mup.v3" in ids  # through the Trip
    # Without an agreement, rs_mup sees none of hr_mup's call or persons.
    assert not any(i.startswith("hr-mup.") for i in ids)
    registry.add_agreement(store, "hr_mup", "rs_mup")
    body = client.get(
        "/api/v1/graph/neighbourhood", params={"entity": "rs-mup.p17", "hops": 2}, headers=rs
    ).json()
    ids = {n["id"] for n in body["nodes"]}
    assert {"hr-mup.p1", "hr-mup.p2"} <= ids  # shared phone, then the call from p2's phone
    calls = [t for t in body["ties"] if t["relation"] == "call"]
    assert calls and all(t["statements"] for t in calls)
    assert calls[0]["handling"] == [{"scheme": "3x5x2", "code": "P", "conditions": None}]
    only_calls = client.get(
        "/api/v1/graph/neighbourhood",
        params={"entity": "rs-mup.p17", "hops": 2, "relation": "call"},
        headers=rs,
    ).json()
    assert {t["relation"] for t in only_calls["ties"]} == {"call"}
    late = client.get(
        "/api/v1/graph/neighbourhood",
        params={"entity": "rs-mup.p17", "hops": 2, "since": "2027-01-01"},
        headers=rs,
    ).json()
    assert late["ties"] == []
    # The UK unit sees nothing of it: the same 404 as an unknown id.
    uk = client.get(
        "/api/v1/graph/neighbourhood", params={"entity": "rs-mup.p17"}, headers=auth(tokens["gb_ukbsu.a"])
    )
    assert uk.status_code == 404


def test_path_and_plan(client, store, tokens):
    _load(client, tokens)
    registry.add_agreement(store, "hr_mup", "rs_mup")
    rs = auth(tokens["rs_mup.a"])
    path = client.get(
        "/api/v1/graph/path", params={"source": "rs-mup.p17", "target": "hr-mup.p2"}, headers=rs
    ).json()
    assert path["path"][0] == "rs-mup.p17" and path["path"][-1] == "hr-mup.p2"
    assert len(path["ties"]) == len(path["path"]) - 1
    plan = client.post("/api/v1/graph/plan", json={"k": 1}, headers=rs).json()
    assert plan["persons"] >= 2
    assert plan["plan"]["protected_never_targeted"] is True


def test_merge_explain_undo_through_the_api(client, store, tokens):
    _load(client, tokens)
    rs = auth(tokens["rs_mup.a"])
    pair = {"left": "hr-mup.p1", "right": "rs-mup.p17", "reason": "same phone and birth date"}
    # Without an agreement, rs_mup may not decide on (or learn of) hr_mup's person.
    assert client.post("/api/v1/resolution/merge", json=pair, headers=rs).status_code == 404
    registry.add_agreement(store, "hr_mup", "rs_mup")
    r = client.post("/api/v1/resolution/merge", json=pair, headers=rs)
    assert r.status_code == 200, r.text
    merged = r.json()
    assert merged["after"]["rs-mup.p17"] == ["hr-mup.p1", "rs-mup.p17"]
    judgement = merged["judgements"][0]["id"]
    explained = client.get(
        "/api/v1/resolution/explain", params={"left": "hr-mup.p1", "right": "rs-mup.p17"}, headers=rs
    ).json()
    assert explained["same_cluster"] is True
    assert any(m["how"] for m in explained["name_parts"]["matched"])
    hood = client.get(
        "/api/v1/graph/neighbourhood", params={"entity": "hr-mup.p1", "hops": 1}, headers=rs
    ).json()
    assert "hr-mup.p1" in hood["seeds"] or "rs-mup.p17" in hood["seeds"]  # the cluster is one node
    undone = client.post(
        "/api/v1/resolution/undo", json={"judgement": judgement, "reason": "wrong"}, headers=rs
    )
    assert undone.status_code == 200
    assert undone.json()["after"]["rs-mup.p17"] == ["rs-mup.p17"]
    # The UK unit cannot undo what it may not see, and learns nothing about it.
    uk = client.post(
        "/api/v1/resolution/undo",
        json={"judgement": judgement, "reason": "x" * 5},
        headers=auth(tokens["gb_ukbsu.a"]),
    )
    assert uk.status_code == 404
    assert client.post("/api/v1/resolution/merge", json={**pair, "reason": ""}, headers=rs).status_code == 422


def test_a_cluster_is_never_named_by_a_record_the_viewer_may_not_see(client, store, tokens):
    """hr-mup.p1 and rs-mup.p17 are merged; the cluster's id is the smaller, hr_mup's. rs_mup may not
    see hr_mup's record: the cluster must not be shown to rs_mup under that id (it would tell rs_mup
    that hr_mup holds a record on the person)."""
    from counterflow.resolve import service

    _load(client, tokens)
    service.merge(store, "hr-mup.p1", "rs-mup.p17", actor="operator", reason="same phone, same name")
    assert service.state(store).cluster_of("rs-mup.p17") == "hr-mup.p1"
    rs = auth(tokens["rs_mup.a"])
    body = client.get("/api/v1/graph/neighbourhood", params={"entity": "rs-mup.p17"}, headers=rs).json()
    ids = {n["id"] for n in body["nodes"]} | set(body["seeds"])
    assert "rs-mup.p17" in ids and not any(i.startswith("hr-mup.") for i in ids)
    plan = client.post("/api/v1/graph/plan", json={"k": 1}, headers=rs).json()
    assert "hr-mup" not in str(plan)
    track = client.get("/api/v1/map/track", params={"entity": "rs-mup.p17"}, headers=rs).json()
    assert "hr-mup" not in str(track)
    # hr_mup, who may see both, sees the cluster under its own id.
    hr = auth(tokens["hr_mup.a"])
    registry.add_agreement(store, "rs_mup", "hr_mup", accepts_conditions=True)
    body = client.get("/api/v1/graph/neighbourhood", params={"entity": "rs-mup.p17"}, headers=hr).json()
    assert "hr-mup.p1" in {n["id"] for n in body["nodes"]} and "rs-mup.p17" not in {
        n["id"] for n in body["nodes"]
    }
