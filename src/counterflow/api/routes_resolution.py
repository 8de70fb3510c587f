"""Resolution review: the queue of uncertain pairs, explanations, and the analyst's decisions.

Every decision is a judgement in the append-only ledger (who, when, why) and a
"combination" in the processing log; undo reverses one. Both sides of a pair must be
visible to the caller, and explanations are computed on what the caller may see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from counterflow.api.context import SessionDep
from counterflow.model.visibility import UserRole
from counterflow.policy.session import Session
from counterflow.resolve import service

router = APIRouter(prefix="/resolution", tags=["resolution"])
_DECIDERS = (UserRole.ANALYST, UserRole.SUPERVISOR, UserRole.ADMINISTRATOR)


class Pair(BaseModel):
    left: str = Field(min_length=1, max_length=200)
    right: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=3, max_length=1000, description="why: kept in the ledger and the log")


class Detach(BaseModel):
    entity: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=3, max_length=1000)


class Undo(BaseModel):
    judgement: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=3, max_length=1000)


@router.get("/queue", summary="Uncertain pairs no analyst has decided, strongest first")
def get_queue(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    include_together: bool = False,
) -> list[dict[str, Any]]:
    return service.review_queue(
        session.store, limit=limit, include_together=include_together, viewer=session.viewer
    )


@router.get("/explain", summary="Why two entities are, or are not, one")
def get_explain(
    session: SessionDep,
    left: Annotated[str, Query(min_length=1, max_length=200)],
    right: Annotated[str, Query(min_length=1, max_length=200)],
) -> dict[str, Any]:
    return service.explain_pair(session.store, left, right, viewer=session.viewer)


@router.get("/clusters/{entity_id}", summary="An entity's cluster and the judgements holding it together")
def get_cluster(session: SessionDep, entity_id: str) -> dict[str, Any]:
    return service.explain_cluster(session.store, entity_id, viewer=session.viewer)


def _decide(
    session: Session, decide: Callable[..., service.DecisionSummary], *args: str, reason: str
) -> dict[str, Any]:
    """An analyst's decision through the ledger, as the caller (who must be allowed to decide)."""
    session.require(*_DECIDERS)
    return decide(
        session.store, *args, actor=session.viewer.user, reason=reason, viewer=session.viewer
    ).to_dict()


@router.post("/merge", summary="Decide that two entities are one")
def post_merge(session: SessionDep, pair: Pair) -> dict[str, Any]:
    return _decide(session, service.merge, pair.left, pair.right, reason=pair.reason)


@router.post("/split", summary="Decide that two entities are not one")
def post_split(session: SessionDep, pair: Pair) -> dict[str, Any]:
    return _decide(session, service.split, pair.left, pair.right, reason=pair.reason)


@router.post("/unsure", summary="Record that a pair needs more information")
def post_unsure(session: SessionDep, pair: Pair) -> dict[str, Any]:
    return _decide(session, service.mark_unsure, pair.left, pair.right, reason=pair.reason)


@router.post("/detach", summary="Take an entity out of its cluster")
def post_detach(session: SessionDep, body: Detach) -> dict[str, Any]:
    return _decide(session, service.detach, body.entity, reason=body.reason)


@router.post("/undo", summary="Reverse a judgement (undoing an undo restores it)")
def post_undo(session: SessionDep, body: Undo) -> dict[str, Any]:
    return _decide(session, service.undo, body.judgement, reason=body.reason)
