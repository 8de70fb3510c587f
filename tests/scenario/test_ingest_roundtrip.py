"""The generated reports and mapped files pass the ingest side's own checks and normalisers."""

import json

import pytest

from counterflow.errors import CounterflowError
from counterflow.model.statement import make_entity_id

report = pytest.importorskip("counterflow.ingest.report")
mapping = pytest.importorskip("counterflow.ingest.readers.mapping")
mapping_spec = pytest.importorskip("counterflow.ingest.readers.mapping_spec")


def test_everything_ingests_and_ids_match_truth(small, truth):
    out, manifest = small
    problems = []
    mapped_truth = {row["reported_entity_id"] for row in truth["mapped_entities"]}
    n = 0
    for path in sorted((out / "reports").glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    report.parse_report(json.loads(line), source=path.name)
                except CounterflowError as exc:
                    problems.append((path.name, str(exc)[:300]))
                n += 1
    for yml in sorted(out.glob("*/*.yml")):
        data = next(p for p in yml.parent.glob(yml.stem + ".*") if p.suffix != ".yml")
        for item in mapping.read_mapped(data, mapping_spec.load_mapping(yml)):
            assert hasattr(item, "data"), (data.name, getattr(item, "problems", None))
            for ent in item.data.get("entities", []):
                assert make_entity_id(item.data["agency"], ent["id"]) in mapped_truth
            try:
                report.parse_report(item.data, source=data.name)
            except CounterflowError as exc:
                problems.append((data.name, str(exc)[:300]))
            n += 1
    assert not problems, problems[:5]
    assert n == manifest.reports
