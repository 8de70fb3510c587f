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


def test_address_key_is_the_house_number_and_the_street_word_after_it():
    from counterflow.resolve.blocking import address_key

    assert address_key(["7", "erldunda", "circuit", "jan", "juc", "6233", "vic"]) == "7|erldunda"
    assert address_key(["mclachlan", "street", "eastwood"]) is None  # no number
    assert address_key(["mclachlan", "street", "12"]) is None  # nothing after the number
    assert address_key(["2", "a", "ulica", "kralja", "petra"]) == "2|ulica"  # words of < 3 letters skipped
    assert address_key([]) is None


def test_records_whose_names_were_replaced_meet_at_their_address():
    a = person("x.1", "gb_nca", "Harrison Capurso", address="7 Erldunda Circuit, Jan Juc 6233")
    b = person("x.2", "gr_police", "Ruby Fenwick", address="7 erldunda circ. jan juc 6233")
    c = person("x.3", "gr_police", "Ruby Fenwick", address="9 erldunda circuit jan juc 6233")
    recs = [record_from_ftm(e) for e in (a, b, c)]
    for i, r in enumerate(recs):
        r.uid = i
    engine = LocalEngine(threads=1)
    candidate_pairs(engine, recs)
    pairs = set(engine.con.execute("SELECT l, r FROM cf_pairs").fetchall())
    assert (0, 1) in pairs and (0, 2) not in pairs
