"""Python's cycle collector paused for the length of a resolution run.

A run holds every record in memory (200,000 records are some four million tracked objects:
records, their parts, lists and sets) and keeps allocating while it parses, blocks, scores
and clusters. Each full collection walks all of them, and the collector runs one every time
the surviving objects have grown by a quarter, so the collections add up to a third of a
run: ``counterflow resolve`` on the 200,000 records of ``benchmarks/bench_resolve_speed.py``
took 49.9 s with the collector and 33.8-34.5 s without it (two runs each, same clusters), for
~60 MiB more at the peak. A run makes few reference cycles; what it leaves is collected when
the collector resumes. The service's entry points to a run (``resolve.service``) are wrapped
whole, the summary they build included: 130,000 merge records built after the pause took 2.5 s.
In the service the pause is the whole process's: while a run lasts, the cycles other requests
leave wait for it to end too.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector while the block runs; runs that overlap (threads of the
    service) share one pause, and the collector resumes, if it was on, when the last ends."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
