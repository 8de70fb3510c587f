"""Group commit for reports: reports that arrive at the same moment are written in one transaction.

The service receives reports one request at a time, from many clients at once. Each
request thread parses and validates its own report, then hands the record to the
writer (``counterflow.store.group_commit``: the first thread to find it free writes
every record waiting). Under heavy load the costs paid per transaction (the commit, the
processing-log append, the alert evaluation that follows) are paid once per batch
instead of once per report. That is what lets SQLite's single writer keep up with
hundreds of reports a second.

Atomicity stays per report: ``SqlStore.write_reports`` stores each report whole or not
at all and decides added, unchanged or conflict per report, so a report's outcome does
not depend on the company it was written in. A failure of the transaction itself (the
store away) fails every report of the batch, and none of them is stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from counterflow.store.group_commit import GroupCommit
from counterflow.store.sql import ReportRecord, SqlStore

log = logging.getLogger(__name__)

AfterWrite = Callable[[list[ReportRecord]], None]
_Item = tuple[ReportRecord, str]  # a report and who sent it


class GroupWriter:
    """Writes reports for many threads, each call returning its own report's outcome."""

    def __init__(self, store: SqlStore, *, after: AfterWrite | None = None, max_batch: int = 256) -> None:
        """``after`` is called with the reports a batch added, once they are committed and before
        their callers are answered (the service evaluates alert rules there); its failures are
        logged, never turned into a failed write: the reports are stored."""
        self.store = store
        self.after = after
        # A report sent twice at once waits for the next batch, so that each caller learns what
        # became of its own copy (added, then unchanged or conflict).
        self._group: GroupCommit[_Item, str] = GroupCommit(
            self._flush, max_batch=max_batch, key=lambda item: item[0].key
        )

    @property
    def batches(self) -> int:
        return self._group.batches

    @property
    def reports(self) -> int:
        return self._group.items

    def write(self, record: ReportRecord, actor: str) -> str:
        """Store one report (with whatever else is waiting): "added", "unchanged" or "conflict"."""
        return self._group.submit((record, actor))

    def _flush(self, batch: list[_Item]) -> list[str | BaseException]:
        out: list[str | BaseException] = [RuntimeError("the report was not written")] * len(batch)
        by_actor: dict[str, list[int]] = {}
        for i, (_, actor) in enumerate(batch):
            by_actor.setdefault(actor, []).append(i)
        added: list[ReportRecord] = []
        for actor, indices in by_actor.items():
            try:
                outcomes = self.store.write_reports([batch[i][0] for i in indices], actor=actor)
            except Exception as exc:  # handed to each caller, who reports it
                for i in indices:
                    out[i] = exc
                continue
            for i in indices:
                record = batch[i][0]
                out[i] = outcomes[record.key]
                if out[i] == "added":
                    added.append(record)
        if added and self.after is not None:
            try:
                self.after(added)
            except Exception:
                log.exception("after writing %d reports", len(added))
        return out
