"""A throw-away PostgreSQL database per test or module, on the server scripts/test.sh started."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

PG_URL = os.environ.get("COUNTERFLOW_TEST_PG_URL")
REQUIRE_PG = os.environ.get("COUNTERFLOW_REQUIRE_PG") == "1"


def pg_database() -> Iterator[str]:
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("COUNTERFLOW_REQUIRE_PG=1 but COUNTERFLOW_TEST_PG_URL is not set")
        pytest.skip("PostgreSQL not started (run scripts/test.sh)")
    import psycopg

    name = f"cf_{uuid.uuid4().hex[:12]}"
    admin = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
