"""u probabilities counted on random pairs, with the matches among them taken out.

u is how often two records that are *not* the same entity agree at a level. Splink estimates it
by counting levels among random pairs as if no random pair were a match. Where an entity has
many records that is not so: FEBRL3's 5,000 records hold 6,538 true pairs, one random pair in
2,000, and agencies reporting the same people make the same. Those matches are nearly all of the
random pairs that share a 7-digit number, a personal phone or a full birth date, so the u of
such levels comes out tens or hundreds of times too large and their agreement weighs little
(FEBRL3's shared number: u 5e-4, +10.7 bits; the scenario's personal phone: u 1.3e-3).

So once Splink has counted u and learnt m and λ, training counts u again on comparison vectors
of a fixed random sample of pairs (:func:`comparison_vectors`), each pair weighted by its
probability of *not* matching under the model (:func:`u_without_matches`: an expectation step on
the random pairs, :data:`ROUNDS` times).

* A level no random pair reached keeps the u it had (nothing to count).
* A level reached only by matches gets half a pair's worth, not zero: a weight, not infinity.
* **Names keep Splink's count** (:data:`PLAIN_U`). A name's u is an average over names, far too
  small for common names and too large for rare ones, and the common ones are where namesakes
  are. Taking the matches out of it made every common name more convincing: on the scenario two
  "Ali Hussein" born the same year merged (hard negatives falsely merged 6 → 14), and no FEBRL
  figure changed.
"""

from __future__ import annotations

import json
import math
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]

from counterflow.resolve.comparisons import levels_by_gamma

__all__ = [
    "PLAIN_U",
    "ROUNDS",
    "comparison_vectors",
    "non_match_probability",
    "random_pairs",
    "u_without_matches",
]

ROUNDS = 2
PLAIN_U = frozenset({"name"})

Vectors = dict[str, np.ndarray]  # comparison's output column name -> gamma per pair (-1: null)


def random_pairs(ids: np.ndarray, n_pairs: int, seed: int) -> pa.Table:
    """Up to ``n_pairs`` distinct random pairs ``(l < r)`` of the sorted ``ids``, the same for a seed."""
    n = len(ids)
    n_pairs = min(n_pairs, n * (n - 1) // 2)
    rng = np.random.default_rng(seed)
    found = np.empty(0, dtype=np.int64)  # pair (i < j) as i * n + j
    while len(found) < n_pairs:
        i, j = rng.integers(0, n, size=(2, n_pairs + n_pairs // 5 + 16))
        draw = np.minimum(i, j) * n + np.maximum(i, j)
        found = np.unique(np.concatenate([found, draw[i != j]]))
    chosen = found[np.sort(rng.permutation(len(found))[:n_pairs])]
    return pa.table(
        {
            "match_key": pa.array(np.full(n_pairs, "0", dtype=object), pa.string()),
            "join_key_l": pa.array(ids[chosen // n], pa.int64()),
            "join_key_r": pa.array(ids[chosen % n], pa.int64()),
        }
    )


def _level_marking(settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` with each level's weight set to minus (its gamma + 1) bits.

    Splink returns a comparison's match weight (``mw_…``) with intermediate columns, and its gamma
    only with the matching columns too (every input column of both records, for every pair). With
    these weights the match weight *is* the gamma (null levels weigh 0): the same vectors, without
    copying the records' lists into the result."""
    marked: dict[str, Any] = json.loads(json.dumps(settings))
    for comparison in marked["comparisons"]:
        for gamma, level in enumerate(levels_by_gamma(comparison)):
            level["u_probability"] = 0.5
            level["m_probability"] = 0.5 * 2.0 ** -(gamma + 1)
            level.pop("fix_m_probability", None)
    marked["retain_intermediate_calculation_columns"] = True
    marked["retain_matching_columns"] = False
    return marked


def comparison_vectors(
    con: duckdb.DuckDBPyConnection, table: str, settings: dict[str, Any], *, n_pairs: int, seed: int
) -> Vectors:
    """The comparison vector (gamma of every comparison) of random pairs of ``table``'s records."""
    from splink import DuckDBAPI, Linker

    ids = np.sort(con.execute(f"SELECT unique_id FROM {table}").fetchnumpy()["unique_id"].astype(np.int64))
    names = [c["output_column_name"] for c in settings["comparisons"]]
    if len(ids) < 2:
        return {name: np.empty(0, np.int8) for name in names}
    db = DuckDBAPI(con)
    linker = Linker(db.register(table), _level_marking(settings), log_level=None)
    con.register("cf_u_pairs", random_pairs(ids, n_pairs, seed))
    try:
        linker.table_management.register_blocked_pairs_for_predict(db.register("cf_u_pairs"))
        pred = linker.inference.predict(threshold_match_probability=None, warning_mode="never")
        cols = ", ".join(f"CAST(-round(mw_{name}) - 1 AS TINYINT) AS g_{name}" for name in names)
        got = con.execute(f"SELECT {cols} FROM {pred.physical_name}").fetchnumpy()
        pred.drop_table_from_database_and_remove_from_cache()
    finally:
        con.unregister("cf_u_pairs")
    return {name: np.asarray(got[f"g_{name}"], dtype=np.int8) for name in names}


def _set_u(comparison: dict[str, Any], gamma: np.ndarray, weight: np.ndarray) -> None:
    levels = levels_by_gamma(comparison)
    seen = np.bincount(gamma[gamma >= 0], minlength=len(levels))
    mass = np.bincount(gamma[gamma >= 0], weights=weight[gamma >= 0], minlength=len(levels))
    total = float(mass.sum())
    if total <= 0:
        return
    for g, level in enumerate(levels):
        if seen[g]:
            level["u_probability"] = max(float(mass[g]), 0.5) / total


def non_match_probability(model: dict[str, Any], vectors: Vectors) -> np.ndarray:
    """Each random pair's probability of not matching under ``model`` (no term frequencies)."""
    lam = float(model["probability_two_random_records_match"])
    n = len(next(iter(vectors.values()), np.empty(0)))
    weight = np.full(n, math.log2(lam / (1 - lam)))
    for comparison in model["comparisons"]:
        levels = levels_by_gamma(comparison)
        bits = [math.log2(max(lv["m_probability"], 1e-12) / lv["u_probability"]) for lv in levels]
        gamma = vectors[comparison["output_column_name"]]
        table = np.asarray([*bits, 0.0])  # gamma -1 (null) reads the trailing 0
        weight += table[gamma]
    not_match: np.ndarray = 1.0 / (1.0 + np.exp2(np.clip(weight, -60, 60)))
    return not_match


def u_without_matches(model: dict[str, Any], vectors: Vectors) -> dict[str, Any]:
    """``model`` with u re-estimated among non-matches, except for :data:`PLAIN_U`."""
    out: dict[str, Any] = json.loads(json.dumps(model))
    for _ in range(ROUNDS):
        not_match = non_match_probability(out, vectors)
        for comparison in out["comparisons"]:
            if comparison["output_column_name"] not in PLAIN_U:
                _set_u(comparison, vectors[comparison["output_column_name"]], not_match)
    return out
