import pytest

from counterflow.errors import InvalidValue
from counterflow.model.handling import Classification, Handling, highest, most_restrictive


def test_conditions_required_for_c_and_h3():
    with pytest.raises(InvalidValue, match="requires its conditions text"):
        Handling.parse("3x5x2", "C")
    with pytest.raises(InvalidValue, match="requires its conditions text"):
        Handling.parse("SIENA", "H3", "   ")
    h = Handling.parse("SIENA", "H3", " not to Interpol ")
    assert h.conditions == "not to Interpol"


@pytest.mark.parametrize(
    ("scheme", "code"), [("SIENA", "H4"), ("SIENA", "h1"), ("5x5x5", "6"), ("3x5x2", "X"), ("UK", "P")]
)
def test_unknown_codes_rejected(scheme, code):
    with pytest.raises(InvalidValue):
        Handling.parse(scheme, code, "x")


def test_flags():
    assert Handling.parse("SIENA", "H1").court_restricted
    assert not Handling.parse("SIENA", "H2").court_restricted
    assert Handling.parse("SIENA", "H2").no_onward
    assert Handling.parse("5x5x5", "4").originator_only
    assert Handling.parse("5x5x5", "5").no_onward
    assert not Handling.parse("3x5x2", "P").no_onward


def test_most_restrictive_keeps_every_restriction():
    h0, h1 = Handling.parse("SIENA", "H0"), Handling.parse("SIENA", "H1")
    p, four = Handling.parse("3x5x2", "P"), Handling.parse("5x5x5", "4")
    result = most_restrictive([h0, p, h1, four])
    assert four in result and h1 in result  # originator-only, and not-in-court
    assert h0 not in result and p not in result
    assert most_restrictive([p, h0]) == [h0, p] or set(most_restrictive([p, h0])) == {h0, p}
    assert most_restrictive([]) == []


def test_classification():
    assert Classification.parse("official-sensitive") is Classification.OFFICIAL_SENSITIVE
    assert Classification.parse("TOP SECRET").level == 3
    with pytest.raises(InvalidValue, match="unknown marking"):
        Classification.parse("RESTRICTED")
    assert highest([Classification.OFFICIAL, Classification.SECRET]) is Classification.SECRET
