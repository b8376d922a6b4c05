"""Storage for the intake bot: invites, chat users, job forms and the chat outbox.

The bot's service (``assistant.bot.service``), the CLI and the desk change intakes only
through :class:`IntakeStore`; each method is one transaction on
:class:`assistant.repository.Repository`. Every answer is committed as it comes (a draft survives
a restart); submitting stores the completed form and queues the consultants' e-mail in
one transaction, so a submitted form always has its e-mail.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from assistant.db import session
from assistant.models import ChatMessage, ChatUser, Employment, Intake, Workplace
from assistant.outbox import enqueue
from assistant.repository import Repository, queued_form
from handlers.i18n import language, render
from handlers.intake_queue import queue_refusal, waiting_before
from handlers.job import JobDescription
from handlers.job_texts import hours
from handlers.locale.bot import BOT
from handlers.register import Limits, PoolStatus, RegisterError, latest_end
from handlers.summary import day


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Redeemed:
    user: ChatUser | None
    refusal: str | None = None  # unknown | used | expired


class IntakeStore:
    """The intake use cases, one transaction each, on :class:`Repository`."""

    def __init__(self, engine: Engine, limits: Limits | None = None) -> None:
        self.engine = engine
        self.limits = limits or Limits()

    def _repo(self, db: Session) -> Repository:
        return Repository(db, self.limits)

    # -- invites and chat users ---------------------------------------------------

    def create_invite(self, cvr: str, manager_name: str, valid_for: timedelta,
                      now: datetime | None = None) -> str:
        """A new single-use token for ``manager_name`` at the workplace ``cvr``, valid for
        ``valid_for`` from ``now`` (the clock's time unless given)."""
        if not manager_name.strip():
            raise RegisterError(["the manager's name is missing (--name)"])
        if valid_for <= timedelta(0):
            raise RegisterError(["an invite must be valid for some time (--valid-hours > 0)"])
        token = secrets.token_urlsafe(16)  # 22 characters: fits Telegram's /start payload
        with session(self.engine) as db:
            self._repo(db).add_invite(token_hash(token), cvr, manager_name.strip(),
                                      (now or utcnow()) + valid_for)
        return token

    def redeem(self, channel: str, user_id: str, token: str, now: datetime) -> Redeemed:
        """Bind ``user_id`` to the invite's workplace; the invite cannot be used again.

        The claim is one conditional UPDATE (``... WHERE used_at IS NULL``) whose row
        count says who won: of users redeeming the same token at the same moment exactly
        one is bound, on SQLite as on PostgreSQL. (A SELECT ... FOR UPDATE first is a
        no-op on SQLite, and on SQLite a read before the write would make a concurrent
        redemption fail with "database is locked" instead of waiting for the lock.)
        """
        holder = f"{channel}:{user_id}"
        with session(self.engine) as db:
            repo = self._repo(db)
            invite, won = repo.use_invite(token_hash(token), holder, now)
            if invite is None:
                return Redeemed(None, "unknown")
            if not won:
                if invite.used_at is None:
                    return Redeemed(None, "expired")
                same = invite.used_by == holder
                return Redeemed(repo.chat_user(channel, user_id) if same else None,
                                None if same else "used")
            user = repo.chat_user(channel, user_id) or ChatUser(
                channel=channel, user_id=user_id, workplace_id=invite.workplace_id,
                manager_name=invite.manager_name)
            user.workplace_id, user.manager_name = invite.workplace_id, invite.manager_name
            db.add(user)
            db.flush()
            return Redeemed(user)

    def chat_user(self, channel: str, user_id: str) -> ChatUser | None:
        with session(self.engine) as db:
            return self._repo(db).chat_user(channel, user_id)

    def set_language(self, user: ChatUser, language: str) -> None:
        with session(self.engine) as db:
            row = self._repo(db).chat_user_by_id(user.id)
            if row is not None:
                row.language = language
                db.add(row)

    def workplace(self, workplace_id: int) -> Workplace | None:
        with session(self.engine) as db:
            return self._repo(db).workplace(workplace_id)

    def pool_status(self, on: date) -> PoolStatus:
        """The pool on ``on`` (what the form offers a manager)."""
        with session(self.engine) as db:
            return self._repo(db).pool_status(on)

    # -- intakes ------------------------------------------------------------------

    def new_intake(self, user: ChatUser, state: dict[str, Any]) -> Intake:
        with session(self.engine) as db:
            intake = Intake(chat_user_id=user.id or 0, workplace_id=user.workplace_id,
                            manager_name=user.manager_name, state=state)
            db.add(intake)
            db.flush()
            row = self._repo(db).chat_user_by_id(user.id)
            assert row is not None
            row.intake_id = intake.id
            db.add(row)
            return intake

    def switch(self, user: ChatUser, intake_id: int | None) -> None:
        with session(self.engine) as db:
            row = self._repo(db).chat_user_by_id(user.id)
            if row is not None:
                row.intake_id = intake_id
                db.add(row)

    def intake(self, intake_id: int) -> Intake | None:
        with session(self.engine) as db:
            return self._repo(db).intake(intake_id)

    def intakes(self, chat_user_id: int | None = None, status: str | None = None) -> list[Intake]:
        """Oldest first (first come, first served is by submit time, then id)."""
        with session(self.engine) as db:
            return self._repo(db).intakes(chat_user_id, status)

    def save_state(self, intake_id: int, state: dict[str, Any]) -> None:
        with session(self.engine) as db:
            intake = self._repo(db).intake(intake_id)
            if intake is None or intake.status != "draft":
                return
            intake.state, intake.updated_at = state, utcnow()
            db.add(intake)

    def cancel(self, intake_id: int) -> None:
        with session(self.engine) as db:
            intake = self._repo(db).intake(intake_id)
            if intake is not None and intake.status == "draft":
                intake.status, intake.updated_at = "cancelled", utcnow()
                db.add(intake)

    def submit(self, intake_id: int, state: dict[str, Any], job: JobDescription,
               mail: EmailMessage) -> bool:
        """Store the completed form and queue the consultants' e-mail; False if the form
        was not a draft any more (submitted twice)."""
        with session(self.engine) as db:
            intake = self._repo(db).intake(intake_id, for_update=True)
            if intake is None or intake.status != "draft":
                return False
            now = utcnow()
            intake.state, intake.job, intake.status = state, job.as_dict(), "submitted"
            intake.submitted_at = intake.updated_at = now
            db.add(intake)
            enqueue(db, kind="intake", message=mail, dedup_key=f"intake:{intake_id}:submitted")
            return True

    def approve(self, intake_id: int, cpr: str, name: str, start: date) -> Employment:
        """Turn a submitted form into an approved employment, first come first served.

        One transaction under the register lock: the queue check, the pool check, the
        employment, the form's new status and the manager's chat message all happen or
        none does, so two consultants approving at once cannot both take the last hours
        or approve the same form twice."""
        with session(self.engine) as db:
            repo = self._repo(db)
            repo.lock_register()
            intake = repo.intake(intake_id)
            if intake is None:
                raise RegisterError([f"no intake with id {intake_id}"])
            if intake.status != "submitted" or intake.job is None:
                raise RegisterError([f"intake {intake_id} is {intake.status}; only a "
                                     "submitted intake can be approved"])
            job = JobDescription.from_dict(intake.job)
            _check_queue(repo, intake, start)
            workplace = repo.workplace(intake.workplace_id)
            assert workplace is not None
            employment = repo.add_employment(
                cpr, name, workplace.cvr, job.hours_per_week, start,
                latest_end(start, job.duration_months), job.temporary_reason,
                intake_id=intake_id)
            intake.status, intake.employment_id, intake.updated_at = (
                "approved", employment.id, utcnow())
            db.add(intake)
            user = repo.chat_user_by_id(intake.chat_user_id)
            if user is not None:
                db.add(_approval_message(user, intake_id, job, start, employment.end_date))
            return employment

    def ask(self, intake_id: int, question: str, reply_to: str) -> Intake:
        """Send the manager a consultant's question about a submitted form, in the chat
        the form came from; the form stays submitted (in its place in the queue).
        ``reply_to`` is where the manager answers (the consultants' address)."""
        question = question.strip()
        if not question:
            raise RegisterError(["the question is empty; write what you want to ask"])
        with session(self.engine) as db:
            repo = self._repo(db)
            intake, user = _submitted(repo, intake_id, "asked about")
            if user is not None:
                asked = repo.chat_messages_keyed(f"intake:{intake_id}:question:")
                db.add(_manager_message(user, intake, "question", question, reply_to,
                                        f"intake:{intake_id}:question:{len(asked) + 1}"))
            return intake

    def decline(self, intake_id: int, reason: str, reply_to: str) -> Intake:
        """Decline a submitted form with a reason; the manager is told in the chat the
        form came from. The form is cancelled (it leaves the queue)."""
        reason = reason.strip()
        if not reason:
            raise RegisterError(["the reason is missing; the manager is told why"])
        with session(self.engine) as db:
            intake, user = _submitted(self._repo(db), intake_id, "declined")
            intake.status, intake.updated_at = "cancelled", utcnow()
            db.add(intake)
            if user is not None:
                db.add(_manager_message(user, intake, "declined", reason, reply_to,
                                        f"intake:{intake_id}:declined"))
            return intake

    # -- the chat outbox ----------------------------------------------------------

    def pending_chat(self, channel: str, limit: int = 50) -> list[ChatMessage]:
        with session(self.engine) as db:
            return self._repo(db).pending_chat(channel, limit)

    def mark_chat_sent(self, message_id: int) -> None:
        with session(self.engine) as db:
            row = self._repo(db).chat_message(message_id)
            if row is not None and row.status == "pending":
                row.status, row.sent_at = "sent", utcnow()
                db.add(row)


def _submitted(repo: Repository, intake_id: int,
               verb: str) -> tuple[Intake, ChatUser | None]:
    intake = repo.intake(intake_id, for_update=True)
    if intake is None:
        raise RegisterError([f"no intake with id {intake_id}"])
    if intake.status != "submitted":
        raise RegisterError([f"intake {intake_id} is {intake.status}; only a submitted "
                             f"intake can be {verb}"])
    return intake, repo.chat_user_by_id(intake.chat_user_id)


def _check_queue(repo: Repository, intake: Intake, start: date) -> None:
    """An earlier-submitted form waiting for room goes first (``handlers.intake_queue``):
    refuse to approve this one when the pool cannot hold both."""
    form = queued_form(intake)
    earlier = waiting_before(form, repo.intake_queue())
    if earlier:
        reasons = queue_refusal(form, earlier, repo.pool_status(start).left_hours, start)
        if reasons:
            raise RegisterError(reasons)


def _approval_message(user: ChatUser, intake_id: int, job: JobDescription, start: date,
                      end: date) -> ChatMessage:
    # No citizen's name or CPR: the manager hears it from the consultant.
    lang = language(user.language)
    text = render(BOT, "approved", lang, location=job.location, number=intake_id,
                  hours=hours(job.hours_per_week, lang), start=day(start, lang),
                  end=day(end, lang))
    return ChatMessage(channel=user.channel, user_id=user.user_id, text=text,
                       dedup_key=f"intake:{intake_id}:approved")


def _manager_message(user: ChatUser, intake: Intake, kind: str, text: str, reply_to: str,
                     dedup_key: str) -> ChatMessage:
    """A consultant's question or refusal, to the manager in the chat's language."""
    job = JobDescription.from_dict(intake.job) if intake.job else None
    where = f" \"{job.location}\"" if job else ""
    answer = f" {reply_to}" if reply_to else ""
    if user.language == "en":
        head = (f"The jobcenter has a question about the job{where} (form {intake.id}):"
                if kind == "question" else
                f"The jobcenter cannot approve the job{where} (form {intake.id}):")
        tail = (f"Please answer the consultant by e-mail{answer}." if kind == "question"
                else f"Questions: write to the consultant{answer}.")
    else:
        head = (f"Jobcentret har et spørgsmål til jobbet{where} (skema {intake.id}):"
                if kind == "question" else
                f"Jobcentret kan ikke godkende jobbet{where} (skema {intake.id}):")
        tail = (f"Svar venligst konsulenten på e-mail{answer}." if kind == "question"
                else f"Spørgsmål: skriv til konsulenten{answer}.")
    return ChatMessage(channel=user.channel, user_id=user.user_id,
                       text=f"{head}\n\n{text}\n\n{tail}", dedup_key=dedup_key)
