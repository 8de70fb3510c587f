"""The network as the caller may see it: neighbourhoods for the link chart, paths, metrics and plans.

Every graph here is built from the statements the caller may see, with resolution folded
in; ties carry the ids of their statements and the strictest handling among them (the
marking a derived result carries). Protected persons (victims, witnesses, minors) appear
as "protected person" without a name, and are never ranked or targeted.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from counterflow.api.context import ServicesDep, SessionDep, ViewCache, view_key
from counterflow.errors import InvalidValue, NotFound
from counterflow.graph.build import EntityGraph
from counterflow.graph.neighbourhood import neighbourhood
from counterflow.graph.views import PROTECTED_CAPTION, network_summary, visible_network
from counterflow.model.statement import StatementLike
from counterflow.policy.session import Session, derived_marking
from counterflow.resolve import service as resolution
from counterflow.resolve.ledger import ResolvedState

router = APIRouter(prefix="/graph", tags=["network"])


class PlanRequest(BaseModel):
    k: int = Field(5, ge=1, le=50, description="how many persons to remove")
    strategy: str = Field("hba", description="best, hda, hba, corehd, greedy, gnd, kpp, exhaustive")
    exclude: list[str] = Field(default_factory=list, max_length=1000, description="may not be removed")


def _resolved(session: Session) -> ResolvedState:
    return resolution.state(session.store)


def _day(raw: str | None, name: str) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidValue(name, raw, "not a date (YYYY-MM-DD)") from None


def _at_least(grade: str, floor: str) -> bool:
    """A common grade (A1 best … D4) at least as good as ``floor`` on both source and information."""
    return grade[0] <= floor[0] and grade[1:] <= floor[1:]


def chart(
    g: EntityGraph,
    statements: Sequence[StatementLike],
    *,
    relations: set[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    min_grade: str | None = None,
) -> dict[str, Any]:
    """Nodes and ties for a link chart, each tie with its statements' strictest marking."""
    by_id = {s.id: s for s in statements}
    ties = []
    used: set[str] = set()
    for (a, b, rel), tie in sorted(g.ties.items()):
        if relations and rel not in relations:
            continue
        stmts = [by_id[i] for i in sorted(tie.statements) if i in by_id]
        if min_grade is not None:
            stmts = [s for s in stmts if _at_least(s.grading.common, min_grade)]
            if not stmts:
                continue
        if since is not None and (tie.last is None or tie.last[:10] < since.isoformat()):
            continue
        if until is not None and (tie.first is None or tie.first[:10] > until.isoformat()):
            continue
        used.update((a, b))
        ties.append(
            {
                "source": a,
                "target": b,
                "relation": rel,
                "count": tie.count,
                "weight": round(tie.weight, 4),
                "first": tie.first,
                "last": tie.last,
                "statements": [s.id for s in stmts][:50],
                "grading": sorted({s.grading.common for s in stmts}),
                **derived_marking(stmts),
            }
        )
    nodes = []
    for node in sorted(g.nodes.values(), key=lambda n: n.id):
        if node.id not in used and (relations or since or until or min_grade):
            continue
        nodes.append(
            {
                "id": node.id,
                "kind": node.kind,
                "schema": node.schema,
                "caption": PROTECTED_CAPTION if node.protected else node.caption,
                "protected": node.protected,
                "roles": [] if node.protected else sorted(node.roles),
                "country": node.country,
            }
        )
    return {"nodes": nodes, "ties": ties}


@router.get("/neighbourhood", summary="Everything within a few ties of an entity, for the link chart")
def get_neighbourhood(
    session: SessionDep,
    services: ServicesDep,
    entity: Annotated[list[str], Query(min_length=1, max_length=20, description="one or more seeds")],
    hops: Annotated[int, Query(ge=1, le=3)] = 1,
    max_entities: Annotated[int, Query(ge=10, le=2000)] = 500,
    relation: Annotated[list[str] | None, Query(description="keep only these relations")] = None,
    since: Annotated[str | None, Query(description="YYYY-MM-DD")] = None,
    until: Annotated[str | None, Query(description="YYYY-MM-DD")] = None,
    min_grade: Annotated[
        str | None, Query(pattern="^[A-D][1-4]$", description="common grade, e.g. B2")
    ] = None,
) -> dict[str, Any]:
    hops = min(hops, services.limits.max_hops)
    state = _resolved(session)
    name = resolution.canonical_for(session.store, session.viewer)  # cluster ids the viewer may be shown
    seeds = [state.cluster_of(e) for e in entity]
    wanted = [m for s in seeds for m in state.members_of(s)]
    if not session.store.visible_entities(wanted, viewer=session.viewer):
        raise NotFound(f"no entity {entity[0]!r}", entity_id=entity[0])
    hood = neighbourhood(
        session.store,
        seeds,
        viewer=session.viewer,
        hops=hops,
        max_entities=min(max_entities, services.limits.max_graph_entities),
        members=state.members_of,
        canonical=name,
    )
    shown = [name(e) for e in entity]
    session.consulted("graph", ",".join(shown), {"hops": hops, "entities": len(hood.graph.nodes)})
    out = chart(
        hood.graph,
        hood.statements,
        relations=set(relation) if relation else None,
        since=_day(since, "since"),
        until=_day(until, "until"),
        min_grade=min_grade,
    )
    return {"seeds": shown, "hops": hood.hops, "truncated": hood.truncated, **out}


@router.get("/path", summary="The shortest chain of ties between two entities (within 4 ties)")
def get_path(
    session: SessionDep,
    source: Annotated[str, Query(min_length=1, max_length=200)],
    target: Annotated[str, Query(min_length=1, max_length=200)],
) -> dict[str, Any]:
    state = _resolved(session)
    name = resolution.canonical_for(session.store, session.viewer)
    a, b = name(source), name(target)
    hood = neighbourhood(
        session.store,
        [state.cluster_of(source), state.cluster_of(target)],
        viewer=session.viewer,
        hops=2,
        max_entities=2000,
        members=state.members_of,
        canonical=name,
    )
    g = hood.graph.to_igraph()
    names = g.vs["name"] if g.vcount() else []
    if a not in names or b not in names:
        raise NotFound(f"no entity {source if a not in names else target!r}")
    found = g.get_shortest_paths(names.index(a), to=names.index(b), output="vpath")[0]
    session.consulted("graph", f"{a},{b}", {"path": len(found)})
    if not found:
        return {"source": a, "target": b, "path": [], "ties": []}
    path = [names[i] for i in found]
    sub = chart(hood.graph, hood.statements)
    on_path = {frozenset(p) for p in itertools.pairwise(path)}
    return {
        "source": a,
        "target": b,
        "path": path,
        "nodes": [n for n in sub["nodes"] if n["id"] in set(path)],
        "ties": [t for t in sub["ties"] if frozenset((t["source"], t["target"])) in on_path],
    }


def _network(request: Request, session: Session) -> EntityGraph:
    cache: ViewCache[EntityGraph] = request.app.state.networks
    return cache.get(
        view_key(session),
        lambda: visible_network(
            session.store, session.viewer, canonical=resolution.canonical_for(session.store, session.viewer)
        ),
    )


@router.post("/plan", summary="Brokers, communities and a disruption plan on the network you may see")
def post_plan(request: Request, session: SessionDep, body: PlanRequest) -> dict[str, Any]:
    people = _network(request, session)
    result = network_summary(people, k=body.k, strategy=body.strategy, exclude=body.exclude)
    session.consulted("network", None, {"persons": result["persons"], "k": body.k})
    return result
