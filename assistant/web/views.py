"""Read models for the desk's pages: one function per page, plain data out.

Only reads; every change goes through the use cases (``assistant.decisions``,
``assistant.intakes``). CPR numbers leave here masked, except in :func:`export_csv`,
the economy group's bookkeeping file.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from assistant.export import PAYABLE_STATUSES, csv_bytes, month_rows, xlsx_bytes
from assistant.models import (
    AuditEntry,
    Claim,
    ClaimCorrection,
    Employment,
    InboundMessage,
    Intake,
    OutboundMessage,
    Workplace,
    WorkplaceSender,
)
from assistant.pipeline import stored_part
from handlers import register
from handlers.job import JobDescription
from handlers.review import sick_days
from handlers.scheme import DEFAULT_SCHEME
from handlers.summary import kr
from handlers.texts import Language
from parsers import email
from parsers.identifiers import mask_cpr, mask_cprs
from parsers.labels import COMPONENTS

STATUSES = ("needs_review", "validated", "paid", "rejected", "incomplete", "invalid")


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


# -- today ---------------------------------------------------------------------------------


# Sick days are shown on Today from this many days below the scheme's limit on.
SICK_DAYS_WARNING = 5
# Claims whose sick hours count in an employment (as the review counts them, and paid).
SICK_COUNTED = ("validated", "needs_review", "paid")


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
    held = list(db.exec(select(Claim).where(Claim.status == "needs_review")
                        .order_by(col(Claim.id)).limit(limit)).all())
    names = _workplace_names(db)
    intakes = [(i, JobDescription.from_dict(i.job) if i.job else None,
                names.get(i.workplace_id, "?"))
               for i in db.exec(select(Intake).where(Intake.status == "submitted")
                                .order_by(col(Intake.submitted_at))).all()]
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
    return Today(held, intakes, ending, no_payslip, last_month,
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


def _workplace_names(db: Session) -> dict[int, str]:
    return {w.id or 0: w.name for w in db.exec(select(Workplace)).all()}


# -- claims --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimList:
    rows: list[Claim]
    count: int
    page: int
    pages: int
    workplaces: list[Workplace]


def claim_list(db: Session, *, month: str | None, status: str | None,
               workplace_id: int | None, page: int, size: int) -> ClaimList:
    query = select(Claim)
    counted = select(func.count()).select_from(Claim)
    conditions = []
    span = month_span(month)
    if span:
        conditions += [col(Claim.period_start) >= span[0], col(Claim.period_start) < span[1]]
    if status:
        conditions.append(Claim.status == status)
    if workplace_id:
        conditions.append(Claim.workplace_id == workplace_id)
    for condition in conditions:
        query, counted = query.where(condition), counted.where(condition)
    count = db.exec(counted).one()
    pages = max(1, -(-count // size))
    page = min(max(1, page), pages)
    rows = list(db.exec(query.order_by(col(Claim.id).desc())
                        .offset((page - 1) * size).limit(size)).all())
    workplaces = list(db.exec(select(Workplace).order_by(col(Workplace.name))).all())
    return ClaimList(rows, count, page, pages, workplaces)


@dataclass(frozen=True)
class ClaimPage:
    claim: Claim
    sender: str
    subject: str
    received: datetime | None
    body: str
    pdf: bytes | None  # the payslip as sent: a PDF, or an image (scan, photo)
    outbox: list[OutboundMessage]
    corrections: list[ClaimCorrection]
    history: list[AuditEntry]


def claim_page(db: Session, reference: str, max_bytes: int) -> ClaimPage | None:
    claim = db.exec(select(Claim).where(Claim.reference == reference.strip().upper())).first()
    if claim is None:
        return None
    inbound = db.get(InboundMessage, claim.inbound_id)
    sender = subject = body = ""
    pdf = None
    if inbound is not None:
        headers = BytesHeaderParser(policy=default_policy).parsebytes(inbound.raw[:65536])
        sender, subject = str(headers.get("From", "")), str(headers.get("Subject", ""))
        message = email.read(inbound.raw, email.MailLimits(max_bytes=max_bytes))
        if not isinstance(message, email.UnreadableMail):
            body = message.body_text[:5000]
            # The claim's own attachment (a PDF, or a scan or photo read by OCR), found
            # by its stored position and hash as the decisions find it.
            part = stored_part(message, claim.part, claim.payslip_sha256)
            pdf = part.attachment.data if part.attachment else None
    outbox = list(db.exec(select(OutboundMessage).where(OutboundMessage.claim_id == claim.id)
                          .order_by(col(OutboundMessage.id))).all())
    corrections = list(db.exec(select(ClaimCorrection).where(
        ClaimCorrection.claim_id == claim.id).order_by(col(ClaimCorrection.id))).all())
    history = list(db.exec(select(AuditEntry).where(AuditEntry.claim_id == claim.id)
                           .order_by(col(AuditEntry.id))).all())
    return ClaimPage(claim, mask_cprs(sender), mask_cprs(subject),
                     inbound.received_at if inbound else None, mask_cprs(body), pdf,
                     outbox, corrections, history)


# -- the pool ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolView:
    now: register.PoolStatus
    weeks: list[tuple[date, Decimal]]
    employments: list[tuple[Employment, str]]


def pool_view(db: Session, today: date, pool_hours: Decimal, weeks: int = 53) -> PoolView:
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


def pool_chart(series: list[tuple[date, Decimal]], pool_hours: Decimal,
               lang: str = "da") -> dict[str, Any]:
    """Bars for a server-rendered SVG: geometry only, the template draws it."""
    shown_in: Language = "en" if lang == "en" else "da"
    width, height, left, bottom = 760, 220, 40, 24
    plot_h = height - bottom - 10
    bar_w = (width - left) / max(1, len(series))
    bars = []
    for i, (day, hours) in enumerate(series):
        h = float(hours) / float(pool_hours) * plot_h if pool_hours else 0
        bars.append({"x": round(left + i * bar_w, 1), "y": round(10 + plot_h - h, 1),
                     "w": round(bar_w * 0.8, 1), "h": round(h, 1),
                     "title": f"{day.strftime('%d.%m.%Y')}: {kr(hours, shown_in)}",
                     "label": day.strftime("%m/%y") if day.day <= 7 else ""})
    ticks = [{"y": round(10 + plot_h - plot_h * f, 1), "text": f"{float(pool_hours) * f:g}"}
             for f in (0, 0.25, 0.5, 0.75, 1)]
    return {"width": width, "height": height, "left": left, "base": 10 + plot_h,
            "bars": bars, "ticks": ticks}


# -- workplaces -----------------------------------------------------------------------------


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


# -- intakes, audit ------------------------------------------------------------------------


def submitted_intakes(db: Session) -> list[tuple[Intake, JobDescription | None, str]]:
    names = _workplace_names(db)
    return [(i, JobDescription.from_dict(i.job) if i.job else None,
             names.get(i.workplace_id, "?"))
            for i in db.exec(select(Intake).where(Intake.status == "submitted")
                             .order_by(col(Intake.submitted_at), col(Intake.id))).all()]


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


# Writing a workbook costs ~0.3 s for a month of 700 claims; the same rows give the same
# file, so the last few are kept in memory (never on disk: they hold full CPR numbers),
# keyed by a hash of the rows: a claim that changes makes a new file.
_XLSX_KEPT = 4
_xlsx_files: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_xlsx_lock = threading.Lock()


def export_xlsx(db: Session, month: str) -> tuple[bytes, int]:
    """The month's file as an Excel workbook: the same rows (``assistant.export``)."""
    span = month_span(month)
    rows = month_rows(db, *span) if span else []
    key = (month, hashlib.sha256(repr(rows).encode()).hexdigest())
    with _xlsx_lock:
        data = _xlsx_files.get(key)
        if data is not None:
            _xlsx_files.move_to_end(key)
            return data, len(rows)
    data = xlsx_bytes(rows, month)
    with _xlsx_lock:
        _xlsx_files[key] = data
        while len(_xlsx_files) > _XLSX_KEPT:
            _xlsx_files.popitem(last=False)
    return data, len(rows)


def masked(cpr: str | None) -> str:
    return mask_cpr(cpr) if cpr else "-"


__all__ = ["COMPONENTS", "STATUSES", "claim_list", "claim_page", "export_csv", "export_rows",
           "masked", "pool_chart", "pool_view", "submitted_intakes", "today_view"]
