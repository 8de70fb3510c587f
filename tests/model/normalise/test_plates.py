import pytest
from hypothesis import given
from hypothesis import strategies as st

from counterflow.errors import InvalidValue
from counterflow.model.normalise.plates import normalise_plate


@pytest.mark.parametrize(
    ("written", "country", "value", "folded"),
    [
        ("BG 123-AB", "RS", "BG123AB", "no"),
        ("bg 123-ab", "RS", "BG123AB", "no"),
        ("NI 045-ŠĐ", "RS", "NI045SD", "yes"),
        ("БГ 123-АБ", "RS", "BG123AB", "yes"),  # typed in Serbian Cyrillic
        ("ВG 123 АВ", "RS", "BG123AB", "yes"),  # Cyrillic В and А mixed into Latin
        ("ČA 012-ŽĆ", "RS", "CA012ZC", "yes"),
        ("SK 1234 AB", "MK", "SK1234AB", "no"),
        ("A12-K-345", "BA", "A12K345", "no"),
        ("ZG 1234-AB", "HR", "ZG1234AB", "no"),
        ("ΙΚΥ-1234", "GR", "IKY1234", "yes"),
        ("ικυ-1234", "GR", "IKY1234", "yes"),
        ("ABC-123", "HU", "ABC123", "no"),
        ("AA BB-123", "HU", "AABB123", "no"),
        ("СА 1234 ВК", "BG", "CA1234BK", "yes"),  # Bulgarian plates: Cyrillic look-alikes
        ("K-AB 1234", "DE", "KAB1234", "no"),
        ("AB-123-CD", "FR", "AB123CD", "no"),
        ("1-ABC-234", "BE", "1ABC234", "no"),
        ("AB12 CDE", "GB", "AB12CDE", "no"),
        ("34 ABC 123", "TR", "34ABC123", "no"),
        ("34·ABC/123", "TR", "34ABC123", "no"),
        ("B.123.XYZ", None, "B123XYZ", "no"),
    ],
)
def test_real_plate_formats(written, country, value, folded):
    result = normalise_plate(written, country)
    assert result.value == value
    assert result.original == written
    assert result.evidence == {"country": country or "", "folded": folded}


def test_cyrillic_and_latin_typings_of_one_plate_agree():
    typings = ["BG 123-AB", "БГ 123-АБ", "ВG 123 АВ", "bg123ab", "BG-123-AB"]
    assert {normalise_plate(t, "RS").value for t in typings} == {"BG123AB"}


def test_lower_case_country_is_upper_cased():
    assert normalise_plate("BG 123-AB", "rs").evidence["country"] == "RS"


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("", "empty"),
        ("  - ", "0 letters and digits"),
        ("A", "1 letters and digits"),
        ("AB 1234567890123", "15 letters and digits"),
        ("NEPOZNATO", "no digit"),
        ("UNKNOWN", "no digit"),
        ("BG 12#3", "unexpected character"),
        ("ΛΣΩ 123", "Greek letter 'Λ'"),
        ("בג 123", "HEBREW LETTER BET"),
        ("بغ ١٢٣", "ARABIC LETTER"),
    ],
)
def test_rejections(written, reason):
    with pytest.raises(InvalidValue) as info:
        normalise_plate(written, None)
    assert info.value.kind == "plate"
    assert reason in info.value.reason


_PLATE_CHARS = st.sampled_from(list("ABCDEFGHKMNOPSTXYZ0123456789 -./·ŠĐČĆŽАВЕКМНОРСТУХБГΑΒΕΚΜΝ"))


@given(st.text(_PLATE_CHARS, min_size=1, max_size=16))
def test_output_has_no_separators_and_is_stable(text):
    try:
        result = normalise_plate(text, "RS")
    except InvalidValue:
        return
    assert result.value.isascii() and result.value.isalnum()
    assert result.value == result.value.upper()
    assert not set(result.value) & set(" -./·")
    assert 2 <= len(result.value) <= 12
    assert any(c.isdigit() for c in result.value)
    again = normalise_plate(result.value, "RS")
    assert again.value == result.value
    assert again.evidence["folded"] == "no"
