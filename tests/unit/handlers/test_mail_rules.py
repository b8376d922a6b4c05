"""The rules about an incoming mail that used to live in the pipeline: who gets which
mail (``routing.plan_mail``), whether the sender may claim for a workplace
(``routing.sender_authorised``), the language of an answer (``routing.reply_language``),
the first-come-first-served queue of job forms (``handlers.intake_queue``) and finding a
claim's payslip again (``handlers.parts``). Pure: no database, no server."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from decimal import Decimal as D
from email.message import EmailMessage

import pytest

from handlers.intake_queue import QueuedForm, queue_refusal, waiting_before
from handlers.parts import part_of, payslip_attachment, stored_part
from handlers.routing import (
    Outgoing,
    OwnAddresses,
    Route,
    plan_mail,
    reply_language,
    route,
    sender_authorised,
)
from parsers import email

OWN = OwnAddresses.of(["jobcenter@kommune.example"], ["konsulenter@kommune.example"])
NORMAL = Route("normal", "", True, True, False, True)
AUTOMATED = Route("automated", "Precedence: bulk", False, True, False, True)
BOUNCE = Route("bounce", "a delivery status report (bounce)", False, False, True, True)


def never_asked() -> int:
    raise AssertionError("the reply count is asked only when a reply would go out")


def plan(route_: Route = NORMAL, statuses=(), answer=False, sender="lon@firma.dk",
         forged=False, sent=0, limit=5):
    return plan_mail(route_, forged, list(statuses), answer, sender,
                     (lambda: sent) if answer and sender else never_asked, limit)


# -- who gets which mail -----------------------------------------------------------------


def test_a_validated_claim_goes_to_the_economy_group_and_the_sender_hears_nothing():
    assert plan(statuses=["validated"]) == (Outgoing("summary", "economy", claim=0),)


def test_a_held_claim_goes_to_the_consultants_and_the_economy_group():
    assert plan(statuses=["needs_review"]) == (Outgoing("review", "consultants", claim=0),
                                                Outgoing("review", "economy", claim=0))


def test_a_claim_to_fix_is_answered_first_then_the_other_claims_are_mailed():
    assert plan(statuses=["incomplete", "validated"], answer=True) == (
        Outgoing("reply", "sender"), Outgoing("summary", "economy", claim=1))


def test_a_mail_without_claims_is_forwarded_as_an_enquiry():
    assert plan() == (Outgoing("enquiry", "consultants"),)
    assert plan(answer=True) == (Outgoing("reply", "sender"), Outgoing("enquiry", "consultants"))


def test_the_reply_brake_turns_the_answer_into_one_notice():
    assert plan(statuses=["invalid"], answer=True, sent=5, limit=5) == (
        Outgoing("notice", "consultants", notice_kind="rate_limited",
                 reason="5 replies to this address in the last hour"),)
    assert plan(statuses=["invalid"], answer=True, sent=4, limit=5) == (
        Outgoing("reply", "sender"),)


def test_automated_and_forged_mail_is_not_answered_but_its_claims_are_mailed():
    assert plan(AUTOMATED, ["incomplete", "needs_review"], answer=True) == (
        Outgoing("notice", "consultants", notice_kind="automated", reason="Precedence: bulk"),
        Outgoing("review", "consultants", claim=1), Outgoing("review", "economy", claim=1))
    assert plan(statuses=["incomplete"], answer=True, forged=True) == (
        Outgoing("notice", "consultants", notice_kind="forged", reason="forged"),)


def test_a_bounce_gets_one_notice_and_nothing_else():
    assert plan(BOUNCE, ["validated"], answer=True) == (
        Outgoing("notice", "consultants", notice_kind="bounce",
                 reason="a delivery status report (bounce)"),)


@pytest.mark.parametrize("kind", ["own", "internal"])
def test_our_own_mail_causes_no_mail(kind):
    own = Route(kind, "ours", False, False, False, kind == "internal")
    assert plan(own, ["validated"], answer=True) == ()


def test_no_from_address_means_no_answer():
    assert plan(statuses=["incomplete"], answer=True, sender=None) == ()


def test_the_plan_follows_the_route_of_a_real_mail():
    raw = (b"From: lon@firma.dk\nTo: jobcenter@kommune.example\nSubject: Refusion\n"
           b"Precedence: bulk\n\nHej\n")
    message = email.read(raw)
    assert isinstance(message, email.MailMessage)
    assert plan(route(message, "lon@firma.dk", OWN), [], answer=True)[0].notice_kind == \
        "automated"


# -- the sender's authority ------------------------------------------------------------


@pytest.mark.parametrize(("sender", "envelope", "patterns", "allowed"), [
    ("lon@firma.dk", "lon@firma.dk", ["firma.dk"], True),
    ("lon@firma.dk", "bounce-123@firma.dk", ["lon@firma.dk"], True),  # same domain
    ("lon@firma.dk", "x@mailer.example", ["firma.dk", "mailer.example"], True),
    ("lon@firma.dk", "x@evil.example", ["firma.dk"], False),  # forged From
    ("lon@firma.dk", "", ["firma.dk"], True),  # no envelope: envelope_problems hold it
    ("lon@andet.dk", "lon@andet.dk", ["firma.dk"], False),
    (None, "lon@firma.dk", ["firma.dk"], False),
    ("lon@firma.dk", "lon@firma.dk", [], False),
])
def test_the_envelope_must_agree_with_the_from_address(sender, envelope, patterns, allowed):
    assert sender_authorised(sender, envelope, patterns) is allowed


# -- the language of an answer -----------------------------------------------------------


def test_english_mail_is_answered_in_english_else_the_default():
    english = "Please find attached the payslip for the refund claim. Regards"
    assert reply_language("Refund", english, "da") == "en"
    assert reply_language("Refusion", "Vedhæftet lønsedlen. Hilsen", "da") == "da"
    assert reply_language("Refusion", "Vedhæftet lønsedlen. Hilsen", "en") == "en"
    # English words beside Danish ones: Danish.
    assert reply_language("Refund", english + " og hilsen", "da") == "da"
    assert reply_language("", "the payslip", "da") == "da"  # two words are not enough


# -- first come, first served ------------------------------------------------------------

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def form(id_: int, minute: int | None, hours: str) -> QueuedForm:
    at = T0.replace(minute=minute) if minute is not None else None
    return QueuedForm(id_, at, D(hours))


def test_only_forms_submitted_earlier_wait_ahead():
    first, second, same_time, draft = (form(3, 1, "4"), form(1, 2, "6"), form(2, 2, "5"),
                                       form(4, None, "10"))
    queue = [same_time, second, first, draft]
    assert waiting_before(same_time, queue) == [first, second]  # same second: lower id first
    assert waiting_before(second, queue) == [first]
    assert waiting_before(first, queue) == []
    assert waiting_before(draft, queue) == []


def test_a_form_out_of_turn_needs_room_for_the_earlier_ones_too():
    earlier = [form(1, 1, "6"), form(2, 2, "4")]
    this = form(3, 3, "5")
    start = date(2027, 1, 4)
    assert queue_refusal(this, earlier, D(15), start) == []
    (reason,) = queue_refusal(this, earlier, D("14.5"), start)
    assert reason.startswith("first come, first served: intake(s) 1, 2 were submitted earlier")
    assert "wait for 10 hours/week" in reason and "14.5 left on 2027-01-04" in reason
    assert queue_refusal(this, [], D(0), start) == []  # first in line: the pool check decides


# -- a claim's part ----------------------------------------------------------------------


def test_a_claim_is_keyed_by_position_and_hash_and_found_again_so():
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "lon@firma.dk", "jobcenter@kommune.example", "x"
    msg.set_content("Refusion")
    for data in (b"%PDF-1.4 one", b"%PDF-1.4 two"):
        msg.add_attachment(data, maintype="application", subtype="pdf", filename="a.pdf")
    message = email.read(msg.as_bytes())
    assert isinstance(message, email.MailMessage)
    digest = hashlib.sha256(b"%PDF-1.4 two").hexdigest()

    class Read:  # the two fields of handlers.claims.Claim that key a part
        position, source = 1, "a.pdf"

    part = part_of(message, Read())  # type: ignore[arg-type]
    assert (part.key, part.sha256) == (f"pdf:1:{digest}", digest)
    again = stored_part(message, part.key, part.sha256)
    assert again.attachment is not None and again.attachment.data == b"%PDF-1.4 two"
    assert payslip_attachment(again) == [("a.pdf", "application/pdf", b"%PDF-1.4 two")]
    assert payslip_attachment(stored_part(message, "body", None)) == []
