"""The community snapshot behind ``community`` watches: computed once, kept in the store, read by all.

Communities are Leiden communities of the person network of every statement (a system process;
each alert's evidence is still shown to a user only as far as they may see it). Computing them
reads the whole store (~40 s of CPU on the medium scenario), so the result is a snapshot,
written to the store in one transaction (``store.snapshots``) and read from there by every
process: the service's workers, the log follower, a batch job on Spark
(``counterflow network-snapshot --engine spark``). Only one process computes at a time: it
holds a lease (``claim``) while at it, and the others keep using the snapshot they have.

A snapshot older than ``REFRESH_SECONDS`` is refreshed: by the log follower in line
(``communities(refresh=True)``), by the service beside its requests, in a process of its own
at low priority (``refresh_in_background``), so that a report is never kept waiting for the
whole network to be read.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from counterflow.engine import Engine
from counterflow.store.snapshots import (
    Snapshot,
    claim,
    latest_snapshot,
    latest_snapshot_time,
    release,
    save_snapshot,
)
from counterflow.store.sql import SqlStore

if TYPE_CHECKING:
    from counterflow.graph.build import EntityGraph

log = logging.getLogger(__name__)
REFRESH_SECONDS = 600.0
LEASE_SECONDS = 1800.0  # longer than any computation; a holder that dies frees it after this
CLAIM = "communities"


@dataclass
class Communities:
    membership: dict[str, int] = field(default_factory=dict)  # person (resolved id) -> community
    sizes: dict[int, int] = field(default_factory=dict)
    # pairs of communities already joined by a tie -> the statements of those ties
    joined: dict[frozenset[int], set[str]] = field(default_factory=dict)
    protected: set[str] = field(default_factory=set)
    canonical: Callable[[str], str] = field(default=lambda e: e)
    made_at: float = 0.0  # wall-clock seconds (the stored snapshot's time)
    stamp: str = ""  # the stored snapshot's made_at, to notice a newer one

    def stale(self) -> bool:
        return time.time() - self.made_at > REFRESH_SECONDS


Parts = tuple[dict[str, int], dict[int, int], dict[frozenset[int], set[str]], set[str]]

_SNAPSHOTS: dict[str, Communities] = {}
_REFRESHING: set[str] = set()
_REFRESH_LOCK = threading.Lock()


def communities(store: SqlStore, *, refresh: bool) -> Communities | None:
    """The newest snapshot of this store (loaded once per new snapshot); if ``refresh`` and it is
    missing or stale, computed here first (unless another process holds the lease)."""
    found = _current(store)
    if refresh and (found is None or found.stale()):
        holder = _holder()
        if claim(store, CLAIM, holder, LEASE_SECONDS):
            try:
                found = _SNAPSHOTS[store.url] = _load(store, compute_snapshot(store))
            finally:
                release(store, CLAIM, holder)
    return found


def refresh_in_background(store: SqlStore) -> threading.Thread | None:
    """Start refreshing the snapshot in a thread if it is missing or stale and no one here is at
    it; returns the thread started, if any. The work itself runs in a process of its own."""
    found = _current(store)
    if found is not None and not found.stale():
        return None
    with _REFRESH_LOCK:
        if store.url in _REFRESHING:
            return None
        _REFRESHING.add(store.url)

    def work() -> None:
        holder = _holder()
        try:
            if claim(store, CLAIM, holder, LEASE_SECONDS):
                try:
                    _SNAPSHOTS[store.url] = _load(store, compute_snapshot(store, apart=True))
                finally:
                    release(store, CLAIM, holder)
        except Exception:
            log.exception("cannot compute the community snapshot")
        finally:
            with _REFRESH_LOCK:
                _REFRESHING.discard(store.url)

    thread = threading.Thread(target=work, name="community-snapshot", daemon=True)
    thread.start()
    return thread


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _current(store: SqlStore) -> Communities | None:
    """What this process has, replaced by the store's newest snapshot if that is newer. A fresh
    one is used as it is: this runs on every evaluated report, and a newer snapshot can wait
    until the one held goes stale."""
    found = _SNAPSHOTS.get(store.url)
    if found is not None and not found.stale():
        return found
    stamp = latest_snapshot_time(store)
    if stamp is not None and (found is None or found.stamp != stamp):
        snap = latest_snapshot(store)
        if snap is not None:
            found = _SNAPSHOTS[store.url] = _load(store, snap)
    return found


def _load(store: SqlStore, snap: Snapshot) -> Communities:
    from counterflow.resolve import service

    membership, sizes, joined, protected = parts_from(snap.data)
    return Communities(
        membership,
        sizes,
        joined,
        protected,
        canonical=service.state(store).cluster_of,
        made_at=datetime.fromisoformat(snap.made_at).timestamp(),
        stamp=snap.made_at,
    )


def compute_snapshot(
    store: SqlStore,
    *,
    engine: Engine | None = None,
    apart: bool = False,
    actor: str = "system",
    statements: Path | None = None,
) -> Snapshot:
    """Compute the communities of every statement and store them (one transaction).

    ``engine``: aggregate the network's ties on it (Spark for a national store); ``apart``: in a
    process of its own at the lowest priority, for the service (see :func:`_compute_apart`);
    ``statements``: read them from this whole-store Parquet export on ``engine`` (an embedded
    one unless given), not from the store: the snapshot is then of the store as exported."""
    held = None
    if statements is not None:
        from counterflow.engine import LocalEngine
        from counterflow.graph.views import export_network
        from counterflow.resolve import service
        from counterflow.store.parquet import whole_store_export

        manifest = whole_store_export(statements, "the community snapshot")
        count, latest = manifest.reports_held
        held = (int(count), latest)
        eng = engine or LocalEngine()
        try:
            people = export_network(eng, statements, service.state(store).clusters)
        finally:
            if eng is not engine:
                eng.close()
        parts = _parts_of_network(people)
    else:
        parts = _compute_apart(store) if apart else _parts_of(store, engine)
    membership, sizes, _, _ = parts
    return save_snapshot(
        store,
        snapshot_data(parts),
        engine=(engine.name if engine is not None else "local" if statements else "memory"),
        persons=len(membership),
        communities=len(sizes),
        actor=actor,
        as_of=held,
    )


def snapshot_data(parts: Parts) -> dict[str, object]:
    membership, _, joined, protected = parts  # sizes follow from membership
    return {
        "membership": membership,
        "joined": sorted([*sorted(pair), sorted(ids)] for pair, ids in joined.items()),
        "protected": sorted(protected),
    }


def parts_from(data: dict[str, object]) -> Parts:
    membership = {str(k): int(v) for k, v in dict(data["membership"]).items()}  # type: ignore[call-overload]
    sizes: dict[int, int] = {}
    for c in membership.values():
        sizes[c] = sizes.get(c, 0) + 1
    joined = {frozenset((int(a), int(b))): set(ids) for a, b, ids in data["joined"]}  # type: ignore[attr-defined]
    protected = set(data["protected"])  # type: ignore[call-overload]
    return membership, sizes, joined, protected


def _parts_of(store: SqlStore, engine: Engine | None = None) -> Parts:
    from counterflow.resolve import service

    return _parts(store, service.state(store).cluster_of, engine)


def _compute_apart(store: SqlStore) -> Parts:
    """The parts computed in a process of its own, at low priority, for the service.

    On the medium scenario a snapshot reads 1.2 M statements for ~40 s of CPU. In a thread of a
    service worker it held the interpreter's lock against every request of that worker for
    as long: link charts took twice as long, and the first reports after a start waited
    seconds. A separate process leaves the requests their interpreter, and the operating
    system gives them the processor first (``lowest_priority``); its memory goes back when it ends.
    A store in memory cannot be opened from another process: computed here instead."""
    from sqlalchemy.engine import make_url

    database = make_url(store.url).database
    if store.dialect == "sqlite" and (not database or database == ":memory:"):
        return _parts_of(store)
    context = multiprocessing.get_context("spawn")  # not fork: this process runs threads
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_parts_in_child, args=(store.url, send), name="community-snapshot", daemon=True
    )
    child.start()
    send.close()
    try:
        found = receive.recv()
    except EOFError:
        child.join(10)
        raise RuntimeError(
            f"the community snapshot process ended with no answer ({child.exitcode})"
        ) from None
    finally:
        receive.close()
        child.join(10)
    if isinstance(found, BaseException):
        raise found
    parts: Parts = found
    return parts


def lowest_priority() -> str:
    """Let this process run only when the processor has nothing else to do: Linux's SCHED_IDLE
    (a request of the service always comes first), or nice 19 elsewhere. Returns which.

    At nice 10 the snapshot still took its share of a core from the service's workers: in a
    ten-minute soak, link charts in the first minute, when the snapshot ran, had a p99 of 469 ms
    against 263 ms in the last. A snapshot that waits for a quieter moment is only used later;
    the service's answers are not. (One soak since, on a slower spell of the machine, could not
    tell the gain from the machine's own variation: 387 ms in the first minute, 340 in the last.)"""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return "idle"
    except (AttributeError, OSError):  # not Linux
        os.nice(19)
        return "nice 19"


def _parts_in_child(url: str, send: Connection) -> None:
    lowest_priority()
    try:
        store = SqlStore(url)
        try:
            send.send(_parts_of(store))
        finally:
            store.close()
    except Exception as exc:  # sent back whole, so the service's log says what went wrong
        send.send(RuntimeError(f"community snapshot: {type(exc).__name__}: {exc}"))
    finally:
        send.close()


def _parts(store: SqlStore, canonical: Callable[[str], str], engine: Engine | None = None) -> Parts:
    """(membership, community sizes, joined pairs of communities with their statements, protected)."""
    from counterflow.graph.views import visible_network
    from counterflow.model.visibility import Viewer

    return _parts_of_network(visible_network(store, Viewer.operator(), canonical=canonical, engine=engine))


def _parts_of_network(people: EntityGraph) -> Parts:
    from counterflow.graph.metrics import leiden

    g = people.to_igraph()
    found = leiden(g, seed=7) if g.vcount() else None
    membership = dict(found.membership) if found else {}
    sizes: dict[int, int] = {}
    for c in membership.values():
        sizes[c] = sizes.get(c, 0) + 1
    joined: dict[frozenset[int], set[str]] = {}
    for t in people.ties.values():
        ga, gb = membership.get(t.source), membership.get(t.target)
        if ga is not None and gb is not None and ga != gb:
            joined.setdefault(frozenset((ga, gb)), set()).update(t.statements)
    protected = {n.id for n in people.nodes.values() if n.protected}
    return membership, sizes, joined, protected
