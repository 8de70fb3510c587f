"""The workspace's pages: sign-in, search, profile, timeline, review, and what they must never show."""

import re
from pathlib import Path

from counterflow.policy import registry

from reports import report

WEB = Path(__file__).resolve().parents[2] / "src" / "counterflow" / "web"


def _sign_in(client, token):
    r = client.post("/login", data={"token": token, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303
    assert "cf_session" in r.headers["set-cookie"]
    assert "httponly" in r.headers["set-cookie"].lower()
    assert "samesite=strict" in r.headers["set-cookie"].lower()


def test_pages_need_sign_in_and_bad_tokens_are_refused(client, tokens):
    r = client.get("/entities/rs-mup.p17", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/entities/")
    bad = client.post("/login", data={"token": "cf_x_y"}, follow_redirects=False)
    assert bad.status_code == 401 and "invalid, expired or revoked" in bad.text


def test_search_profile_timeline_show_grading_and_handling(client, store, tokens):
    from counterflow.ingest.pipeline import Ingestor, Submitter

    Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(report())
    _sign_in(client, tokens["rs_mup.a"])
    page = client.get("/", params={"q": "Алхасан"})
    assert page.status_code == 200 and 'href="/entities/rs-mup.p17"' in page.text
    profile = client.get("/entities/rs-mup.p17").text
    assert "Muhamed Alhasan" in profile and "Мухамед Алхасан" in profile
    assert "3x5x2 1/B" in profile  # the native grade as sent
    assert "3x5x2 C" in profile and "EU law enforcement only" in profile  # handling and its conditions
    assert "OFFICIAL-SENSITIVE" in profile
    timeline = client.get("/entities/rs-mup.p17/timeline").text
    assert "2026-03-12" in timeline
    empty = client.get("/", params={"q": "Zzyzx"}).text
    assert "Nothing you may see matches" in empty


def test_hidden_entities_look_absent(client, store, tokens):
    from counterflow.ingest.pipeline import Ingestor, Submitter

    Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(report())
    _sign_in(client, tokens["gb_ukbsu.a"])
    hidden = client.get("/entities/rs-mup.p17")
    absent = client.get("/entities/rs-mup.nobody")
    assert hidden.status_code == absent.status_code == 404
    assert "Alhasan" not in hidden.text and "Алхасан" not in hidden.text
    search = client.get("/", params={"q": "Alhasan"}).text
    assert "Nothing you may see matches" in search and "/entities/rs-mup" not in search


def test_protected_person_is_marked_on_the_profile(client, store, tokens):
    from counterflow.ingest.pipeline import Ingestor, Submitter

    victim = report(
        report_id="RS-V",
        entities=[
            {
                "id": "m1",
                "schema": "Person",
                "roles": ["victim", "minor"],
                "properties": {"name": "Ali Karimi"},
            }
        ],
    )
    Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(victim)
    _sign_in(client, tokens["rs_mup.a"])
    page = client.get("/entities/rs-mup.m1").text
    assert "Protected person" in page and "never a target" in page
    assert client.get("/tasks").text.count("rs-mup.m1") >= 1  # the NRM duty-to-notify task


def test_review_pair_page_explains(client, store, tokens):
    from counterflow.ingest.pipeline import Ingestor, Submitter

    Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(report())
    other = report(
        agency="hr_mup",
        report_id="HR-1",
        handling={"scheme": "3x5x2", "code": "P"},
        entities=[{"id": "p1", "schema": "Person", "properties": {"name": "Muhamed Alhasan"}}],
    )
    Ingestor(store, submitter=Submitter("hr_mup.a", "hr_mup")).ingest_report(other)
    registry.add_agreement(store, "hr_mup", "rs_mup")
    _sign_in(client, tokens["rs_mup.a"])
    page = client.get("/review/pair", params={"left": "hr-mup.p1", "right": "rs-mup.p17"})
    assert page.status_code == 200
    assert "name part" in page.text and 'id="decide"' in page.text
    assert client.get("/review").status_code == 200


def test_workspace_is_offline_and_assets_are_served(client, tokens):
    _sign_in(client, tokens["rs_mup.a"])
    for page in ("/chart", "/map", "/alerts", "/review", "/tasks"):
        assert client.get(page).status_code == 200, page
    for asset in (
        "vendor/cytoscape.min.js",
        "vendor/leaflet.js",
        "data/iom_incidents.geojson",
    ):
        assert client.get(f"/static/{asset}").status_code == 200, asset
    basemap = client.get("/map/europe.geojson")
    assert basemap.status_code == 200 and basemap.json()["type"] == "FeatureCollection"
    ours = [*WEB.glob("templates/*.html"), *WEB.glob("static/*.js"), *WEB.glob("static/*.css")]
    for path in ours:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)=\"https?://", text), path  # nothing from the internet
        assert 'fetch("http' not in text, path


def test_sign_in_returns_only_to_pages_of_this_site(client, tokens):
    for evil in ("//evil.example", "/\\evil.example", "https://evil.example", "/%5Cevil"):
        r = client.post("/login", data={"token": tokens["rs_mup.a"], "next": evil}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/", evil
    r = client.post(
        "/login", data={"token": tokens["rs_mup.a"], "next": "/entities/rs-mup.p17"}, follow_redirects=False
    )
    assert r.headers["location"] == "/entities/rs-mup.p17"
