"""The API's intelligence routes: authentication, ingest, search, profiles, errors and limits."""

import pytest

from counterflow.audit.log import who_consulted
from counterflow.policy import registry

from apitools import auth
from reports import report


def test_every_route_needs_a_valid_credential(client, tokens):
    for path in ("/api/v1/stats", "/api/v1/search?q=x", "/api/v1/entities/rs-mup.p17", "/api/v1/me"):
        r = client.get(path)
        assert r.status_code == 401, path
        assert r.headers["www-authenticate"] == "Bearer"
        assert client.get(path, headers=auth("cf_nope_nope")).status_code == 401
    ok = client.get("/api/v1/me", headers=auth(tokens["rs_mup.a"]))
    assert ok.status_code == 200
    assert ok.json()["agency"] == "rs_mup"


def test_revoked_token_stops_at_once_even_after_a_cached_check(client, store, tokens):
    from counterflow.policy.auth import revoke_token

    h = auth(tokens["hr_mup.a"])
    assert client.get("/api/v1/me", headers=h).status_code == 200
    revoke_token(store, tokens["hr_mup.a"])
    assert client.get("/api/v1/me", headers=h).status_code == 401
    registry.set_user_active(store, "rs_mup.a", False)
    assert client.get("/api/v1/me", headers=auth(tokens["rs_mup.a"])).status_code == 401


def test_ingest_search_profile_under_need_to_know(client, store, tokens):
    rs, uk = auth(tokens["rs_mup.a"]), auth(tokens["gb_ukbsu.a"])
    r = client.post("/api/v1/reports", json=report(), headers=rs)
    assert r.status_code == 200 and r.json() == {"report": "rs_mup:RS-2026-0001", "outcome": "added"}
    assert client.post("/api/v1/reports", json=report(), headers=rs).json()["outcome"] == "unchanged"
    hits = client.get("/api/v1/search", params={"q": "Alhasan"}, headers=rs).json()["hits"]
    assert [h["entity_id"] for h in hits] == ["rs-mup.p17"]
    profile = client.get("/api/v1/entities/rs-mup.p17", headers=rs).json()
    assert profile["caption"] == "Muhamed Alhasan"
    assert {s["grading"]["scheme"] for s in profile["statements"]} == {"3x5x2"}
    assert profile["handling"] == [{"scheme": "3x5x2", "code": "C", "conditions": "EU law enforcement only"}]
    # The UK unit has no agreement: nothing found, and a profile is "not found" exactly as if absent.
    assert client.get("/api/v1/search", params={"q": "Alhasan"}, headers=uk).json()["hits"] == []
    hidden = client.get("/api/v1/entities/rs-mup.p17", headers=uk)
    absent = client.get("/api/v1/entities/rs-mup.nobody", headers=uk)
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["message"].replace("p17", "X") == absent.json()["message"].replace("nobody", "X")
    assert client.get("/api/v1/stats", headers=uk).json()["statements"] == 0
    # Consultations are logged with the user, attempts included.
    who = {row["user"] for row in who_consulted(store, "rs-mup.p17")}
    assert {"rs_mup.a", "gb_ukbsu.a"} <= who


def test_rejections_name_every_problem_and_conflicts_are_409(client, tokens):
    rs = auth(tokens["rs_mup.a"])
    bad = report(handling={"scheme": "3x5x2", "code": "Z"}, grading={"scheme": "4x4", "source": "Q"})
    r = client.post("/api/v1/reports", json=bad, headers=rs)
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "ReportRejected" and len(body["problems"]) >= 2
    assert client.post("/api/v1/reports", json=report(), headers=rs).status_code == 200
    changed = report(title="changed")
    assert client.post("/api/v1/reports", json=changed, headers=rs).status_code == 409
    other = client.post("/api/v1/reports", json=report(), headers=auth(tokens["hr_mup.a"]))
    assert other.status_code == 422 and "submits for hr_mup only" in other.json()["message"]


def test_roles_are_enforced(client, tokens):
    aud = auth(tokens["gb_ukbsu.aud"])
    r = client.post("/api/v1/reports", json=report(agency="gb_ukbsu"), headers=aud)
    assert r.status_code == 403
    assert client.get("/api/v1/audit/verify", headers=aud).json()["ok"] is True
    assert client.get("/api/v1/audit/verify", headers=auth(tokens["gb_ukbsu.a"])).status_code == 403


def test_body_limit_and_invalid_requests(client, tokens):
    rs = auth(tokens["rs_mup.a"])
    big = report(text="x" * 300_000)
    r = client.post("/api/v1/reports", json=big, headers=rs)
    assert r.status_code == 413 and r.json()["error"] == "LimitExceeded"
    r = client.get("/api/v1/search", params={"q": ""}, headers=rs)
    assert r.status_code == 422 and r.json()["problems"][0]["where"] == "query.q"
    r = client.post(
        "/api/v1/reports", content=b"{not json", headers={**rs, "Content-Type": "application/json"}
    )
    assert r.status_code == 422


def test_a_request_over_its_time_gets_504_at_the_limit(store, tokens, monkeypatch):
    import time

    from fastapi.testclient import TestClient

    from counterflow.api.app import create_app
    from counterflow.api.context import Limits
    from counterflow.policy.session import Session

    real = Session.stats

    def slow(self):
        time.sleep(1.5)
        return real(self)

    monkeypatch.setattr(Session, "stats", slow)
    with TestClient(create_app(store, limits=Limits(timeout_seconds=0.3), web=False)) as c:
        rs = auth(tokens["rs_mup.a"])
        assert c.get("/api/v1/me", headers=rs).status_code == 200  # the token checked once, at leisure
        started = time.perf_counter()
        r = c.get("/api/v1/stats", headers=rs)
        took = time.perf_counter() - started
    assert r.status_code == 504 and r.json() == {
        "error": "Timeout",
        "message": "the request took too long",
        "limit_seconds": 0.3,
    }
    assert took < 1.2  # answered at the limit, not when the handler finished


def test_bulk_upload(client, tokens, tmp_path):
    import json

    rs = auth(tokens["rs_mup.a"])
    lines = [report(report_id=f"RS-{i}") for i in range(3)] + [report(report_id="RS-bad", handling={})]
    payload = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines).encode()
    r = client.post("/api/v1/reports/bulk", files={"file": ("reports.jsonl", payload)}, headers=rs)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["reports_added"] == 3 and len(body["rejected"]) == 1
    r = client.post("/api/v1/reports/bulk", files={"file": ("x.exe", b"MZ")}, headers=rs)
    assert r.status_code == 422 and "x.exe" in r.json()["message"]


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/health"])
def test_public_service_routes(client, path):
    assert client.get(path).status_code == 200


def test_the_ingest_thread_stops_with_the_service(store, tokens):
    from fastapi.testclient import TestClient

    from counterflow.api.app import create_app

    app = create_app(store, web=False)
    with TestClient(app) as c:
        r = c.post("/api/v1/reports", json=report(report_id="LAST"), headers=auth(tokens["rs_mup.a"]))
        assert r.json() == {"report": "rs_mup:LAST", "outcome": "added"}
        thread = app.state.services.reports._thread
        assert thread is not None and thread.is_alive()
    assert not thread.is_alive()
