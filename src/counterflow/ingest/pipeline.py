"""Ingest: from files to stored statements, report by report, atomically and idempotently.

Readers turn files into native reports; ``parse_report`` validates and normalises each
one completely before anything is written; valid reports are written in batches, each
batch in one transaction (so every report is whole or absent). A report already stored
with the same content is skipped; the same report id with other content is a conflict.
Rejected and conflicting reports are collected with every problem, and the others go on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counterflow.errors import ConfigurationError, Problem, ReportConflict, ReportRejected
from counterflow.ingest.mentions import NameIndex
from counterflow.ingest.readers.base import RawReport, ReaderItem, Rejected
from counterflow.ingest.readers.native import read_native
from counterflow.ingest.report import ParsedReport, parse_report
from counterflow.store.sql import SqlStore

log = logging.getLogger(__name__)

INPUT_SUFFIXES = {".json", ".jsonl", ".csv", ".xlsx", ".ndjson"}


@dataclass
class Rejection:
    source: str
    report: str
    problems: list[Problem]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "report": self.report,
            "problems": [{"where": p.where, "value": p.value, "reason": p.reason} for p in self.problems],
        }


@dataclass
class IngestSummary:
    reports_added: int = 0
    reports_unchanged: int = 0
    statements_added: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def to_dict(self) -> dict[str, Any]:
        return {
            "reports_added": self.reports_added,
            "reports_unchanged": self.reports_unchanged,
            "statements_added": self.statements_added,
            "rejected": [r.to_dict() for r in self.rejected],
        }


Progress = Callable[[IngestSummary], None]


class Ingestor:
    """Writes reports into a store; keeps the index of known names for text mentions."""

    def __init__(self, store: SqlStore, *, batch_statements: int = 20_000, progress: Progress | None = None):
        self.store = store
        self.batch_statements = batch_statements
        self.progress = progress
        self._names: NameIndex | None = None

    @property
    def names(self) -> NameIndex:
        if self._names is None:
            index = NameIndex()
            index.add_many((eid, value) for eid, _schema, value in self.store.name_index())
            self._names = index
        return self._names

    def ingest_report(self, data: dict[str, Any], *, source: str | None = None) -> str:
        """One report (the API's path): returns "added" or "unchanged"; raises on rejection or conflict."""
        parsed = parse_report(data, source=source, names=self.names if data.get("text") else None)
        outcome = self.store.write_reports([parsed.record])[parsed.record.key]
        if outcome == "conflict":
            raise ReportConflict(
                f"report {parsed.record.key} was already ingested with different content; "
                "send amendments under a new report id",
                report=parsed.record.key,
            )
        self._learn(parsed)
        return outcome

    def ingest(self, items: Iterable[ReaderItem]) -> IngestSummary:
        summary = IngestSummary()
        batch: list[ParsedReport] = []
        pending = 0
        for item in items:
            if isinstance(item, Rejected):
                summary.rejected.append(Rejection(item.source, item.label, item.problems))
                continue
            parsed = self._parse(item, summary)
            if parsed is None:
                continue
            batch.append(parsed)
            pending += len(parsed.statements)
            if parsed.record.report.get("title") or any(s.prop == "bodyText" for s in parsed.statements):
                self._flush(batch, summary)  # later texts must see names written so far
                batch, pending = [], 0
            elif pending >= self.batch_statements:
                self._flush(batch, summary)
                batch, pending = [], 0
        self._flush(batch, summary)
        return summary

    def _parse(self, item: RawReport, summary: IngestSummary) -> ParsedReport | None:
        try:
            names = self.names if item.data.get("text") else None
            return parse_report(item.data, source=item.source, names=names)
        except ReportRejected as exc:
            problems = exc.problems
            if item.locate is not None:
                problems = [Problem(item.locate(p.where), p.value, p.reason) for p in problems]
            summary.rejected.append(Rejection(item.source, exc.report, problems))
            return None

    def _flush(self, batch: list[ParsedReport], summary: IngestSummary) -> None:
        if not batch:
            return
        outcome = self.store.write_reports([p.record for p in batch])
        for parsed in batch:
            status = outcome.get(parsed.record.key)
            if status == "added":
                summary.reports_added += 1
                summary.statements_added += len(parsed.statements)
                self._learn(parsed)
            elif status == "unchanged":
                summary.reports_unchanged += 1
            elif status == "conflict":
                summary.rejected.append(
                    Rejection(
                        str(parsed.record.report.get("source")),
                        parsed.record.key,
                        [
                            Problem(
                                "report_id",
                                parsed.report_id,
                                "already ingested with different content; "
                                "send amendments under a new report id",
                            )
                        ],
                    )
                )
        if self.progress is not None:
            self.progress(summary)

    def _learn(self, parsed: ParsedReport) -> None:
        if self._names is None:
            return
        for s in parsed.statements:
            if s.prop_type == "name" and s.schema in {"Person", "Organization", "Company", "LegalEntity"}:
                self._names.add(s.entity_id, s.value)


# -- choosing readers -------------------------------------------------------------------


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to ingest: given files, and the input files under given folders, sorted."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in INPUT_SUFFIXES)
            )
        elif path.exists():
            out.append(path)
        else:
            raise ConfigurationError(f"no such file or folder: {path}", path=str(path))
    return out


def _sniff_json(path: Path) -> str:
    with path.open("rb") as fh:
        for raw in fh:
            if raw.strip():
                head = raw.strip()[:1]
                if head == b"[":
                    return "native"
                try:
                    obj = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    return "native"  # let the native reader name the problem
                if isinstance(obj, dict) and "schema" in obj and "properties" in obj and "format" not in obj:
                    return "ftm"
                return "native"
    return "native"


def read_path(
    path: Path,
    *,
    mapping: str | Path | None = None,
    header_file: Path | None = None,
    header_options: dict[str, str] | None = None,
) -> Iterator[ReaderItem]:
    """Reports from one file, choosing the reader by suffix, content and sidecar files.

    A CSV or Excel file needs a mapping: ``--mapping`` or a sidecar ``<file>.yml``. A
    FollowTheMoney file needs a report header: ``--header FILE.yml``, a sidecar
    ``<file>.yml`` with a ``report:`` section, or the header options.
    """
    suffix = path.suffix.lower()
    sidecar = path.with_suffix(".yml")
    if suffix in {".json", ".jsonl", ".ndjson"} and _sniff_json(path) == "native":
        yield from read_native(path)
        return
    from counterflow.ingest.readers import ftm, header
    from counterflow.ingest.readers import mapping as mapping_reader

    if suffix in {".csv", ".xlsx"} and (
        mapping is not None
        or (sidecar.exists() and suffix == ".xlsx")
        or (sidecar.exists() and not _is_statement_csv(path))
    ):
        spec = mapping_reader.load_mapping(mapping if mapping is not None else sidecar)
        yield from mapping_reader.read_mapped(path, spec)
        return
    if suffix in {".json", ".jsonl", ".ndjson", ".csv"}:
        if header_file is None and sidecar.exists():
            header_file = sidecar
        if header_file is not None:
            hdr = header.ReportHeader.from_yaml(header_file)
        else:
            hdr = header.ReportHeader.from_options(**(header_options or {}))
        if suffix == ".csv":
            yield from ftm.read_ftm_statements(path, hdr)
        else:
            yield from ftm.read_ftm_entities(path, hdr)
        return
    raise ConfigurationError(
        f"{path}: a {suffix} file needs a mapping (--mapping NAME|FILE.yml or {sidecar.name})", path=str(path)
    )


def _is_statement_csv(path: Path) -> bool:
    with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
        first = fh.readline().lower()
    cols = {c.strip() for c in first.replace(";", ",").split(",")}
    return {"entity_id", "prop", "schema", "value"} <= cols
