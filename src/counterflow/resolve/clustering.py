"""Clusters from scored links, with the constraints that keep a chain of links honest.

Links are taken strongest first (analyst merges, then personal identifiers, then model scores,
ties broken by record order, so the result is deterministic) and each joins two clusters unless
the two clusters *cannot* be one entity:

* an active analyst "negative" judgement between a member of each (a split);
* two different JMBG/national numbers, two genders, or birth dates that conflict
  (:func:`~counterflow.resolve.identifiers.dates_conflict`) between a member of each, other than
  the two records the link joins (their dates are part of the link's own score).

This is what stops transitive chaining: ``A`` ~ ``B`` and ``B`` ~ ``C`` do not put the brothers
``A`` and ``C`` together when their birth dates differ. Analyst merges are forced (an analyst
may overrule a constraint); a refused link is returned with its reason so it can be reviewed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from counterflow.resolve.identifiers import dates_conflict
from counterflow.resolve.records import Record

ANALYST, IDENTIFIER, MODEL = 3, 2, 1


@dataclass(frozen=True, slots=True)
class Link:
    """A proposed merge of two records: who or what proposes it, how strongly, and why."""

    left: int
    right: int
    priority: int  # ANALYST, IDENTIFIER or MODEL
    score: float
    reason: str

    def sort_key(self) -> tuple[int, float, int, int]:
        return (-self.priority, -self.score, min(self.left, self.right), max(self.left, self.right))


@dataclass(slots=True)
class _Attrs:
    dobs: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    genders: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Clustering:
    labels: list[int]  # root record of each record
    accepted: list[Link]
    refused: list[tuple[Link, str]]


def attributes(rec: Record) -> _Attrs:
    return _Attrs(
        dobs={rec.dob} if rec.dob else set(),
        ids={d for d in rec.docs if d.startswith(("jmbg:", "natid:"))},
        genders={rec.gender} if rec.gender else set(),
        kinds={rec.kind},
    )


def _conflict(a: _Attrs, b: _Attrs, direct: tuple[set[str], set[str]] = (set(), set())) -> str | None:
    if a.kinds != b.kinds:
        return "different kinds of entity"
    if a.genders and b.genders and a.genders != b.genders:
        return "different genders"
    if a.ids and b.ids and not a.ids & b.ids:
        return "different national identity numbers"
    for x in a.dobs:
        for y in b.dobs:
            if x in direct[0] and y in direct[1]:
                continue  # the linked pair's own dates: its score has weighed them already
            if dates_conflict(x, y):
                return f"birth dates {x} and {y} conflict"
    return None


def cluster(
    n: int,
    links: Iterable[Link],
    *,
    attrs: Sequence[_Attrs] | None = None,
    cannot_link: Iterable[tuple[int, int]] = (),
) -> Clustering:
    """Greedy constrained union of ``n`` records by ``links`` (strongest first)."""
    parent = list(range(n))
    members: dict[int, list[int]] = {}
    summary: dict[int, _Attrs] = {}
    forbidden: dict[int, set[int]] = {}
    for a, b in cannot_link:
        forbidden.setdefault(a, set()).add(b)
        forbidden.setdefault(b, set()).add(a)
    forbid_root: dict[int, set[int]] = {k: set(v) for k, v in forbidden.items()}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    accepted: list[Link] = []
    refused: list[tuple[Link, str]] = []
    for link in sorted(links, key=Link.sort_key):
        ra, rb = find(link.left), find(link.right)
        if ra == rb:
            continue
        if link.priority < ANALYST:
            why = None
            fa, fb = forbid_root.get(ra), forbid_root.get(rb)
            if fa or fb:
                mb = members.get(rb, [rb])
                ma = members.get(ra, [ra])
                if (fa and any(m in fa for m in mb)) or (fb and any(m in fb for m in ma)):
                    why = "an analyst split them"
            if why is None and attrs is not None:
                direct = (attrs[link.left].dobs, attrs[link.right].dobs)
                why = _conflict(summary.get(ra) or attrs[ra], summary.get(rb) or attrs[rb], direct)
            if why is not None:
                refused.append((link, why))
                continue
        # union by size: the larger cluster's root stays
        ma = members.pop(ra, [ra])
        mb = members.pop(rb, [rb])
        if len(ma) < len(mb):
            ra, rb, ma, mb = rb, ra, mb, ma
        parent[rb] = ra
        members[ra] = ma + mb
        if attrs is not None:
            sa = summary.pop(ra, None) or _copy(attrs[ra])
            sb = summary.pop(rb, None) or attrs[rb]
            sa.dobs |= sb.dobs
            sa.ids |= sb.ids
            sa.genders |= sb.genders
            sa.kinds |= sb.kinds
            summary[ra] = sa
        fa, fb = forbid_root.pop(ra, None), forbid_root.pop(rb, None)
        if fa or fb:
            forbid_root[ra] = (fa or set()) | (fb or set())
        accepted.append(link)
    return Clustering([find(i) for i in range(n)], accepted, refused)


def _copy(a: _Attrs) -> _Attrs:
    return _Attrs(set(a.dobs), set(a.ids), set(a.genders), set(a.kinds))
