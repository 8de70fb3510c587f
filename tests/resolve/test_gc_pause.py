"""The cycle collector is paused for a resolution run and resumes after it, however runs overlap."""

import gc
import threading

import pytest

from counterflow.resolve.gc_pause import collector_paused


def test_paused_inside_and_resumed_after_even_on_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the run failed")
    assert gc.isenabled()


def test_overlapping_runs_share_one_pause():
    first_in, second_done = threading.Event(), threading.Event()
    seen: list[bool] = []

    def second() -> None:
        first_in.wait(10)
        with collector_paused():
            seen.append(gc.isenabled())
        second_done.set()

    t = threading.Thread(target=second)
    t.start()
    with collector_paused():
        first_in.set()
        second_done.wait(10)
        seen.append(gc.isenabled())  # the second run ended first: still paused for this one
    t.join(10)
    assert seen == [False, False]
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
