"""Cooperation and accountability: hit/no-hit, who asked, safeguarding tasks, the processing log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from counterflow.api.context import SessionDep
from counterflow.audit import log as audit
from counterflow.model.visibility import UserRole
from counterflow.policy import hits as hit_matching

router = APIRouter(tags=["cooperation and audit"])


class HitQuery(BaseModel):
    kind: str = Field(description="phone, passport, plate, iban, national_id, email, wallet, name")
    value: str = Field(min_length=1, max_length=200)
    birth_date: str | None = Field(None, description="with kind=name: YYYY-MM-DD")
    country: str | None = Field(None, max_length=2, description="region hint for national numbers")


@router.get("/me", summary="Who you are to the service")
def get_me(session: SessionDep) -> dict[str, Any]:
    v = session.viewer
    return {
        "user": v.user,
        "agency": v.agency or None,
        "clearance": v.clearance.value,
        "roles": sorted(v.roles),
        "open_store": v.open,
        "shared_with_you_by": sorted(v.shares),
    }


@router.post("/hits", summary="Hit/no-hit: does any agency hold this selector?")
def post_hit(session: SessionDep, query: HitQuery) -> dict[str, Any]:
    """You learn whom to contact and the handling code, never the content; the owner is told you asked."""
    found = hit_matching.ask(
        session.store,
        session.viewer,
        query.kind,
        query.value,
        birth_date=query.birth_date,
        country=query.country,
        justification=session.justification,
    )
    return {"hit": bool(found), "contacts": [h.to_dict() for h in found]}


@router.get("/hits/notifications", summary="Who asked about your agency's selectors")
def get_notifications(
    session: SessionDep, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[dict[str, Any]]:
    return hit_matching.notifications(session.store, session.viewer, limit=limit)


@router.get("/tasks", summary="Safeguarding tasks (NRM duty to notify) of your agency")
def get_tasks(session: SessionDep) -> list[dict[str, Any]]:
    return session.tasks()


@router.get("/audit/verify", summary="Check the processing log's hash chain")
def get_audit_verify(session: SessionDep) -> dict[str, Any]:
    session.require(UserRole.AUDITOR, UserRole.ADMINISTRATOR)
    return audit.verify(session.store).to_dict()


@router.get("/audit/log", summary="The latest records of the processing log")
def get_audit_log(
    session: SessionDep,
    action: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    session.require(UserRole.AUDITOR, UserRole.ADMINISTRATOR)
    return audit.records(session.store, action=action, limit=limit)


@router.get("/audit/consulted/{entity_id}", summary="Who consulted this record, when and why")
def get_who_consulted(session: SessionDep, entity_id: str) -> list[dict[str, Any]]:
    session.require(UserRole.AUDITOR, UserRole.ADMINISTRATOR, UserRole.SUPERVISOR)
    return audit.who_consulted(session.store, entity_id)
