"""Case files: a named investigation, its targets, linked material, documents and custody.

A case belongs to one agency (the one that will take it to its prosecutors). Its lead and
members are named users; the owning agency's analysts may read it too. Anyone else gets
"no such case": a case's name and targets are intelligence in themselves.

A case only points at statements; reading its material always goes through the reader's
visibility, so two participants of different agencies see different parts of one case.
Documents (statements taken, forensic reports, seizure photographs) are stored whole with
their SHA-256; every handling of a document appends a chain-of-custody entry, and
``verify_documents`` re-hashes the stored bytes against the digest taken on receipt.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update

from counterflow.errors import AccessDenied, InvalidValue, NotFound
from counterflow.model.handling import Classification, Handling
from counterflow.model.visibility import UserRole, Viewer, may_see
from counterflow.store import audit_chain
from counterflow.store.schema_cases import (
    case_documents,
    case_participants,
    case_statements,
    case_targets,
    cases,
    custody,
)
from counterflow.store.sql import SqlStore

CASE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
EXHIBIT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/._-]{0,63}$")
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
PARTICIPANT_ROLES = ("lead", "member")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Document:
    id: int
    exhibit: str
    filename: str
    media_type: str
    sha256: str
    size: int
    agency: str
    handling: Handling
    classification: Classification
    description: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "exhibit": self.exhibit,
            "filename": self.filename,
            "media_type": self.media_type,
            "sha256": self.sha256,
            "size": self.size,
            "agency": self.agency,
            "handling": self.handling.to_dict(),
            "classification": self.classification.value,
            "description": self.description,
        }


@dataclass
class Case:
    id: str
    title: str
    agency: str
    created_by: str
    created_at: str
    status: str
    description: str | None = None
    participants: dict[str, str] = field(default_factory=dict)  # user -> role
    targets: dict[str, str | None] = field(default_factory=dict)  # entity id -> note
    statements: dict[str, str | None] = field(default_factory=dict)  # statement id -> note
    documents: list[Document] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "agency": self.agency,
            "created_by": self.created_by,
            "created_at": self.created_at,
            "status": self.status,
            "description": self.description,
            "participants": [{"user": u, "role": r} for u, r in sorted(self.participants.items())],
            "targets": [{"entity_id": e, "note": n} for e, n in sorted(self.targets.items())],
            "statements": [{"statement_id": s, "note": n} for s, n in sorted(self.statements.items())],
            "documents": [d.to_dict() for d in self.documents],
        }


def _log(
    conn: Connection,
    viewer: Viewer,
    action: str,
    object_type: str,
    object_id: str,
    details: dict[str, Any],
) -> None:
    audit_chain.append(
        conn,
        actor=viewer.user,
        agency=viewer.agency or None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )


def may_read(case: Case, viewer: Viewer) -> bool:
    return viewer.open or viewer.user in case.participants or viewer.agency == case.agency


def may_edit(case: Case, viewer: Viewer) -> bool:
    """Participants edit; the owning agency's supervisors too (to hand a case over)."""
    return (
        viewer.open
        or viewer.user in case.participants
        or (viewer.agency == case.agency and UserRole.SUPERVISOR.value in viewer.roles)
    )


def create_case(
    store: SqlStore, viewer: Viewer, case_id: str, title: str, *, description: str | None = None
) -> Case:
    """Open a case owned by the viewer's agency, with the viewer as its lead."""
    problems = []
    if not CASE_ID_RE.match(case_id):
        problems.append("case id must be 3-64 lower-case letters, digits and hyphens (e.g. op-drina)")
    if not title.strip():
        problems.append("title is empty")
    if not viewer.agency and not viewer.open:
        problems.append("the user belongs to no agency")
    if problems:
        raise InvalidValue("case", case_id, "; ".join(problems))
    now = _now()
    agency = viewer.agency or "operator"
    with store.engine.begin() as conn:
        if conn.execute(select(cases.c.id).where(cases.c.id == case_id)).first() is not None:
            raise InvalidValue("case", case_id, "a case with this id exists")
        conn.execute(
            insert(cases).values(
                id=case_id,
                title=title.strip(),
                agency=agency,
                created_by=viewer.user,
                created_at=now,
                description=description,
                status="open",
            )
        )
        conn.execute(
            insert(case_participants).values(
                case_id=case_id, user_id=viewer.user, role="lead", added_by=viewer.user, added_at=now
            )
        )
        _log(conn, viewer, "alteration", "case", case_id, {"event": "opened", "title": title.strip()})
    return get_case(store, viewer, case_id)


def _read(conn: Connection, case_id: str) -> Case | None:
    row = conn.execute(select(cases).where(cases.c.id == case_id)).mappings().first()
    if row is None:
        return None
    case = Case(
        row["id"],
        row["title"],
        row["agency"],
        row["created_by"],
        row["created_at"],
        row["status"],
        row["description"],
    )
    for r in conn.execute(select(case_participants).where(case_participants.c.case_id == case_id)).mappings():
        case.participants[r["user_id"]] = r["role"]
    for r in conn.execute(select(case_targets).where(case_targets.c.case_id == case_id)).mappings():
        case.targets[r["entity_id"]] = r["note"]
    for r in conn.execute(select(case_statements).where(case_statements.c.case_id == case_id)).mappings():
        case.statements[r["statement_id"]] = r["note"]
    docs = conn.execute(
        select(case_documents).where(case_documents.c.case_id == case_id).order_by(case_documents.c.id)
    ).mappings()
    case.documents = [_document(r) for r in docs]
    return case


def _document(r: Any) -> Document:
    return Document(
        r["id"],
        r["exhibit"],
        r["filename"],
        r["media_type"],
        r["sha256"],
        r["size"],
        r["agency"],
        Handling.parse(r["handling_scheme"], r["handling_code"], r["handling_conditions"]),
        Classification.parse(r["classification"]),
        r["description"],
    )


def get_case(store: SqlStore, viewer: Viewer, case_id: str) -> Case:
    """The case, if the viewer may read it; otherwise NotFound (its existence is not revealed)."""
    with store.engine.connect() as conn:
        case = _read(conn, case_id)
    if case is None or not may_read(case, viewer):
        raise NotFound(f"no case {case_id!r}")
    # What the reader may not see is not listed: not the documents their clearance or handling does not
    # reach, not the ids of targets and statements they may not see (an id tells that a record exists).
    case.documents = [d for d in case.documents if _may_see_document(d, case, viewer)]
    if not viewer.open:
        seen = store.visible_entities(case.targets, viewer=viewer) if case.targets else set()
        case.targets = {e: n for e, n in case.targets.items() if e in seen}
        linked = (
            {x.id for x in store.statements_by_ids(case.statements, viewer=viewer)}
            if case.statements
            else set()
        )
        case.statements = {i: n for i, n in case.statements.items() if i in linked}
    return case


def _may_see_document(doc: Document, case: Case, viewer: Viewer) -> bool:
    """The statements' rule: clearance, the owner's agreement with the reader's agency, handling."""
    return may_see(
        viewer,
        agency=doc.agency,
        class_level=doc.classification.level,
        handling_scheme=doc.handling.scheme.value,
        handling_code=doc.handling.code,
        protected=False,
    )


def list_cases(store: SqlStore, viewer: Viewer) -> list[dict[str, Any]]:
    """Cases the viewer may read, newest first."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(cases).order_by(cases.c.created_at.desc(), cases.c.id)).mappings().all()
        mine = set(
            conn.execute(
                select(case_participants.c.case_id).where(case_participants.c.user_id == viewer.user)
            ).scalars()
        )
        targets: dict[str, list[str]] = {}
        for cid, eid in conn.execute(select(case_targets.c.case_id, case_targets.c.entity_id)):
            targets.setdefault(cid, []).append(eid)
    every = [e for ids in targets.values() for e in ids]
    seen = set(every) if viewer.open else (store.visible_entities(every, viewer=viewer) if every else set())
    counts = {cid: sum(1 for e in ids if e in seen) for cid, ids in targets.items()}
    return [
        {
            "id": r["id"],
            "title": r["title"],
            "agency": r["agency"],
            "status": r["status"],
            "created_at": r["created_at"],
            "targets": counts.get(r["id"], 0),
        }
        for r in rows
        if viewer.open or r["id"] in mine or r["agency"] == viewer.agency
    ]


def _editable(store: SqlStore, viewer: Viewer, case_id: str) -> Case:
    case = get_case(store, viewer, case_id)
    if not may_edit(case, viewer):
        raise AccessDenied(f"only the participants of {case_id} may change it")
    if case.status != "open":
        raise AccessDenied(f"case {case_id} is closed")
    return case


def add_targets(
    store: SqlStore, viewer: Viewer, case_id: str, entity_ids: Iterable[str], *, note: str | None = None
) -> list[str]:
    """Name entities as targets. Each must be visible to the viewer; victims, witnesses and minors
    are refused (they are never targets). Returns the ids newly added."""
    case = _editable(store, viewer, case_id)
    from counterflow.resolve import service

    wanted = [e for e in dict.fromkeys(entity_ids) if e]
    visible = store.visible_entities(wanted, viewer=viewer)
    unknown = [e for e in wanted if e not in visible]
    # A victim, witness or minor is refused whichever record of the person carries the flag; an
    # entity the user may not see is only "unknown" (never whether it is protected).
    state = service.state(store)
    flagged = {state.cluster_of(e) for e in store.protected_ids()}
    protected = sorted(e for e in wanted if e in visible and state.cluster_of(e) in flagged)
    problems = []
    if unknown:
        problems.append(f"unknown entities: {', '.join(unknown)}")
    if protected:
        problems.append(f"victims, witnesses and minors are never targets: {', '.join(protected)}")
    if problems:
        raise InvalidValue("targets", ", ".join(wanted), "; ".join(problems))
    fresh = [e for e in wanted if e not in case.targets]
    _attach(store, viewer, case_id, case_targets, "entity_id", fresh, note, "targets added", "entities")
    return fresh


def _attach(
    store: SqlStore,
    viewer: Viewer,
    case_id: str,
    table: Table,
    column: str,
    ids: list[str],
    note: str | None,
    event: str,
    logged_as: str,
) -> None:
    """Add rows (targets or linked statements) to a case and log the alteration, in one transaction."""
    if not ids:
        return
    now = _now()
    rows = [
        {"case_id": case_id, column: x, "note": note, "added_by": viewer.user, "added_at": now} for x in ids
    ]
    with store.engine.begin() as conn:
        conn.execute(insert(table), rows)
        _log(conn, viewer, "alteration", "case", case_id, {"event": event, logged_as: ids})


def remove_target(store: SqlStore, viewer: Viewer, case_id: str, entity_id: str) -> None:
    case = _editable(store, viewer, case_id)
    if entity_id not in case.targets:
        raise NotFound(f"{entity_id} is not a target of {case_id}")
    with store.engine.begin() as conn:
        conn.execute(
            delete(case_targets).where(
                case_targets.c.case_id == case_id, case_targets.c.entity_id == entity_id
            )
        )
        _log(conn, viewer, "alteration", "case", case_id, {"event": "target removed", "entity": entity_id})


def link_statements(
    store: SqlStore, viewer: Viewer, case_id: str, statement_ids: Iterable[str], *, note: str | None = None
) -> list[str]:
    """Link statements (the viewer must see each) to the case as material; returns the new links."""
    case = _editable(store, viewer, case_id)
    wanted = [s for s in dict.fromkeys(statement_ids) if s]
    found = {s.id for s in store.statements_by_ids(wanted, viewer=viewer)}
    missing = [s for s in wanted if s not in found]
    if missing:
        raise InvalidValue("statements", ", ".join(missing[:10]), "unknown statements")
    fresh = [s for s in wanted if s not in case.statements]
    _attach(
        store, viewer, case_id, case_statements, "statement_id", fresh, note, "material linked", "statements"
    )
    return fresh


def add_participant(
    store: SqlStore, viewer: Viewer, case_id: str, user_id: str, role: str = "member"
) -> None:
    from counterflow.policy import registry

    case = _editable(store, viewer, case_id)
    if role not in PARTICIPANT_ROLES:
        raise InvalidValue("role", role, f"one of {', '.join(PARTICIPANT_ROLES)}")
    registry.get_user(store, user_id)  # NotFound for an unknown user
    with store.engine.begin() as conn:
        if user_id in case.participants:
            conn.execute(
                update(case_participants)
                .where(case_participants.c.case_id == case_id, case_participants.c.user_id == user_id)
                .values(role=role)
            )
        else:
            conn.execute(
                insert(case_participants).values(
                    case_id=case_id, user_id=user_id, role=role, added_by=viewer.user, added_at=_now()
                )
            )
        _log(
            conn,
            viewer,
            "alteration",
            "case",
            case_id,
            {"event": "participant", "user": user_id, "role": role},
        )


def set_status(store: SqlStore, viewer: Viewer, case_id: str, status: str) -> None:
    """Close or reopen: the case's lead, or a supervisor of the owning agency."""
    case = get_case(store, viewer, case_id)
    lead = case.participants.get(viewer.user) == "lead"
    owner_supervisor = viewer.agency == case.agency and UserRole.SUPERVISOR.value in viewer.roles
    if not (viewer.open or lead or owner_supervisor):
        raise AccessDenied(
            f"only the lead of {case_id} or a supervisor of {case.agency} may close or reopen it"
        )
    if status not in ("open", "closed"):
        raise InvalidValue("status", status, "open or closed")
    with store.engine.begin() as conn:
        conn.execute(update(cases).where(cases.c.id == case_id).values(status=status))
        _log(conn, viewer, "alteration", "case", case_id, {"event": "status", "status": status})


def add_document(
    store: SqlStore,
    viewer: Viewer,
    case_id: str,
    *,
    exhibit: str,
    filename: str,
    content: bytes,
    media_type: str = "application/octet-stream",
    handling: Handling,
    classification: Classification,
    description: str | None = None,
) -> Document:
    """Store a document as an exhibit of the case, with its SHA-256 and a "received" custody entry."""
    _editable(store, viewer, case_id)
    problems = []
    if not EXHIBIT_RE.match(exhibit):
        problems.append("exhibit reference must be 1-64 letters, digits and / . _ - (e.g. JB/1)")
    if not content:
        problems.append("the document is empty")
    if len(content) > MAX_DOCUMENT_BYTES:
        problems.append(f"the document is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB")
    if classification.level > viewer.clearance.level and not viewer.open:
        problems.append("classified above the submitter's clearance")
    if problems:
        raise InvalidValue("document", filename, "; ".join(problems))
    digest = hashlib.sha256(content).hexdigest()
    now = _now()
    with store.engine.begin() as conn:
        taken = conn.execute(
            select(case_documents.c.id).where(
                case_documents.c.case_id == case_id, case_documents.c.exhibit == exhibit
            )
        ).first()
        if taken is not None:
            raise InvalidValue("exhibit", exhibit, f"already used in {case_id}")
        inserted = conn.execute(
            insert(case_documents).values(
                case_id=case_id,
                exhibit=exhibit,
                filename=filename[:500],
                media_type=media_type[:100],
                sha256=digest,
                size=len(content),
                content=content,
                agency=viewer.agency or "operator",
                handling_scheme=handling.scheme.value,
                handling_code=handling.code,
                handling_conditions=handling.conditions,
                classification=classification.value,
                description=description,
            )
        )
        doc_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
        conn.execute(
            insert(custody).values(
                document_id=doc_id,
                at=now,
                actor=viewer.user,
                action="received",
                sha256=digest,
                details=json.dumps({"filename": filename, "size": len(content)}),
            )
        )
        _log(
            conn,
            viewer,
            "collection",
            "document",
            f"{case_id}/{exhibit}",
            {"case": case_id, "sha256": digest, "size": len(content), "filename": filename},
        )
    return Document(
        int(doc_id),
        exhibit,
        filename,
        media_type,
        digest,
        len(content),
        viewer.agency or "operator",
        handling,
        classification,
        description,
    )


def _stored(conn: Connection, document_id: int) -> tuple[bytes, str]:
    """A document's stored bytes and their SHA-256 as they are now."""
    content = bytes(
        conn.execute(select(case_documents.c.content).where(case_documents.c.id == document_id)).scalar_one()
    )
    return content, hashlib.sha256(content).hexdigest()


def document_content(store: SqlStore, viewer: Viewer, case_id: str, exhibit: str) -> tuple[Document, bytes]:
    """The document's bytes (re-hashed: a mismatch is an error, never served), logged in custody."""
    case = get_case(store, viewer, case_id)
    doc = next((d for d in case.documents if d.exhibit == exhibit), None)
    if doc is None:
        raise NotFound(f"no exhibit {exhibit!r} in {case_id}")
    with store.engine.begin() as conn:
        content, digest = _stored(conn, doc.id)
        conn.execute(
            insert(custody).values(
                document_id=doc.id, at=_now(), actor=viewer.user, action="viewed", sha256=digest, details=None
            )
        )
        _log(conn, viewer, "consultation", "document", f"{case_id}/{exhibit}", {"sha256": digest})
    if digest != doc.sha256:
        raise InvalidValue(
            "exhibit", exhibit, f"content does not match its SHA-256 on receipt ({doc.sha256})"
        )
    return doc, bytes(content)


def custody_of(store: SqlStore, viewer: Viewer, case_id: str, exhibit: str) -> list[dict[str, Any]]:
    case = get_case(store, viewer, case_id)
    doc = next((d for d in case.documents if d.exhibit == exhibit), None)
    if doc is None:
        raise NotFound(f"no exhibit {exhibit!r} in {case_id}")
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(custody).where(custody.c.document_id == doc.id).order_by(custody.c.id)
        ).mappings()
        return [
            {
                "at": r["at"],
                "actor": r["actor"],
                "action": r["action"],
                "sha256": r["sha256"],
                "intact": r["sha256"] == doc.sha256,
                "details": json.loads(r["details"]) if r["details"] else None,
            }
            for r in rows
        ]


def verify_documents(store: SqlStore, viewer: Viewer, case_id: str) -> list[dict[str, Any]]:
    """Re-hash every document of the case the viewer may see; each check is a custody entry."""
    case = get_case(store, viewer, case_id)
    results = []
    with store.engine.begin() as conn:
        for doc in case.documents:
            _, digest = _stored(conn, doc.id)
            conn.execute(
                insert(custody).values(
                    document_id=doc.id,
                    at=_now(),
                    actor=viewer.user,
                    action="verified",
                    sha256=digest,
                    details=None,
                )
            )
            results.append({"exhibit": doc.exhibit, "sha256": doc.sha256, "intact": digest == doc.sha256})
    return results


def document_bytes(store: SqlStore, doc: Document) -> bytes:
    """A document's stored bytes, checked against its digest on receipt (a mismatch is an error)."""
    with store.engine.connect() as conn:
        content, digest = _stored(conn, doc.id)
    if digest != doc.sha256:
        raise InvalidValue(
            "exhibit", doc.exhibit, f"content does not match its SHA-256 on receipt ({doc.sha256})"
        )
    return bytes(content)


def record_export(
    conn: Connection, digests: dict[int, str], viewer: Viewer, what: str, recipient: str
) -> None:
    """A custody entry for each document that left the system inside an export, to whom."""
    for doc_id, digest in digests.items():
        conn.execute(
            insert(custody).values(
                document_id=doc_id,
                at=_now(),
                actor=viewer.user,
                action="exported",
                sha256=digest,
                details=json.dumps({"export": what, "recipient": recipient}),
            )
        )
