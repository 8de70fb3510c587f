import pytest

from counterflow.errors import (
    ConfigurationError,
    CounterflowError,
    InvalidValue,
    NotFound,
    Problem,
    ReportRejected,
    StoreUnavailable,
    status_of,
)
from counterflow.settings import Settings


def test_settings_defaults_and_env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = Settings.from_env({})
    assert s.database_url == f"sqlite:///{tmp_path / 'counterflow.sqlite'}"
    pg = Settings.from_env(
        {"COUNTERFLOW_DATABASE_URL": "postgresql+psycopg://u@h/db", "COUNTERFLOW_BATCH_SIZE": "5"}
    )
    assert (pg.database_url, pg.batch_size) == ("postgresql+psycopg://u@h/db", 5)
    with pytest.raises(ConfigurationError):
        Settings.from_env({"COUNTERFLOW_BATCH_SIZE": "many"})
    with pytest.raises(ConfigurationError):
        Settings.from_env({"COUNTERFLOW_BATCH_SIZE": "0"})
    with pytest.raises(AttributeError):
        s.batch_size = 3  # type: ignore[misc]  # settings are immutable


def test_status_table():
    assert status_of(NotFound("x")) == (66, 404)
    assert status_of(StoreUnavailable("x")) == (69, 503)
    assert status_of(InvalidValue("phone", "1", "short")) == (65, 422)
    assert status_of(CounterflowError("x")) == (1, 500)


def test_rejection_lists_every_problem():
    err = ReportRejected("R1", [Problem("a", "1", "bad"), Problem("b", None, "worse")])
    assert "2 problems" in err.message and "a: '1' bad" in err.message and "b: worse" in err.message
    assert err.to_dict()["problems"][1] == {"where": "b", "value": None, "reason": "worse"}
