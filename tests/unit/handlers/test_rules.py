"""Validation of the required fields and the refund cap (handlers, pure)."""

from datetime import date
from decimal import Decimal

import pytest

from handlers import refund
from handlers.validation import add_months, check_amount, check_cpr, check_cvr, check_period

TODAY = date(2026, 11, 22)


def codes(problems):
    return [p.code for p in problems]


def test_cpr_checks():
    assert check_cpr("010190-1234", TODAY).value.digits == "0101901234"
    assert codes(check_cpr("320190-1234", TODAY).problems) == ["cpr_invalid"]
    # 7th digit 4, year 30 -> 2030: not born yet.
    assert codes(check_cpr("0101304000", TODAY).problems) == ["cpr_future"]
    substitute = check_cpr("610190-1234", TODAY)
    assert substitute.value is not None
    assert [(p.code, p.severity) for p in substitute.problems] == [("cpr_substitute", "warning")]
    assert check_cpr(None, TODAY).value is None and not check_cpr(None, TODAY).problems


def test_cpr_problem_messages_are_masked():
    for raw, serial in (("320190-1234", "1234"), ("610190-1234", "1234"), ("0101304000", "4000")):
        (problem,) = check_cpr(raw, TODAY).problems
        assert serial not in problem.message
        assert "-xxxx" in problem.message


def test_cvr_checks():
    assert check_cvr("65113015").value == "65113015"
    assert codes(check_cvr("65113016").problems) == ["cvr_invalid"]
    assert "modulus-11" in check_cvr("65113016").problems[0].message


@pytest.mark.parametrize("start,end,expected", [
    (date(2026, 10, 1), date(2026, 10, 31), []),
    (date(2026, 10, 15), date(2026, 11, 14), []),
    (date(2026, 10, 15), date(2026, 11, 15), ["period_too_long"]),
    (date(2026, 10, 31), date(2026, 10, 1), ["period_reversed"]),
    (date(2026, 12, 1), date(2026, 12, 31), ["period_future"]),
    (date(2026, 1, 31), date(2026, 2, 27), []),
])
def test_period_checks(start, end, expected):
    assert codes(check_period(start, end, TODAY)) == expected


def test_add_months_clamps_to_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 15)


def test_amount_must_be_positive():
    assert codes(check_amount(Decimal("0"))) == ["amount_not_positive"]
    assert check_amount(Decimal("10")) == ()


def test_hours_cap_is_10_hours_a_week_pro_rata():
    assert refund.hours_cap(31) == Decimal("44.29")
    assert refund.hours_cap(30) == Decimal("42.86")
    assert refund.hours_cap(7) == Decimal("10.00")
    assert refund.hours_cap(28, Decimal(6)) == Decimal("24.00")


def test_refund_uncapped():
    r = refund.compute(Decimal("7215.67"), Decimal("44"), 31)
    assert (r.amount, r.capped, r.cap_hours) == (Decimal("7215.67"), False, Decimal("44.29"))


def test_refund_capped_scales_pro_rata():
    r = refund.compute(Decimal("9000.00"), Decimal("60"), 31)
    assert r.capped
    assert r.amount == Decimal("6643.50")  # 9000 * 44.29 / 60


def test_refund_capped_by_approved_hours():
    r = refund.compute(Decimal("3000.00"), Decimal("30"), 28, Decimal(6))
    assert r.cap_hours == Decimal("24.00") and r.amount == Decimal("2400.00")


def test_claimed_cost_counts_only_what_is_claimed_and_never_am_bidrag():
    components = {"salary": Decimal("6600"), "atp": Decimal("62.67"), "pension": Decimal("528"),
                  "holiday_pay": Decimal(0), "special_holiday_allowance": Decimal(0),
                  "other": Decimal("25"), "am_contribution": Decimal("528")}
    every = ("salary", "atp", "pension", "holiday_pay", "special_holiday_allowance", "other",
             "am_contribution")
    assert refund.claimed_cost(components, every) == Decimal("7215.67")
    assert refund.claimed_cost(components, ("salary", "atp")) == Decimal("6662.67")
