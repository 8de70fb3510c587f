from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session per test process (a JVM start costs seconds)."""
    from counterflow.engine.spark import spark_session

    session = spark_session("local[2]", driver_memory="1g")
    yield session
    session.stop()
