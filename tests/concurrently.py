"""Calls from many threads released at once (a plain module: ``from concurrently import …``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any


def all_at_once(call: Callable[[Any], Any], items: Sequence[Any]) -> dict[int, object]:
    """``call(item)`` for each item from its own thread, all released together; results (or
    the exceptions raised) by index. Fails if a caller is never answered."""
    start = threading.Barrier(len(items))
    out: dict[int, object] = {}

    def one(i: int, item: Any) -> None:
        start.wait()
        try:
            out[i] = call(item)
        except Exception as exc:
            out[i] = exc

    threads = [threading.Thread(target=one, args=(i, it)) for i, it in enumerate(items)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not any(t.is_alive() for t in threads), "a caller was never answered"
    return out
