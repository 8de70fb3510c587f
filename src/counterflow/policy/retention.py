"""Retention under MoPI: review dates per report, review decisions, and erasure with a tombstone.

Every report gets a review row: its review group (from configuration) and a due date
(reported date + the group's review period). When a review falls due, a supervisor of
the owning agency decides: *retain* (the next review is one period on) or *dispose*
(the report is erased). Each decision and its reason go into the ``reviews`` row and
the processing log.

Review groups and their periods are configuration (``policy.review_groups``: a YAML file
in ``COUNTERFLOW_RETENTION_FILE``, else built-in defaults to check against current MoPI
guidance).

Erasure removes a report's content everywhere Counterflow copied or derived it: its
statements (the full-text index follows by trigger), its ``reports`` row, its selector
hashes (hit/no-hit) and open safeguarding tasks raised by it, in one transaction. It
leaves a tombstone in the processing log (report key, content hash, counts; never
content) and returns the recipients of earlier disclosures that included the report,
who must be told. On SQLite the deleted pages are overwritten (``secure_delete``) and
the write-ahead log is checkpointed; on PostgreSQL, ``VACUUM`` reclaims the rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from counterflow.errors import AccessDenied, InvalidValue, NotFound
from counterflow.model.handling import Classification
from counterflow.model.visibility import UserRole, Viewer
from counterflow.policy.review_groups import (
    DEFAULTS,
    RetentionConfig,
    ReviewGroup,
    add_years,
    as_day,
    load_config,
)
from counterflow.store import audit_chain
from counterflow.store.safeguards import recheck_protected
from counterflow.store.schema import reports, statements
from counterflow.store.schema_policy import audit_log, reviews, selector_index, tasks
from counterflow.store.sql import SqlStore

DECISIONS = ("retain", "dispose")


GroupOf = Callable[[Mapping[str, Any]], str]


def schedule_reviews(
    store: SqlStore, *, group_of: GroupOf | None = None, config: RetentionConfig | None = None
) -> int:
    """Give every report without a review row one; returns how many were scheduled.

    ``group_of`` picks a report's review group from its ``reports`` row (default: the
    configuration's default group); the due date is the reported date plus the period.
    """
    config = config or load_config()
    rp, rv = reports, reviews
    with store.engine.begin() as conn:
        rows = conn.execute(
            select(rp.c.report_key, rp.c.agency, rp.c.reported_at, rp.c.classification, rp.c.format)
            .select_from(rp.outerjoin(rv, rv.c.report_key == rp.c.report_key))
            .where(rv.c.report_key.is_(None))
        ).all()
        values = []
        for r in rows:
            group = group_of(dict(r._mapping)) if group_of else config.default_group
            due = add_years(as_day(r.reported_at), config.years(group))
            values.append({"report_key": r.report_key, "review_group": group, "review_due": due.isoformat()})
        for start in range(0, len(values), 1000):
            conn.execute(insert(rv), values[start : start + 1000])
    return len(values)


def _level(classification: str) -> int:
    return Classification(classification).level


def due(store: SqlStore, viewer: Viewer, as_of: date | str | None = None) -> list[dict[str, Any]]:
    """The viewer's agency's reports whose review is due on or before ``as_of`` (default today)."""
    day = as_day(as_of).isoformat()
    rp, rv = reports, reviews
    q = (
        select(
            rv.c.report_key,
            rv.c.review_group,
            rv.c.review_due,
            rv.c.decision,
            rv.c.decided_at,
            rp.c.reported_at,
            rp.c.classification,
            rp.c.n_statements,
        )
        .select_from(rv.join(rp, rp.c.report_key == rv.c.report_key))
        .where(rv.c.review_due <= day, func.coalesce(rv.c.decision, "retain") == "retain")
        .order_by(rv.c.review_due, rv.c.report_key)
    )
    if not viewer.open:
        q = q.where(rp.c.agency == viewer.agency)
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(q)]
    return [r for r in rows if viewer.open or _level(r["classification"]) <= viewer.clearance.level]


def _authorise(conn: Connection, viewer: Viewer, report_key: str) -> dict[str, Any]:
    """The report row, if ``viewer`` is a supervisor of its owning agency cleared to read it."""
    owner = report_key.partition(":")[0]
    if not viewer.open and (owner != viewer.agency or UserRole.SUPERVISOR.value not in viewer.roles):
        raise AccessDenied(
            "only a supervisor of the agency that owns a report may review or erase it", user=viewer.user
        )
    row = conn.execute(select(reports).where(reports.c.report_key == report_key)).first()
    if row is None:
        raise NotFound(f"no report {report_key!r}", report=report_key)
    if not viewer.open and _level(row.classification) > viewer.clearance.level:
        raise AccessDenied("this report is marked above your clearance", user=viewer.user)
    return dict(row._mapping)


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidValue("reason", reason, "a review decision or erasure needs its reason")
    return text


@dataclass(frozen=True, slots=True)
class Erasure:
    report_key: str
    sha256: str
    statements: int
    entities: int
    selectors: int
    tasks: int
    notify: tuple[str, ...] = ()  # recipients of earlier disclosures that included the report
    packages: tuple[str, ...] = ()
    entities_gone: tuple[str, ...] = ()  # entity ids no statement is left about (for derived data)

    def to_dict(self) -> dict[str, Any]:
        return {
            "report_key": self.report_key,
            "sha256": self.sha256,
            "removed": {
                "statements": self.statements,
                "entities": self.entities,
                "selectors": self.selectors,
                "tasks": self.tasks,
            },
            "notify": list(self.notify),
            "packages": list(self.packages),
            "entities_gone": list(self.entities_gone),
        }


@dataclass(frozen=True, slots=True)
class Decision:
    report_key: str
    decision: str
    reason: str
    next_review: str | None = None
    erasure: Erasure | None = field(default=None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "report_key": self.report_key,
            "decision": self.decision,
            "reason": self.reason,
            "next_review": self.next_review,
            "erasure": self.erasure.to_dict() if self.erasure else None,
        }


def decide(
    store: SqlStore,
    viewer: Viewer,
    report_key: str,
    decision: str,
    reason: str,
    *,
    as_of: date | str | None = None,
    config: RetentionConfig | None = None,
) -> Decision:
    """Record a review decision: ``retain`` (next review one period on) or ``dispose`` (erase)."""
    if decision not in DECISIONS:
        raise InvalidValue("decision", decision, "expected retain or dispose")
    text = _reason(reason)
    if decision == "dispose":
        return Decision(report_key, decision, text, None, erase(store, viewer, report_key, text))
    config = config or load_config()
    today = as_day(as_of)
    with store.engine.begin() as conn:
        _authorise(conn, viewer, report_key)
        group = conn.execute(
            select(reviews.c.review_group).where(reviews.c.report_key == report_key)
        ).scalar()
        group = str(group) if group is not None else config.default_group
        next_review = add_years(today, config.years(group)).isoformat()
        _set_review(conn, report_key, group, next_review, "retain", text, viewer.user)
        audit_chain.append(
            conn,
            actor=viewer.user,
            agency=viewer.agency or None,
            action="alteration",
            object_type="review",
            object_id=report_key,
            justification=text,
            details={"decision": "retain", "review_group": group, "next_review": next_review},
        )
    return Decision(report_key, "retain", text, next_review)


def _set_review(
    conn: Connection, key: str, group: str, due_on: str, decision: str, reason: str, user: str
) -> None:
    values = {
        "review_group": group,
        "review_due": due_on,
        "decision": decision,
        "reason": reason,
        "decided_by": user,
        "decided_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if conn.execute(update(reviews).where(reviews.c.report_key == key).values(**values)).rowcount == 0:
        conn.execute(insert(reviews).values(report_key=key, **values))


def disclosures_of(conn: Connection, report_key: str) -> tuple[list[str], list[str]]:
    """(recipients, package ids) of logged disclosures whose packages included ``report_key``."""
    needle = json.dumps(report_key, ensure_ascii=False)
    rows = conn.execute(
        select(audit_log.c.object_id, audit_log.c.recipients, audit_log.c.details).where(
            audit_log.c.action == "disclosure", audit_log.c.details.contains(needle)
        )
    ).all()
    recipients: set[str] = set()
    packages: list[str] = []
    for r in rows:
        details = json.loads(r.details) if r.details else {}
        if report_key in (details.get("reports") or {}).values():
            recipients.update(x for x in (r.recipients or "").split(",") if x)
            packages.append(str(r.object_id))
    return sorted(recipients), sorted(packages)


def erase(store: SqlStore, viewer: Viewer, report_key: str, reason: str) -> Erasure:
    """Remove a report's content everywhere in Counterflow, in one transaction, leaving a tombstone."""
    text = _reason(reason)
    sqlite = store.dialect == "sqlite"
    with store.engine.connect() as conn:
        previous = 0
        if sqlite:  # overwrite deleted content instead of leaving it in free pages
            previous = int(conn.exec_driver_sql("PRAGMA secure_delete").scalar() or 0)
            conn.exec_driver_sql("PRAGMA secure_delete = ON")
            conn.commit()
        try:
            with conn.begin():
                report = _authorise(conn, viewer, report_key)
                st = statements
                n_statements = conn.execute(
                    select(func.count()).where(st.c.report_key == report_key)
                ).scalar_one()
                touched = sorted(
                    conn.execute(select(st.c.entity_id).where(st.c.report_key == report_key).distinct())
                    .scalars()
                    .all()
                )
                conn.execute(delete(st).where(st.c.report_key == report_key))
                remaining: set[str] = set()
                for start in range(0, len(touched), 500):
                    chunk = touched[start : start + 500]
                    q = select(st.c.entity_id).where(st.c.entity_id.in_(chunk)).distinct()
                    remaining.update(conn.execute(q).scalars())
                recheck_protected(conn, touched)
                if sqlite:  # merge the full-text index so deleted terms leave its segments too
                    conn.exec_driver_sql("INSERT INTO statement_fts(statement_fts) VALUES ('optimize')")
                selectors = conn.execute(
                    delete(selector_index).where(selector_index.c.report_key == report_key)
                ).rowcount
                n_tasks = conn.execute(
                    delete(tasks).where(tasks.c.report_key == report_key, tasks.c.status == "open")
                ).rowcount
                conn.execute(delete(reports).where(reports.c.report_key == report_key))
                group = conn.execute(
                    select(reviews.c.review_group).where(reviews.c.report_key == report_key)
                ).scalar()
                today = datetime.now(UTC).date().isoformat()
                _set_review(conn, report_key, str(group or "-"), today, "dispose", text, viewer.user)
                notify, packages = disclosures_of(conn, report_key)
                erasure = Erasure(
                    report_key,
                    str(report["sha256"]),
                    int(n_statements),
                    len(touched),
                    int(selectors),
                    int(n_tasks),
                    tuple(notify),
                    tuple(packages),
                    tuple(e for e in touched if e not in remaining),
                )
                audit_chain.append(
                    conn,
                    actor=viewer.user,
                    agency=str(report["agency"]),
                    action="erasure",
                    object_type="report",
                    object_id=report_key,
                    recipients=notify or None,
                    justification=text,
                    details={
                        "sha256": erasure.sha256,
                        **erasure.to_dict()["removed"],
                        "entities_gone": len(erasure.entities_gone),
                        "packages": packages,
                    },
                )
        finally:
            if sqlite:  # connections are pooled: back to what it was
                conn.exec_driver_sql(f"PRAGMA secure_delete = {1 if previous else 0}")
                conn.commit()
    if sqlite:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return erasure


__all__ = [
    "DEFAULTS",
    "Decision",
    "Erasure",
    "RetentionConfig",
    "ReviewGroup",
    "add_years",
    "as_day",
    "decide",
    "disclosures_of",
    "due",
    "erase",
    "load_config",
    "schedule_reviews",
]
