"""Native reports: one JSON object per ``.json`` file (or a list of them), or JSON lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from counterflow.errors import Problem
from counterflow.ingest.readers.base import JsonLine, RawReport, ReaderItem, Rejected

MAX_LINE = 16 * 1024 * 1024


def read_native(path: Path) -> Iterator[ReaderItem]:
    if path.suffix.lower() == ".jsonl":
        yield from _read_lines(path)
        return
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        yield Rejected(
            str(path),
            path.name,
            [Problem(str(path), None, f"not UTF-8 text ({exc.reason} at byte {exc.start})")],
        )
        return
    except json.JSONDecodeError as exc:
        yield Rejected(
            str(path),
            path.name,
            [Problem(f"{path} line {exc.lineno} column {exc.colno}", None, f"invalid JSON: {exc.msg}")],
        )
        return
    items = data if isinstance(data, list) else [data]
    for i, item in enumerate(items):
        source = f"{path}" if len(items) == 1 else f"{path} [{i}]"
        if isinstance(item, dict):
            yield RawReport(source, item)
        else:
            yield Rejected(
                source, f"{path.name}[{i}]", [Problem(source, None, "a report must be a JSON object")]
            )


def _read_lines(path: Path) -> Iterator[ReaderItem]:
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            source = f"{path} line {lineno}"
            if len(raw) > MAX_LINE:
                yield Rejected(source, f"line {lineno}", [Problem(source, None, "line longer than 16 MiB")])
                continue
            if raw.strip():
                yield JsonLine(source, f"line {lineno}", raw)
