"""Read models: the rows and pages people see, built once for the CLI and the web desk.

``assistant claims list|show --json``, ``intakes list|show --json``, ``pool --json``
and ``employments|workplaces list --json`` print what these functions build, and the
desk's pages (``assistant.web.views``) render the same rows. Only reads: every change
goes through a use case (``assistant.decisions``, ``assistant.intakes``,
``assistant.store``). Lookups shared with the use cases come from
:class:`assistant.repository.Repository`; the list queries that only people need live
here. CPR numbers leave masked, except in :func:`export_csv`, the economy group's
bookkeeping file. The JSON keys are only ever added, never renamed
(``tests/integration/test_hostile.py`` pins them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from assistant.claim_json import number
from assistant.export import PAYABLE_STATUSES, csv_bytes, month_rows
from assistant.models import (
    AuditEntry,
    Claim,
    ClaimCorrection,
    Employment,
    Intake,
    OutboundMessage,
    Workplace,
    WorkplaceSender,
)
from assistant.repository import Repository, WorkplaceRecord
from handlers import register
from handlers.claim_status import COUNTED_STATUSES
from handlers.job import JobDescription
from handlers.parts import stored_part
from handlers.review import sick_days
from handlers.scheme import DEFAULT_SCHEME
from parsers import email
from parsers.identifiers import mask_cpr, mask_cprs
from parsers.labels import COMPONENTS


def month_span(value: str | None) -> tuple[date, date] | None:
    """``2026-10`` -> (2026-10-01, 2026-11-01); None for no or a malformed month."""
    if not value:
        return None
    try:
        year, month = (int(part) for part in value.split("-"))
        start = date(year, month, 1)
    except ValueError:
        return None
    return start, date(year + (month == 12), month % 12 + 1, 1)


def one_line(text: str) -> str:
    """A header as people read it: the spaces and line breaks left by header folding
    (" Refusion  november") collapsed to single spaces."""
    return " ".join(text.split())


def masked(cpr: str | None) -> str:
    return mask_cpr(cpr) if cpr else "-"


# -- claims --------------------------------------------------------------------------------


def claim_json(claim: Claim) -> dict[str, Any]:
    """One claim as ``claims list --json`` prints it (CPR masked)."""
    return {
        "reference": claim.reference,
        "status": claim.status,
        "employer_name": claim.employer_name,
        "cvr": claim.cvr,
        "employee_name": claim.employee_name,
        "cpr": mask_cpr(claim.cpr) if claim.cpr else None,
        "period_start": claim.period_start.isoformat() if claim.period_start else None,
        "period_end": claim.period_end.isoformat() if claim.period_end else None,
        "hours": number(claim.hours),
        "sick_hours": number(claim.sick_hours),
        "components": {k: number(getattr(claim, k)) for k in COMPONENTS},
        "employer_cost": number(claim.employer_cost),
        "refundable_amount": number(claim.refundable_amount),
        "cap_hours": number(claim.cap_hours),
        "capped": claim.capped,
        "claimed": claim.claimed,
        "missing": claim.missing,
        "problems": claim.problems,
        "inbound_id": claim.inbound_id,
        "created_at": claim.created_at.isoformat(),
    }


def claim_rows(db: Session, month: tuple[date, date] | None = None,
               status: str | None = None) -> list[Claim]:
    """Every claim (of a month, a status), oldest first: ``claims list``."""
    return Repository(db).claims(period_from=month[0] if month else None,
                                 period_before=month[1] if month else None, status=status)


@dataclass(frozen=True)
class ClaimList:
    rows: list[Claim]
    count: int
    page: int
    pages: int
    workplaces: list[Workplace]


def claim_list(db: Session, *, month: str | None, status: str | None,
               workplace_id: int | None, page: int, size: int) -> ClaimList:
    """A page of claims, newest first, with the filters' choices: the desk's list."""
    repo = Repository(db)
    span = month_span(month)
    where: dict[str, Any] = {"period_from": span[0] if span else None,
                             "period_before": span[1] if span else None,
                             "status": status, "workplace_id": workplace_id}
    count = repo.count_claims(**where)
    pages = max(1, -(-count // size))
    page = min(max(1, page), pages)
    rows = repo.claims(**where, newest_first=True, offset=(page - 1) * size, limit=size)
    return ClaimList(rows, count, page, pages, workplace_choices(db))


def workplace_choices(db: Session) -> list[Workplace]:
    """The workplaces to choose from in a filter or a form, by name."""
    return list(db.exec(select(Workplace).order_by(col(Workplace.name))).all())


@dataclass(frozen=True)
class ClaimPage:
    """One claim with its mail (sender and subject masked, one line), the mail queued
    about it, its corrections and its history; ``pdf`` is its own payslip."""

    claim: Claim
    sender: str
    subject: str
    received: datetime | None  # None: the inbound message is gone
    body: str
    pdf: bytes | None  # the payslip as sent: a PDF, or an image (scan, photo)
    outbox: list[OutboundMessage]
    corrections: list[ClaimCorrection]
    history: list[AuditEntry]


def claim_page(db: Session, reference: str, max_bytes: int) -> ClaimPage | None:
    """``claims show`` and the desk's claim page; None for an unknown reference."""
    repo = Repository(db)
    claim = repo.claim_by_reference(reference)
    if claim is None:
        return None
    inbound = repo.inbound(claim.inbound_id)
    sender = subject = body = ""
    pdf = None
    if inbound is not None:
        headers = BytesHeaderParser(policy=default_policy).parsebytes(inbound.raw[:65536])
        sender, subject = str(headers.get("From", "")), str(headers.get("Subject", ""))
        message = email.read(inbound.raw, email.MailLimits(max_bytes=max_bytes))
        if not isinstance(message, email.UnreadableMail):
            body = message.body_text[:5000]
            pdf = _payslip_pdf(message, claim)
    # The inbound headers are the sender's own words: a CPR typed into the subject is
    # masked here like everywhere else outside the database and the export.
    return ClaimPage(claim, mask_cprs(sender), mask_cprs(one_line(subject)),
                     inbound.received_at if inbound else None, mask_cprs(body), pdf,
                     repo.outbox_of(claim), repo.corrections_of(claim.id),
                     repo.history_of(claim.id))


def _payslip_pdf(message: email.MailMessage, claim: Claim) -> bytes | None:
    """The claim's own attachment (a PDF, or a scan or photo read by OCR), found by its
    stored position and hash as the decisions find it (two payslips in one mail may
    share a file name)."""
    part = stored_part(message, claim.part, claim.payslip_sha256)
    return part.attachment.data if part.attachment else None


def claim_show_json(page: ClaimPage) -> dict[str, Any]:
    """``claims show --json``: :func:`claim_json` plus sender, subject and outbox."""
    data = claim_json(page.claim)
    known = page.received is not None
    data["sender"] = page.sender if known else None
    data["subject"] = page.subject if known else None
    data["outbox"] = [{"kind": m.kind, "recipient": m.recipient,
                       "subject": mask_cprs(one_line(m.subject)),
                       "status": m.status, "attempts": m.attempts} for m in page.outbox]
    return data


# -- today ---------------------------------------------------------------------------------


# Sick days are shown on Today from this many days below the scheme's limit on.
SICK_DAYS_WARNING = 5
# Claims whose sick hours count in an employment (as the review counts them, and paid).
SICK_COUNTED = COUNTED_STATUSES


@dataclass(frozen=True)
class Today:
    held: list[Claim]
    intakes: list[tuple[Intake, JobDescription | None, str]]
    ending: list[tuple[Employment, str]]
    no_payslip: list[tuple[Employment, str]]  # worked last month, no claim for it yet
    last_month: date
    sick: list[tuple[Employment, str, int]]  # near or over the limit: (.., workplace, days)
    max_sick_days: int


def today_view(db: Session, today: date, limit: int = 50,
               max_sick_days: int = DEFAULT_SCHEME.max_sick_days) -> Today:
    repo = Repository(db)
    held = repo.claims(status="needs_review", limit=limit)
    names = repo.workplace_names()
    soon = today + timedelta(days=30)
    ending = [(e, names.get(e.workplace_id, "?")) for e in db.exec(
        select(Employment).where(Employment.status == "approved",
                                 col(Employment.end_date) >= today,
                                 col(Employment.end_date) <= soon)
        .order_by(col(Employment.end_date))).all()]
    first = today.replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1)
    claimed = set(db.exec(select(Claim.employment_id).where(
        col(Claim.employment_id).is_not(None), col(Claim.period_start) >= last_month,
        col(Claim.period_start) < first)).all())
    worked = db.exec(select(Employment).where(
        col(Employment.start_date) < first, col(Employment.end_date) >= last_month)
        .order_by(col(Employment.start_date))).all()
    no_payslip = [(e, names.get(e.workplace_id, "?")) for e in worked
                  if e.last_day >= last_month and e.id not in claimed]
    return Today(held, submitted_intakes(db), ending, no_payslip, last_month,
                 sick_days_near(db, today, max_sick_days, names), max_sick_days)


def sick_days_near(db: Session, today: date, max_sick_days: int,
                   names: dict[int, str]) -> list[tuple[Employment, str, int]]:
    """Employments still running whose claims' sick hours come to at least
    ``max_sick_days - SICK_DAYS_WARNING`` sick days (``handlers.review.sick_days``)."""
    totals = db.exec(select(Claim.employment_id, func.sum(Claim.sick_hours)).where(
        col(Claim.employment_id).is_not(None), col(Claim.sick_hours) > 0,
        col(Claim.status).in_(SICK_COUNTED)).group_by(col(Claim.employment_id))).all()
    if not totals:
        return []
    hours = dict(totals)
    rows = db.exec(select(Employment).where(col(Employment.id).in_(list(hours)))).all()
    near = []
    for e in rows:
        days = sick_days(Decimal(hours[e.id]), e.hours_per_week)
        if e.last_day >= today and days >= max_sick_days - SICK_DAYS_WARNING:
            near.append((e, names.get(e.workplace_id, "?"), days))
    return sorted(near, key=lambda row: -row[2])


# -- intakes -------------------------------------------------------------------------------


def intake_job(intake: Intake) -> JobDescription | None:
    return JobDescription.from_dict(intake.job) if intake.job else None


def intake_json(intake: Intake) -> dict[str, Any]:
    """One intake as ``intakes list|show --json`` prints it."""
    return {
        "id": intake.id, "status": intake.status, "workplace_id": intake.workplace_id,
        "manager_name": intake.manager_name, "created_at": intake.created_at,
        "submitted_at": intake.submitted_at, "employment_id": intake.employment_id,
        "step": (intake.state or {}).get("step"), "job": intake.job,
    }


def intake_rows(db: Session, status: str | None = None) -> list[Intake]:
    """Intakes first come, first served (submit time, then id; drafts last)."""
    return Repository(db).intakes(status=status)


def submitted_intakes(db: Session) -> list[tuple[Intake, JobDescription | None, str]]:
    """The forms waiting for a consultant, first come first served, with their job and
    workplace name."""
    names = Repository(db).workplace_names()
    return [(i, intake_job(i), names.get(i.workplace_id, "?"))
            for i in intake_rows(db, "submitted")]


# -- the register --------------------------------------------------------------------------


def pool_json(status: register.PoolStatus) -> dict[str, Any]:
    """``pool --json``."""
    return {
        "on": status.on,
        "pool_hours": status.pool_hours,
        "approved_hours": status.approved_hours,
        "left_hours": status.left_hours,
        "employments": status.employments,
    }


@dataclass(frozen=True)
class PoolView:
    now: register.PoolStatus
    weeks: list[tuple[date, Decimal]]
    employments: list[tuple[Employment, str]]


def pool_view(db: Session, today: date, pool_hours: Decimal, weeks: int = 53) -> PoolView:
    """The pool now and week by week, with the employments using it: the desk's pool."""
    last = today + timedelta(weeks=weeks)
    query = (select(Employment, Workplace.cvr, Workplace.name)
             .join(Workplace, col(Workplace.id) == col(Employment.workplace_id))
             .where(col(Employment.end_date) >= today, col(Employment.start_date) <= last)
             .order_by(col(Employment.start_date), col(Employment.id)))
    found = [(e, cvr, name) for e, cvr, name in db.exec(query).all() if e.last_day >= today]
    spans = [register.Span(cpr=e.cpr, cvr=cvr, hours=e.hours_per_week, start=e.start_date,
                           end=e.last_day, id=e.id) for e, cvr, _ in found]
    series = [(day, register.pool_status(spans, day, pool_hours).approved_hours)
              for day in (today + timedelta(weeks=w) for w in range(weeks))]
    return PoolView(register.pool_status(spans, today, pool_hours), series,
                    [(e, name) for e, _, name in found])


@dataclass(frozen=True)
class WorkplaceRow:
    workplace: Workplace
    senders: list[str]
    employments: int  # current and future ones
    claims: int  # claims for the month shown (the one being claimed now)


def workplaces_view(db: Session, today: date, month: date) -> list[WorkplaceRow]:
    """Every workplace with its senders, its running employments and its claims for
    ``month`` (its first day): three grouped counts, not one query per workplace."""
    senders: dict[int, list[str]] = {}
    for workplace_id, pattern in db.exec(select(WorkplaceSender.workplace_id,
                                                WorkplaceSender.pattern)).all():
        senders.setdefault(workplace_id, []).append(pattern)
    employed = dict(db.exec(select(Employment.workplace_id, func.count()).where(
        col(Employment.end_date) >= today,
        or_(col(Employment.ended_on).is_(None), col(Employment.ended_on) >= today))
        .group_by(col(Employment.workplace_id))).all())
    span = month_span(month.strftime("%Y-%m"))
    assert span is not None
    claimed = dict(db.exec(select(Claim.workplace_id, func.count()).where(
        col(Claim.workplace_id).is_not(None), col(Claim.period_start) >= span[0],
        col(Claim.period_start) < span[1]).group_by(col(Claim.workplace_id))).all())
    return [WorkplaceRow(w, sorted(senders.get(w.id or 0, [])), employed.get(w.id, 0),
                         claimed.get(w.id, 0))
            for w in db.exec(select(Workplace).order_by(col(Workplace.name),
                                                        col(Workplace.cvr))).all()]


def workplace_json(record: WorkplaceRecord) -> dict[str, Any]:
    """``workplaces list --json``."""
    return {
        "id": record.id,
        "cvr": record.cvr,
        "name": record.name,
        "senders": list(record.senders),
        "created_at": record.created_at,
    }


def employment_json(e: Employment, place: WorkplaceRecord | None) -> dict[str, Any]:
    """``employments list --json`` (CPR masked)."""
    return {
        "id": e.id,
        "cpr": mask_cpr(e.cpr),
        "citizen_name": e.citizen_name,
        "workplace_id": e.workplace_id,
        "cvr": place.cvr if place else None,
        "workplace": place.name if place else None,
        "hours_per_week": e.hours_per_week,
        "start": e.start_date,
        "end": e.end_date,
        "last_day": e.last_day,
        "status": e.status,
        "ended_on": e.ended_on,
        "reason": e.reason,
        "intake_id": e.intake_id,
        "created_at": e.created_at,
    }


# -- audit ---------------------------------------------------------------------------------


def audit_page(db: Session, page: int, size: int) -> tuple[list[AuditEntry], int]:
    count = db.exec(select(func.count()).select_from(AuditEntry)).one()
    pages = max(1, -(-count // size))
    page = min(max(1, page), pages)
    rows = list(db.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc())
                        .offset((page - 1) * size).limit(size)).all())
    return rows, pages


# -- the export ----------------------------------------------------------------------------


def _in_export(month: str) -> list[Any]:
    span = month_span(month)
    if span is None:
        return [col(Claim.id) < 0]
    return [col(Claim.status).in_(PAYABLE_STATUSES), col(Claim.period_start) >= span[0],
            col(Claim.period_start) < span[1]]


def export_rows(db: Session, month: str, limit: int | None = None) -> list[Claim]:
    query = select(Claim).where(*_in_export(month)).order_by(col(Claim.id))
    return list(db.exec(query.limit(limit) if limit else query).all())


def export_totals(db: Session, month: str) -> tuple[int, Decimal]:
    """How many claims the month's file holds, and their refunds in total."""
    count, total = db.exec(select(func.count(), func.sum(Claim.refundable_amount))
                           .where(*_in_export(month))).one()
    return count, Decimal(total or 0)


def export_csv(db: Session, month: str) -> tuple[bytes, int]:
    """The month's file, as the CLI's `export` writes it (``assistant.export``)."""
    span = month_span(month)
    rows = month_rows(db, *span) if span else []
    return csv_bytes(rows), len(rows)


__all__ = ["ClaimList", "ClaimPage", "PoolView", "Today", "audit_page", "claim_json",
           "claim_list", "claim_page", "claim_rows", "claim_show_json", "employment_json",
           "export_csv", "export_rows", "export_totals", "intake_json", "intake_rows",
           "masked", "month_span", "one_line", "pool_json", "pool_view", "submitted_intakes",
           "today_view", "workplace_choices", "workplace_json",
           "workplaces_view"]



@dataclass(frozen=True)
class SentReminder:
    """A follow-up reminder in the outbox (subject and address only: no body, no PDF)."""

    created_at: datetime
    recipient: str
    subject: str
    status: str


def followup_sent(db: Session, limit: int) -> list[SentReminder]:
    """The newest follow-up reminders queued, newest first."""
    rows = db.exec(select(OutboundMessage.created_at, OutboundMessage.recipient,
                          OutboundMessage.subject, OutboundMessage.status)
                   .where(OutboundMessage.kind == "followup")
                   .order_by(col(OutboundMessage.id).desc()).limit(limit)).all()
    return [SentReminder(at, to, mask_cprs(subject), status) for at, to, subject, status in rows]
