"""Verifying the hash chain of the processing log (appended by ``store.audit_chain``).

``verify`` walks the chain from the first record: a changed record no longer matches its
hash; a deleted one leaves a gap in the sequence and a broken link; records moved out of
order break the links; records cut off the end no longer reach the head kept in
``cf_meta``. It names the first place where the chain breaks. It lives beside the store
because a restored backup is checked with it; ``counterflow.audit.log`` is its public face.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from counterflow.store.audit_chain import GENESIS, HEAD_KEY, chain_fields, record_hash
from counterflow.store.schema import meta
from counterflow.store.schema_policy import audit_log
from counterflow.store.sql import SqlStore


@dataclass
class Verification:
    ok: bool
    records: int
    head: str | None
    problems: list[str] = field(default_factory=list)
    first_bad_seq: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "records": self.records,
            "head": self.head,
            "problems": self.problems,
            "first_bad_seq": self.first_bad_seq,
        }


def iter_records(store: SqlStore, *, batch: int = 5000) -> Iterator[dict[str, Any]]:
    last = 0
    with store.engine.connect() as conn:
        while True:
            rows = conn.execute(
                select(audit_log).where(audit_log.c.seq > last).order_by(audit_log.c.seq).limit(batch)
            ).all()
            if not rows:
                return
            for r in rows:
                yield dict(r._mapping)
            last = rows[-1].seq


def head(store: SqlStore) -> str | None:
    with store.engine.connect() as conn:
        value = conn.execute(select(meta.c.value).where(meta.c.key == HEAD_KEY)).scalar()
    return str(value) if value else None


def verify(store: SqlStore) -> Verification:
    problems: list[str] = []
    first_bad: int | None = None
    expected_seq, prev_hash, count, last_seq, last_hash = 1, GENESIS, 0, 0, GENESIS

    def bad(seq: int, message: str) -> None:
        nonlocal first_bad
        problems.append(message)
        if first_bad is None:
            first_bad = seq

    for rec in iter_records(store):
        count += 1
        seq = rec["seq"]
        if seq != expected_seq:
            bad(seq, f"record {seq}: expected record {expected_seq} here (records deleted or moved)")
        if rec["prev_hash"] != prev_hash:
            bad(seq, f"record {seq}: does not link to the record before it (deleted, inserted or reordered)")
        if record_hash(rec["prev_hash"], chain_fields(rec)) != rec["hash"]:
            bad(seq, f"record {seq}: content does not match its hash (altered)")
        expected_seq, prev_hash, last_seq, last_hash = seq + 1, rec["hash"], seq, rec["hash"]
    recorded_head = head(store)
    actual = f"{last_seq}:{last_hash}" if count else None
    if recorded_head != actual:
        bad(
            last_seq + 1 if count else 1,
            f"the log ends at {actual or 'nothing'} but its head says {recorded_head or 'nothing'} "
            "(records removed from the end, or the head altered)",
        )
    return Verification(not problems, count, recorded_head, problems, first_bad)
