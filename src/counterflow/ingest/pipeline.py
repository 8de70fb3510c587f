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
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counterflow.errors import ConfigurationError, Problem, ReportConflict, ReportRejected
from counterflow.ingest.mentions import NameIndex
from counterflow.ingest.readers.base import RawReport, ReaderItem, Rejected
from counterflow.ingest.readers.native import read_native
from counterflow.ingest.report import ParsedReport, parse_report
from counterflow.store.sql import ReportRecord, SqlStore

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


@dataclass(frozen=True, slots=True)
class Ready:
    """A parsed report reduced to what writing needs (cheap to send between processes)."""

    record: ReportRecord
    report_id: str
    n_statements: int
    names: list[tuple[str, str]]

    @classmethod
    def of(cls, parsed: ParsedReport) -> Ready:
        names = [
            (s.entity_id, s.value)
            for s in parsed.statements
            if s.prop_type == "name" and s.schema in NAMED_SCHEMATA
        ]
        return cls(parsed.record, parsed.report_id, len(parsed.statements), names)


def _parse_chunk(items: list[RawReport]) -> list[Ready | Rejection]:
    """Worker-process side of parallel ingest: parse reports that need no name index."""
    out: list[Ready | Rejection] = []
    for item in items:
        try:
            out.append(Ready.of(parse_report(item.data, source=item.source)))
        except ReportRejected as exc:
            out.append(_rejection(item, exc))
    return out


def _rejection(item: RawReport, exc: ReportRejected) -> Rejection:
    problems = exc.problems
    if item.locate is not None:
        problems = [Problem(item.locate(p.where), p.value, p.reason) for p in problems]
    return Rejection(item.source, exc.report, problems)


NAMED_SCHEMATA = frozenset({"Person", "Organization", "Company", "LegalEntity"})
CHUNK_REPORTS = 16
WINDOW_REPORTS = 512


class Ingestor:
    """Writes reports into a store; keeps the index of known names for text mentions.

    With ``workers`` > 1, reports without free text are parsed in worker processes
    while this process writes; reports with text are parsed here, because finding
    known names needs the index of every name written so far.
    """

    def __init__(
        self,
        store: SqlStore,
        *,
        batch_statements: int = 20_000,
        progress: Progress | None = None,
        workers: int = 1,
    ):
        self.store = store
        self.batch_statements = batch_statements
        self.progress = progress
        self.workers = workers
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
        if outcome == "added":
            self._learn(Ready.of(parsed))
        return outcome

    def ingest(self, items: Iterable[ReaderItem]) -> IngestSummary:
        summary = IngestSummary()
        if self.workers > 1:
            with ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork")) as pool:
                self._run(items, summary, pool)
        else:
            self._run(items, summary, None)
        return summary

    def _run(self, items: Iterable[ReaderItem], summary: IngestSummary, pool: Executor | None) -> None:
        """Windows of reports: workers parse window k+1 while this process writes window k."""
        size = WINDOW_REPORTS
        previous: (
            tuple[list[ReaderItem], list[tuple[list[RawReport], Future[list[Ready | Rejection]]]]] | None
        )
        previous = None
        window: list[ReaderItem] = []
        for item in items:
            window.append(item)
            if len(window) >= size:
                submitted = self._submit(window, pool)
                if previous is not None:
                    self._finish(*previous, summary)
                previous, window = (window, submitted), []
        submitted = self._submit(window, pool)
        if previous is not None:
            self._finish(*previous, summary)
        self._finish(window, submitted, summary)
        if self.progress is not None:
            self.progress(summary)

    def _submit(
        self, window: list[ReaderItem], pool: Executor | None
    ) -> list[tuple[list[RawReport], Future[list[Ready | Rejection]]]]:
        if pool is None:
            return []
        plain = [i for i in window if isinstance(i, RawReport) and not _has_text(i)]
        chunks = [plain[k : k + CHUNK_REPORTS] for k in range(0, len(plain), CHUNK_REPORTS)]
        return [(chunk, pool.submit(_parse_chunk, chunk)) for chunk in chunks]

    def _finish(
        self,
        window: list[ReaderItem],
        submitted: list[tuple[list[RawReport], Future[list[Ready | Rejection]]]],
        summary: IngestSummary,
    ) -> None:
        parsed: dict[int, Ready | Rejection] = {}
        for chunk, future in submitted:
            parsed.update({id(item): res for item, res in zip(chunk, future.result(), strict=True)})
        batch: list[Ready] = []
        pending = 0
        for item in window:
            if isinstance(item, Rejected):
                summary.rejected.append(Rejection(item.source, item.label, item.problems))
                continue
            result = parsed.get(id(item))
            if result is None:
                result = self._parse(item)
            if isinstance(result, Rejection):
                summary.rejected.append(result)
                continue
            # Names are known as soon as their report is valid, so a text later in the same
            # batch finds them; a batch is written whole or not at all.
            self._learn(result)
            batch.append(result)
            pending += result.n_statements
            if pending >= self.batch_statements:
                self._flush(batch, summary)
                batch, pending = [], 0
        self._flush(batch, summary)

    def _parse(self, item: RawReport) -> Ready | Rejection:
        try:
            names = self.names if _has_text(item) else None
            return Ready.of(parse_report(item.data, source=item.source, names=names))
        except ReportRejected as exc:
            return _rejection(item, exc)

    def _flush(self, batch: list[Ready], summary: IngestSummary) -> None:
        if not batch:
            return
        outcome = self.store.write_reports([p.record for p in batch])
        for ready in batch:
            status = outcome.get(ready.record.key)
            if status == "added":
                summary.reports_added += 1
                summary.statements_added += ready.n_statements
            elif status == "unchanged":
                summary.reports_unchanged += 1
            elif status == "conflict":
                summary.rejected.append(
                    Rejection(
                        str(ready.record.report.get("source")),
                        ready.record.key,
                        [
                            Problem(
                                "report_id",
                                ready.report_id,
                                "already ingested with different content; "
                                "send amendments under a new report id",
                            )
                        ],
                    )
                )
        if self.progress is not None:
            self.progress(summary)

    def _learn(self, ready: Ready) -> None:
        index = self.names  # built from the store on first use, then kept current here
        for entity_id, name in ready.names:
            index.add(entity_id, name)


def _has_text(item: RawReport) -> bool:
    return bool(item.data.get("text"))


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
        if header_file is not None:
            spec = spec.with_report(header.ReportHeader.from_yaml(header_file))
        elif header_options:
            spec = spec.with_report(header.ReportHeader.from_options(**header_options))
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
