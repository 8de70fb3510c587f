"""Group commit: reports that arrive at the same moment are written in one transaction.

The service receives reports one request at a time, from many clients at once. Each
request thread parses and validates its own report, then hands the record to the
writer. The first thread to find the writer free writes every record waiting (its own
and those that arrived while the previous batch was being written); the others find
their outcome ready. Under light load a batch is one report and nothing waits; under
heavy load the costs paid per transaction (the commit, the processing-log append, the
alert evaluation that follows) are paid once per batch instead of once per report. That
is what lets SQLite's single writer keep up with hundreds of reports a second.

Atomicity stays per report: ``SqlStore.write_reports`` stores each report whole or not
at all and decides added, unchanged or conflict per report, so a report's outcome does
not depend on the company it was written in. A failure of the transaction itself (the
store away) fails every report of the batch, and none of them is stored.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from counterflow.store.sql import ReportRecord, SqlStore

log = logging.getLogger(__name__)

AfterWrite = Callable[[list[ReportRecord]], None]


@dataclass(eq=False)
class _Item:
    record: ReportRecord
    actor: str
    outcome: str | None = None
    error: BaseException | None = None
    done: bool = False
    lead: bool = False  # this caller's thread writes the next batches
    wake: threading.Event = field(default_factory=threading.Event)


class GroupWriter:
    """Writes reports for many threads, each call returning its own report's outcome.

    One caller at a time leads: it writes batches until its own report is written, then
    hands the lead to the oldest caller still waiting. The others sleep until their report
    is written or the lead is theirs, so each waiting thread wakes once (no convoy on a
    lock) and no caller is kept writing other callers' reports for long."""

    def __init__(self, store: SqlStore, *, after: AfterWrite | None = None, max_batch: int = 256) -> None:
        """``after`` is called with the reports a batch added, once they are committed and before
        their callers are answered (the service evaluates alert rules there); its failures are
        logged, never turned into a failed write: the reports are stored."""
        self.store = store
        self.after = after
        self.max_batch = max_batch
        self._waiting: list[_Item] = []
        self._mutex = threading.Lock()  # guards _waiting, _leading and the items' flags
        self._leading = False
        self.batches = 0
        self.reports = 0

    def write(self, record: ReportRecord, actor: str) -> str:
        """Store one report (with whatever else is waiting): "added", "unchanged" or "conflict"."""
        item = _Item(record, actor)
        with self._mutex:
            self._waiting.append(item)
            if not self._leading:
                self._leading = item.lead = True
        if not item.lead:
            item.wake.wait()
        if not item.done:  # the lead is ours
            self._lead(item)
        if item.error is not None:
            raise item.error
        assert item.outcome is not None
        return item.outcome

    def _lead(self, item: _Item) -> None:
        try:
            while not item.done:
                with self._mutex:
                    batch, self._waiting = _take(self._waiting, self.max_batch)
                self._flush(batch)
        finally:
            with self._mutex:
                if self._waiting:
                    successor = self._waiting[0]
                    successor.lead = True
                    successor.wake.set()
                else:
                    self._leading = False

    def _flush(self, batch: Sequence[_Item]) -> None:
        added: list[ReportRecord] = []
        try:
            by_actor: dict[str, list[_Item]] = {}
            for item in batch:
                by_actor.setdefault(item.actor, []).append(item)
            for actor, items in by_actor.items():
                try:
                    outcomes = self.store.write_reports([i.record for i in items], actor=actor)
                except Exception as exc:  # handed to each caller, who reports it
                    for i in items:
                        i.error = exc
                    continue
                for i in items:
                    i.outcome = outcomes[i.record.key]
                    if i.outcome == "added":
                        added.append(i.record)
            self.batches += 1
            self.reports += len(batch)
            if added and self.after is not None:
                try:
                    self.after(added)
                except Exception:
                    log.exception("after writing %d reports", len(added))
        finally:
            with self._mutex:
                for item in batch:
                    if item.outcome is None and item.error is None:
                        item.error = RuntimeError("the report was not written")
                    item.done = True
                    item.wake.set()


def _take(waiting: list[_Item], limit: int) -> tuple[list[_Item], list[_Item]]:
    """The next batch, oldest first, and what stays waiting. A report sent twice at once waits for
    the next batch, so that each caller learns what became of its own copy (added, then unchanged
    or conflict)."""
    batch: list[_Item] = []
    rest: list[_Item] = []
    keys: set[str] = set()
    for item in waiting:
        if len(batch) < limit and item.record.key not in keys:
            keys.add(item.record.key)
            batch.append(item)
        else:
            rest.append(item)
    return batch, rest
