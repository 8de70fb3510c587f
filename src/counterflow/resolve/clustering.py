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
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

from counterflow.resolve.identifiers import dates_conflict
from counterflow.resolve.names import same_name
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


@dataclass(frozen=True, slots=True)
class ScoredPair:
    left: int
    right: int
    match_weight: float
    match_probability: float


@dataclass(slots=True)
class _Attrs:
    """What a record (or a whole cluster, once merged) says that another cannot contradict.

    Frozen and shared where they can be: a run holds one per record (200,000 records with four
    sets each were 180 MB); a cluster's are the union of its two parts' when it grows."""

    dobs: AbstractSet[str] = frozenset()
    ids: AbstractSet[str] = frozenset()
    genders: AbstractSet[str] = frozenset()
    kinds: AbstractSet[str] = frozenset()


@dataclass(slots=True)
class Clustering:
    labels: list[int]  # root record of each record
    accepted: list[Link]
    refused: list[tuple[Link, str]]


_NONE: frozenset[str] = frozenset()


@lru_cache(maxsize=65_536)
def _one(value: str) -> frozenset[str]:
    return frozenset((value,))


def attributes(rec: Record) -> _Attrs:
    ids = [d for d in rec.docs if d.startswith(("jmbg:", "natid:"))]
    return _Attrs(
        dobs=_one(rec.dob) if rec.dob else _NONE,
        ids=frozenset(ids) if ids else _NONE,
        genders=_one(rec.gender) if rec.gender else _NONE,
        kinds=_one(rec.kind),
    )


def _conflict(
    a: _Attrs, b: _Attrs, direct: tuple[AbstractSet[str], AbstractSet[str]] = (_NONE, _NONE)
) -> str | None:
    if a.kinds != b.kinds:
        return "different kinds of entity"
    if a.genders and b.genders and a.genders != b.genders:
        return "different genders"
    if a.ids and b.ids and not a.ids & b.ids:
        return "different national identity numbers"
    for x in sorted(a.dobs):  # sorted: the reason given must not depend on string hashing
        for y in sorted(b.dobs):
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
            sa = summary.pop(ra, None) or attrs[ra]
            sb = summary.pop(rb, None) or attrs[rb]
            summary[ra] = _Attrs(
                sa.dobs | sb.dobs, sa.ids | sb.ids, sa.genders | sb.genders, sa.kinds | sb.kinds
            )
        fa, fb = forbid_root.pop(ra, None), forbid_root.pop(rb, None)
        if fa or fb:
            forbid_root[ra] = (fa or set()) | (fb or set())
        accepted.append(link)
    return Clustering([find(i) for i in range(n)], accepted, refused)


def constrained_clusters(
    records: Sequence[Record],
    links: Sequence[Link],
    scored: Sequence[ScoredPair],
    cannot_link: Sequence[tuple[int, int]] = (),
) -> tuple[Clustering, list[Link]]:
    """The run's clusters: ``links`` under the constraints, then the name-only records attached
    (:func:`name_only_links`) and the links clustered again with them. Returns the clustering and
    the name-only links. ``records[i].uid == i``; links and pairs name records by uid."""
    attrs = [attributes(r) for r in records]
    result = cluster(len(records), links, attrs=attrs, cannot_link=cannot_link)
    extra = name_only_links(records, scored, result.labels)
    if extra:
        result = cluster(len(records), [*links, *extra], attrs=attrs, cannot_link=cannot_link)
    return result, extra


def name_only(rec: Record) -> bool:
    """A record with a name and nothing else to tell one namesake from another."""
    return not (rec.dob or rec.selectors or rec.docs or rec.weak_ids or rec.address)


def weakly_dated(rec: Record) -> bool:
    """A record with a name and at most a partial birth date (a year, a month): nothing else."""
    if rec.selectors or rec.docs or rec.weak_ids or rec.address:
        return False
    return rec.dob is None or len(rec.dob) < 10


def name_only_links(
    records: Sequence[Record], scored: Sequence[ScoredPair], labels: Sequence[int]
) -> list[Link]:
    """Attach a name-only record to the one identity its name points to, never to one of several.

    Such a record's best score is its name's: it cannot tell namesakes apart. It joins a cluster
    when every record that carries its name (all parts matching) and something more (a date, a
    selector, a document) lies in that one cluster; if the name leads to two identities it is left
    alone (and shows in the review queue). Nor does it join a cluster that already holds a dated
    record of its own agency: an agency that recorded the person's birth date would have written
    it on a record of that person, so its undated record of the same name is more likely a
    namesake. (Agencies do keep several records of one person: the rule asks for the date.)

    A record whose only date is partial (a year, a month) is weighed the same way against the
    identities its name *and* date can belong to: every record carrying its name whose date does
    not conflict must lie in one cluster, and that cluster must hold a record with a date that
    agrees (the partial date is then the evidence the agency's own date would give).
    """
    partners: dict[int, set[int]] = {}
    for p in scored:
        a, b = records[p.left], records[p.right]
        for x, y in ((a, b), (b, a)):
            if (
                weakly_dated(x)
                and not name_only(y)
                and x.kind == y.kind
                and len(x.parts) >= 2
                and not (x.dob and y.dob and dates_conflict(x.dob, y.dob))
                and same_name(x.parts, y.parts)
            ):
                partners.setdefault(x.uid, set()).add(y.uid)
    dated_agencies: dict[int, set[str]] = {}
    for rec in records:
        if rec.dob:
            dated_agencies.setdefault(labels[rec.uid], set()).add(rec.agency)
    out: list[Link] = []
    for uid, others in sorted(partners.items()):
        clusters = {labels[o] for o in others}
        if len(clusters) != 1 or labels[uid] in clusters:
            continue
        rec = records[uid]
        if rec.dob:
            if not any(records[o].dob for o in others):
                continue
            reason = "name and partial birth date, one identity carries them"
        else:
            if rec.agency in dated_agencies.get(next(iter(clusters)), set()):
                continue
            reason = "name only, one identity carries that name"
        out.append(Link(uid, min(others), MODEL, 0.0, reason))
    return out
