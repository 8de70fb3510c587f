import itertools

import pytest

from counterflow.errors import InvalidValue
from counterflow.model.grading import INFORMATION_CODES, SOURCE_CODES, Grading, GradingScheme, weakest

# Order of trust within each native scheme, best first (DOMAIN.md §5).
NATIVE_SOURCE_ORDER = {
    GradingScheme.UK_3X5X2: ["1", "2", "3"],
    GradingScheme.UK_5X5X5: ["A", "B", "C", "D", "E"],
    GradingScheme.EU_4X4: ["A", "B", "C", "X"],
}
COMMON_SOURCE_RANK = {"A": 0, "B": 1, "X": 2, "C": 3}  # 4x4 reading, best first for ranking


@pytest.mark.parametrize(
    ("scheme", "src", "info", "common"),
    [
        ("3x5x2", "1", "A", "B2"),
        ("3x5x2", "1", "B", "B3"),
        ("3x5x2", "2", "C", "X4"),
        ("3x5x2", "3", "E", "C4"),
        ("5x5x5", "A", "1", "A1"),
        ("5x5x5", "D", "2", "C2"),
        ("5x5x5", "E", "5", "X4"),
        ("4x4", "B", "2", "B2"),
        ("4x4", "X", "4", "X4"),
    ],
)
def test_common_scale(scheme, src, info, common):
    assert Grading.parse(scheme, src, info).common == common


def test_native_code_kept_verbatim():
    g = Grading.parse("5x5x5", "B", "3")
    assert (g.scheme.value, g.source, g.information, g.native) == ("5x5x5", "B", "3", "B3")


def test_conversion_never_upgrades_a_source():
    # A native "always reliable" maps to A; nothing else in any scheme may reach A.
    for scheme, codes in SOURCE_CODES.items():
        for code in codes:
            common = Grading.parse(scheme.value, code, next(iter(INFORMATION_CODES[scheme]))).common_source
            if common == "A":
                assert code == "A" and scheme in {GradingScheme.UK_5X5X5, GradingScheme.EU_4X4}


def test_conversion_is_monotone_within_each_scheme():
    # A worse native grade never converts to a better weight than a better native grade.
    for scheme, order in NATIVE_SOURCE_ORDER.items():
        info = next(iter(INFORMATION_CODES[scheme]))
        weights = [Grading.parse(scheme.value, s, info).weight for s in order]
        # untested sources (E in 5x5x5, 2 in 3x5x2) may sit between, but never above the best
        assert weights[0] == max(weights)
    for scheme, codes in INFORMATION_CODES.items():
        src = next(iter(SOURCE_CODES[scheme]))
        weights = [Grading.parse(scheme.value, src, i).weight for i in codes]
        assert weights == sorted(weights, reverse=True)


def test_information_never_reaches_1_from_3x5x2():
    # 3x5x2 "A known directly to the source" is not 4x4's "not in doubt".
    for src, info in itertools.product("123", "ABCDE"):
        assert Grading.parse("3x5x2", src, info).common_information != "1"


def test_suspected_false():
    assert Grading.parse("3x5x2", "1", "E").suspected_false
    assert Grading.parse("5x5x5", "A", "5").suspected_false
    assert not Grading.parse("4x4", "C", "4").suspected_false
    assert Grading.parse("3x5x2", "1", "E").weight < Grading.parse("3x5x2", "3", "D").weight


@pytest.mark.parametrize(
    ("scheme", "src", "info", "fragment"),
    [
        ("3x3x3", "1", "A", "unknown scheme"),
        ("3x5x2", "4", "A", "not a 3x5x2 source code"),
        ("3x5x2", "1", "F", "not a 3x5x2 intelligence code"),
        ("4x4", "D", "1", "not a 4x4 source code"),
        ("5x5x5", "a", "1", "not a 5x5x5 source code"),  # never coerced, not even case
    ],
)
def test_unknown_codes_are_errors(scheme, src, info, fragment):
    with pytest.raises(InvalidValue, match=fragment):
        Grading.parse(scheme, src, info)


def test_weakest():
    grades = [
        Grading.parse("4x4", "A", "1"),
        Grading.parse("3x5x2", "2", "C"),
        Grading.parse("5x5x5", "B", "2"),
    ]
    assert weakest(grades) == Grading.parse("3x5x2", "2", "C")
    assert weakest([]) is None
