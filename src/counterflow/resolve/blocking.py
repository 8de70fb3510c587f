"""Candidate pairs: which records get scored.

Keys are built so that the spellings and scripts of one name fall together: a name's parts are
reduced to consonant skeletons (``Mohammed`` = ``Мухамед`` = ``Μωχάμεντ`` = ``محمد`` → ``mhmd``,
see :mod:`counterflow.resolve.names`) and every record gets

* ``n:`` one key per pair of its part skeletons (``hsn|mhmd``): the order of parts, a family name
  written first, particles and vowels do not matter;
* ``y:`` each part skeleton with the birth year (one part mistyped or missing);
* ``i:`` one key per pair of the first two letters of its parts (a typo that drops a consonant);
* ``d:`` the full birth date with the first letter of each part's skeleton (a name badly garbled
  but the same date);
* ``s:`` each selector and document (phone, email, passport…), so that records sharing a
  shared selector are still scored; ``w:`` each other identifying number;
* ``a:`` the address's house number with the street word after it (``7|erldunda``): one
  person's records whose names were both replaced or garbled beyond the keys above (``blocking-4``;
  FEBRL4 had 9 such true pairs that were never scored, and has none now).

A key whose block holds more records than its type allows (``MAX_BLOCK_BY_TYPE``: 200 for name
pairs, 100 for a full date, 10 for a part with a year, 20 for first letters and for an address)
is not used (a very common name and year; a reception centre or a block of flats): its pairs
are too many and each too weak. On the 200,000 records of
``benchmarks/bench_resolve_speed.py`` (truth rebuilt from the generator's seed) a part with a
year brought 2.0 M pairs no other key did, of which 1,306 were true, and first letters 275 k with
232 true. ``blocking-2`` capped the first at 30 (was 100); ``blocking-3`` caps it at 10 and first
letters at 20 (was 40): 3.48 M candidate pairs become 2.46 M, the clusters' pairwise recall there
goes from 0.6832 to 0.6827 at the same precision (122 fewer of 174,413 true pairs found), and the
scenario's and FEBRL's results stay as they were (the scenario's reach 0.9986 → 0.9984). Pairs
are made by the batch engine (DuckDB, or Spark: :mod:`counterflow.engine`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa  # type: ignore[import-untyped]

from counterflow.engine import Engine
from counterflow.resolve.records import ARROW_POOL, Record

BLOCKING_VERSION = "blocking-4"
MAX_BLOCK = 400
# The largest usable block per key type: the weaker the key, the smaller its blocks must be.
MAX_BLOCK_BY_TYPE = {"n": 200, "y": 10, "d": 100, "i": 20, "a": 20, "s": MAX_BLOCK, "w": MAX_BLOCK}


def record_keys(rec: Record) -> list[str]:
    """The blocking keys of one record (see the module docstring)."""
    skels = sorted({p.skeleton for p in rec.parts if p.skeleton})
    keys: list[str] = []
    for i, a in enumerate(skels):
        for b in skels[i + 1 :]:
            keys.append(f"n:{a}|{b}")
    if len(skels) == 1:
        keys.append(f"n:{skels[0]}")
    heads = sorted({p.latin[:2] for p in rec.parts if not p.pattern and len(p.latin) >= 2})
    for i, a in enumerate(heads):
        for b in heads[i + 1 :]:
            keys.append(f"i:{a}|{b}")
    year = rec.dob[:4] if rec.dob else None
    if year:
        keys.extend(f"y:{s}|{year}" for s in skels)
    if rec.dob and len(rec.dob) == 10:
        keys.extend(f"d:{rec.dob}|{s[0]}" for s in skels)
    keys.extend(f"s:{s}" for s in rec.selectors)
    keys.extend(f"s:{s}" for s in rec.docs)
    for w in rec.weak_ids:
        keys.append(f"w:{w}")
    place = address_key(rec.address)
    if place:
        keys.append(f"a:{place}")
    return keys


def address_key(words: Sequence[str]) -> str | None:
    """An address's house number with the street word after it (``7|erldunda``), or None."""
    for i, word in enumerate(words):
        if word.isdigit():
            street = next((w for w in words[i + 1 :] if w.isalpha() and len(w) >= 3), None)
            return f"{word}|{street}" if street else None
    return None


def cap_expr(max_block: int = MAX_BLOCK) -> str:
    """SQL: the largest usable block for the key in column ``bkey`` (by its type letter)."""
    caps = " ".join(f"WHEN '{t}' THEN {min(cap, max_block)}" for t, cap in sorted(MAX_BLOCK_BY_TYPE.items()))
    return f"CASE substr(bkey, 2, 1) {caps} ELSE {int(max_block)} END"


@dataclass(frozen=True, slots=True)
class BlockingStats:
    records: int
    keys: int
    blocks_dropped: int
    pairs: int


def keys_table(records: Sequence[Record]) -> pa.Table:
    uids: list[int] = []
    keys: list[str] = []
    for rec in records:
        if rec.kind == "object":
            continue
        for key in record_keys(rec):
            uids.append(rec.uid)
            keys.append(f"{rec.kind[0]}{key}")
    return pa.table(
        {"uid": pa.array(uids, pa.int64()), "bkey": pa.array(keys, pa.string(), memory_pool=ARROW_POOL)}
    )


def candidate_pairs(
    engine: Engine, records: Sequence[Record], *, max_block: int = MAX_BLOCK
) -> BlockingStats:
    """Create table ``cf_pairs(l, r)`` (l < r) of candidate pairs."""
    keys = keys_table(records)
    engine.put("cf_keys_in", keys)
    engine.create("cf_keys", "SELECT DISTINCT uid, bkey FROM cf_keys_in")
    engine.drop("cf_keys_in")
    engine.create(
        "cf_blocks", f"SELECT bkey, count(*) AS n, {cap_expr(max_block)} AS cap FROM cf_keys GROUP BY bkey"
    )
    dropped = engine.scalar("SELECT count(*) FROM cf_blocks WHERE n > cap")
    engine.create(
        "cf_pairs",
        """
        WITH usable AS (
            SELECT k.uid, k.bkey FROM cf_keys k
            JOIN (SELECT bkey FROM cf_blocks WHERE n BETWEEN 2 AND cap) b ON b.bkey = k.bkey
        )
        SELECT DISTINCT a.uid AS l, b.uid AS r
        FROM usable a JOIN usable b ON a.bkey = b.bkey AND a.uid < b.uid
        """,
    )
    n_keys = keys.num_rows
    del keys
    engine.drop("cf_keys")
    engine.drop("cf_blocks")
    return BlockingStats(
        records=len(records),
        keys=n_keys,
        blocks_dropped=int(dropped or 0),
        pairs=int(engine.scalar("SELECT count(*) FROM cf_pairs") or 0),
    )
