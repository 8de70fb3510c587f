"""Appending to the hash-chained processing log inside a caller's transaction.

Lives in the store so that a write and its log record commit together (a report is
never stored without its "collection" record, nor logged without being stored).
``counterflow.audit`` reads, verifies and reports on the log.

Each record's hash is SHA-256 over the previous record's hash and the record's own
canonical JSON, so editing, deleting or reordering any record breaks the chain from
that point on; the head (last seq and hash) is also kept in ``cf_meta`` so that cutting
records off the end is detected too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text, update

from counterflow.store.schema import meta
from counterflow.store.schema_policy import audit_log

ACTIONS = frozenset({"collection", "alteration", "consultation", "disclosure", "combination", "erasure"})
GENESIS = "0" * 64
HEAD_KEY = "audit_head"
_PG_LOCK = 728_341_001  # advisory lock id serialising appends on PostgreSQL
# Built once: an append runs with every report, and building statements costs more than running them.
_TAKE_WRITE_LOCK = update(meta).where(meta.c.key == HEAD_KEY).values(value=meta.c.value)
_LAST = select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
_INSERT = insert(audit_log)
_SET_HEAD = update(meta).where(meta.c.key == HEAD_KEY).values(value=bindparam("head"))
_NEW_HEAD = insert(meta).values(key=HEAD_KEY, value=bindparam("head"))


def record_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def chain_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The fields a record's hash covers (everything but the hashes themselves)."""
    keys = (
        "seq",
        "at",
        "actor",
        "agency",
        "action",
        "object_type",
        "object_id",
        "recipients",
        "justification",
        "details",
    )
    return {k: row.get(k) for k in keys}


@dataclass(frozen=True)
class Entry:
    """One processing-log record to append (its sequence number, time and hashes come then)."""

    actor: str
    action: str
    object_type: str
    object_id: str | None = None
    agency: str | None = None
    recipients: list[str] | None = None
    justification: str | None = None
    details: dict[str, Any] | None = None


def append(
    conn: Connection,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | None = None,
    agency: str | None = None,
    recipients: list[str] | None = None,
    justification: str | None = None,
    details: dict[str, Any] | None = None,
) -> int:
    """Append one record in ``conn``'s transaction; returns its sequence number."""
    entry = Entry(actor, action, object_type, object_id, agency, recipients, justification, details)
    return append_many(conn, [entry])[0]


def append_many(conn: Connection, entries: Sequence[Entry]) -> list[int]:
    """Append these records, in order, in ``conn``'s transaction; returns their sequence numbers."""
    for e in entries:
        if e.action not in ACTIONS:
            raise ValueError(f"unknown processing action {e.action!r}")
    if not entries:
        return []
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
    else:
        # Take SQLite's write lock before reading the head: the driver begins its transaction
        # only at the first write, so two concurrent appends could otherwise read the same head.
        conn.execute(_TAKE_WRITE_LOCK)
    last = conn.execute(_LAST).first()
    seq, prev = (0, GENESIS) if last is None else (last.seq, last.hash)
    rows: list[dict[str, Any]] = []
    for e in entries:
        seq += 1
        row: dict[str, Any] = {
            "seq": seq,
            "at": datetime.now(UTC).isoformat(timespec="microseconds"),
            "actor": e.actor,
            "agency": e.agency,
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "recipients": ",".join(e.recipients) if e.recipients else None,
            "justification": e.justification,
            "details": json.dumps(e.details, sort_keys=True, ensure_ascii=False) if e.details else None,
        }
        digest = record_hash(prev, chain_fields(row))
        rows.append({**row, "prev_hash": prev, "hash": digest})
        prev = digest
    conn.execute(_INSERT, rows)
    head = f"{seq}:{prev}"
    if conn.execute(_SET_HEAD, {"head": head}).rowcount == 0:
        conn.execute(_NEW_HEAD, {"head": head})
    return [r["seq"] for r in rows]
