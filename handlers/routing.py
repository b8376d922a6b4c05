"""Who is told what about an incoming mail: may the sender be answered, may the claims
in it produce mail to the economy group and the consultants, or is it only noted?

RFC 3834 (automatic responses) and the lessons of every mail loop: never answer an
automatic message, a bounce, a mailing list or ourselves. One instance of this service
answering its own replies made 1,258 mails in 20 s; here the service's own mail read
back in produces no mail at all, and a bounce or an auto-reply produces at most one
notice to the consultants an hour (``Route.notice``), never an answer.

Sender authenticity: the SMTP envelope sender must exist (``MAIL FROM:<>`` is a bounce
and ``MAIL FROM:<postmaster>`` has no domain to check), and a ``fail`` from SPF, DKIM
or DMARC, as recorded by a mail system we trust (its authserv-id is configured), is a
reason for review and for not answering the From address (it is likely forged).

Also the other rules about an incoming mail's answers: whether the sender may claim
for a workplace (:func:`sender_authorised`), which language to answer in
(:func:`reply_language`) and every mail it causes, to whom (:func:`plan_mail`).

Pure: plain data in, a decision out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from handlers.i18n import Language
from handlers.problems import Problem
from handlers.register import sender_allowed
from parsers.email import AuthResult, MailMessage

RouteKind = Literal["normal", "automated", "auto_reply", "bounce", "internal", "own"]

# Local parts that only ever send bounces and notifications (RFC 5321 §4.5.1, RFC 3834 §2).
BOUNCE_LOCAL_PARTS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"})
# Precedence values mail programs use for mass and list mail (RFC 3834 §2, common practice).
BULK_PRECEDENCE = frozenset({"bulk", "junk", "list"})
# Subject prefixes vacation programs write ("Automatisk svar: Refusion" from Outlook in
# Danish). The colon is required: "Fraværende medarbejder" is a real claim's subject.
_AUTOREPLY_SUBJECT = re.compile(
    r"^\s*(automatic reply|automatisk svar|autosvar|auto[- ]?reply|autoreply|fraværende"
    r"|fravaerende|out of (the )?office|ikke til stede|abwesenheitsnotiz|vacation reply)\s*:",
    re.I)
AUTH_METHODS = frozenset({"spf", "dkim", "dmarc"})
AUTH_FAILURES = frozenset({"fail"})  # softfail/neutral/none say too little to hold a claim


@dataclass(frozen=True)
class Route:
    kind: RouteKind
    reason: str  # English, for the log and the consultants' notice
    reply: bool  # the sender may get an (automatic) answer
    claim_mail: bool  # summaries, review notices and enquiries go to our own staff
    notice: bool  # instead: one notice to the consultants (rate-limited by the caller)
    store_claims: bool  # claims are judged and stored (not for our own mail)


@dataclass(frozen=True)
class OwnAddresses:
    """``own``: the addresses the service sends from (jobcenter address and aliases);
    ``internal``: the staff it sends to (consultants, economy group). Lower case."""

    own: frozenset[str]
    internal: frozenset[str]

    @classmethod
    def of(cls, own: Iterable[str], internal: Iterable[str]) -> OwnAddresses:
        return cls(frozenset(a.strip().lower() for a in own if a.strip()),
                   frozenset(a.strip().lower() for a in internal if a.strip()))


def route(message: MailMessage, envelope_from: str, addresses: OwnAddresses,
          envelope_known: bool = True) -> Route:
    """How to treat ``message`` (received with SMTP envelope sender ``envelope_from``).

    ``envelope_known`` is False for mail read from a mailbox without a Return-Path
    header: its envelope is unknown, not empty, so that alone does not make it a bounce
    (``envelope_problems`` still keeps its claims from validating).
    """
    envelope = envelope_from.strip().strip("<>").lower()
    sender = (message.sender or "").lower()
    senders = {a for a in (sender, envelope) if a}
    if senders & addresses.own:
        return Route("own", "sent from the jobcenter's own address", False, False, False, False)
    if senders & addresses.internal:
        return Route("internal", "sent from the consultants' or economy group's address",
                     False, False, False, True)
    bounce = _bounce_reason(message, envelope, sender, envelope_known)
    if bounce:
        return Route("bounce", bounce, False, False, True, True)
    auto = _auto_reply_reason(message)
    if auto:
        return Route("auto_reply", auto, False, False, True, True)
    automated = _automated_reason(message)
    if automated:
        return Route("automated", automated, False, True, False, True)
    if not sender:
        return Route("normal", "no From address to answer", False, True, False, True)
    return Route("normal", "", True, True, False, True)


def _bounce_reason(message: MailMessage, envelope: str, sender: str,
                  envelope_known: bool) -> str:
    if envelope_known and not envelope:
        return "empty envelope sender (MAIL FROM:<>): a bounce or a notification"
    if envelope and "@" not in envelope:
        return f"envelope sender {envelope!r} has no domain"
    for address in (envelope, sender):
        if address and address.split("@", 1)[0] in BOUNCE_LOCAL_PARTS:
            return f"sent by {address}: a bounce"
    if message.delivery_report:
        return "a delivery status report (bounce)"
    return ""


def _auto_reply_reason(message: MailMessage) -> str:
    if message.auto_submitted and message.auto_submitted.startswith("auto-replied"):
        return "Auto-Submitted: auto-replied"
    if message.autoreply_header:
        return "an X-Autoreply / X-Autorespond header (vacation program)"
    if _AUTOREPLY_SUBJECT.match(message.subject or ""):
        return f"an out-of-office subject ({message.subject[:60]!r})"
    return ""


def _automated_reason(message: MailMessage) -> str:
    if message.auto_submitted and message.auto_submitted != "no":
        return f"Auto-Submitted: {message.auto_submitted}"
    if message.precedence in BULK_PRECEDENCE:
        return f"Precedence: {message.precedence}"
    if message.mailing_list:
        return "mailing-list mail (List-Id / List-Unsubscribe)"
    return ""


def envelope_problems(envelope_from: str) -> list[Problem]:
    """An envelope sender that cannot vouch for the From address: never validated."""
    envelope = envelope_from.strip().strip("<>")
    if "@" in envelope and envelope.rsplit("@", 1)[1]:
        return []
    shown = f"<{envelope}>"
    return [Problem("sender", "envelope_missing",
                    f"the envelope sender {shown} has no address to check the From against",
                    values={"envelope": shown})]


def auth_problems(results: Iterable[AuthResult], trusted_ids: Iterable[str]) -> list[Problem]:
    """A ``fail`` from SPF, DKIM or DMARC written by a trusted mail system. Results from
    any other authserv-id are ignored: anyone can write such a header."""
    failed = sorted({r.method for r in trusted_results(results, trusted_ids)
                     if r.result in AUTH_FAILURES})
    if not failed:
        return []
    methods = ", ".join(m.upper() for m in failed)
    return [Problem("sender", "auth_failed",
                    f"the receiving mail system reports {methods} fail for this mail: "
                    "the From address may be forged", values={"methods": methods})]


def trusted_results(results: Iterable[AuthResult],
                    trusted_ids: Iterable[str]) -> tuple[AuthResult, ...]:
    """The SPF/DKIM/DMARC results written by a trusted mail system, first per method."""
    trusted = {t.strip().lower() for t in trusted_ids if t.strip()}
    seen: dict[str, AuthResult] = {}
    for result in results:
        if result.authserv_id in trusted and result.method in AUTH_METHODS:
            seen.setdefault(result.method, result)
    return tuple(seen.values())


def reply_within_limit(replies_last_hour: int, limit: int) -> bool:
    """At most ``limit`` automatic replies an hour to one address (loop and flood brake)."""
    return replies_last_hour < limit


# -- the sender's authority ------------------------------------------------------------


def sender_authorised(sender: str | None, envelope_from: str, patterns: Iterable[str]) -> bool:
    """May ``sender`` (the From address) claim for the workplace whose registered senders
    are ``patterns``? A From header is easy to forge, so the SMTP envelope sender must
    agree with it: registered itself, or in the From address's domain. An envelope
    without an address is held by :func:`envelope_problems` instead."""
    patterns = list(patterns)
    if not sender or not sender_allowed(sender, patterns):
        return False
    if "@" not in envelope_from:
        return True
    return sender_allowed(envelope_from, patterns) or \
        envelope_from.rsplit("@", 1)[1].lower() == sender.rsplit("@", 1)[1].lower()


# -- the language of an answer -----------------------------------------------------------

_ENGLISH_WORDS = frozenset({"the", "please", "payslip", "attached", "regards", "for", "refund",
                            "employee", "period", "claim", "dear", "hello", "find"})
_DANISH_WORDS = frozenset({"og", "til", "vedhæftet", "hilsen"})


def reply_language(subject: str, body: str, default: str) -> Language:
    """Answer in English when the workplace wrote in English (three English words and no
    Danish one in the subject and the body's start), else the configured default."""
    words = set(f"{subject} {body[:2000]}".lower().split())
    if len(words & _ENGLISH_WORDS) >= 3 and not words & _DANISH_WORDS:
        return "en"
    return "en" if default == "en" else "da"


# -- who gets which mail ---------------------------------------------------------------

Recipient = Literal["sender", "consultants", "economy"]


@dataclass(frozen=True)
class Outgoing:
    """One mail to queue about an incoming one.

    ``kind``: ``reply`` (to the sender: what to fix or send again), ``summary`` (a
    validated claim, to the economy group), ``review`` (a held claim, to the consultants
    and the economy group), ``notice`` (to the consultants: the mail was not answered,
    ``notice_kind`` and ``reason`` say why) or ``enquiry`` (not a claim: forwarded to the
    consultants). ``claim`` is the index of the claim a summary or review is about.
    """

    kind: Literal["reply", "summary", "review", "notice", "enquiry"]
    to: Recipient
    claim: int | None = None
    notice_kind: str = ""
    reason: str = ""


def plan_mail(
    route: Route, forged: bool, statuses: Sequence[str], answer_needed: bool,
    sender: str | None, replies_last_hour: Callable[[], int], reply_limit: int,
) -> tuple[Outgoing, ...]:
    """Every mail an incoming message causes, in the order to queue it.

    ``statuses``: the decision of each claim stored from it; ``answer_needed``: the
    sender has something to fix or send again; ``replies_last_hour`` is asked only when
    an answer would go out (the per-sender brake, :func:`reply_within_limit`).
    """
    if route.kind in ("own", "internal"):
        return ()  # mail from ourselves goes nowhere: answering it is how loops start
    if route.notice:  # a bounce or an auto-reply: never answered, its claims not mailed
        return (Outgoing("notice", "consultants", notice_kind=route.kind, reason=route.reason),)
    planned: list[Outgoing] = []
    if answer_needed and sender:
        withheld = route.reason if not route.reply else "forged" if forged else ""
        if withheld:
            kind = "forged" if withheld == "forged" else "automated"
            planned.append(Outgoing("notice", "consultants", notice_kind=kind, reason=withheld))
        else:
            sent = replies_last_hour()
            if reply_within_limit(sent, reply_limit):
                planned.append(Outgoing("reply", "sender"))
            else:
                planned.append(Outgoing(
                    "notice", "consultants", notice_kind="rate_limited",
                    reason=f"{sent} replies to this address in the last hour"))
    for index, status in enumerate(statuses):
        if status == "validated":
            planned.append(Outgoing("summary", "economy", claim=index))
        elif status == "needs_review":
            planned += [Outgoing("review", "consultants", claim=index),
                        Outgoing("review", "economy", claim=index)]
    if not statuses:
        planned.append(Outgoing("enquiry", "consultants"))
    return tuple(planned)
