"""Victim safeguards at write time: a report naming a victim or a minor opens a task.

Modern Slavery Act 2015 s52 puts a duty to notify on the authority that meets a
potential victim of trafficking; the National Referral Mechanism is how. Counterflow
opens one "nrm_duty_to_notify" task per protected person for the agency that reported
them (``counterflow policy tasks`` lists them), in the same transaction as the report.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from counterflow.model.roles import PROTECTED_ROLES
from counterflow.store.rows import StatementRow
from counterflow.store.schema import STATEMENT_COLUMNS, statements
from counterflow.store.schema_policy import protected_entities, tasks

_C = {name: i for i, name in enumerate(STATEMENT_COLUMNS)}
NOTIFY_ROLES = {"victim": "reported as a victim", "minor": "reported as a minor (17 or under)"}
TASK_KIND = "nrm_duty_to_notify"


PROTECTED_VALUES = frozenset(r.value for r in PROTECTED_ROLES)


def mark_protected(conn: Connection, rows: list[StatementRow]) -> None:
    """Record the entities these rows flag as victim, witness or minor (``protected_entities``)."""
    ids = sorted(
        {r[_C["entity_id"]] for r in rows if r[_C["prop"]] == "role" and r[_C["value"]] in PROTECTED_VALUES}
    )
    if ids:
        maker = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        # executemany with one compiled statement (a multi-row VALUES is compiled anew each time)
        conn.execute(maker(protected_entities).on_conflict_do_nothing(), [{"entity_id": e} for e in ids])


def recheck_protected(conn: Connection, entity_ids: list[str]) -> None:
    """After statements were removed: unmark entities no remaining statement flags as protected."""
    st = statements
    for start in range(0, len(entity_ids), 500):
        chunk = entity_ids[start : start + 500]
        still = select(st.c.entity_id).where(
            st.c.entity_id.in_(chunk), st.c.prop_type == "role", st.c.value.in_(sorted(PROTECTED_VALUES))
        )
        conn.execute(
            delete(protected_entities).where(
                protected_entities.c.entity_id.in_(chunk), protected_entities.c.entity_id.not_in(still)
            )
        )


def open_safeguarding_tasks(conn: Connection, rows: list[StatementRow]) -> int:
    """Open (once per person) a duty-to-notify task for each victim or minor in ``rows``."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    found: dict[str, dict[str, Any]] = {}
    prop, value = _C["prop"], _C["value"]
    for row in rows:
        if row[prop] == "role" and row[value] in NOTIFY_ROLES:
            entity = row[_C["entity_id"]]
            task = found.setdefault(
                entity,
                {
                    "agency": row[_C["agency"]],
                    "kind": TASK_KIND,
                    "entity_id": entity,
                    "report_key": row[_C["report_key"]],
                    "reason": "",
                    "status": "open",
                    "created_at": now,
                },
            )
            reason = NOTIFY_ROLES[row[_C["value"]]]
            task["reason"] = "; ".join(sorted({*filter(None, task["reason"].split("; ")), reason}))
    if not found:
        return 0
    maker = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = maker(tasks).on_conflict_do_nothing(index_elements=["kind", "entity_id"])
    conn.execute(stmt, list(found.values()))
    return len(found)
