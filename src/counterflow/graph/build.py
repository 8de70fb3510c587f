"""Graphs from statements: who is tied to whom, how strongly, how recently, on whose word.

``build_graph(statements)`` reads Counterflow statements (any order, e.g. ``SqlStore.iter_statements``)
and returns an :class:`EntityGraph`: nodes are entities (persons, organisations, vehicles,
accounts), selectors (``phone:…``, ``email:…``, ``iban:…``) and places (``place:…``); ties are
typed relations aggregated over every occurrence:

==================  =====================================================================
relation            from
==================  =====================================================================
call                Call: caller/receiver, or the callerNumber/receiverNumber selectors
payment             Payment: payer/beneficiary, or payerAccount/beneficiaryAccount
travel, co-travel   Trip: each involved person with the vehicle; involved persons pairwise
co-location, at     Event: involved pairwise; involved persons and vehicles with the place
family, associate   Family (person/relative), Associate (person/associate)
membership          Membership (member/organization)
ownership           Ownership (owner/asset), Vehicle.owner
link                UnknownLink (subject/object); other FtM edge schemata by their name
uses, holds         an entity's phone/email/iban values; a payer and the account it paid from
shared-selector     two persons with the same phone, e-mail or IBAN (not for selectors held
                    by more than ``max_shared`` persons: switchboards, NGO hotlines)
==================  =====================================================================

Each occurrence (one link entity, one selector statement) adds 1 to ``count`` and
``2^(−age/half_life)`` to ``weight`` (age in days before ``now``, by default the latest
occurrence; ``half_life_days=None`` makes weight = count). Its time is the relation's own date
(startDate, date, endDate) if it has one, else the statement's observed_at, else reported_at.
With ``window`` only occurrences inside it count. Every tie keeps the ids of the statements it
came from. Entity ids go through ``canonical`` (entity resolution) first.

``person_projection`` keeps persons only: two persons are tied when tied directly, or when
their selectors, vehicles, accounts or places are (a call between two phones ties the holders
of the phones). ``graph_from_edge_list`` reads a plain ``source,target[,weight]`` CSV.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from followthemoney import model as ftm_model

from counterflow.errors import InvalidValue
from counterflow.graph._ig import Graph, ig
from counterflow.model.roles import PROTECTED_ROLES
from counterflow.model.statement import ROLE_PROP, StatementLike

__all__ = [
    "EntityGraph",
    "Node",
    "Tie",
    "build_graph",
    "graph_from_edge_list",
    "mark_protected",
    "person_projection",
]

SELECTOR_TYPES = {"phone": "phone", "email": "email", "iban": "iban"}
HOLDING = frozenset({"uses", "holds", "ownership", "travel", "membership"})
DIRECTED = frozenset({"call", "payment"})
DATE_PROPS = ("startDate", "date", "endDate")
Occurrence = tuple[str, str, str, str, set[str], set[str]]  # a, b, relation, when, statement ids, via
LINK_SCHEMATA = frozenset(
    {"Call", "Payment", "Trip", "Event", "Family", "Associate", "Membership", "Ownership", "UnknownLink"}
)


# Marks a node protected when the flag comes from outside the statements read (a victim flag on
# another record of the same resolved person, which the reader may not see): ``mark_protected``.
PROTECTED_MARK = "protected"


@dataclass
class Node:
    id: str
    kind: str  # entity, selector, place
    schema: str
    caption: str
    roles: set[str] = field(default_factory=set)
    country: str | None = None

    @property
    def protected(self) -> bool:
        return PROTECTED_MARK in self.roles or any(r in PROTECTED_ROLES for r in self.roles)


@dataclass
class Tie:
    source: str
    target: str
    relation: str
    count: int = 0
    weight: float = 0.0
    first: str | None = None
    last: str | None = None
    statements: set[str] = field(default_factory=set)
    via: set[str] = field(default_factory=set)

    def add(self, when: str, w: float, statements: Iterable[str], via: Iterable[str] = ()) -> None:
        self.count += 1
        self.weight += w
        self.first = when if self.first is None or when < self.first else self.first
        self.last = when if self.last is None or when > self.last else self.last
        self.statements.update(statements)
        self.via.update(via)


@dataclass
class EntityGraph:
    """The multi-relational graph: typed, weighted ties with their statements."""

    nodes: dict[str, Node] = field(default_factory=dict)
    ties: dict[tuple[str, str, str], Tie] = field(default_factory=dict)

    def tie(self, a: str, b: str, relation: str) -> Tie:
        if relation not in DIRECTED and b < a:
            a, b = b, a
        key = (a, b, relation)
        found = self.ties.get(key)
        if found is None:
            found = self.ties[key] = Tie(a, b, relation)
        return found

    def to_igraph(self, *, relations: Iterable[str] | None = None, directed: bool = False) -> Graph:
        """A simple graph: parallel ties merged (weights and counts summed, statements united)."""
        keep = None if relations is None else set(relations)
        merged: dict[tuple[str, str], list[Tie]] = {}
        for t in self.ties.values():
            if (keep is not None and t.relation not in keep) or t.source == t.target:
                continue
            a, b = t.source, t.target
            if not directed and b < a:
                a, b = b, a
            merged.setdefault((a, b), []).append(t)
        used = sorted(
            {x for pair in merged for x in pair} | {i for i, n in self.nodes.items() if n.schema == "Person"}
        )
        index = {n: i for i, n in enumerate(used)}
        g = ig.Graph(n=len(used), edges=[(index[a], index[b]) for a, b in merged], directed=directed)
        nodes = [self.nodes.get(n) or Node(n, "entity", "Thing", n) for n in used]
        g.vs["name"] = used
        g.vs["kind"] = [n.kind for n in nodes]
        g.vs["schema"] = [n.schema for n in nodes]
        g.vs["caption"] = [n.caption for n in nodes]
        g.vs["roles"] = [",".join(sorted(n.roles)) for n in nodes]
        g.vs["protected"] = [n.protected for n in nodes]
        g.vs["country"] = [n.country for n in nodes]
        ties = list(merged.values())
        g.es["weight"] = [sum(t.weight for t in ts) for ts in ties]
        g.es["count"] = [sum(t.count for t in ts) for ts in ties]
        g.es["relations"] = [",".join(sorted({t.relation for t in ts})) for ts in ties]
        g.es["statements"] = [sorted(set().union(*(t.statements for t in ts))) for ts in ties]
        g.es["via"] = [sorted(set().union(*(t.via for t in ts))) for ts in ties]
        return g


def mark_protected(graph: EntityGraph, entity_ids: Iterable[str]) -> EntityGraph:
    """Mark these nodes protected (never ranked, targeted or named), whatever their visible roles."""
    for e in entity_ids:
        node = graph.nodes.get(e)
        if node is not None:
            node.roles.add(PROTECTED_MARK)
    return graph


def _day(value: str | None) -> date | None:
    if not value:
        return None
    v = value[:10]
    for cut, suffix in ((10, ""), (7, "-01"), (4, "-01-01")):
        try:
            return date.fromisoformat(v[:cut] + suffix)
        except ValueError:
            continue
    return None


@dataclass
class _Entity:
    schemata: set[str] = field(default_factory=set)
    props: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # value, statement id, time

    def values(self, prop: str) -> list[str]:
        return [v for v, _, _ in self.props.get(prop, [])]

    def ids(self, *props: str) -> set[str]:
        return {s for p in props for _, s, _ in self.props.get(p, [])}


def _collect(statements: Iterable[StatementLike], canonical: Callable[[str], str]) -> dict[str, _Entity]:
    ents: dict[str, _Entity] = {}
    for s in statements:
        eid = canonical(s.entity_id)
        ent = ents.get(eid)
        if ent is None:
            ent = ents[eid] = _Entity()
        ent.schemata.add(s.schema)
        value = canonical(s.value) if s.prop_type == "entity" else s.value
        ent.props.setdefault(s.prop, []).append((value, s.id, s.observed_at or s.reported_at))
    return ents


def nodes_and_occurrences(
    statements: Iterable[StatementLike], canonical: Callable[[str], str] | None = None
) -> tuple[EntityGraph, list[Occurrence]]:
    """A graph of the entities' nodes (no ties yet) and every occurrence of a tie.

    The map half of graph building, entity by entity (after ``canonical``); :func:`build_graph`
    aggregates the occurrences in memory, :mod:`counterflow.graph.batch` on a batch engine.
    """
    g = EntityGraph()
    occurrences: list[Occurrence] = []
    for eid, ent in _collect(statements, canonical or (lambda x: x)).items():
        node, found = _entity_occurrences(eid, ent)
        if node is not None:
            g.nodes[node.id] = node
        occurrences.extend(found)
    return g, occurrences


def _entity_occurrences(eid: str, ent: _Entity) -> tuple[Node | None, list[Occurrence]]:
    schema = _schema(ent.schemata)
    out: list[Occurrence] = []
    if schema in LINK_SCHEMATA or _is_edge(schema):
        _link(schema, ent, _when(ent), out)
        return None, out
    names = ent.values("name")
    countries = ent.values("nationality") or ent.values("country")
    node = Node(
        eid,
        "entity",
        schema,
        names[0] if names else eid,
        set(ent.values(ROLE_PROP)),
        countries[0] if countries else None,
    )
    for prop, vals in ent.props.items():
        ptype = _prop_type(schema, prop)
        if ptype in SELECTOR_TYPES:
            for v, sid, t in vals:
                out.append((eid, f"{ptype}:{v}", "uses", t, {sid}, set()))
        if prop == "owner" and schema == "Vehicle":
            for v, sid, t in vals:
                out.append((v, eid, "ownership", t, {sid}, set()))
    return node, out


def build_graph(
    statements: Iterable[StatementLike],
    *,
    canonical: Callable[[str], str] | None = None,
    half_life_days: float | None = 180.0,
    now: date | None = None,
    window: tuple[date | None, date | None] | None = None,
    max_shared: int = 50,
) -> EntityGraph:
    """The multi-relational graph of the statements (see the module docstring)."""
    g, occurrences = nodes_and_occurrences(statements, canonical)
    times = [d for o in occurrences if (d := _day(o[3])) is not None]
    ref = now or (max(times) if times else date.today())
    start, end = window if window is not None else (None, None)
    for a, b, rel, t, ids, via in occurrences:
        day = _day(t)
        if window is not None and (day is None or (start and day < start) or (end and day > end)):
            continue
        w = 1.0
        if half_life_days is not None and day is not None:
            w = 2.0 ** (-max(0, (ref - day).days) / half_life_days)
        for x in (a, b):
            if x not in g.nodes:
                g.nodes[x] = _endpoint(x)
        g.tie(a, b, rel).add(t, w, ids, via)
    _shared(g, max_shared)
    return g


def _endpoint(x: str) -> Node:
    """The node of a tie's end that no statement describes: a selector, a place, an entity
    known only from a reference."""
    kind = x.split(":", 1)[0]
    kind = "selector" if kind in SELECTOR_TYPES else ("place" if kind == "place" else "entity")
    return Node(x, kind, "Thing" if kind == "entity" else kind, x)


def add_endpoint_nodes(g: EntityGraph) -> None:
    """Nodes for the ends of ``g``'s ties that have none yet (in the order of the ties)."""
    for a, b, _ in g.ties:
        for x in (a, b):
            if x not in g.nodes:
                g.nodes[x] = _endpoint(x)


def shared_selector_ties(g: EntityGraph, max_shared: int = 50) -> None:
    """Add ``shared-selector`` ties between the holders of each selector (see the module docstring)."""
    _shared(g, max_shared)


def _schema(schemata: set[str]) -> str:
    known = [s for s in schemata if ftm_model.get(s) is not None]
    if not known:
        return sorted(schemata)[0]
    result = ftm_model.get(known[0])
    for s in known[1:]:
        try:
            result = ftm_model.common_schema(result, s)
        except Exception:  # incompatible schemata from different agencies: keep the first
            continue
    return sorted(schemata)[0] if result is None else str(result.name)


def _is_edge(schema: str) -> bool:
    s = ftm_model.get(schema)
    return bool(s is not None and s.edge and s.edge_source and s.edge_target)


def _prop_type(schema: str, prop: str) -> str | None:
    s = ftm_model.get(schema)
    p = s.get(prop) if s is not None else None
    return None if p is None else str(p.type.name)


def _when(ent: _Entity) -> str:
    for prop in DATE_PROPS:
        for v, _, _ in ent.props.get(prop, []):
            if _day(v):
                return v
    return min((t for vals in ent.props.values() for _, _, t in vals), default="")


def _link(schema: str, ent: _Entity, when: str, out: list[Occurrence]) -> None:
    def add(a: str, b: str, rel: str, ids: set[str], via: set[str] | None = None) -> None:
        if a != b:
            out.append((a, b, rel, when, ids, via or set()))

    date_ids = ent.ids(*DATE_PROPS)
    if schema == "Call":
        callers = ent.values("caller") or [f"phone:{v}" for v in ent.values("callerNumber")]
        receivers = ent.values("receiver") or [f"phone:{v}" for v in ent.values("receiverNumber")]
        via = {f"phone:{v}" for v in ent.values("callerNumber") + ent.values("receiverNumber")}
        ids = ent.ids("caller", "receiver", "callerNumber", "receiverNumber") | date_ids
        for a, b in itertools.product(callers, receivers):
            add(a, b, "call", ids, via)
        for p, num in (("caller", "callerNumber"), ("receiver", "receiverNumber")):
            for a, v in itertools.product(ent.values(p), ent.values(num)):
                add(a, f"phone:{v}", "uses", ent.ids(p, num))
    elif schema == "Payment":
        payers = ent.values("payer") or ent.values("payerAccount")
        payees = ent.values("beneficiary") or ent.values("beneficiaryAccount")
        via = set(ent.values("payerAccount") + ent.values("beneficiaryAccount"))
        ids = ent.ids("payer", "beneficiary", "payerAccount", "beneficiaryAccount", "amount") | date_ids
        for a, b in itertools.product(payers, payees):
            add(a, b, "payment", ids, via)
        for p, acc in (("payer", "payerAccount"), ("beneficiary", "beneficiaryAccount")):
            for a, b in itertools.product(ent.values(p), ent.values(acc)):
                add(a, b, "holds", ent.ids(p, acc))
    elif schema in {"Trip", "Event"}:
        involved = sorted(set(ent.values("involved")))
        vehicles = ent.values("vehicle")
        places = [f"place:{v.strip().lower()}" for v in ent.values("location") + ent.values("startLocation")]
        pair = "co-travel" if schema == "Trip" else "co-location"
        ids = ent.ids("involved", "vehicle") | date_ids
        for a, b in itertools.combinations(involved, 2):
            add(a, b, pair, ids, set(vehicles) | set(places))
        for a, v in itertools.product(involved, vehicles):
            add(a, v, "travel", ids)
        for a, p in itertools.product(involved + vehicles, places):
            add(a, p, "at", ids | ent.ids("location", "startLocation"))
    else:
        s = ftm_model.get(schema)
        src, dst = "subject", "object"
        if s is not None and s.edge and s.edge_source and s.edge_target:
            src, dst = str(s.edge_source), str(s.edge_target)
        rel = {
            "Family": "family",
            "Associate": "associate",
            "Membership": "membership",
            "Ownership": "ownership",
        }
        relation = rel.get(schema, "link" if schema == "UnknownLink" else schema.lower())
        for a, b in itertools.product(ent.values(src), ent.values(dst)):
            add(a, b, relation, ent.ids(src, dst) | date_ids)


def _holders(g: EntityGraph) -> dict[str, set[tuple[str, str, str]]]:
    """Person holders of every non-person node, through holding ties (two steps for selectors)."""

    def schema(x: str) -> str | None:
        node = g.nodes.get(x)
        return None if node is None else node.schema

    direct: dict[str, set[tuple[str, str, str]]] = {}
    for key, t in g.ties.items():
        if t.relation not in HOLDING:
            continue
        for a, b in ((t.source, t.target), (t.target, t.source)):
            if schema(a) == "Person" and schema(b) not in (None, "Person"):
                direct.setdefault(b, set()).add(key)
    out = {k: set(v) for k, v in direct.items()}
    for key, t in g.ties.items():
        if t.relation != "uses":
            continue
        for ent, sel in ((t.source, t.target), (t.target, t.source)):
            if g.nodes.get(sel) and g.nodes[sel].kind == "selector" and ent in direct:
                out.setdefault(sel, set()).update(direct[ent] | {key})
    return out


def _person_of(g: EntityGraph, key: tuple[str, str, str]) -> str:
    a, b, _ = key
    return a if g.nodes.get(a) and g.nodes[a].schema == "Person" else b


def _shared(g: EntityGraph, max_shared: int) -> None:
    holders = _holders(g)
    for sel, keys in holders.items():
        if g.nodes[sel].kind != "selector":
            continue
        people: dict[str, set[str]] = {}
        for key in keys:
            p = _person_of(g, key)
            if g.nodes.get(p) and g.nodes[p].schema == "Person":
                people.setdefault(p, set()).update(g.ties[key].statements)
        if not 2 <= len(people) <= max_shared:
            continue
        for a, b in itertools.combinations(sorted(people), 2):
            t = g.tie(a, b, "shared-selector")
            when = max(g.ties[k].last or "" for k in keys)
            t.add(when, 1.0, people[a] | people[b], {sel})


def person_projection(g: EntityGraph, *, co_membership: bool = False, max_shared: int = 50) -> EntityGraph:
    """Persons only: direct ties, and ties between the things they hold, projected onto them."""
    holders = _holders(g)
    persons = {i: n for i, n in g.nodes.items() if n.schema == "Person"}
    out = EntityGraph(nodes=dict(persons))

    def side(x: str) -> dict[str, set[str]]:
        if x in persons:
            return {x: set()}
        found: dict[str, set[str]] = {}
        for key in holders.get(x, ()):
            p = _person_of(g, key)
            if p in persons:
                found.setdefault(p, set()).update(g.ties[key].statements)
        return found if len(found) <= max_shared else {}

    for t in g.ties.values():
        if t.relation in HOLDING or t.relation == "at":
            continue
        left, right = side(t.source), side(t.target)
        via = {x for x in (t.source, t.target) if x not in persons}
        for (p, ps), (q, qs) in itertools.product(left.items(), right.items()):
            if p != q:
                pt = out.tie(p, q, t.relation)
                pt.count += t.count
                pt.weight += t.weight
                pt.first = min(filter(None, (pt.first, t.first)), default=None)
                pt.last = max(filter(None, (pt.last, t.last)), default=None)
                pt.statements |= t.statements | ps | qs
                pt.via |= t.via | via
    if co_membership:
        members: dict[str, list[Tie]] = {}
        for t in g.ties.values():
            if t.relation == "membership" and t.source in persons:
                members.setdefault(t.target, []).append(t)
        for org, ts in members.items():
            if len(ts) > max_shared:
                continue
            for x, y in itertools.combinations(sorted(ts, key=lambda t: t.source), 2):
                if x.source != y.source:
                    ct = out.tie(x.source, y.source, "co-membership")
                    ct.add(
                        max(x.last or "", y.last or ""),
                        min(x.weight, y.weight),
                        x.statements | y.statements,
                        {org},
                    )
    return out


def graph_from_edge_list(path: str | Path, *, phase: str | None = None) -> Graph:
    """An undirected weighted graph from a CSV with header ``source,target[,weight]``.

    Node ids are strings; duplicate rows and both directions merge, weights summed (1 per row
    without a weight column); self-loops are dropped. Extra columns are ignored, except that
    ``phase`` keeps only rows whose ``phase`` column equals it. Every problem is listed.
    """
    p = Path(path)
    problems: list[str] = []
    merged: dict[tuple[str, str], float] = {}
    nodes: dict[str, None] = {}
    try:
        fh = p.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InvalidValue("edge list", str(p), f"cannot read: {exc.strerror or exc}") from None
    with fh:
        reader = csv.DictReader(fh)
        cols = [c.strip() for c in reader.fieldnames or []]
        reader.fieldnames = cols
        missing = [c for c in ("source", "target") if c not in cols]
        if missing:
            raise InvalidValue(
                "edge list", str(p), f"header must have source,target[,weight]; missing {missing}"
            )
        if phase is not None and "phase" not in cols:
            raise InvalidValue("edge list", str(p), "no phase column")
        for line, row in enumerate(reader, start=2):
            if phase is not None and (row.get("phase") or "").strip() != str(phase):
                continue
            a, b = (row.get("source") or "").strip(), (row.get("target") or "").strip()
            if not a or not b:
                problems.append(f"line {line}: empty source or target")
                continue
            w = 1.0
            raw = (row.get("weight") or "").strip() if "weight" in cols else ""
            if raw:
                try:
                    w = float(raw)
                except ValueError:
                    problems.append(f"line {line}: weight {raw!r} is not a number")
                    continue
                if not w >= 0:
                    problems.append(f"line {line}: weight {raw!r} is negative")
                    continue
            nodes.setdefault(a)
            nodes.setdefault(b)
            if a != b:
                key = (a, b) if a < b else (b, a)
                merged[key] = merged.get(key, 0.0) + w
    if problems:
        shown = "; ".join(problems[:50]) + (f"; … {len(problems) - 50} more" if len(problems) > 50 else "")
        raise InvalidValue("edge list", str(p), f"{len(problems)} problem(s): {shown}")
    names = list(nodes)
    index = {n: i for i, n in enumerate(names)}
    g = ig.Graph(n=len(names), edges=[(index[a], index[b]) for a, b in merged], directed=False)
    g.vs["name"] = names
    g.es["weight"] = list(merged.values())
    return g
