"""Shared fixtures: a fresh store on SQLite and, when the test command started one, PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from counterflow.store import SqlStore

from pgtools import pg_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
    else:
        yield from pg_database()


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    s = SqlStore(store_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqlStore]:
    s = SqlStore(f"sqlite:///{tmp_path / 'store.sqlite'}")
    try:
        yield s
    finally:
        s.close()


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """One local Spark session per test process (a JVM start costs seconds); mark its users
    ``xdist_group("spark")`` so that they share one process."""
    from counterflow.engine.spark import spark_session

    session = spark_session("local[2]", driver_memory="1g")
    yield session
    session.stop()


@pytest.fixture(params=["local", pytest.param("spark", marks=pytest.mark.xdist_group("spark"))])
def engine(request: pytest.FixtureRequest) -> Iterator[object]:
    """Each batch engine in turn: DuckDB in process, then Spark on the shared local session."""
    from counterflow.engine import LocalEngine

    if request.param == "local":
        eng = LocalEngine(threads=2)
    else:
        from counterflow.engine.spark import SparkEngine

        eng = SparkEngine(request.getfixturevalue("spark"))
    yield eng
    eng.close()
