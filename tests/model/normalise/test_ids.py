import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from counterflow.errors import InvalidValue
from counterflow.model.normalise.ids import (
    normalise_imei,
    normalise_jmbg,
    normalise_national_id,
    normalise_passport,
)


def jmbg(birth: datetime.date, region: int, serial: int) -> str:
    """Build a JMBG independently of the module: weights 7..2 twice, written out as a loop."""
    body = f"{birth.day:02d}{birth.month:02d}{birth.year % 1000:03d}{region:02d}{serial:03d}"
    total = 0
    for position, digit in enumerate(body):
        total += (7 - position % 6) * int(digit)
    check = 11 - total % 11
    return body + ("0" if check >= 10 else str(check))


def test_known_published_style_example():
    # 010199071000: (7*0+6*1+5*0+4*1+3*9+2*9) + (7*0+6*7+5*1+4*0+3*0+2*0) = 55 + 47 = 102
    # 102 % 11 = 3, 11 - 3 = 8
    assert jmbg(datetime.date(1990, 1, 1), 71, 0) == "0101990710008"
    result = normalise_jmbg("0101990710008")
    assert result.evidence == {
        "birth_date": "1990-01-01",
        "region_code": "71",
        "region": "Belgrade, central Serbia",
        "country": "RS",
        "sex": "male",
    }


@pytest.mark.parametrize(
    ("birth", "region", "serial", "country", "sex", "region_name"),
    [
        (datetime.date(1985, 3, 15), 45, 1, "MK", "male", "Skopje, North Macedonia"),
        (datetime.date(1979, 12, 31), 17, 512, "BA", "female", "Sarajevo, Bosnia and Herzegovina"),
        (datetime.date(1961, 7, 4), 33, 100, "HR", "male", "Croatia"),
        (datetime.date(1999, 2, 28), 21, 999, "ME", "female", "Podgorica, Montenegro"),
        (datetime.date(1950, 6, 1), 50, 499, "SI", "male", "Slovenia"),
        (datetime.date(1970, 1, 1), 80, 500, "RS", "female", "Novi Sad, Vojvodina, Serbia"),
        (datetime.date(1988, 8, 8), 91, 10, "XK", "male", "Priština, Kosovo"),
        (datetime.date(2003, 5, 20), 71, 33, "RS", "male", "Belgrade, central Serbia"),
        (datetime.date(2000, 2, 29), 82, 700, "RS", "female", "Subotica, Vojvodina, Serbia"),
        (datetime.date(1991, 9, 9), 66, 1, "", "male", "temporary residence"),
        (datetime.date(1975, 4, 4), 4, 1, "MK", "male", "foreigners registered in North Macedonia"),
    ],
)
def test_valid_jmbgs(birth, region, serial, country, sex, region_name):
    number = jmbg(birth, region, serial)
    result = normalise_jmbg(f"{number[:7]} {number[7:]}")
    assert result.value == number
    assert result.evidence["birth_date"] == birth.isoformat()
    assert result.evidence["region_code"] == f"{region:02d}"
    assert result.evidence["country"] == country
    assert result.evidence["sex"] == sex
    assert result.evidence["region"] == region_name


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("010199071000", "must be 13 digits, got 12"),
        ("01019907100081", "must be 13 digits, got 14"),
        ("01019907100A8", "only digits"),
        ("3102990710008", "31.02.1990 (digits 1-7) is not a real date"),
        ("0113990710008", "is not a real date"),
        ("0101990710003", "JMBG checksum digit is 3, expected 8"),
        ("0101500710005", "in the future"),
    ],
)
def test_invalid_jmbgs(text, reason):
    with pytest.raises(InvalidValue) as info:
        normalise_jmbg(text)
    assert info.value.kind == "jmbg"
    assert reason in info.value.reason


@given(
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(1999, 12, 31)),
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=0, max_value=999),
)
def test_generated_jmbgs_validate_and_a_changed_digit_is_caught(birth, region, serial):
    number = jmbg(birth, region, serial)
    assert normalise_jmbg(number).evidence["birth_date"] == birth.isoformat()
    wrong = number[:12] + str((int(number[12]) + 1) % 10)
    with pytest.raises(InvalidValue, match="checksum"):
        normalise_jmbg(wrong)


def test_national_id_uses_jmbg_for_ex_yugoslav_countries():
    number = jmbg(datetime.date(1985, 3, 15), 45, 1)
    for country in ("RS", "MK", "BA", "ME", "SI", "HR"):
        result = normalise_national_id(number, country)
        assert result.evidence["scheme"] == "jmbg"
        assert result.evidence["validated"] == "yes"
        assert result.evidence["country"] == country
        assert result.evidence["jmbg_country"] == "MK"
    with pytest.raises(InvalidValue, match="checksum"):
        normalise_national_id(number[:12] + str((int(number[12]) + 1) % 10), "RS")


def test_national_id_other_schemes():
    oib = normalise_national_id("33392005961", "HR")
    assert oib.evidence == {"country": "HR", "scheme": "oib", "validated": "yes"}
    egn = normalise_national_id("752316 9263", "BG")
    assert egn.value == "7523169263"
    assert egn.evidence["scheme"] == "egn" and egn.evidence["birth_date"] == "1875-03-16"
    amka = normalise_national_id("01013099997", "gr")
    assert amka.evidence["scheme"] == "amka" and amka.evidence["country"] == "GR"


@pytest.mark.parametrize(
    ("text", "country", "scheme"),
    [("33392005962", "HR", "OIB"), ("7523169264", "BG", "EGN"), ("01013099998", "GR", "AMKA")],
)
def test_national_id_checksum_failures(text, country, scheme):
    with pytest.raises(InvalidValue) as info:
        normalise_national_id(text, country)
    assert f"not a valid {scheme}" in info.value.reason


def test_national_id_unvalidated_fallback():
    de = normalise_national_id("l01x-00t47", "DE")
    assert de.value == "L01X00T47"
    assert de.evidence == {"country": "DE", "scheme": "unknown", "validated": "no"}
    unknown = normalise_national_id("AB 12 34 56", None)
    assert unknown.evidence["country"] == ""
    assert unknown.evidence["validated"] == "no"
    serbian_card = normalise_national_id("009876543", "RS")  # ID card number, not a JMBG
    assert serbian_card.evidence["scheme"] == "unknown"
    for bad in ("", "ABC", "12", "12#45"):
        with pytest.raises(InvalidValue):
            normalise_national_id(bad, "DE")


@pytest.mark.parametrize(
    ("text", "country", "value", "iso2"),
    [
        ("012345678", "RS", "012345678", "RS"),
        ("012345678", "SRB", "012345678", "RS"),
        ("A1234567", "MKD", "A1234567", "MK"),
        ("C01X00T47", "D", "C01X00T47", "DE"),
        ("C01X00T47", "deu", "C01X00T47", "DE"),
        ("AE 123 4567", "GR", "AE1234567", "GR"),
        ("P-1234567", "AFG", "P1234567", "AF"),
        ("A12345678", "IRQ", "A12345678", "IQ"),
        ("N1234567", "SYR", "N1234567", "SY"),
        ("123456789", "GBR", "123456789", "GB"),
        ("P01234567", None, "P01234567", ""),
    ],
)
def test_passports(text, country, value, iso2):
    result = normalise_passport(text, country)
    assert result.value == value
    assert result.evidence["country"] == iso2


def test_refugee_travel_document():
    result = normalise_passport("1234567", "XXB")
    assert result.evidence == {
        "country": "",
        "icao_code": "XXB",
        "document_holder": "refugee (1951 Convention)",
    }


@pytest.mark.parametrize(
    ("text", "country", "reason"),
    [
        ("1234", "RS", "4 characters, expected 5 to 12"),
        ("1234567890123", "RS", "13 characters"),
        ("ABCDEFG", "RS", "no digit"),
        ("АБ123456", "RS", "Latin letters and digits"),
        ("1234567", "QQQ", "unknown issuing country 'QQQ'"),
        ("", "RS", "empty"),
    ],
)
def test_passport_rejections(text, country, reason):
    with pytest.raises(InvalidValue) as info:
        normalise_passport(text, country)
    assert reason in info.value.reason


def test_imei_forms():
    assert normalise_imei("35-686800-004141-8").evidence == {"tac": "35686800", "form": "imei"}
    assert normalise_imei("356868000041418").value == "356868000041418"
    assert normalise_imei("35686800004141").evidence["form"] == "imei14"
    sv = normalise_imei("35686800 004141 20")
    assert sv.value == "356868000041418"
    assert sv.evidence["software_version"] == "20"
    cdr = normalise_imei("356868000041410")
    assert cdr.value == "356868000041418"
    assert cdr.evidence["form"] == "cdr-spare-zero"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("356868000041413", "IMEI check digit is 3, expected 8"),
        ("3568680000414", "got 13"),
        ("35686800004141X", "only digits"),
        ("000000000000000", "not allocated"),
    ],
)
def test_imei_rejections(text, reason):
    with pytest.raises(InvalidValue) as info:
        normalise_imei(text)
    assert info.value.kind == "imei"
    assert reason in info.value.reason


@given(st.text("0123456789", min_size=14, max_size=14).filter(lambda s: not s.startswith("00000000")))
def test_imei_value_always_passes_luhn(body):
    for form in (body, body + luhn.calc_check_digit(body), body + "42"):
        value = normalise_imei(form).value
        assert len(value) == 15 and luhn.is_valid(value)
        assert normalise_imei(value).value == value
