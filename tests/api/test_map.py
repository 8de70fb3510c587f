"""Map layers: places, a track, and the open interception windows, under need-to-know."""

from counterflow.ingest.pipeline import Ingestor, Submitter

from apitools import auth
from reports import report


def _trips(store):
    for i, (at, loc) in enumerate(
        [
            ("2026-03-01T00:00", "Belgrade"),
            ("2026-03-04T00:00", "Loon-Plage"),
            ("2026-03-10T00:00", "Београд"),
        ]
    ):
        Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(
            report(
                report_id=f"T{i}",
                entities=[
                    {
                        "id": "v",
                        "schema": "Vehicle",
                        "properties": {"registrationNumber": "BG 555-AA", "country": "rs"},
                    },
                    {
                        "id": f"t{i}",
                        "schema": "Trip",
                        "properties": {"vehicle": "v", "startDate": at, "location": loc},
                    },
                ],
            )
        )


def test_places_track_and_windows(client, store, tokens):
    _trips(store)
    rs, uk = auth(tokens["rs_mup.a"]), auth(tokens["gb_ukbsu.a"])
    places = client.get("/api/v1/map/places", headers=rs).json()
    assert len(places["features"]) > 40
    track = client.get("/api/v1/map/track", params={"entity": "rs-mup.v"}, headers=rs).json()
    assert [s["place"] for s in track["track"]["sightings"]] == ["belgrade", "loon_plage", "belgrade"]
    assert track["features"][0]["geometry"]["type"] == "LineString"
    windows = client.get("/api/v1/map/windows", headers=rs).json()
    assert windows["open"] == 1 and windows["windows"][0]["until"] == "2026-03-13T00:00"
    # A new report changes the view: the service's cache of it does not hide the new track.
    more = report(
        report_id="T9",
        entities=[
            {
                "id": "w",
                "schema": "Vehicle",
                "properties": {"registrationNumber": "BG 556-AA", "country": "rs"},
            },
            {
                "id": "t9",
                "schema": "Trip",
                "properties": {"vehicle": "w", "startDate": "2026-03-11T00:00", "location": "Subotica"},
            },
        ],
    )
    Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(more)
    assert client.get("/api/v1/map/windows", headers=rs).json()["open"] == 2
    # The UK unit has no agreement with rs_mup (and the trips are 3x5x2 C): nothing of it.
    assert client.get("/api/v1/map/track", params={"entity": "rs-mup.v"}, headers=uk).status_code == 404
    assert client.get("/api/v1/map/windows", headers=uk).json()["open"] == 0


def test_watches_and_alerts_through_the_api(client, store, tokens):
    rs, hr = auth(tokens["rs_mup.a"]), auth(tokens["hr_mup.a"])
    w = client.post(
        "/api/v1/watches",
        json={"kind": "selector", "value": "064 123 4567", "selector_kind": "phone"},
        headers=rs,
    )
    assert w.status_code == 200 and w.json()["value"] == "+381641234567"
    bad = client.post(
        "/api/v1/watches", json={"kind": "selector", "value": "x", "selector_kind": "phone"}, headers=rs
    )
    assert bad.status_code == 422
    assert client.post("/api/v1/reports", json=report(), headers=rs).status_code == 200  # carries the phone
    alerts = client.get("/api/v1/alerts", headers=rs).json()
    assert len(alerts) == 1 and alerts[0]["evidence"][0]["value"] == "+381641234567"
    assert client.get("/api/v1/alerts", headers=hr).json() == []  # another agency's watch
    assert client.delete(f"/api/v1/watches/{w.json()['id']}", headers=hr).status_code == 404
    assert client.delete(f"/api/v1/watches/{w.json()['id']}", headers=rs).status_code == 200
    assert client.get("/api/v1/watches", headers=rs).json() == []


def test_a_bulk_upload_raises_alerts_too(client, tokens):
    import json

    rs = auth(tokens["rs_mup.a"])
    body = {"kind": "selector", "value": "+381641234567", "selector_kind": "phone"}
    assert client.post("/api/v1/watches", json=body, headers=rs).status_code == 200
    payload = json.dumps(report(), ensure_ascii=False).encode()
    r = client.post("/api/v1/reports/bulk", files={"file": ("r.jsonl", payload)}, headers=rs)
    assert r.status_code == 200 and r.json()["alerts_raised"] == 1
    assert [a["rule"] for a in client.get("/api/v1/alerts", headers=rs).json()] == ["selector"]


def test_webhooks_through_the_api(client, store, tokens):
    from counterflow.policy import registry

    registry.add_user(store, "rs_mup.sup", "rs_mup", roles=["supervisor"], clearance="OFFICIAL-SENSITIVE")
    from counterflow.policy.auth import issue_token

    sup = auth(issue_token(store, "rs_mup.sup"))
    assert (
        client.post(
            "/api/v1/webhooks", json={"url": "https://x.example/h"}, headers=auth(tokens["rs_mup.a"])
        ).status_code
        == 403
    )
    made = client.post("/api/v1/webhooks", json={"url": "https://x.example/h"}, headers=sup)
    assert made.status_code == 200 and len(made.json()["secret"]) > 20
    listed = client.get("/api/v1/webhooks", headers=auth(tokens["rs_mup.a"])).json()
    assert [w["url"] for w in listed] == ["https://x.example/h"] and "secret" not in listed[0]
    assert client.post("/api/v1/webhooks", json={"url": "ftp://x.example/h"}, headers=sup).status_code == 422
    assert client.delete(f"/api/v1/webhooks/{made.json()['id']}", headers=sup).status_code == 200


def test_flows_per_leg_are_counted_on_what_the_caller_may_see(client, store, tokens):
    ingest = Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup"))
    for i, (at, loc) in enumerate([("2026-03-02T01:00", "Belgrade"), ("2026-03-02T04:00", "Subotica")]):
        ingest.ingest_report(
            report(
                report_id=f"F{i}",
                entities=[
                    {
                        "id": "v",
                        "schema": "Vehicle",
                        "properties": {"registrationNumber": "BG 777-AA", "country": "rs"},
                    },
                    {
                        "id": f"t{i}",
                        "schema": "Trip",
                        "properties": {"vehicle": "v", "startDate": at, "location": loc},
                    },
                ],
            )
        )
    rs, uk = auth(tokens["rs_mup.a"]), auth(tokens["gb_ukbsu.a"])
    flows = client.get("/api/v1/map/flows", headers=rs).json()
    assert flows["weeks"] == ["2026-03-02"] and flows["legs"] == {"RS-HU": [1]} and flows["movements"] == 1
    assert client.get("/api/v1/map/flows", headers=uk).json()["legs"] == {}  # no agreement: nothing
    bad = client.get("/api/v1/map/flows", params={"since": "2026-04-01", "until": "2026-03-01"}, headers=rs)
    assert bad.status_code == 422 and "after until" in bad.text
