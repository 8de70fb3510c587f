"""u counted on random pairs, and again with the matches among them taken out."""

import numpy as np
import pytest
from resolve_data import ALHASAN, BROTHER, NAMESAKE, OTHER, person

from counterflow.resolve.records import record_from_ftm
from counterflow.resolve.splink_model import connect, records_table, settings_for
from counterflow.resolve.u_estimate import (
    comparison_vectors,
    non_match_probability,
    random_pairs,
    u_without_matches,
)


def test_random_pairs_are_distinct_ordered_and_repeatable():
    ids = np.array([3, 8, 15, 40, 41, 77, 90], dtype=np.int64)
    t = random_pairs(ids, 12, seed=5)
    pairs = list(zip(t["join_key_l"].to_pylist(), t["join_key_r"].to_pylist(), strict=True))
    assert len(pairs) == len(set(pairs)) == 12
    assert all(a < b and a in ids and b in ids for a, b in pairs)
    assert random_pairs(ids, 12, seed=5).equals(t)
    assert not random_pairs(ids, 12, seed=6).equals(t)
    every = random_pairs(ids, 1_000, seed=5)  # more asked for than there are: all 21 of them
    assert every.num_rows == 21


def _vectors_both_ways(con, settings):
    """Gammas by the marked weights, and as Splink reports them with the matching columns."""
    from splink import DuckDBAPI, Linker

    ours = comparison_vectors(con, "cf_t", settings, n_pairs=1_000, seed=1)
    ids = np.sort(con.execute("SELECT unique_id FROM cf_t").fetchnumpy()["unique_id"].astype(np.int64))
    con.register("cf_p", random_pairs(ids, 1_000, 1))
    db = DuckDBAPI(con)
    full = {**settings, "retain_intermediate_calculation_columns": True, "retain_matching_columns": True}
    linker = Linker(db.register("cf_t"), full, log_level=None)
    linker.table_management.register_blocked_pairs_for_predict(db.register("cf_p"))
    pred = linker.inference.predict(threshold_match_probability=None, warning_mode="never")
    names = list(ours)
    cols = ", ".join("gamma_" + n for n in names)
    got = con.execute(f"SELECT {cols} FROM {pred.physical_name}").fetchnumpy()
    return ours, {n: np.asarray(got["gamma_" + n]) for n in names}


def test_comparison_vectors_are_splinks_gammas():
    extra = [
        person("x.a1", "gb_nca", "Lily Hage", address="33 Piddington Street Ocean Star Villas 3204"),
        person("x.a2", "gb_nca", "Hugh Campbell", address="66 Keith Street Ocean Star Villas 6107"),
        person("x.a3", "gr_police", "Lily Hage", address="33 Piddington Street Ocean Star Villas 3204"),
    ]
    recs = [record_from_ftm(e) for e in [*ALHASAN, BROTHER, NAMESAKE, OTHER, *extra]]
    for i, r in enumerate(recs):
        r.uid = i
    con = connect(threads=1)
    con.register("cf_in", records_table(recs, set()))
    con.execute("CREATE TABLE cf_t AS SELECT * FROM cf_in")
    ours, splinks = _vectors_both_ways(con, settings_for("person"))
    assert len(ours["name"]) == len(recs) * (len(recs) - 1) // 2  # every pair
    for name, gamma in ours.items():
        assert gamma.tolist() == splinks[name].tolist(), name
    assert len(set(ours["name"].tolist())) >= 3 and len(set(ours["dob"].tolist())) >= 3
    # Lily Hage with herself: same address; with Hugh Campbell: most words, other numbers.
    assert sorted(g for g in ours["address"].tolist() if g >= 0) == [1, 1, 4]


def _world(n_matches: int, n_other: int, n_sharing: int):
    """Synthetic comparison vectors: matches agree on name, date and number; non-matches on
    nothing, except ``n_sharing`` of them that share the number (a family's). The settings' u is
    the plain share of the pairs at each level, as Splink counts it."""
    settings = settings_for("person")
    top = {c["output_column_name"]: len(c["comparison_levels"]) - 2 for c in settings["comparisons"]}
    n = n_matches + n_other
    vectors = {name: np.full(n, -1, dtype=np.int8) for name in top}
    for name in ("name", "dob", "other_ids"):
        vectors[name][:n_matches] = top[name]
        vectors[name][n_matches:] = 0
    vectors["other_ids"][n_matches : n_matches + n_sharing] = top["other_ids"]
    for c in settings["comparisons"]:
        levels = [lv for lv in c["comparison_levels"] if not lv.get("is_null_level")][::-1]
        gamma = vectors[c["output_column_name"]]
        for g, level in enumerate(levels):
            if (gamma == g).any():
                level["u_probability"] = float((gamma == g).sum() / (gamma >= 0).sum())
    return settings, vectors


def _level(settings, comparison, label):
    for c in settings["comparisons"]:
        if c["output_column_name"] == comparison:
            return next(lv for lv in c["comparison_levels"] if lv["label_for_charts"] == label)
    raise KeyError(comparison)


def test_matches_are_taken_out_of_u_but_not_out_of_names():
    counted, vectors = _world(10, 990, 2)
    assert _level(counted, "other_ids", "same number")["u_probability"] == pytest.approx(12 / 1000)
    counted["probability_two_random_records_match"] = 0.01
    for comparison, label, m in (("name", "same name", 0.9), ("dob", "same date", 0.9)):
        _level(counted, comparison, label)["m_probability"] = m
    _level(counted, "other_ids", "same number")["m_probability"] = 0.9
    p = 1 - non_match_probability(counted, vectors)
    assert p[:10].min() > 0.99 and p[10:].max() < 0.01  # the model tells them apart
    fixed = u_without_matches(counted, vectors)
    # Only the family's two pairs share a number among the 990 non-matches.
    assert _level(fixed, "other_ids", "same number")["u_probability"] == pytest.approx(2 / 990, rel=0.02)
    # Nothing but matches had the same date: half a pair's worth, not zero.
    assert _level(fixed, "dob", "same date")["u_probability"] == pytest.approx(0.5 / 990, rel=0.02)
    # Names keep the plain count; a level no pair reached keeps its u; the model given is unchanged.
    assert _level(fixed, "name", "same name")["u_probability"] == pytest.approx(10 / 1000)
    swapped = _level(counted, "dob", "day and month swapped")["u_probability"]
    assert _level(fixed, "dob", "day and month swapped")["u_probability"] == swapped
    assert _level(counted, "other_ids", "same number")["u_probability"] == pytest.approx(12 / 1000)
