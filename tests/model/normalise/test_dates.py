import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counterflow.errors import InvalidValue
from counterflow.model.normalise.dates import normalise_date


@pytest.mark.parametrize(
    ("written", "value", "precision"),
    [
        ("2026", "2026", "year"),
        ("2026-03", "2026-03", "month"),
        ("2026-03-14", "2026-03-14", "day"),
        ("2026-03-14T10:22", "2026-03-14T10:22", "minute"),
        ("2026-03-14T10:22:05", "2026-03-14T10:22:05", "second"),
        ("2026-03-14 10:22:05.123", "2026-03-14T10:22:05", "second"),
        ("14.03.2026", "2026-03-14", "day"),
        ("14.03.2026.", "2026-03-14", "day"),
        ("14. 3. 2026.", "2026-03-14", "day"),
        ("1.3.2026", "2026-03-01", "day"),
        ("14/03/2026", "2026-03-14", "day"),
        ("14-03-2026", "2026-03-14", "day"),
        ("3.2026", "2026-03", "month"),
        ("03/2026", "2026-03", "month"),
        ("2026/03/14", "2026-03-14", "day"),
        ("2026.03.14.", "2026-03-14", "day"),
        ("14.03.89", "1989-03-14", "day"),
        ("01.01.05", "2005-01-01", "day"),
        ("14.03.2026 22:15", "2026-03-14T22:15", "minute"),
        ("14.03.2026. u 22:15", "2026-03-14T22:15", "minute"),
        ("14. 3. 2026. 22:15:09", "2026-03-14T22:15:09", "second"),
        ("14/03/2026 à 22h15", "2026-03-14T22:15", "minute"),
        ("29.02.2024", "2024-02-29", "day"),
    ],
)
def test_numeric_forms(written, value, precision):
    result = normalise_date(written)
    assert result.value == value
    assert result.original == written
    assert result.evidence["precision"] == precision


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("14 марта 2026", "2026-03-14"),
        ("14. марта 2026. године", "2026-03-14"),
        ("14. marta 2026.", "2026-03-14"),
        ("mart 2026", "2026-03"),
        ("Јануар 2026", "2026-01"),
        ("1. januara 2026", "2026-01-01"),
        ("3 јануари 2026", "2026-01-03"),  # Macedonian
        ("25 декември 2025", "2025-12-25"),  # Macedonian / Bulgarian
        ("14 Μαρτίου 2026", "2026-03-14"),  # Greek genitive
        ("Ιανουάριος 2026", "2026-01"),
        ("ΜΆΙΟΣ 2026", "2026-05"),
        ("15 Αυγούστου 2025", "2025-08-15"),
        ("14 March 2026", "2026-03-14"),
        ("March 14, 2026", "2026-03-14"),
        ("14th of March 2026", "2026-03-14"),
        ("14 Mar 2026", "2026-03-14"),
        ("14 mars 2026", "2026-03-14"),
        ("1er août 2025", "2025-08-01"),
        ("14. März 2026", "2026-03-14"),
        ("14. ožujka 2026.", "2026-03-14"),  # Croatian
        ("2026. március 14.", "2026-03-14"),  # Hungarian, year first
        ("14 Şubat 2026", "2026-02-14"),  # Turkish
        ("14 nëntor 2025", "2025-11-14"),  # Albanian
    ],
)
def test_month_names(written, value):
    result = normalise_date(written)
    assert result.value == value
    assert result.evidence["precision"] == ("day" if value.count("-") == 2 else "month")


def test_named_month_with_time():
    result = normalise_date("14 марта 2026 22:15")
    assert result.value == "2026-03-14T22:15"
    assert result.evidence["precision"] == "minute"


def test_offsets_are_converted_to_utc():
    result = normalise_date("2026-03-14T10:22:05+02:00")
    assert result.value == "2026-03-14T08:22:05"
    assert result.evidence == {"utc_offset": "+02:00", "precision": "second"}
    late = normalise_date("2026-03-14T23:30-01:00")
    assert late.value == "2026-03-15T00:30"
    assert normalise_date("2026-03-14T10:22Z").evidence["utc_offset"] == "+00:00"
    assert "utc_offset" not in normalise_date("2026-03-14T10:22").evidence


def test_dayfirst_false_reads_us_order_only_when_asked():
    assert normalise_date("03/14/2026", dayfirst=False).value == "2026-03-14"
    assert normalise_date("03/04/2026", dayfirst=False).value == "2026-03-04"
    assert normalise_date("03/04/2026").value == "2026-04-03"
    with pytest.raises(InvalidValue, match="month 14 out of range"):
        normalise_date("03/14/2026")


def test_two_digit_year_pivot_follows_the_current_year():
    this = datetime.date.today().year % 100
    assert normalise_date(f"01.01.{this:02d}").value == f"20{this:02d}-01-01"
    assert normalise_date(f"01.01.{(this + 1) % 100:02d}").value.startswith("20")
    if this + 2 <= 99:
        assert normalise_date(f"01.01.{this + 2:02d}").value == f"19{this + 2:02d}-01-01"


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("31.02.2026", "day 31 out of range for February 2026 (1-28)"),
        ("29.02.2025", "day 29 out of range for February 2025"),
        ("31.04.2026", "day 31 out of range for April 2026"),
        ("14.13.2026", "month 13 out of range"),
        ("13.2026", "month 13 out of range"),
        ("1850", "year 1850 outside 1900-2100"),
        ("14.03.2150", "year 2150 outside"),
        ("foo", "unrecognised word 'foo'"),
        ("14 blah 2026", "unrecognised word 'blah'"),
        ("14 March", "4-digit year"),
        ("March April 2026", "more than one month name"),
        ("", "empty"),
        ("   ", "empty"),
        ("14.03.2026 25:00", "time 25:00 out of range"),
        ("2026 22:15", "the date has no day"),
        ("12345678", "not a recognisable date format"),
        ("14.03/2026", "not a recognisable date format"),
        ("1" * 70, "too long"),
    ],
)
def test_rejections(written, reason):
    with pytest.raises(InvalidValue) as info:
        normalise_date(written)
    assert info.value.kind == "date"
    assert reason in info.value.reason


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)))
def test_every_real_date_roundtrips_in_route_formats(day):
    iso = day.isoformat()
    for written in (
        iso,
        day.strftime("%d.%m.%Y."),
        day.strftime("%d/%m/%Y"),
        f"{day.day}. {day.month}. {day.year}.",
    ):
        result = normalise_date(written)
        assert result.value == iso
        assert normalise_date(result.value).value == iso


@given(st.datetimes(min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2100, 12, 31)))
def test_datetimes_roundtrip(moment):
    written = moment.strftime("%d.%m.%Y %H:%M:%S")
    result = normalise_date(written)
    assert result.value == moment.strftime("%Y-%m-%dT%H:%M:%S")
    assert normalise_date(result.value).value == result.value


@pytest.mark.parametrize(
    "text", ["2026", "2026-03", "2026-03-12", "2026-03-12T03:40", "2026-03-12 03:40", "2026-03-12T03:40:05"]
)
def test_iso_fast_path_agrees_with_full_parser(text, monkeypatch):
    import re

    from counterflow.model.normalise import dates

    fast = dates.normalise_date(text)
    monkeypatch.setattr(dates, "_ISO_FAST", re.compile(r"^(?!)"))
    assert dates.normalise_date(text) == fast


@pytest.mark.parametrize("text", ["2026-02-30", "1850-01-01", "2026-13-01"])
def test_iso_fast_path_leaves_bad_dates_to_the_full_parser(text):
    with pytest.raises(InvalidValue):
        normalise_date(text)
