"""SQLite checkpoints off the commit path, for a long-running writer (the service).

In WAL mode SQLite copies the log back into the database (a checkpoint) when the log
passes 1,000 pages, inside whichever commit crossed the line. That commit then takes
tens of milliseconds longer, and with it every report waiting behind it: the slowest
1% of ingest requests were checkpoints. The service turns automatic checkpoints off on
its own connections and runs checkpoints from a thread of their own instead: passive
ones, which never wait for nor block readers and writers, and now and then a short
RESTART so that the log does not grow without end (``Checkpointer``). Other processes
(the command line) keep SQLite's automatic checkpoints, so the log never grows unchecked.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30000  # how long the store's connections wait for SQLite's locks


class Checkpointer:
    """A daemon thread checkpointing the log every ``interval`` seconds.

    Copying the log back is not enough: SQLite writes the log from its beginning again only
    when a writer finds it wholly copied and no reader still in it. Under steady ingest,
    with readers always about, that moment never came with passive checkpoints alone: the
    log grew for as long as the load lasted (660 MB in the alert bench's 20 s at 200
    reports a second) and every read searched a longer index of it. So each tick runs a
    passive checkpoint, which does the bulk of the copying and blocks nobody; when that
    leaves the log longer than ``restart_frames`` pages, a RESTART follows for what is
    left: it holds writers back while it copies those few pages and waits, at most
    ``restart_wait_ms``, for the readers still in the log, so that the next write starts it
    afresh. ``journal_size_limit`` (store.sql) then trims the file.
    """

    def __init__(
        self, engine: Engine, interval: float = 0.5, restart_frames: int = 4096, restart_wait_ms: int = 20
    ) -> None:
        self.engine = engine
        self.interval = interval
        self.restart_frames = restart_frames
        self.restart_wait_ms = restart_wait_ms
        self.runs = 0
        self.restarts = 0  # RESTART checkpoints that left the log ready to start afresh
        self._restarted_at = -1  # the log's length then: until a write, it stays so
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.checkpoint("PASSIVE")

    def checkpoint(self, mode: str = "PASSIVE") -> None:
        try:
            with self.engine.connect() as conn:
                _busy, frames, _copied = conn.execute(text(f"PRAGMA wal_checkpoint({mode})")).one()
                if frames > self.restart_frames and frames != self._restarted_at:
                    self._restart(conn)
            self.runs += 1
        except Exception:  # the store is busy or away: the next tick tries again
            log.warning("SQLite checkpoint failed", exc_info=True)

    def _restart(self, conn: Connection) -> None:
        driver = conn.connection.dbapi_connection
        assert driver is not None
        cur = driver.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout={self.restart_wait_ms}")
            busy, frames, copied = cur.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
        finally:
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # the pool's connections wait long
            cur.close()
        if not busy and frames == copied:
            self.restarts += 1
            self._restarted_at = frames

    def stop(self) -> None:
        """Stop the thread and leave the log checkpointed as far as readers allow."""
        self._stop.set()
        self._thread.join(5)
        self.checkpoint("PASSIVE")
