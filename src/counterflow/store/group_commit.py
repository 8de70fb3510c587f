"""Group commit: short writes that arrive at the same moment share one transaction.

The service writes from many request threads at once: reports, and a processing-log
record for every read. Each write is short, but writers of one SQLite file (or of one
log chain on PostgreSQL) go one at a time, and a writer that has to wait loses far more
than the write costs: it sleeps in SQLite's busy handler, or it waits for the interpreter
while a busy thread holds it, while it holds the lock everyone else needs. Under fifty
analysts that turned 1 ms appends into requests of a second.

So a write is handed over instead. The first thread to find the group free writes every
item waiting (its own and those that arrived while the previous batch was being written)
in one call of ``flush``; the others sleep until their own item is written or the lead
is theirs, so each waiting thread wakes once. Under light load a batch is one item and
nothing waits; under heavy load the transaction's costs are paid once per batch.

Each caller gets its own item's result, or its own error: ``flush`` returns one outcome
per item, and an exception it raises fails every item of that batch (none was written).
A caller returns only once its item is committed, so nothing is acknowledged early.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")

_UNSET = object()


@dataclass(eq=False)
class _Slot(Generic[T]):
    item: T
    result: object = _UNSET
    error: BaseException | None = None
    done: bool = False
    lead: bool = False  # this caller's thread writes the next batches
    wake: threading.Event = field(default_factory=threading.Event)


class GroupCommit(Generic[T, R]):
    """Writes items for many threads with ``flush(batch) -> one result or exception per item``.

    One caller at a time leads: it writes batches until its own item is written, then hands
    the lead to the oldest caller still waiting, so no caller is kept writing other callers'
    items for long. With ``key``, two items of the same key never share a batch: the second
    waits for the next one, so each caller learns what became of its own copy."""

    def __init__(
        self,
        flush: Callable[[list[T]], Sequence[R | BaseException]],
        *,
        max_batch: int = 256,
        key: Callable[[T], Hashable] | None = None,
    ) -> None:
        self.flush = flush
        self.max_batch = max_batch
        self.key = key
        self._waiting: list[_Slot[T]] = []
        self._mutex = threading.Lock()  # guards _waiting, _leading and the slots' flags
        self._leading = False
        self.batches = 0
        self.items = 0

    def submit(self, item: T) -> R:
        """Write ``item`` (with whatever else is waiting) and return its result once committed."""
        slot = _Slot(item)
        with self._mutex:
            self._waiting.append(slot)
            if not self._leading:
                self._leading = slot.lead = True
        if not slot.lead:
            slot.wake.wait()
        if not slot.done:  # the lead is ours
            self._lead(slot)
        if slot.error is not None:
            raise slot.error
        return cast(R, slot.result)

    def _lead(self, slot: _Slot[T]) -> None:
        try:
            while not slot.done:
                with self._mutex:
                    batch, self._waiting = self._take(self._waiting)
                self._write(batch)
        finally:
            with self._mutex:
                if self._waiting:
                    successor = self._waiting[0]
                    successor.lead = True
                    successor.wake.set()
                else:
                    self._leading = False

    def _write(self, batch: list[_Slot[T]]) -> None:
        try:
            results = self.flush([s.item for s in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"{len(results)} results for a batch of {len(batch)}")
            for s, result in zip(batch, results, strict=True):
                if isinstance(result, BaseException):
                    s.error = result
                else:
                    s.result = result
            self.batches += 1
            self.items += len(batch)
        except Exception as exc:  # handed to each caller of the batch, who reports it
            for s in batch:
                s.result, s.error = _UNSET, exc
        finally:
            with self._mutex:
                for s in batch:
                    if s.result is _UNSET and s.error is None:
                        s.error = RuntimeError("the write was not made")
                    s.done = True
                    s.wake.set()

    def _take(self, waiting: list[_Slot[T]]) -> tuple[list[_Slot[T]], list[_Slot[T]]]:
        """The next batch, oldest first, and what stays waiting."""
        batch: list[_Slot[T]] = []
        rest: list[_Slot[T]] = []
        keys: set[Hashable] = set()
        for s in waiting:
            k = self.key(s.item) if self.key is not None else None
            if len(batch) < self.max_batch and (k is None or k not in keys):
                if k is not None:
                    keys.add(k)
                batch.append(s)
            else:
                rest.append(s)
        return batch, rest
