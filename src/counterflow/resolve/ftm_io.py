"""The file contract: FollowTheMoney entity JSON lines in, ``entity_id,cluster_id`` CSV out.

Each line is ``{"id", "schema", "properties", "datasets"}``; the first dataset names the
reporting agency, whose prefix (``rs_``, ``mk_``, … ``eu_``) gives the region hint for national
phone numbers. Lines that are not entities are errors, all listed, and nothing is written.
Entities of schemata resolution does not handle still get a row (their own cluster).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from followthemoney import model as ftm_model

from counterflow.errors import InvalidValue, Problem
from counterflow.resolve.records import Record, record_from_ftm

MAX_PROBLEMS = 100


@dataclass(slots=True)
class FtmInput:
    entity_ids: list[str] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    datasets: dict[str, int] = field(default_factory=dict)


def _check(obj: Any, where: str) -> tuple[Mapping[str, Any] | None, list[Problem]]:
    problems: list[Problem] = []
    if not isinstance(obj, dict):
        return None, [Problem(where, str(obj)[:80], "not a JSON object")]
    eid = obj.get("id")
    if not isinstance(eid, str) or not eid.strip():
        problems.append(Problem(f"{where}.id", str(eid), "missing or empty entity id"))
    schema = obj.get("schema")
    if not isinstance(schema, str) or ftm_model.get(schema) is None:
        problems.append(Problem(f"{where}.schema", str(schema), "not a FollowTheMoney schema"))
    props = obj.get("properties", {})
    if not isinstance(props, dict):
        problems.append(Problem(f"{where}.properties", str(props)[:80], "properties must be an object"))
    datasets = obj.get("datasets", [])
    if not isinstance(datasets, list) or not all(isinstance(d, str) for d in datasets):
        problems.append(Problem(f"{where}.datasets", str(datasets)[:80], "datasets must be a list of names"))
    return (obj if not problems else None), problems


def _merge_into(merged: dict[str, Any], entity: Mapping[str, Any]) -> None:
    props = merged.setdefault("properties", {})
    for prop, values in (entity.get("properties") or {}).items():
        props[prop] = list(props.get(prop, [])) + list(values if isinstance(values, list) else [values])


def _read(open_lines: Callable[[], Iterator[str]], source: str) -> FtmInput:
    """One pass builds each entity's record as its line is read (the parsed line is dropped at
    once: holding every parsed entity until the end doubled the memory of a large file). An entity
    id seen again is noted; a second pass gathers the lines of those ids only and rebuilds them."""
    out = FtmInput()
    at: dict[str, int] = {}  # entity id -> its record's index in out.records (-1: none)
    repeated: set[str] = set()
    for number, line in enumerate(open_lines(), start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            out.problems.append(Problem(where, line[:80], f"not JSON: {exc.msg}"))
            continue
        entity, problems = _check(obj, where)
        if entity is None:
            out.problems.extend(problems)
            continue
        eid = str(entity["id"])
        for ds in entity.get("datasets") or []:
            out.datasets[ds] = out.datasets.get(ds, 0) + 1
        if eid in at:
            repeated.add(eid)
            continue
        out.entity_ids.append(eid)
        rec = record_from_ftm(entity) if not out.problems else None
        at[eid] = len(out.records) if rec is not None else -1
        if rec is not None:
            out.records.append(rec)
    if repeated and not out.problems:
        _rebuild(out, at, repeated, open_lines)
    return out


def _rebuild(
    out: FtmInput, at: dict[str, int], repeated: set[str], open_lines: Callable[[], Iterator[str]]
) -> None:
    """Records of the ids seen more than once, from all their lines' properties merged in order."""
    merged: dict[str, dict[str, Any]] = {}
    for line in open_lines():
        if not line.strip():
            continue
        entity = json.loads(line)
        eid = str(entity["id"])
        if eid not in repeated:
            continue
        if eid in merged:
            _merge_into(merged[eid], entity)
        else:
            merged[eid] = {
                "id": eid,
                "schema": entity["schema"],
                "properties": dict(entity.get("properties") or {}),
                "datasets": list(entity.get("datasets") or []),
            }
    for eid, entity in merged.items():
        rec = record_from_ftm(entity)
        if rec is not None and at[eid] >= 0:
            out.records[at[eid]] = rec


def read_ftm_lines(lines: Iterable[str], *, source: str = "input") -> FtmInput:
    """Parse entity lines; an entity id seen twice has its properties merged."""
    kept = lines if isinstance(lines, Sequence) else list(lines)
    return _read(lambda: iter(kept), source)


def read_ftm_file(path: Path) -> FtmInput:
    if not path.exists():
        raise InvalidValue("input", str(path), "no such file")

    def open_lines() -> Iterator[str]:
        with path.open(encoding="utf-8") as fh:
            yield from fh

    return _read(open_lines, path.name)


def write_clusters(fh: IO[str], entity_ids: Iterable[str], clusters: Mapping[str, str]) -> int:
    """``entity_id,cluster_id`` rows, one per input entity (singletons are their own cluster)."""
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(["entity_id", "cluster_id"])
    n = 0
    for eid in entity_ids:
        writer.writerow([eid, clusters.get(eid, eid)])
        n += 1
    return n
