"""The workspace in a real browser (Playwright driving Debian's Chromium, never a downloaded one).

Signs in, searches across scripts, opens a profile, expands the link chart, reviews and
undoes a merge, and watches a live alert arrive. Screenshots go to $COUNTERFLOW_ARTIFACTS
(default ./artifacts/screenshots) for people to look at.
"""

import os
import shutil
from pathlib import Path

import httpx
import pytest

from counterflow.api.app import create_app
from counterflow.ingest.pipeline import Ingestor, Submitter
from counterflow.policy import registry

from apitools import auth, running
from reports import report

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser(tmp_path):
    if not Path(CHROMIUM).exists():
        if os.environ.get("COUNTERFLOW_REQUIRE_BROWSER") == "1":
            pytest.fail("COUNTERFLOW_REQUIRE_BROWSER=1 but Debian's chromium is not installed")
        pytest.skip("chromium not installed (scripts/chromium.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=ARGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
        )
        yield context
        context.close()


@pytest.fixture
def shots():
    out = Path(os.environ.get("COUNTERFLOW_ARTIFACTS", "artifacts")) / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    return out


def _world(store):
    Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(report())
    other = report(
        agency="hr_mup",
        report_id="HR-1",
        handling={"scheme": "3x5x2", "code": "P"},
        language="hr",
        entities=[
            {
                "id": "p1",
                "schema": "Person",
                "properties": {"name": "Muhamed Alhasan", "phone": "+381641234567"},
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
            {"id": "p3", "schema": "Person", "properties": {"name": "Dario Kovač"}},
            {"id": "a1", "schema": "Associate", "properties": {"person": "p2", "associate": "p3"}},
        ],
    )
    Ingestor(store, submitter=Submitter("hr_mup.a", "hr_mup")).ingest_report(other)
    registry.add_agreement(store, "hr_mup", "rs_mup")


def test_analyst_journey(store, tokens, browser, shots):
    _world(store)
    with running(create_app(store)) as base:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/")
        assert "/login" in page.url
        page.fill("#token", tokens["rs_mup.a"])
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        # Search in Cyrillic finds the Latin spelling too.
        page.fill("#q", "Алхасан")
        page.keyboard.press("Enter")
        page.wait_for_selector("table.results")
        assert page.locator("table.results tbody tr").count() == 2
        page.screenshot(path=str(shots / "01-search.png"))
        page.click("a[href='/entities/rs-mup.p17']")
        page.wait_for_selector("table.statements")
        assert "3x5x2 C" in page.inner_text("table.statements")
        page.screenshot(path=str(shots / "02-profile.png"), full_page=True)
        # Link chart: one hop, then expand a neighbour by double-clicking it.
        page.click("a[href^='/chart?entity=']")
        page.wait_for_function("window.cfChart && window.cfChart.nodes().length > 1")
        page.select_option("#hops", "1")
        page.click("#chart-controls button[type=submit]")
        page.wait_for_function("document.getElementById('chart-status').textContent.includes('hop(s)')")
        before = page.evaluate("window.cfChart.nodes().length")
        assert page.evaluate("window.cfChart.getElementById('hr-mup.p3').length") == 0
        page.evaluate("window.cfChart.getElementById('hr-mup.p2').emit('dbltap')")
        page.wait_for_function(f"window.cfChart.nodes().length > {before}")
        assert page.evaluate("window.cfChart.getElementById('hr-mup.p3').length") == 1
        page.screenshot(path=str(shots / "03-link-chart.png"))
        # Review: merge with a reason, then undo it.
        page.goto(f"{base}/review/pair?left=hr-mup.p1&right=rs-mup.p17")
        page.fill("#reason", "same phone, same name in two scripts")
        page.click("button[value=merge]")
        page.wait_for_function("document.getElementById('pair-state').textContent === 'one entity'")
        page.screenshot(path=str(shots / "04-merged.png"))
        page.click("button.undo")
        page.wait_for_function("document.getElementById('pair-state').textContent === 'separate'")
        # Live alerts: a new report of the analyst's own agency appears without reloading.
        page.goto(f"{base}/alerts")
        page.wait_for_function("document.getElementById('stream-status').textContent.startsWith('Live')")
        new = report(
            report_id="RS-LIVE",
            entities=[{"id": "x", "schema": "Person", "properties": {"name": "Ivo Live"}}],
        )
        r = httpx.post(f"{base}/api/v1/reports", json=new, headers=auth(tokens["rs_mup.a"]), timeout=30)
        assert r.status_code == 200
        page.wait_for_selector("#alerts li", timeout=15_000)
        assert "RS-LIVE" in page.inner_text("#alerts")
        # A watch fires as a matching report arrives, and the alert appears live.
        h = auth(tokens["rs_mup.a"])
        w = httpx.post(f"{base}/api/v1/watches", json={"kind": "entity", "value": "rs-mup.p17"}, headers=h)
        assert w.status_code == 200, w.text
        seen = report(
            report_id="RS-WATCH",
            entities=[
                {
                    "id": "t",
                    "schema": "Trip",
                    "properties": {
                        "involved": "rs-mup.p17",
                        "startDate": "2026-04-02T05:00",
                        "location": "Šid",
                    },
                }
            ],
        )
        assert httpx.post(f"{base}/api/v1/reports", json=seen, headers=h, timeout=30).status_code == 200
        page.wait_for_function(
            "document.getElementById('alerts').innerText.includes('watched entity rs-mup.p17')",
            timeout=15_000,
        )
        page.screenshot(path=str(shots / "05-alerts.png"))
        page.goto(f"{base}/map")
        page.wait_for_selector(".leaflet-interactive", timeout=15_000)
        page.screenshot(path=str(shots / "06-map.png"))
        assert errors == []


def test_case_builder(tmp_path, browser, shots):
    """Open a case, add a target from its profile, see where it stands, store an exhibit, download the PDF."""
    from counterflow.policy.auth import issue_token

    from casetools import build_world

    store = build_world(tmp_path / "case-web.sqlite")
    token = issue_token(store, "gb_ukbsu.a")
    with running(create_app(store)) as base:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/login")
        page.fill("#token", token)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.click("a[href='/cases']")
        assert "No cases" in page.inner_text("main")
        page.fill("#open-case input[name=id]", "op-drina")
        page.fill("#open-case input[name=title]", "Operation Drina")
        page.click("#open-case button[type=submit]")
        page.wait_for_url(f"{base}/cases/op-drina")
        assert "No targets you may see yet" in page.inner_text("main")
        # From the organiser's profile: add him as a target of the case.
        page.goto(f"{base}/entities/rs-mup.p1")
        page.click("#to-case button[type=submit]")
        page.wait_for_function("document.getElementById('to-case-status').textContent.includes('Added')")
        page.goto(f"{base}/cases/op-drina")
        row = page.locator("tr[data-target='rs-mup.p1']")
        assert row.locator("td.standing").inner_text() == "evidence"
        assert "court-restricted from rs_mup" in row.inner_text()
        # A victim cannot be made a target, and the page says why.
        page.fill("#add-target input[name=entity]", "rs-mup.p9")
        page.click("#add-target button[type=submit]")
        page.wait_for_function("document.getElementById('case-status').textContent.includes('never targets')")
        # An exhibit, then the PDF briefing as a download.
        exhibit = tmp_path / "statement.txt"
        exhibit.write_text("The driver's statement.", encoding="utf-8")
        page.set_input_files("#add-document input[type=file]", str(exhibit))
        page.fill("#add-document input[name=exhibit]", "JB/1")
        page.click("#add-document button[type=submit]")
        page.wait_for_selector("text=statement.txt")
        page.screenshot(path=str(shots / "07-case.png"), full_page=True)
        r = httpx.get(
            f"{base}/api/v1/cases/op-drina/briefing",
            params={"recipient": "CPS", "format": "pdf"},
            headers=auth(token),
            timeout=60,
        )
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        assert errors == []
    store.close()
