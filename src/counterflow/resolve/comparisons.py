"""The scorers' comparisons, written once and rendered for each engine's SQL dialect.

Person: **name** (same parts; every part matched across spellings and scripts; all parts of
the shorter name; two parts; one part), **birth date** (exact; day/month swapped; agreeing at the
precision one side has, month or year; one character off), **nationality**, **gender**,
**selectors** (a personal phone/email in common; a shared one in common), **documents**
(passport, JMBG, national id in common), **address** and **other ids** (free-form numbers, e.g.
FEBRL's social security numbers). Organisations use the same minus dates and gender.

Every level has a label, a prior m and u (Splink's starting point; learnt by training unless
``fix_m_probability``), and an SQL condition. List operations come from the dialect
(:mod:`counterflow.engine.dialect`), so DuckDB and Spark evaluate the same condition.
"""

from __future__ import annotations

from typing import Any

from counterflow.engine.dialect import DUCKDB, Dialect

__all__ = ["comparisons", "level_labels", "levels_by_gamma"]


def _level(sql: str, label: str, m: float, u: float, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, "m_probability": m, "u_probability": u, **extra}


def _fixed(sql: str, label: str, m: float, u: float) -> dict[str, Any]:
    """A level whose m is a domain prior, not learnt: EM takes namesakes for matches otherwise."""
    return _level(sql, label, m, u, fix_m_probability=True)


def _null(sql: str) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": "missing", "is_null_level": True}


def _name(d: Dialect) -> dict[str, Any]:
    n_l, n_r = d.size("tk_l"), d.size("tk_r")
    shorter = f"least({n_l}, {n_r})"
    arabic = f"{d.pattern_hits('tk_l', 'tok_r')} + {d.pattern_hits('tk_r', 'tok_l')}"
    return {
        "output_column_name": "name",
        "comparison_description": "name parts across spellings and scripts",
        "comparison_levels": [
            _null(f"{n_l} = 0 OR {n_r} = 0"),
            _level("nstr_l = nstr_r", "same name", 0.5, 0.0005),
            _level("vks_l = vks_r", "every part a spelling variant", 0.25, 0.0005),
            _level(
                # The tok guard changes nothing (no Latin part, no hit) but names tok_l/tok_r outside
                # the lambdas, where Splink looks for the columns a level needs.
                f"CASE WHEN ar_l <> ar_r AND {shorter} >= 2 AND {d.size('tok_l')} + {d.size('tok_r')} > 0 "
                f"THEN {arabic} >= {shorter} ELSE false END",
                "every part matches across Arabic and Latin script",
                0.05,
                0.0001,
            ),
            _level(
                f"CASE WHEN {n_l} = {n_r} AND {d.size(d.common('vk_l', 'vk_r'))} = {n_l} - 1 "
                "AND abs(length(nstr_l) - length(nstr_r)) <= 1 "
                "THEN damerau_levenshtein(nstr_l, nstr_r) = 1 ELSE false END",
                "one typo",
                0.05,
                0.0005,
            ),
            _level(
                f"{shorter} >= 2 AND ({d.has_all('vk_l', 'vk_r')} OR {d.has_all('vk_r', 'vk_l')})",
                "all parts of the shorter name",
                0.05,
                0.0005,
            ),
            _level("sks_l = sks_r", "same consonants, other vowels", 0.03, 0.001),
            _level(f"{d.size(d.common('sk_l', 'sk_r'))} >= 2", "two parts in common", 0.03, 0.002),
            _level(d.has_any("sk_l", "sk_r"), "one part in common", 0.03, 0.05),
            _level("ELSE", "different names", 0.01, 0.95),
        ],
    }


def _dob() -> dict[str, Any]:
    return {
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


def _country(d: Dialect) -> dict[str, Any]:
    return {
        "output_column_name": "country",
        "comparison_description": "nationality / country",
        "comparison_levels": [
            _null(f"{d.size('ctry_l')} = 0 OR {d.size('ctry_r')} = 0"),
            _fixed(d.has_any("ctry_l", "ctry_r"), "a country in common", 0.95, 0.15),
            _fixed("ELSE", "different countries", 0.05, 0.85),
        ],
    }


def _gender() -> dict[str, Any]:
    return {
        "output_column_name": "gender",
        "comparison_description": "gender",
        "comparison_levels": [
            _null("gender_l IS NULL OR gender_r IS NULL"),
            _fixed("gender_l = gender_r", "same gender", 0.99, 0.6),
            _fixed("ELSE", "different genders", 0.01, 0.4),
        ],
    }


def _selectors(d: Dialect) -> dict[str, Any]:
    none_l = f"{d.size('sel_l')} + {d.size('sels_l')} = 0"
    none_r = f"{d.size('sel_r')} + {d.size('sels_r')} = 0"
    return {
        "output_column_name": "selectors",
        "comparison_description": "phones, emails in common",
        "comparison_levels": [
            _null(f"{none_l} OR {none_r}"),
            _level(d.has_any("sel_l", "sel_r"), "a personal selector in common", 0.5, 0.0001),
            _level(d.has_any("sels_l", "sels_r"), "a shared selector in common", 0.1, 0.001),
            _level("ELSE", "no selector in common", 0.4, 0.9989),
        ],
    }


def _documents(d: Dialect) -> dict[str, Any]:
    return {
        "output_column_name": "documents",
        "comparison_description": "passport, JMBG, national id",
        "comparison_levels": [
            _null(f"{d.size('docs_l')} = 0 OR {d.size('docs_r')} = 0"),
            _level(d.has_any("docs_l", "docs_r"), "a document in common", 0.8, 0.00001),
            _level("ELSE", "different documents", 0.2, 0.99999),
        ],
    }


def _address(d: Dialect) -> dict[str, Any]:
    """Address words; their numbers (house number, postcode) tell a neighbour from a typo.

    Without the numbers, "most words in common" counted "street", the suburb and the state:
    FEBRL4's "33 piddington street ocean star villas ballina 3204 vic" and "66 keith street
    ocean star villas beenleigh 6107 vic" are two people who were merged by it."""
    most = f"{d.size(d.common('addr_l', 'addr_r'))} * 2 >= greatest({d.size('addr_l')}, {d.size('addr_r')})"
    nl, nr = d.numbers("addr_l"), d.numbers("addr_r")
    return {
        "output_column_name": "address",
        "comparison_description": "address words and numbers",
        "comparison_levels": [
            _null(f"{d.size('addr_l')} = 0 OR {d.size('addr_r')} = 0"),
            _level("addr_l = addr_r", "same address", 0.7, 0.001),
            _level(
                f"{most} AND {d.size(nl)} > 0 AND {nl} = {nr}",
                "most address words, the same numbers",
                0.2,
                0.001,
            ),
            _level(
                f"{most} AND ({d.size(nl)} = 0 OR {d.size(nr)} = 0 OR {d.has_any(nl, nr)})",
                "most address words, a number in common",
                0.1,
                0.005,
            ),
            _level(most, "most address words, other numbers", 0.05, 0.005),
            _level("ELSE", "different addresses", 0.1, 0.989),
        ],
    }


def _weak_id() -> dict[str, Any]:
    return {
        "output_column_name": "other_ids",
        "comparison_description": "other identifying numbers (unvalidated)",
        "comparison_levels": [
            _null("wid_l IS NULL OR wid_r IS NULL"),
            _level("wid_l = wid_r", "same number", 0.7, 0.0001),
            _level("damerau_levenshtein(wid_l, wid_r) <= 2", "number within two edits", 0.2, 0.001),
            _level("ELSE", "different numbers", 0.1, 0.9989),
        ],
    }


def comparisons(kind: str, dialect: Dialect = DUCKDB) -> list[dict[str, Any]]:
    """The Splink comparisons of scorer ``kind`` (``person`` or ``org``) in ``dialect``."""
    if kind == "person":
        return [
            _name(dialect),
            _dob(),
            _country(dialect),
            _gender(),
            _selectors(dialect),
            _documents(dialect),
            _address(dialect),
            _weak_id(),
        ]
    if kind == "org":
        return [
            _name(dialect),
            _country(dialect),
            _selectors(dialect),
            _documents(dialect),
            _address(dialect),
            _weak_id(),
        ]
    raise ValueError(f"no scorer for {kind!r}")


def level_labels(comparison_list: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """(output column, level labels) of each comparison: a model's shape, whatever its dialect."""
    return [
        (c["output_column_name"], [lv["label_for_charts"] for lv in c["comparison_levels"]])
        for c in comparison_list
    ]


def levels_by_gamma(comparison: dict[str, Any]) -> list[dict[str, Any]]:
    """A comparison's non-null levels, index = gamma (Splink numbers them from the last, 0, up)."""
    return [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")][::-1]
