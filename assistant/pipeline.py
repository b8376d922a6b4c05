"""Processing one stored inbound message: read it, judge it, store claims, queue mail.

The message's raw bytes were committed by the inbox before this runs. Reading
(MIME, PDFs under a time limit) happens outside any transaction; then one
transaction stores the claims, queues every outgoing message (outbox pattern) and
marks the message processed. A crash before that commit means the message is
processed again after restart; after it, never. Outgoing messages have content
keys, so processing a message again (``assistant reprocess``) queues only mail
whose content changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine, func, or_, update
from sqlmodel import Session, col, select

from assistant.config import Config
from assistant.db import exclusive, session
from assistant.models import Claim as ClaimRow
from assistant.models import (
    Employment,
    InboundMessage,
    OutboundMessage,
    Workplace,
    WorkplaceSender,
)
from assistant.outbox import compose, enqueue
from assistant.pdf_reader import GuardedReader, ReadFailed
from handlers import routing, texts
from handlers.claims import Claim, Evaluation, evaluate
from handlers.problems import Problem
from handlers.register import sender_allowed
from handlers.review import Decision, EmploymentView, PriorClaim, RegisterSlice, review
from handlers.summary import (
    ClaimSummary,
    economy_summary,
    failed_notice,
    held_notice,
    review_notice,
    sender_reply,
)
from parsers import claim_text, email
from parsers.identifiers import mask_cprs
from parsers.labels import COMPONENTS

log = logging.getLogger(__name__)

REGISTER_LOCK = "register"


@dataclass(frozen=True)
class Outcome:
    inbound_id: int
    status: str  # the message's overall status
    references: tuple[str, ...]


class LeaseLost(Exception):
    """Another instance took the message over (our lease ran out) or finished it."""


def pending_ids(engine: Engine, limit: int = 100) -> list[int]:
    """Stored messages not yet processed (nor given up on), oldest first."""
    with session(engine) as db:
        ids = db.exec(
            select(InboundMessage.id)
            .where(InboundMessage.status == "received")
            .order_by(col(InboundMessage.id))
            .limit(limit)
        ).all()
    return [i for i in ids if i is not None]


def claim_pending(engine: Engine, owner: str, lease_seconds: float, limit: int) -> list[int]:
    """Lease up to ``limit`` received messages nobody works on (or whose lease ran out),
    oldest first, to ``owner``; committed before it returns, so other instances skip them.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so instances picking at the same moment get
    different rows without waiting for each other. SQLite (one instance; the clause is
    not rendered there): the write lock first, so the read-then-write cannot fail on a
    concurrent insert by the inbox."""
    now = _now()
    with session(engine) as db:
        if db.get_bind().dialect.name == "sqlite":
            exclusive(db, "claim")
        ids = [i for i in db.exec(
            select(InboundMessage.id)
            .where(InboundMessage.status == "received",
                   or_(col(InboundMessage.lease_until).is_(None),
                       col(InboundMessage.lease_until) < now))
            .order_by(col(InboundMessage.id))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all() if i is not None]
        if ids:
            db.exec(update(InboundMessage).where(col(InboundMessage.id).in_(ids))
                    .values(lease_owner=owner,
                            lease_until=now + timedelta(seconds=lease_seconds)))
    return ids


def release_leases(engine: Engine, owner: str | None = None) -> int:
    """Clear the leases on unfinished messages and mail; how many.

    ``owner``: an instance stopping gives back what it leased but did not finish, so the
    others need not wait for the leases to run out. None: every lease, only for a
    database that one instance serves (SQLite, under ``assistant.instance.InstanceLock``),
    when it starts: the leases are a dead predecessor's."""
    with session(engine) as db:
        count = 0
        for model, open_status in ((InboundMessage, "received"), (OutboundMessage, "pending")):
            leased = (col(model.lease_owner).is_not(None) if owner is None
                      else model.lease_owner == owner)
            result = db.exec(update(model).where(model.status == open_status, leased)
                             .values(lease_owner=None, lease_until=None))
            count += result.rowcount or 0
    return count


class Pipeline:
    """Turns stored inbound messages into claims and queued mail."""

    def __init__(
        self,
        engine: Engine,
        config: Config,
        reader: GuardedReader,
        today: Callable[[], date] = date.today,
        on_queued: Callable[[], None] = lambda: None,
        owner: str | None = None,
    ) -> None:
        self.engine = engine
        self.config = config
        self.reader = reader
        self.today = today
        self.on_queued = on_queued
        # The instance's name on leased messages (``claim_pending``); None (the command
        # line, tests): no leases are checked or taken.
        self.owner = owner

    # -- driving ----------------------------------------------------------------------

    def process_pending(self, limit: int = 100) -> int:
        """Process stored messages not yet processed, oldest first; returns how many."""
        ids = pending_ids(self.engine, limit)
        for inbound_id in ids:
            self.process_safely(inbound_id)
        return len(ids)

    def process_safely(self, inbound_id: int) -> Outcome | None:
        """Process one message; a failure is recorded on the message, never raised.

        The attempt is counted and committed before the message is read, so a message
        that kills the reader, or the whole service, is tried at most ``[inbox]
        max_attempts`` times; then it is ``failed`` and the consultants are told."""
        try:
            if not self._begin_attempt(inbound_id):
                return None
        except Exception as exc:  # noqa: BLE001 - e.g. the database is briefly away
            log.error("inbound %s: the attempt could not be counted (%s); left for later",
                      inbound_id, type(exc).__name__)
            return None
        try:
            return self.process(inbound_id)
        except LeaseLost:
            log.info("inbound %s: another instance took it over (this one's lease ran out "
                     "or it stopped); nothing stored here", inbound_id)
            return None
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the inbox
            # Not log.exception: a database error's text carries the statement's
            # parameters, which can hold a full CPR; the traceback is logged masked.
            log.error("processing inbound message %s failed: %s", inbound_id,
                      mask_cprs("".join(traceback.format_exception(exc))).rstrip())
            try:
                self._record_failure(inbound_id, exc)
            except Exception as again:  # noqa: BLE001 - the attempt is counted already
                log.error("inbound %s: the failure could not be recorded (%s)", inbound_id,
                          type(again).__name__)
            return None

    def process(self, inbound_id: int, force: bool = False) -> Outcome | None:
        """Process one stored message. Idempotent: a processed message is left alone
        unless ``force`` (reprocessing after a fix).

        The whole read (MIME, headers, every PDF) happens in the guarded reader process;
        a mail that cannot be read there raises ``ReadFailed`` (a failed attempt)."""
        with session(self.engine) as db:
            inbound = db.get(InboundMessage, inbound_id)
            if inbound is None:
                raise LookupError(f"no inbound message with id {inbound_id}")
            if inbound.status == "processed" and not force:
                return None
            raw, envelope_from = inbound.raw, inbound.envelope_from
        read = self.reader.read_mail(raw, email.MailLimits(
            max_bytes=self.config.inbox.max_message_bytes))
        message = read.message
        if isinstance(message, email.UnreadableMail):
            return self._store_unreadable(inbound_id, raw, envelope_from, message.reason)
        # The subject is quoted in replies, summaries and forwards: never a full CPR there.
        message = dataclasses.replace(message, subject=mask_cprs(message.subject))
        evaluation = evaluate(list(read.pdfs), claim_text.read(message.body_text), self.today(),
                              self.config.scheme())
        outcome = self._store(inbound_id, message, envelope_from, evaluation)
        self.on_queued()
        log.info("inbound %s: %s, claims %s", inbound_id, outcome.status,
                 ", ".join(outcome.references) or "none")
        return outcome

    def _begin_attempt(self, inbound_id: int) -> bool:
        """Count an attempt at a received message; False when it is not to be read (done
        already, or given up because every allowed attempt stopped without a result)."""
        limit = self.config.inbox.max_attempts
        with session(self.engine) as db:
            # Locked: another instance counting an attempt at it now waits, then sees ours.
            inbound = db.get(InboundMessage, inbound_id, with_for_update=True)
            if inbound is None or inbound.status != "received" or self._leased_elsewhere(inbound):
                return False
            self._lease(inbound)  # renewed: the read about to begin has the whole lease
            if inbound.attempts >= limit:
                # The last attempt never reached _record_failure: the service itself was
                # stopped or killed while reading this message.
                stopped = ("the service was killed or stopped while processing this "
                           "message")
                self._give_up(db, inbound, (
                    f"{inbound.error}; then {stopped}" if inbound.error else
                    f"processing stopped {inbound.attempts} times before it finished "
                    f"({stopped})"))
                gave_up = True
            else:
                inbound.attempts += 1
                db.add(inbound)
                gave_up = False
        if gave_up:
            self.on_queued()
        return not gave_up

    def _record_failure(self, inbound_id: int, exc: Exception) -> None:
        """Note why an attempt failed; the last allowed attempt gives the message up."""
        with session(self.engine) as db:
            inbound = db.get(InboundMessage, inbound_id, with_for_update=True)
            if inbound is None or not self._holds(inbound):
                return  # another instance has it now: its attempt, its outcome
            inbound.error = _failure_reason(exc)
            _release(inbound)  # the next attempt may be any instance's
            gave_up = inbound.attempts >= self.config.inbox.max_attempts
            if gave_up:
                self._give_up(db, inbound, inbound.error)
            db.add(inbound)
        if gave_up:
            self.on_queued()

    def _give_up(self, db: Session, inbound: InboundMessage, reason: str) -> None:
        """Mark a message failed and tell the consultants, in the caller's transaction."""
        log.error("inbound %s failed after %s attempts; the consultants are told: %s",
                  inbound.id, inbound.attempts, reason)
        inbound.status, inbound.error = "failed", reason
        _release(inbound)
        raw = inbound.raw
        subject, body = failed_notice(
            inbound.id or 0, inbound.attempts,
            _peek_header(raw, "From") or inbound.envelope_from or "?",
            _peek_header(raw, "Subject"), reason, "da")
        self._enqueue(db, "failed", self.config.jobcenter.consultants, subject, body, inbound)
        db.add(inbound)

    # -- leases (several instances, assistant/instance.py) --------------------------------

    def _leased_elsewhere(self, inbound: InboundMessage) -> bool:
        """Another instance holds a lease on it that has not run out."""
        return (self.owner is not None and inbound.lease_owner not in (None, self.owner)
                and inbound.lease_until is not None and inbound.lease_until > _now())

    def _lease(self, inbound: InboundMessage) -> None:
        if self.owner is not None:
            inbound.lease_owner = self.owner
            inbound.lease_until = _now() + timedelta(seconds=self.config.inbox.lease_seconds)

    def _holds(self, inbound: InboundMessage) -> bool:
        """Still ours to finish: not finished (by anyone), not taken over. A lease of ours
        that ran out with nobody taking it over still counts: the work is done now."""
        return self.owner is None or (inbound.status == "received"
                                      and inbound.lease_owner == self.owner)

    def _fence(self, inbound: InboundMessage) -> None:
        """Raise ``LeaseLost`` unless the message is still ours; called with its row locked,
        in the transaction that stores the outcome, so exactly one instance stores it."""
        if not self._holds(inbound):
            raise LeaseLost(inbound.id)

    # -- storing ----------------------------------------------------------------------

    def _store(
        self, inbound_id: int, message: email.MailMessage, envelope_from: str,
        evaluation: Evaluation,
    ) -> Outcome:
        lang = _language(message, self.config.jobcenter.language)
        jobcenter = self.config.jobcenter
        forged = routing.auth_problems(message.auth_results,
                                       self.config.inbox.trusted_authserv_ids)
        sender_problems = (*routing.envelope_problems(envelope_from), *forged)
        with session(self.engine) as db:
            exclusive(db, REGISTER_LOCK)  # duplicates are judged against committed claims
            inbound = db.get(InboundMessage, inbound_id, with_for_update=True)
            assert inbound is not None
            self._fence(inbound)
            # IMAP has no envelope; the poller takes it from Return-Path. Without that
            # header it is unknown (claims held), not empty (a bounce).
            known = not (inbound.channel == "imap" and message.return_path is None)
            route = routing.route(message, envelope_from, routing.OwnAddresses.of(
                (jobcenter.address, *jobcenter.own_addresses),
                (jobcenter.consultants, jobcenter.economy_group)), envelope_known=known)
            claims = evaluation.claims if route.store_claims else []
            rows: list[tuple[Claim, Decision, ClaimRow]] = []
            for claim in claims:
                part = _part_of(message, claim)
                register = _register_slice(db, claim, part, message.sender, envelope_from,
                                           inbound_id, [r for _, _, r in rows])
                decision = review(claim, message.sender, register, sender_problems,
                                  self.config.scheme())
                rows.append((claim, decision, _upsert_claim(db, inbound_id, claim, part,
                                                           decision, register)))
            db.flush()
            if route.kind in ("own", "internal"):
                # Mail from ourselves goes nowhere: answering it is how loops start.
                log.info("inbound %s: %s; stored, no mail sent", inbound_id, route.reason)
            else:
                self._queue_mail(db, inbound, message, evaluation, rows, lang, route,
                                 bool(forged))
            status = _message_status(evaluation, [d for _, d, _ in rows])
            inbound.status, inbound.processed_at, inbound.error = "processed", _now(), None
            _release(inbound)
            db.add(inbound)
            return Outcome(inbound_id, status, tuple(r.reference or "" for _, _, r in rows))

    def _queue_mail(
        self, db: Session, inbound: InboundMessage, message: email.MailMessage,
        evaluation: Evaluation, rows: list[tuple[Claim, Decision, ClaimRow]], lang: str,
        route: routing.Route, forged: bool,
    ) -> None:
        if route.notice:
            # A bounce or an auto-reply: never answered, its claims not mailed about.
            self._held_notice(db, inbound, message, route.kind, route.reason, rows)
            return
        self._queue_reply(db, inbound, message, evaluation, rows, lang,
                          route.reason if not route.reply else "forged" if forged else "")
        self._queue_claim_mail(db, inbound, message, rows)
        if not rows:
            self._forward_enquiry(db, inbound, message)

    def _queue_reply(
        self, db: Session, inbound: InboundMessage, message: email.MailMessage,
        evaluation: Evaluation, rows: list[tuple[Claim, Decision, ClaimRow]], lang: str,
        withheld: str,
    ) -> None:
        """The answer to the sender when something must be fixed or sent again, unless
        the mail may not be answered (``withheld`` says why) or the sender has had its
        replies for this hour: then the consultants get one notice instead."""
        jobcenter = self.config.jobcenter
        to_fix = [(c, d, r) for c, d, r in rows if d.status in ("incomplete", "invalid")]
        # Attachments the sender must send again (unreadable, or beyond the attachment
        # cap) are answered even when another payslip in the mail was fine.
        resend = [p for p in evaluation.problems if p.code != "not_a_payslip"]
        dropped: list[Problem] = []
        if message.dropped_pdfs:
            dropped.append(Problem(
                "payslip", "attachments_dropped",
                f"{message.dropped_pdfs} PDF attachments beyond the first {len(message.pdfs)} "
                "were not read", "warning",
                values={"kept": str(len(message.pdfs)), "dropped": str(message.dropped_pdfs)}))
        notices = [*(resend if rows else evaluation.problems), *dropped]
        if not (to_fix or notices) or not message.sender:
            return
        if withheld:
            kind = "forged" if withheld == "forged" else "automated"
            self._held_notice(db, inbound, message, kind, withheld, rows)
            return
        sent = _replies_last_hour(db, message.sender)
        if not routing.reply_within_limit(sent, jobcenter.max_replies_per_sender_per_hour):
            self._held_notice(db, inbound, message, "rate_limited",
                              f"{sent} replies to this address in the last hour", rows)
            return
        subject, body = sender_reply(
            message.subject,
            [(_claim_heading(c, r, len(rows)), c.missing,
              [p for p in c.problems if p.severity == "error"]) for c, _, r in to_fix],
            notices,
            jobcenter.address, lang, accepted=bool(rows) and not to_fix)
        self._enqueue(db, "reply", message.sender, subject, body, inbound,
                      in_reply_to=message.message_id, auto_submitted="auto-replied")

    def _queue_claim_mail(
        self, db: Session, inbound: InboundMessage, message: email.MailMessage,
        rows: list[tuple[Claim, Decision, ClaimRow]],
    ) -> None:
        """Per claim: the summary to the economy group, or the review notice; each with
        the claim's own payslip attached."""
        jobcenter = self.config.jobcenter
        for claim, decision, row in rows:
            attachment = _payslip_attachment(_part_of(message, claim))
            if decision.status == "validated":
                summary = _summary(claim, decision, row, message, inbound,
                                   self.config.inbox.trusted_authserv_ids)
                subject, body = economy_summary(summary, "da")
                self._enqueue(db, "summary", jobcenter.economy_group, subject, body, inbound,
                              claim_id=row.id, attachments=attachment)
            elif decision.status == "needs_review":
                subject, body = review_notice(
                    row.reference or "", claim.employer_name or claim.cvr or "?",
                    claim.employee_name or "?", claim.cpr.masked if claim.cpr else "?",
                    list(decision.problems), "da")
                for recipient in (jobcenter.consultants, jobcenter.economy_group):
                    self._enqueue(db, "review", recipient, subject, body, inbound,
                                  claim_id=row.id, attachments=attachment)

    def _held_notice(
        self, db: Session, inbound: InboundMessage, message: email.MailMessage, kind: str,
        reason: str, rows: list[tuple[Claim, Decision, ClaimRow]],
    ) -> None:
        """Tell the consultants that a mail was not answered, at most once an hour per
        sender: a bounce storm or a looping robot gets one notice, not one per mail."""
        sender = message.sender or inbound.envelope_from or ""
        log.info("inbound %s: not answered (%s: %s)", inbound.id, kind, reason)
        hour = int(_now().timestamp() // 3600)
        who = hashlib.sha256(sender.lower().encode()).hexdigest()[:16]
        subject, body = held_notice(
            sender or "?", inbound.envelope_from, message.subject, kind, reason,
            [(r.reference or "", d.status) for _, d, r in rows], "da")
        self._enqueue(db, "notice", self.config.jobcenter.consultants, subject, body, inbound,
                      key=f"notice:{who}:{hour}")

    def _forward_enquiry(self, db: Session, inbound: InboundMessage,
                         message: email.MailMessage) -> None:
        """A message that is not a claim goes to the consultants as an enquiry: its text
        with CPR numbers masked, never the raw mail (which would carry them in full)."""
        subject = f"Henvendelse: {message.subject or '(intet emne)'}"
        names = [a.filename or "(uden navn)" for a in message.pdfs] + \
            list(message.other_attachments)
        listed = "".join(f"- {name}\n" for name in names)
        body = (f"En mail til jobcentret var ikke et refusionskrav og videresendes.\n\n"
                f"Fra: {message.sender or inbound.envelope_from}\n"
                f"Emne: {message.subject}\n"
                + (f"Vedhæftet (ikke videresendt; mailen er gemt som indgående besked "
                   f"{inbound.id}):\n"
                   f"{listed}" if listed else "")
                + f"\n{_masked_body(message.body_text)}")
        self._enqueue(db, "enquiry", self.config.jobcenter.consultants, subject, body, inbound)

    def _enqueue(
        self, db: Session, kind: str, recipient: str, subject: str, body: str,
        inbound: InboundMessage, *, claim_id: int | None = None,
        attachments: list[tuple[str, str, bytes]] | None = None, in_reply_to: str | None = None,
        auto_submitted: str = "auto-generated", key: str | None = None,
    ) -> None:
        # Nothing outgoing carries a full CPR: file names, subjects and quoted text can.
        subject, body = mask_cprs(subject), mask_cprs(body)
        attachments = [(mask_cprs(name), mime, data) for name, mime, data in attachments or []]
        # The key is the content: the same message from a reprocess is not sent twice,
        # a changed one (the sender's data was fixed) is.
        digest = hashlib.sha256(f"{recipient}\n{subject}\n{body}".encode()).hexdigest()[:24]
        key = key or f"{kind}:{inbound.id}:{digest}"
        mail = compose(sender=self.config.jobcenter.address, recipient=recipient,
                       subject=subject, body=body, dedup_key=key,
                       attachments=attachments, in_reply_to=in_reply_to,
                       auto_submitted=auto_submitted)
        enqueue(db, kind=kind, message=mail, dedup_key=key, claim_id=claim_id,
                inbound_id=inbound.id)

    def _store_unreadable(self, inbound_id: int, raw: bytes, envelope_from: str,
                          reason: str) -> Outcome:
        with session(self.engine) as db:
            inbound = db.get(InboundMessage, inbound_id, with_for_update=True)
            assert inbound is not None
            subject = "Ulæselig mail til jobcentret"
            body = (f"En mail fra {envelope_from or 'ukendt afsender'} kunne ikke læses: "
                    f"{reason}\n")
            self._enqueue(db, "enquiry", self.config.jobcenter.consultants, subject, body,
                          inbound)
            self._fence(inbound)  # a lost lease rolls the notice back with the rest
            inbound.status, inbound.processed_at, inbound.error = "processed", _now(), reason
            _release(inbound)
            db.add(inbound)
        self.on_queued()
        return Outcome(inbound_id, "not_a_claim", ())


# -- the register slice a claim touches ----------------------------------------------


@dataclass(frozen=True)
class Part:
    """What a claim was read from: its key in the message, the payslip's hash and PDF."""

    key: str
    sha256: str | None
    attachment: email.Attachment | None


def _part_of(message: email.MailMessage, claim: Claim) -> Part:
    if claim.position is not None and 0 <= claim.position < len(message.pdfs):
        attachment = message.pdfs[claim.position]
        digest = hashlib.sha256(attachment.data).hexdigest()
        return Part(f"pdf:{claim.position}:{digest}", digest, attachment)
    if claim.source == "body":
        return Part("body", None, None)
    return Part(f"source:{claim.source[:90]}", None, None)  # not expected: no position


HELD = ("validated", "needs_review")


def _register_slice(
    db: Session, claim: Claim, part: Part, sender: str | None, envelope_from: str,
    inbound_id: int, earlier_rows: list[ClaimRow],
) -> RegisterSlice:
    same = _same_payslip(db, part, inbound_id, earlier_rows)
    if claim.cvr is None or claim.cpr is None:
        return RegisterSlice(workplace_known=False, sender_allowed=False, same_payslip=same)
    workplace = db.exec(select(Workplace).where(Workplace.cvr == claim.cvr)).first()
    if workplace is None:
        return RegisterSlice(workplace_known=False, sender_allowed=False, same_payslip=same)
    patterns = db.exec(select(WorkplaceSender.pattern)
                       .where(WorkplaceSender.workplace_id == workplace.id)).all()
    allowed = bool(sender) and sender_allowed(sender or "", patterns)
    if allowed and "@" in envelope_from:
        # A From header is easy to forge; the envelope sender must agree with it. An
        # envelope without an address is held by ``routing.envelope_problems``.
        allowed = sender_allowed(envelope_from, patterns) or \
            envelope_from.rsplit("@", 1)[1].lower() == (sender or "").rsplit("@", 1)[1].lower()
    employments = db.exec(select(Employment).where(
        Employment.cpr == claim.cpr.digits, Employment.workplace_id == workplace.id)).all()
    views = tuple(EmploymentView(e.id or 0, e.hours_per_week, e.start_date, e.last_day, e.status)
                  for e in employments)
    ids = [e.id for e in employments]
    prior_rows = db.exec(select(ClaimRow).where(
        col(ClaimRow.employment_id).in_(ids),
        ClaimRow.inbound_id != inbound_id,
        col(ClaimRow.status).in_(HELD),
    )).all() if ids else []
    prior = [_prior(r) for r in prior_rows if not _is_duplicate_row(r)]
    prior += [_prior(r) for r in earlier_rows if r.employment_id in ids and r.status in
              HELD and not _is_duplicate_row(r)]
    return RegisterSlice(True, allowed, views, tuple(prior), same)


def _same_payslip(db: Session, part: Part, inbound_id: int,
                  earlier_rows: list[ClaimRow]) -> str | None:
    """The reference of an earlier held or paid claim of the very same PDF, in any mail
    (this one included). A copy is never a second payment, whatever mail it came in."""
    if part.sha256 is None:
        return None
    for row in earlier_rows:
        if row.payslip_sha256 == part.sha256 and row.status in HELD:
            return row.reference
    return db.exec(select(ClaimRow.reference).where(
        ClaimRow.payslip_sha256 == part.sha256, ClaimRow.inbound_id != inbound_id,
        col(ClaimRow.status).in_(HELD)).order_by(col(ClaimRow.id))).first()


def _is_duplicate_row(row: ClaimRow) -> bool:
    """A claim held as a duplicate does not make later claims duplicates too."""
    return any(p.get("code") in ("duplicate", "duplicate_payslip") for p in row.problems)


def _prior(row: ClaimRow) -> PriorClaim:
    assert row.period_start and row.period_end and row.employment_id is not None
    return PriorClaim(row.reference or "", row.employment_id, row.period_start, row.period_end,
                      row.sick_hours or Decimal(0))


def _upsert_claim(
    db: Session, inbound_id: int, claim: Claim, part: Part, decision: Decision,
    register: RegisterSlice,
) -> ClaimRow:
    row = db.exec(select(ClaimRow).where(ClaimRow.inbound_id == inbound_id,
                                         ClaimRow.part == part.key)).first()
    if row is None:
        # A claim stored before migration 0003 (keyed by file name): reprocessing the
        # message updates it instead of adding a second claim beside it.
        row = db.exec(select(ClaimRow).where(
            ClaimRow.inbound_id == inbound_id, ClaimRow.source == claim.source[:255],
            col(ClaimRow.part).startswith("legacy:"))).first()
    if row is None:
        row = ClaimRow(inbound_id=inbound_id, source=claim.source[:255], part=part.key,
                       status=decision.status)
    row.part, row.payslip_sha256 = part.key, part.sha256
    refund = decision.refund
    slip = claim.payslip
    row.employment_id = decision.employment_id
    row.employee_name = claim.employee_name
    row.cpr = claim.cpr.digits if claim.cpr else None
    row.employer_name = claim.employer_name
    row.cvr = claim.cvr
    row.period_start, row.period_end = claim.period_start, claim.period_end
    row.hours = claim.hours
    row.sick_hours = slip.sick_hours if slip else None
    for name in COMPONENTS:
        setattr(row, name, claim.components.get(name) if slip else None)
    row.employer_cost = claim.employer_cost
    row.refundable_amount = refund.amount if refund else None
    row.cap_hours = refund.cap_hours if refund else None
    row.capped = bool(refund and refund.capped)
    row.status = decision.status
    row.missing = list(claim.missing)
    # dict.fromkeys: a reading problem is both the claim's and the decision's; store it once.
    row.problems = [p.as_dict() for p in dict.fromkeys((*claim.problems, *decision.problems))]
    row.claimed = list(claim.claimed)
    if claim.cvr and register.workplace_known:
        row.workplace_id = db.exec(select(Workplace.id).where(Workplace.cvr == claim.cvr)).first()
    db.add(row)
    db.flush()
    return row


# -- helpers -------------------------------------------------------------------------


def _message_status(evaluation: Evaluation, decisions: list[Decision]) -> str:
    if not decisions:
        return "not_a_claim"
    order = ("validated", "needs_review", "incomplete", "invalid")
    return max((d.status for d in decisions), key=order.index)


def _summary(claim: Claim, decision: Decision, row: ClaimRow, message: email.MailMessage,
             inbound: InboundMessage, trusted_ids: list[str]) -> ClaimSummary:
    refund = decision.refund
    assert refund and claim.cpr and claim.period_start and claim.period_end
    assert decision.approved_hours_per_week is not None
    return ClaimSummary(
        reference=row.reference or "",
        workplace=claim.employer_name or "", cvr=claim.cvr or "",
        employee_name=claim.employee_name or "", cpr_masked=claim.cpr.masked,
        period_start=claim.period_start, period_end=claim.period_end,
        hours=refund.hours, sick_hours=claim.payslip.sick_hours if claim.payslip else None,
        approved_hours_per_week=decision.approved_hours_per_week,
        cap_hours=refund.cap_hours, capped=refund.capped,
        components=claim.components, claimed=claim.claimed,
        employer_cost=claim.employer_cost if claim.employer_cost is not None
        else refund.employer_cost,
        claimed_cost=refund.employer_cost, refundable_amount=refund.amount,
        sender=message.sender or inbound.envelope_from,
        received=inbound.received_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        message_id=message.message_id,
        problems=tuple(p for p in claim.problems if p.severity == "warning"),
        checks_held=tuple(c.check for c in claim.payslip.checks if c.ok)
        if claim.payslip else (),
        sender_check=", ".join(f"{r.method.upper()} {r.result}" for r in routing.trusted_results(
            message.auth_results, trusted_ids)),
    )


def stored_part(message: email.MailMessage | None, key: str, sha256: str | None) -> Part:
    """A stored claim's part found again in its message: the attachment at the claim's
    position, if its bytes are still the ones claimed (never by file name: two payslips
    may share one)."""
    m = re.match(r"pdf:(\d+):", key)
    if message is not None and m and int(m.group(1)) < len(message.pdfs):
        attachment = message.pdfs[int(m.group(1))]
        if hashlib.sha256(attachment.data).hexdigest() == sha256:
            return Part(key, sha256, attachment)
    return Part(key, sha256, None)


def _payslip_attachment(part: Part) -> list[tuple[str, str, bytes]]:
    """The claim's own PDF, under its file name with any CPR in it masked."""
    if part.attachment is None:
        return []
    name = mask_cprs(part.attachment.filename or "payslip.pdf")
    return [(name, "application/pdf", part.attachment.data)]


def _replies_last_hour(db: Session, recipient: str) -> int:
    since = _now() - timedelta(hours=1)
    return db.exec(select(func.count()).select_from(OutboundMessage).where(
        OutboundMessage.kind == "reply", OutboundMessage.recipient == recipient,
        col(OutboundMessage.created_at) >= since)).one()


def _claim_heading(claim: Claim, row: ClaimRow, count: int) -> str:
    if claim.source == "body":
        return f"Kravet ({row.reference})" if count > 1 else ""
    return f"Lønseddel \"{mask_cprs(claim.source)}\" ({row.reference})"


def _masked_body(text: str) -> str:
    """An enquiry's body for the consultants, with CPR numbers masked."""
    return mask_cprs(text)[:5000]


_ENGLISH_WORDS = frozenset({"the", "please", "payslip", "attached", "regards", "for", "refund",
                            "employee", "period", "claim", "dear", "hello", "find"})


def _language(message: email.MailMessage, default: str) -> texts.Language:
    """Answer in English when the workplace wrote in English, else the configured default."""
    words = set(f"{message.subject} {message.body_text[:2000]}".lower().split())
    if len(words & _ENGLISH_WORDS) >= 3 and not words & {"og", "til", "vedhæftet", "hilsen"}:
        return "en"
    return "en" if default == "en" else "da"


_PEEK_BYTES = 64 * 1024
_FOLD = re.compile(rb"\r?\n[ \t]+")


def _peek_header(raw: bytes, name: str, limit: int = 200) -> str:
    """A header's value for a notice, read without the MIME parser (the message may be
    the one that defeated it): the first ``limit`` characters, CPR masked."""
    head = re.split(rb"\r?\n\r?\n", raw[:_PEEK_BYTES], maxsplit=1)[0]
    field = rb"(?im)^" + re.escape(name.encode()) + rb"[ \t]*:[ \t]*(.*(?:\r?\n[ \t].*)*)"
    match = re.search(field, head)
    if not match:
        return ""
    value = _FOLD.sub(b" ", match.group(1)[:limit * 4]).decode("utf-8", "replace")
    text = " ".join(email.decode_words(value[:limit * 2]).split())[:limit]
    return mask_cprs(text)


def _release(inbound: InboundMessage) -> None:
    """The work on it is committed with this (or given back): nobody's lease."""
    inbound.lease_owner = inbound.lease_until = None


def _failure_reason(exc: Exception) -> str:
    """What to store and tell about a failed attempt: CPR masked, bounded."""
    if isinstance(exc, ReadFailed):
        return str(exc)
    return mask_cprs(f"{type(exc).__name__}: {str(exc)[:300]}")


def _now() -> datetime:
    return datetime.now(UTC)

