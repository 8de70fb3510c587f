"""The neighbourhood of a few entities, read from the store as one viewer may see it.

A link chart needs the ties around one person, not the whole network: building the
graph of every statement per click would cost seconds on a national store. This reads
outwards from the seeds through the store's value index instead, one hop at a time:

* a hop starts from the frontier's *keys*: its entity ids (which link entities such as
  Call, Payment, Trip or Associate reference) and its selectors (phones, e-mails, IBANs,
  which call records and other holders share);
* the entities touching those keys are read; link entities among them are followed at
  once to their other ends (a call is a tie, not a hop), and the holders of the same
  selectors join as well;
* everything is read through the viewer (the store's visibility rule), so what the viewer
  may not see is never fetched, and the graph is built on the visible statements only.

Seeds and every entity reached are widened to their resolved cluster (``members``), and
``build_graph`` folds cluster members into one node (``canonical``). Reading stops at
``max_entities``; the result says whether it was cut short.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from followthemoney import model as ftm_model

from counterflow.graph.build import (
    DATE_PROPS,
    LINK_SCHEMATA,
    SELECTOR_TYPES,
    EntityGraph,
    _is_edge,
    build_graph,
)
from counterflow.model.statement import ROLE_PROP, Fact
from counterflow.model.visibility import Viewer
from counterflow.store.sql import SqlStore

__all__ = ["GRAPH_PROPS", "GRAPH_TYPES", "Neighbourhood", "neighbourhood"]

# What ``build_graph`` reads: every reference and selector, and by name the properties it
# uses: the caption, roles, country, the dates of links, a payment's amount and a meeting's
# place. Report bodies, descriptions, birth dates, name parts and record numbers are left in
# the store: on a hub's neighbourhood they were a fifth of the rows read, and reading rows is
# most of a link chart's cost. A test holds this list to the graph of every statement.
GRAPH_TYPES = ("entity", *SELECTOR_TYPES)
GRAPH_PROPS = ("name", "nationality", "country", ROLE_PROP, *DATE_PROPS, "amount", "location")
# Of these, a node needs each distinct value once (its caption, roles and country), not every
# report repeating it: the earliest statement of each value is read, which keeps the caption.
GRAPH_ATTRIBUTES = ("name", "nationality", "country", ROLE_PROP)


@dataclass
class Neighbourhood:
    graph: EntityGraph
    statements: list[Fact]  # what the graph was built from (values, times and markings)
    truncated: bool
    hops: int


@lru_cache(maxsize=256)
def _is_document(schema: str) -> bool:
    """Report texts and their mentions: evidence behind ties, not parties to them."""
    found = ftm_model.get(schema)
    return schema in ("Mention", "Note") or (found is not None and found.is_a("Document"))


@lru_cache(maxsize=256)
def _is_link(schema: str) -> bool:
    return schema in LINK_SCHEMATA or _is_edge(schema)


def _keys(stmts: Iterable[Fact]) -> tuple[set[str], dict[str, set[str]], set[str]]:
    """(ids of these entities, selector values by type, entity ids they reference)."""
    ids: set[str] = set()
    selectors: dict[str, set[str]] = {}
    refs: set[str] = set()
    for s in stmts:
        ids.add(s.entity_id)
        if s.prop_type in SELECTOR_TYPES:
            selectors.setdefault(s.prop_type, set()).add(s.value)
        elif s.prop_type == "entity":
            refs.add(s.value)
    return ids, selectors, refs


def neighbourhood(
    store: SqlStore,
    seeds: Iterable[str],
    *,
    viewer: Viewer,
    hops: int = 2,
    max_entities: int = 500,
    members: Callable[[str], list[str]] | None = None,
    canonical: Callable[[str], str] | None = None,
    half_life_days: float | None = 180.0,
) -> Neighbourhood:
    """The graph of everything within ``hops`` ties of ``seeds`` that ``viewer`` may see."""
    widen = members or (lambda e: [e])
    loaded: dict[str, list[Fact]] = {}
    truncated = False

    def load(entity_ids: Iterable[str]) -> list[Fact]:
        todo = sorted({m for e in entity_ids for m in widen(e)} - loaded.keys())
        got = (
            store.facts_for_entities(
                todo, viewer=viewer, prop_types=GRAPH_TYPES, props=GRAPH_PROPS, first_only=GRAPH_ATTRIBUTES
            )
            if todo
            else []
        )
        for e in todo:
            loaded[e] = []
        for s in got:
            loaded[s.entity_id].append(s)
        return got

    def touching(ids: set[str], selectors: dict[str, set[str]], budget: int) -> dict[str, str]:
        found = store.entities_with_values("entity", ids, viewer=viewer, limit=budget)
        for ptype, values in sorted(selectors.items()):
            if len(found) > budget:
                break
            found.update(store.entities_with_values(ptype, values, viewer=viewer, limit=budget))
        return {e: sch for e, sch in found.items() if e not in loaded and not _is_document(sch)}

    frontier = load(seeds)
    done_hops = 0
    for _ in range(max(0, hops)):
        if not frontier:
            break
        budget = max_entities - len(loaded)
        if budget <= 0:
            truncated = True
            break
        ids, selectors, refs = _keys(frontier)
        near = touching(ids, selectors, budget)
        if len(near) > budget:
            truncated = True
            near = dict(sorted(near.items())[:budget])
        got = load([*near, *(r for r in refs if r not in loaded)])
        links = [s for s in got if _is_link(s.schema)]
        _, link_selectors, link_refs = _keys(links)
        budget = max_entities - len(loaded)
        ends = {
            e: sch for e, sch in touching(set(), link_selectors, max(budget, 0)).items() if not _is_link(sch)
        }
        if len(ends) > budget:
            truncated = True
            ends = dict(sorted(ends.items())[: max(budget, 0)])
        got += load([*ends, *(r for r in link_refs if r not in loaded)])
        frontier = [s for s in got if not _is_link(s.schema)]
        done_hops += 1
    statements = [s for stmts in loaded.values() for s in stmts]
    graph = build_graph(statements, canonical=canonical, half_life_days=half_life_days)
    return Neighbourhood(graph, statements, truncated, done_hops)
