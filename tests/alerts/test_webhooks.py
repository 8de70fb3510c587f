"""Webhooks: signed doorbells to partner systems, with no intelligence in them, retried on failure."""

import hashlib
import hmac
import json

import pytest

from counterflow.alerts.engine import run
from counterflow.alerts.watchlist import add_watch
from counterflow.alerts.webhooks import (
    MAX_ATTEMPTS,
    Courier,
    add_webhook,
    deliver_pending,
    list_webhooks,
    remove_webhook,
)
from counterflow.errors import InvalidValue, NotFound
from counterflow.ingest.pipeline import Ingestor, Submitter
from counterflow.policy import registry
from counterflow.policy.session import Session
from counterflow.store import SqlStore

from reports import report


@pytest.fixture
def store(tmp_path):
    store = SqlStore(f"sqlite:///{tmp_path / 'w.sqlite'}", selector_key=b"k" * 32)
    for agency in ("rs_mup", "hr_mup"):
        registry.add_agency(store, agency, agency.upper())
        registry.add_user(store, f"{agency}.a", agency, roles=["analyst"], clearance="OFFICIAL-SENSITIVE")
    yield store
    store.close()


def test_signed_delivery_without_content_and_retries(store):
    rs = Session.open(store, "rs_mup.a").viewer
    hook, secret = add_webhook(store, rs, "https://partner.example/hook")
    add_watch(store, rs, "selector", "064 123 4567", selector_kind="phone")
    Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(report())
    assert len(run(store)) == 1

    sent = []
    failing = {"on": True}

    def post(url, body, headers):
        sent.append((url, body, headers))
        return 503 if failing["on"] else 204

    assert deliver_pending(store, post=post) == {"delivered": 0, "failed": 1}
    failing["on"] = False
    assert deliver_pending(store, post=post) == {"delivered": 1, "failed": 0}  # retried
    assert deliver_pending(store, post=post) == {"delivered": 0, "failed": 0}  # once delivered, done
    url, body, headers = sent[-1]
    assert url == "https://partner.example/hook"
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Counterflow-Signature"] == expected
    payload = json.loads(body)
    assert payload["agency"] == "rs_mup" and payload["rule"] == "selector"
    assert "+381" not in body.decode() and "Alhasan" not in body.decode()  # a doorbell, not the content
    assert [h.id for h in list_webhooks(store, rs)] == [hook.id]


def test_failures_stop_after_the_last_attempt_and_management(store):
    rs = Session.open(store, "rs_mup.a").viewer
    add_webhook(store, rs, "http://127.0.0.1:9/hook")
    add_watch(store, rs, "entity", "rs-mup.p17")
    Ingestor(store, submitter=Submitter("rs_mup.a", "rs_mup")).ingest_report(report())
    run(store)
    for _ in range(MAX_ATTEMPTS + 2):
        deliver_pending(store, post=lambda *a: 500)
    from sqlalchemy import select

    from counterflow.store.schema_alerts import webhook_deliveries

    with store.engine.connect() as conn:
        attempts = conn.execute(select(webhook_deliveries.c.attempts)).scalar_one()
    assert attempts == MAX_ATTEMPTS
    with pytest.raises(InvalidValue):
        add_webhook(store, rs, "ftp://nowhere")
    hr = Session.open(store, "hr_mup.a").viewer
    with pytest.raises(NotFound):
        remove_webhook(store, hr, list_webhooks(store, rs)[0].id)
    remove_webhook(store, rs, list_webhooks(store, rs)[0].id)
    assert list_webhooks(store, rs) == []


def test_the_courier_delivers_on_one_thread_and_rings_during_a_pass_make_one_more(store):
    import threading

    started, release = threading.Event(), threading.Event()
    threads: set[int] = set()
    passes: list[int] = []

    def deliver(s):
        assert s is store
        threads.add(threading.get_ident())
        passes.append(len(passes))
        if len(passes) == 1:
            started.set()
            assert release.wait(10)
        if len(passes) == 3:
            raise RuntimeError("a receiver broke the courier")  # logged; the courier goes on
        return {}

    courier = Courier(store, deliver=deliver)
    courier.ring()
    assert started.wait(10)
    for _ in range(5):  # while the first pass runs: one more pass, not five
        courier.ring()
    release.set()
    _wait_for(lambda: courier.passes == 2)
    courier.ring()
    _wait_for(lambda: courier.passes == 3)
    courier.ring()
    _wait_for(lambda: courier.passes == 4)
    assert len(passes) == 4 and len(threads) == 1


def _wait_for(done, seconds: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, "the courier did not get there"
        time.sleep(0.005)


def test_an_idle_courier_lets_its_thread_go_and_the_next_ring_starts_another(store):
    delivered: list[int] = []
    courier = Courier(store, deliver=lambda s: delivered.append(1), idle_seconds=0.05)
    courier.ring()
    _wait_for(lambda: courier.passes == 1)
    _wait_for(lambda: courier._thread is None)
    courier.ring()
    _wait_for(lambda: courier.passes == 2)
    assert len(delivered) == 2
