"""A new tie that joins two communities of the network (``community`` watches).

Communities are Leiden communities of the person network of every statement (the engine is a
system process; each alert's evidence is still shown to a user only as far as they may see
it). Computing them reads the whole store, so they are a snapshot: refreshed by the log
follower (``alerts.engine.run``) when older than ``REFRESH_SECONDS``, and used as they stand by
the service's immediate evaluation, which asks for a fresh one in a thread of its own when
the snapshot is missing or stale (``refresh_in_background``): a report is never kept waiting
for the whole network to be read. A report tie between persons of two communities that no
tie joined in the snapshot (other than this report's) raises ``community-bridge``, once per
pair: such a tie is how one network borrows another's drivers, boats or money (DOMAIN.md §3).
Victims, witnesses and minors are never part of one.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from counterflow.alerts.drafts import Draft
from counterflow.alerts.ties import by_entity, name_statements, names_of, report_ties
from counterflow.alerts.watchlist import Watch
from counterflow.model.roles import PROTECTED_ROLES
from counterflow.model.statement import ROLE_PROP, Statement
from counterflow.store.sql import SqlStore

log = logging.getLogger(__name__)
REFRESH_SECONDS = 600.0


@dataclass
class Communities:
    membership: dict[str, int] = field(default_factory=dict)  # person (resolved id) -> community
    sizes: dict[int, int] = field(default_factory=dict)
    # pairs of communities already joined by a tie -> the statements of those ties
    joined: dict[frozenset[int], set[str]] = field(default_factory=dict)
    protected: set[str] = field(default_factory=set)
    canonical: Callable[[str], str] = field(default=lambda e: e)
    made_at: float = 0.0


_SNAPSHOTS: dict[str, Communities] = {}


def communities(store: SqlStore, *, refresh: bool) -> Communities | None:
    """The snapshot for this store; computed (or refreshed when stale) only if ``refresh``."""
    found = _SNAPSHOTS.get(store.url)
    if refresh and (found is None or time.monotonic() - found.made_at > REFRESH_SECONDS):
        found = _SNAPSHOTS[store.url] = _compute(store)
    return found


_REFRESHING: set[str] = set()
_REFRESH_LOCK = threading.Lock()


def refresh_in_background(store: SqlStore) -> threading.Thread | None:
    """Start computing the snapshot in a thread if it is missing or stale and no one is at it;
    returns the thread started, if any."""
    found = _SNAPSHOTS.get(store.url)
    if found is not None and time.monotonic() - found.made_at <= REFRESH_SECONDS:
        return None
    with _REFRESH_LOCK:
        if store.url in _REFRESHING:
            return None
        _REFRESHING.add(store.url)

    def work() -> None:
        try:
            _SNAPSHOTS[store.url] = _compute_apart(store)
        except Exception:
            log.exception("cannot compute the community snapshot")
        finally:
            with _REFRESH_LOCK:
                _REFRESHING.discard(store.url)

    thread = threading.Thread(target=work, name="community-snapshot", daemon=True)
    thread.start()
    return thread


Parts = tuple[dict[str, int], dict[int, int], dict[frozenset[int], set[str]], set[str]]


def _compute(store: SqlStore) -> Communities:
    from counterflow.resolve import service

    canonical = service.state(store).cluster_of
    return Communities(*_parts(store, canonical), canonical=canonical, made_at=time.monotonic())


def _compute_apart(store: SqlStore) -> Communities:
    """``_compute`` in a process of its own, at low priority, for the service.

    On the medium scenario a snapshot reads 1.2 M statements for ~40 s of CPU. In a thread of a
    service worker it held the interpreter's lock against every request of that worker for
    as long: link charts took twice as long, and the first reports after a start waited
    seconds. A separate process leaves the requests their interpreter, and the operating
    system gives them the processor first (nice 10); its memory goes back when it ends.
    A store in memory cannot be opened from another process: computed here instead."""
    from sqlalchemy.engine import make_url

    from counterflow.resolve import service

    database = make_url(store.url).database
    if store.dialect == "sqlite" and (not database or database == ":memory:"):
        return _compute(store)
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
    canonical = service.state(store).cluster_of
    return Communities(*parts, canonical=canonical, made_at=time.monotonic())


def _parts_in_child(url: str, send: Connection) -> None:
    os.nice(10)
    try:
        from counterflow.resolve import service

        store = SqlStore(url)
        try:
            send.send(_parts(store, service.state(store).cluster_of))
        finally:
            store.close()
    except Exception as exc:  # sent back whole, so the service's log says what went wrong
        send.send(RuntimeError(f"community snapshot: {type(exc).__name__}: {exc}"))
    finally:
        send.close()


def _parts(store: SqlStore, canonical: Callable[[str], str]) -> Parts:
    """(membership, community sizes, joined pairs of communities with their statements, protected)."""
    from counterflow.graph.metrics import leiden
    from counterflow.graph.views import visible_network
    from counterflow.model.visibility import Viewer

    people = visible_network(store, Viewer.operator(), canonical=canonical)
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


def community_drafts(
    statements: Sequence[Statement], watches: Sequence[Watch], snap: Communities
) -> list[Draft]:
    entities = by_entity(statements)
    names = names_of(entities)
    protected = set(snap.protected) | {
        snap.canonical(s.entity_id) for s in statements if s.prop == ROLE_PROP and s.value in PROTECTED_ROLES
    }
    per_report: dict[str, set[str]] = {}
    for s in statements:
        per_report.setdefault(s.report_key, set()).add(s.id)
    out: list[Draft] = []
    for link, ends, stmts in report_ties(entities):
        for a, b in itertools.combinations(ends, 2):
            ca, cb = snap.canonical(a), snap.canonical(b)
            if ca in protected or cb in protected:
                continue
            ga, gb = snap.membership.get(ca), snap.membership.get(cb)
            if ga is None or gb is None or ga == gb:
                continue
            # New: the two communities were not joined in the snapshot, or only by this very
            # report (when the snapshot was taken after it arrived, as in a batch run).
            own = per_report[stmts[0].report_key]
            if snap.joined.get(frozenset((ga, gb)), set()) - own:
                continue
            first, second = sorted((ca, cb))
            label = {ca: names.get(a, a), cb: names.get(b, b)}
            for w in watches:
                out.append(
                    Draft(
                        w,
                        "community-bridge",
                        f"new tie joins two communities: {label[first]} (community of "
                        f"{snap.sizes[snap.membership[first]]}) and {label[second]} (community of "
                        f"{snap.sizes[snap.membership[second]]}), {entities[link][0].schema.lower()}",
                        first,
                        None,
                        stmts[0].observed_at or stmts[0].reported_at,
                        (*(s.id for s in stmts), *name_statements(entities, a, b)),
                        stmts[0].report_key,
                        second,
                    )
                )
    return out
