"""handlers.decisions without a database: which decisions are allowed, how a typed
correction is read, and a claim judged again after one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from handlers import decisions
from handlers.decisions import ClaimFacts, DecisionError
from handlers.problems import Problem
from parsers.labels import COMPONENTS

TODAY = date(2026, 11, 22)


def facts(**changes) -> ClaimFacts:
    base = dict(
        reference="R-2026-000001", status="needs_review", source="l.pdf",
        employee_name="Anna Andersen", cpr="0101901234", employer_name="Firma ApS",
        cvr="12345674", period_start=date(2026, 10, 1), period_end=date(2026, 10, 31),
        hours=Decimal(30), sick_hours=None,
        components={**{k: Decimal(0) for k in COMPONENTS}, "salary": Decimal("4500.00"),
                    "atp": Decimal("29.20")},
        employer_cost=Decimal("4529.20"), claimed=("salary", "atp"),
        problems=(Problem("amount", "check_gross", "gross failed", "review"),
                  Problem("cpr", "mismatch", "cpr differs"),
                  Problem("employment", "no_employment", "none")))
    return ClaimFacts(**{**base, **changes})


@pytest.mark.parametrize(("check", "status", "allowed"), [
    (decisions.check_approve, "needs_review", True),
    (decisions.check_approve, "validated", False),
    (decisions.check_paid, "validated", True),
    (decisions.check_paid, "needs_review", False),
    (decisions.check_correct, "invalid", True),
    (decisions.check_correct, "paid", False),
])
def test_which_decisions_each_status_allows(check, status, allowed):
    if allowed:
        check(status)
    else:
        with pytest.raises(DecisionError):
            check(status)


def test_a_rejection_needs_a_reason_and_an_open_claim():
    assert decisions.check_reject("invalid", "  for  sent \n") == "for sent"
    with pytest.raises(DecisionError, match="needs a reason"):
        decisions.check_reject("needs_review", " ")
    with pytest.raises(DecisionError, match="is paid"):
        decisions.check_reject("paid", "x")


@pytest.mark.parametrize(("field", "typed", "read"), [
    ("cpr", "010190 1234", "0101901234"),
    ("cvr", "12 34 56 74", "12345674"),
    ("period", "2026-10-01..2026-10-31", (date(2026, 10, 1), date(2026, 10, 31))),
    ("period", "01.10.2026 - 31.10.2026", (date(2026, 10, 1), date(2026, 10, 31))),
    ("hours", "7,5", Decimal("7.50")),
    ("salary", "1.234,56", Decimal("1234.56")),
    ("employee_name", "  Anna  B. ", "Anna B."),
])
def test_typed_values_are_read_as_people_write_them(field, typed, read):
    assert decisions.parse_value(field, typed, TODAY) == read


@pytest.mark.parametrize(("field", "typed"), [
    ("cpr", "320190-1234"), ("cvr", "12345678"), ("period", "2026-10-31..2026-10-01"),
    ("hours", "-3"), ("salary", "lots"), ("reference", "x"), ("hours", " "),
])
def test_wrong_values_are_refused(field, typed):
    with pytest.raises(DecisionError):
        decisions.parse_value(field, typed, TODAY)


def test_a_cost_item_moves_the_employer_cost_and_the_refund():
    corrected = decisions.apply(facts(problems=()), "salary", Decimal("4000.00"))
    assert corrected.employer_cost == Decimal("4029.20")
    claim = decisions.rejudge(corrected, TODAY)
    assert claim.refund is not None and claim.refund.amount == Decimal("4029.20")


def test_judged_again_the_reading_problems_stay_and_a_settled_mismatch_goes():
    corrected = decisions.without_mismatch(decisions.apply(facts(), "cpr", "0101901234"),
                                           "cpr")
    claim = decisions.rejudge(corrected, TODAY)
    # The register problems are judged again by review(); the reading's stay.
    assert [p.code for p in claim.problems] == ["check_gross"]
    assert claim.cpr is not None and claim.cpr.digits == "0101901234"
    assert claim.status == "complete"


def test_a_correction_never_validates_by_itself():
    assert decisions.held_status("validated") == "needs_review"
    assert decisions.held_status("invalid") == "invalid"


def test_the_rejection_mail_in_both_languages():
    subject, body = decisions.rejection_mail("Refusion", "R-2026-000001", "Ikke småjob.")
    assert subject == "Re: Refusion"
    assert body.startswith("Jobcentret har behandlet refusionskravet R-2026-000001")
    assert "Ikke småjob." in body and "Venlig hilsen" in body
    _subject, body = decisions.rejection_mail("", "R-2026-000001", "Not a job.", "en")
    assert "cannot pay a refund" in body and "Kind regards" in body


def test_a_refusal_never_quotes_a_full_cpr():
    with pytest.raises(DecisionError) as refused:
        decisions.parse_value("period", "010190-1234", TODAY)
    assert "010190-xxxx" in str(refused.value) and "1234" not in str(refused.value)
