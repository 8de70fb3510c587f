"""Reading and verifying the hash-chained processing log (written by ``store.audit_chain``).

``verify`` walks the chain from the first record: a changed record no longer matches its
hash; a deleted one leaves a gap in the sequence and a broken link; records moved out of
order break the links; records cut off the end no longer reach the head kept in
``cf_meta``. It names the first place where the chain breaks. Against an attacker who can
rewrite the whole database, publish ``head()`` elsewhere from time to time and compare.
"""

from __future__ import annotations

import json
from typing import Any

from counterflow.store.log_check import Verification, head, iter_records, verify
from counterflow.store.sql import SqlStore

__all__ = ["Verification", "head", "iter_records", "records", "verify", "who_consulted"]


def who_consulted(store: SqlStore, entity_id: str) -> list[dict[str, Any]]:
    """Every consultation of an entity's record, and every search whose results included it."""
    out = []
    for rec in iter_records(store):
        if rec["action"] != "consultation":
            continue
        details = json.loads(rec["details"]) if rec["details"] else {}
        if (rec["object_type"] == "entity" and rec["object_id"] == entity_id) or (
            rec["object_type"] == "search" and entity_id in details.get("results", [])
        ):
            out.append(
                {
                    "seq": rec["seq"],
                    "at": rec["at"],
                    "user": rec["actor"],
                    "agency": rec["agency"],
                    "how": rec["object_type"],
                    "justification": rec["justification"],
                }
            )
    return out


def records(store: SqlStore, *, action: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    out = [r for r in iter_records(store) if action is None or r["action"] == action]
    return out[-limit:]
