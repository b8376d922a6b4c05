"""The storage interface the handlers and adapters use: the register and inbound mail.

Each method is one transaction. Rows come back detached (readable, not lazy-loading);
workplaces come back as :class:`WorkplaceRecord` with their sender patterns.
Refusals raise :class:`handlers.register.RegisterError` with reasons fit to show a user.
For several changes in one transaction use ``assistant.db.session(store.engine)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Engine, and_, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from assistant.config import Config
from assistant.db import exclusive, session
from assistant.models import (
    Employment,
    ImapState,
    InboundMessage,
    Workplace,
    WorkplaceSender,
)
from handlers import register
from handlers.register import Limits, PoolStatus, RegisterError, Span
from handlers.validation import check_cpr
from parsers.email import content_key
from parsers.identifiers import IdentifierError, compact_digits, parse_cvr

# Lock name for register changes: approvals are first come, first served.
REGISTER_LOCK = "register"
CHANNELS = ("smtp", "imap")


@dataclass(frozen=True)
class WorkplaceRecord:
    id: int
    cvr: str
    name: str
    senders: tuple[str, ...]  # normalised patterns, sorted
    created_at: datetime


def limits_from_config(config: Config) -> Limits:
    return config.scheme()


class Store:
    def __init__(self, engine: Engine, limits: Limits | None = None) -> None:
        self.engine = engine
        self.limits = limits or Limits()

    # -- workplaces ---------------------------------------------------------------

    def add_workplace(self, cvr: str, name: str, senders: Iterable[str] = ()) -> WorkplaceRecord:
        """Add a workplace, or for a known CVR: rename it and add the new senders."""
        cvr = _valid_cvr(cvr)
        name = name.strip()
        if not name:
            raise RegisterError(["the workplace needs a name"])
        patterns = _valid_senders(senders)
        with session(self.engine) as db:
            exclusive(db, REGISTER_LOCK)
            workplace = db.exec(select(Workplace).where(Workplace.cvr == cvr)).first()
            if workplace is None:
                workplace = Workplace(cvr=cvr, name=name)
            workplace.name = name
            db.add(workplace)
            db.flush()
            known = set(_patterns(db, workplace.id))
            for pattern in sorted(set(patterns) - known):
                db.add(WorkplaceSender(workplace_id=workplace.id, pattern=pattern))
            db.flush()
            return _record(db, workplace)

    def workplaces(self) -> list[WorkplaceRecord]:
        with session(self.engine) as db:
            rows = db.exec(select(Workplace).order_by(col(Workplace.name), col(Workplace.cvr)))
            return [_record(db, workplace) for workplace in rows.all()]

    def workplace_by_cvr(self, cvr: str) -> WorkplaceRecord | None:
        cvr = compact_digits(cvr)  # "12 34 56 78" as written on letters
        with session(self.engine) as db:
            workplace = db.exec(select(Workplace).where(Workplace.cvr == cvr)).first()
            return _record(db, workplace) if workplace else None

    # -- employments ----------------------------------------------------------------

    def add_employment(
        self,
        cpr: str,
        citizen_name: str,
        cvr: str,
        hours: Decimal,
        start: date,
        end: date,
        reason: str,
        intake_id: int | None = None,
    ) -> Employment:
        """Approve an employment if the rules allow it (``handlers.register``)."""
        with session(self.engine) as db:
            return self.add_employment_in(db, cpr, citizen_name, cvr, hours, start, end,
                                          reason, intake_id)

    def add_employment_in(
        self,
        db: Session,
        cpr: str,
        citizen_name: str,
        cvr: str,
        hours: Decimal,
        start: date,
        end: date,
        reason: str,
        intake_id: int | None = None,
    ) -> Employment:
        """:meth:`add_employment` inside the caller's transaction, so approving a job form
        and marking the form approved are one step (``assistant.intakes``)."""
        digits = _valid_cpr(cpr)
        cvr = _valid_cvr(cvr)
        hours = Decimal(hours)
        reasons = []
        if not citizen_name.strip():
            reasons.append("the citizen's name is missing")
        if not reason.strip():
            reasons.append("the reason why the employment is temporary is missing")
        # Held until commit: the pool check and the insert are one step.
        exclusive(db, REGISTER_LOCK)
        workplace = db.exec(select(Workplace).where(Workplace.cvr == cvr)).first()
        if workplace is None:
            reasons.append(f"no workplace with CVR {cvr}; add it first")
        else:
            reasons += register.check_new_employment(
                hours, start, end, _spans(db, start, end),
                self.limits.pool_hours, self.limits.max_hours, self.limits.max_months,
                cpr=digits, cvr=cvr,
            )
        if reasons:
            raise RegisterError(reasons)
        assert workplace is not None and workplace.id is not None
        employment = Employment(
            cpr=digits, citizen_name=citizen_name.strip(), workplace_id=workplace.id,
            hours_per_week=hours, start_date=start, end_date=end, reason=reason.strip(),
            intake_id=intake_id,
        )
        db.add(employment)
        db.flush()
        return employment

    def employment(self, employment_id: int) -> Employment | None:
        with session(self.engine) as db:
            return db.get(Employment, employment_id)

    def employments(self, active_on: date | None = None) -> list[Employment]:
        """All employments, or those using the pool on ``active_on``; oldest start first."""
        query = select(Employment).order_by(col(Employment.start_date), col(Employment.id))
        if active_on is not None:
            query = query.where(_overlapping(active_on, active_on))
        with session(self.engine) as db:
            return list(db.exec(query).all())

    def end_employment(self, employment_id: int, on: date) -> Employment:
        """End an employment early: ``on`` is its last day (before the start: cancelled)."""
        with session(self.engine) as db:
            exclusive(db, REGISTER_LOCK)
            employment = db.get(Employment, employment_id)
            if employment is None:
                raise RegisterError([f"no employment with id {employment_id}"])
            if employment.status == "ended":
                raise RegisterError([
                    f"employment {employment_id} already ended on {employment.last_day}"
                ])
            if on > employment.end_date:
                raise RegisterError([
                    f"employment {employment_id} ends on {employment.end_date} already; "
                    f"it cannot be ended later ({on})"
                ])
            employment.status = "ended"
            employment.ended_on = on
            db.add(employment)
            db.flush()
            return employment

    def spans(self, start: date, end: date) -> list[Span]:
        """Employments using the pool on some day of ``[start, end]``, as rule inputs."""
        with session(self.engine) as db:
            return _spans(db, start, end)

    def spans_in(self, db: Session, start: date, end: date) -> list[Span]:
        """:meth:`spans` inside the caller's transaction (under its lock)."""
        return _spans(db, start, end)

    def pool_status(self, on: date) -> PoolStatus:
        return register.pool_status(self.spans(on, on), on, self.limits.pool_hours)

    def pool_status_in(self, db: Session, on: date) -> PoolStatus:
        """:meth:`pool_status` inside the caller's transaction (under its lock)."""
        return register.pool_status(_spans(db, on, on), on, self.limits.pool_hours)

    def pool_usage(self, on: date) -> tuple[Decimal, Decimal]:
        """(hours approved on ``on``, the pool's size)."""
        status = self.pool_status(on)
        return status.approved_hours, status.pool_hours

    # -- inbound mail ---------------------------------------------------------------

    def save_inbound(
        self,
        raw: bytes,
        channel: str,
        envelope_from: str,
        envelope_to: str | Sequence[str],
        message_id: str | None = None,
        *,
        imap_folder: str | None = None,
        imap_uidvalidity: int | None = None,
        imap_uid: int | None = None,
    ) -> tuple[int, bool]:
        """Store a received message; ``(id, True)``, or ``(id, False)`` for bytes seen before.

        Committed when it returns: an SMTP server may answer 250 only after this.
        """
        if channel not in CHANNELS:
            raise ValueError(f"channel must be one of {CHANNELS}, not {channel!r}")
        digest = content_key(raw)
        existing = self._inbound_id(digest)
        if existing is not None:
            return existing, False
        if not isinstance(envelope_to, str):
            envelope_to = ", ".join(envelope_to)
        message = InboundMessage(
            channel=channel, envelope_from=envelope_from, envelope_to=envelope_to,
            message_id=message_id, sha256=digest, raw=raw, size=len(raw),
            imap_folder=imap_folder, imap_uidvalidity=imap_uidvalidity, imap_uid=imap_uid,
        )
        try:
            with session(self.engine, durable=True) as db:  # on disk before the 250
                db.add(message)
                db.flush()
                assert message.id is not None
                return message.id, True
        except IntegrityError:
            # The same bytes arrived concurrently and the other delivery won the insert.
            existing = self._inbound_id(digest)
            if existing is None:
                raise
            return existing, False

    # -- IMAP mailbox position ----------------------------------------------------------

    def imap_position(self, host: str, username: str, folder: str) -> tuple[int, int] | None:
        """``(uidvalidity, last UID stored)`` of a mailbox folder, or None if never read."""
        with session(self.engine) as db:
            state = db.exec(select(ImapState).where(
                ImapState.host == host, ImapState.username == username,
                ImapState.folder == folder)).first()
            return (state.uidvalidity, state.last_uid) if state else None

    def save_imap_position(self, host: str, username: str, folder: str, uidvalidity: int,
                           last_uid: int) -> None:
        with session(self.engine) as db:
            state = db.exec(select(ImapState).where(
                ImapState.host == host, ImapState.username == username,
                ImapState.folder == folder)).first()
            if state is None:
                state = ImapState(host=host, username=username, folder=folder,
                                  uidvalidity=uidvalidity)
            state.uidvalidity, state.last_uid = uidvalidity, last_uid
            db.add(state)

    def imap_done(self, folder: str, uidvalidity: int) -> dict[int, int]:
        """``{UID: inbound id}`` of messages processed but still in ``folder``."""
        with session(self.engine) as db:
            rows = db.exec(select(InboundMessage.imap_uid, InboundMessage.id).where(
                InboundMessage.channel == "imap", InboundMessage.imap_folder == folder,
                InboundMessage.imap_uidvalidity == uidvalidity,
                InboundMessage.status == "processed")).all()
        return {uid: inbound_id for uid, inbound_id in rows
                if uid is not None and inbound_id is not None}

    def imap_moved(self, inbound_ids: Iterable[int], folder: str) -> None:
        """Record that these messages now live in ``folder`` (their new UIDs unknown)."""
        ids = list(inbound_ids)
        with session(self.engine) as db:
            for message in db.exec(select(InboundMessage).where(
                    col(InboundMessage.id).in_(ids))):
                message.imap_folder, message.imap_uid = folder, None
                db.add(message)

    def imap_adopt(self, inbound_id: int, folder: str, uidvalidity: int, uid: int) -> bool:
        """A copy of a stored message appeared at ``folder``/``uid`` (the folder was
        recreated, or the message was put back). If the stored message has no live place
        in that folder any more, the copy becomes its place, to be moved once processed.
        """
        with session(self.engine) as db:
            message = db.get(InboundMessage, inbound_id)
            if message is None or message.channel != "imap":
                return False
            live = (message.imap_folder == folder and message.imap_uidvalidity == uidvalidity
                    and message.imap_uid is not None)
            if live:
                return False  # two copies in one folder: the first one is tracked
            message.imap_folder, message.imap_uidvalidity, message.imap_uid = (
                folder, uidvalidity, uid)
            db.add(message)
            return True

    def _inbound_id(self, digest: str) -> int | None:
        with session(self.engine) as db:
            query = select(InboundMessage.id).where(InboundMessage.sha256 == digest)
            return db.exec(query).first()


def _valid_cvr(cvr: str) -> str:
    try:
        return parse_cvr(cvr)
    except IdentifierError as exc:
        raise RegisterError([f"CVR {cvr.strip()!r}: {exc}"]) from None


def _valid_cpr(cpr: str) -> str:
    checked = check_cpr(cpr, date.today())
    errors = [p.message for p in checked.problems if p.severity == "error"]
    if checked.value is None:
        raise RegisterError(errors or ["the CPR number is missing"])
    return checked.value.digits


def _valid_senders(senders: Iterable[str]) -> list[str]:
    patterns, reasons = [], []
    for sender in senders:
        try:
            patterns.append(register.normalize_sender(sender))
        except ValueError as exc:
            reasons.append(str(exc))
    if reasons:
        raise RegisterError(reasons)
    return patterns


def _patterns(db: Session, workplace_id: int | None) -> list[str]:
    query = select(WorkplaceSender.pattern).where(WorkplaceSender.workplace_id == workplace_id)
    return sorted(db.exec(query).all())


def _record(db: Session, workplace: Workplace) -> WorkplaceRecord:
    assert workplace.id is not None
    return WorkplaceRecord(
        id=workplace.id, cvr=workplace.cvr, name=workplace.name,
        senders=tuple(_patterns(db, workplace.id)), created_at=workplace.created_at,
    )


def _overlapping(start: date, end: date) -> ColumnElement[bool]:
    """SQL: the employment uses the pool on some day of ``[start, end]``."""
    return and_(
        col(Employment.start_date) <= end,
        col(Employment.end_date) >= start,
        or_(col(Employment.ended_on).is_(None), col(Employment.ended_on) >= start),
    )


def _spans(db: Session, start: date, end: date) -> list[Span]:
    query = (
        select(Employment, Workplace.cvr)
        .join(Workplace, col(Workplace.id) == col(Employment.workplace_id))
        .where(_overlapping(start, end))
    )
    return [
        Span(cpr=e.cpr, cvr=cvr, hours=e.hours_per_week, start=e.start_date, end=e.last_day,
             id=e.id)
        for e, cvr in db.exec(query).all()
    ]
