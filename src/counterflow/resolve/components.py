"""The run's constrained clustering on a batch engine, one connected component at a time.

:func:`~counterflow.resolve.clustering.constrained_clusters` decomposes exactly by connected
component of the links and scored pairs: a link can only ever join, or be refused between,
clusters of its own component; a name-only record only looks at the records it was scored
against; a split between two components can never be tested. So the engine finds the components
(:mod:`counterflow.engine.components`), gathers each one's records, links, scored pairs and
splits into one group, and runs the same Python on every group (a grouped map on its workers).
Records outside every component stay alone.

The answer is the in-process answer, not an approximation of it: records are renumbered in uid
order inside a component, so every ordering the clustering uses (strongest link first, ties by
record order, name-only records by uid) is the same, and each link carries its position in the
run's list, so ties between equal links break the same way too. ``tests/resolve/test_components``
holds the two equal on random inputs and on the scenario.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from counterflow.engine import Engine
from counterflow.engine.components import connected_components
from counterflow.resolve.clustering import Clustering, Link, ScoredPair, constrained_clusters
from counterflow.resolve.records import Record, pack_record, unpack_record

__all__ = ["ClusterComponents", "cluster_on"]

RECORD, LINK, PAIR, SPLIT = 0, 1, 2, 3
TASKS = pa.schema(
    [
        ("part", pa.int64()),
        ("seq", pa.int64()),
        ("a", pa.int64()),
        ("b", pa.int64()),
        ("priority", pa.int64()),
        ("score", pa.float64()),
        ("prob", pa.float64()),
        ("text", pa.string()),
    ]
)
LABEL, ACCEPTED, REFUSED, EXTRA = "label", "accepted", "refused", "extra"
RESULTS = pa.schema(
    [
        ("kind", pa.string()),
        ("a", pa.int64()),
        ("b", pa.int64()),
        ("priority", pa.int64()),
        ("score", pa.float64()),
        ("reason", pa.string()),
        ("why", pa.string()),
        ("seq", pa.int64()),  # the link's place in the run's list (-1 for a name-only link)
    ]
)


def _tasks(records: Sequence[Record], links: Sequence[Link], scored: Sequence[ScoredPair],
           cannot_link: Sequence[tuple[int, int]]) -> pa.Table:  # fmt: skip
    part: list[int] = []
    seq: list[int] = []
    a: list[int] = []
    b: list[int | None] = []
    priority: list[int | None] = []
    score: list[float | None] = []
    prob: list[float | None] = []
    text: list[str | None] = []

    def row(p: int, s: int, x: int, y: int | None, pr: int | None, sc: float | None,
            pb: float | None, t: str | None) -> None:  # fmt: skip
        part.append(p)
        seq.append(s)
        a.append(x)
        b.append(y)
        priority.append(pr)
        score.append(sc)
        prob.append(pb)
        text.append(t)

    touched = {u for lk in links for u in (lk.left, lk.right)}
    touched |= {u for p in scored for u in (p.left, p.right)}
    for uid in sorted(touched):
        row(RECORD, uid, uid, None, None, None, None, pack_record(records[uid]))
    for i, lk in enumerate(links):
        row(LINK, i, lk.left, lk.right, lk.priority, lk.score, None, lk.reason)
    for i, p in enumerate(scored):
        row(PAIR, i, p.left, p.right, None, p.match_weight, p.match_probability, None)
    for i, (x, y) in enumerate(cannot_link):
        row(SPLIT, i, x, y, None, None, None, None)
    return pa.table([part, seq, a, b, priority, score, prob, text], schema=TASKS)


class ClusterComponents:
    """The grouped map: each component's rows in, its labels and decisions out (uids throughout)."""

    def __call__(self, table: pa.Table) -> pa.Table:
        cols: dict[str, list[Any]] = table.to_pydict()
        rows = zip(cols["component"], cols["part"], cols["seq"], cols["a"], cols["b"], cols["priority"],
                   cols["score"], cols["prob"], cols["text"], strict=True)  # fmt: skip
        out: dict[str, list[Any]] = {name: [] for name in RESULTS.names}
        for _, group in groupby(rows, key=lambda r: r[0]):
            self._component(list(group), out)
        return pa.table(out, schema=RESULTS)

    @staticmethod
    def _component(rows: list[tuple[Any, ...]], out: dict[str, list[Any]]) -> None:
        records: list[Record] = []
        local: dict[int, int] = {}
        links: list[Link] = []
        seqs: dict[int, int] = {}  # id(link) -> its place in the run's list
        scored: list[ScoredPair] = []
        splits: list[tuple[int, int]] = []
        for _, part, seq, a, b, priority, score, prob, text in rows:  # sorted by part, then seq
            if part == RECORD:
                rec = unpack_record(text)
                local[a] = rec.uid = len(records)
                records.append(rec)
            elif part == LINK:
                links.append(Link(local[a], local[b], priority, score, text))
                seqs[id(links[-1])] = seq
            elif part == PAIR:
                scored.append(ScoredPair(local[a], local[b], score, prob))
            else:
                splits.append((local[a], local[b]))
        uids = sorted(local)  # local index i is the i-th smallest uid of the component
        result, extra = constrained_clusters(records, links, scored, splits)

        def emit(kind: str, a: int, b: int, lk: Link | None = None, why: str | None = None) -> None:
            out["seq"].append(seqs.get(id(lk), -1) if lk else None)
            out["kind"].append(kind)
            out["a"].append(a)
            out["b"].append(b)
            out["priority"].append(lk.priority if lk else None)
            out["score"].append(lk.score if lk else None)
            out["reason"].append(lk.reason if lk else None)
            out["why"].append(why)

        for i, root in enumerate(result.labels):
            emit(LABEL, uids[i], uids[root])
        for lk in result.accepted:
            emit(ACCEPTED, uids[lk.left], uids[lk.right], lk)
        for lk, why in result.refused:
            emit(REFUSED, uids[lk.left], uids[lk.right], lk, why)
        for lk in extra:
            emit(EXTRA, uids[lk.left], uids[lk.right], lk)


def cluster_on(
    engine: Engine,
    records: Sequence[Record],
    links: Sequence[Link],
    scored: Sequence[ScoredPair],
    cannot_link: Sequence[tuple[int, int]] = (),
) -> tuple[Clustering, list[Link]]:
    """:func:`~counterflow.resolve.clustering.constrained_clusters`, component by component on
    ``engine``: the same clustering and name-only links, in the same order."""
    tasks = _tasks(records, links, scored, cannot_link)
    engine.put("cf_cl_tasks", tasks)
    engine.create(
        "cf_cl_edges",
        f"SELECT a AS l, b AS r FROM cf_cl_tasks WHERE part IN ({LINK}, {PAIR})",
    )
    connected_components(engine, "cf_cl_edges", "cf_cl_comp")
    # A split joins its component only when both of its records are in it.
    engine.create(
        "cf_cl_grouped",
        f"""
        SELECT c.component, t.* FROM cf_cl_tasks t
        JOIN cf_cl_comp c ON c.node = t.a
        LEFT JOIN cf_cl_comp o ON o.node = t.b
        WHERE t.part <> {SPLIT} OR o.component = c.component
        """,
    )
    engine.map_groups(
        "cf_cl_out", "cf_cl_grouped", "component", ["part", "seq"], ClusterComponents(), RESULTS
    )
    got: dict[str, list[Any]] = engine.fetch("SELECT * FROM cf_cl_out").to_pydict()
    for name in ("cf_cl_tasks", "cf_cl_edges", "cf_cl_comp", "cf_cl_grouped", "cf_cl_out"):
        engine.drop(name)
    labels = list(range(len(records)))
    accepted: list[Link] = []
    refused: list[tuple[Link, str]] = []
    extra: list[Link] = []
    place: dict[int, int] = {}
    cols = (got[c] for c in RESULTS.names)
    for kind, a, b, priority, score, reason, why, seq in zip(*cols, strict=True):
        if kind == LABEL:
            labels[a] = b
            continue
        lk = Link(a, b, priority, score, reason)
        # a name-only link comes after the run's links, in uid order (as in the second pass)
        place[id(lk)] = seq if seq >= 0 else len(links) + a
        if kind == ACCEPTED:
            accepted.append(lk)
        elif kind == REFUSED:
            refused.append((lk, why))
        else:
            extra.append(lk)
    # The in-process run takes links strongest first across all components (ties in list
    # order): the same order, now merged from the components.
    accepted.sort(key=lambda lk: (lk.sort_key(), place[id(lk)]))
    refused.sort(key=lambda r: (r[0].sort_key(), place[id(r[0])]))
    extra.sort(key=lambda lk: lk.left)
    return Clustering(labels, accepted, refused), extra
