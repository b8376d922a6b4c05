"""The payslip reader against the fixture corpus (five payroll layouts) and bad PDFs."""

from __future__ import annotations

import pytest

from parsers.payslip import Limits, Payslip, Unreadable, read
from tests.fixtures import bad_pdfs
from tests.fixtures.payslips import LAYOUTS, PayslipCase, make_case, render

SEEDS = range(6)
FIELDS = ("employee_name", "cpr", "employer_name", "cvr", "period_start", "period_end", "hours",
          "components", "employer_cost")


def truth(case: PayslipCase, name: str):
    return {
        "cpr": case.cpr.replace("-", ""),
        "hours": case.hours,
        "components": case.expected_components(),
        "employer_cost": case.expected_employer_cost(),
    }.get(name, getattr(case, name, None))


def got(slip: Payslip, name: str):
    return {
        "hours": slip.hours,
        "components": slip.components,
        "employer_cost": slip.employer_cost,
    }.get(name, getattr(slip, name, None))


_cache: dict[tuple[str, int], tuple[PayslipCase, Payslip | Unreadable]] = {}


def read_case(layout: str, seed: int) -> tuple[PayslipCase, Payslip | Unreadable]:
    if (layout, seed) not in _cache:
        case = make_case(layout, seed)
        _cache[(layout, seed)] = (case, read(render(case)))
    return _cache[(layout, seed)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_field_of_every_layout(layout, field, seed):
    case, slip = read_case(layout, seed)
    assert isinstance(slip, Payslip), slip
    assert got(slip, field) == truth(case, field)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_se_number_is_never_the_cvr(layout):
    for seed in SEEDS:
        case, slip = read_case(layout, seed)
        assert slip.cvr == case.cvr
        if case.se_number:
            assert slip.cvr != case.se_number


def test_sick_hours_are_separated_from_worked_hours():
    found = 0
    for layout in LAYOUTS:
        for seed in SEEDS:
            case, slip = read_case(layout, seed)
            if case.sick_hours:
                found += 1
                assert slip.sick_hours == case.sick_hours
                assert slip.worked_hours == case.worked_hours
    assert found > 0, "the corpus should contain sick leave"


def test_original_labels_and_amounts_are_kept():
    case, slip = read_case("municipal", 0)
    printed = {(line.label, line.amount) for line in case.lines}
    kept = {(line.label, line.amount) for line in slip.lines if line.kind == "salary"}
    assert kept and kept <= printed | {(lbl, -amt) for lbl, amt in printed}


def test_employee_deductions_are_not_costs():
    case, slip = read_case("private", 1)
    kinds = {line.label: line.kind for line in slip.lines}
    own = [line.label for line in case.lines if line.kind == "employee_deduction"]
    assert own and all(kinds.get(label) == "employee_deduction" for label in own)


@pytest.mark.parametrize("make,reason", [
    (bad_pdfs.image_only_pdf, "no text layer"),
    (bad_pdfs.encrypted_pdf, "password-protected"),
    (bad_pdfs.truncated_pdf, "damaged or truncated"),
    (bad_pdfs.not_a_pdf, "not a PDF"),
    (bad_pdfs.empty_pdf, "no text"),
])
def test_bad_pdfs_give_a_clear_reason(make, reason):
    result = read(make())
    assert isinstance(result, Unreadable)
    assert reason in result.reason


def test_many_pages_are_refused_before_reading():
    result = read(bad_pdfs.many_pages_pdf(pages=60), Limits(max_pages=20))
    assert isinstance(result, Unreadable)
    assert "60 pages" in result.reason and "at most 20" in result.reason


def test_oversized_pdf_is_refused():
    data = render(make_case("card", 0))
    result = read(data, Limits(max_bytes=len(data) - 1))
    assert isinstance(result, Unreadable) and "limit" in result.reason


def test_empty_bytes():
    result = read(b"")
    assert isinstance(result, Unreadable) and "empty" in result.reason


# Found by the ingest benchmark, which reads hundreds of generated payslips: the identity
# block's row "Mads Lønborg  37802  2812872825" (name, employee number, CPR without its
# dash) was read as a salary line of 2,812,872,825 kr ("Lønborg" has "løn" in it), and the
# employer's row "Møllers Malerfirma ApS  83018186" (the SE number) as an unknown line.
@pytest.mark.parametrize("seed", [686, 696])
def test_the_identity_rows_beside_the_names_are_not_pay_lines(seed: int) -> None:
    case = make_case("private", seed)
    slip = read(render(case))
    assert isinstance(slip, Payslip)
    labels = [line.label for line in slip.lines]
    assert case.employee_name not in labels and case.employer_name not in labels
    assert all(abs(line.amount) < 100_000 for line in slip.lines)
    assert slip.cpr == case.cpr.replace("-", "")
    assert slip.employer_cost == case.expected_employer_cost()
    assert slip.verified, [c.detail for c in slip.checks if c.ok is False]


def test_a_bare_run_of_seven_digits_or_a_cpr_is_never_an_amount() -> None:
    from parsers.payslip.paylines import _is_number

    assert [_is_number(t) for t in ("2812872825", "83018186", "281287-2825")] \
        == [False, False, False]
    assert [_is_number(t) for t in ("2.140,85", "37802", "1234567,00")] == [True, True, True]


# Mainframe print: holiday pay settled at termination is labelled "FERIEPENGE FRATR.";
# it is the year's accrual, not a rate of this month's wage, so the rate check cannot
# apply (as for "fratrædelse" written out) and must not hold the claim.
def test_holiday_pay_settled_at_termination_abbreviated_is_not_rate_checked() -> None:
    case = make_case("legacy", 549)
    slip = read(render(case))
    assert isinstance(slip, Payslip)
    assert any("FRATR" in line.label.upper() for line in slip.lines)
    holiday = next(c for c in slip.checks if c.check == "holiday_pay")
    assert holiday.ok is None
    assert slip.verified
