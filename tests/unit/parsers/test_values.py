"""Amounts, dates and identifiers: examples from real payslips plus properties."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.amounts import find_amounts, parse_amount
from parsers.dates import Period, parse_date, parse_period
from parsers.identifiers import (
    IdentifierError,
    find_cpr,
    find_cvr,
    mask_cpr,
    parse_cpr,
    parse_cvr,
)


@pytest.mark.parametrize("text,expected", [
    ("1.234,56", "1234.56"),
    ("1,234.56", "1234.56"),
    ("-1.234,56", "-1234.56"),
    ("1.234,56-", "-1234.56"),
    ("(1.234,56)", "-1234.56"),
    ("−45,00", "-45.00"),
    ("kr. 1.234,56", "1234.56"),
    ("1.234,56 kr.", "1234.56"),
    ("DKK 1,234.56", "1234.56"),
    ("1.234.567,89", "1234567.89"),
    ("12,5", "12.5"),
    ("1.234", "1234"),
    ("0,00", "0.00"),
])
def test_amount_formats(text, expected):
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "01.10.2026", "", "12,5 %", "1.2.3"])
def test_not_an_amount(text):
    assert parse_amount(text) is None


def test_find_amounts_skips_dates_and_percentages():
    assert find_amounts("Feriepenge 12,5 % af 1.000,00 pr. 31.10.2026") == [Decimal("1000.00")]


cents = st.integers(min_value=-10**9, max_value=10**9)


def _danish(value: int) -> str:
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 100)
    return f"{sign}{whole:,}".replace(",", ".") + f",{frac:02d}"


def _english(value: int) -> str:
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 100)
    return f"{sign}{whole:,}.{frac:02d}"


@given(cents)
def test_amount_round_trip_danish_and_english(value):
    expected = Decimal(value) / 100
    assert parse_amount(_danish(value)) == expected
    assert parse_amount(_english(value)) == expected
    if value > 0:  # Danish payroll's trailing minus
        assert parse_amount(_danish(value) + "-") == -expected


@given(st.text(max_size=40))
def test_parse_amount_never_raises(text):
    result = parse_amount(text)
    assert result is None or isinstance(result, Decimal)


@pytest.mark.parametrize("text", [
    "01.10.2026", "01-10-2026", "1/10-2026", "1/10/2026", "2026-10-01",
    "1. oktober 2026", "1 October 2026", "October 1, 2026", "1. okt. 2026",
])
def test_date_formats(text):
    assert parse_date(text) == date(2026, 10, 1)


def test_impossible_date_is_none():
    assert parse_date("31.02.2026") is None


@pytest.mark.parametrize("text,start,end", [
    ("Lønperiode 01.10.2026 - 31.10.2026", date(2026, 10, 1), date(2026, 10, 31)),
    ("oktober 2026", date(2026, 10, 1), date(2026, 10, 31)),
    ("February 2028", date(2028, 2, 1), date(2028, 2, 29)),
    ("2026-10-01 to 2026-10-15", date(2026, 10, 1), date(2026, 10, 15)),
    ("1. oktober 2026 til 31. oktober 2026", date(2026, 10, 1), date(2026, 10, 31)),
    ("1.-15. oktober 2026", date(2026, 10, 1), date(2026, 10, 15)),
    ("10/2026", date(2026, 10, 1), date(2026, 10, 31)),
    # A month named before the range (blind producers corpus): the range is the period.
    ("April 2026 · 01.04.2026–30.04.2026", date(2026, 4, 1), date(2026, 4, 30)),
    ("Periode 01.04.2026 til 15.04.2026, udbetalt 05.05.2026", date(2026, 4, 1),
     date(2026, 4, 15)),
])
def test_periods(text, start, end):
    assert parse_period(text) == Period(start, end)


def test_single_date_is_not_a_period():
    assert parse_period("Udbetalingsdato 30.10.2026") is None


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31)))
def test_date_round_trip(day):
    for text in (day.strftime("%d.%m.%Y"), day.strftime("%d-%m-%Y"), day.isoformat(),
                 f"{day.day}/{day.month}-{day.year}"):
        assert parse_date(text) == day


# The reader takes years up to 2099; the end date stays within them.
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 11, 20)),
       st.integers(min_value=0, max_value=40))
def test_period_round_trip(start, length):
    end = start + timedelta(days=length)
    text = f"{start:%d.%m.%Y} - {end:%d.%m.%Y}"
    assert parse_period(text) == Period(start, end)


@given(st.text(max_size=60))
def test_date_readers_never_raise(text):
    parse_date(text)
    parse_period(text)


def test_cpr_with_and_without_hyphen():
    assert parse_cpr("010190-1234").digits == "0101901234"
    assert parse_cpr("0101901234").birth_date == date(1990, 1, 1)
    assert parse_cpr("010190-1234").formatted == "010190-1234"


@pytest.mark.parametrize("cpr,year", [
    ("0101371234", 1937),  # 7th digit 1: 1900s
    ("0101374234", 1937),  # 7th digit 4 and year >= 37 -> 1900s
    ("0101364234", 2036),  # 7th digit 4 and year < 37 -> 2000s
    ("0101585234", 1858),  # 7th digit 5 and year >= 58 -> 1800s
    ("0101055234", 2005),  # 7th digit 5 and year < 58 -> 2000s
    ("0101999234", 1999),  # 7th digit 9 and year >= 37 -> 1900s
])
def test_cpr_century_rule(cpr, year):
    assert parse_cpr(cpr).birth_date.year == year


def test_cpr_mod11_is_not_required():
    cpr = parse_cpr("0101901235")  # fails modulus 11; still a valid CPR since 2007
    assert not cpr.modulus11_ok
    assert cpr.birth_date == date(1990, 1, 1)


def test_substitute_cpr_is_flagged_not_rejected():
    cpr = parse_cpr("610190-1234")  # day 61 = 1 + 60
    assert cpr.substitute and cpr.birth_date == date(1990, 1, 1)


@pytest.mark.parametrize("text,reason", [
    ("320190-1234", "not a real date"),
    ("010190-123", "10 digits"),
    ("311190-1234", "not a real date"),
])
def test_bad_cpr(text, reason):
    with pytest.raises(IdentifierError, match=reason):
        parse_cpr(text)


def test_mask_cpr_never_shows_the_serial():
    assert mask_cpr("0101901234") == "010190-xxxx"
    assert mask_cpr("010190-1234") == "010190-xxxx"


def test_cvr_mod11_and_spaces():
    assert parse_cvr("65 11 30 15") == "65113015"
    with pytest.raises(IdentifierError, match="modulus-11"):
        parse_cvr("65113016")
    with pytest.raises(IdentifierError, match="8 digits"):
        parse_cvr("6511301")
    with pytest.raises(IdentifierError, match="starts with 0"):
        parse_cvr("01234567")


def _with_check_digit(seven: str) -> str | None:
    weights = (2, 7, 6, 5, 4, 3, 2)
    remainder = sum(int(d) * w for d, w in zip(seven, weights, strict=True)) % 11
    check = (11 - remainder) % 11
    return None if check == 10 else seven + str(check)


@given(st.integers(min_value=1_000_000, max_value=9_999_999))
def test_cvr_property(seven):
    cvr = _with_check_digit(str(seven))
    if cvr is None:
        return
    assert parse_cvr(cvr) == cvr
    assert parse_cvr(f"{cvr[:2]} {cvr[2:4]} {cvr[4:6]} {cvr[6:]}") == cvr
    wrong = cvr[:7] + str((int(cvr[7]) + 1) % 10)
    with pytest.raises(IdentifierError):
        parse_cvr(wrong)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2036, 12, 31)),
       st.integers(min_value=0, max_value=999))
def test_cpr_property(born, serial):
    # 7th digit by century: 0-3 for 1900-1999; 4 for 2000-2036.
    seventh = "0" if born.year < 2000 else "4"
    text = f"{born:%d%m%y}-{seventh}{serial:03d}"
    cpr = parse_cpr(text)
    assert cpr.birth_date == born
    assert cpr.masked == f"{born:%d%m%y}-xxxx"


def test_find_identifiers_in_text():
    assert find_cpr("CPR-nr.: 010190-1234, tlf 12345678") == "0101901234"
    assert find_cvr("CVR 65 11 30 15") == "65113015"
