"""The service's ingest thread: single reports from every request, prepared and written in batches.

The service receives reports one request at a time, from many clients at once. Each
request used to prepare its own report on a request thread and hand the record to a
group commit. Under 200 reports a second that put dozens of threads in line for one
interpreter lock and one SQLite writer, and a report spent more time waiting for its
turn than being handled.

Here one thread does it all. A request thread authenticates its caller, the event loop
puts the report on a queue and waits for its future, and this thread takes everything
waiting at once: validates and normalises each report, writes them all in one transaction
(one processing-log record per submitter), runs ``after`` (the alert rules) once for the
batch, and settles each caller's future with its own outcome or its own error. Under light
load a batch is one report; under heavy load the costs paid per transaction (the commit,
the processing-log append, the alert evaluation) and per submitter (reading the sharing
agreements) are paid once per batch, and only two threads take turns for the interpreter.

Atomicity stays per report: ``SqlStore.write_reports`` stores each report whole or not
at all and decides added, unchanged or conflict per report. Two copies of one report in
the queue never share a batch, so each caller learns what became of its own copy. A
failure of the transaction itself (the store away) fails every report of that batch,
none of them stored; any other failure of a batch from several submitters is retried one
submitter at a time; a report that fails validation fails alone. A caller who gave up
before its report was taken (a timeout) has it dropped, not written.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import NamedTuple

from counterflow.errors import StoreUnavailable
from counterflow.ingest.mentions import NameIndex
from counterflow.ingest.pipeline import Ingestor, Submitter
from counterflow.ingest.report import ParsedReport
from counterflow.model.visibility import Viewer
from counterflow.store.sql import ReportRecord, SqlStore

log = logging.getLogger(__name__)

AfterWrite = Callable[[list[ReportRecord]], None]


class Written(NamedTuple):
    report: str  # its key, agency:report_id
    outcome: str  # added | unchanged


@dataclass(frozen=True, slots=True)
class Submission:
    """One report from one caller, and where its outcome goes."""

    viewer: Viewer
    report: dict[str, object]
    source: str
    future: Future[Written]


@dataclass(slots=True)
class _Prepared:
    item: Submission
    ingestor: Ingestor
    parsed: ParsedReport


class ReportQueue:
    """Prepares and writes the service's single reports on one thread, in batches.

    ``names`` is the index of known names the service shares with bulk uploads; ``lock``
    guards it (bulk uploads hold it while they ingest). ``after`` is called with the
    reports a batch added, once they are committed and before their callers are answered;
    its failures are logged, never turned into failed writes: the reports are stored. A batch
    slower than ``slow_seconds`` is logged with where its time went."""

    def __init__(
        self,
        store: SqlStore,
        *,
        after: AfterWrite | None = None,
        names: Callable[[], NameIndex | None] = lambda: None,
        keep_names: Callable[[NameIndex], None] = lambda index: None,
        lock: threading.Lock | None = None,
        max_batch: int = 256,
        slow_seconds: float = 0.25,
    ) -> None:
        self.store = store
        self.after = after
        self.names = names
        self.keep_names = keep_names
        self.lock = lock or threading.Lock()
        self.max_batch = max_batch
        self.slow_seconds = slow_seconds
        self.batches = 0  # transactions written
        self.reports = 0  # reports taken from the queue
        self._queue: queue.SimpleQueue[Submission | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def submit(self, viewer: Viewer, report: dict[str, object], *, source: str = "api") -> Future[Written]:
        """Queue one report from this (authenticated) viewer. The future gives its key and "added"
        or "unchanged", or raises what refused it (ReportRejected, ReportConflict, StoreUnavailable…)."""
        future: Future[Written] = Future()
        self._ensure_thread()
        self._queue.put(Submission(viewer, report, source, future))
        return future

    def write(self, viewer: Viewer, report: dict[str, object], *, source: str = "api") -> Written:
        """``submit`` and wait: for callers on threads of their own."""
        return self.submit(viewer, report, source=source).result()

    def close(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then stop the thread."""
        with self._start:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)

    def _ensure_thread(self) -> None:
        if self._thread is not None:
            return
        with self._start:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="counterflow-ingest", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        held: list[Submission] = []  # later copies of a report, for the next batch
        stopping = False
        while True:
            if held:
                batch, held = held, []
            elif stopping:
                return
            else:
                first = self._queue.get()
                if first is None:
                    return
                batch = [first]
            while not stopping and len(batch) < self.max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stopping = True
                else:
                    batch.append(nxt)
            batch, held = _one_copy_each(batch)
            try:
                self._handle(batch)
            except BaseException as exc:  # never leave a caller waiting for ever
                log.exception("ingest batch of %d reports", len(batch))
                for item in batch:
                    if not item.future.done():
                        item.future.set_exception(exc)

    def _handle(self, batch: list[Submission]) -> None:
        taken = [s for s in batch if s.future.set_running_or_notify_cancel()]  # the others gave up
        self.reports += len(taken)
        t0 = time.perf_counter()
        with self.lock:
            t1 = time.perf_counter()
            prepared = self._prepare(taken)
        t2 = time.perf_counter()
        by_actor: dict[str, list[_Prepared]] = {}
        for p in prepared:
            by_actor.setdefault(p.ingestor.submitter.actor, []).append(p)
        outcomes: list[tuple[_Prepared, str]] = []
        added: list[ReportRecord] = []
        for group, written in self._write(list(by_actor.items())):
            for p in group:
                if isinstance(written, Exception):  # its transaction failed; it is not stored
                    p.item.future.set_exception(written)
                    continue
                outcome = written[p.parsed.record.key]
                outcomes.append((p, outcome))
                if outcome == "added":
                    added.append(p.parsed.record)
        t3 = time.perf_counter()
        if added and self.after is not None:
            try:
                self.after(added)
            except Exception:
                log.exception("after writing %d reports", len(added))
        t4 = time.perf_counter()
        if t4 - t0 > self.slow_seconds:  # every caller of the batch waited this long
            log.warning(
                "ingest of %d reports took %.0f ms: waiting for bulk ingest %.0f, preparing %.0f, "
                "writing %.0f, alert rules %.0f",
                len(taken), (t4 - t0) * 1000, (t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000,
                (t4 - t3) * 1000,
            )  # fmt: skip
        with self.lock:
            for p, outcome in outcomes:
                try:
                    key = p.parsed.record.key
                    p.item.future.set_result(Written(key, p.ingestor.settle(p.parsed, outcome)))
                except Exception as exc:  # a conflict is the sender's error
                    p.item.future.set_exception(exc)

    def _write(
        self, groups: list[tuple[str, list[_Prepared]]]
    ) -> list[tuple[list[_Prepared], dict[str, str] | Exception]]:
        """Every submitter's reports in one transaction; each group with its outcomes or its error.

        If the shared transaction fails for any reason but the store being away, each submitter's
        reports are written again in a transaction of their own, so that what broke one caller's
        reports does not fail another's."""
        if not groups:
            return []
        try:
            written = self.store.write_report_groups(
                [(actor, [p.parsed.record for p in group]) for actor, group in groups]
            )
        except Exception as exc:
            if len(groups) == 1 or isinstance(exc, StoreUnavailable):
                return [(group, exc) for _, group in groups]
            log.warning("a batch of %d submitters failed together (%s); writing each alone", len(groups), exc)
        else:
            self.batches += 1
            return [(group, written) for _, group in groups]
        out: list[tuple[list[_Prepared], dict[str, str] | Exception]] = []
        for actor, group in groups:
            try:
                out.append(
                    (group, self.store.write_report_groups([(actor, [p.parsed.record for p in group])]))
                )
                self.batches += 1
            except Exception as exc:
                out.append((group, exc))
        return out

    def _prepare(self, taken: list[Submission]) -> list[_Prepared]:
        """Each report validated and normalised; a rejected one is answered now, alone."""
        ingestors: dict[tuple[str, str | None], Ingestor] = {}
        out: list[_Prepared] = []
        for item in taken:
            try:
                viewer = item.viewer
                who = (viewer.user, None if viewer.open else viewer.agency)
                ingestor = ingestors.get(who)
                if ingestor is None:  # once per submitter and batch: it reads the sharing agreements
                    ingestor = Ingestor(self.store, submitter=Submitter(*who), names=self.names())
                    self.keep_names(ingestor.names)
                    ingestors[who] = ingestor
                out.append(_Prepared(item, ingestor, ingestor.prepare(item.report, source=item.source)))
            except Exception as exc:
                item.future.set_exception(exc)
        return out


def _one_copy_each(batch: list[Submission]) -> tuple[list[Submission], list[Submission]]:
    """The batch with each report key once (the first copy), and the later copies."""
    keys: set[str] = set()
    now: list[Submission] = []
    later: list[Submission] = []
    for item in batch:
        key = _key(item.report)
        if key is not None and key in keys:
            later.append(item)
            continue
        if key is not None:
            keys.add(key)
        now.append(item)
    return now, later


def _key(report: dict[str, object]) -> str | None:
    agency, report_id = report.get("agency"), report.get("report_id")
    return f"{agency}:{report_id}" if isinstance(agency, str) and isinstance(report_id, str) else None
