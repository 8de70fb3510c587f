"""Live events: each stream carries only what its viewer may see."""

import json
import queue
import threading

import httpx

from counterflow.api.app import create_app
from counterflow.ingest.pipeline import Ingestor, Submitter
from counterflow.policy import registry

from apitools import auth, running
from reports import report


def _listen(base, token, out: queue.Queue, ready: threading.Event):
    with (
        httpx.Client(base_url=base, timeout=30) as c,
        c.stream("GET", "/api/v1/events", headers=auth(token)) as r,
    ):
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith(": counterflow"):
                ready.set()
            if line.startswith("data: "):
                data = json.loads(line[6:])
                out.put(data)
                if data.get("report_id") == "SENTINEL":
                    return


def test_report_events_reach_only_those_who_may_see_them(store, tokens):
    registry.add_agreement(store, "hr_mup", "gb_ukbsu")
    app = create_app(store)
    with running(app) as base:
        got = {u: queue.Queue() for u in ("rs_mup.a", "gb_ukbsu.a")}
        threads = []
        for user, q in got.items():
            ready = threading.Event()
            t = threading.Thread(target=_listen, args=(base, tokens[user], q, ready), daemon=True)
            t.start()
            assert ready.wait(10)
            threads.append(t)
        with httpx.Client(base_url=base, timeout=30) as c:
            # Ingested outside the service (as by the command line): the streams still tell of it.
            Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(report())
            sentinel = report(
                agency="hr_mup",
                report_id="SENTINEL",
                handling={"scheme": "3x5x2", "code": "P"},
                entities=[{"id": "s1", "schema": "Person", "properties": {"name": "Ivo Sentinel"}}],
            )
            assert (
                c.post("/api/v1/reports", json=sentinel, headers=auth(tokens["hr_mup.a"])).status_code == 200
            )
            own = {**sentinel, "agency": "rs_mup"}  # rs_mup may not see hr_mup's: its own ends its stream
            assert c.post("/api/v1/reports", json=own, headers=auth(tokens["rs_mup.a"])).status_code == 200
        for t in threads:
            t.join(15)
            assert not t.is_alive()
        uk = [got["gb_ukbsu.a"].get_nowait()["report_id"] for _ in range(got["gb_ukbsu.a"].qsize())]
        assert uk == ["SENTINEL"]  # never told of rs_mup's reports
        rs = [got["rs_mup.a"].get_nowait() for _ in range(got["rs_mup.a"].qsize())]
        assert [(e["agency"], e["report_id"]) for e in rs] == [
            ("rs_mup", "RS-2026-0001"),
            ("rs_mup", "SENTINEL"),
        ]
