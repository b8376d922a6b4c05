"""Who is told what (handlers.routing) and the header facts it reads (parsers.email):
pure rules, no database."""

from __future__ import annotations

import pytest

from handlers.routing import (
    OwnAddresses,
    auth_problems,
    envelope_problems,
    reply_within_limit,
    route,
)
from parsers import email
from parsers.email import AuthResult, parse_authentication_results

OWN = OwnAddresses.of(["jobcenter@kommune.example", "Alias@Kommune.example"],
                      ["konsulenter@kommune.example", "okonomi@kommune.example"])


def mail(headers: str = "", sender: str = "lon@firma.dk", subject: str = "Refusion",
         content_type: str = "text/plain", body: str = "Hej\n") -> email.MailMessage:
    raw = (f"From: {sender}\nTo: jobcenter@kommune.example\nSubject: {subject}\n"
           f"Message-ID: <1@firma.dk>\nContent-Type: {content_type}\n{headers}\n{body}")
    message = email.read(raw.encode())
    assert isinstance(message, email.MailMessage)
    return message


def test_an_ordinary_mail_may_be_answered():
    decision = route(mail(), "lon@firma.dk", OWN)
    assert (decision.kind, decision.reply, decision.claim_mail, decision.notice) == (
        "normal", True, True, False)


@pytest.mark.parametrize(("headers", "subject"), [
    ("Auto-Submitted: auto-replied\n", "Refusion"),
    ("Auto-Submitted: Auto-Replied (vacation)\n", "Refusion"),
    ("X-Autoreply: yes\n", "Refusion"),
    ("X-Autorespond: yes\n", "Refusion"),
    ("", "Automatisk svar: Refusion"),
    ("", "Autosvar: Refusion"),
    ("", "Fraværende: Refusion"),
    ("", "Automatic reply: Refusion"),
    ("", "Out of Office: Refusion"),
])
def test_auto_replies_are_never_answered_and_only_noted(headers, subject):
    decision = route(mail(headers, subject=subject), "lon@firma.dk", OWN)
    assert decision.kind == "auto_reply"
    assert (decision.reply, decision.claim_mail, decision.notice) == (False, False, True)


def test_a_subject_that_merely_starts_like_an_absence_is_a_normal_mail():
    assert route(mail(subject="Fraværende medarbejder, refusion"), "lon@firma.dk",
                 OWN).kind == "normal"


@pytest.mark.parametrize(("headers", "envelope", "sender", "content_type"), [
    ("", "", "lon@firma.dk", "text/plain"),
    ("", "postmaster", "lon@firma.dk", "text/plain"),
    ("", "MAILER-DAEMON@mx.firma.dk", "mailer-daemon@mx.firma.dk", "text/plain"),
    ("", "bounce@mx.firma.dk", "postmaster@firma.dk", "text/plain"),
    ("", "bounce@mx.firma.dk", "lon@firma.dk",
     'multipart/report; report-type=delivery-status; boundary="b"'),
    ("", "bounce@mx.firma.dk", "lon@firma.dk", "message/delivery-status"),
])
def test_bounces_are_never_answered(headers, envelope, sender, content_type):
    decision = route(mail(headers, sender=sender, content_type=content_type), envelope, OWN)
    assert decision.kind == "bounce"
    assert (decision.reply, decision.claim_mail, decision.notice) == (False, False, True)


@pytest.mark.parametrize("headers", [
    "Auto-Submitted: auto-generated\n", "Precedence: bulk\n", "Precedence: junk\n",
    "Precedence: list\n", "List-Id: <nyheder.firma.dk>\n",
    "List-Unsubscribe: <mailto:off@firma.dk>\n",
])
def test_automated_and_list_mail_is_processed_but_not_answered(headers):
    decision = route(mail(headers), "lon@firma.dk", OWN)
    assert decision.kind == "automated"
    assert (decision.reply, decision.claim_mail, decision.store_claims) == (False, True, True)


def test_auto_submitted_no_is_an_ordinary_mail():
    assert route(mail("Auto-Submitted: no\n"), "lon@firma.dk", OWN).reply is True


@pytest.mark.parametrize(("sender", "envelope", "kind"), [
    ("jobcenter@kommune.example", "jobcenter@kommune.example", "own"),
    ("lon@firma.dk", "alias@kommune.example", "own"),  # aliases, any case
    ("konsulenter@kommune.example", "konsulenter@kommune.example", "internal"),
    ("okonomi@kommune.example", "x@kommune.example", "internal"),
])
def test_mail_from_ourselves_goes_nowhere(sender, envelope, kind):
    decision = route(mail(sender=sender), envelope, OWN)
    assert decision.kind == kind
    assert (decision.reply, decision.claim_mail, decision.notice) == (False, False, False)
    assert decision.store_claims is (kind == "internal")


def test_another_address_in_the_jobcenters_domain_is_not_ourselves():
    # Municipal units send claims from the municipality's domain: only exact addresses
    # are ours.
    assert route(mail(sender="loen@kommune.example"), "loen@kommune.example",
                 OWN).kind == "normal"


@pytest.mark.parametrize(("envelope", "held"), [
    ("", True), ("<>", True), ("postmaster", True), ("lon@", True), ("lon@firma.dk", False)])
def test_an_envelope_without_an_address_is_a_problem(envelope, held):
    problems = envelope_problems(envelope)
    assert [p.code for p in problems] == (["envelope_missing"] if held else [])


def test_authentication_results_are_read_per_method_without_comments():
    header = ("mx.kommune.example 1; spf=pass (sender ok) smtp.mailfrom=firma.dk;\r\n"
              "  dkim=none; dmarc=fail (p=reject dis=none) header.from=firma.dk; arc=none")
    assert parse_authentication_results(header) == (
        AuthResult("mx.kommune.example", "spf", "pass"),
        AuthResult("mx.kommune.example", "dkim", "none"),
        AuthResult("mx.kommune.example", "dmarc", "fail"),
        AuthResult("mx.kommune.example", "arc", "none"),
    )
    assert parse_authentication_results("mx.kommune.example; none") == ()
    assert parse_authentication_results("") == ()


def test_the_mail_carries_its_header_facts():
    message = mail("Auto-Submitted: auto-generated\nPrecedence: Bulk\nList-Id: <l.firma.dk>\n"
                   "Authentication-Results: mx.kommune.example; dmarc=fail header.from=firma.dk\n"
                   "Authentication-Results: evil.example; dmarc=pass\n")
    assert (message.auto_submitted, message.precedence, message.mailing_list,
            message.autoreply_header, message.delivery_report) == (
        "auto-generated", "bulk", True, False, False)
    assert message.auth_results == (AuthResult("mx.kommune.example", "dmarc", "fail"),
                                    AuthResult("evil.example", "dmarc", "pass"))


def test_only_a_trusted_authserv_id_can_hold_a_claim():
    results = (AuthResult("mx.kommune.example", "dmarc", "fail"),
               AuthResult("evil.example", "spf", "fail"),
               AuthResult("mx.kommune.example", "dkim", "softfail"))
    (problem,) = auth_problems(results, ["MX.kommune.example"])
    assert (problem.code, problem.values) == ("auth_failed", {"methods": "DMARC"})
    assert auth_problems(results, []) == []  # the default: trust none
    assert auth_problems(results, ["other.example"]) == []


def test_reply_limit():
    assert [reply_within_limit(n, 5) for n in range(7)] == [True] * 5 + [False] * 2


def test_an_unknown_envelope_is_not_a_bounce_but_still_cannot_validate():
    # Mail read from a mailbox without a Return-Path header.
    message = mail()
    assert message.return_path is None
    assert route(message, "", OWN, envelope_known=False).kind == "normal"
    assert [p.code for p in envelope_problems("")] == ["envelope_missing"]
    assert mail("Return-Path: <>\n").return_path == ""
    assert mail("Return-Path: <Lon@Firma.dk>\n").return_path == "lon@firma.dk"
