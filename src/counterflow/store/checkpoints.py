"""SQLite checkpoints off the commit path, for a long-running writer (the service).

In WAL mode SQLite copies the log back into the database (a checkpoint) when the log
passes 1,000 pages, inside whichever commit crossed the line. That commit then takes
tens of milliseconds longer, and with it every report waiting behind it: the slowest
1% of ingest requests were checkpoints. The service turns automatic checkpoints off on
its own connections and runs passive checkpoints from a thread of their own instead;
a passive checkpoint never waits for, nor blocks, readers and writers. Other processes
(the command line) keep SQLite's automatic checkpoints, so the log never grows unchecked.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine, text

log = logging.getLogger(__name__)


class Checkpointer:
    """A daemon thread running ``PRAGMA wal_checkpoint(PASSIVE)`` every ``interval`` seconds."""

    def __init__(self, engine: Engine, interval: float = 0.5) -> None:
        self.engine = engine
        self.interval = interval
        self.runs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.checkpoint("PASSIVE")

    def checkpoint(self, mode: str = "PASSIVE") -> None:
        try:
            with self.engine.connect() as conn:
                conn.execute(text(f"PRAGMA wal_checkpoint({mode})"))
            self.runs += 1
        except Exception:  # the store is busy or away: the next tick tries again
            log.warning("SQLite checkpoint failed", exc_info=True)

    def stop(self) -> None:
        """Stop the thread and leave the log checkpointed as far as readers allow."""
        self._stop.set()
        self._thread.join(5)
        self.checkpoint("PASSIVE")
