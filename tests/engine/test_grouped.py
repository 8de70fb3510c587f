"""Whole groups through Python: no call ever sees part of a group, and every group is seen once."""

import random

import pyarrow as pa
import pytest

from counterflow.engine.grouped import whole_groups

pytestmark = pytest.mark.xdist_group("spark")

OUT = pa.schema([("k", pa.string()), ("n", pa.int64()), ("values", pa.list_(pa.int64()))])


class Summarise:
    """Counts each group's rows and keeps its values in order; remembers every call's keys."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, table: pa.Table) -> pa.Table:
        d = table.to_pydict()
        groups: dict[str, list[int]] = {}
        for k, v in zip(d["k"], d["v"], strict=True):
            groups.setdefault(k, []).append(v)
        self.calls.append(list(groups))
        return pa.table(
            {"k": list(groups), "n": [len(v) for v in groups.values()], "values": list(groups.values())}
        )


def _rows(seed: int, n: int, keys: int) -> pa.Table:
    rnd = random.Random(seed)
    rows = sorted((f"k{rnd.randrange(keys):05d}", rnd.randrange(1000)) for _ in range(n))
    return pa.table({"k": [k for k, _ in rows], "v": [v for _, v in rows]})


@pytest.mark.parametrize(("seed", "keys", "batch"), [(1, 40, 7), (2, 3, 5), (3, 500, 64), (4, 1, 9)])
def test_groups_reach_the_function_whole_and_once(seed, keys, batch):
    table = _rows(seed, 400, keys)
    fn = Summarise()
    got = pa.Table.from_batches(list(whole_groups(table.to_batches(max_chunksize=batch), "k", fn, OUT)), OUT)
    expected = Summarise()(table)
    assert got.to_pydict() == expected.to_pydict()
    seen = [k for call in fn.calls for k in call]
    assert len(seen) == len(set(seen)) == len(set(table.column("k").to_pylist()))


def test_one_group_longer_than_every_batch_is_still_whole():
    table = pa.table({"k": ["a"] * 50 + ["b"], "v": list(range(51))})
    fn = Summarise()
    got = pa.Table.from_batches(list(whole_groups(table.to_batches(max_chunksize=4), "k", fn, OUT)), OUT)
    assert got.column("n").to_pylist() == [50, 1]
    assert got.column("values").to_pylist()[0] == list(range(50))


def test_no_rows_no_calls():
    fn = Summarise()
    assert list(whole_groups(iter([]), "k", fn, OUT)) == []
    assert fn.calls == []


def test_engines_map_groups_in_order(engine):
    rnd = random.Random(5)
    rows = [(f"k{rnd.randrange(300)}", rnd.randrange(10**6)) for _ in range(20_000)]
    engine.put("g_in", pa.table({"k": [k for k, _ in rows], "v": [v for _, v in rows]}))
    engine.map_groups("g_out", "g_in", "k", ["v"], Summarise(), OUT)
    got = engine.fetch("SELECT k, n, values FROM g_out ORDER BY k").to_pydict()
    expected: dict[str, list[int]] = {}
    for k, v in rows:
        expected.setdefault(k, []).append(v)
    assert got["k"] == sorted(expected)
    assert got["values"] == [sorted(expected[k]) for k in sorted(expected)]
    assert got["n"] == [len(expected[k]) for k in sorted(expected)]
