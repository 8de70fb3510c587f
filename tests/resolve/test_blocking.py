from resolve_data import ALHASAN, OTHER, person

from counterflow.engine import LocalEngine
from counterflow.resolve.blocking import candidate_pairs, record_keys
from counterflow.resolve.records import record_from_ftm


def test_cross_script_spellings_share_a_name_key():
    keys = [set(k for k in record_keys(record_from_ftm(e)) if k.startswith("n:")) for e in ALHASAN]
    assert set.intersection(*keys) == {"n:hsn|mhmd"}


def test_pairs_reach_every_spelling_and_not_the_stranger():
    recs = [record_from_ftm(e) for e in [*ALHASAN, OTHER]]
    for i, r in enumerate(recs):
        r.uid = i
    engine = LocalEngine(threads=1)
    stats = candidate_pairs(engine, recs)
    pairs = set(engine.con.execute("SELECT l, r FROM cf_pairs").fetchall())
    assert {(a, b) for a in range(5) for b in range(a + 1, 5)} <= pairs
    assert not any(5 in p for p in pairs)
    assert stats.pairs == len(pairs)


def test_oversized_blocks_are_dropped():
    recs = [record_from_ftm(person(f"x.p{i}", "gb_nca", "Ali Hassan")) for i in range(6)]
    for i, r in enumerate(recs):
        r.uid = i
    stats = candidate_pairs(LocalEngine(threads=1), recs, max_block=5)
    assert stats.pairs == 0 and stats.blocks_dropped >= 1
