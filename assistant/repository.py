"""The one data-access path: a repository bound to one database session.

Every read and write of the register, the inbound mail, the claims and the intake
forms goes through :class:`Repository`. It never opens, commits or rolls back a
transaction: the caller (a use case: the pipeline's ``_store``, a claim decision, an
intake approval, one CLI command) opens the session with :func:`assistant.db.session`,
so everything one use case does commits together or not at all. Methods that read,
check and then write take the register lock themselves (:meth:`lock_register`); it is
held until the caller's transaction ends and taking it twice is harmless.

Lists and pages for people (the CLI's tables and ``--json``, the web desk) are built
beside it in :mod:`assistant.read_models`. Rules stay in ``handlers/``: this module
turns rows into the plain values the rules take, and the rules' results into rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, or_, update
from sqlalchemy.orm import defer
from sqlmodel import Session, col, delete, select

from assistant.db import exclusive, exclusive_keys
from assistant.models import (
    AuditEntry,
    ChatMessage,
    ChatUser,
    ClaimCorrection,
    Employment,
    ImapState,
    InboundMessage,
    Intake,
    Invite,
    OutboundMessage,
    Workplace,
    WorkplaceSender,
)
from assistant.models import Claim as ClaimRow
from handlers import register, routing
from handlers.claim_status import CLAIMED_STATUSES, COUNTED_STATUSES
from handlers.claims import Claim
from handlers.intake_queue import QueuedForm
from handlers.job import JobDescription
from handlers.parts import Part
from handlers.register import Limits, PoolStatus, RegisterError, Span
from handlers.review import Decision, EmploymentView, PriorClaim, RegisterSlice
from handlers.validation import check_cpr
from parsers.identifiers import IdentifierError, compact_digits, parse_cvr
from parsers.labels import COMPONENTS

# Lock name for register changes and for judging claims against the committed ones:
# approvals are first come, first served.
REGISTER_LOCK = "register"
# A payslip claimed again, or a period claimed twice, is judged against these
# (``handlers.claim_status``).
HELD = COUNTED_STATUSES
CLAIMED = CLAIMED_STATUSES


# The statements judging every claim runs, built once with bound parameters: building a
# statement's expression tree (and then its cache key) anew costs 30-160 us a statement,
# and each mail runs several.
_SAME_PAYSLIP = select(ClaimRow.reference).where(
    ClaimRow.payslip_sha256 == bindparam("sha256"),
    ClaimRow.inbound_id != bindparam("inbound_id"),
    col(ClaimRow.status).in_(CLAIMED)).order_by(col(ClaimRow.id))
_WORKPLACE_AND_SENDERS = (
    select(Workplace, WorkplaceSender.pattern)
    .outerjoin(WorkplaceSender, col(WorkplaceSender.workplace_id) == Workplace.id)
    .where(Workplace.cvr == bindparam("cvr")))
_EMPLOYMENTS_OF = select(Employment).where(
    Employment.cpr == bindparam("cpr"), Employment.workplace_id == bindparam("workplace_id"))
_HELD_CLAIMS_OF = select(ClaimRow).where(
    col(ClaimRow.employment_id).in_(bindparam("employment_ids", expanding=True)),
    ClaimRow.inbound_id != bindparam("inbound_id"),
    col(ClaimRow.status).in_(HELD))


@dataclass(frozen=True)
class WorkplaceRecord:
    id: int
    cvr: str
    name: str
    senders: tuple[str, ...]  # normalised patterns, sorted
    created_at: datetime


def normal_cvr(cvr: str) -> str:
    """A CVR number as stored: its digits ("12 34 56 78" as written on letters)."""
    return compact_digits(cvr)


class Repository:
    """Named queries and changes on one session; ``limits`` are the scheme's."""

    def __init__(self, db: Session, limits: Limits | None = None) -> None:
        self.db = db
        self.limits = limits or Limits()

    def lock_register(self) -> None:
        """Serialise register changes and claim judging until the transaction ends."""
        exclusive(self.db, REGISTER_LOCK)

    def lock_for_judging(self, claims: Iterable[tuple[Claim, Part]]) -> None:
        """Lock what judging these claims reads and storing them writes, until the
        transaction ends: the register against changes (shared: other judging goes on),
        and each claim's citizen and payslip against other judging (``register_slice``
        reads the claims held for the citizen's employments and for the same PDF). Two
        mails about different citizens are judged side by side; about one citizen, or
        with one PDF, first come, first served."""
        keys = []
        for claim, part in claims:
            if claim.cpr is not None:
                keys.append(f"claims:cpr:{claim.cpr.digits}")
            if part.sha256 is not None:
                keys.append(f"claims:payslip:{part.sha256}")
        exclusive_keys(self.db, keys, inside=REGISTER_LOCK)

    # -- workplaces ---------------------------------------------------------------------

    def workplace(self, workplace_id: int) -> Workplace | None:
        return self.db.get(Workplace, workplace_id)

    def workplace_by_cvr(self, cvr: str) -> Workplace | None:
        """The workplace with this CVR, however it is spaced (the one lookup by CVR)."""
        return self.db.exec(select(Workplace).where(Workplace.cvr == normal_cvr(cvr))).first()

    def workplace_record(self, workplace: Workplace) -> WorkplaceRecord:
        assert workplace.id is not None
        return WorkplaceRecord(
            id=workplace.id, cvr=workplace.cvr, name=workplace.name,
            senders=tuple(self.sender_patterns(workplace.id)), created_at=workplace.created_at,
        )

    def workplaces(self) -> list[WorkplaceRecord]:
        rows = self.db.exec(select(Workplace).order_by(col(Workplace.name), col(Workplace.cvr)))
        return [self.workplace_record(workplace) for workplace in rows.all()]

    def workplace_names(self) -> dict[int, str]:
        return {w.id or 0: w.name for w in self.db.exec(select(Workplace)).all()}

    def workplace_and_senders(self, cvr: str) -> tuple[Workplace | None, list[str]]:
        """The workplace with this CVR and its sender patterns (sorted), in one query:
        judging a claim needs both."""
        found = self.db.exec(_WORKPLACE_AND_SENDERS,
                             params={"cvr": normal_cvr(cvr)}).all()  # type: ignore[call-overload]
        if not found:
            return None, []
        return found[0][0], sorted(p for _, p in found if p is not None)

    def sender_patterns(self, workplace_id: int | None) -> list[str]:
        query = select(WorkplaceSender.pattern).where(
            WorkplaceSender.workplace_id == workplace_id)
        return sorted(self.db.exec(query).all())

    def save_workplace(self, cvr: str, name: str, senders: Iterable[str] = ()
                       ) -> WorkplaceRecord:
        """Add a workplace, or for a known CVR: rename it and add the new senders."""
        cvr = _valid_cvr(cvr)
        name = name.strip()
        if not name:
            raise RegisterError(["the workplace needs a name"])
        patterns = _valid_senders(senders)
        self.lock_register()
        workplace = self.workplace_by_cvr(cvr) or Workplace(cvr=cvr, name=name)
        workplace.name = name
        self.db.add(workplace)
        self.db.flush()
        known = set(self.sender_patterns(workplace.id))
        for pattern in sorted(set(patterns) - known):
            self.db.add(WorkplaceSender(workplace_id=workplace.id, pattern=pattern))
        self.db.flush()
        return self.workplace_record(workplace)

    def remove_sender(self, workplace_id: int, pattern: str) -> bool:
        """Stop accepting ``pattern`` for a workplace; False if it was not a sender."""
        gone = self.db.execute(delete(WorkplaceSender).where(
            col(WorkplaceSender.workplace_id) == workplace_id,
            col(WorkplaceSender.pattern) == pattern)).rowcount
        return bool(gone)

    # -- employments ----------------------------------------------------------------------

    def employment(self, employment_id: int) -> Employment | None:
        return self.db.get(Employment, employment_id)

    def add_employment(
        self, cpr: str, citizen_name: str, cvr: str, hours: Decimal, start: date, end: date,
        reason: str, intake_id: int | None = None,
    ) -> Employment:
        """Approve an employment if the rules allow it (``handlers.register``); the pool
        check and the insert are one step under the register lock."""
        digits = _valid_cpr(cpr)
        cvr = _valid_cvr(cvr)
        hours = Decimal(hours)
        reasons = []
        if not citizen_name.strip():
            reasons.append("the citizen's name is missing")
        if not reason.strip():
            reasons.append("the reason why the employment is temporary is missing")
        self.lock_register()
        workplace = self.workplace_by_cvr(cvr)
        if workplace is None:
            reasons.append(f"no workplace with CVR {cvr}; add it first")
        else:
            reasons += register.check_new_employment(
                hours, start, end, self.spans(start, end),
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
        self.db.add(employment)
        self.db.flush()
        return employment

    def employments(self, active_on: date | None = None) -> list[Employment]:
        """All employments, or those using the pool on ``active_on``; oldest start first."""
        query = select(Employment).order_by(col(Employment.start_date), col(Employment.id))
        if active_on is not None:
            query = query.where(_overlapping(active_on, active_on))
        return list(self.db.exec(query).all())

    def end_employment(self, employment_id: int, on: date) -> Employment:
        """End an employment early: ``on`` is its last day (before the start: cancelled)."""
        self.lock_register()
        employment = self.employment(employment_id)
        if employment is None:
            raise RegisterError([f"no employment with id {employment_id}"])
        if employment.status == "ended":
            raise RegisterError([
                f"employment {employment_id} already ended on {employment.last_day}"])
        if on > employment.end_date:
            raise RegisterError([
                f"employment {employment_id} ends on {employment.end_date} already; "
                f"it cannot be ended later ({on})"])
        employment.status = "ended"
        employment.ended_on = on
        self.db.add(employment)
        self.db.flush()
        return employment

    def spans(self, start: date, end: date) -> list[Span]:
        """Employments using the pool on some day of ``[start, end]``, as rule inputs."""
        query = (
            select(Employment, Workplace.cvr)
            .join(Workplace, col(Workplace.id) == col(Employment.workplace_id))
            .where(_overlapping(start, end))
        )
        return [_span(e, cvr) for e, cvr in self.db.exec(query).all()]

    def pool_status(self, on: date) -> PoolStatus:
        return register.pool_status(self.spans(on, on), on, self.limits.pool_hours)

    # -- inbound mail ---------------------------------------------------------------------

    def inbound(self, inbound_id: int, *, for_update: bool = False, raw: bool = True,
                ) -> InboundMessage | None:
        """``for_update``: the row locked until the transaction ends (its lease is checked
        and its outcome stored by one instance only). ``raw=False``: the mail's bytes
        are loaded only if read (a mail can be megabytes; storing its outcome needs none
        of them)."""
        options = [] if raw else [defer(InboundMessage.raw)]  # type: ignore[arg-type]
        return self.db.get(InboundMessage, inbound_id, with_for_update=for_update,
                           options=options)

    def inbound_id_by_digest(self, digest: str) -> int | None:
        query = select(InboundMessage.id).where(InboundMessage.sha256 == digest)
        return self.db.exec(query).first()

    def add_inbound(self, message: InboundMessage) -> int:
        self.db.add(message)
        self.db.flush()
        assert message.id is not None
        return message.id

    def find_inbound(self, number_or_message_id: str) -> int | None:
        """A stored message by its number, or by its Message-ID (with or without <>);
        the newest of several copies."""
        query = select(InboundMessage.id)
        if number_or_message_id.isdigit():
            query = query.where(InboundMessage.id == int(number_or_message_id))
        else:
            wanted = number_or_message_id.strip()
            wanted = wanted if wanted.startswith("<") else f"<{wanted}>"
            query = query.where(InboundMessage.message_id == wanted)
        return self.db.exec(query.order_by(col(InboundMessage.id).desc())).first()

    def imap_state(self, host: str, username: str, folder: str) -> ImapState | None:
        return self.db.exec(select(ImapState).where(
            ImapState.host == host, ImapState.username == username,
            ImapState.folder == folder)).first()

    def imap_done(self, folder: str, uidvalidity: int) -> dict[int, int]:
        """``{UID: inbound id}`` of messages processed but still in ``folder``."""
        rows = self.db.exec(select(InboundMessage.imap_uid, InboundMessage.id).where(
            InboundMessage.channel == "imap", InboundMessage.imap_folder == folder,
            InboundMessage.imap_uidvalidity == uidvalidity,
            InboundMessage.status == "processed")).all()
        return {uid: inbound_id for uid, inbound_id in rows
                if uid is not None and inbound_id is not None}

    def inbound_messages(self, ids: Iterable[int]) -> list[InboundMessage]:
        return list(self.db.exec(select(InboundMessage).where(
            col(InboundMessage.id).in_(list(ids)))).all())

    # -- claims -----------------------------------------------------------------------------

    def claim_by_reference(self, reference: str) -> ClaimRow | None:
        """A claim by its reference, like R-2026-000042 (any case, spaces around)."""
        return self.db.exec(select(ClaimRow).where(
            ClaimRow.reference == reference.strip().upper())).first()

    def claims(self, *, period_from: date | None = None, period_before: date | None = None,
               status: str | None = None, workplace_id: int | None = None,
               newest_first: bool = False, offset: int = 0,
               limit: int | None = None) -> list[ClaimRow]:
        """Claims whose period starts in ``[period_from, period_before)``, by id."""
        query = select(ClaimRow).where(*_claim_filter(period_from, period_before, status,
                                                      workplace_id))
        query = query.order_by(col(ClaimRow.id).desc() if newest_first else col(ClaimRow.id))
        if offset:
            query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return list(self.db.exec(query).all())

    def count_claims(self, *, period_from: date | None = None,
                     period_before: date | None = None, status: str | None = None,
                     workplace_id: int | None = None) -> int:
        return self.db.exec(select(func.count()).select_from(ClaimRow).where(
            *_claim_filter(period_from, period_before, status, workplace_id))).one()

    def outbox_of(self, claim: ClaimRow) -> list[OutboundMessage]:
        """The mail queued about a claim, in queue order: its own (summary, review notice,
        decisions) and the reply to the mail it came with (one reply answers every claim
        in a mail, so it carries no claim id)."""
        replies = (col(OutboundMessage.claim_id).is_(None)
                   & (OutboundMessage.inbound_id == claim.inbound_id)
                   & (OutboundMessage.kind == "reply"))
        return list(self.db.exec(select(OutboundMessage).where(
            (OutboundMessage.claim_id == claim.id) | replies)
            .order_by(col(OutboundMessage.id))).all())

    def corrections_of(self, claim_id: int | None) -> list[ClaimCorrection]:
        return list(self.db.exec(select(ClaimCorrection).where(
            ClaimCorrection.claim_id == claim_id).order_by(col(ClaimCorrection.id))).all())

    def history_of(self, claim_id: int | None) -> list[AuditEntry]:
        return list(self.db.exec(select(AuditEntry).where(AuditEntry.claim_id == claim_id)
                                 .order_by(col(AuditEntry.id))).all())

    def register_slice(
        self, claim: Claim, part: Part, sender: str | None, envelope_from: str,
        inbound_id: int, earlier_rows: Sequence[ClaimRow],
    ) -> RegisterSlice:
        """What the register says about one claim, as the review rule takes it: the
        workplace, whether the sender may claim for it, the citizen's employments there,
        the claims already held for them, and an earlier claim of the very same PDF.
        ``earlier_rows``: claims stored from the same mail in this transaction."""
        same = self.same_payslip(part, inbound_id, earlier_rows)
        if claim.cvr is None or claim.cpr is None:
            return RegisterSlice(workplace_known=False, sender_allowed=False, same_payslip=same)
        workplace, patterns = self.workplace_and_senders(claim.cvr)
        if workplace is None:
            return RegisterSlice(workplace_known=False, sender_allowed=False, same_payslip=same)
        allowed = routing.sender_authorised(sender, envelope_from, patterns)
        employments = self.db.exec(_EMPLOYMENTS_OF, params={  # type: ignore[call-overload]
            "cpr": claim.cpr.digits, "workplace_id": workplace.id}).all()
        views = tuple(EmploymentView(e.id or 0, e.hours_per_week, e.start_date, e.last_day,
                                     e.status) for e in employments)
        ids = [e.id for e in employments]
        prior_rows = self.db.exec(_HELD_CLAIMS_OF, params={  # type: ignore[call-overload]
            "employment_ids": ids, "inbound_id": inbound_id}).all() if ids else []
        prior = [_prior(r) for r in prior_rows if not _is_duplicate_row(r)]
        prior += [_prior(r) for r in earlier_rows if r.employment_id in ids and r.status in
                  HELD and not _is_duplicate_row(r)]
        return RegisterSlice(True, allowed, views, tuple(prior), same, workplace.id)

    def same_payslip(self, part: Part, inbound_id: int,
                     earlier_rows: Sequence[ClaimRow] = ()) -> str | None:
        """The reference of an earlier held or paid claim of the very same PDF, in any
        mail (this one included). A copy is never a second payment, whatever mail it
        came in."""
        if part.sha256 is None:
            return None
        for row in earlier_rows:
            if row.payslip_sha256 == part.sha256 and row.status in CLAIMED:
                return row.reference
        return self.db.exec(_SAME_PAYSLIP, params={  # type: ignore[call-overload]
            "sha256": part.sha256, "inbound_id": inbound_id}).first()

    def upsert_claim(self, inbound_id: int, claim: Claim, part: Part, decision: Decision,
                     register_slice: RegisterSlice, fresh: bool = False) -> ClaimRow:
        """Store a judged claim under its part's key: a new row, or the same claim judged
        again (a reprocessed mail, a correction) updated in place. ``fresh``: the mail
        was never processed, so it has no claims yet to look for."""
        row = None if fresh else self.db.exec(select(ClaimRow).where(
            ClaimRow.inbound_id == inbound_id, ClaimRow.part == part.key)).first()
        if row is None and not fresh:
            # A claim stored before migration 0003 (keyed by file name): reprocessing the
            # message updates it instead of adding a second claim beside it.
            row = self.db.exec(select(ClaimRow).where(
                ClaimRow.inbound_id == inbound_id, ClaimRow.source == claim.source[:255],
                col(ClaimRow.part).startswith("legacy:"))).first()
        if row is None:
            row = ClaimRow(inbound_id=inbound_id, source=claim.source[:255], part=part.key,
                           status=decision.status)
        _fill_claim_row(row, claim, part, decision)
        if claim.cvr and register_slice.workplace_known:
            row.workplace_id = register_slice.workplace_id  # looked up by register_slice
        self.db.add(row)
        self.db.flush()
        return row

    def add_correction(self, row: ClaimRow, field: str, old: str | None, new: str,
                       by: str) -> None:
        self.db.add(ClaimCorrection(claim_id=row.id or 0, field=field, old_value=old,
                                    new_value=new, by=by))

    def audit(self, actor: str, action: str, row: ClaimRow | None, reason: str,
              details: dict[str, Any], subject: str = "") -> None:
        """An audit row: who, when (now), what, why; about a claim or a ``subject``."""
        self.db.add(AuditEntry(actor=actor, action=action, claim_id=row.id if row else None,
                               subject=(row.reference or "") if row else subject,
                               reason=reason, details=details))

    # -- outgoing mail ------------------------------------------------------------------------

    def replies_last_hour(self, recipient: str, now: datetime) -> int:
        """Automatic replies queued to ``recipient`` in the hour before ``now``."""
        since = now - timedelta(hours=1)
        return self.db.exec(select(func.count()).select_from(OutboundMessage).where(
            OutboundMessage.kind == "reply", OutboundMessage.recipient == recipient,
            col(OutboundMessage.created_at) >= since)).one()

    # -- invites and chat users ------------------------------------------------------------

    def add_invite(self, digest: str, cvr: str, manager_name: str,
                   expires_at: datetime) -> None:
        workplace = self.workplace_by_cvr(cvr)
        if workplace is None or workplace.id is None:
            raise RegisterError([f"no workplace with CVR {cvr}; add it first with "
                                 "'assistant workplaces add'"])
        self.db.add(Invite(token_hash=digest, workplace_id=workplace.id,
                           manager_name=manager_name, expires_at=expires_at))

    def use_invite(self, digest: str, holder: str, now: datetime) -> tuple[Invite | None, bool]:
        """Mark an unused, unexpired invite used by ``holder``: ``(invite, True)`` when
        this call won it. One conditional UPDATE whose row count says who won, on SQLite
        as on PostgreSQL (``assistant.intakes.IntakeStore.redeem`` says why)."""
        claimed = self.db.execute(
            update(Invite)
            .where(col(Invite.token_hash) == digest, col(Invite.used_at).is_(None),
                   col(Invite.expires_at) > now)
            .values(used_at=now, used_by=holder)
        ).rowcount
        invite = self.db.exec(select(Invite).where(Invite.token_hash == digest)).first()
        return invite, claimed == 1

    def chat_user(self, channel: str, user_id: str) -> ChatUser | None:
        return self.db.exec(select(ChatUser).where(ChatUser.channel == channel,
                                                   ChatUser.user_id == user_id)).first()

    def chat_user_by_id(self, chat_user_id: int | None) -> ChatUser | None:
        return self.db.get(ChatUser, chat_user_id) if chat_user_id is not None else None

    def pending_chat(self, channel: str, limit: int = 50) -> list[ChatMessage]:
        return list(self.db.exec(
            select(ChatMessage).where(ChatMessage.channel == channel,
                                      ChatMessage.status == "pending")
            .order_by(col(ChatMessage.id)).limit(limit)).all())

    def chat_message(self, message_id: int) -> ChatMessage | None:
        return self.db.get(ChatMessage, message_id)

    def chat_messages_keyed(self, prefix: str) -> list[ChatMessage]:
        """Chat messages whose dedup key starts with ``prefix`` (a form's questions)."""
        return list(self.db.exec(select(ChatMessage).where(
            col(ChatMessage.dedup_key).startswith(prefix))).all())

    # -- intakes ------------------------------------------------------------------------------

    def intake(self, intake_id: int, for_update: bool = False) -> Intake | None:
        query = select(Intake).where(Intake.id == intake_id)
        return self.db.exec(query.with_for_update() if for_update else query).first()

    def intakes(self, chat_user_id: int | None = None,
                status: str | None = None) -> list[Intake]:
        """First come, first served: by submit time, then id; drafts (no submit time)
        last on both backends (SQLite and PostgreSQL put NULLs at opposite ends)."""
        query = select(Intake).order_by(col(Intake.submitted_at).is_(None),
                                        col(Intake.submitted_at), col(Intake.id))
        if chat_user_id is not None:
            query = query.where(Intake.chat_user_id == chat_user_id)
        if status is not None:
            query = query.where(Intake.status == status)
        return list(self.db.exec(query).all())

    def intake_queue(self) -> list[QueuedForm]:
        """The submitted forms as the first-come-first-served rule sees them."""
        return [queued_form(i) for i in self.intakes(status="submitted")]


def queued_form(intake: Intake) -> QueuedForm:
    hours = JobDescription.from_dict(intake.job).hours_per_week if intake.job else Decimal(0)
    return QueuedForm(intake.id or 0, intake.submitted_at, hours)


# -- rows to rule inputs and back ------------------------------------------------------------


def _span(e: Employment, cvr: str) -> Span:
    return Span(cpr=e.cpr, cvr=cvr, hours=e.hours_per_week, start=e.start_date, end=e.last_day,
                id=e.id)


def _overlapping(start: date, end: date) -> ColumnElement[bool]:
    """SQL: the employment uses the pool on some day of ``[start, end]``."""
    return and_(
        col(Employment.start_date) <= end,
        col(Employment.end_date) >= start,
        or_(col(Employment.ended_on).is_(None), col(Employment.ended_on) >= start),
    )


def _claim_filter(period_from: date | None, period_before: date | None, status: str | None,
                  workplace_id: int | None) -> list[Any]:
    conditions: list[Any] = []
    if period_from is not None:
        conditions.append(col(ClaimRow.period_start) >= period_from)
    if period_before is not None:
        conditions.append(col(ClaimRow.period_start) < period_before)
    if status:
        conditions.append(ClaimRow.status == status)
    if workplace_id:
        conditions.append(ClaimRow.workplace_id == workplace_id)
    return conditions


def _is_duplicate_row(row: ClaimRow) -> bool:
    """A claim held as a duplicate does not make later claims duplicates too."""
    return any(p.get("code") in ("duplicate", "duplicate_payslip") for p in row.problems)


def _prior(row: ClaimRow) -> PriorClaim:
    assert row.period_start and row.period_end and row.employment_id is not None
    return PriorClaim(row.reference or "", row.employment_id, row.period_start, row.period_end,
                      row.sick_hours or Decimal(0))


def _fill_claim_row(row: ClaimRow, claim: Claim, part: Part, decision: Decision) -> None:
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


# -- checking what people type -----------------------------------------------------------------


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
