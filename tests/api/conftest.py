"""A governed store with three agencies, their users and tokens, and a test client of the service."""

import pytest
from fastapi.testclient import TestClient

from counterflow.api.app import create_app
from counterflow.api.context import Limits
from counterflow.policy import registry
from counterflow.policy.auth import issue_token
from counterflow.store import SqlStore


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
