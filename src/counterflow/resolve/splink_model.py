"""The probabilistic scorers: Splink 5 models for persons and organisations, on DuckDB.

Scorers are named and versioned (``cf-person`` / ``cf-org``, :data:`SCORER_VERSION`): the
comparisons below, the name keys (:data:`~counterflow.resolve.names.NAME_KEYS_VERSION`) and the
blocking (:data:`~counterflow.resolve.blocking.BLOCKING_VERSION`) together make a version; a run
records it with the trained model (Splink's JSON), so an old result can be scored again as it was.

Comparisons (person): **name** (same parts; every part matched across spellings and scripts;
all parts of the shorter name; two parts; one part), **birth date** (exact; day/month swapped;
agreeing at the precision one side has, month or year; one character off), **nationality**,
**gender**, **selectors** (a personal phone/email in common; a shared one in common),
**documents** (passport, JMBG, national id in common), **address** and **other ids** (free-form
numbers, e.g. FEBRL's social security numbers). Name parts are compared by the SQL macro
``cf_tok`` (same Latin form; same consonant skeleton with Jaro-Winkler ≥ 0.8; one typo; an Arabic
part's pattern admitting a Latin spelling), the mirror of :func:`counterflow.resolve.names.part_match`.

Training is unsupervised: u from random pairs, m by expectation maximisation on pairs blocked
by birth date and by name, λ from a deterministic rule. A new agency's data needs no labels.
The same settings and SQL run on Splink's Spark backend (the macros become SQL functions there).
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

from counterflow.resolve.blocking import BLOCKING_VERSION
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

MACROS = """
CREATE OR REPLACE MACRO cf_ar(a, b) AS
    len(list_filter(a, x -> x.p <> '' AND list_bool_or(list_transform(b, y -> regexp_full_match(y, x.p)))));
"""


def _level(sql: str, label: str, m: float, u: float, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, "m_probability": m, "u_probability": u, **extra}


def _fixed(sql: str, label: str, m: float, u: float) -> dict[str, Any]:
    """A level whose m is a domain prior, not learnt: EM takes namesakes for matches otherwise."""
    return _level(sql, label, m, u, fix_m_probability=True)


def _null(sql: str) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": "missing", "is_null_level": True}


_N = "len(tk_l) = len(tk_r)"
_V = "len(list_intersect(vk_l, vk_r))"
_S = "len(list_intersect(sk_l, sk_r))"
NAME = {
    "output_column_name": "name",
    "comparison_description": "name parts across spellings and scripts",
    "comparison_levels": [
        _null("len(tk_l) = 0 OR len(tk_r) = 0"),
        _level("nstr_l = nstr_r", "same name", 0.5, 0.0005),
        _level("vks_l = vks_r", "every part a spelling variant", 0.25, 0.0005),
        _level(
            "CASE WHEN ar_l <> ar_r AND least(len(tk_l), len(tk_r)) >= 2 "
            "THEN cf_ar(tk_l, tok_r) + cf_ar(tk_r, tok_l) >= least(len(tk_l), len(tk_r)) ELSE false END",
            "every part matches across Arabic and Latin script",
            0.05,
            0.0001,
        ),
        _level(
            f"CASE WHEN {_N} AND {_V} = len(tk_l) - 1 AND abs(length(nstr_l) - length(nstr_r)) <= 1 "
            "THEN damerau_levenshtein(nstr_l, nstr_r) = 1 ELSE false END",
            "one typo",
            0.05,
            0.0005,
        ),
        _level(
            "least(len(tk_l), len(tk_r)) >= 2 AND (list_has_all(vk_l, vk_r) OR list_has_all(vk_r, vk_l))",
            "all parts of the shorter name",
            0.05,
            0.0005,
        ),
        _level("sks_l = sks_r", "same consonants, other vowels", 0.03, 0.001),
        _level(f"{_S} >= 2", "two parts in common", 0.03, 0.002),
        _level("list_has_any(sk_l, sk_r)", "one part in common", 0.03, 0.05),
        _level("ELSE", "different names", 0.01, 0.95),
    ],
}
DOB = {
    "output_column_name": "dob",
    "comparison_description": "birth date at partial precision, day/month swaps",
    "comparison_levels": [
        _null("dob_l IS NULL OR dob_r IS NULL"),
        _fixed("dob_l = dob_r AND length(dob_l) = 10", "same date", 0.8, 0.0002),
        _fixed(
            "length(dob_l) = 10 AND length(dob_r) = 10 AND left(dob_l, 4) = left(dob_r, 4) "
            "AND substr(dob_l, 6, 2) = substr(dob_r, 9, 2) AND substr(dob_l, 9, 2) = substr(dob_r, 6, 2)",
            "day and month swapped",
            0.01,
            0.0002,
        ),
        _fixed(
            "least(length(dob_l), length(dob_r)) = 7 AND left(dob_l, 7) = left(dob_r, 7)",
            "same year and month (one side month precision)",
            0.06,
            0.003,
        ),
        _fixed(
            "least(length(dob_l), length(dob_r)) = 4 AND left(dob_l, 4) = left(dob_r, 4)",
            "same year (one side year precision)",
            0.1,
            0.035,
        ),
        _fixed(
            "length(dob_l) = 10 AND length(dob_r) = 10 AND damerau_levenshtein(dob_l, dob_r) = 1",
            "one character off",
            0.02,
            0.01,
        ),
        _fixed("ELSE", "different dates", 0.01, 0.95),
    ],
}
COUNTRY = {
    "output_column_name": "country",
    "comparison_description": "nationality / country",
    "comparison_levels": [
        _null("len(ctry_l) = 0 OR len(ctry_r) = 0"),
        _fixed("list_has_any(ctry_l, ctry_r)", "a country in common", 0.95, 0.15),
        _fixed("ELSE", "different countries", 0.05, 0.85),
    ],
}
GENDER = {
    "output_column_name": "gender",
    "comparison_description": "gender",
    "comparison_levels": [
        _null("gender_l IS NULL OR gender_r IS NULL"),
        _fixed("gender_l = gender_r", "same gender", 0.99, 0.6),
        _fixed("ELSE", "different genders", 0.01, 0.4),
    ],
}
SELECTORS = {
    "output_column_name": "selectors",
    "comparison_description": "phones, emails in common",
    "comparison_levels": [
        _null("len(sel_l) + len(sels_l) = 0 OR len(sel_r) + len(sels_r) = 0"),
        _level("list_has_any(sel_l, sel_r)", "a personal selector in common", 0.5, 0.0001),
        _level("list_has_any(sels_l, sels_r)", "a shared selector in common", 0.1, 0.001),
        _level("ELSE", "no selector in common", 0.4, 0.9989),
    ],
}
DOCS = {
    "output_column_name": "documents",
    "comparison_description": "passport, JMBG, national id",
    "comparison_levels": [
        _null("len(docs_l) = 0 OR len(docs_r) = 0"),
        _level("list_has_any(docs_l, docs_r)", "a document in common", 0.8, 0.00001),
        _level("ELSE", "different documents", 0.2, 0.99999),
    ],
}
ADDRESS = {
    "output_column_name": "address",
    "comparison_description": "address words",
    "comparison_levels": [
        _null("len(addr_l) = 0 OR len(addr_r) = 0"),
        _level("addr_l = addr_r", "same address", 0.7, 0.001),
        _level(
            "len(list_intersect(addr_l, addr_r)) * 2 >= greatest(len(addr_l), len(addr_r))",
            "most address words in common",
            0.2,
            0.01,
        ),
        _level("ELSE", "different addresses", 0.1, 0.989),
    ],
}
WEAK_ID = {
    "output_column_name": "other_ids",
    "comparison_description": "other identifying numbers (unvalidated)",
    "comparison_levels": [
        _null("wid_l IS NULL OR wid_r IS NULL"),
        _level("wid_l = wid_r", "same number", 0.7, 0.0001),
        _level("damerau_levenshtein(wid_l, wid_r) <= 2", "number within two edits", 0.2, 0.001),
        _level("ELSE", "different numbers", 0.1, 0.9989),
    ],
}

COMPARISONS: dict[str, list[dict[str, Any]]] = {
    "person": [NAME, DOB, COUNTRY, GENDER, SELECTORS, DOCS, ADDRESS, WEAK_ID],
    "org": [NAME, COUNTRY, SELECTORS, DOCS, ADDRESS, WEAK_ID],
}
PRIORS = {"person": 0.0005, "org": 0.005}
EM_RULES: dict[str, list[str]] = {
    "person": ["l.dob = r.dob AND length(l.dob) = 10", "l.bk = r.bk"],
    "org": ["l.bk = r.bk"],
}


def scorer_name(kind: str) -> str:
    return f"cf-{kind}"


def scorer_id(kind: str) -> str:
    """``cf-person/1+names-1+blocking-1``: everything that decides a score."""
    return f"{scorer_name(kind)}/{SCORER_VERSION}+{NAME_KEYS_VERSION}+{BLOCKING_VERSION}"


def settings_for(kind: str) -> dict[str, Any]:
    """The untrained Splink settings of a scorer (priors as m/u)."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": [dict(c) for c in COMPARISONS[kind]],
        "probability_two_random_records_match": PRIORS[kind],
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "blocking_rules_to_generate_predictions": [],
        "additional_columns_to_retain": [],
    }


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


def _linker(con: duckdb.DuckDBPyConnection, table: str, settings: dict[str, Any]) -> Any:
    from splink import DuckDBAPI, Linker

    db = DuckDBAPI(con)
    return db, Linker(db.register(table), settings, log_level=None)


def connect(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = false")
    install_macros(con)
    return con


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(MACROS)


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
    _, linker = _linker(con, "cf_train", settings)
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
    con: duckdb.DuckDBPyConnection,
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
    settings = dict(model.settings)
    settings["retain_intermediate_calculation_columns"] = detail
    settings["retain_matching_columns"] = detail
    con.execute(
        f"CREATE OR REPLACE TABLE cf_blocked AS SELECT '0' AS match_key, l AS join_key_l, r AS join_key_r "
        f"FROM {pairs_table_name}"
    )
    db, linker = _linker(con, records_table_name, settings)
    linker.table_management.register_blocked_pairs_for_predict(db.register("cf_blocked"))
    predictions = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    cols = "unique_id_l AS l, unique_id_r AS r, round(match_weight, 6) AS match_weight, match_probability"
    if detail:
        cols = "*"
    result = con.execute(f"SELECT {cols} FROM {predictions.physical_name} ORDER BY 1, 2").to_arrow_table()
    predictions.drop_table_from_database_and_remove_from_cache()
    return result
