"""Helpers for API and web tests (a plain module): ``auth``, ``running``, and the governed-store
fixtures ``store``, ``tokens`` and ``client`` that tests/api and tests/web conftests import."""

import contextlib
import socket
import threading
import time

import pytest
from fastapi.testclient import TestClient

from counterflow.api.app import create_app
from counterflow.api.context import Limits
from counterflow.policy import registry
from counterflow.policy.auth import issue_token
from counterflow.store import SqlStore


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(app):
    """Serve ``app`` with uvicorn on a free loopback port in a thread; yields the base URL."""
    import uvicorn

    port = free_port()
    app.state.broker.keepalive = 0.5  # closed streams are noticed quickly
    app.state.broker.interval = 0.2
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=3
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def store(tmp_path):
    store = SqlStore(f"sqlite:///{tmp_path / 'api.sqlite'}", selector_key=b"k" * 32)
    for agency in ("rs_mup", "hr_mup", "gb_ukbsu"):
        registry.add_agency(store, agency, agency.upper())
        registry.add_user(store, f"{agency}.a", agency, roles=["analyst"], clearance="OFFICIAL-SENSITIVE")
    registry.add_user(store, "gb_ukbsu.aud", "gb_ukbsu", roles=["auditor"], clearance="OFFICIAL")
    yield store
    store.close()


@pytest.fixture
def tokens(store):
    return {u: issue_token(store, u) for u in ("rs_mup.a", "hr_mup.a", "gb_ukbsu.a", "gb_ukbsu.aud")}


@pytest.fixture
def client(store):
    with TestClient(create_app(store, limits=Limits(max_body_bytes=200_000))) as c:
        yield c
