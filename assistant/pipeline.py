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
from typing import NamedTuple

from sqlalchemy import Engine, bindparam, or_, update
from sqlmodel import Session, col, select

from assistant.config import Config
from assistant.db import exclusive, exclusive_keys, session
from assistant.models import Claim as ClaimRow
from assistant.models import InboundMessage, OutboundMessage, UTCDateTime
from assistant.outbox import compose, enqueue
from assistant.pdf_reader import GuardedReader, ReaderPool, ReadFailed
from assistant.repository import REGISTER_LOCK, Repository
from handlers import routing
from handlers.claims import Claim, Evaluation, evaluate
from handlers.i18n import Language, language, render
from handlers.locale.pipeline import PIPELINE
from handlers.parts import part_of, payslip_attachment
from handlers.problems import Problem
from handlers.review import Decision, review
from handlers.summary import (
    ClaimSummary,
    economy_summary,
    failed_notice,
    held_notice,
    held_reasons,
    review_notice,
    sender_reply,
)
from parsers import claim_text, email
from parsers.identifiers import mask_cprs

log = logging.getLogger(__name__)

__all__ = ["REGISTER_LOCK", "Outcome", "Pipeline", "pending_ids"]


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


# Counting an attempt, built once with bound parameters (building it took 160 us a mail).
_COUNT_ATTEMPT = update(InboundMessage).where(
    col(InboundMessage.id) == bindparam("inbound_id"), InboundMessage.status == "received",
    col(InboundMessage.attempts) < bindparam("limit"),
).values(attempts=col(InboundMessage.attempts) + 1).returning(
    InboundMessage.raw, InboundMessage.envelope_from)  # type: ignore[arg-type]
# ... and taking the lease: nobody's, ours, or run out.
_COUNT_ATTEMPT_LEASED = _COUNT_ATTEMPT.where(or_(
    col(InboundMessage.lease_owner).is_(None),
    InboundMessage.lease_owner == bindparam("owner"),
    col(InboundMessage.lease_until).is_(None),
    col(InboundMessage.lease_until) <= bindparam("now"),
)).values(lease_owner=bindparam("new_owner"),
          lease_until=bindparam("until", type_=UTCDateTime()))


class StoredMail(NamedTuple):
    """A stored message's bytes and SMTP envelope sender, as processing reads them."""

    raw: bytes
    envelope_from: str


class Pipeline:
    """Turns stored inbound messages into claims and queued mail."""

    def __init__(
        self,
        engine: Engine,
        config: Config,
        reader: GuardedReader | ReaderPool,
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
            stored = self._begin_attempt(inbound_id)
            if stored is None:
                return None
        except Exception as exc:  # noqa: BLE001 - e.g. the database is briefly away
            log.error("inbound %s: the attempt could not be counted (%s); left for later",
                      inbound_id, type(exc).__name__)
            return None
        try:
            return self.process(inbound_id, stored=stored)
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

    def process(self, inbound_id: int, force: bool = False,
                stored: StoredMail | None = None) -> Outcome | None:
        """Process one stored message. Idempotent: a processed message is left alone
        unless ``force`` (reprocessing after a fix). ``stored``: the message as the
        attempt just counted read it (not read again).

        The whole read (MIME, headers, every PDF) happens in the guarded reader process;
        a mail that cannot be read there raises ``ReadFailed`` (a failed attempt)."""
        if stored is None:
            with session(self.engine) as db:
                inbound = db.get(InboundMessage, inbound_id)
                if inbound is None:
                    raise LookupError(f"no inbound message with id {inbound_id}")
                if inbound.status == "processed" and not force:
                    return None
                stored = StoredMail(inbound.raw, inbound.envelope_from)
        raw, envelope_from = stored
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

    def _begin_attempt(self, inbound_id: int) -> StoredMail | None:
        """Count an attempt at a received message and return it; None when it is not to
        be read (done already, leased elsewhere, or given up because every allowed
        attempt stopped without a result)."""
        limit = self.config.inbox.max_attempts
        stored = self._count_attempt(inbound_id, limit)
        if stored is not None:
            return stored
        with session(self.engine) as db:
            # Locked: another instance counting an attempt at it now waits, then sees ours.
            inbound = db.get(InboundMessage, inbound_id, with_for_update=True)
            if inbound is None or inbound.status != "received" or self._leased_elsewhere(inbound):
                return None
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
            stored = StoredMail(inbound.raw, inbound.envelope_from)
        if gave_up:
            self.on_queued()
            return None
        return stored

    def _count_attempt(self, inbound_id: int, limit: int) -> StoredMail | None:
        """The usual case of ``_begin_attempt`` in one statement: a received message with
        attempts left, not leased by another instance, gets the attempt and our lease.
        None: it is not that case (``_begin_attempt`` looks at why, with the row locked)."""
        now = _now()
        params: dict[str, object] = {"inbound_id": inbound_id, "limit": limit}
        statement = _COUNT_ATTEMPT
        if self.owner is not None:
            statement = _COUNT_ATTEMPT_LEASED
            params |= {"owner": self.owner, "now": now, "new_owner": self.owner,
                       "until": now + timedelta(seconds=self.config.inbox.lease_seconds)}
        # On the connection, not through the ORM: nothing in the session is kept in step
        # with the row (the ORM's bulk UPDATE would look for that, at a cost per mail).
        # One statement is atomic by itself: in autocommit it is committed as it runs,
        # without the BEGIN and COMMIT round trips of a transaction around it.
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as db:
            row = db.execute(statement, params).first()
        return StoredMail(row[0], row[1]) if row is not None else None

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
        jobcenter = self.config.jobcenter
        lang = routing.reply_language(message.subject, message.body_text, jobcenter.language)
        forged = routing.auth_problems(message.auth_results,
                                       self.config.inbox.trusted_authserv_ids)
        sender_problems = (*routing.envelope_problems(envelope_from), *forged)
        with session(self.engine) as db:
            repo = Repository(db, self.config.scheme())
            # Duplicates are judged against committed claims: a claim waits for the one
            # before it about the same citizen or PDF, not for all of them.
            repo.lock_for_judging((c, part_of(message, c)) for c in evaluation.claims)
            inbound = repo.inbound(inbound_id, for_update=True, raw=False)  # lease checked
            assert inbound is not None
            self._fence(inbound)
            fresh = _never_processed(inbound)
            # IMAP has no envelope; the poller takes it from Return-Path. Without that
            # header it is unknown (claims held), not empty (a bounce).
            known = not (inbound.channel == "imap" and message.return_path is None)
            route = routing.route(message, envelope_from, routing.OwnAddresses.of(
                (jobcenter.address, *jobcenter.own_addresses),
                (jobcenter.consultants, jobcenter.economy_group)), envelope_known=known)
            claims = evaluation.claims if route.store_claims else []
            rows: list[tuple[Claim, Decision, ClaimRow]] = []
            for claim in claims:
                part = part_of(message, claim)
                register = repo.register_slice(claim, part, message.sender, envelope_from,
                                               inbound_id, [r for _, _, r in rows])
                decision = review(claim, message.sender, register, sender_problems,
                                  self.config.scheme())
                rows.append((claim, decision, repo.upsert_claim(inbound_id, claim, part,
                                                                decision, register, fresh)))
            db.flush()
            if route.kind in ("own", "internal"):
                log.info("inbound %s: %s; stored, no mail sent", inbound_id, route.reason)
            self._queue_mail(repo, inbound, message, evaluation, rows, lang, route,
                             bool(forged))
            status = _message_status(evaluation, [d for _, d, _ in rows])
            inbound.status, inbound.processed_at, inbound.error = "processed", _now(), None
            _release(inbound)
            db.add(inbound)
            return Outcome(inbound_id, status, tuple(r.reference or "" for _, _, r in rows))

    def _queue_mail(
        self, repo: Repository, inbound: InboundMessage, message: email.MailMessage,
        evaluation: Evaluation, rows: list[tuple[Claim, Decision, ClaimRow]], lang: str,
        route: routing.Route, forged: bool,
    ) -> None:
        """Queue the mail ``routing.plan_mail`` says the message causes, to whom."""
        db = repo.db
        notices = self._sender_notices(message, evaluation, rows)
        to_fix = [(c, d, r) for c, d, r in rows if d.status in ("incomplete", "invalid")]
        # The sender is told when a claim is held, and why (unless the mail may be forged).
        held = [(_claim_heading(c, r, len(rows), lang), reasons) for c, d, r in rows
                if d.status == "needs_review"
                and (reasons := held_reasons(d.problems, language(lang))) is not None]
        sender = message.sender
        plan = routing.plan_mail(
            route, forged, [d.status for _, d, _ in rows], bool(to_fix or notices or held),
            sender,
            lambda: repo.replies_last_hour(sender or "", _now()),
            self.config.jobcenter.max_replies_per_sender_per_hour)
        jobcenter = self.config.jobcenter
        recipients = {"consultants": jobcenter.consultants, "economy": jobcenter.economy_group,
                      "sender": sender or ""}
        for mail in plan:
            if mail.kind == "notice":
                self._held_notice(db, inbound, message, mail.notice_kind, mail.reason, rows)
            elif mail.kind == "reply":
                self._queue_reply(db, inbound, message, to_fix, notices, rows, lang, held)
            elif mail.kind == "enquiry":
                self._forward_enquiry(db, inbound, message)
            else:
                assert mail.claim is not None
                self._queue_claim_mail(db, inbound, message, rows[mail.claim], mail.kind,
                                       recipients[mail.to])

    def _sender_notices(self, message: email.MailMessage, evaluation: Evaluation,
                        rows: list[tuple[Claim, Decision, ClaimRow]]) -> list[Problem]:
        """What the sender must send again, besides the claims to fix: unreadable
        attachments, and those beyond the attachment cap (answered even when another
        payslip in the mail was fine)."""
        resend = [p for p in evaluation.problems if p.code != "not_a_payslip"]
        dropped: list[Problem] = []
        if message.dropped_pdfs:
            dropped.append(Problem(
                "payslip", "attachments_dropped",
                f"{message.dropped_pdfs} PDF attachments beyond the first {len(message.pdfs)} "
                "were not read", "warning",
                values={"kept": str(len(message.pdfs)), "dropped": str(message.dropped_pdfs)}))
        return [*(resend if rows else evaluation.problems), *dropped]

    def _queue_reply(
        self, db: Session, inbound: InboundMessage, message: email.MailMessage,
        to_fix: list[tuple[Claim, Decision, ClaimRow]], notices: list[Problem],
        rows: list[tuple[Claim, Decision, ClaimRow]], lang: str,
        held: list[tuple[str, list[str]]],
    ) -> None:
        """The answer to the sender when something must be fixed or sent again, or a
        claim is held for a person."""
        assert message.sender
        subject, body = sender_reply(
            message.subject,
            [(_claim_heading(c, r, len(rows), lang), c.missing,
              [p for p in c.problems if p.severity == "error"]) for c, _, r in to_fix],
            notices,
            self.config.jobcenter.address, lang, accepted=bool(rows) and not to_fix,
            held=held)
        self._enqueue(db, "reply", message.sender, subject, body, inbound,
                      in_reply_to=message.message_id, auto_submitted="auto-replied")

    def _queue_claim_mail(
        self, db: Session, inbound: InboundMessage, message: email.MailMessage,
        row: tuple[Claim, Decision, ClaimRow], kind: str, recipient: str,
    ) -> None:
        """The summary of a validated claim, or the review notice of a held one; each with
        the claim's own payslip attached."""
        claim, decision, stored = row
        attachment = payslip_attachment(part_of(message, claim))
        if kind == "summary":
            summary = _summary(claim, decision, stored, message, inbound,
                               self.config.inbox.trusted_authserv_ids)
            subject, body = economy_summary(summary, "da")
        else:
            subject, body = review_notice(
                stored.reference or "", claim.employer_name or claim.cvr or "?",
                claim.employee_name or "?", claim.cpr.masked if claim.cpr else "?",
                list(decision.problems), "da")
        self._enqueue(db, kind, recipient, subject, body, inbound, claim_id=stored.id,
                      attachments=attachment)

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
        key = f"notice:{who}:{hour}"
        # Mails from one sender may be stored side by side (different citizens): the
        # second waits here and then finds the first one's notice.
        exclusive_keys(db, [f"outbox:{key}"])
        self._enqueue(db, "notice", self.config.jobcenter.consultants, subject, body, inbound,
                      key=key)

    def _forward_enquiry(self, db: Session, inbound: InboundMessage,
                         message: email.MailMessage) -> None:
        """A message that is not a claim goes to the consultants as an enquiry: its text
        with CPR numbers masked, never the raw mail (which would carry them in full)."""
        lang: Language = "da"  # the consultants' notices are Danish
        subject = _say(lang, "enquiry.subject",
                       subject=message.subject or _say(lang, "no_subject"))
        names = [a.filename or _say(lang, "no_name") for a in message.pdfs] + \
            list(message.other_attachments)
        listed = "".join(f"- {name}\n" for name in names)
        body = (_say(lang, "enquiry.intro") + "\n\n"
                + _say(lang, "enquiry.from", sender=message.sender or inbound.envelope_from)
                + "\n" + _say(lang, "enquiry.subject_line", subject=message.subject) + "\n"
                + (_say(lang, "enquiry.attached", number=inbound.id) + f"\n{listed}"
                   if listed else "")
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
        own_key = key is None  # names this mail: new if the mail was never processed
        key = key or f"{kind}:{inbound.id}:{digest}"
        mail = compose(sender=self.config.jobcenter.address, recipient=recipient,
                       subject=subject, body=body, dedup_key=key,
                       attachments=attachments, in_reply_to=in_reply_to,
                       auto_submitted=auto_submitted)
        enqueue(db, kind=kind, message=mail, dedup_key=key, claim_id=claim_id,
                inbound_id=inbound.id, new_key=own_key and _never_processed(inbound))

    def _store_unreadable(self, inbound_id: int, raw: bytes, envelope_from: str,
                          reason: str) -> Outcome:
        with session(self.engine) as db:
            inbound = Repository(db).inbound(inbound_id, for_update=True, raw=False)
            assert inbound is not None
            subject = _say("da", "unreadable.subject")
            body = _say("da", "unreadable.body", reason=reason,
                        sender=envelope_from or _say("da", "unknown_sender")) + "\n"
            self._enqueue(db, "enquiry", self.config.jobcenter.consultants, subject, body,
                          inbound)
            self._fence(inbound)  # a lost lease rolls the notice back with the rest
            inbound.status, inbound.processed_at, inbound.error = "processed", _now(), reason
            _release(inbound)
            db.add(inbound)
        self.on_queued()
        return Outcome(inbound_id, "not_a_claim", ())


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


def _claim_heading(claim: Claim, row: ClaimRow, count: int, lang: str) -> str:
    lang = language(lang)
    if claim.source == "body":
        return _say(lang, "heading.body", reference=row.reference) if count > 1 else ""
    return _say(lang, "heading.payslip", name=mask_cprs(claim.source), reference=row.reference)


def _say(lang: Language, key: str, **values: object) -> str:
    """A text of the pipeline's catalogue section (handlers.locale.pipeline)."""
    return render(PIPELINE, key, lang, **values)


def _masked_body(text: str) -> str:
    """An enquiry's body for the consultants, with CPR numbers masked."""
    return mask_cprs(text)[:5000]


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


def _never_processed(inbound: InboundMessage) -> bool:
    """No transaction has stored an outcome of this mail yet (claims, queued mail): it
    is received and was never processed (``assistant reprocess`` runs processed ones)."""
    return inbound.status == "received" and inbound.processed_at is None


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

