"""The case world (see ``casetools``) as a fixture."""

import pytest

from casetools import build_world


@pytest.fixture
def world(tmp_path):
    store = build_world(tmp_path / "cases.sqlite")
    yield store
    store.close()
