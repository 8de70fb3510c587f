"""The few SQL fragments that differ between the embedded engine (DuckDB) and Spark.

The batch stages are written once, in SQL both engines read alike (``CASE``, ``substr``,
``least``, ``DISTINCT``, joins). Where the two spell a list operation differently, the SQL asks
its :class:`Dialect` for the fragment, so the model has one text with two renderings rather than
two texts that could drift apart. ``damerau_levenshtein`` is DuckDB's own and, on Spark, the UDF
of the jar Splink ships (registered by Splink's ``SparkAPI``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DUCKDB", "SPARK", "Dialect", "dialect_named"]


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one engine writes list operations (``{0}``, ``{1}``: the operands)."""

    name: str
    size_of: str
    common_of: str
    any_of: str
    all_of: str
    pattern_hits_of: str
    days_of: str
    union_of: str
    numbers_of: str

    def size(self, items: str) -> str:
        """The number of elements of a list."""
        return self.size_of.format(items)

    def common(self, a: str, b: str) -> str:
        """The elements two lists (of distinct values) have in common."""
        return self.common_of.format(a, b)

    def has_any(self, a: str, b: str) -> str:
        """Do two lists share an element?"""
        return self.any_of.format(a, b)

    def has_all(self, a: str, b: str) -> str:
        """Does list ``a`` hold every element of list ``b``?"""
        return self.all_of.format(a, b)

    def pattern_hits(self, parts: str, words: str) -> str:
        """How many name parts (structs with a regex ``p``, anchored) admit one of ``words``."""
        return self.pattern_hits_of.format(parts, words)

    def days(self, start: str, end: str) -> str:
        """Whole days from date ``start`` to date ``end`` (negative if ``end`` is earlier)."""
        return self.days_of.format(start, end)

    def numbers(self, words: str) -> str:
        """The elements of a list of words that are whole numbers (an address's house number…)."""
        return self.numbers_of.format(words)

    def union(self, lists: str) -> str:
        """Aggregate: the distinct elements of every list in the group, sorted."""
        return self.union_of.format(lists)


DUCKDB = Dialect(
    name="duckdb",
    size_of="len({0})",
    common_of="list_intersect({0}, {1})",
    any_of="list_has_any({0}, {1})",
    all_of="list_has_all({0}, {1})",
    pattern_hits_of=(
        "len(list_filter({0}, x -> x.p <> '' "
        "AND list_bool_or(list_transform({1}, y -> regexp_full_match(y, x.p)))))"
    ),
    days_of="date_diff('day', {0}, {1})",
    union_of="list_sort(list_distinct(flatten(list({0}))))",
    numbers_of="list_filter({0}, x -> regexp_full_match(x, '[0-9]+'))",
)

SPARK = Dialect(
    name="spark",
    size_of="size({0})",
    common_of="array_intersect({0}, {1})",
    any_of="arrays_overlap({0}, {1})",
    all_of="(size(array_except({1}, {0})) = 0)",
    # The patterns carry their own ^…$ anchors, so Java's find() is a full match, as RE2's is.
    pattern_hits_of="size(filter({0}, x -> x.p <> '' AND exists({1}, y -> y rlike x.p)))",
    days_of="datediff({1}, {0})",
    union_of="array_sort(array_distinct(flatten(collect_list({0}))))",
    numbers_of="filter({0}, x -> x rlike '^[0-9]+$')",
)

_BY_NAME = {d.name: d for d in (DUCKDB, SPARK)}


def dialect_named(name: str) -> Dialect:
    return _BY_NAME[name]
