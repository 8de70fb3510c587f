"""One contract, two engines: what a batch stage asks of an engine, on DuckDB and on Spark."""

from pathlib import Path

import pyarrow as pa
import pytest

from counterflow.engine import LocalEngine, open_engine
from counterflow.engine.local import memory_bytes
from counterflow.errors import ConfigurationError
from counterflow.settings import Settings

pytestmark = pytest.mark.xdist_group("spark")


LISTS = pa.table(
    {
        "id": pa.array([1, 2, 3, 4], pa.int64()),
        "a": pa.array([["hsn", "mhmd"], ["ali"], [], ["x", "y", "z"]], pa.list_(pa.string())),
        "b": pa.array([["mhmd"], ["hsn"], ["q"], ["z", "y", "x"]], pa.list_(pa.string())),
        "parts": pa.array(
            [
                [{"t": "", "s": "mhmd", "p": "^m[aeiou]?h[aeiou]*m+[aeiou]*d$"}],
                [{"t": "ali", "s": "l", "p": ""}],
                [],
                [{"t": "", "s": "hsn", "p": "^h[aeiou]?s+[aeiou]*n$"}, {"t": "", "s": "x", "p": "^nomatch$"}],
            ],
            pa.list_(pa.struct([("t", pa.string()), ("s", pa.string()), ("p", pa.string())])),
        ),
        "words": pa.array([["muhamed", "hasan"], ["ali"], ["x"], ["hassan", "hasan"]], pa.list_(pa.string())),
    }
)


def test_tables_go_in_are_made_from_sql_and_come_back(engine):
    engine.put("t_in", pa.table({"k": ["a", "b", "b", "c"], "v": [1, 2, 3, 4]}))
    engine.create("t_sum", "SELECT k, sum(v) AS total FROM t_in GROUP BY k")
    got = engine.fetch("SELECT k, total FROM t_sum ORDER BY k").to_pydict()
    assert got == {"k": ["a", "b", "c"], "total": [1, 5, 4]}
    assert engine.scalar("SELECT count(*) FROM t_sum WHERE total > 1") == 2
    assert engine.scalar("SELECT k FROM t_sum WHERE total > 100") is None
    engine.create("t_sum", "SELECT k FROM t_in WHERE v = 4")  # replaced, not appended
    assert engine.scalar("SELECT count(*) FROM t_sum") == 1
    engine.drop("t_sum")
    with pytest.raises(Exception):  # noqa: B017 - each engine raises its own kind
        engine.fetch("SELECT * FROM t_sum")


def test_list_operations_mean_the_same_on_every_engine(engine):
    d = engine.dialect
    engine.put("lists", LISTS)
    got = engine.fetch(
        f"SELECT id, {d.size('a')} AS n, {d.size(d.common('a', 'b'))} AS common, "
        f"{d.has_any('a', 'b')} AS any_, {d.has_all('a', 'b')} AS all_, "
        f"{d.pattern_hits('parts', 'words')} AS hits FROM lists ORDER BY id"
    ).to_pydict()
    assert got["n"] == [2, 1, 0, 3]
    assert got["common"] == [1, 0, 0, 3]
    assert got["any_"] == [True, False, False, True]
    assert got["all_"] == [True, False, False, True]
    # row 1: the Arabic pattern admits "muhamed"; row 2: no pattern; row 4: "hsn" admits both
    # spellings but counts once, the other pattern admits nothing
    assert got["hits"] == [1, 0, 0, 1]


def test_damerau_levenshtein_is_available_on_every_engine(engine):
    engine.put("words", pa.table({"a": ["1980-02-01", "abcd"], "b": ["1980-01-02", "abdc"]}))
    got = engine.fetch("SELECT a, damerau_levenshtein(a, b) AS d FROM words ORDER BY a").to_pydict()
    assert [int(x) for x in got["d"]] == [2, 1]


def test_the_engine_is_chosen_by_settings():
    eng = open_engine(Settings(database_url="sqlite:///x.sqlite", engine="local"))
    try:
        assert isinstance(eng, LocalEngine)
    finally:
        eng.close()
    with pytest.raises(ConfigurationError):
        open_engine(Settings(database_url="sqlite:///x.sqlite", engine="hadoop"))


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"COUNTERFLOW_ENGINE": "hadoop"}, "local or spark"),
        ({"COUNTERFLOW_ENGINE": "spark", "COUNTERFLOW_SPARK_MASTER": "yarn-cluster"}, "master URL"),
        ({"COUNTERFLOW_DUCKDB_MEMORY": "lots"}, "256MB or 2GB"),
        ({"COUNTERFLOW_DUCKDB_MEMORY": "512"}, "256MB or 2GB"),
    ],
)
def test_bad_engine_settings_are_refused_with_the_reason(env, problem):
    with pytest.raises(ConfigurationError, match=problem):
        Settings.from_env({"COUNTERFLOW_DATABASE_URL": "sqlite:///x.sqlite", **env})


def test_engine_settings_are_read_from_the_environment():
    s = Settings.from_env(
        {
            "COUNTERFLOW_DATABASE_URL": "sqlite:///x.sqlite",
            "COUNTERFLOW_ENGINE": "Spark",
            "COUNTERFLOW_SPARK_MASTER": "spark://10.0.0.5:7077",
        }
    )
    assert (s.engine, s.spark_master) == ("spark", "spark://10.0.0.5:7077")
    assert Settings.from_env({"COUNTERFLOW_DATABASE_URL": "sqlite:///x.sqlite"}).engine == "local"


def test_a_statements_export_is_read_with_its_partitions_as_strings(engine, tmp_path, sqlite_store):
    from counterflow.ingest.report import parse_report
    from counterflow.store.parquet import export_statements

    from reports import report

    for i, day in enumerate(["14.03.2026.", "02.04.2026."]):
        sqlite_store.write_reports([parse_report(report(report_id=f"R{i}", reported_at=day)).record])
    made = export_statements(sqlite_store, tmp_path / "it's here", actor="admin")
    engine.load("st", str(tmp_path / "it's here"))
    got = engine.fetch(
        "SELECT agency, date, count(*) AS n FROM st GROUP BY agency, date ORDER BY date"
    ).to_pydict()
    assert got["agency"] == ["rs_mup", "rs_mup"]
    assert got["date"] == ["2026-03-14", "2026-04-02"]  # strings, not dates
    assert sum(got["n"]) == made.statements
    assert engine.scalar("SELECT count(DISTINCT entity_id) FROM st") >= 3


@pytest.mark.parametrize(
    ("master", "cores"),
    [("local", 1), ("local[3]", 3), ("local[4,2]", 4), ("spark://10.0.0.5:7077", None)],
)
def test_a_local_master_says_how_many_cores_it_has(master, cores):
    from counterflow.engine.spark import _local_cores

    assert _local_cores(master) == cores


def test_local_star_is_the_machine_and_nonsense_is_refused():
    import os

    from counterflow.engine.spark import _local_cores

    assert _local_cores("local[*]") == (os.cpu_count() or 2)
    with pytest.raises(ConfigurationError, match="not a local Spark master"):
        _local_cores("local[many]")


def test_the_embedded_engine_keeps_to_its_memory_limit_and_spills_the_rest():
    env = {"COUNTERFLOW_DATABASE_URL": "sqlite:///x.sqlite", "COUNTERFLOW_DUCKDB_MEMORY": "48 mb"}
    engines = [open_engine(Settings.from_env(env)) for _ in range(2)]
    spills = [Path(str(e.scalar("SELECT current_setting('temp_directory')"))) for e in engines]
    try:
        for eng, spill in zip(engines, spills, strict=True):
            assert isinstance(eng, LocalEngine)
            assert eng.scalar("SELECT current_setting('memory_limit')") in ("45.7 MiB", "48.0 MB")
            assert spill.is_dir() and spill.parent.name.startswith("counterflow-duckdb-")
        assert spills[0] != spills[1]  # DuckDB names its spill files alike: one directory each
        # ~190 MB of rows in each: more than the limit holds, so both spill, side by side
        for eng, step in zip(engines, (7919, 104729), strict=True):
            eng.create("big", f"SELECT (i * {step}) % 5000011 AS k, repeat('x', 20) || i::VARCHAR AS v "
                              "FROM range(5000000) t(i)")  # fmt: skip
        assert all(any(spill.iterdir()) for spill in spills)
        for eng in engines:
            assert eng.scalar("SELECT count(DISTINCT k) FROM big") == 5_000_000
            assert (
                len(eng.fetch("SELECT k FROM (SELECT k FROM big ORDER BY v) LIMIT 3").to_pydict()["k"]) == 3
            )
    finally:
        for eng in engines:
            eng.close()
    assert not any(spill.exists() for spill in spills)  # closing removes the engine's directory
    default = open_engine(Settings(database_url="sqlite:///x.sqlite"))
    try:
        assert default.scalar("SELECT current_setting('memory_limit')") in ("244.1 MiB", "256.0 MB")
    finally:
        default.close()


def test_an_embedded_engine_raises_its_memory_limit_for_big_work_never_lowers_it():
    assert memory_bytes("256MB") == 256_000_000 and memory_bytes("1.5 GiB") == 3 * 2**29
    with pytest.raises(ValueError, match="not an amount"):
        memory_bytes("lots")
    eng = LocalEngine(memory_limit="256MB")
    try:
        eng.reserve_memory(100 * 2**20)  # less than it has: unchanged
        assert eng.scalar("SELECT current_setting('memory_limit')") in ("244.1 MiB", "256.0 MB")
        eng.reserve_memory(2**30)
        assert eng.scalar("SELECT current_setting('memory_limit')") in ("1.0 GiB", "1024.0 MiB")
        assert eng.memory_limit == 2**30
    finally:
        eng.close()
