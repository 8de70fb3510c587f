import csv
import json
from pathlib import Path

import pytest

from counterflow.scenario import generate


@pytest.fixture(scope="session")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("scenario-small")
    manifest = generate(out, seed=7, size="small")
    return out, manifest


@pytest.fixture(scope="session")
def reports(small):
    out, _ = small
    rows = []
    for path in sorted((out / "reports").glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            rows.extend(json.loads(line) for line in fh)
    return rows


def read_csv(path: Path, delimiter: str = ","):
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


@pytest.fixture(scope="session")
def truth(small):
    out, _ = small
    return {p.stem: read_csv(p) for p in sorted((out / "truth").glob("*.csv"))}
