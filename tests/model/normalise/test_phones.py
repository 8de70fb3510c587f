import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from counterflow.errors import InvalidValue
from counterflow.model.normalise.phones import find_phones, normalise_phone


@pytest.mark.parametrize(
    ("written", "hint", "e164"),
    [
        ("064 123 4567", "RS", "+381641234567"),
        ("065/987-65-43", "RS", "+381659876543"),
        ("060 1234567", "RS", "+381601234567"),
        ("070 234 567", "MK", "+38970234567"),
        ("071 234 567", "MK", "+38971234567"),
        ("075 123 456", "MK", "+38975123456"),
        ("061 123 456", "BA", "+38761123456"),
        ("062 123 456", "BA", "+38762123456"),
        ("091 123 4567", "HR", "+385911234567"),
        ("098 123 456", "HR", "+38598123456"),
        ("694 123 4567", "GR", "+306941234567"),
        ("697 123 4567", "GR", "+306971234567"),
        ("06 20 123 4567", "HU", "+36201234567"),
        ("06 30 123 4567", "HU", "+36301234567"),
        ("06 70 123 4567", "HU", "+36701234567"),
        ("088 123 4567", "BG", "+359881234567"),
        ("089 123 4567", "BG", "+359891234567"),
        ("0151 23456789", "DE", "+4915123456789"),
        ("0160 1234567", "DE", "+491601234567"),
        ("0171 2345678", "DE", "+491712345678"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("07.81.23.45.67", "FR", "+33781234567"),
        ("0470 12 34 56", "BE", "+32470123456"),
        ("07400 123456", "GB", "+447400123456"),
        ("0532 123 45 67", "TR", "+905321234567"),
    ],
)
def test_national_formats_with_hint(written, hint, e164):
    result = normalise_phone(written, hint)
    assert result.value == e164
    assert result.original == written
    assert result.evidence == {"region_hint": hint, "country": hint, "used_hint": "yes", "format": "national"}


def test_same_digits_different_country_by_hint():
    assert normalise_phone("070 234 567", "RS").value == "+38170234567"
    assert normalise_phone("070 234 567", "MK").value == "+38970234567"


@pytest.mark.parametrize(
    ("written", "hint", "e164", "country"),
    [
        ("+381 64 123 4567", None, "+381641234567", "RS"),
        ("+381 (0)64 123 4567", "DE", "+381641234567", "RS"),
        ("00381 64/123-45.67", None, "+381641234567", "RS"),
        ("+44 (0)7400 123456", None, "+447400123456", "GB"),
        ("00964 790 123 4567", "RS", "+9647901234567", "IQ"),
        ("0093 70 123 4567", "MK", "+93701234567", "AF"),
        ("00 963 944 567 890", "GR", "+963944567890", "SY"),
        ("+90 532 123 45 67", "BG", "+905321234567", "TR"),
    ],
)
def test_international_formats_ignore_hint(written, hint, e164, country):
    result = normalise_phone(written, hint)
    assert result.value == e164
    assert result.evidence["country"] == country
    assert result.evidence["used_hint"] == "no"
    assert result.evidence["format"] == "international"
    assert result.evidence["region_hint"] == (hint or "")


def test_lower_case_hint_is_accepted():
    assert normalise_phone("064 123 4567", "rs").evidence["region_hint"] == "RS"


@pytest.mark.parametrize(
    ("written", "hint", "reason"),
    [
        ("064 123 4567", None, "national number without a country: cannot tell which country"),
        ("", "RS", "empty"),
        ("+381 64 abc 4567", "RS", "contains letters"),
        ("Tel. 064 123 4567", "RS", "contains letters"),
        ("064#1234567", "RS", "unexpected character"),
        ("+381641234567890123", None, "too long: 18 digits"),
        ("+999 123456", None, "unknown country calling code"),
        ("+381 64 12", None, "not a possible number for +381"),
        ("+381 99 123 4567", None, "not a valid number for +381"),
        ("064 12", "RS", "not a possible number for RS (from the region hint)"),
        ("064 123 4567", "XY", "unknown region hint"),
        ("064 + 123", "RS", "'+' may only appear once, at the start"),
    ],
)
def test_rejections(written, hint, reason):
    with pytest.raises(InvalidValue) as info:
        normalise_phone(written, hint)
    assert info.value.kind == "phone"
    assert reason in info.value.reason


def test_find_phones_offsets_and_hint():
    text = "zvao je +381 64 123 4567, pa 065 987 6543 i 00964 790 123 4567."
    found = find_phones(text, "RS")
    assert [r.value for _, _, r in found] == ["+381641234567", "+381659876543", "+9647901234567"]
    for start, end, result in found:
        assert text[start:end] == result.original
    assert [r.evidence["used_hint"] for _, _, r in found] == ["no", "yes", "no"]


def test_find_phones_without_hint_only_finds_international_numbers():
    found = find_phones("+381 64 123 4567 ili 065 987 6543", None)
    assert [r.value for _, _, r in found] == ["+381641234567"]


def test_find_phones_skips_invalid_numbers():
    assert find_phones("broj 123 i datum 14.03.2026", "RS") == []


_REGIONS = ["RS", "MK", "BA", "HR", "GR", "HU", "BG", "DE", "FR", "BE", "GB", "TR", "IQ", "AF", "SY"]


@given(st.sampled_from(_REGIONS), st.integers(min_value=0, max_value=9999))
def test_idempotent_on_own_output(region, tail):
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = phonenumbers.national_significant_number(example)
    national = national[: -len(str(tail))] + str(tail)
    try:
        first = normalise_phone("+" + str(example.country_code) + national, None)
    except InvalidValue:
        return
    again = normalise_phone(first.value, region)
    assert again.value == first.value
    assert again.evidence["used_hint"] == "no"


@given(st.sampled_from(_REGIONS))
def test_example_mobiles_roundtrip_through_national_format(region):
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    assert normalise_phone(national, region).value == e164
