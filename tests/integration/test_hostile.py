"""Hostile input through the real pipeline: oversized mail, 200 attachments, a PDF that
will not finish, a forged sender, broken MIME, long sick leave, and CPR hygiene in the
claims commands, logs, replies and summaries. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
import logging
import os
import smtplib
import stat
import time
from email.message import EmailMessage

import click
import pytest
from click.testing import CliRunner

from assistant.commands.claims import claims as claims_command
from assistant.commands.claims import export as export_command
from assistant.config import InboxConfig
from assistant.inbox.smtp_server import SmtpInbox
from tests.fixtures.payslips import make_case, render
from tests.integration.net import free_port
from tests.integration.test_pipeline import (  # noqa: F401  (pipeline is a fixture)
    CLAIM_TEXT,
    case_in_2026,
    claim_mail,
    claims,
    deliver,
    outbox,
    pipeline,
    register,
    text_of,
)


def test_30_mb_mail_is_refused_with_552_at_the_default_limit(store, config):  # noqa: F811
    assert InboxConfig().max_message_bytes == 26_214_400  # 25 MiB by default
    inbox = SmtpInbox(store, "127.0.0.1", free_port(), config.jobcenter.address,
                      config.inbox.max_message_bytes, lambda _id: None)
    inbox.start()
    try:
        port = inbox.controller.server.sockets[0].getsockname()[1]
        body = b"Subject: big\r\n\r\n" + (b"x" * 998 + b"\r\n") * 30_000  # ~30 MB
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as client, \
                pytest.raises(smtplib.SMTPException) as too_big:
            client.sendmail("lon@firma.dk", ["jobcenter@kommune.example"], body)
        assert "552" in str(too_big.value)
        assert "the limit is 26214400 bytes (25 MiB)" in str(too_big.value)
        # The connection and the store stay usable for the next, normal mail.
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            assert client.sendmail("lon@firma.dk", ["jobcenter@kommune.example"],
                                   b"Subject: small\r\n\r\nhej\r\n") == {}
    finally:
        inbox.stop()


def test_200_attachments_are_capped_and_answered(pipeline, store):  # noqa: F811
    case = case_in_2026()
    register(store, case)
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "lon@firma.dk", "jobcenter@kommune.example", "Løn"
    msg.set_content(CLAIM_TEXT)
    msg.add_attachment(render(case), maintype="application", subtype="pdf",
                       filename="Lønseddel.pdf")
    for i in range(199):
        msg.add_attachment(b"%PDF-1.4 not really " + str(i).encode(), maintype="application",
                           subtype="pdf", filename=f"bilag-{i}.pdf")
    started = time.monotonic()
    deliver(pipeline, store, msg.as_bytes())
    assert time.monotonic() - started < 60
    rows = claims(store)
    assert 1 <= len(rows) <= 20  # the attachment cap (20 PDFs)
    assert [r.status for r in rows].count("validated") == 1
    mails = outbox(store)
    assert "summary" in [kind for kind, _, _ in mails]
    (reply,) = [m for kind, _, m in mails if kind == "reply"]
    body = text_of(reply)
    assert "bilag-0.pdf" in body
    assert "180" in body  # the sender is told how many PDFs were not read
    assert "Vi har modtaget kravet" in body and "kan ikke behandle" not in body


def test_pdf_that_takes_too_long_is_answered_and_the_next_mail_flows(pipeline, store):  # noqa: F811
    case = case_in_2026()
    register(store, case)
    pipeline.reader.time_limit = 0.001  # every read overruns: the worker is killed
    try:
        deliver(pipeline, store, claim_mail(case, subject="Langsom"))
    finally:
        pipeline.reader.time_limit = 30
    (slow,) = claims(store)
    assert slow.status == "incomplete" and "payslip" in slow.missing
    ((kind, _, reply),) = outbox(store)
    assert kind == "reply" and "Langsom" in reply["Subject"]
    assert "0.001 s" in text_of(reply) or "0,001 s" in text_of(reply)
    other = make_case("private", 4)
    register(store, other)
    deliver(pipeline, store, claim_mail(other, subject="Næste"))
    assert [c.status for c in claims(store)] == ["incomplete", "validated"]


def test_forged_display_name_of_a_real_workplace_is_held(pipeline, store):  # noqa: F811
    case = case_in_2026()
    register(store, case, sender="firma.dk")
    forged = claim_mail(case, sender='"lon@firma.dk" <lon@firma.dk.evil.example>')
    deliver(pipeline, store, forged)
    (claim,) = claims(store)
    assert claim.status == "needs_review"
    assert "sender_not_allowed" in [p["code"] for p in claim.problems]
    assert "summary" not in [k for k, _, _ in outbox(store)]


def test_broken_mime_and_wrong_charset_still_get_an_answer(pipeline, store):  # noqa: F811
    raw = (b"From: lon@firma.dk\r\nTo: jobcenter@kommune.example\r\n"
           b"Subject: =?utf-8?q?L=F8n_refusion?=\r\n"
           b"Content-Type: multipart/mixed; boundary=\"nope\"\r\n\r\n"
           b"--wrong\r\nContent-Type: text/plain; charset=x-unknown-8\r\n\r\n"
           b"Vi s\xf8ger refusion for l\xf8n.\r\n")
    deliver(pipeline, store, raw)
    mails = outbox(store)
    assert mails, "a broken mail must still be answered or forwarded"
    assert all(recipient for _, recipient, _ in mails)


def test_sick_leave_beyond_30_days_is_held_for_sickness_benefit(pipeline, store):  # noqa: F811
    case = make_case("municipal", 0)  # 9 sick hours on the payslip
    assert case.sick_hours > 0
    register(store, case, hours="1")  # 1 h/week -> 0.2 h a sick day -> 45 days
    deliver(pipeline, store, claim_mail(case))
    (claim,) = claims(store)
    assert claim.status == "needs_review"
    (problem,) = [p for p in claim.problems if p["code"] == "sick_days_exceeded"]
    assert "45 days" in problem["message"]
    review = [text_of(m) for kind, _, m in outbox(store) if kind == "review"]
    assert review and all("sygedagpenge" in body.lower() for body in review)


# -- CPR hygiene and the claims commands ---------------------------------------------


@pytest.fixture
def run_cli(config, tmp_path):  # noqa: F811
    @click.group()
    def cli() -> None:
        """Test harness."""

    cli.add_command(claims_command)
    cli.add_command(export_command)
    path = tmp_path / "config.toml"

    def invoke(*args: str) -> str:
        result = CliRunner().invoke(cli, [*args, "--config", str(path)])
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


CLAIM_KEYS = {"reference", "status", "employer_name", "cvr", "employee_name", "cpr",
              "period_start", "period_end", "hours", "sick_hours", "components",
              "employer_cost", "refundable_amount", "cap_hours", "capped", "claimed",
              "missing", "problems", "inbound_id", "created_at"}


def test_full_cpr_only_in_the_owner_only_export(pipeline, store, run_cli, tmp_path, caplog,  # noqa: F811
                                                 monkeypatch):
    monkeypatch.chdir(tmp_path)
    case = case_in_2026()
    register(store, case)
    caplog.set_level(logging.DEBUG)
    # The employer writes the full CPR in the subject: it is quoted masked everywhere.
    deliver(pipeline, store, claim_mail(case, subject=f"Refusion {case.cpr}"))
    deliver(pipeline, store, claim_mail(None, subject=f"Spørgsmål om {case.cpr}",
                                        body=f"Hvad med {case.cpr}?\n"))
    digits = case.cpr.replace("-", "")
    full = {digits, f"{digits[:6]}-{digits[6:]}", f"{digits[:6]} {digits[6:]}"}

    listed = json.loads(run_cli("claims", "list", "--json"))
    (item,) = [c for c in listed if c["status"] == "validated"]
    assert set(item) == CLAIM_KEYS
    assert item["status"] == "validated" and item["cpr"] == f"{digits[:6]}-xxxx"
    assert set(item["components"]) == {"salary", "atp", "pension", "holiday_pay",
                                       "special_holiday_allowance", "other",
                                       "am_contribution"}
    texts = [run_cli("claims", "list"), json.dumps(listed), caplog.text]
    for _, _, message in outbox(store):
        texts.append(text_of(message))
        texts.append(str(message["Subject"]))
    leaks = [text for text in texts if any(cpr in text for cpr in full)]
    assert leaks == []

    month = case.period_start.strftime("%Y-%m")
    run_cli("export", "--month", month)
    path = tmp_path / f"refusion-{month}.csv"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    (row,) = list(csv.DictReader(path.open(encoding="utf-8-sig"), delimiter=";"))
    assert row["CPR-nr."] == f"{digits[:6]}-{digits[6:]}"
    assert row["Reference"] == item["reference"]


def test_claims_show_masks_a_cpr_in_the_subject(pipeline, store, run_cli):  # noqa: F811
    case = case_in_2026()
    register(store, case)
    deliver(pipeline, store, claim_mail(case, subject=f"Refusion {case.cpr}"))
    (claim,) = claims(store)
    shown = json.loads(run_cli("claims", "show", claim.reference, "--json"))
    assert case.cpr not in json.dumps(shown, ensure_ascii=False)
    assert shown["subject"] == f"Refusion {case.cpr[:6]}-xxxx"
    text = run_cli("claims", "show", claim.reference)
    assert case.cpr not in text and f"Refusion {case.cpr[:6]}-xxxx" in text


def test_a_failure_is_logged_without_the_full_cpr(pipeline, store, caplog, monkeypatch):  # noqa: F811
    case = case_in_2026()
    register(store, case)

    def fail(*args, **kwargs):
        raise RuntimeError(f"INSERT failed [parameters: ('{case.cpr.replace('-', '')}',)]")

    monkeypatch.setattr(pipeline, "_store", fail)
    inbound_id, _ = store.save_inbound(claim_mail(case), "smtp", "lon@firma.dk",
                                       ["jobcenter@kommune.example"])
    caplog.set_level(logging.DEBUG)
    assert pipeline.process_safely(inbound_id) is None
    digits = case.cpr.replace("-", "")
    assert "INSERT failed" in caplog.text and f"{digits[:6]}-xxxx" in caplog.text
    assert digits not in caplog.text
