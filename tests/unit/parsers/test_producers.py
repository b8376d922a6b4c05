"""The producers corpus: the same kind of småjob payslip from different PDF producers and
with the PDF features a character source can get wrong (``tests/fixtures/producers``).

The rule that must always hold: a field the reader gives a value for that differs from
what the page prints means the payslip is not verified (a figure a person has not
looked at is never paid). Every field of every case is asserted as well; what the
reader misreads today is a strict xfail naming why. The fixtures are checked too: CVR
modulus 11, each payslip's own arithmetic, and the committed Chromium PDFs printing
their truth. Values are compared as plain data and a CPR only ever shows masked.
"""

from __future__ import annotations

import io
from functools import cache

import pdfplumber
import pytest

from parsers.payslip import Payslip, Unreadable, read
from tests.fixtures import producers
from tests.fixtures.producers.slip import ZERO, cvr_valid, dk
from tests.fixtures.truth import Case, plain, read_values, with_misread, wrong_fields

CASES = producers.cases()
READABLE = [c for c in CASES if producers.spec(c.name).expect == "read"]
NO_TEXT = [c for c in CASES if producers.spec(c.name).expect == "unreadable"]


@cache
def reading(name: str) -> Payslip | Unreadable:
    (case,) = [c for c in CASES if c.name == name]
    return read(case.pdf())


def test_the_corpus_is_complete() -> None:
    assert 12 <= len(CASES) <= 20
    assert {c.producer for c in CASES} == {"reportlab", "chromium", "raw"}
    assert len({c.truth.employee_name for c in CASES}) == len(CASES)
    assert len({c.truth.cvr for c in CASES}) == len(CASES)
    for s in producers.SPECS:
        if s.committed:
            assert (producers.PDF_DIR / s.file).is_file(), s.name


# Fields read with a value that is not the page's, on a payslip that says it is verified.
# Never a money field; a strict xfail so a fix shows.
VERIFIED_BUT_WRONG: dict[str, str] = {}


@pytest.mark.parametrize("case", with_misread(CASES, VERIFIED_BUT_WRONG),
                         ids=[c.name for c in CASES])
def test_a_wrong_field_is_never_verified(case: Case) -> None:
    slip = reading(case.name)
    if isinstance(slip, Unreadable):
        return
    got = read_values(slip)
    wrong = [f for f in wrong_fields(case.truth, slip) if got[f] is not None]
    assert not (wrong and slip.verified), f"verified with wrong {wrong}"


def test_no_wrong_money_is_ever_verified() -> None:
    """The worst outcome, asserted on its own so no xfail above can hide it."""
    money = ("salary", "atp", "pension", "holiday_pay", "special_holiday_allowance",
             "other", "am_contribution", "employer_cost")
    bad = [c.name for c in CASES
           if isinstance(slip := reading(c.name), Payslip) and slip.verified
           and set(money) & set(wrong_fields(c.truth, slip))]
    assert bad == []


@pytest.mark.parametrize("case", NO_TEXT, ids=[c.name for c in NO_TEXT])
def test_codes_that_are_no_letters_are_not_read(case: Case) -> None:
    slip = reading(case.name)
    if isinstance(slip, Unreadable):
        assert slip.code == "no_text"
    else:
        assert slip.verified is False


# What the reader misreads today (held or missing, never verified-wrong; see above).
MISREAD = {
    "reportlab/times": "the name stands alone above 'Personnummer:' with no label",
    "reportlab/courier": "the employer name is an uppercase header without a label",
    "reportlab/rotate90": "the Arbejdsgiver column (employer ATP and pension beside the "
                          "employee's Fradrag) is not read; held",
    "reportlab/two-columns": "6 pt between the columns: wage lines and the employer name "
                             "are lost; held",
    "reportlab/no-tounicode-danish": "æ ø å are codes without a letter: names, the period "
                                     "and the wage label are garbled; held",
    "chromium/table": "employee name in a block without a label",
    "chromium/landscape": "label-above-value heads in a four-column strip: names, CVR and "
                          "hours ('44,00 t à 171,60') are not read; money verified",
    "chromium/receipt": "'Timer'/'Timeløn'/'Løn' rows: the hourly rate is added to the "
                        "salary; held",
    "raw/tj-kerning": "the employee name stands without a label",
    "raw/cropbox": "'Timeløn 999,00' outside the CropBox (not on the shown page) is added "
                   "to the salary; held",
    "raw/cropbox-hidden-line": "'Pension arbejdsgiver 500,00' outside the CropBox is read "
                               "as the employer's pension, and VERIFIED (no proof covers "
                               "the employer's pension)",
    "raw/form-xobject": "the employee name stands without a label",
    "raw/fake-bold": "the employee name stands without a label",
}


@pytest.mark.parametrize("case", with_misread(READABLE, MISREAD),
                         ids=[c.name for c in READABLE])
def test_every_field_is_read(case: Case) -> None:
    slip = reading(case.name)
    assert isinstance(slip, Payslip), f"{case.name} unreadable: {slip}"
    want = case.truth.expected()
    assert plain(read_values(slip), str(want["cpr"])) == plain(want, str(want["cpr"]))
    assert slip.verified is True


# --- the fixtures themselves -------------------------------------------------------------

@pytest.mark.parametrize("spec", producers.SPECS, ids=[s.name for s in producers.SPECS])
def test_fixture_arithmetic_holds(spec: producers.Spec) -> None:
    s = spec.slip
    assert cvr_valid(s.cvr)
    assert s.net == s.gross - s.atp_ee - s.pension_ee - s.am - s.tax
    assert s.atp_er == 2 * s.atp_ee
    assert s.am == (s.am_basis * 8 / 100).quantize(ZERO)
    assert 20 <= s.hours <= 45 and 130 <= s.rate <= 180
    t = s.truth()
    assert t.employer_cost == s.employer_cost


@pytest.mark.parametrize("spec", [s for s in producers.SPECS if s.expect == "read"],
                         ids=[s.name for s in producers.SPECS if s.expect == "read"])
def test_pdf_prints_the_truth(spec: producers.Spec) -> None:
    """What the text layer says (pdfplumber, not the reader) holds the truth's figures:
    a committed Chromium PDF re-rendered after a change to its slip would show here.
    Letters without /ToUnicode are not checked by name."""
    with pdfplumber.open(io.BytesIO(producers.pdf_bytes(spec.name))) as pdf:
        # OCR words stand 2.6 pt apart; fake bold is drawn twice (dedupe_chars)
        text = "\n".join(page.dedupe_chars().extract_text(x_tolerance=1.5) or ""
                         for page in pdf.pages)
    s = spec.slip
    figures = {"cvr": s.cvr, "cpr": s.cpr, "net": dk(s.net), "am": dk(s.am),
               "atp_er": dk(s.atp_er), "holiday_pay": dk(s.holiday_pay)}
    if spec.name != "reportlab/no-tounicode-danish":
        figures["employee_name"] = s.employee_name
    missing = [k for k, v in figures.items() if v not in text]  # never print the CPR
    assert missing == []
