"""Incremental resolution: new records against what is already resolved, without a full rerun.

A full run leaves a *resolution index* (a DuckDB file): every record's comparison columns, its
blocking keys, its selectors, its cluster, and the trained scorers. New records are keyed, joined
to the index's keys (only blocks they fall in are read), scored with the stored scorers against
their candidates only, and clustered together with the clusters they touch, under the same
constraints as a full run. The index is a cache derived from statements and judgements: deleting
it costs a full run, never a decision.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from counterflow.engine import LocalEngine
from counterflow.errors import StoreError
from counterflow.resolve.blocking import cap_expr, keys_table
from counterflow.resolve.clustering import (
    ANALYST,
    IDENTIFIER,
    MODEL,
    Clustering,
    Link,
    ScoredPair,
    constrained_clusters,
)
from counterflow.resolve.identifiers import link_by_identifiers
from counterflow.resolve.records import Record, record_from_json, record_to_json
from counterflow.resolve.resolver import SCORED_KINDS, Resolution, score_kind
from counterflow.resolve.splink_model import MATCH_THRESHOLD, TrainedModel, records_table

INDEX_VERSION = "4"  # bump with any change of the tables, comparison columns, name or blocking keys


def _selector_rows(records: Sequence[Record]) -> pa.Table:
    keys: list[str] = []
    uids: list[int] = []
    for rec in records:
        for key in rec.object_keys if rec.kind == "object" else rec.selectors + rec.docs:
            keys.append(key)
            uids.append(rec.uid)
    return pa.table({"skey": pa.array(keys, pa.string()), "uid": pa.array(uids, pa.int64())})


def _record_rows(records: Sequence[Record], labels: dict[int, str]) -> pa.Table:
    return pa.table(
        {
            "uid": pa.array([r.uid for r in records], pa.int64()),
            "entity_id": [r.entity_id for r in records],
            "kind": [r.kind for r in records],
            "cluster": [labels.get(r.uid, r.entity_id) for r in records],
            "data": [json.dumps(record_to_json(r), ensure_ascii=False) for r in records],
        }
    )


def _append(
    con: duckdb.DuckDBPyConnection, records: Sequence[Record], labels: dict[int, str], shared: set[str]
) -> None:
    con.register("cf_in_recs", _record_rows(records, labels))
    con.execute("INSERT INTO recs SELECT * FROM cf_in_recs")
    con.unregister("cf_in_recs")
    con.register("cf_in_keys", keys_table(records))
    con.execute("INSERT INTO keys SELECT * FROM cf_in_keys")
    con.unregister("cf_in_keys")
    con.register("cf_in_sels", _selector_rows(records))
    con.execute("INSERT INTO sels SELECT * FROM cf_in_sels")
    con.unregister("cf_in_sels")
    for kind in SCORED_KINDS:
        subset = [r for r in records if r.kind == kind]
        if subset:
            con.register("cf_in_cols", records_table(subset, shared))
            con.execute(f"INSERT INTO cols_{kind} SELECT * FROM cf_in_cols")
            con.unregister("cf_in_cols")


def build_index(path: Path, resolution: Resolution) -> None:
    """Write the resolution index of a full run (replacing any index at ``path``)."""
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.execute(
            "CREATE TABLE recs (uid BIGINT, entity_id VARCHAR, kind VARCHAR, cluster VARCHAR, data VARCHAR)"
        )
        con.execute("CREATE TABLE keys (uid BIGINT, bkey VARCHAR)")
        con.execute("CREATE TABLE sels (skey VARCHAR, uid BIGINT)")
        shared = {s.selector for s in resolution.shared}
        empty = records_table([], shared)
        for kind in SCORED_KINDS:
            con.register("cf_empty", empty)
            con.execute(f"CREATE TABLE cols_{kind} AS SELECT * FROM cf_empty")
            con.unregister("cf_empty")
        ids = resolution.cluster_ids()
        labels = {r.uid: ids[r.entity_id] for r in resolution.records}
        _append(con, resolution.records, labels, shared)
        models = {
            k: {
                "scorer": m.scorer,
                "settings": m.settings,
                "trained": m.trained,
                "training_records": m.training_records,
            }
            for k, m in resolution.models.items()
        }
        meta = {
            "version": INDEX_VERSION,
            "models": json.dumps(models),
            "next_uid": str(len(resolution.records)),
            "shared": json.dumps(sorted(shared)),
        }
        con.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
        con.execute("CREATE INDEX ix_keys ON keys (bkey)")
        con.execute("CREATE INDEX ix_sels ON sels (skey)")
        con.execute("CREATE INDEX ix_recs_uid ON recs (uid)")
        con.execute("CREATE INDEX ix_recs_entity ON recs (entity_id)")
    finally:
        con.close()


@dataclass(slots=True)
class IncrementalResult:
    new_records: list[Record]
    touched: list[Record]
    clustering: Clustering
    merges: list[tuple[str, str, float, str]]
    scored: list[ScoredPair]
    cluster_ids: dict[str, str]
    models: dict[str, TrainedModel]
    stats: dict[str, int] = field(default_factory=dict)


def _meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {k: v for k, v in con.execute("SELECT key, value FROM meta").fetchall()}


def _models(meta: dict[str, str]) -> dict[str, TrainedModel]:
    out: dict[str, TrainedModel] = {}
    for kind, m in json.loads(meta["models"]).items():
        out[kind] = TrainedModel(kind, m["scorer"], m["settings"], m["trained"], m["training_records"])
    return out


def _load(con: duckdb.DuckDBPyConnection, uids: Sequence[int]) -> list[tuple[Record, str]]:
    if not uids:
        return []
    con.register("cf_want", pa.table({"uid": pa.array(sorted(set(uids)), pa.int64())}))
    rows = con.execute(
        "SELECT r.uid, r.cluster, r.data FROM recs r SEMI JOIN cf_want w ON w.uid = r.uid ORDER BY r.uid"
    ).fetchall()
    con.unregister("cf_want")
    return [(record_from_json(json.loads(data), int(uid)), str(cl)) for uid, cl, data in rows]


def resolve_incremental(
    path: Path, new: Sequence[Record], *, threads: int | None = None
) -> IncrementalResult:
    """Resolve ``new`` records against the index at ``path`` and add them to it."""
    con = duckdb.connect(str(path))
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        meta = _meta(con)
        if meta.get("version") != INDEX_VERSION:
            raise StoreError(
                f"resolution index {path} is of version {meta.get('version')}, this code needs "
                f"{INDEX_VERSION}: rebuild it with `counterflow resolve run`",
                index=str(path),
            )
        models = _models(meta)
        con.execute("BEGIN TRANSACTION")
        shared = set(json.loads(meta.get("shared", "[]")))
        known = {
            str(e)
            for (e,) in con.execute(
                "SELECT entity_id FROM recs WHERE entity_id IN (SELECT unnest(?::VARCHAR[]))",
                [[r.entity_id for r in new]],
            ).fetchall()
        }
        fresh = sorted(
            {r.entity_id: r for r in new if r.entity_id not in known}.values(), key=lambda r: r.entity_id
        )
        next_uid = int(meta["next_uid"])
        for i, rec in enumerate(fresh):
            rec.uid = next_uid + i
        # candidates: records sharing a selector, or a usable blocking key, with a new record
        con.register("cf_new_keys", keys_table(fresh))
        old_by_key = [
            int(u)
            for (u,) in con.execute(
                f"""
                WITH nk AS (SELECT DISTINCT bkey FROM cf_new_keys),
                hit AS (SELECT k.uid, k.bkey FROM keys k SEMI JOIN nk ON nk.bkey = k.bkey),
                small AS (SELECT bkey FROM hit GROUP BY bkey HAVING count(*) < {cap_expr()})
                SELECT DISTINCT uid FROM hit SEMI JOIN small ON small.bkey = hit.bkey
                """
            ).fetchall()
        ]
        con.register("cf_new_sels", _selector_rows(fresh))
        old_by_sel = [
            int(u)
            for (u,) in con.execute(
                "SELECT DISTINCT s.uid FROM sels s SEMI JOIN cf_new_sels n ON n.skey = s.skey"
            ).fetchall()
        ]
        touched_pairs = _load(con, old_by_key + old_by_sel)
        # whole clusters of the touched records take part (their constraints bind new merges)
        clusters = sorted({cl for _, cl in touched_pairs})
        con.register("cf_cl", pa.table({"cluster": pa.array(clusters, pa.string())}))
        members = [
            int(u) for (u,) in con.execute("SELECT uid FROM recs SEMI JOIN cf_cl USING (cluster)").fetchall()
        ]
        con.unregister("cf_cl")
        touched_all = _load(con, [u for u in members] + [r.uid for r, _ in touched_pairs])
        old = [r for r, _ in touched_all]
        old_cluster = {r.uid: cl for r, cl in touched_all}
        work = sorted(old + fresh, key=lambda r: r.uid)
        pos = {r.uid: i for i, r in enumerate(work)}
        ident = link_by_identifiers(work)
        shared |= ident.shared_keys
        # candidate pairs among work records touching a new record
        con.register("cf_work_keys", keys_table(work))
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE cf_pairs_inc AS
            WITH usable AS (SELECT k.* FROM cf_work_keys k
                JOIN (SELECT bkey FROM cf_work_keys GROUP BY bkey HAVING count(*) <= {cap_expr()}) b
                USING (bkey))
            SELECT DISTINCT a.uid AS l, b.uid AS r FROM usable a JOIN usable b
            ON a.bkey = b.bkey AND a.uid < b.uid AND b.uid >= {next_uid}
            """
        )
        scored: list[ScoredPair] = []
        for kind in SCORED_KINDS:
            subset = [r for r in work if r.kind == kind]
            if len(subset) >= 2 and kind in models:
                scored.extend(score_kind(LocalEngine(con), models[kind], subset, shared, "cf_pairs_inc"))
        # links in work positions: existing clusters are kept whole (forced), new links join them
        links: list[Link] = []
        first: dict[str, int] = {}
        for rec in old:
            cl = old_cluster[rec.uid]
            if cl in first:
                links.append(Link(pos[first[cl]], pos[rec.uid], ANALYST, 0.0, "existing cluster"))
            else:
                first[cl] = rec.uid
        new_links = [
            Link(pos[lk.left], pos[lk.right], IDENTIFIER, 1.0, f"identifier {lk.selector}")
            for lk in ident.links
        ]
        new_links += [
            Link(pos[p.left], pos[p.right], MODEL, p.match_weight, "model")
            for p in scored
            if p.match_probability >= MATCH_THRESHOLD
        ]
        local_scored = [
            ScoredPair(pos[p.left], pos[p.right], p.match_weight, p.match_probability) for p in scored
        ]
        for rec in work:
            rec.uid = pos[rec.uid]
        result, _ = constrained_clusters(work, links + new_links, local_scored)
        accepted = [lk for lk in result.accepted if lk.priority < ANALYST]
        best: dict[int, str] = {}
        for rec, root in zip(work, result.labels, strict=True):
            if root not in best or rec.entity_id < best[root]:
                best[root] = rec.entity_id
        ids = {rec.entity_id: best[root] for rec, root in zip(work, result.labels, strict=True)}
        merges = [(work[lk.left].entity_id, work[lk.right].entity_id, lk.score, lk.reason) for lk in accepted]
        back = {p: u for u, p in pos.items()}
        for rec in work:  # back to index uids
            rec.uid = back[rec.uid]
        labels = {r.uid: ids[r.entity_id] for r in work}
        _append(con, fresh, labels, shared)
        changed = [(ids[r.entity_id], r.uid) for r in old if ids[r.entity_id] != old_cluster[r.uid]]
        if changed:
            con.executemany("UPDATE recs SET cluster = ? WHERE uid = ?", changed)
        con.execute("UPDATE meta SET value = ? WHERE key = 'next_uid'", [str(next_uid + len(fresh))])
        stats = {
            "new_records": len(fresh),
            "already_indexed": len(new) - len(fresh),
            "touched_records": len(old),
            "scored_pairs": len(scored),
            "merges": len(accepted),
        }
        con.execute("COMMIT")
        return IncrementalResult(fresh, old, result, merges, scored, ids, models, stats)
    except BaseException:
        if con.execute("SELECT 1").fetchone():  # still open: undo anything half-written
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
        raise
    finally:
        con.close()
