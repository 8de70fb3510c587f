"""Shared data for resolution tests: real cross-script spellings, relatives, namesakes."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from resolve_data import ALHASAN, BROTHER, NAMESAKE, OTHER

logging.getLogger("splink").setLevel(logging.ERROR)


@pytest.fixture
def entities():
    return [*ALHASAN, BROTHER, NAMESAKE, OTHER]


@pytest.fixture
def entities_file(tmp_path, entities) -> Path:
    path = tmp_path / "entities.jsonl"
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entities), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def scenario(tmp_path_factory):
    """A small generated world and its FtM entity lines (shared by the slower tests)."""
    from counterflow.resolve.evaluate import scenario_entities
    from counterflow.scenario import generate

    out = tmp_path_factory.mktemp("resolve-scenario")
    generate(out, seed=11, size=60_000)
    path = out / "entities.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for ent in scenario_entities(out):
            fh.write(json.dumps(ent, ensure_ascii=False) + "\n")
    return out, path
