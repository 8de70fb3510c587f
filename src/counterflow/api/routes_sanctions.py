"""Sanctions lists and screening (see docs/cases.md): import a list, screen what you may see."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from counterflow.api.context import SessionDep
from counterflow.resolve import screening
from counterflow.resolve import service as resolution

router = APIRouter(tags=["sanctions"])
ListName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9_-]+$")]


@router.get("/sanctions/lists", summary="The imported sanctions lists")
def get_lists(session: SessionDep) -> list[dict[str, Any]]:
    return screening.list_summaries(session.store)


@router.put(
    "/sanctions/lists/{list_name}",
    summary="Import or replace a list (body: FollowTheMoney entity JSON lines)",
    openapi_extra={"requestBody": {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def put_list(session: SessionDep, request: Request, list_name: ListName) -> dict[str, Any]:
    body = (await request.body()).decode("utf-8", errors="replace")
    return screening.import_list(session.store, session.viewer, body.splitlines(), list_name)


@router.get("/sanctions/screen", summary="Persons and organisations you may see that match a list, explained")
def get_screen(
    session: SessionDep,
    list_name: Annotated[str | None, Query(alias="list", max_length=64)] = None,
    case: Annotated[str | None, Query(max_length=64, description="only this case's material")] = None,
) -> list[dict[str, Any]]:
    entity_ids = None
    if case is not None:
        from counterflow.cases.material import gather

        entity_ids = sorted({s.entity_id for s in gather(session.store, session.viewer, case).statements})
    found = screening.screen(
        session.store,
        session.viewer,
        canonical=resolution.canonical_for(session.store, session.viewer),
        entity_ids=entity_ids,
        lists=[list_name] if list_name else None,
    )
    session.consulted("screening", case, {"lists": list_name or "all", "matches": len(found)})
    return found
