"""The cases API: the case world through HTTP, need-to-know and disclosures included."""

import io
import json
import zipfile

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from counterflow.api.app import create_app
from counterflow.audit.log import records
from counterflow.policy.auth import issue_token

from apitools import auth
from casetools import build_world


@pytest.fixture
def world_client(tmp_path):
    store = build_world(tmp_path / "cases-api.sqlite")
    tokens = {u: auth(issue_token(store, u)) for u in ("gb_ukbsu.a", "gb_ukbsu.sup", "rs_mup.a", "hr_mup.a")}
    with TestClient(create_app(store)) as client:
        yield store, client, tokens
    store.close()


def test_a_case_through_the_api(world_client):
    store, client, t = world_client
    uk = t["gb_ukbsu.a"]
    opened = client.post("/api/v1/cases", json={"id": "op-drina", "title": "Drina"}, headers=uk)
    assert opened.status_code == 200 and opened.json()["agency"] == "gb_ukbsu"
    assert (
        client.post("/api/v1/cases", json={"id": "op-drina", "title": "Again"}, headers=uk).status_code == 422
    )
    bad = client.post("/api/v1/cases/op-drina/targets", json={"entities": ["rs-mup.p9"]}, headers=uk)
    assert bad.status_code == 422 and "never targets" in bad.text
    ok = client.post("/api/v1/cases/op-drina/targets", json={"entities": ["rs-mup.p1"]}, headers=uk)
    assert ok.json() == {"added": ["rs-mup.p1"]}
    assert client.get("/api/v1/cases/op-drina", headers=t["rs_mup.a"]).status_code == 404  # not revealed
    assert client.get("/api/v1/cases", headers=t["rs_mup.a"]).json() == []
    assert client.get("/api/v1/cases/op-drina", headers={}).status_code == 401

    analysis = client.get("/api/v1/cases/op-drina/analysis", headers=uk).json()
    assert analysis["targets"][0]["standing"] == "evidence"
    events = client.get("/api/v1/cases/op-drina/chronology?evidential=true", headers=uk).json()
    assert events and all(e["evidential"] for e in events)

    upload = client.post(
        "/api/v1/cases/op-drina/documents",
        files={"file": ("изјава.txt", b"A statement.", "text/plain")},  # a Cyrillic file name
        data={
            "exhibit": "JB/1",
            "handling_scheme": "SIENA",
            "handling_code": "H0",
            "classification": "OFFICIAL",
        },
        headers=uk,
    )
    assert upload.status_code == 200, upload.text
    got = client.get("/api/v1/cases/op-drina/document?exhibit=JB/1", headers=uk)
    assert got.content == b"A statement." and got.headers["x-content-sha256"] == upload.json()["sha256"]
    assert "filename*=UTF-8''%D0%B8" in got.headers["content-disposition"]
    custody = client.get("/api/v1/cases/op-drina/custody?exhibit=JB/1", headers=uk).json()
    assert [c["action"] for c in custody] == ["received", "viewed"]

    pdf = client.get("/api/v1/cases/op-drina/briefing?format=pdf&recipient=CPS", headers=uk)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "Drina" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    html = client.get("/api/v1/cases/op-drina/briefing?recipient=CPS", headers=uk)
    assert html.status_code == 200 and "Schedule of unused material" in html.text
    assert client.get("/api/v1/cases/op-drina/briefing", headers=uk).status_code == 422  # whom for?

    zipped = client.get(
        "/api/v1/cases/op-drina/export?format=graphml&recipient=NCA&view=intelligence&documents=true",
        headers=uk,
    )
    assert zipped.status_code == 200
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as zf:
        names = set(zf.namelist())
        graph = nx.parse_graphml(zf.read("op-drina-intelligence.graphml").decode("utf-8"))
        manifest = json.loads(zf.read("op-drina-intelligence.graphml.manifest.json"))
    assert "exhibits/JB_1-изјава.txt" in names and "rs-mup.p1" in graph
    assert manifest["recipient"] == "NCA"
    disclosed = [(r["object_type"], r["recipients"]) for r in records(store, action="disclosure")]
    assert disclosed == [("case-briefing", "CPS"), ("case-briefing", "CPS"), ("case-export-graphml", "NCA")]


def test_a_participant_of_another_agency_sees_only_their_part(world_client):
    _, client, t = world_client
    uk = t["gb_ukbsu.a"]
    client.post("/api/v1/cases", json={"id": "op-drina", "title": "Drina"}, headers=uk)
    client.post("/api/v1/cases/op-drina/targets", json={"entities": ["rs-mup.p1"]}, headers=uk)
    client.post("/api/v1/cases/op-drina/participants", json={"user": "hr_mup.a"}, headers=uk)
    theirs = client.get("/api/v1/cases/op-drina/analysis", headers=t["hr_mup.a"]).json()
    assert theirs["targets"] == [] and theirs["statements"]["intelligence"] == 0
    export = client.get("/api/v1/cases/op-drina/export?format=ftm&recipient=x", headers=t["hr_mup.a"])
    with zipfile.ZipFile(io.BytesIO(export.content)) as zf:
        assert zf.read("op-drina-evidential.ftm.jsonl") == b""


def test_sanctions_through_the_api(world_client):
    _, client, t = world_client
    uk = t["gb_ukbsu.a"]
    entry = {
        "id": "ofsi-1",
        "schema": "Person",
        "properties": {"name": ["Драган Петровић"]},
        "datasets": ["x"],
    }
    body = json.dumps(entry, ensure_ascii=False).encode("utf-8")
    assert client.put("/api/v1/sanctions/lists/gb_ofsi", content=body, headers=uk).status_code == 403
    sup = t["gb_ukbsu.sup"]
    put = client.put("/api/v1/sanctions/lists/gb_ofsi", content=body, headers=sup)
    assert put.status_code == 200 and put.json()["entries"] == 1
    bad = client.put("/api/v1/sanctions/lists/gb_ofsi", content=b"{oops", headers=sup)
    assert bad.status_code == 422 and "not JSON" in bad.text
    assert client.get("/api/v1/sanctions/lists", headers=uk).json()[0]["entries"] == 1
    found = client.get("/api/v1/sanctions/screen", headers=uk).json()
    assert [m["entity_id"] for m in found] == ["rs-mup.p1"]
    assert found[0]["explanation"]["parts"][0]["scripts"] == ["Latin", "Cyrillic"]
    assert [m["entity_id"] for m in client.get("/api/v1/sanctions/screen", headers=t["hr_mup.a"]).json()] == [
        "hr-mup.p1"
    ]
