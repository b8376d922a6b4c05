"""The reader checks itself: each misreading seen on real payroll systems breaks one of the
payslip's own sums, so it is never ``verified``; a right reading of a consistent payslip is.

The pay lines below are what the reader would return; the payslip they come from is the
same throughout: 40 hours at 180 kr, gross 7,200.00, employee pension 144.00, AM basis
7,056.00, AM-bidrag 564.48, A-skat 1,850.00, employee ATP 33.00, net 4,608.52; employer
ATP 66.00, pension 288.00, holiday pay 12.5 % = 900.00.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from parsers.payslip import PayLine, Payslip, read
from parsers.payslip.verify import verify
from tests.fixtures.bad_pdfs import glyph_id_pdf
from tests.fixtures.payslips import LAYOUTS, make_case, render

RIGHT = (
    PayLine("salary", "Timeløn", D("7200.00"), D("40")),
    PayLine("gross_total", "Bruttoløn", D("7200.00")),
    PayLine("employee_deduction", "Pension, eget bidrag", D("-144.00")),
    PayLine("total", "AM-indkomst", D("7056.00")),
    PayLine("am_contribution", "AM-bidrag", D("564.48")),
    PayLine("tax", "A-skat", D("-1850.00")),
    PayLine("employee_deduction", "ATP, eget bidrag", D("-33.00")),
    PayLine("net", "Til udbetaling", D("4608.52")),
    PayLine("atp", "ATP, arbejdsgiver", D("66.00")),
    PayLine("pension", "Pension, arbejdsgiver", D("288.00")),
    PayLine("holiday_pay", "Feriepenge 12,5 % til FerieKonto", D("900.00")),
)


def checks(lines, hours=D("40"), days=31, from_lines=None, labelled=None, stated=None):
    cost = sum((ln.amount for ln in lines if ln.kind in
                ("salary", "atp", "pension", "holiday_pay", "special_holiday_allowance",
                 "other")), D(0))
    return {c.check: c for c in verify(lines, hours, days, from_lines, labelled, stated, cost)}


def slip(lines) -> Payslip:
    by = checks(lines)
    return Payslip(None, None, None, None, None, None, None, D("40"), None, tuple(lines), 1,
                   checks=tuple(by.values()))


def swap(lines, label: str, **changes) -> tuple[PayLine, ...]:
    return tuple(replace(ln, **changes) if ln.label == label else ln for ln in lines)


def test_a_right_reading_of_a_consistent_payslip_is_verified() -> None:
    by = checks(RIGHT)
    held = {name for name, c in by.items() if c.ok}
    assert held == {"gross", "net", "am_contribution", "holiday_pay", "atp", "pension"}
    assert not [c for c in by.values() if c.ok is False]
    assert slip(RIGHT).verified


def test_a_year_to_date_figure_added_to_the_wage_fails_gross_and_net() -> None:
    lines = (*RIGHT, PayLine("salary", "Timeløn år til dato", D("64800.00")))
    by = checks(lines)
    assert (by["gross"].ok, by["net"].ok) == (False, False)
    assert by["gross"].values == {"computed": "72000.00", "printed": "7200.00"}
    assert not slip(lines).verified


def test_a_rate_read_as_the_amount_fails() -> None:
    lines = swap(RIGHT, "Timeløn", amount=D("180.00"))
    assert checks(lines)["gross"].ok is False
    assert not slip(lines).verified


def test_the_am_basis_added_to_am_bidrag_fails_the_8_percent_check() -> None:
    lines = (*RIGHT, PayLine("am_contribution", "AM-indkomst", D("7056.00")))
    am = checks(lines)["am_contribution"]
    assert am.ok is False
    assert am.values["expected"] == "564.48"


def test_a_feriekonto_transfer_counted_on_top_of_the_holiday_pay_fails() -> None:
    lines = (*RIGHT, PayLine("holiday_pay", "Overføres til FerieKonto", D("900.00")))
    assert checks(lines)["holiday_pay"].ok is False


def test_employer_atp_printed_outside_the_table_and_missed_fails() -> None:
    lines = tuple(ln for ln in RIGHT if ln.kind != "atp")
    assert checks(lines)["atp"].ok is False
    alone = tuple(ln for ln in lines if "ATP" not in ln.label)
    assert checks(alone)["atp"].ok is False  # 40 hours a month: ATP is due
    assert checks(alone, hours=D("20"))["atp"].ok is None  # under 9 h a week: none is due


def test_employer_atp_that_is_a_balance_fails() -> None:
    lines = swap(RIGHT, "ATP, arbejdsgiver", amount=D("594.00"))
    assert checks(lines)["atp"].ok is False


def test_employer_pension_missed_beside_the_employees_share_fails() -> None:
    lines = tuple(ln for ln in RIGHT if ln.kind != "pension")
    assert checks(lines)["pension"].ok is False
    ytd = swap(RIGHT, "Pension, arbejdsgiver", amount=D("2592.00"))
    assert checks(ytd)["pension"].ok is False


def test_a_stated_employer_cost_must_match_the_items() -> None:
    cost = D("7200.00") + D("66.00") + D("288.00") + D("900.00")
    assert checks(RIGHT, stated=cost)["employer_cost"].ok is True
    assert checks(RIGHT, stated=cost + 500)["employer_cost"].ok is False


def test_an_hours_box_must_match_the_wage_lines_hours() -> None:
    assert checks(RIGHT, from_lines=D("40"), labelled=D("40"))["hours"].ok is True
    assert checks(RIGHT, from_lines=D("40"), labelled=D("360"))["hours"].ok is False
    assert checks(RIGHT, from_lines=D("40"))["hours"].ok is None


def test_a_payslip_without_gross_or_net_is_not_verified_but_nothing_failed() -> None:
    lines = tuple(ln for ln in RIGHT if ln.kind not in ("gross_total", "net", "total"))
    by = checks(lines)
    assert (by["gross"].ok, by["net"].ok) == (None, None)
    assert not [c for c in by.values() if c.ok is False]
    assert not slip(lines).verified


def test_holiday_pay_settled_at_termination_without_a_printed_base_is_not_a_failure() -> None:
    lines = (*RIGHT, PayLine("holiday_pay", "Feriegodtgørelse ved fratræden", D("5521.46")))
    assert checks(lines)["holiday_pay"].ok is None
    with_base = (*lines, PayLine("info", "Ferieberettiget løn i ferieåret", D("44171.68")))
    assert checks(with_base)["holiday_pay"].ok is True  # 12.5 % of the printed base and the month


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_generated_payslip_of_the_corpus_verifies(layout: str) -> None:
    for seed in range(6):
        result = read(render(make_case(layout, seed)))
        assert isinstance(result, Payslip)
        failed = [(c.check, c.detail) for c in result.failed_checks]
        assert (failed, result.verified) == ([], True)


def test_a_text_layer_of_glyph_ids_is_no_text_not_an_empty_reading() -> None:
    result = read(glyph_id_pdf())
    assert not isinstance(result, Payslip)
    assert result.code == "no_text"
    assert "no readable text" in result.reason


def test_the_reader_says_where_each_field_stands() -> None:
    case = make_case("municipal", 3)
    result = read(render(case))
    assert isinstance(result, Payslip)
    assert set(result.sources) >= {"employee_name", "cpr", "employer_name", "cvr", "period"}
    name = result.sources["employee_name"]
    assert name.text == case.employee_name and name.page == 0
    assert 0 < name.x0 < name.x1 < 595 and 0 < name.top < name.bottom < 842
    salary = next(ln for ln in result.lines if ln.kind == "salary")
    assert salary.source is not None and salary.source.top > name.top
