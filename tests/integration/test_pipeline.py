"""The claim pipeline end to end: SMTP in (real aiosmtpd on loopback), claims stored,
replies and summaries in the outbox directory. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import email
import smtplib
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sqlmodel import select

from assistant.db import session
from assistant.inbox.smtp_server import SmtpInbox
from assistant.models import Claim, InboundMessage, OutboundMessage
from assistant.outbox import OutboxWorker, make_transport
from assistant.pipeline import Pipeline
from assistant.store import Store
from handlers.validation import add_months
from tests.fixtures.payslips import PayslipCase, make_case, render
from tests.integration.net import free_port

TODAY = date(2026, 11, 22)
CLAIM_TEXT = "Vi søger refusion for løn, ATP, pension og feriepenge for perioden.\n"


@pytest.fixture
def pipeline(config, store, reader):
    return Pipeline(store.engine, config, reader, today=lambda: TODAY)


def case_in_2026(layout: str = "municipal", seed: int = 2) -> PayslipCase:
    case = make_case(layout, seed)
    assert case.period_end < TODAY
    return case


def register(store: Store, case: PayslipCase, sender: str = "firma.dk", hours: str = "10") -> None:
    """A workplace allowing ``sender`` and a 12-month employment covering the payslip."""
    store.add_workplace(case.cvr, case.employer_name, [sender])
    start = date(case.period_start.year, case.period_start.month, 1)
    store.add_employment(cpr=case.cpr, citizen_name=case.employee_name, cvr=case.cvr,
                         hours=Decimal(hours), start=start,
                         end=add_months(start, 12) - timedelta(days=1),
                         reason="Ansættelsen er midlertidig, fordi opgaven er afgrænset.")


def claim_mail(case: PayslipCase | None, body: str = CLAIM_TEXT, sender: str = "lon@firma.dk",
               subject: str = "Refusion", message_id: str | None = None,
               pdf: bytes | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "jobcenter@kommune.example", subject
    msg["Message-ID"] = message_id or email.utils.make_msgid(domain="firma.dk")
    msg.set_content(body)
    if case is not None:
        msg.add_attachment(pdf or render(case), maintype="application", subtype="pdf",
                           filename="Lønseddel.pdf")
    return msg.as_bytes()


def danish(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def deliver(pipeline: Pipeline, store: Store, raw: bytes) -> int:
    inbound_id, _ = store.save_inbound(raw, "smtp", "lon@firma.dk", ["jobcenter@kommune.example"])
    pipeline.process(inbound_id)
    return inbound_id


def outbox(store: Store) -> list[tuple[str, str, email.message.EmailMessage]]:
    with session(store.engine) as db:
        rows = db.exec(select(OutboundMessage).order_by(OutboundMessage.id)).all()
        return [(r.kind, r.recipient, email.message_from_bytes(r.raw, policy=default_policy))
                for r in rows]


def claims(store: Store) -> list[Claim]:
    with session(store.engine) as db:
        return list(db.exec(select(Claim).order_by(Claim.id)).all())


def text_of(message: email.message.EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def test_validated_claim_sends_a_summary_with_the_payslip(pipeline, store):
    case = case_in_2026()
    register(store, case)
    deliver(pipeline, store, claim_mail(case))
    (claim,) = claims(store)
    assert claim.status == "validated", claim.problems
    assert claim.cpr == case.cpr.replace("-", "")
    assert claim.employer_cost == case.expected_employer_cost()
    ((kind, recipient, summary),) = outbox(store)
    assert (kind, recipient) == ("summary", "okonomi@kommune.example")
    body = text_of(summary)
    assert claim.reference in body and claim.reference in summary["Subject"]
    assert f"{case.cpr[:6]}-xxxx" in body
    assert case.cpr not in body and case.cpr.replace("-", "") not in body
    (attachment,) = list(summary.iter_attachments())
    assert attachment.get_content() == render(case)
    # Every cost item, the total, what is claimed (not "other") and the refund, in kr.
    other = sum((line.amount for line in case.lines if line.kind == "other"), Decimal(0))
    assert f"Arbejdsgiverens lønudgift i alt {danish(case.expected_employer_cost())}" in \
        " ".join(body.split())
    assert (f"Søgt dækning af løn, ATP, pension, feriepenge / ferietillæg: kr. "
            f"{danish(case.expected_employer_cost() - other)}") in body
    assert f"Refusion        kr. {danish(claim.refundable_amount)}" in body


def test_missing_claim_statement_gets_a_danish_reply(pipeline, store):
    case = case_in_2026()
    register(store, case)
    deliver(pipeline, store, claim_mail(case, body="Hermed lønseddel.\n", subject="Oktober"))
    (claim,) = claims(store)
    assert claim.status == "incomplete" and claim.missing == ["claimed"]
    ((kind, recipient, reply),) = outbox(store)
    assert (kind, recipient) == ("reply", "lon@firma.dk")
    assert reply["Subject"] == "Re: Oktober"
    assert "hvad der søges dækning af" in text_of(reply)


def test_mismatching_cpr_is_invalid_and_named_in_the_reply(pipeline, store):
    case = case_in_2026()
    register(store, case)
    wrong = "0101801234" if case.cpr.replace("-", "") != "0101801234" else "0202801234"
    deliver(pipeline, store, claim_mail(case, body=CLAIM_TEXT + f"CPR-nr.: {wrong}\n"))
    (claim,) = claims(store)
    assert claim.status == "invalid"
    assert [p["code"] for p in claim.problems if p["field"] == "cpr"] == ["mismatch"]
    ((_, _, reply),) = outbox(store)
    body = text_of(reply)
    assert "CPR-nummeret" in body and "010180-xxxx" in body or "020280-xxxx" in body
    assert wrong not in body


def test_a_period_mismatch_is_one_problem_showing_both_periods(pipeline, store):
    case = case_in_2026()
    register(store, case)
    body = CLAIM_TEXT + "Periode: 01.01.2025 - 31.01.2025\n"
    deliver(pipeline, store, claim_mail(case, body=body))
    (claim,) = claims(store)
    assert claim.status == "invalid"
    (problem,) = [p for p in claim.problems if p["code"] == "mismatch"]
    slip = f"{case.period_start.isoformat()} - {case.period_end.isoformat()}"
    assert problem["field"] == "period"
    assert problem["message"] == ("the e-mail and the payslip disagree on period: 2025-01-01 - "
                                  f"2025-01-31 in the e-mail, {slip} on the payslip")
    ((_, _, reply),) = outbox(store)
    assert (f"Mailen og lønsedlen er ikke enige om perioden: 2025-01-01 - 2025-01-31 i "
            f"mailen, {slip} på lønsedlen.") in " ".join(text_of(reply).split())


def test_no_employment_is_held_for_review(pipeline, store):
    case = case_in_2026()
    store.add_workplace(case.cvr, case.employer_name, ["firma.dk"])
    deliver(pipeline, store, claim_mail(case))
    (claim,) = claims(store)
    assert claim.status == "needs_review"
    assert [p["code"] for p in claim.problems] == ["no_employment"]
    sent = outbox(store)
    kinds = sorted((k, r) for k, r, _ in sent)
    assert kinds == [("reply", "lon@firma.dk"), ("review", "konsulenter@kommune.example"),
                     ("review", "okonomi@kommune.example")]
    # The workplace is told its claim is held, and why, in its own words.
    reply = " ".join(text_of(next(m for k, _, m in sent if k == "reply")).split())
    masked = case.cpr[:6] + "-xxxx"
    assert "Vi har modtaget kravet, men det kan ikke godkendes automatisk." in reply
    assert f"- vi mangler en godkendt ansættelse for {masked} hos jer (CVR {case.cvr})" \
        in reply
    assert claim.reference in reply
    assert "no_employment" not in reply and case.cpr.replace("-", "") not in reply


def test_forged_sender_is_held_for_review(pipeline, store):
    case = case_in_2026()
    register(store, case, sender="firma.dk")
    deliver(pipeline, store, claim_mail(case, sender="lon@firma-dk.example"))
    (claim,) = claims(store)
    assert claim.status == "needs_review"
    assert "sender_not_allowed" in [p["code"] for p in claim.problems]
    assert "summary" not in [k for k, _, _ in outbox(store)]


def test_second_claim_for_the_same_period_is_a_duplicate(pipeline, store):
    case = case_in_2026()
    register(store, case)
    deliver(pipeline, store, claim_mail(case))
    # Another PDF (not the same bytes) for the same employee and period.
    other = claim_mail(case, subject="Refusion (igen)",
                       pdf=render(case).replace(b"%%EOF", b"% sent again\n%%EOF"))
    deliver(pipeline, store, other)
    first, second = claims(store)
    assert first.status == "validated"
    assert second.status == "needs_review"
    assert first.payslip_sha256 != second.payslip_sha256
    assert [p["code"] for p in second.problems] == ["duplicate"]
    assert first.reference in [p["message"] for p in second.problems][0]


def test_the_same_payslip_in_a_new_mail_is_a_duplicate_payslip(pipeline, store):
    case = case_in_2026()
    register(store, case)
    deliver(pipeline, store, claim_mail(case))
    deliver(pipeline, store, claim_mail(case, subject="Refusion (igen)"))
    first, second = claims(store)
    assert (first.status, second.status) == ("validated", "needs_review")
    assert [p["code"] for p in second.problems] == ["duplicate_payslip"]
    assert first.reference in second.problems[0]["message"]


@pytest.mark.parametrize("decided", ["paid", "rejected"])
def test_a_decided_claim_still_counts_against_the_same_payslip(pipeline, store, decided):
    # Marking a claim paid took it out of the duplicate checks: the same payslip sent
    # again was validated and would be paid twice. A rejected one sent again unchanged
    # goes to a person too (whatever it was rejected for still holds).
    case = case_in_2026()
    register(store, case)
    deliver(pipeline, store, claim_mail(case))
    with session(store.engine) as db:
        (first,) = db.exec(select(Claim)).all()
        first.status = decided
        db.add(first)
    deliver(pipeline, store, claim_mail(case, subject="Refusion (igen)"))
    _, second = claims(store)
    assert second.status == "needs_review"
    assert [p["code"] for p in second.problems] == ["duplicate_payslip"]


def test_a_paid_claims_period_claimed_again_is_a_duplicate(pipeline, store):
    case = case_in_2026()
    register(store, case)
    deliver(pipeline, store, claim_mail(case))
    with session(store.engine) as db:
        (first,) = db.exec(select(Claim)).all()
        first.status = "paid"
        db.add(first)
    other = claim_mail(case, subject="Refusion (igen)",
                       pdf=render(case).replace(b"%%EOF", b"% sent again\n%%EOF"))
    deliver(pipeline, store, other)
    _, second = claims(store)
    assert second.status == "needs_review"
    assert [p["code"] for p in second.problems] == ["duplicate"]


def test_a_rejected_claims_period_may_be_claimed_again_with_a_new_payslip(pipeline, store):
    case = case_in_2026()
    register(store, case)
    deliver(pipeline, store, claim_mail(case))
    with session(store.engine) as db:
        (first,) = db.exec(select(Claim)).all()
        first.status = "rejected"
        db.add(first)
    corrected = claim_mail(case, subject="Refusion (rettet)",
                           pdf=render(case).replace(b"%%EOF", b"% corrected\n%%EOF"))
    deliver(pipeline, store, corrected)
    _, second = claims(store)
    assert second.status == "validated"


def test_the_same_message_twice_is_one_claim(pipeline, store):
    case = case_in_2026()
    register(store, case)
    raw = claim_mail(case, message_id="<same@firma.dk>")
    first = deliver(pipeline, store, raw)
    second = deliver(pipeline, store, raw)
    assert first == second
    assert len(claims(store)) == 1 and len(outbox(store)) == 1


def test_reprocessing_queues_only_changed_mail(pipeline, store):
    case = case_in_2026()
    register(store, case)
    inbound_id = deliver(pipeline, store, claim_mail(case))
    pipeline.process(inbound_id, force=True)
    assert len(claims(store)) == 1 and len(outbox(store)) == 1


def test_not_a_claim_is_forwarded_to_the_consultants(pipeline, store):
    deliver(pipeline, store, claim_mail(None, body="Hej, hvordan får vi en småjobber?\n",
                                        subject="Spørgsmål"))
    assert claims(store) == []
    ((kind, recipient, forward),) = outbox(store)
    assert (kind, recipient) == ("enquiry", "konsulenter@kommune.example")
    assert "Spørgsmål" in forward["Subject"]


def test_capped_claim_is_refunded_pro_rata_at_the_approved_hours(pipeline, store):
    case = case_in_2026()
    register(store, case, hours="2")  # 2 h/week: the cap bites on any real payslip
    deliver(pipeline, store, claim_mail(case))
    (claim,) = claims(store)
    assert claim.status == "validated" and claim.capped
    days = (case.period_end - case.period_start).days + 1
    cap = (Decimal(2) * days / 7).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert claim.cap_hours == cap
    # CLAIM_TEXT asks for wage, ATP, pension and holiday pay: not "other" (group life etc.).
    other = sum((line.amount for line in case.lines if line.kind == "other"), Decimal(0))
    claimed = case.expected_employer_cost() - other
    assert claim.employer_cost == case.expected_employer_cost()
    expected = (claimed * cap / case.hours).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert claim.refundable_amount == expected


def test_unreadable_pdf_is_reported_to_the_sender(pipeline, store):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "lon@firma.dk", "jobcenter@kommune.example", "Løn"
    msg.set_content(CLAIM_TEXT)
    msg.add_attachment(b"%PDF-1.4 garbage", maintype="application", subtype="pdf",
                       filename="scan.pdf")
    deliver(pipeline, store, msg.as_bytes())
    (claim,) = claims(store)
    assert claim.status == "incomplete" and "payslip" in claim.missing
    ((kind, _, reply),) = outbox(store)
    assert kind == "reply" and "scan.pdf" in text_of(reply)


# -- the SMTP inbox ----------------------------------------------------------------------


@pytest.fixture
def smtp_inbox(store, config):
    arrived: list[int] = []
    inbox = SmtpInbox(store, "127.0.0.1", free_port(), config.jobcenter.address, 200_000,
                      arrived.append)
    inbox.start()
    yield inbox, arrived
    inbox.stop()


def _port(inbox: SmtpInbox) -> int:
    return inbox.controller.server.sockets[0].getsockname()[1]


def test_smtp_answers_250_only_after_the_message_is_stored(smtp_inbox, store):
    inbox, arrived = smtp_inbox
    # On the wire mail has CRLF line ends (smtplib sends bytes as they are).
    raw = claim_mail(case_in_2026()).replace(b"\n", b"\r\n")
    with smtplib.SMTP("127.0.0.1", _port(inbox), timeout=30) as client:
        refused = client.sendmail("lon@firma.dk", ["jobcenter@kommune.example"], raw)
    assert refused == {}
    with session(store.engine) as db:
        (row,) = db.exec(select(InboundMessage)).all()
    assert row.raw == raw and row.channel == "smtp" and arrived == [row.id]


def test_smtp_refuses_other_domains_and_oversized_mail(smtp_inbox):
    inbox, _ = smtp_inbox
    with smtplib.SMTP("127.0.0.1", _port(inbox), timeout=30) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.sendmail("a@b.dk", ["someone@elsewhere.example"], b"Subject: x\r\n\r\nx")
        assert refused.value.recipients["someone@elsewhere.example"][0] == 550
    with smtplib.SMTP("127.0.0.1", _port(inbox), timeout=30) as client:
        with pytest.raises(smtplib.SMTPException) as too_big:
            client.sendmail("a@b.dk", ["jobcenter@kommune.example"],
                            b"Subject: x\r\n\r\n" + b"x" * 300_000)
        assert "552" in str(too_big.value)


def test_smtp_answers_451_when_storing_fails(store, config):
    class BrokenStore:
        def save_inbound(self, *args, **kwargs):
            raise OSError("disk full")

    inbox = SmtpInbox(BrokenStore(), "127.0.0.1", free_port(), config.jobcenter.address, 200_000,
                      lambda _id: None)
    inbox.start()
    try:
        with smtplib.SMTP("127.0.0.1", _port(inbox), timeout=30) as client, \
                pytest.raises(smtplib.SMTPDataError) as error:
            client.sendmail("a@b.dk", ["jobcenter@kommune.example"], b"Subject: x\r\n\r\nx")
        assert error.value.smtp_code == 451
    finally:
        inbox.stop()


def test_outbox_directory_gets_the_summary_file(pipeline, store, config):
    case = case_in_2026("private", 4)
    register(store, case)
    deliver(pipeline, store, claim_mail(case))
    worker = OutboxWorker(store.engine, make_transport(config), config.outbox.max_attempts)
    assert worker.run_once() == 1
    files = sorted(Path(config.outbox.directory).glob("*.eml"))
    assert len(files) == 1 and "summary" in files[0].name
    written = email.message_from_bytes(files[0].read_bytes(), policy=default_policy)
    assert written["To"] == "okonomi@kommune.example"
    assert case.cpr.replace("-", "") not in files[0].read_bytes().decode("utf-8", "replace")


def with_net_off(case: PayslipCase, by: Decimal) -> PayslipCase:
    """The same payslip with its printed net off by ``by``: the reading no longer
    reconciles with the payslip's own sums (as when a figure was misread)."""
    from dataclasses import replace
    lines = tuple(replace(ln, amount=ln.amount + by) if ln.kind == "net" else ln
                  for ln in case.lines)
    return replace(case, lines=lines)


def test_a_reading_that_does_not_reconcile_is_held_for_review_not_paid(pipeline, store):
    case = with_net_off(case_in_2026(), Decimal("500.00"))
    register(store, case)
    deliver(pipeline, store, claim_mail(case))
    (claim,) = claims(store)
    assert claim.status == "needs_review"
    codes = [p["code"] for p in claim.problems]
    assert codes.count("check_net") == 1
    sent = outbox(store)
    # The consultants and the economy group are told, with the figures side by side;
    # the sender is told a person checks the figures (not the internal check); nothing
    # is summarised for payment.
    assert sorted((k, r) for k, r, _ in sent) == [
        ("reply", "lon@firma.dk"), ("review", "konsulenter@kommune.example"),
        ("review", "okonomi@kommune.example")]
    reply = " ".join(text_of(next(m for k, _, m in sent if k == "reply")).split())
    assert "- tallene på lønsedlen skal kontrolleres af en medarbejder" in reply
    assert "Kontrol af udbetalingen" not in reply
    body = text_of(next(m for k, _, m in sent if k == "review"))
    assert "Kontrol af udbetalingen holdt ikke" in body
    printed = next(ln.amount for ln in case.lines if ln.kind == "net")
    assert f"lønsedlen angiver {printed:.2f} kr. til udbetaling" in body


def test_a_validated_summary_says_which_checks_held(pipeline, store):
    case = case_in_2026()
    register(store, case)
    deliver(pipeline, store, claim_mail(case))
    ((kind, _, summary),) = outbox(store)
    assert kind == "summary"
    line = next(ln for ln in text_of(summary).splitlines() if "afstemt" in ln)
    assert line.startswith("Aflæsningen er afstemt med lønsedlens egne tal: bruttoløn, "
                           "udbetaling, AM-bidrag 8 %")


def photo_mail(data: bytes, filename: str, maintype: str = "image", subtype: str = "jpeg",
               sender: str = "lon@firma.dk") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "jobcenter@kommune.example", "Refusion"
    msg["Message-ID"] = email.utils.make_msgid(domain="firma.dk")
    msg.set_content(CLAIM_TEXT)
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def test_a_payslip_photo_gets_the_same_outcome_as_the_pdf(pipeline, store):
    from tests.fixtures.scans import Scan, scan
    case = case_in_2026("private", 0)
    register(store, case)
    (photo,) = scan(case, Scan(dpi=200, shadow=True, skew=2.0, jpeg_quality=80, form="jpeg"))
    # Sent as a phone mail app may: a generic type, the file name says JPEG.
    deliver(pipeline, store, photo_mail(photo, "IMG_2041.JPG", "application", "octet-stream"))
    (claim,) = claims(store)
    assert (claim.status, claim.employer_cost) == ("validated", case.expected_employer_cost())
    ((kind, recipient, summary),) = outbox(store)
    assert (kind, recipient) == ("summary", "okonomi@kommune.example")
    assert "afstemt med lønsedlens egne tal" in text_of(summary)


def test_an_unreadable_picture_gets_a_danish_reply_asking_for_the_pdf(pipeline, store):
    import io

    from PIL import Image
    blank = io.BytesIO()
    Image.new("L", (1654, 2339), 255).save(blank, "PNG")  # an A4 page at 200 dpi, empty
    deliver(pipeline, store, photo_mail(blank.getvalue(), "lonseddel.png", subtype="png"))
    ((kind, _, reply),) = outbox(store)
    body = " ".join(text_of(reply).split())
    assert kind == "reply"
    assert "Send lønsedlen som PDF direkte fra lønsystemet" in body
    assert "could not" not in body and "the PDF" not in body
