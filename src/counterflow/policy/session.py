"""A user's session on the store: every read goes through the visibility rule and is logged.

``Session`` is what the command line and the API use to read intelligence. It reads
through the store's viewer-restricted methods (so nothing hidden is ever fetched),
records each consultation in the processing log (UK DPA 2018 s62: who, when, what), and
asks for a justification where the user's agency requires one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from counterflow.errors import AccessDenied, NotFound
from counterflow.model.handling import Classification, Handling, highest, most_restrictive
from counterflow.model.roles import PROTECTED_ROLES
from counterflow.model.statement import Statement, StatementLike, assemble
from counterflow.model.visibility import UserRole, Viewer
from counterflow.policy import registry
from counterflow.store import audit_chain
from counterflow.store.schema_policy import tasks as tasks_table
from counterflow.store.sql import SearchHit, SqlStore


def statement_dict(s: Statement) -> dict[str, Any]:
    return {
        "id": s.id,
        "prop": s.prop,
        "value": s.value,
        "original_value": s.original_value,
        "lang": s.lang,
        "script": s.script,
        "agency": s.agency,
        "report_id": s.report_id,
        "observed_at": s.observed_at,
        "reported_at": s.reported_at,
        "first_seen": s.first_seen,
        "last_seen": s.last_seen,
        "grading": s.grading.to_dict(),
        "handling": s.handling.to_dict(),
        "classification": s.classification.value,
        "evidence": s.evidence,
    }


def derived_marking(statements: Sequence[StatementLike]) -> dict[str, Any]:
    """What anything built from these statements carries: the strictest handling, the highest marking."""
    # A link chart asks this of every tie, and the statements of a store carry few distinct
    # codes: the answer is worked out once per set of codes.
    handling, classification = _marking(
        frozenset(s.handling for s in statements), frozenset(s.classification for s in statements)
    )
    return {"handling": [dict(h) for h in handling], "classification": classification}


@lru_cache(maxsize=1024)
def _marking(
    handlings: frozenset[Handling], classifications: frozenset[Classification]
) -> tuple[tuple[tuple[tuple[str, str | None], ...], ...], str]:
    codes = most_restrictive(list(handlings))  # sorted by most_restrictive: any order in
    top = highest(list(classifications))  # OFFICIAL for none
    return (
        tuple((("scheme", h.scheme.value), ("code", h.code), ("conditions", h.conditions)) for h in codes),
        top.value,
    )


@dataclass
class Session:
    store: SqlStore
    viewer: Viewer
    justification: str | None = None

    @classmethod
    def open(cls, store: SqlStore, user: str | None, justification: str | None = None) -> Session:
        return cls(store, registry.viewer_for(store, user), justification)

    def _consult(
        self, object_type: str, object_id: str | None, details: dict[str, Any] | None = None
    ) -> None:
        missing = not (self.justification and self.justification.strip())
        viewer = self.viewer
        if missing and not viewer.open and registry.justification_required(self.store, viewer.agency):
            raise AccessDenied(
                f"{self.viewer.agency} requires a justification for every consultation "
                "(--reason TEXT, or the X-Justification header)"
            )
        # Appended by group commit: reads arriving together share one transaction, instead of
        # queueing for the log's lock one by one (see counterflow.store.group_commit).
        self.store.consultations.submit(
            audit_chain.Entry(
                actor=viewer.user,
                agency=viewer.agency or None,
                action="consultation",
                object_type=object_type,
                object_id=object_id,
                justification=self.justification,
                details=details,
            )
        )

    def consulted(self, object_type: str, object_id: str | None, details: dict[str, Any]) -> None:
        """Log a consultation made through another read path (graph, network, case)."""
        self._consult(object_type, object_id, details)

    def search(self, query: str, limit: int = 20) -> list[SearchHit]:
        hits = self.store.search(query, viewer=self.viewer, limit=limit)
        self._consult("search", None, {"query": query, "results": [h.entity_id for h in hits]})
        return hits

    def statements(self, entity_id: str) -> list[Statement]:
        try:
            stmts = self.store.statements_for_entity(entity_id, viewer=self.viewer)
        except NotFound:
            self._consult("entity", entity_id, {"statements": 0})  # attempts are logged too
            raise
        self._consult("entity", entity_id, {"statements": len(stmts)})
        return stmts

    def profile(self, entity_id: str) -> dict[str, Any]:
        """An entity as this user may see it, with the marking its combination carries."""
        stmts = self.statements(entity_id)
        roles = sorted({s.value for s in stmts if s.is_extension})
        try:
            ent = assemble(stmts)
            caption, schema = ent.caption, ent.schema.name
        except ValueError:
            caption, schema = entity_id, stmts[0].schema
        return {
            "id": entity_id,
            "schema": schema,
            "caption": caption,
            "roles": roles,
            "protected": any(r in PROTECTED_ROLES for r in roles),
            "agencies": sorted({s.agency for s in stmts}),
            **derived_marking(stmts),
            "statements": [statement_dict(s) for s in stmts],
        }

    def tasks(self) -> list[dict[str, Any]]:
        """The safeguarding (NRM duty-to-notify) tasks of this user's agency (all, for the operator)."""
        q = select(tasks_table).order_by(tasks_table.c.id)
        if not self.viewer.open:
            q = q.where(tasks_table.c.agency == self.viewer.agency)
        with self.store.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q)]

    def stats(self) -> dict[str, Any]:
        return self.store.stats(viewer=self.viewer)

    def require(self, *roles: UserRole) -> None:
        if self.viewer.open or any(r.value in self.viewer.roles for r in roles):
            return
        names = " or ".join(r.value for r in roles)
        raise AccessDenied(f"this needs the {names} role", user=self.viewer.user)
