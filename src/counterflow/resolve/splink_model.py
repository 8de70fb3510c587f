"""The probabilistic scorers: Splink 5 models for persons and organisations, on DuckDB.

Scorers are named and versioned (``cf-person`` / ``cf-org``, :data:`SCORER_VERSION`): the
comparisons below, the name keys (:data:`~counterflow.resolve.names.NAME_KEYS_VERSION`) and the
blocking (:data:`~counterflow.resolve.blocking.BLOCKING_VERSION`) together make a version; a run
records it with the trained model (Splink's JSON), so an old result can be scored again as it was.

The comparisons are in :mod:`counterflow.resolve.comparisons`, rendered for the engine's SQL
dialect. A model is its levels' parameters: trained once (on the driver's DuckDB), they are
put into the comparisons of whichever engine scores (:func:`for_dialect`).

Training is unsupervised: u from random pairs, m by expectation maximisation on pairs blocked
by birth date and by name, λ from a deterministic rule. A new agency's data needs no labels.
The same model scores on Splink's Spark backend (:mod:`counterflow.engine`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from counterflow.engine import DUCKDB, Dialect, Engine
from counterflow.engine.local import duckdb_connection
from counterflow.resolve.blocking import BLOCKING_VERSION
from counterflow.resolve.comparisons import comparisons, level_labels
from counterflow.resolve.names import NAME_KEYS_VERSION, Part
from counterflow.resolve.records import Record

log = logging.getLogger(__name__)

SCORER_VERSION = "1"
MATCH_THRESHOLD = 0.95  # match probability at or above which the machine judges "positive"
REVIEW_THRESHOLD = 0.5  # at or above (and below the match threshold): "unsure", for review
MIN_TRAINING_RECORDS = 400
MAX_TRAINING_RECORDS = 60_000
U_SAMPLE_PAIRS = 200_000
SEED = 42


PRIORS = {"person": 0.0005, "org": 0.005}
EM_RULES: dict[str, list[str]] = {
    "person": ["l.dob = r.dob AND length(l.dob) = 10", "l.bk = r.bk"],
    "org": ["l.bk = r.bk"],
}


def scorer_name(kind: str) -> str:
    return f"cf-{kind}"


def scorer_id(kind: str) -> str:
    """``cf-person/1+names-2+blocking-2``: everything that decides a score."""
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


@lru_cache(maxsize=262_144)
def _name_columns(
    parts: tuple[Part, ...],
) -> tuple[list[dict[str, Any]], list[str], list[str], list[str], str | None, str, str, bool, str | None]:
    """(tk, tok, vk, sk, nstr, vks, sks, ar, bk) of a record's name parts (cached: names repeat)."""
    vk = sorted({p.variant_key for p in parts})
    sk = sorted({p.skeleton for p in parts})
    skels = [s for s in sk if s]
    bk = f"n:{skels[0]}|{skels[1]}" if len(skels) > 1 else (f"n:{skels[0]}" if skels else None)
    return (
        [p.as_struct() for p in parts],
        [p.latin for p in parts if not p.pattern],
        vk,
        sk,
        " ".join(sorted(p.latin for p in parts)) or None,
        " ".join(sorted(p.variant_key for p in parts)),
        " ".join(sorted(p.skeleton for p in parts)),
        any(p.pattern for p in parts),
        bk,
    )


def records_table(records: Sequence[Record], shared: set[str]) -> pa.Table:
    """The Splink input table of records (one row each; ``unique_id`` = the record's uid)."""
    uid: list[int] = []
    tk: list[list[dict[str, Any]]] = []
    tok: list[list[str]] = []
    vk: list[list[str]] = []
    sk: list[list[str]] = []
    vks: list[str] = []
    sks: list[str] = []
    ar: list[bool] = []
    nstr: list[str | None] = []
    dob: list[str | None] = []
    ctry: list[list[str]] = []
    gender: list[str | None] = []
    sel: list[list[str]] = []
    sels: list[list[str]] = []
    docs: list[list[str]] = []
    addr: list[list[str]] = []
    wid: list[str | None] = []
    bk: list[str | None] = []
    for rec in records:
        uid.append(rec.uid)
        c_tk, c_tok, c_vk, c_sk, c_nstr, c_vks, c_sks, c_ar, c_bk = _name_columns(rec.parts)
        tk.append(c_tk)
        tok.append(c_tok)
        vk.append(c_vk)
        sk.append(c_sk)
        vks.append(c_vks)
        sks.append(c_sks)
        ar.append(c_ar)
        nstr.append(c_nstr)
        dob.append(rec.dob)
        ctry.append(rec.countries)
        gender.append(rec.gender)
        if shared:
            sel.append([s for s in rec.selectors if s not in shared])
            sels.append([s for s in rec.selectors if s in shared])
            docs.append([d for d in rec.docs if d not in shared])
        else:
            sel.append(rec.selectors)
            sels.append([])
            docs.append(rec.docs)
        addr.append(sorted(set(rec.address)))
        wid.append(rec.weak_ids[0] if rec.weak_ids else None)
        bk.append(c_bk)
    strings = pa.list_(pa.string())
    struct = pa.struct([("t", pa.string()), ("s", pa.string()), ("p", pa.string())])
    return pa.table(
        {
            "unique_id": pa.array(uid, pa.int64()),
            "tk": pa.array(tk, pa.list_(struct)),
            "tok": pa.array(tok, strings),
            "vk": pa.array(vk, strings),
            "sk": pa.array(sk, strings),
            "vks": pa.array(vks, pa.string()),
            "sks": pa.array(sks, pa.string()),
            "ar": pa.array(ar, pa.bool_()),
            "nstr": pa.array(nstr, pa.string()),
            "dob": pa.array(dob, pa.string()),
            "ctry": pa.array(ctry, strings),
            "gender": pa.array(gender, pa.string()),
            "sel": pa.array(sel, strings),
            "sels": pa.array(sels, strings),
            "docs": pa.array(docs, strings),
            "addr": pa.array(addr, strings),
            "wid": pa.array(wid, pa.string()),
            "bk": pa.array(bk, pa.string()),
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
    con: duckdb.DuckDBPyConnection, kind: str, records: Sequence[Record], shared: set[str]
) -> TrainedModel:
    """Estimate the scorer's parameters from unlabelled records (priors kept when too few)."""
    settings = settings_for(kind)
    sample = _sample(records, MAX_TRAINING_RECORDS)
    if len(sample) < MIN_TRAINING_RECORDS:
        return TrainedModel(kind, scorer_id(kind), settings, False, len(sample))
    con.register("cf_train_arrow", records_table(sample, shared))
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
        model: dict[str, Any] = linker.misc.save_model_to_json()
    except Exception as exc:  # EM can fail to converge on odd data: keep the priors, say so
        log.warning("training %s failed (%s); using prior parameters", kind, exc)
        model, trained = settings, False
    return TrainedModel(kind, scorer_id(kind), _clean_model(model), trained, len(sample))


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
) -> pa.Table:
    """Score the pairs ``(l, r)`` of ``pairs_table_name`` between records of ``records_table_name``.

    Returns ``l, r, match_weight, match_probability`` (and, with ``detail``, the gamma and Bayes
    factor of every comparison), pairs below ``threshold`` left out, in (l, r) order.
    """
    settings = for_dialect(model, engine.dialect)
    settings["retain_intermediate_calculation_columns"] = detail
    settings["retain_matching_columns"] = detail
    engine.create(
        "cf_blocked", f"SELECT '0' AS match_key, l AS join_key_l, r AS join_key_r FROM {pairs_table_name}"
    )
    db = engine.splink_api()
    linker = _linker(db, records_table_name, settings)
    linker.table_management.register_blocked_pairs_for_predict(db.register("cf_blocked"))
    predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    cols = "unique_id_l AS l, unique_id_r AS r, round(match_weight, 6) AS match_weight, match_probability"
    if detail:
        cols = "*"
    result = engine.fetch(f"SELECT {cols} FROM {predictions.physical_name} ORDER BY 1, 2")
    predictions.drop_table_from_database_and_remove_from_cache()
    return result
