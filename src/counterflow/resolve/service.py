"""Resolution services: what the CLI and the API call.

Every run and every analyst decision returns a summary (:class:`RunSummary`,
:class:`DecisionSummary`) saying who, when, on what inputs, with which scorers, and which entities
were combined: the "combination" the processing log records. This module writes no log itself.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from counterflow.engine import Engine, LocalEngine
from counterflow.errors import InvalidValue, NotFound
from counterflow.model.visibility import Viewer
from counterflow.resolve import ledger
from counterflow.resolve.clustering import ANALYST, IDENTIFIER
from counterflow.resolve.explain import explain_records
from counterflow.resolve.ftm_io import read_ftm_file, write_clusters
from counterflow.resolve.gc_pause import collector_paused
from counterflow.resolve.incremental import build_index, resolve_incremental
from counterflow.resolve.records import (
    PACKED,
    RECORD_COLUMNS,
    RESOLVABLE,
    BuildRecords,
    Record,
    records_from_rows,
    unpack_record,
)
from counterflow.resolve.resolver import Resolution, resolve
from counterflow.resolve.splink_model import MATCH_THRESHOLD, TrainedModel
from counterflow.store import SqlStore, audit_chain
from counterflow.store import schema as tables
from counterflow.store.visibility import restrict

MERGES_SHOWN = 50


@dataclass
class RunSummary:
    """One resolution run, as the audit log needs it (a "combination" of entities)."""

    run_id: str
    kind: str  # file | full | incremental
    actor: str
    started_at: str
    finished_at: str
    scorers: dict[str, str]
    inputs: dict[str, Any]
    counts: dict[str, int]
    merges: list[dict[str, Any]] = field(default_factory=list)
    shared_selectors: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self, limit: int | None = MERGES_SHOWN) -> dict[str, Any]:
        out = asdict(self)
        if limit is not None:
            out["merges"] = out["merges"][:limit]
            out["shared_selectors"] = out["shared_selectors"][:limit]
        return out


@dataclass
class DecisionSummary:
    """An analyst decision: the judgements written and the clusters before and after."""

    action: str
    actor: str
    at: str
    judgements: list[dict[str, Any]]
    before: dict[str, list[str]]
    after: dict[str, list[str]]
    conflicts: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _run_id() -> str:
    return "run-" + uuid.uuid4().hex[:20]


def _scorers(models: dict[str, TrainedModel]) -> dict[str, str]:
    return {k: m.scorer for k, m in sorted(models.items())}


def _inputs(records: Sequence[Record], source: str) -> dict[str, Any]:
    by_kind: dict[str, int] = {}
    by_agency: dict[str, int] = {}
    for r in records:
        by_kind[r.kind] = by_kind.get(r.kind, 0) + 1
        by_agency[r.agency] = by_agency.get(r.agency, 0) + 1
    return {
        "source": source,
        "records": len(records),
        "by_kind": by_kind,
        "by_agency": dict(sorted(by_agency.items())),
    }


def _merges(res: Resolution) -> list[dict[str, Any]]:
    out = []
    for lk in res.clustering.accepted:
        a, b = res.records[lk.left], res.records[lk.right]
        out.append({"left": a.entity_id, "right": b.entity_id, "score": lk.score, "reason": lk.reason})
    return out


# -- the file contract -----------------------------------------------------------------------------


@collector_paused()
def resolve_file(
    input_path: Path,
    output_path: Path,
    *,
    actor: str,
    threads: int | None = None,
    engine: Engine | None = None,
) -> RunSummary:
    """``counterflow resolve --input ENTITIES.jsonl --output CLUSTERS.csv``: all or nothing.

    Blocking and scoring run on ``engine`` (embedded DuckDB unless given).
    """
    started = ledger.now()
    data = read_ftm_file(input_path)
    if data.problems:
        shown = "; ".join(str(p) for p in data.problems[:20])
        more = f" (and {len(data.problems) - 20} more)" if len(data.problems) > 20 else ""
        raise InvalidValue("input", str(input_path), f"{len(data.problems)} problem(s): {shown}{more}")
    res = resolve(data.records, threads=threads, engine=engine)
    clusters = res.cluster_ids()
    tmp = output_path.with_name(output_path.name + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        rows = write_clusters(fh, data.entity_ids, clusters)
    tmp.replace(output_path)
    counts = dict(res.stats)
    counts["entities"] = len(data.entity_ids)
    counts["rows_written"] = rows
    return RunSummary(
        _run_id(),
        "file",
        actor,
        started,
        ledger.now(),
        _scorers(res.models),
        {
            **_inputs(res.records, str(input_path)),
            "datasets": data.datasets,
            "output": str(output_path),
            "engine": engine.name if engine else "local",
        },
        counts,
        _merges(res),
        [{"selector": s.selector, "holders": len(s.holders), "reason": s.reason} for s in res.shared],
    )


# -- the store -------------------------------------------------------------------------------------


def load_records(
    store: SqlStore, entity_ids: Iterable[str] | None = None, *, viewer: Viewer | None = None
) -> list[Record]:
    """Records of every resolvable entity in the store (or of ``entity_ids``), as ``viewer`` sees them.

    Resolution runs are a system process over every statement (``viewer`` None: the resolved
    state is one function of all statements and judgements); what a user is shown of it,
    explanations included, is read through their viewer.
    """
    st = tables.statements
    cols = (
        st.c.entity_id,
        st.c.schema,
        st.c.agency,
        st.c.prop,
        st.c.value,
        st.c.original_value,
        st.c.evidence,
    )
    out: list[Record] = []
    wanted = sorted(set(entity_ids)) if entity_ids is not None else None
    with store.engine.connect() as conn:
        chunks: list[list[str] | None] = (
            [None] if wanted is None else [wanted[i : i + 500] for i in range(0, len(wanted), 500)]
        )
        for chunk in chunks:
            q = select(*cols).where(st.c.schema.in_(sorted(RESOLVABLE)), st.c.prop_type != "text")
            if chunk is not None:
                q = q.where(st.c.entity_id.in_(chunk))
            q = q.order_by(st.c.entity_id, st.c.id)
            if viewer is not None:
                q = restrict(q, viewer)
            rows = (
                (r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]) if r[6] else {})
                for r in conn.execution_options(yield_per=10_000).execute(q)
            )
            out.extend(records_from_rows(rows))
    return out


def records_from_export(engine: Engine, path: Path) -> list[Record]:
    """Records of every resolvable entity in a statements export (``export-statements``), read and
    built by ``engine`` (on Spark, the Parquet partitions are read and each entity's record built
    on the workers). Only a whole-store export will do: a run over what one viewer saw would
    judge with part of the evidence."""
    from counterflow.store.parquet import whole_store_export

    whole_store_export(path, "a resolution run")
    engine.load("cf_statements", str(path))
    schemata = ", ".join(f"'{s}'" for s in sorted(RESOLVABLE))
    engine.create(
        "cf_record_rows",
        f"SELECT {', '.join(RECORD_COLUMNS)}, id FROM cf_statements "
        f"WHERE schema IN ({schemata}) AND prop_type <> 'text'",
    )
    try:
        if not engine.distributed:  # one process: build them here, without packing and unpacking
            table = engine.fetch(
                f"SELECT {', '.join(RECORD_COLUMNS)} FROM cf_record_rows ORDER BY entity_id, id"
            )
            return records_from_rows(
                (e, s, a, p, v, o, json.loads(ev) if ev else {})
                for batch in table.to_batches()
                for e, s, a, p, v, o, ev in zip(*(c.to_pylist() for c in batch.columns), strict=True)
            )
        engine.map_groups("cf_records", "cf_record_rows", "entity_id", ["id"], BuildRecords(), PACKED)
        packed = engine.fetch("SELECT record FROM cf_records ORDER BY entity_id")
        engine.drop("cf_records")
        return [unpack_record(text) for batch in packed.to_batches() for text in batch.column(0).to_pylist()]
    finally:
        engine.drop("cf_record_rows")


def default_index_path(store: SqlStore) -> Path:
    """Beside a SQLite store (``counterflow.sqlite.resolve.duckdb``), else in the working directory."""
    if store.dialect == "sqlite" and store.engine.url.database:
        return Path(store.engine.url.database + ".resolve.duckdb")
    return Path.cwd() / "counterflow.resolve.duckdb"


def _analyst_constraints(
    judgements: Sequence[ledger.Judgement], runs: Sequence[ledger.RunRow]
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    live = [j for j in ledger.active(judgements, runs) if j.source == "analyst"]
    latest: dict[tuple[str, str], ledger.Judgement] = {}
    for j in live:
        if j.judgement in ("positive", "negative"):
            latest[(j.left_id, j.right_id)] = j
    pos = [(a, b, f"analyst {j.id}") for (a, b), j in latest.items() if j.judgement == "positive"]
    neg = [(a, b) for (a, b), j in latest.items() if j.judgement == "negative"]
    return pos, neg


@collector_paused()
def run_store(
    store: SqlStore,
    *,
    actor: str,
    index_path: Path | None = None,
    threads: int | None = None,
    engine: Engine | None = None,
    statements: Path | None = None,
) -> RunSummary:
    """A full run over the store: machine judgements to the ledger, a fresh resolution index.

    Blocking and scoring run on ``engine`` (embedded DuckDB unless given); the judgements and
    the index are written here, in one place, whichever engine computed them. ``statements``:
    read the records from a whole-store Parquet export instead of the store (by the engine).
    """
    started = ledger.now()
    run_id = _run_id()
    if statements is not None:
        reader = engine or LocalEngine(threads=threads)
        try:
            records = records_from_export(reader, statements)
        finally:
            if reader is not engine:
                reader.close()
    else:
        records = load_records(store)
    judgements = ledger.read_judgements(store)
    runs = ledger.read_runs(store)
    pos, neg = _analyst_constraints(judgements, runs)
    res = resolve(records, analyst_links=pos, cannot_link=neg, threads=threads, engine=engine)
    out: list[ledger.Judgement] = []
    for lk in res.clustering.accepted:
        if lk.priority >= ANALYST:
            continue
        a, b = res.records[lk.left].entity_id, res.records[lk.right].entity_id
        score = 100.0 if lk.priority == IDENTIFIER else lk.score
        kind = res.records[lk.left].kind
        scorer = "identifiers-1" if lk.priority == IDENTIFIER else res.models[kind].scorer
        out.append(
            ledger.make_judgement(
                a,
                b,
                "positive",
                source="machine",
                actor=actor,
                reason=lk.reason,
                score=score,
                scorer=scorer,
                run_id=run_id,
                created_at=started,
            )
        )
    for p in res.unsure():
        ra, rb = res.records[p.left], res.records[p.right]
        out.append(
            ledger.make_judgement(
                ra.entity_id,
                rb.entity_id,
                "unsure",
                source="machine",
                actor=actor,
                reason="review band" if p.match_probability < MATCH_THRESHOLD else "refused by a constraint",
                score=p.match_weight,
                scorer=res.models[ra.kind].scorer,
                run_id=run_id,
                created_at=started,
            )
        )
    unique = {j.id: j for j in out}
    finished = ledger.now()
    summary = RunSummary(
        run_id,
        "full",
        actor,
        started,
        finished,
        _scorers(res.models),
        {
            **_inputs(res.records, str(statements) if statements else store._safe_url()),
            "engine": engine.name if engine else "local",
        },
        {**res.stats, "judgements_written": len(unique)},
        _merges(res),
        [{"selector": s.selector, "holders": len(s.holders), "reason": s.reason} for s in res.shared],
    )
    models = {k: m.settings for k, m in res.models.items()}
    # The run lands whole or not at all: its judgements, its row and its log record in one
    # transaction, after all the computing (readers are never kept waiting by the engine).
    with store.engine.begin() as conn:
        ledger.insert_judgements(conn, list(unique.values()))
        ledger.insert_run(
            conn,
            ledger.RunRow(
                run_id, "full", actor, started, finished, summary.scorers, models, summary.to_dict(limit=0)
            ),
        )
        audit_chain.append(
            conn,
            actor=actor,
            action="combination",
            object_type="resolution_run",
            object_id=run_id,
            details=summary.to_dict(limit=0),
        )
    build_index(index_path or default_index_path(store), res)  # a cache of the above, rebuilt at will
    return summary


def new_entity_ids(store: SqlStore, since: str) -> list[str]:
    """Resolvable entities with statements from reports ingested after ``since`` (ISO time)."""
    st, rp = tables.statements, tables.reports
    with store.engine.connect() as conn:
        keys = [r[0] for r in conn.execute(select(rp.c.report_key).where(rp.c.ingested_at > since))]
        ids: set[str] = set()
        for i in range(0, len(keys), 500):
            q = (
                select(st.c.entity_id)
                .where(st.c.report_key.in_(keys[i : i + 500]), st.c.schema.in_(sorted(RESOLVABLE)))
                .distinct()
            )
            ids.update(r[0] for r in conn.execute(q))
    return sorted(ids)


@collector_paused()
def resolve_new(
    store: SqlStore,
    *,
    actor: str,
    entity_ids: Sequence[str] | None = None,
    since: str | None = None,
    index_path: Path | None = None,
) -> RunSummary:
    """Resolve new entities against the index of the last full run, without a rerun."""
    started = ledger.now()
    path = index_path or default_index_path(store)
    if not path.exists():
        raise NotFound(f"no resolution index at {path}: run `counterflow resolve run` first", index=str(path))
    if entity_ids is None:
        if since is None:
            runs = ledger.read_runs(store)
            since = max((r.started_at for r in runs), default="")
        entity_ids = new_entity_ids(store, since)
    records = load_records(store, entity_ids)
    result = resolve_incremental(path, records)
    run_id = _run_id()
    out = [
        ledger.make_judgement(
            a,
            b,
            "positive",
            source="machine",
            actor=actor,
            reason=reason,
            score=100.0 if reason.startswith("identifier") else score,
            scorer="identifiers-1" if reason.startswith("identifier") else None,
            run_id=run_id,
            created_at=started,
        )
        for a, b, score, reason in result.merges
    ]
    ledger.write_judgements(store, out)
    finished = ledger.now()
    summary = RunSummary(
        run_id,
        "incremental",
        actor,
        started,
        finished,
        _scorers(result.models),
        _inputs(records, store._safe_url()),
        result.stats,
        [{"left": a, "right": b, "score": s, "reason": r} for a, b, s, r in result.merges],
    )
    ledger.write_run(
        store,
        ledger.RunRow(
            run_id, "incremental", actor, started, finished, summary.scorers, {}, summary.to_dict(limit=0)
        ),
    )
    _log_combination(store, actor, "resolution_run", run_id, summary.to_dict(limit=0))
    return summary


# -- state, review, decisions ----------------------------------------------------------------------


def state(store: SqlStore, version: tuple[Any, ...] | None = None) -> ledger.ResolvedState:
    """The resolved state: a pure function of the ledger, recomputed only when the ledger changed.

    Rebuilding it reads every judgement (tens of milliseconds for a few thousand, seconds for a
    national store), and every graph, map and review request needs it; the ledger is append-only,
    so its row counts and latest times identify a version (``version``, when the caller has
    just read it)."""
    version = ledger_version(store) if version is None else version
    cached = _STATES.get(store.url)
    if cached is not None and cached[0] == version:
        return cached[1]
    found = ledger.resolved_state(ledger.read_judgements(store), ledger.read_runs(store))
    _STATES[store.url] = (version, found)
    return found


_STATES: dict[str, tuple[tuple[Any, ...], ledger.ResolvedState]] = {}


def canonical_for(store: SqlStore, viewer: Viewer) -> Callable[[str], str]:
    """Cluster ids as ``viewer`` may name them: the smallest member id the viewer may see.

    A cluster's own id is its smallest member's id, which may be another agency's record the
    viewer may not see: showing it would tell them that record exists. So every view drawn for
    a user (network, neighbourhood, map, case) names clusters through this; an entity whose
    cluster has no member visible to the viewer keeps its own id. Cached per viewer and store
    content (reports held and ledger).
    """
    version = ledger_version(store)
    st = state(store, version)
    if viewer.open:
        return st.cluster_of
    held = store.reports_held()
    key = (store.url, viewer.user, viewer.agency, viewer.clearance, viewer.roles, viewer.agreements,
           *held, *version)  # fmt: skip
    cached = _NAMES.get(key)
    if cached is None:
        merged = [m for members in st.members.values() if len(members) > 1 for m in members]
        visible = store.visible_entities(merged, viewer=viewer) if merged else set()
        cached = {}
        for cid, members in st.members.items():
            seen = sorted(m for m in members if m in visible)
            if seen and len(members) > 1:
                cached[cid] = seen[0]
        if len(_NAMES) > 64:
            _NAMES.clear()
        _NAMES[key] = cached
    names = cached

    def canonical(entity_id: str) -> str:
        return names.get(st.cluster_of(entity_id), entity_id)

    return canonical


_NAMES: dict[tuple[Any, ...], dict[str, str]] = {}


def ledger_version(store: SqlStore) -> tuple[Any, ...]:
    """Identifies the ledger's content: judgements are only ever added (a count and the
    largest id tell them apart), runs are added and then finished. Each figure is its own
    subquery, answered from an index where there is one: this is read on every view."""
    with store.engine.connect() as conn:
        return tuple(conn.execute(_LEDGER_VERSION).one())


_J, _R = tables.resolve_judgements, tables.resolve_runs
# Built once: building it (five subqueries) cost more than running it, on every view.
_LEDGER_VERSION = select(
    *(
        select(agg).select_from(t).scalar_subquery()
        for t, agg in (
            (_J, func.count()),
            (_J, func.max(_J.c.id)),
            (_R, func.count()),
            (_R, func.max(_R.c.run_id)),
            (_R, func.max(_R.c.finished_at)),
        )
    )
)


def _log_combination(
    store: SqlStore, actor: str, object_type: str, object_id: str, details: dict[str, Any]
) -> None:
    """Resolution runs and analysts' decisions are "combination" in the processing log (DPA s62)."""
    with store.engine.begin() as conn:
        audit_chain.append(
            conn,
            actor=actor,
            action="combination",
            object_type=object_type,
            object_id=object_id,
            details=details,
        )


def review_queue(
    store: SqlStore, *, limit: int = 50, include_together: bool = False, viewer: Viewer | None = None
) -> list[dict[str, Any]]:
    """Machine "unsure" pairs no analyst has decided, strongest first (pairs already in one cluster
    through other links only with ``include_together``)."""
    judgements = ledger.read_judgements(store)
    runs = ledger.read_runs(store)
    live = ledger.active(judgements, runs)
    decided = {(j.left_id, j.right_id) for j in live if j.source == "analyst"}
    current = ledger.resolved_state(judgements, runs)
    queue = [
        {
            "left": j.left_id,
            "right": j.right_id,
            "score": j.score,
            "reason": j.reason,
            "judgement": j.id,
            "same_cluster": current.cluster_of(j.left_id) == current.cluster_of(j.right_id),
        }
        for j in live
        if j.source == "machine" and j.judgement == "unsure" and (j.left_id, j.right_id) not in decided
    ]
    if not include_together:
        queue = [q for q in queue if not q["same_cluster"]]
    if viewer is not None:  # only pairs whose both sides the viewer may see
        seen = store.visible_entities([str(x) for q in queue for x in (q["left"], q["right"])], viewer=viewer)
        queue = [q for q in queue if q["left"] in seen and q["right"] in seen]
    queue.sort(key=lambda q: (-float(q["score"] or 0.0), str(q["left"]), str(q["right"])))
    return queue[:limit]


def _known(store: SqlStore, *entity_ids: str, viewer: Viewer | None = None) -> None:
    """Each entity exists and (for a viewer) is visible; the same error either way."""
    seen = store.visible_entities(entity_ids, viewer=viewer or Viewer.operator())
    for eid in entity_ids:
        if eid not in seen:
            raise NotFound(f"no entity {eid!r}", entity_id=eid)


def _decide(
    store: SqlStore, action: str, judgements: list[ledger.Judgement], touched: Sequence[str]
) -> DecisionSummary:
    before_state = state(store)
    before = {e: before_state.members_of(e) for e in touched}
    ledger.write_judgements(store, judgements)
    after_state = state(store)
    after = {e: after_state.members_of(e) for e in touched}
    actor = judgements[0].actor if judgements else ""
    at = judgements[0].created_at if judgements else ledger.now()
    summary = DecisionSummary(
        action,
        actor,
        at,
        [j.to_dict() for j in judgements],
        before,
        after,
        [c.to_dict() for c in after_state.conflicts],
    )
    _log_combination(store, actor, f"resolution_{action}", ",".join(touched), summary.to_dict())
    return summary


def merge(
    store: SqlStore, left: str, right: str, *, actor: str, reason: str, viewer: Viewer | None = None
) -> DecisionSummary:
    _known(store, left, right, viewer=viewer)
    j = ledger.make_judgement(left, right, "positive", source="analyst", actor=actor, reason=reason)
    return _decide(store, "merge", [j], [left, right])


def split(
    store: SqlStore, left: str, right: str, *, actor: str, reason: str, viewer: Viewer | None = None
) -> DecisionSummary:
    _known(store, left, right, viewer=viewer)
    j = ledger.make_judgement(left, right, "negative", source="analyst", actor=actor, reason=reason)
    return _decide(store, "split", [j], [left, right])


def detach(
    store: SqlStore, entity_id: str, *, actor: str, reason: str, viewer: Viewer | None = None
) -> DecisionSummary:
    """Take one entity out of its cluster: a negative judgement against every other member."""
    _known(store, entity_id, viewer=viewer)
    members = [m for m in state(store).members_of(entity_id) if m != entity_id]
    if not members:
        raise InvalidValue("entity", entity_id, "is not merged with anything")
    js = [
        ledger.make_judgement(entity_id, m, "negative", source="analyst", actor=actor, reason=reason)
        for m in members
    ]
    return _decide(store, "detach", js, [entity_id, *members])


def mark_unsure(
    store: SqlStore, left: str, right: str, *, actor: str, reason: str, viewer: Viewer | None = None
) -> DecisionSummary:
    _known(store, left, right, viewer=viewer)
    j = ledger.make_judgement(left, right, "unsure", source="analyst", actor=actor, reason=reason)
    return _decide(store, "unsure", [j], [left, right])


def undo(
    store: SqlStore, judgement_id: str, *, actor: str, reason: str, viewer: Viewer | None = None
) -> DecisionSummary:
    target = ledger.get_judgement(store, judgement_id)
    try:
        _known(store, target.left_id, target.right_id, viewer=viewer)
    except NotFound:  # a judgement on entities the viewer may not see is as good as absent
        raise NotFound(f"no judgement {judgement_id!r}", judgement_id=judgement_id) from None
    j = ledger.make_judgement(
        target.left_id,
        target.right_id,
        "undo",
        source="analyst",
        actor=actor,
        reason=reason,
        target=target.id,
    )
    return _decide(store, "undo", [j], [target.left_id, target.right_id])


# -- explanations ----------------------------------------------------------------------------------


def _latest_models(store: SqlStore) -> dict[str, TrainedModel]:
    runs = [r for r in ledger.read_runs(store) if r.kind == "full"]
    if not runs:
        return {}
    run = max(runs, key=lambda r: (r.started_at, r.run_id))
    return {k: TrainedModel(k, run.scorers.get(k, ""), s, True, 0) for k, s in run.models.items()}


def explain_pair(store: SqlStore, left: str, right: str, *, viewer: Viewer | None = None) -> dict[str, Any]:
    """Why two entities match or not, from what ``viewer`` may see of them (None: everything)."""
    _known(store, left, right, viewer=viewer)
    recs = {r.entity_id: r for r in load_records(store, [left, right], viewer=viewer)}
    if left not in recs or right not in recs:
        raise InvalidValue("entity", left if left not in recs else right, "is not a resolvable entity")
    a, b = recs[left], recs[right]
    a.uid, b.uid = 0, 1
    models = _latest_models(store)
    current = state(store)
    judgements = [
        j.to_dict() for j in ledger.read_judgements(store) if {j.left_id, j.right_id} == {left, right}
    ]
    out = explain_records(a, b, models.get(a.kind))
    out["same_cluster"] = current.cluster_of(left) == current.cluster_of(right)
    out["judgements"] = judgements
    return out


def explain_cluster(store: SqlStore, entity_id: str, *, viewer: Viewer | None = None) -> dict[str, Any]:
    """The members of an entity's cluster (those ``viewer`` may see) and the judgements among them."""
    _known(store, entity_id, viewer=viewer)
    judgements = ledger.read_judgements(store)
    runs = ledger.read_runs(store)
    current = ledger.resolved_state(judgements, runs)
    members = current.members_of(entity_id)
    if viewer is not None:
        seen = store.visible_entities(members, viewer=viewer)
        members = [m for m in members if m in seen]
    inside = set(members)
    live = ledger.active(judgements, runs)
    edges = [
        j.to_dict()
        for j in live
        if j.left_id in inside and j.right_id in inside and j.judgement in ("positive", "negative")
    ]
    return {
        "entity_id": entity_id,
        "cluster_id": current.cluster_of(entity_id),
        "members": members,
        "judgements": edges,
        "conflicts": [c.to_dict() for c in current.conflicts if set(c.entities) & inside],
    }
