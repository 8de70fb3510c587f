"""The probabilistic scorers: Splink 5 models for persons and organisations, on DuckDB.

Scorers are named and versioned (``cf-person`` / ``cf-org``, :data:`SCORER_VERSION`): the
comparisons below, the name keys (:data:`~counterflow.resolve.names.NAME_KEYS_VERSION`) and the
blocking (:data:`~counterflow.resolve.blocking.BLOCKING_VERSION`) together make a version; a run
records it with the trained model (Splink's JSON), so an old result can be scored again as it was.

The comparisons are in :mod:`counterflow.resolve.comparisons`, rendered for the engine's SQL
dialect. A model is its levels' parameters: trained once (on the driver's DuckDB), they are
put into the comparisons of whichever engine scores (:func:`for_dialect`).

Training is unsupervised: u counted on random pairs, m by expectation maximisation on pairs
blocked by birth date and by name, λ from a deterministic rule, then u counted again with the
matches among the random pairs taken out (:mod:`counterflow.resolve.u_estimate`: version 2).
A new agency's data needs no labels.
The same model scores on Splink's Spark backend (:mod:`counterflow.engine`).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from counterflow.engine import DUCKDB, Dialect, Engine
from counterflow.engine.local import duckdb_connection
from counterflow.resolve.blocking import BLOCKING_VERSION
from counterflow.resolve.comparisons import comparisons, level_labels
from counterflow.resolve.names import NAME_KEYS_VERSION
from counterflow.resolve.records import ARROW_POOL, Record
from counterflow.resolve.u_estimate import comparison_vectors, u_without_matches

log = logging.getLogger(__name__)

SCORER_VERSION = "2"
MATCH_THRESHOLD = 0.95  # match probability at or above which the machine judges "positive"
REVIEW_THRESHOLD = 0.5  # at or above (and below the match threshold): "unsure", for review
MIN_TRAINING_RECORDS = 400
MAX_TRAINING_RECORDS = 60_000
U_SAMPLE_PAIRS = 200_000
U_RECOUNT_PAIRS = 200_000  # random pairs on which u is counted again without the matches
SEED = 42
SCORE_CHUNK_PAIRS = 3_000_000  # candidate pairs scored at once on an embedded engine


PRIORS = {"person": 0.0005, "org": 0.005}
EM_RULES: dict[str, list[str]] = {
    "person": ["l.dob = r.dob AND length(l.dob) = 10", "l.bk = r.bk"],
    "org": ["l.bk = r.bk"],
}


def scorer_name(kind: str) -> str:
    return f"cf-{kind}"


def scorer_id(kind: str) -> str:
    """``cf-person/2+names-2+blocking-4``: everything that decides a score."""
    return f"{scorer_name(kind)}/{SCORER_VERSION}+{NAME_KEYS_VERSION}+{BLOCKING_VERSION}"


def settings_for(kind: str, dialect: Dialect = DUCKDB) -> dict[str, Any]:
    """The untrained Splink settings of a scorer (priors as m/u) in ``dialect``."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": comparisons(kind, dialect),
        "probability_two_random_records_match": PRIORS[kind],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "blocking_rules_to_generate_predictions": [],
        "additional_columns_to_retain": [],
    }


_PARAMETERS = ("m_probability", "u_probability", "fix_m_probability", "fix_u_probability")


def for_dialect(model: TrainedModel, dialect: Dialect) -> dict[str, Any]:
    """The model's Splink settings with its learnt parameters, its SQL written for ``dialect``.

    The levels are matched by position and checked by label, so a model trained before a
    rendering change fails loudly rather than scoring with parameters moved to other levels.
    """
    fresh = settings_for(model.kind, dialect)
    learnt = model.settings["comparisons"]
    if level_labels(learnt) != level_labels(fresh["comparisons"]):
        raise ValueError(f"model {model.scorer} does not have the levels of scorer {scorer_id(model.kind)}")
    for new_c, old_c in zip(fresh["comparisons"], learnt, strict=True):
        for new_l, old_l in zip(new_c["comparison_levels"], old_c["comparison_levels"], strict=True):
            for key in _PARAMETERS:
                if key in old_l:
                    new_l[key] = old_l[key]
                else:
                    new_l.pop(key, None)
    for key, value in model.settings.items():
        if key not in ("comparisons", "sql_dialect"):
            fresh[key] = value
    return fresh


_TK = pa.struct([("t", pa.string()), ("s", pa.string()), ("p", pa.string())])


class _Lists:
    """A list<string> column built flat (values and offsets): no Python list per row."""

    __slots__ = ("offsets", "values")

    def __init__(self) -> None:
        self.values: list[str] = []
        self.offsets: list[int] = [0]

    def add(self, items: Sequence[str]) -> None:
        self.values.extend(items)
        self.offsets.append(len(self.values))

    def array(self) -> pa.Array:
        return pa.ListArray.from_arrays(
            pa.array(self.offsets, pa.int32()),
            pa.array(self.values, pa.string(), memory_pool=ARROW_POOL),
            pool=ARROW_POOL,
        )


def records_table(records: Sequence[Record], shared: set[str]) -> pa.Table:
    """The Splink input table of records (one row each; ``unique_id`` = the record's uid).

    Built column by column from flat values: a run holds the table and every record at once,
    and a list or dict per row and column cost more memory than the table itself."""
    uid: list[int] = []
    tk_t: list[str] = []
    tk_s: list[str] = []
    tk_p: list[str] = []
    tk_off = [0]
    tok, vk, sk, ctry, sel, sels, docs, addr = (_Lists() for _ in range(8))
    vks: list[str] = []
    sks: list[str] = []
    ar: list[bool] = []
    nstr: list[str | None] = []
    dob: list[str | None] = []
    gender: list[str | None] = []
    wid: list[str | None] = []
    bk: list[str | None] = []
    for rec in records:
        parts = rec.parts
        uid.append(rec.uid)
        for p in parts:
            tk_t.append(p.latin)
            tk_s.append(p.skeleton)
            tk_p.append(p.pattern)
        tk_off.append(len(tk_t))
        tok.add([p.latin for p in parts if not p.pattern])
        variants = sorted(p.variant_key for p in parts)
        skeletons = sorted(p.skeleton for p in parts)
        vk.add(sorted(set(variants)))
        sk.add(sorted(set(skeletons)))
        vks.append(" ".join(variants))
        sks.append(" ".join(skeletons))
        ar.append(any(p.pattern for p in parts))
        nstr.append(" ".join(sorted(p.latin for p in parts)) or None)
        skels = sorted({x for x in skeletons if x})
        bk.append(f"n:{skels[0]}|{skels[1]}" if len(skels) > 1 else (f"n:{skels[0]}" if skels else None))
        dob.append(rec.dob)
        ctry.add(rec.countries)
        gender.append(rec.gender)
        if shared:
            sel.add([x for x in rec.selectors if x not in shared])
            sels.add([x for x in rec.selectors if x in shared])
            docs.add([d for d in rec.docs if d not in shared])
        else:
            sel.add(rec.selectors)
            sels.add(())
            docs.add(rec.docs)
        addr.add(sorted(set(rec.address)))
        wid.append(rec.weak_ids[0] if rec.weak_ids else None)

    def strings(values: list[str | None] | list[str]) -> pa.Array:
        return pa.array(values, pa.string(), memory_pool=ARROW_POOL)

    tk = pa.ListArray.from_arrays(
        pa.array(tk_off, pa.int32()),
        pa.StructArray.from_arrays([strings(tk_t), strings(tk_s), strings(tk_p)], fields=list(_TK)),
        pool=ARROW_POOL,
    )
    return pa.table(
        {
            "unique_id": pa.array(uid, pa.int64()),
            "tk": tk,
            "tok": tok.array(),
            "vk": vk.array(),
            "sk": sk.array(),
            "vks": strings(vks),
            "sks": strings(sks),
            "ar": pa.array(ar, pa.bool_()),
            "nstr": strings(nstr),
            "dob": strings(dob),
            "ctry": ctry.array(),
            "gender": strings(gender),
            "sel": sel.array(),
            "sels": sels.array(),
            "docs": docs.array(),
            "addr": addr.array(),
            "wid": strings(wid),
            "bk": strings(bk),
        }
    )


def _linker(db: Any, table: str, settings: dict[str, Any]) -> Any:
    from splink import Linker

    return Linker(db.register(table), settings, log_level=None)


def connect(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """The driver's embedded DuckDB connection (training, explanations)."""
    return duckdb_connection(threads)


def _sample(records: Sequence[Record], limit: int) -> list[Record]:
    """A deterministic sample of records (by a hash of the entity id)."""
    if len(records) <= limit:
        return list(records)
    ranked = sorted(records, key=lambda r: hashlib.sha1(r.entity_id.encode()).digest())
    return sorted(ranked[:limit], key=lambda r: r.uid)


@dataclass(frozen=True, slots=True)
class TrainedModel:
    kind: str
    scorer: str
    settings: dict[str, Any]
    trained: bool
    training_records: int


def train(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    records: Sequence[Record],
    shared: set[str],
    *,
    table: pa.Table | None = None,
) -> TrainedModel:
    """Estimate the scorer's parameters from unlabelled records (priors kept when too few).

    ``table``, if given, is ``records_table(records, shared)``: the sample's rows are taken from
    it rather than built again."""
    settings = settings_for(kind)
    sample = _sample(records, MAX_TRAINING_RECORDS)
    if len(sample) < MIN_TRAINING_RECORDS:
        return TrainedModel(kind, scorer_id(kind), settings, False, len(sample))
    if table is None:
        sample_table = records_table(sample, shared)
    else:
        row = {r.uid: i for i, r in enumerate(records)}
        sample_table = table.take(pa.array([row[r.uid] for r in sample], pa.int64()))
    con.register("cf_train_arrow", sample_table)
    con.execute("CREATE OR REPLACE TABLE cf_train AS SELECT * FROM cf_train_arrow")
    con.unregister("cf_train_arrow")
    from splink import DuckDBAPI

    linker = _linker(DuckDBAPI(con), "cf_train", settings)
    trained = True
    try:
        rule = "l.nstr = r.nstr AND l.dob = r.dob" if kind == "person" else "l.nstr = r.nstr"
        linker.training.estimate_probability_two_random_records_match([rule], recall=0.6)
        linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
        for em_rule in EM_RULES[kind]:
            linker.training.estimate_parameters_using_expectation_maximisation(
                em_rule, record_sample_proportion=1.0, estimate_without_term_frequencies=True
            )
        model = _clean_model(linker.misc.save_model_to_json())
        vectors = comparison_vectors(con, "cf_train", model, n_pairs=U_RECOUNT_PAIRS, seed=SEED)
        model = u_without_matches(model, vectors)
    except Exception as exc:  # EM can fail to converge on odd data: keep the priors, say so
        log.warning("training %s failed (%s); using prior parameters", kind, exc)
        model, trained = settings, False
    return TrainedModel(kind, scorer_id(kind), model, trained, len(sample))


def _clean_model(model: dict[str, Any]) -> dict[str, Any]:
    out = dict(model)
    out.pop("linker_uid", None)
    out["retain_intermediate_calculation_columns"] = False
    out["retain_matching_columns"] = False
    out["blocking_rules_to_generate_predictions"] = []
    return out


def score_pairs(
    engine: Engine,
    model: TrainedModel,
    records_table_name: str,
    pairs_table_name: str,
    *,
    threshold: float = REVIEW_THRESHOLD,
    detail: bool = False,
    within: bool = False,
) -> pa.Table:
    """Score the pairs ``(l, r)`` of ``pairs_table_name`` between records of ``records_table_name``
    (with ``within``, only the pairs whose both records are in it: the pairs table may hold other
    kinds' pairs too).

    Returns ``l, r, match_weight, match_probability`` (and, with ``detail``, the gamma and Bayes
    factor of every comparison), pairs below ``threshold`` left out, in (l, r) order.
    """
    settings = for_dialect(model, engine.dialect)
    settings["retain_intermediate_calculation_columns"] = detail
    settings["retain_matching_columns"] = detail
    among = (
        f" WHERE l IN (SELECT unique_id FROM {records_table_name})"
        f" AND r IN (SELECT unique_id FROM {records_table_name})"
        if within
        else ""
    )
    engine.create(
        "cf_blocked_all",
        f"SELECT '0' AS match_key, l AS join_key_l, r AS join_key_r FROM {pairs_table_name}{among}",
    )
    try:
        n = int(engine.scalar("SELECT count(*) FROM cf_blocked_all") or 0)
        if not detail and not n:
            return _no_scores()
        if engine.distributed or n <= SCORE_CHUNK_PAIRS:
            return _predict(engine, settings, records_table_name, "cf_blocked_all", threshold, detail)
        return _predict_in_chunks(engine, settings, records_table_name, threshold, detail, n)
    finally:
        engine.drop("cf_blocked_all")


def _predict_in_chunks(
    engine: Engine, settings: dict[str, Any], records_table_name: str, threshold: float, detail: bool, n: int
) -> pa.Table:
    """Score ``cf_blocked_all`` a range of left records at a time, each chunk against only the
    records its pairs name. Scores are per pair, so the result is the same as in one go; what
    changes is the memory DuckDB needs at once: scoring the 1M bench's 13 M pairs in one join ran
    out of a 256 MB limit where chunks spill and finish. Each chunk costs a Splink prediction's
    set-up: at 200,000 records, three chunks of 0.8 M pairs took 12-13 s where one of 2.5 M took
    9 s, hence :data:`SCORE_CHUNK_PAIRS` of 3 M."""
    k = -(-n // SCORE_CHUNK_PAIRS)
    cuts = engine.scalar(
        "SELECT quantile_disc(join_key_l, [" + ", ".join(str(i / k) for i in range(1, k)) + "]) "
        "FROM cf_blocked_all"
    )
    bounds = [None, *sorted(set(int(c) for c in cuts)), None]
    parts: list[pa.Table] = []
    try:
        for lo, hi in itertools.pairwise(bounds):
            where = " AND ".join(
                ([f"join_key_l >= {lo}"] if lo is not None else [])
                + ([f"join_key_l < {hi}"] if hi is not None else [])
            )
            engine.create("cf_blocked_chunk", f"SELECT * FROM cf_blocked_all WHERE {where}")
            if not engine.scalar("SELECT count(*) FROM cf_blocked_chunk"):
                continue
            engine.create(
                "cf_records_chunk",
                f"SELECT * FROM {records_table_name} WHERE unique_id IN "
                "(SELECT join_key_l FROM cf_blocked_chunk UNION SELECT join_key_r FROM cf_blocked_chunk)",
            )
            parts.append(
                _predict(engine, settings, "cf_records_chunk", "cf_blocked_chunk", threshold, detail)
            )
    finally:
        engine.drop("cf_blocked_chunk")
        engine.drop("cf_records_chunk")
    return pa.concat_tables(parts)


def _no_scores() -> pa.Table:
    fields = {
        "l": pa.int64(),
        "r": pa.int64(),
        "match_weight": pa.float64(),
        "match_probability": pa.float64(),
    }
    return pa.table({name: pa.array([], t) for name, t in fields.items()})


def _predict(
    engine: Engine, settings: dict[str, Any], records_table_name: str, blocked: str, threshold: float,
    detail: bool,
) -> pa.Table:  # fmt: skip
    db = engine.splink_api()
    linker = _linker(db, records_table_name, settings)
    linker.table_management.register_blocked_pairs_for_predict(db.register(blocked))
    predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    cols = "unique_id_l AS l, unique_id_r AS r, round(match_weight, 6) AS match_weight, match_probability"
    if detail:
        cols = "*"
    result = engine.fetch(f"SELECT {cols} FROM {predictions.physical_name} ORDER BY 1, 2")
    predictions.drop_table_from_database_and_remove_from_cache()
    return result
