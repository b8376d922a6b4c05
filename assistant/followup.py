"""Running the follow-up: gather the facts, ask ``handlers.followup`` what is due, and
queue each reminder once.

Idempotent across runs, restarts and instances: a reminder is queued in the outbox under
``followup:<its key>`` (the outbox's dedup key is unique), inside a transaction that
holds the ``followup`` lock, so two instances running it at the same moment queue each
reminder once. ``assistant followup`` runs it by hand (``--dry-run`` shows what is due);
``assistant run`` runs it every ``[followup] interval_minutes``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from assistant.config import Config
from assistant.db import exclusive, session
from assistant.models import (
    Claim,
    Employment,
    InboundMessage,
    Intake,
    OutboundMessage,
    Workplace,
)
from assistant.outbox import compose, enqueue
from assistant.repository import Repository
from handlers import followup
from handlers.claim_status import COUNTED_STATUSES, PAYABLE_STATUSES
from handlers.followup import EmploymentFacts, MonthFacts, QueuedIntake, Reminder
from handlers.job import JobDescription
from parsers.identifiers import mask_cpr

log = logging.getLogger(__name__)

KEY_PREFIX = "followup:"
# Employments that ended longer ago than this have nothing left to follow up.
LOOKBACK_DAYS = 100


@dataclass(frozen=True)
class Outcome:
    reminder: Reminder
    recipient: str
    queued: bool  # False: queued before (by an earlier run or another instance)


def rules_from_config(config: Config) -> followup.FollowupRules:
    f = config.followup
    return followup.FollowupRules(
        payslip_reminder_day=f.payslip_reminder_day, ending_within_days=f.ending_within_days,
        sick_day_marks=tuple(f.sick_day_marks), no_claim_months=f.no_claim_months,
        economy_summary_day=f.economy_summary_day)


def run_followup(engine: Engine, config: Config, today: date,
                 dry_run: bool = False) -> list[Outcome]:
    """Queue every reminder due on ``today`` that was not queued before."""
    with session(engine) as db:
        if not dry_run:
            exclusive(db, "followup")
        reminders = followup.due(
            today, _employments(db, today), _queue(db),
            Repository(db, config.scheme()).pool_status(today).left_hours,
            _last_month(db, today),
            rules_from_config(config), config.jobcenter.language)
        outcomes = []
        for reminder in reminders:
            recipient = _address(config, reminder)
            key = KEY_PREFIX + reminder.key
            if dry_run:
                queued = _not_queued(db, key)
            else:
                message = compose(sender=config.jobcenter.address, recipient=recipient,
                                  subject=reminder.subject, body=reminder.body, dedup_key=key)
                queued = enqueue(db, kind="followup", message=message, dedup_key=key)
            outcomes.append(Outcome(reminder, recipient, queued))
        if dry_run:
            db.rollback()
    new = sum(o.queued for o in outcomes)
    if new and not dry_run:
        log.info("follow-up %s: %d reminder(s) queued", today.isoformat(), new)
    return outcomes


def _address(config: Config, reminder: Reminder) -> str:
    if reminder.recipient == "workplace" and reminder.address:
        return reminder.address
    if reminder.recipient == "economy":
        return config.jobcenter.economy_group
    return config.jobcenter.consultants


def _not_queued(db: Session, key: str) -> bool:
    return db.exec(select(OutboundMessage.id).where(
        OutboundMessage.dedup_key == key)).first() is None


def _employments(db: Session, today: date) -> list[EmploymentFacts]:
    rows = [(e, w) for e, w in db.exec(select(Employment, Workplace).join(
        Workplace, col(Workplace.id) == col(Employment.workplace_id))).all()
        if (today - e.last_day).days <= LOOKBACK_DAYS]
    claims = _claims_of(db, {e.cpr for e, _ in rows})
    contacts: dict[int, str | None] = {}
    facts = []
    for employment, workplace in rows:
        workplace_id = workplace.id or 0
        if workplace_id not in contacts:
            contacts[workplace_id] = _contact(db, workplace_id)
        own = claims.get((employment.cpr, workplace_id), [])
        facts.append(EmploymentFacts(
            id=employment.id or 0, workplace=workplace.name,
            employee_name=employment.citizen_name, cpr_masked=mask_cpr(employment.cpr),
            hours_per_week=employment.hours_per_week, start=employment.start_date,
            last_day=employment.last_day,
            active=employment.status == "approved" and employment.last_day >= today,
            contact=contacts[workplace_id],
            claimed=tuple((c.period_start, c.period_end) for c in own
                          if c.period_start and c.period_end),
            sick_hours=sum((c.sick_hours or Decimal(0) for c in own
                            if c.status in COUNTED_STATUSES), Decimal(0)),
        ))
    return facts


@dataclass(frozen=True)
class _ClaimFacts:
    status: str
    period_start: date | None
    period_end: date | None
    sick_hours: Decimal | None


def _claims_of(db: Session, cprs: set[str]) -> dict[tuple[str, int], list[_ClaimFacts]]:
    """The claims (not ``invalid``) of these CPR numbers by (CPR, workplace), in one query
    of the few columns the follow-up reads."""
    found: dict[tuple[str, int], list[_ClaimFacts]] = {}
    if not cprs:
        return found
    rows = db.exec(select(Claim.cpr, Claim.workplace_id, Claim.status, Claim.period_start,
                          Claim.period_end, Claim.sick_hours).where(
        col(Claim.cpr).in_(cprs), Claim.status != "invalid")).all()
    for cpr, workplace_id, status, start, end, sick in rows:
        found.setdefault((cpr or "", workplace_id or 0), []).append(
            _ClaimFacts(status, start, end, sick))
    return found


def _contact(db: Session, workplace_id: int) -> str | None:
    """Where the workplace's claims come from: the newest claim's envelope sender, else a
    registered sender address (a registered domain names no mailbox)."""
    newest = db.exec(select(InboundMessage.envelope_from).join(
        Claim, col(Claim.inbound_id) == col(InboundMessage.id)).where(
        Claim.workplace_id == workplace_id).order_by(col(Claim.id).desc()).limit(1)).first()
    if newest and "@" in newest:
        return newest
    patterns = Repository(db).sender_patterns(workplace_id)
    return next((p for p in patterns if "@" in p), None)


def _queue(db: Session) -> list[QueuedIntake]:
    rows = db.exec(select(Intake, Workplace).join(
        Workplace, col(Workplace.id) == col(Intake.workplace_id)).where(
        Intake.status == "submitted").order_by(col(Intake.submitted_at), col(Intake.id))).all()
    return [QueuedIntake(intake.id or 0, workplace.name,
                         JobDescription.from_dict(intake.job).hours_per_week)
            for intake, workplace in rows if intake.job]


def _last_month(db: Session, today: date) -> MonthFacts:
    first = followup.previous_month(today)
    # Two columns, summed here: SQLite's SUM of a NUMERIC column is a float.
    rows = db.exec(select(Claim.status, Claim.refundable_amount).where(
        col(Claim.period_start) >= first,
        col(Claim.period_start) <= followup.month_end(first))).all()
    # Validated or already paid: what the economy group pays (or paid) for the month.
    payable = [amount or Decimal(0) for status, amount in rows if status in PAYABLE_STATUSES]
    return MonthFacts(
        month=first, validated=len(payable), validated_amount=sum(payable, Decimal(0)),
        held=sum(1 for status, _ in rows if status == "needs_review"),
        incomplete=sum(1 for status, _ in rows if status == "incomplete"))


class FollowupLoop:
    """``assistant run``'s follow-up: due reminders every ``interval`` seconds."""

    def __init__(self, engine: Engine, config: Config, on_queued=lambda: None,
                 today=date.today) -> None:
        self.engine, self.config, self.on_queued, self.today = engine, config, on_queued, today

    def run(self, stop: threading.Event) -> None:
        interval = self.config.followup.interval_minutes * 60
        while not stop.is_set():
            try:
                if any(o.queued for o in run_followup(self.engine, self.config, self.today())):
                    self.on_queued()
            except Exception as exc:  # noqa: BLE001 - a bad day must not stop the service
                log.error("follow-up failed: %s", type(exc).__name__)
            stop.wait(interval)
