"""The shell around ``handlers.decisions``: load a claim, decide, store, queue mail, audit.

One function per use case; the command line (``assistant claims approve|reject|correct|
paid``), the web desk and the tests call these and nothing else. Each runs in one
transaction under the register lock: the claim's new state, the mail it causes (outbox)
and the audit row are committed together or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from assistant.config import Config
from assistant.db import session
from assistant.models import Claim as ClaimRow
from assistant.models import InboundMessage
from assistant.outbox import compose, enqueue
from assistant.repository import Repository
from handlers import decisions, refund, routing
from handlers.decisions import ClaimFacts, DecisionError
from handlers.parts import Part, payslip_attachment, stored_part
from handlers.problems import Problem
from handlers.review import review
from handlers.summary import ClaimSummary, economy_summary
from parsers import email
from parsers import payslip as payslip_reader
from parsers.identifiers import mask_cpr
from parsers.labels import COMPONENTS

__all__ = ["ClaimDecisions", "DecisionError", "facts_of", "problems_of"]


@dataclass(frozen=True)
class Done:
    """What a decision did, for the caller to show."""

    reference: str
    status: str
    message: str


class ClaimDecisions:
    """The claim use cases on one database; ``today`` is injectable for tests."""

    def __init__(self, engine: Engine, config: Config,
                 today: Callable[[], date] = date.today) -> None:
        self.engine = engine
        self.config = config
        self.today = today

    # -- the use cases -------------------------------------------------------------------

    def approve(self, reference: str, by: str, note: str = "") -> Done:
        """needs_review -> validated; the economy group gets the summary with the payslip."""
        with session(self.engine) as db:
            repo = self._repo(db)
            row, inbound, message = self._load(repo, reference)
            decisions.check_approve(row.status)
            summary = self._summary(repo, row, inbound, message)
            subject, body = economy_summary(summary, "da")
            self._enqueue(repo, "summary", self.config.jobcenter.economy_group, subject, body,
                          row, inbound, attachments=payslip_attachment(
                              stored_part(message, row.part, row.payslip_sha256)))
            row.status = "validated"
            db.add(row)
            repo.audit(by, "approve", row, note, {"refundable_amount": str(
                row.refundable_amount)})
            return Done(row.reference or "", row.status,
                        f"{row.reference} approved; the summary goes to "
                        f"{self.config.jobcenter.economy_group}")

    def reject(self, reference: str, reason: str, by: str) -> Done:
        """-> rejected; the sender is told why, in the language they wrote in."""
        with session(self.engine) as db:
            repo = self._repo(db)
            row, inbound, message = self._load(repo, reference)
            reason = decisions.check_reject(row.status, reason)
            sender = (message.sender if message else None) or inbound.envelope_from
            lang = routing.reply_language(message.subject, message.body_text,
                                          self.config.jobcenter.language) if message else "da"
            subject, body = decisions.rejection_mail(
                message.subject if message else "", row.reference or "", reason, lang)
            if sender:
                self._enqueue(repo, "reply", sender, subject, body, row, inbound,
                              in_reply_to=message.message_id if message else None)
            row.status = decisions.REJECTED
            db.add(row)
            repo.audit(by, "reject", row, reason, {"told": sender or "", "language": lang})
            return Done(row.reference or "", row.status,
                        f"{row.reference} rejected; {sender or 'nobody'} is told why")

    def correct(self, reference: str, field: str, value: str, by: str) -> Done:
        """Fix one misread field; the claim is judged again (and stays held if it was)."""
        with session(self.engine) as db:
            repo = self._repo(db)
            repo.lock_register()  # the register review reads other claims
            row, inbound, message = self._load(repo, reference)
            decisions.check_correct(row.status)
            today = self.today()
            new = decisions.parse_value(field, value, today)
            facts = facts_of(row)
            old = decisions.shown(field, decisions.current_value(facts, field))
            facts = decisions.without_mismatch(decisions.apply(facts, field, new), field)
            claim = decisions.rejudge(facts, today, self.config.scheme())
            sender = (message.sender if message else None) or inbound.envelope_from
            # The claim keeps its key (the payslip's position and content hash).
            part = stored_part(message, row.part, row.payslip_sha256)
            register = repo.register_slice(claim, part, sender, inbound.envelope_from,
                                           inbound.id or 0, [])
            decision = review(claim, sender, register, (), self.config.scheme())
            row = repo.upsert_claim(inbound.id or 0, claim, part, decision, register)
            row.status = decisions.held_status(decision.status)
            db.add(row)
            shown_new = decisions.shown(field, new) or ""
            repo.add_correction(row, field, old, shown_new, by)
            repo.audit(by, "correct", row, f"{field}: {old or '-'} -> {shown_new}",
                   {"field": field, "old": old, "new": shown_new, "status": row.status})
            return Done(row.reference or "", row.status,
                        f"{row.reference}: {field} {old or '-'} -> {shown_new}; judged again: "
                        f"{row.status}" + _remaining(row))

    def mark_paid(self, reference: str, by: str) -> Done:
        """validated -> paid (the economy group has paid the refund)."""
        with session(self.engine) as db:
            repo = self._repo(db)
            row, _inbound, _message = self._load(repo, reference)
            decisions.check_paid(row.status)
            row.status = decisions.PAID
            db.add(row)
            repo.audit(by, "paid", row, "", {"refundable_amount": str(row.refundable_amount)})
            return Done(row.reference or "", row.status, f"{row.reference} marked paid")

    def reveal_cpr(self, reference: str, by: str, why: str = "") -> str:
        """The full CPR number of a claim (DDMMYY-SSSS), written to the audit log."""
        with session(self.engine) as db:
            repo = self._repo(db)
            row = _claim(repo, reference)
            if not row.cpr:
                raise DecisionError(f"{row.reference} has no CPR number")
            repo.audit(by, "reveal_cpr", row, why, {})
            return f"{row.cpr[:6]}-{row.cpr[6:]}"

    # -- pieces -------------------------------------------------------------------------

    def _repo(self, db: Session) -> Repository:
        return Repository(db, self.config.scheme())

    def _load(self, repo: Repository, reference: str) -> tuple[
            ClaimRow, InboundMessage, email.MailMessage | None]:
        row = _claim(repo, reference)
        inbound = repo.inbound(row.inbound_id)
        assert inbound is not None
        message = email.read(inbound.raw, email.MailLimits(
            max_bytes=self.config.inbox.max_message_bytes))
        if isinstance(message, email.UnreadableMail):
            return row, inbound, None
        return row, inbound, message

    def _summary(self, repo: Repository, row: ClaimRow, inbound: InboundMessage,
                 message: email.MailMessage | None) -> ClaimSummary:
        if row.refundable_amount is None or row.cap_hours is None or row.hours is None \
                or not (row.period_start and row.period_end and row.cpr):
            raise DecisionError(
                f"{row.reference} has no refundable amount yet (hours, period or what is "
                "claimed is missing); correct the field first")
        employment = repo.employment(row.employment_id) if row.employment_id else None
        weekly = min(employment.hours_per_week, refund.MAX_HOURS_PER_WEEK) if employment \
            else refund.MAX_HOURS_PER_WEEK
        components = {k: getattr(row, k) or Decimal("0.00") for k in COMPONENTS}
        slip = _payslip(stored_part(message, row.part, row.payslip_sha256))
        return ClaimSummary(
            reference=row.reference or "", workplace=row.employer_name or "",
            cvr=row.cvr or "", employee_name=row.employee_name or "",
            cpr_masked=mask_cpr(row.cpr), period_start=row.period_start,
            period_end=row.period_end, hours=row.hours, sick_hours=row.sick_hours,
            approved_hours_per_week=weekly, cap_hours=row.cap_hours, capped=row.capped,
            components=components, claimed=tuple(row.claimed),
            employer_cost=row.employer_cost or Decimal("0.00"),
            claimed_cost=refund.claimed_cost(components, tuple(row.claimed)),
            refundable_amount=row.refundable_amount,
            sender=(message.sender if message else None) or inbound.envelope_from,
            received=inbound.received_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            message_id=message.message_id if message else None,
            problems=problems_of(row),
            checks_held=tuple(c.check for c in slip.checks if c.ok) if slip else (),
        )

    def _enqueue(self, repo: Repository, kind: str, recipient: str, subject: str, body: str,
                 row: ClaimRow, inbound: InboundMessage, *,
                 attachments: list[tuple[str, str, bytes]] | None = None,
                 in_reply_to: str | None = None) -> None:
        digest = hashlib.sha256(f"{recipient}\n{subject}\n{body}".encode()).hexdigest()[:24]
        key = f"decision:{kind}:{row.id}:{digest}"
        mail = compose(sender=self.config.jobcenter.address, recipient=recipient,
                       subject=subject, body=body, dedup_key=key,
                       attachments=attachments or [], in_reply_to=in_reply_to)
        enqueue(repo.db, kind=kind, message=mail, dedup_key=key, claim_id=row.id,
                inbound_id=inbound.id)


def _claim(repo: Repository, reference: str) -> ClaimRow:
    row = repo.claim_by_reference(reference)
    if row is None:
        raise DecisionError(f"no claim {reference!r}; `assistant claims list` shows the "
                            "references")
    return row


def facts_of(row: ClaimRow) -> ClaimFacts:
    return ClaimFacts(
        reference=row.reference or "", status=row.status, source=row.source,
        employee_name=row.employee_name, cpr=row.cpr, employer_name=row.employer_name,
        cvr=row.cvr, period_start=row.period_start, period_end=row.period_end,
        hours=row.hours, sick_hours=row.sick_hours,
        components={k: getattr(row, k) or Decimal("0.00") for k in COMPONENTS},
        employer_cost=row.employer_cost, claimed=tuple(row.claimed),
        problems=problems_of(row))


def problems_of(row: ClaimRow) -> tuple[Problem, ...]:
    return tuple(Problem.from_dict(p) for p in row.problems)


def _remaining(row: ClaimRow) -> str:
    codes = [p.get("code", "") for p in row.problems]
    return f" (open: {', '.join(codes)})" if codes else " (no open problems: ready to approve)"


def audit(engine: Engine, actor: str, action: str, subject: str, reason: str = "",
          details: dict[str, Any] | None = None) -> None:
    """An audit row for an action that is not about one claim (staff, intakes)."""
    with session(engine) as db:
        Repository(db).audit(actor, action, None, reason, details or {}, subject)


def _payslip(part: Part) -> payslip_reader.Payslip | None:
    if part.attachment is None:
        return None
    result = payslip_reader.read(part.attachment.data)
    return result if isinstance(result, payslip_reader.Payslip) else None
