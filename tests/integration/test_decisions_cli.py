"""Held claims get a way out: approve, reject, correct, mark paid, through the real
``assistant`` entry point, on SQLite and PostgreSQL."""

from __future__ import annotations

import email
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from assistant.cli import cli
from assistant.config import load_config
from assistant.db import session
from assistant.models import AuditEntry, Claim, ClaimCorrection, OutboundMessage
from assistant.pipeline import Pipeline
from handlers.validation import add_months
from tests.fixtures.payslips import make_case
from tests.integration.helpers import invoker, jobcenter, ok, outbox
from tests.integration.test_pipeline import TODAY, claim_mail, text_of

OTHER_CPR = "111085-1234"  # the citizen the jobcenter actually approved


@pytest.fixture
def config_path(config_file, tmp_path):
    return config_file(outbox(tmp_path) + jobcenter())


@pytest.fixture
def pipeline(config_path, store, reader):
    return Pipeline(store.engine, load_config(config_path, env={}), reader, today=lambda: TODAY)


@pytest.fixture
def run(config_path):
    return invoker(cli, config_path)


def refused(result) -> str:
    assert result.exit_code == 1, result.output
    return result.output


def held_claim(pipeline, store, *, employment_cpr: str | None = None,
               body: str = "Vi søger refusion for løn, ATP, pension og feriepenge.\n"):
    """A claim held for review: no approved employment for the payslip's CPR (or one for
    ``employment_cpr`` instead, as when the reader misread the CPR)."""
    case = make_case("municipal", 2)
    store.add_workplace(case.cvr, case.employer_name, ["firma.dk"])
    if employment_cpr:
        start = date(case.period_start.year, case.period_start.month, 1)
        store.add_employment(cpr=employment_cpr, citizen_name=case.employee_name,
                             cvr=case.cvr, hours=Decimal(10), start=start,
                             end=add_months(start, 12) - timedelta(days=1),
                             reason="Ansættelsen er midlertidig, fordi opgaven er afgrænset.")
    inbound_id, _ = store.save_inbound(claim_mail(case, body=body), "smtp", "lon@firma.dk",
                                       ["jobcenter@kommune.example"])
    pipeline.process(inbound_id)
    (claim,) = claims(store)
    assert claim.status == "needs_review"
    return case, claim


def claims(store) -> list[Claim]:
    with session(store.engine) as db:
        return list(db.exec(select(Claim).order_by(Claim.id)).all())


def mails(store, kind: str) -> list[tuple[str, email.message.EmailMessage]]:
    with session(store.engine) as db:
        rows = db.exec(select(OutboundMessage).where(OutboundMessage.kind == kind)
                       .order_by(OutboundMessage.id)).all()
        return [(r.recipient, email.message_from_bytes(r.raw, policy=email.policy.default))
                for r in rows]


def audit(store) -> list[tuple[str, str, str, str]]:
    with session(store.engine) as db:
        return [(a.actor, a.action, a.subject, a.reason)
                for a in db.exec(select(AuditEntry).order_by(AuditEntry.id)).all()]


def test_approve_sends_the_summary_with_the_payslip_and_is_audited(pipeline, store, run):
    case, claim = held_claim(pipeline, store)
    output = ok(run("claims", "approve", claim.reference.lower(), "--by", "mette",
                    "--note", "ansættelsen er godkendt på papir"))
    assert f"{claim.reference} approved" in output
    (after,) = claims(store)
    assert after.status == "validated"
    ((recipient, summary),) = mails(store, "summary")
    assert recipient == "okonomi@kommune.example"
    body = text_of(summary)
    assert f"Refusionskrav {claim.reference} er valideret og kan udbetales." in body
    assert f"{case.cpr[:6]}-xxxx" in body and case.cpr not in body
    (attachment,) = list(summary.iter_attachments())
    assert attachment.get_filename() == "Lønseddel.pdf"
    assert audit(store) == [("mette", "approve", claim.reference,
                             "ansættelsen er godkendt på papir")]
    # Decided once: a second approval is refused and sends nothing.
    assert "only a claim held for review" in refused(run("claims", "approve", claim.reference))
    assert len(mails(store, "summary")) == 1


def test_reject_tells_the_sender_in_danish(pipeline, store, run):
    _case, claim = held_claim(pipeline, store)
    ok(run("claims", "reject", claim.reference, "--reason", "Borgeren er ikke ansat i småjob.",
           "--by", "mette"))
    assert claims(store)[0].status == "rejected"
    # The sender was told when the claim was held, and now of the decision.
    ((held_to, held), (recipient, reply)) = mails(store, "reply")
    assert held_to == "lon@firma.dk"
    assert "kan ikke godkendes automatisk" in text_of(held)
    assert recipient == "lon@firma.dk"
    body = text_of(reply)
    assert f"Jobcentret har behandlet refusionskravet {claim.reference}" in body
    assert "Borgeren er ikke ansat i småjob." in body
    assert reply["Subject"] == "Re: Refusion"
    assert audit(store)[-1] == ("mette", "reject", claim.reference,
                                "Borgeren er ikke ansat i småjob.")


def test_a_claims_history_shows_the_reply_that_told_the_sender_it_is_held(pipeline, store, run):
    _case, claim = held_claim(pipeline, store)
    shown = json.loads(ok(run("claims", "show", claim.reference, "--json")))
    assert [(m["kind"], m["recipient"]) for m in shown["outbox"]] == [
        ("reply", "lon@firma.dk"), ("review", "konsulenter@kommune.example"),
        ("review", "okonomi@kommune.example")]


def test_reject_answers_in_english_when_the_sender_wrote_english(pipeline, store, run):
    _case, claim = held_claim(
        pipeline, store,
        body="Hello, please find attached the payslip for the refund of the wage, ATP, "
             "pension and holiday pay. Kind regards\n")
    ok(run("claims", "reject", claim.reference, "--reason", "Not a småjob employment."))
    ((_to, held), (_recipient, reply)) = mails(store, "reply")
    assert "cannot be approved automatically" in text_of(held)
    assert "cannot pay a refund" in text_of(reply)


def test_a_rejection_needs_a_reason(pipeline, store, run):
    _case, claim = held_claim(pipeline, store)
    assert "needs a reason" in refused(run("claims", "reject", claim.reference,
                                           "--reason", "  "))
    assert claims(store)[0].status == "needs_review"
    assert audit(store) == []


def test_correcting_a_misread_cpr_rejudges_and_records_who_and_what(pipeline, store, run):
    case, claim = held_claim(pipeline, store, employment_cpr=OTHER_CPR)
    assert [p["code"] for p in claim.problems] == ["no_employment"]
    output = ok(run("claims", "correct", claim.reference, "--field", "cpr",
                    "--value", OTHER_CPR, "--by", "mette"))
    assert "ready to approve" in output
    assert OTHER_CPR not in output and case.cpr not in output
    (after,) = claims(store)
    # The register now knows the employment; the claim stays held until approved.
    assert after.status == "needs_review" and after.problems == []
    assert after.cpr == OTHER_CPR.replace("-", "") and after.employment_id is not None
    with session(store.engine) as db:
        (correction,) = db.exec(select(ClaimCorrection)).all()
    assert (correction.field, correction.old_value, correction.new_value, correction.by) == (
        "cpr", f"{case.cpr[:6]}-xxxx", "111085-xxxx", "mette")
    assert audit(store)[0][:3] == ("mette", "correct", claim.reference)
    ok(run("claims", "approve", claim.reference))
    ((_r, summary),) = mails(store, "summary")
    assert "111085-xxxx" in text_of(summary)


def test_correcting_an_amount_changes_the_refund(pipeline, store, run):
    _case, claim = held_claim(pipeline, store)
    new_salary = claim.salary + Decimal("100.00")
    ok(run("claims", "correct", claim.reference, "--field", "salary",
           "--value", f"{new_salary:.2f}".replace(".", ",")))
    (after,) = claims(store)
    assert after.salary == new_salary
    assert after.employer_cost == claim.employer_cost + Decimal("100.00")
    assert after.refundable_amount > claim.refundable_amount


@pytest.mark.parametrize(("field", "value", "why"), [
    ("cpr", "320190-1234", "not a valid CPR"),
    ("cvr", "12345678", "not a valid CVR"),
    ("period", "sometime", "not a period"),
    ("hours", "many", "not a number"),
])
def test_a_wrong_correction_is_refused_and_changes_nothing(pipeline, store, run, field,
                                                           value, why):
    _case, claim = held_claim(pipeline, store)
    output = refused(run("claims", "correct", claim.reference, "--field", field,
                         "--value", value))
    assert why in output and "3201901234" not in output
    assert claims(store)[0].cpr == claim.cpr
    assert audit(store) == []


def test_paid_only_after_validated(pipeline, store, run):
    _case, claim = held_claim(pipeline, store)
    assert "only a validated claim" in refused(run("claims", "paid", claim.reference))
    ok(run("claims", "approve", claim.reference))
    assert "marked paid" in ok(run("claims", "paid", claim.reference, "--by", "okonomi"))
    assert claims(store)[0].status == "paid"
    assert [a[1] for a in audit(store)] == ["approve", "paid"]
    listed = ok(run("claims", "list", "--status", "paid"))
    assert claim.reference in listed


def test_an_unknown_reference_is_named(run, store):
    assert "no claim 'R-2026-999999'" in refused(run("claims", "approve", "R-2026-999999"))
