"""Invariants of the payslip fixture generator (tests/fixtures/payslips.py, bad_pdfs.py)."""

from __future__ import annotations

import calendar
import io
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pdfplumber
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures import bad_pdfs
from tests.fixtures.payslips import (
    COMPONENT_KEYS,
    DK_MONTHS,
    KINDS,
    LAYOUTS,
    PAGE_COUNTS,
    PayLine,
    PayslipCase,
    corpus,
    cpr_birth_date,
    cpr_mod11_ok,
    cvr_valid,
    format_amount,
    format_date,
    make_case,
    render,
)
from tests.fixtures.sample import latest_whole_month, register_commands

RENDER_SEEDS = (0, 1, 2, 3, 11, 42)


def _pdf_text(pdf: bytes) -> tuple[int, str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages), "\n".join(p.extract_text() or "" for p in doc.pages)


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _role(case: PayslipCase, role: str) -> PayLine | None:
    return dict(zip(case.details["roles"], case.lines, strict=True)).get(role)


# --------------------------------------------------------------------------- helpers themselves


def test_validators_with_known_values() -> None:
    assert cvr_valid("10150817")  # 2*1+7*0+6*1+5*5+4*0+3*8+2*1+1*7 = 66 = 6*11
    assert cvr_valid("10 15 08 17")
    assert not cvr_valid("10150818")
    assert not cvr_valid("01234567")
    assert cpr_mod11_ok("070761-4285")
    assert not cpr_mod11_ok("070761-4286")
    assert cpr_birth_date("010190-1234") == date(1990, 1, 1)
    assert cpr_birth_date("010105-4234") == date(2005, 1, 1)  # 7th digit 4, yy <= 36
    assert cpr_birth_date("010165-4234") == date(1965, 1, 1)  # 7th digit 4, yy > 36
    assert cpr_birth_date("010103-5234") == date(2003, 1, 1)  # 7th digit 5..8, yy <= 57


def test_amount_and_date_formats() -> None:
    d = Decimal("-1234.5")
    assert format_amount(d, "dk") == "-1.234,50"
    assert format_amount(d, "dk_trail") == "1.234,50-"
    assert format_amount(d, "dk_abs") == "1.234,50"
    assert format_amount(d, "en") == "-1,234.50"
    assert format_amount(d, "kr_suffix") == "-1.234,50 kr."
    assert format_amount(d, "kr_prefix") == "kr. -1.234,50"
    assert format_amount(Decimal("1234567.891"), "dk") == "1.234.567,89"
    day = date(2026, 10, 1)
    assert format_date(day, "dot") == "01.10.2026"
    assert format_date(day, "dash") == "01-10-2026"
    assert format_date(day, "iso") == "2026-10-01"
    assert format_date(day, "slash") == "1/10-2026"
    assert format_date(day, "long") == "1. oktober 2026"


# --------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("layout", LAYOUTS)
def test_same_seed_same_case_and_bytes(layout: str) -> None:
    for seed in (0, 5, 123):
        a, b = make_case(layout, seed), make_case(layout, seed)
        assert a == b
        assert a.details == b.details
        assert render(a) == render(b)
    assert make_case(layout, 1) != make_case(layout, 2)
    assert render(make_case(layout, 1)) != render(make_case(layout, 2))


def test_unknown_layout_rejected() -> None:
    with pytest.raises(ValueError):
        make_case("kmd-2", 0)


def test_corpus_cycles_layouts_and_is_deterministic() -> None:
    cases = corpus(12, seed=3)
    assert [c.layout for c in cases] == [LAYOUTS[i % len(LAYOUTS)] for i in range(12)]
    assert cases == corpus(12, seed=3)
    assert cases != corpus(12, seed=4)
    assert len(LAYOUTS) >= 4 and {"municipal", "private", "english", "card"} <= set(LAYOUTS)


# --------------------------------------------------------------------------- arithmetic truth


def _check_case(case: PayslipCase) -> None:
    roles = dict(zip(case.details["roles"], case.lines, strict=True))
    cent = Decimal("0.01")
    for ln in case.lines:
        assert ln.kind in KINDS
        assert ln.section in ("pay", "employer", "summary")
        assert ln.amount == ln.amount.quantize(cent)
        assert str(ln.amount) != "-0.00"
        if ln.quantity is not None:
            assert ln.kind == "salary"
            assert ln.amount == (ln.quantity * ln.rate).quantize(cent, ROUND_HALF_UP)
        if ln.kind in ("employee_deduction", "am_contribution", "tax"):
            assert ln.amount <= 0 and ln.section == "pay"
        if ln.kind in ("atp", "pension"):
            assert ln.amount > 0 and ln.section == "employer"

    comp = case.expected_components()
    assert set(comp) == set(COMPONENT_KEYS)
    earnings = [ln for ln in case.lines if ln.section == "pay" and ln.amount > 0]
    deductions = [ln for ln in case.lines if ln.section == "pay" and ln.amount <= 0]
    employer = [ln for ln in case.lines if ln.section == "employer"]
    gross = sum(ln.amount for ln in earnings)
    net = gross + sum(ln.amount for ln in deductions)
    assert gross == case.gross_pay and net == case.net_pay
    assert gross - sum(abs(ln.amount) for ln in deductions) == net
    assert net > 0
    for ln in case.lines_of("net"):
        assert ln.amount == net
    assert roles["gross"].amount == gross
    if "ded_total" in roles:
        assert roles["ded_total"].amount == net - gross

    # salary = all salary lines incl. sick pay; hours split worked/sick
    salary = sum(ln.amount for ln in case.lines_of("salary"))
    assert comp["salary"] == salary
    assert roles["wage"].quantity == case.worked_hours
    assert (roles["sick"].quantity if "sick" in roles else Decimal(0)) == case.sick_hours
    if "sick" in roles:
        assert roles["sick"].rate == roles["wage"].rate
    assert case.hours == case.worked_hours + case.sick_hours
    half = case.details["half"]
    lo, hi = (5, 30) if half else (10, 60)
    assert lo <= case.hours <= hi

    # AM-bidrag: 8 % of (gross - employee pension)
    emp_pension = -roles["emp_pension"].amount if "emp_pension" in roles else Decimal(0)
    am = ((gross - emp_pension) * Decimal("0.08")).quantize(cent, ROUND_HALF_UP)
    assert comp["am_contribution"] == am
    if emp_pension:
        assert emp_pension == (salary * Decimal("0.04")).quantize(cent, ROUND_HALF_UP)
        er = roles["er_pension"].amount
        assert salary * Decimal("0.08") - cent <= er <= salary * Decimal("0.12") + cent
    # ATP: employer 2/3, employee 1/3
    if "er_atp" in roles:
        assert roles["er_atp"].amount == -2 * roles["emp_atp"].amount
        assert comp["atp"] == roles["er_atp"].amount
    else:
        assert comp["atp"] == 0 and "emp_atp" not in roles

    # employer cost = gross pay + employer-paid contributions
    assert case.expected_employer_cost() == gross + sum(ln.amount for ln in employer)
    assert case.expected_employer_cost() == sum(comp[k] for k in COMPONENT_KEYS[:-1])
    if "employer_cost" in roles:
        assert roles["employer_cost"].amount == case.expected_employer_cost()
    if "er_total" in roles:
        assert roles["er_total"].amount == sum(ln.amount for ln in employer)

    # identity numbers
    assert cvr_valid(case.cvr) and re.fullmatch(r"\d{8}", case.cvr)
    if case.se_number is not None:
        assert re.fullmatch(r"\d{8}", case.se_number) and case.se_number != case.cvr
    assert re.fullmatch(r"\d{6}-\d{4}", case.cpr)
    born = cpr_birth_date(case.cpr)
    assert date(1960, 1, 1) <= born <= date(2006, 12, 31)

    # period: a calendar month or a half month
    s, e = case.period_start, case.period_end
    last = calendar.monthrange(s.year, s.month)[1]
    assert (s.year, s.month) == (e.year, e.month)
    assert (s.day, e.day) in ((1, last), (1, 15), (16, last))
    assert half == ((s.day, e.day) != (1, last))
    assert case.employment_start <= s
    assert case.pay_date >= s


@given(layout=st.sampled_from(LAYOUTS), seed=st.integers(0, 10**7))
@settings(max_examples=400, deadline=None)
def test_amounts_add_up(layout: str, seed: int) -> None:
    _check_case(make_case(layout, seed))


def test_known_case_values() -> None:
    case = make_case("municipal", 2)
    assert case.layout == "municipal"
    assert [ln.kind for ln in case.lines if ln.section == "employer"] == [
        "pension",
        "atp",
        "other",
        "other",
    ]
    comp = case.expected_components()
    assert comp["salary"] == sum(ln.amount for ln in case.lines_of("salary"))
    assert comp["am_contribution"] == -case.lines_of("am_contribution")[0].amount
    assert case.net_pay == case.lines_of("net")[0].amount


def test_corpus_variety() -> None:
    cases = corpus(400, seed=0)
    for c in cases:
        _check_case(c)
    mod11 = [cpr_mod11_ok(c.cpr) for c in cases]
    assert any(mod11) and not all(mod11)
    years = [cpr_birth_date(c.cpr).year for c in cases]
    assert min(years) < 1970 and max(years) >= 2000
    assert any(int(c.cpr[7]) in (4, 9) and cpr_birth_date(c.cpr).year < 2000 for c in cases)
    assert any(c.details["half"] for c in cases) and not all(c.details["half"] for c in cases)
    assert any(c.period_start.year == 2025 for c in cases)
    assert sum(c.period_start.year == 2026 for c in cases) > 300
    assert any(c.sick_hours > 0 for c in cases) and any(c.sick_hours == 0 for c in cases)
    assert any(c.final_payslip for c in cases)
    assert any(c.se_number is None for c in cases) and any(c.se_number for c in cases)
    for key in ("atp", "pension", "holiday_pay", "special_holiday_allowance", "other"):
        assert any(c.expected_components()[key] > 0 for c in cases), key
        assert any(c.expected_components()[key] == 0 for c in cases), key
    labels = {ln.label for c in cases for ln in c.lines if ln.kind == "other"}
    assert {"Gruppeliv", "Fritvalg"} <= labels
    assert any("forsikring" in lb.lower() for lb in labels)
    assert any(c.employee_name != c.employee_name.encode("ascii", "ignore").decode() for c in cases)
    # layouts get their print variants
    assert {c.details["minus"] for c in cases if c.layout == "municipal"} == {"dk", "dk_trail"}
    assert {c.details["kr"] for c in cases if c.layout == "card"} == {"kr_suffix", "kr_prefix"}
    assert any(c.details["month_only"] for c in cases if c.layout == "private")


# --------------------------------------------------------------------------- rendered PDFs


def _amount_style(case: PayslipCase) -> str:
    return "en" if case.layout == "english" else "dk"


def _printed_period(case: PayslipCase) -> str:
    d, s, e = case.details, case.period_start, case.period_end
    if case.layout == "municipal":
        return f"{format_date(s, 'dot')}{d['range_sep']}{format_date(e, 'dot')}"
    if case.layout == "private":
        if d["month_only"]:
            return f"{DK_MONTHS[s.month - 1]} {s.year}"
        return f"{format_date(s, 'long')} - {format_date(e, 'long')}"
    if case.layout == "english":
        return f"Pay period: {s.isoformat()} to {e.isoformat()}"
    if case.layout == "card":
        return f"Fra {format_date(s, 'dash')}"
    sep = " - " if d["date_style"] == "slash" else "-"
    return f"{format_date(s, d['date_style'])}{sep}{format_date(e, d['date_style'])}"


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("seed", RENDER_SEEDS)
def test_rendered_pdf_shows_the_truth(layout: str, seed: int) -> None:
    case = make_case(layout, seed)
    pdf = render(case)
    assert pdf.startswith(b"%PDF-")
    pages, text = _pdf_text(pdf)
    assert pages == PAGE_COUNTS[layout]
    flat = _squash(text)
    assert case.employee_name in text
    assert case.employer_name in text
    assert case.cvr in flat
    assert case.cpr.replace("-", "") in flat.replace("-", "")
    if case.se_number:
        assert case.se_number in flat
    assert _squash(_printed_period(case)) in flat
    style = _amount_style(case)
    for ln in case.lines:
        assert _squash(ln.label) in flat, ln.label
        assert format_amount(abs(ln.amount), style) in text, (ln.label, ln.amount)
        # the card layout prints per-line hours only in its optional grey sub-lines
        qty_printed = layout != "card" or case.details["sublines"]
        if ln.quantity is not None and qty_printed:
            assert format_amount(ln.quantity, style) in text
            assert format_amount(ln.rate, style) in text
        if ln.ytd is not None:
            assert format_amount(abs(ln.ytd), style) in text
    if layout == "card":
        assert "Arbejdstimer" in text and format_amount(case.worked_hours, "dk") in text


def test_all_layouts_look_different() -> None:
    """The header vocabulary differs per layout, so no single regex template fits all."""
    markers = {
        "municipal": ("Lønart", "År til dato", "Lønperiode"),
        "private": ("Tillæg", "Fradrag", "CPR-nummer", "Medarbejder"),
        "english": ("Year to date", "Civil registration no.", "Employer contributions"),
        "card": ("Arbejdstimer", "Udbetales", "Fra", "Til"),
        "legacy": ("HERAF I ÅR", "LØNPERIODE", "CVR-NR"),
    }
    texts = {lay: _pdf_text(render(make_case(lay, 0)))[1] for lay in LAYOUTS}
    for lay, words in markers.items():
        for w in words:
            assert w in texts[lay], (lay, w)
    assert "Lønart" not in texts["private"] and "Tillæg" not in texts["municipal"]


def test_english_second_page_has_employer_contributions() -> None:
    case = make_case("english", 4)
    with pdfplumber.open(io.BytesIO(render(case))) as doc:
        p1, p2 = (p.extract_text() for p in doc.pages)
    assert "Pay period:" in p1 and "Employer contributions" in p2
    assert "Total employer cost" in p2
    cost = format_amount(case.expected_employer_cost(), "en")
    assert cost in p2 and cost not in p1


# --------------------------------------------------------------------------- bad PDFs


def test_image_only_pdf_has_no_text_layer() -> None:
    data = bad_pdfs.image_only_pdf()
    assert data == bad_pdfs.image_only_pdf()
    with pdfplumber.open(io.BytesIO(data)) as doc:
        assert len(doc.pages) == 1
        assert doc.pages[0].chars == []
        assert len(doc.pages[0].images) == 1


def test_encrypted_pdf_needs_password() -> None:
    data = bad_pdfs.encrypted_pdf("hemmelig")
    assert b"/Encrypt" in data
    with (
        pytest.raises(Exception),  # noqa: B017 - pdfminer raises a generic wrapper
        pdfplumber.open(io.BytesIO(data)) as doc,
    ):
        doc.pages[0].extract_text()
    with pdfplumber.open(io.BytesIO(data), password="hemmelig") as doc:
        assert make_case("private", 0).employee_name in doc.pages[0].extract_text()


def test_many_pages_pdf() -> None:
    with pdfplumber.open(io.BytesIO(bad_pdfs.many_pages_pdf(pages=7))) as doc:
        assert len(doc.pages) == 7
        assert "Side 7 af 7" in doc.pages[6].extract_text()
    with pdfplumber.open(io.BytesIO(bad_pdfs.many_pages_pdf())) as doc:
        assert len(doc.pages) == 500


def test_truncated_pdf_is_broken() -> None:
    data = bad_pdfs.truncated_pdf()
    assert data.startswith(b"%PDF-") and b"%%EOF" not in data
    assert len(data) * 2 in (
        len(render(make_case("private", 0))),
        len(render(make_case("private", 0))) - 1,
    )
    with pytest.raises(Exception), pdfplumber.open(io.BytesIO(data)) as doc:  # noqa: B017
        for p in doc.pages:
            p.extract_text()


@pytest.mark.parametrize(
    ("kind", "magic"), [("png", b"\x89PNG"), ("docx", b"PK\x03\x04"), ("html", b"<!DOC")]
)
def test_not_a_pdf(kind: str, magic: bytes) -> None:
    data = bad_pdfs.not_a_pdf(kind)
    assert data.startswith(magic) and b"%PDF" not in data[:1024]


def test_empty_pdf() -> None:
    with pdfplumber.open(io.BytesIO(bad_pdfs.empty_pdf())) as doc:
        assert len(doc.pages) == 1
        assert doc.pages[0].chars == [] and doc.pages[0].images == []


def test_the_sample_payslip_is_a_whole_ended_month_with_matching_register_commands():
    case = latest_whole_month("municipal", date(2026, 12, 1))
    assert (case.period_start, case.period_end) == (date(2026, 11, 1), date(2026, 11, 30))
    workplace, employment = register_commands(case, "albertslund.dk")
    assert f"--cvr {case.cvr}" in workplace and "--sender albertslund.dk" in workplace
    assert f"--cpr {case.cpr}" in employment
    assert "--start 2026-11-01 --end 2027-10-31" in employment
