"""The scorers' SQL, rendered for each engine, says the same thing in each engine's words."""

import re

import pytest
from splink.internals.parse_sql import get_columns_used_from_sql

from counterflow.engine.dialect import DUCKDB, SPARK
from counterflow.resolve.comparisons import comparisons, level_labels

DUCKDB_ONLY = re.compile(r"\b(list_\w+|len|regexp_full_match)\(")
SPARK_ONLY = re.compile(r"\b(size|array_\w+|arrays_overlap|filter|exists)\(|\brlike\b")


def conditions(kind, dialect):
    for comp in comparisons(kind, dialect):
        for level in comp["comparison_levels"]:
            yield comp["output_column_name"], level["label_for_charts"], level["sql_condition"]


@pytest.mark.parametrize("kind", ["person", "org"])
def test_spark_rendering_uses_no_duckdb_function(kind):
    spark = list(conditions(kind, SPARK))
    assert spark, "no conditions rendered"
    assert [c for c in spark if DUCKDB_ONLY.search(c[2])] == []
    assert [c for c in conditions(kind, DUCKDB) if SPARK_ONLY.search(c[2])] == []


@pytest.mark.parametrize("kind", ["person", "org"])
def test_both_renderings_have_the_same_levels_and_columns(kind):
    duck, spark = comparisons(kind, DUCKDB), comparisons(kind, SPARK)
    assert level_labels(duck) == level_labels(spark)
    for (_, label, a), (_, _, b) in zip(conditions(kind, DUCKDB), conditions(kind, SPARK), strict=True):
        if a == "ELSE":
            assert b == "ELSE"
            continue
        # Splink keeps only the columns it finds in a condition: a column seen in one rendering
        # and not the other would be missing from that engine's comparison table.
        used_a = set(get_columns_used_from_sql(a, sqlglot_dialect="duckdb"))
        used_b = set(get_columns_used_from_sql(b, sqlglot_dialect="spark"))
        assert used_a == used_b, label


def test_the_arabic_level_names_every_column_it_reads():
    level = next(c for c in conditions("person", DUCKDB) if "Arabic" in c[1])
    used = set(get_columns_used_from_sql(level[2], sqlglot_dialect="duckdb"))
    assert {"tk_l", "tk_r", "tok_l", "tok_r", "ar_l", "ar_r"} <= used
