"""Group commit: items from many threads written together, each caller told its own item's fate."""

from __future__ import annotations

import threading
import time

import pytest

from concurrently import all_at_once
from counterflow.model.visibility import Viewer
from counterflow.policy.session import Session
from counterflow.store import SqlStore, log_check
from counterflow.store.group_commit import GroupCommit


def submit_all(group: GroupCommit, items) -> dict[int, object]:
    """Each item submitted from its own thread, all released at once; results (or errors) by index."""
    return all_at_once(group.submit, items)


def slow_doubler(batches: list[list[int]]):
    def flush(batch: list[int]) -> list[int | BaseException]:
        batches.append(list(batch))
        time.sleep(0.01)  # long enough for the other threads to queue behind the first batch
        return [ValueError(f"odd {x}") if x % 2 else 2 * x for x in batch]

    return flush


def test_each_caller_gets_its_own_result_or_error_and_batches_form():
    batches: list[list[int]] = []
    group: GroupCommit[int, int] = GroupCommit(slow_doubler(batches))
    out = submit_all(group, list(range(40)))
    for i in range(40):
        if i % 2:
            assert isinstance(out[i], ValueError) and str(out[i]) == f"odd {i}"
        else:
            assert out[i] == 2 * i
    assert sorted(x for b in batches for x in b) == list(range(40))  # each item written once
    assert group.items == 40 and group.batches == len(batches) < 40


def test_a_failed_flush_fails_its_batch_only_and_the_group_goes_on():
    def flush(batch: list[int]) -> list[int]:
        if 13 in batch:
            raise ConnectionError("store away")
        return batch

    group: GroupCommit[int, int] = GroupCommit(flush, max_batch=1)
    out = submit_all(group, list(range(20)))
    assert isinstance(out[13], ConnectionError)
    assert all(out[i] == i for i in range(20) if i != 13)
    assert group.submit(21) == 21


def test_a_flush_answering_for_too_few_items_is_an_error_not_a_wrong_answer():
    group: GroupCommit[int, int] = GroupCommit(lambda batch: batch[:-1])
    with pytest.raises(RuntimeError, match="0 results for a batch of 1"):
        group.submit(1)


def test_items_of_one_key_never_share_a_batch():
    batches: list[list[tuple[str, int]]] = []

    def flush(batch):
        batches.append(list(batch))
        time.sleep(0.01)
        return [n for _, n in batch]

    group: GroupCommit[tuple[str, int], int] = GroupCommit(flush, key=lambda item: item[0])
    out = submit_all(group, [("same", i) for i in range(5)] + [(f"k{i}", i) for i in range(5, 20)])
    assert [out[i] for i in range(20)] == list(range(20))
    assert all(len({k for k, _ in b}) == len(b) for b in batches)


def test_consultations_from_many_threads_share_transactions_and_the_log_verifies(store: SqlStore):
    session = Session(store, Viewer.operator())
    group = store.consultations
    before = group.batches
    start = threading.Barrier(8)

    def reader(n: int) -> None:
        start.wait()
        for i in range(25):
            session.consulted("entity", f"e{n}-{i}", {"statements": i})

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    records = [r for r in log_check.iter_records(store) if r["action"] == "consultation"]
    assert sorted(r["object_id"] for r in records) == sorted(f"e{n}-{i}" for n in range(8) for i in range(25))
    checked = log_check.verify(store)  # consecutive, linked, and the head matches
    assert checked.ok, checked.problems
    assert group.batches - before < 200  # grouped
