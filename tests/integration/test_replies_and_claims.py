"""Attacks on claims and replies through the real service parts: mail in over SMTP on
loopback (aiosmtpd, the embedded inbox), the pipeline, the outbox worker writing .eml
files, on SQLite and PostgreSQL. Each test is an attack that worked before:

- two payslips with one file name (or none) in one mail lost a claim and paid twice;
- a forged claim with ``MAIL FROM:<>`` or ``MAIL FROM:<postmaster>`` was validated;
- bounces, auto-replies, lists and our own mail were answered (a mail loop: the
  service's own reply, read back in, was answered again, 1,258 mails in 20 s);
- a CPR in an attachment's file name went out in replies and attachment names.
"""

from __future__ import annotations

import email
import hashlib
import json
import smtplib
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import select

from assistant.commands.parse import masked, parse
from assistant.db import make_engine, session, upgrade
from assistant.inbox.smtp_server import SmtpInbox
from assistant.models import Claim, OutboundMessage
from assistant.outbox import OutboxWorker, make_transport
from assistant.pipeline import Pipeline
from assistant.store import Store
from tests.fixtures.payslips import render
from tests.integration.helpers import (
    CONSULTANTS,
    ECONOMY,
    FOLLOWUP_OFF,
    JOBCENTER,
    database,
    jobcenter,
    outbox,
    written_config,
)
from tests.integration.net import free_port
from tests.integration.test_pipeline import (
    CLAIM_TEXT,
    TODAY,
    case_in_2026,
    claims,
    register,
)

TRUSTED_MX = "mx.kommune.example"


@pytest.fixture
def config(tmp_path, db_url):
    return written_config(tmp_path / "config.toml", database(db_url),
                          f'[inbox]\ntrusted_authserv_ids = ["{TRUSTED_MX}"]\n',
                          outbox(tmp_path), FOLLOWUP_OFF, jobcenter())


class Service:
    """The parts ``assistant run`` starts: SMTP inbox, pipeline, outbox worker."""

    def __init__(self, store: Store, config, reader) -> None:  # noqa: F811
        self.store = store
        self.config = config
        self.arrived: list[int] = []
        self.inbox = SmtpInbox(store, "127.0.0.1", free_port(), config.jobcenter.address,
                               config.inbox.max_message_bytes, self.arrived.append)
        self.pipeline = Pipeline(store.engine, config, reader, today=lambda: TODAY)
        self.outbox = OutboxWorker(store.engine, make_transport(config))
        self.directory = Path(config.outbox.directory)

    def send(self, raw: bytes, mail_from: str = "lon@firma.dk") -> None:
        """Deliver over SMTP, then process what arrived and deliver the outbox."""
        port = self.inbox.controller.server.sockets[0].getsockname()[1]
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            assert client.sendmail(mail_from, [JOBCENTER], raw.replace(b"\r\n", b"\n")
                                   .replace(b"\n", b"\r\n")) == {}
        self.run()

    def run(self) -> None:
        while self.arrived:
            self.pipeline.process(self.arrived.pop(0))
        self.outbox.run_once()

    def files(self) -> list[tuple[Path, EmailMessage]]:
        return [(path, email.message_from_bytes(path.read_bytes(), policy=default_policy))
                for path in sorted(self.directory.glob("*.eml"))]

    def mail(self, kind: str | None = None) -> list[EmailMessage]:
        return [m for path, m in self.files() if kind is None or path.stem.endswith(kind)]


@pytest.fixture
def service(store, config, reader):  # noqa: F811
    running = Service(store, config, reader)
    running.inbox.start()
    yield running
    running.inbox.stop()


def claim_mail(pdfs: list[tuple[bytes, str | None]], body: str = CLAIM_TEXT,
               sender: str = "lon@firma.dk", subject: str = "Refusion",
               headers: dict[str, str] | None = None, message_id: bool = True) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, JOBCENTER, subject
    if message_id:
        msg["Message-ID"] = email.utils.make_msgid(domain="firma.dk")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    for data, filename in pdfs:
        if filename is None:
            msg.add_attachment(data, maintype="application", subtype="pdf")
        else:
            msg.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return msg.as_bytes()


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def pdf_of(message: EmailMessage) -> bytes:
    (attachment,) = list(message.iter_attachments())
    return attachment.get_content()


# -- one claim per payslip, whatever it is called ---------------------------------------


@pytest.mark.parametrize("filename", ["Lønseddel.pdf", None])
def test_two_payslips_with_one_name_are_two_claims_each_summary_with_its_own_pdf(
        service, store, filename):
    first, second = case_in_2026("municipal", 2), case_in_2026("municipal", 3)
    register(store, first)
    register(store, second)
    service.send(claim_mail([(render(first), filename), (render(second), filename)]))
    rows = claims(store)
    assert [r.status for r in rows] == ["validated", "validated"], [r.problems for r in rows]
    assert {r.cpr for r in rows} == {first.cpr.replace("-", ""), second.cpr.replace("-", "")}
    assert len({r.reference for r in rows}) == 2
    summaries = service.mail("summary")
    assert len(summaries) == 2
    by_reference = {s["Subject"].split(":")[0].split()[-1]: s for s in summaries}
    assert set(by_reference) == {r.reference for r in rows}
    for row in rows:
        case = first if row.cpr == first.cpr.replace("-", "") else second
        summary = by_reference[row.reference]
        assert case.employee_name in summary["Subject"]
        assert pdf_of(summary) == render(case)
        assert row.payslip_sha256 == hashlib.sha256(render(case)).hexdigest()


def test_a_payslip_lost_to_a_name_clash_and_sent_again_is_a_duplicate(service, store):
    first, second = case_in_2026("municipal", 2), case_in_2026("municipal", 3)
    register(store, first)
    register(store, second)
    service.send(claim_mail([(render(first), "x.pdf"), (render(second), "x.pdf")]))
    service.send(claim_mail([(render(first), "loen-igen.pdf")], subject="Refusion igen"))
    rows = claims(store)
    assert [r.status for r in rows] == ["validated", "validated", "needs_review"]
    assert [p["code"] for p in rows[2].problems] == ["duplicate_payslip"]
    assert rows[0].reference in rows[2].problems[0]["message"]
    summaries = service.mail("summary")
    assert sorted(pdf_of(s) for s in summaries) == sorted([render(first), render(second)])
    assert len(service.mail("review")) == 2  # consultants and economy group


def test_the_same_pdf_twice_in_one_mail_is_one_payment(service, store):
    case = case_in_2026("municipal", 2)
    register(store, case)
    service.send(claim_mail([(render(case), "a.pdf"), (render(case), "b.pdf")]))
    first, second = claims(store)
    assert (first.status, second.status) == ("validated", "needs_review")
    assert [p["code"] for p in second.problems] == ["duplicate_payslip"]
    assert len(service.mail("summary")) == 1


# -- sender authenticity ------------------------------------------------------------------


@pytest.mark.parametrize("envelope", ["", "postmaster"])
def test_a_forged_claim_with_an_empty_or_addressless_envelope_is_not_validated(
        service, store, envelope):
    case = case_in_2026("municipal", 2)
    register(store, case)
    service.send(claim_mail([(render(case), "Lønseddel.pdf")]), mail_from=envelope)
    (row,) = claims(store)
    assert row.status == "needs_review"
    assert "envelope_missing" in [p["code"] for p in row.problems]
    assert service.mail("summary") == [] and service.mail("reply") == []
    # Held quietly: one notice to the consultants, nothing to the From address.
    assert [m["To"] for m in service.mail()] == [CONSULTANTS]


def test_dmarc_fail_from_the_trusted_mail_system_holds_the_claim(service, store):
    case = case_in_2026("municipal", 2)
    register(store, case)
    result = "; spf=pass smtp.mailfrom=firma.dk; dmarc=fail (p=reject) header.from=firma.dk"
    service.send(claim_mail([(render(case), "Lønseddel.pdf")], headers={
        "Authentication-Results": TRUSTED_MX + result}))
    (row,) = claims(store)
    assert row.status == "needs_review"
    assert [p["code"] for p in row.problems] == ["auth_failed"]
    assert service.mail("summary") == []
    assert sorted(m["To"] for m in service.mail("review")) == [CONSULTANTS, ECONOMY]
    assert "DMARC" in text_of(service.mail("review")[0])


def test_a_result_from_an_untrusted_authserv_id_changes_nothing(service, store):
    case = case_in_2026("municipal", 2)
    register(store, case)
    service.send(claim_mail([(render(case), "Lønseddel.pdf")], headers={
        "Authentication-Results": "mx.evil.example; dmarc=fail header.from=firma.dk"}))
    (row,) = claims(store)
    assert row.status == "validated"
    assert "Afsenderkontrol" not in text_of(service.mail("summary")[0])


def test_the_summary_records_what_the_trusted_mail_system_said(service, store):
    case = case_in_2026("municipal", 2)
    register(store, case)
    service.send(claim_mail([(render(case), "Lønseddel.pdf")], headers={
        "Authentication-Results": f"{TRUSTED_MX}; spf=pass smtp.mailfrom=firma.dk; "
                                  "dkim=pass header.d=firma.dk; dmarc=pass header.from=firma.dk"}))
    (summary,) = service.mail("summary")
    assert "Afsenderkontrol SPF pass, DKIM pass, DMARC pass" in " ".join(text_of(summary).split())


# -- RFC 3834: no answers to machines, to lists or to ourselves -----------------------------

NOT_ANSWERED = [
    ({"Auto-Submitted": "auto-replied"}, "lon@firma.dk", "lon@firma.dk", "Refusion"),
    ({"Auto-Submitted": "auto-generated"}, "lon@firma.dk", "lon@firma.dk", "Refusion"),
    ({"Precedence": "bulk"}, "lon@firma.dk", "lon@firma.dk", "Refusion"),
    ({"Precedence": "junk"}, "lon@firma.dk", "lon@firma.dk", "Refusion"),
    ({"List-Id": "<nyhedsbrev.firma.dk>"}, "lon@firma.dk", "lon@firma.dk", "Nyhedsbrev"),
    ({"X-Autoreply": "yes"}, "lon@firma.dk", "lon@firma.dk", "Refusion"),
    ({}, "lon@firma.dk", "lon@firma.dk", "Automatisk svar: Refusion"),
    ({}, "lon@firma.dk", "lon@firma.dk", "Fraværende: Refusion"),
    ({}, "MAILER-DAEMON@mx.firma.dk", "", "Undelivered Mail Returned to Sender"),
    ({}, "lon@firma.dk", "", "Refusion"),
    ({}, JOBCENTER, JOBCENTER, "Re: Refusion"),
    ({}, CONSULTANTS, CONSULTANTS, "Refusion"),
    ({}, ECONOMY, ECONOMY, "Refusion"),
]


@pytest.mark.parametrize(("headers", "sender", "envelope", "subject"), NOT_ANSWERED)
def test_automatic_bounced_list_and_own_mail_gets_no_reply(
        service, store, headers, sender, envelope, subject):
    # A mail that would be answered (no claim statement) if a person had sent it.
    case = case_in_2026("municipal", 2)
    register(store, case)
    service.send(claim_mail([(render(case), "Lønseddel.pdf")], body="Hermed lønseddel.\n",
                            sender=sender, subject=subject, headers=headers),
                 mail_from=envelope)
    assert service.mail("reply") == []
    assert {m["To"] for m in service.mail()} <= {CONSULTANTS}


def test_a_delivery_report_gets_no_reply(service, store):
    report = (b"From: lon@firma.dk\r\nTo: jobcenter@kommune.example\r\nSubject: Returned\r\n"
              b"MIME-Version: 1.0\r\nContent-Type: multipart/report; "
              b"report-type=delivery-status; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: "
              b"text/plain\r\n\r\nCPR-nr.: 010190-1234, periode oktober 2026\r\n--b\r\n"
              b"Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
              b"Final-Recipient: rfc822; x@firma.dk\r\nAction: failed\r\n--b--\r\n")
    service.send(report, mail_from="bounces@mx.firma.dk")
    assert service.mail("reply") == []
    assert [m["To"] for m in service.mail()] == [CONSULTANTS]


def test_the_services_own_reply_read_back_in_makes_no_mail(service, store):
    case = case_in_2026("municipal", 2)
    register(store, case)
    service.send(claim_mail([(render(case), "Lønseddel.pdf")], body="Hermed lønseddel.\n"))
    ((path, reply),) = service.files()
    assert path.stem.endswith("reply")
    # A forwarding rule (or a second instance) puts every mail it sends back in the
    # inbox, as the outbox relay would send it: five rounds, and nothing comes out.
    for _ in range(5):
        for path, _message in service.files():
            service.send(path.read_bytes(), mail_from=JOBCENTER)
    with session(store.engine) as db:
        assert len(db.exec(select(OutboundMessage)).all()) == 1


def test_ten_bad_mails_from_one_sender_in_an_hour_get_five_replies(service, store):
    for number in range(10):
        service.send(claim_mail([], body=f"Hej, her er lønsedlen nr. {number}.\nCPR-nr.: "
                                f"010190-1234\n", subject=f"Refusion {number}"))
    with session(store.engine) as db:
        rows = db.exec(select(OutboundMessage).order_by(OutboundMessage.id)).all()
    assert [r.kind for r in rows].count("reply") == 5
    assert {r.recipient for r in rows if r.kind == "reply"} == {"lon@firma.dk"}
    notices = [r for r in rows if r.kind == "notice"]
    assert [r.recipient for r in notices] == [CONSULTANTS]  # one notice, not five


def test_replies_say_auto_replied_and_other_mail_auto_generated(service, store):
    case = case_in_2026("municipal", 2)
    register(store, case)
    # No Message-ID: the reply has nothing to be "In-Reply-To", and is still a reply.
    service.send(claim_mail([(render(case), "Lønseddel.pdf")], body="Hermed lønseddel.\n",
                            message_id=False))
    service.send(claim_mail([(render(case), "Lønseddel.pdf")], subject="Refusion 2"))
    (reply,) = service.mail("reply")
    (summary,) = service.mail("summary")
    assert reply["Auto-Submitted"] == "auto-replied"
    assert summary["Auto-Submitted"] == "auto-generated"


# -- no full CPR in anything outgoing ------------------------------------------------------


def all_text(message: EmailMessage) -> str:
    """Every header and every non-PDF part, decoded, plus attachment names."""
    out = [f"{k}: {v}" for k, v in message.items()]
    for part in message.walk():
        out += [f"{k}: {v}" for k, v in part.items()]
        if part.get_filename():
            out.append(part.get_filename())
        if not part.is_multipart() and part.get_content_type() != "application/pdf":
            content = part.get_content()
            out.append(content.decode("utf-8", "replace") if isinstance(content, bytes)
                       else content)
    return "\n".join(out)


@pytest.mark.parametrize("body", ["Hermed lønseddel.\n", CLAIM_TEXT])
def test_a_cpr_in_a_file_name_never_leaves(service, store, body):
    case = case_in_2026("municipal", 2)
    register(store, case)
    name = f"Lønseddel {case.cpr}.pdf"
    service.send(claim_mail([(render(case), name), (b"%PDF-1.4 broken", f"{case.cpr}.pdf")],
                            body=body))
    files = service.files()
    assert files
    digits = case.cpr.replace("-", "")
    for path, message in files:
        raw = path.read_bytes().decode("utf-8", "replace")
        shown = all_text(message)
        for text_ in (raw, shown):
            assert case.cpr not in text_ and digits not in text_, path.name
        assert f"{case.cpr[:6]}-xxxx" in shown


def test_an_enquiry_reaches_only_the_consultants_with_cprs_masked(service, store):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "lon@firma.dk", JOBCENTER, "Spørgsmål"
    msg.set_content("Hej, kan I se på vedhæftede ansøgning?\n")
    msg.add_attachment("Ansøgning fra 010190-1234".encode(), maintype="application",
                       subtype="msword", filename="Ansøgning 010190-1234.doc")
    service.send(msg.as_bytes())
    ((path, enquiry),) = service.files()
    assert enquiry["To"] == CONSULTANTS
    shown = all_text(enquiry)
    assert "010190-1234" not in shown and "0101901234" not in shown
    assert "Ansøgning 010190-xxxx.doc" in text_of(enquiry)
    assert list(enquiry.iter_attachments()) == []  # never the raw mail


def test_parse_mask_cpr_masks_labels_amounts_and_text(tmp_path):
    path = tmp_path / "claim.eml"
    path.write_bytes(claim_mail([], body="CPR-nr.: 010190-1234\n",
                                subject="Refusion 010190-1234"))
    result = CliRunner().invoke(parse, ["--mask-cpr", "--today", "2026-11-22", str(path)])
    assert result.exit_code == 0, result.output
    assert "010190-1234" not in result.output and "0101901234" not in result.output
    assert json.loads(result.output)["subject"] == "Refusion 010190-xxxx"
    # A CPR read as a payslip line: label and amount.
    line = {"kind": "salary", "label": "Løn 0101901234", "amount": 101901234.0,
            "quantity": 2508892325.0}
    assert masked({"lines": [line]}) == {"lines": [
        {"kind": "salary", "label": "Løn 010190-xxxx", "amount": "010190-xxxx",
         "quantity": "250889-xxxx"}]}
    assert masked({"amount": 1234.5}) == {"amount": 1234.5}


# -- migration 0003 -------------------------------------------------------------------------


def test_migration_0003_keeps_existing_claims_and_finds_their_payslips(db_url, config, reader):  # noqa: F811
    engine = make_engine(db_url)
    upgrade(engine, "0002")
    case = case_in_2026("municipal", 2)
    pdf = render(case)
    raw = claim_mail([(pdf, "a.pdf"), (pdf, "twice.pdf"), (pdf, "twice.pdf")])
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO inbound_message (received_at, channel, envelope_from, envelope_to, "
            "sha256, raw, size, status, attempts) VALUES (CURRENT_TIMESTAMP, 'smtp', "
            "'lon@firma.dk', 'jobcenter@kommune.example', 'x', :raw, 1, 'processed', 0)"),
            {"raw": raw})
        for source in ("a.pdf", "twice.pdf", "body"):
            connection.execute(text(
                "INSERT INTO claim (inbound_id, source, status, capped, missing, problems, "
                "claimed, created_at) VALUES (1, :source, 'incomplete', false, '[]', '[]', "
                "'[]', CURRENT_TIMESTAMP)"), {"source": source})
    upgrade(engine)
    with session(engine) as db:
        rows = {c.source: c for c in db.exec(select(Claim)).all()}
    assert {s: (c.part, c.payslip_sha256) for s, c in rows.items()} == {
        "a.pdf": (f"legacy:{rows['a.pdf'].id}", hashlib.sha256(pdf).hexdigest()),
        "twice.pdf": (f"legacy:{rows['twice.pdf'].id}", None),  # which of two: unknown
        "body": ("body", None),
    }
    # Reprocessing the old message updates its claims instead of adding beside them.
    store = Store(engine)
    register(store, case)
    Pipeline(engine, config, reader, today=lambda: TODAY).process(1, force=True)
    with session(engine) as db:
        after = db.exec(select(Claim).order_by(Claim.id)).all()
    assert [(c.id, c.part.rsplit(":", 1)[0]) for c in after] == [
        (rows["a.pdf"].id, "pdf:0"), (rows["twice.pdf"].id, "pdf:1"),
        (rows["body"].id, "body"), (rows["body"].id + 1, "pdf:2")]
    engine.dispose()


def test_a_stored_claim_finds_its_own_payslip_again_by_position_not_by_name():
    """The desk's approve attaches the claim's own PDF: two payslips may share a name."""
    import hashlib
    from email.message import EmailMessage as Mail

    from handlers.parts import payslip_attachment, stored_part
    from parsers import email as mail_parser

    msg = Mail()
    msg["From"], msg["To"], msg["Subject"] = "lon@firma.dk", "jobcenter@kommune.example", "x"
    msg.set_content("Refusion")
    for data in (b"%PDF-1.4 first", b"%PDF-1.4 second"):
        msg.add_attachment(data, maintype="application", subtype="pdf",
                           filename="120864-1234.pdf")
    message = mail_parser.read(msg.as_bytes())
    second = hashlib.sha256(b"%PDF-1.4 second").hexdigest()
    ((name, _, data),) = payslip_attachment(stored_part(message, f"pdf:1:{second}", second))
    assert (name, data) == ("120864-xxxx.pdf", b"%PDF-1.4 second")
    assert stored_part(message, f"pdf:0:{second}", second).attachment is None  # bytes differ
    assert stored_part(None, f"pdf:1:{second}", second).attachment is None
