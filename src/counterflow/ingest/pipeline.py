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
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from counterflow.errors import ConfigurationError, CounterflowError, Problem, ReportConflict, ReportRejected
from counterflow.ingest.build import TextTask, name_mention_rows
from counterflow.ingest.mentions import NameIndex
from counterflow.ingest.readers.base import JsonLine, RawReport, ReaderItem, Rejected
from counterflow.ingest.readers.native import read_native
from counterflow.ingest.report import ParsedReport, parse_report
from counterflow.model.handling import Classification
from counterflow.model.visibility import NameEntry, Sharing, Viewer, may_see_meta
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
    """A parsed report reduced to what writing needs; ``text_task`` if names are still to find."""

    record: ReportRecord
    report_id: str
    n_statements: int
    names: list[NameEntry]
    text_task: TextTask | None = None

    @classmethod
    def of(cls, parsed: ParsedReport) -> Ready:
        rows = parsed.record.statements
        return cls(parsed.record, parsed.report_id, len(rows), parsed.names, parsed.text_task)

    def with_names(self, index: NameIndex, sharing: Sharing) -> Ready:
        """This report completed with the names its text mentions that its agency may see."""
        if self.text_task is None:
            return self
        prov = self.text_task.prov
        viewer = sharing.agency_viewer(prov.agency, prov.classification)
        rows = self.record.statements + name_mention_rows(
            self.text_task, index, self.names, lambda meta: may_see_meta(viewer, meta)
        )
        report = {**self.record.report, "n_statements": len(rows)}
        return Ready(ReportRecord(report, rows), self.report_id, len(rows), self.names, None)


@dataclass(frozen=True, slots=True)
class Written:
    """What became of one valid report: added, unchanged or conflict (small, sent back by workers)."""

    key: str
    source: str
    report_id: str
    status: str
    n_statements: int
    names: list[NameEntry]


Result = Written | Rejection | Ready
CONFLICT_REASON = "already ingested with different content; send amendments under a new report id"
# A window is what is read ahead; a chunk is what one transaction writes. Both are bounded
# by entities (a spreadsheet part can hold thousands) and by reports.
WINDOW_REPORTS = 512
WINDOW_ENTITIES = 40_000
CHUNK_ENTITIES = 4_000
AHEAD = 2


def _rejection(item: RawReport, exc: ReportRejected) -> Rejection:
    problems = exc.problems
    if item.locate is not None:
        problems = [Problem(item.locate(p.where), p.value, p.reason) for p in problems]
    return Rejection(item.source, exc.report, problems)


Work = RawReport | JsonLine  # a report to parse (JSON lines are decoded where they are parsed)


def _size(item: ReaderItem) -> int:
    if isinstance(item, JsonLine):
        return 1 + len(item.raw) // 300  # about 300 bytes of JSON per entity
    if isinstance(item, RawReport):
        entities = item.data.get("entities")
        return 1 + (len(entities) if isinstance(entities, list) else 0)
    return 1


def _chunks(items: list[Work], budget: int) -> list[list[Work]]:
    chunks: list[list[Work]] = []
    current: list[Work] = []
    used = 0
    for item in items:
        current.append(item)
        used += _size(item)
        if used >= budget:
            chunks.append(current)
            current, used = [], 0
    if current:
        chunks.append(current)
    return chunks


@dataclass(frozen=True, slots=True)
class Submitter:
    """Who is ingesting: the actor named in the processing log, and (in a governed store) the
    agency whose reports they may submit. An agency submits its own reports only."""

    actor: str = "operator"
    agency: str | None = None


def write_ready(store: SqlStore, readies: list[Ready], submitter: Submitter) -> list[Written]:
    """Write complete reports in one transaction (each whole or absent) and say what became of each."""
    outcome = store.write_reports([r.record for r in readies], actor=submitter.actor) if readies else {}
    return [
        Written(
            r.record.key,
            str(r.record.report.get("source")),
            r.report_id,
            outcome[r.record.key],
            r.n_statements,
            r.names,
        )
        for r in readies
    ]


def work_chunk(store: SqlStore, items: list[Work], submitter: Submitter) -> list[Result]:
    """Parse a chunk; write the reports without text; hand back those whose text needs names."""
    parsed: list[Rejection | Ready] = []
    for work in items:
        item = work.decode() if isinstance(work, JsonLine) else work
        if isinstance(item, Rejected):
            parsed.append(Rejection(item.source, item.label, item.problems))
            continue
        owner = item.data.get("agency")
        if submitter.agency is not None and owner != submitter.agency:
            problem = Problem("agency", str(owner), f"{submitter.actor} submits for {submitter.agency} only")
            parsed.append(Rejection(item.source, str(item.data.get("report_id", "?")), [problem]))
            continue
        try:
            parsed.append(Ready.of(parse_report(item.data, source=item.source, defer_names=True)))
        except ReportRejected as exc:
            parsed.append(_rejection(item, exc))
    complete = [r for r in parsed if isinstance(r, Ready) and r.text_task is None]
    written = iter(write_ready(store, complete, submitter))
    return [next(written) if isinstance(r, Ready) and r.text_task is None else r for r in parsed]


Pending = tuple[list[ReaderItem], list["Future[list[Result]]"]]
_WORKER_STORE: SqlStore | None = None
_WORKER_SUBMITTER = Submitter()


def _worker_init(url: str, selector_key: bytes | None, submitter: Submitter) -> None:
    global _WORKER_STORE, _WORKER_SUBMITTER
    _WORKER_STORE = SqlStore(url, selector_key=selector_key)
    _WORKER_SUBMITTER = submitter


def _worker_chunk(items: list[Work]) -> list[Result]:
    assert _WORKER_STORE is not None
    return work_chunk(_WORKER_STORE, items, _WORKER_SUBMITTER)


class Ingestor:
    """Writes reports into a store; keeps the index of known names for text mentions.

    Reports are read ahead in windows. In each window, reports without free text are
    parsed and written first (by worker processes, each writing its own transactions,
    when ``workers`` > 1; SQLite's single writer takes them in turn), then reports with
    text are parsed here, because finding known names needs the index of every name so
    far, this window's included. The result does not depend on the number of workers.
    """

    def __init__(
        self,
        store: SqlStore,
        *,
        batch_statements: int = 20_000,
        progress: Progress | None = None,
        workers: int = 1,
        submitter: Submitter | None = None,
        names: NameIndex | None = None,
    ):
        """``names``: an index of known names shared between ingestors of one process (the
        service's); by default read from the store when first needed."""
        self.store = store
        self.batch_statements = batch_statements
        self.progress = progress
        self.workers = workers
        self._names: NameIndex | None = names
        self.sharing = store.sharing()
        self.submitter = submitter or Submitter()
        if not self.sharing.open and self.submitter.agency is None:
            raise ConfigurationError(
                "this store has registered agencies: reports are submitted by a user of their agency "
                "(COUNTERFLOW_USER or --as USER)"
            )

    @property
    def names(self) -> NameIndex:
        if self._names is None:
            index = NameIndex()
            index.add_many(self.store.name_index(viewer=Viewer.operator()))
            self._names = index
        return self._names

    def ingest_report(self, data: dict[str, Any], *, source: str | None = None) -> str:
        """One report (the API's path): returns "added" or "unchanged"; raises on rejection or conflict."""
        parsed = self.prepare(data, source=source)
        outcome = self.store.write_reports([parsed.record], actor=self.submitter.actor)[parsed.record.key]
        return self.settle(parsed, outcome)

    def settle(self, parsed: ParsedReport, outcome: str) -> str:
        """After writing: a conflict is the sender's error; an added report's names become known."""
        if outcome == "conflict":
            raise ReportConflict(
                f"report {parsed.record.key} was already ingested with different content; "
                "send amendments under a new report id",
                report=parsed.record.key,
            )
        if outcome == "added":
            self.names.add_many(Ready.of(parsed).names)
        return outcome

    def prepare(self, data: dict[str, Any], *, source: str | None = None) -> ParsedReport:
        """One report validated and normalised, ready to write; ReportRejected naming every problem."""
        agency = data.get("agency")
        classification = data.get("classification")
        allow = None
        if isinstance(agency, str) and isinstance(classification, str):
            try:
                viewer = self.sharing.agency_viewer(agency, Classification.parse(classification))
                allow = partial(may_see_meta, viewer)
            except CounterflowError:
                pass  # parse_report names the problem
        parsed = parse_report(
            data, source=source, names=self.names if data.get("text") else None, allow=allow
        )
        if self.submitter.agency is not None and parsed.agency != self.submitter.agency:
            raise ReportRejected(
                parsed.report_id,
                [
                    Problem(
                        "agency",
                        parsed.agency,
                        f"{self.submitter.actor} submits for {self.submitter.agency} only",
                    )
                ],
            )
        return parsed

    def ingest(self, items: Iterable[ReaderItem]) -> IngestSummary:
        summary = IngestSummary()
        _ = self.names  # read the known names now, before any worker writes ahead
        if self.workers > 1:
            ctx = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(
                self.workers,
                mp_context=ctx,
                initializer=_worker_init,
                initargs=(self.store.url, self.store.selector_key, self.submitter),
            ) as pool:
                self._run(items, summary, pool)
        else:
            self._run(items, summary, None)
        return summary

    def _run(self, items: Iterable[ReaderItem], summary: IngestSummary, pool: Executor | None) -> None:
        """Workers work up to ``AHEAD`` windows ahead while this process finishes the oldest."""
        pending: deque[Pending] = deque()
        window: list[ReaderItem] = []
        used = 0
        for item in items:
            window.append(item)
            used += _size(item)
            if len(window) >= WINDOW_REPORTS or used >= WINDOW_ENTITIES:
                pending.append((window, self._submit(window, pool)))
                window, used = [], 0
                if len(pending) > AHEAD:
                    self._finish(*pending.popleft(), summary)
        pending.append((window, self._submit(window, pool)))
        while pending:
            self._finish(*pending.popleft(), summary)

    def _budget(self) -> int:
        return max(1, min(CHUNK_ENTITIES, self.batch_statements // 5))

    def _submit(self, window: list[ReaderItem], pool: Executor | None) -> list[Future[list[Result]]]:
        if pool is None:
            return []
        raw = [i for i in window if isinstance(i, RawReport | JsonLine)]
        return [pool.submit(_worker_chunk, chunk) for chunk in _chunks(raw, self._budget())]

    def _finish(
        self, window: list[ReaderItem], submitted: list[Future[list[Result]]], summary: IngestSummary
    ) -> None:
        """Record what workers wrote, then find names in this window's texts, in order, and write them."""
        position = {id(item): n for n, item in enumerate(window)}
        rejected: list[tuple[int, Rejection]] = [
            (position[id(item)], Rejection(item.source, item.label, item.problems))
            for item in window
            if isinstance(item, Rejected)
        ]
        chunks = _chunks([i for i in window if isinstance(i, RawReport | JsonLine)], self._budget())
        if submitted:
            done = [(chunk, future.result()) for chunk, future in zip(chunks, submitted, strict=True)]
        else:
            done = [(chunk, work_chunk(self.store, chunk, self.submitter)) for chunk in chunks]
        texts: list[tuple[Work, Ready]] = []
        for chunk, results in done:
            for item, r in zip(chunk, results, strict=True):
                if isinstance(r, Ready):
                    texts.append((item, r))
                else:
                    rejected.extend(self._record(item, r, position, summary))
        batch: list[tuple[Work, Ready]] = []
        used = 0
        for item, ready in texts:
            complete = ready.with_names(self.names, self.sharing)
            self.names.add_many(complete.names)  # later texts of this window find them
            batch.append((item, complete))
            used += complete.n_statements
            if used >= self.batch_statements:
                rejected.extend(self._write_texts(batch, position, summary))
                batch, used = [], 0
        rejected.extend(self._write_texts(batch, position, summary))
        summary.rejected.extend(r for _, r in sorted(rejected, key=lambda pair: pair[0]))
        if self.progress is not None:
            self.progress(summary)

    def _write_texts(
        self, batch: list[tuple[Work, Ready]], position: dict[int, int], summary: IngestSummary
    ) -> list[tuple[int, Rejection]]:
        written = write_ready(self.store, [ready for _, ready in batch], self.submitter)
        out: list[tuple[int, Rejection]] = []
        for (item, _), w in zip(batch, written, strict=True):
            out.extend(self._record(item, w, position, summary))
        return out

    def _record(
        self, item: Work, r: Written | Rejection, position: dict[int, int], summary: IngestSummary
    ) -> list[tuple[int, Rejection]]:
        if isinstance(r, Rejection):
            return [(position[id(item)], r)]
        if r.status == "added":
            summary.reports_added += 1
            summary.statements_added += r.n_statements
            self.names.add_many(r.names)
        elif r.status == "unchanged":
            summary.reports_unchanged += 1
        else:
            problem = Problem("report_id", r.report_id, CONFLICT_REASON)
            return [(position[id(item)], Rejection(r.source, r.key, [problem]))]
        return []


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
