"""Database tables (SQLModel). The schema is created by the Alembic migrations in
``migrations/``; a test checks that they and these models agree on both SQLite and
PostgreSQL, so change both together.

Conventions:
- money is ``Numeric(12, 2)`` read as ``Decimal``; hours are ``Numeric`` too, never float;
- timestamps are timezone-aware UTC (:class:`UTCDateTime`), dates are plain ``date``;
- CPR numbers are stored as 10 digits without the hyphen. They must never leave the
  database unmasked except in the economy group's export (``parsers.identifiers.mask_cpr``);
- status columns are short strings; the allowed values are listed on each model.

No ORM relationships on purpose: the store hands out detached rows, and a lazy load on
a detached row fails at a distance. Join explicitly instead.
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Dialect,
    Index,
    LargeBinary,
    Numeric,
    Text,
    UniqueConstraint,
    bindparam,
    event,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from handlers import claim_status

# Deterministic constraint names: Alembic needs names to alter or drop constraints later
# (SQLite batch mode above all), and the same names on both backends keep migrations simple.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MONEY = Numeric(12, 2)
HOURS = Numeric(7, 2)  # hours on a payslip for a month: room for nonsense like 9999.99
WEEKLY_HOURS = Numeric(4, 2)  # an employment's hours per week: 0 < h <= 10


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so the value is stored
    as naive UTC and made aware again on the way out. Naive datetimes are refused: their
    meaning depends on the machine's clock settings.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Default factories are Python functions, not the builtins ``list`` and ``dict``: pydantic
# inspects a factory's signature on every construction, and a builtin's is parsed from
# text each time (about 80 us; a third of building a claim row).
def empty_list() -> list[Any]:
    return []


def empty_dict() -> dict[str, Any]:
    return {}


def _created_at() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Workplace(SQLModel, table=True):
    """A workplace (arbejdsplads): the employer, identified by its CVR number."""

    __tablename__ = "workplace"

    id: int | None = Field(default=None, primary_key=True)
    cvr: str = Field(max_length=8, unique=True)
    name: str = Field(max_length=200)
    created_at: datetime = _created_at()


class WorkplaceSender(SQLModel, table=True):
    """An address or domain a workplace sends claims from.

    ``pattern`` is lower case: a full address ``lon@firma.dk`` or a bare domain
    ``firma.dk`` (never with a leading ``@``; see ``handlers.register.normalize_sender``).
    The same pattern may belong to several workplaces (one municipal domain, many units).
    """

    __tablename__ = "workplace_sender"
    __table_args__ = (UniqueConstraint("workplace_id", "pattern"),)

    id: int | None = Field(default=None, primary_key=True)
    workplace_id: int = Field(foreign_key="workplace.id", ondelete="CASCADE")
    pattern: str = Field(max_length=320, index=True)


class Employment(SQLModel, table=True):
    """An approved employment (ansættelse) that uses hours of the pool.

    ``status``: ``approved`` | ``ended``. ``end_date`` is the planned last day; an
    employment ended early has ``ended_on`` (its real last day, inclusive) and status
    ``ended``. :attr:`last_day` is the day it stops using the pool.
    """

    __tablename__ = "employment"
    __table_args__ = (
        CheckConstraint("status IN ('approved', 'ended')", name="status"),
        CheckConstraint("hours_per_week > 0", name="hours_positive"),
        CheckConstraint("end_date >= start_date", name="period"),
        Index(None, "start_date", "end_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cpr: str = Field(max_length=10, index=True)
    citizen_name: str = Field(max_length=200)
    workplace_id: int = Field(foreign_key="workplace.id", index=True)
    hours_per_week: Decimal = Field(sa_type=WEEKLY_HOURS)
    start_date: date
    end_date: date
    reason: str = Field(sa_type=Text)  # why the job is temporary (required by the scheme)
    status: str = Field(default="approved", max_length=16)
    created_at: datetime = _created_at()
    ended_on: date | None = None
    intake_id: int | None = None  # the intake (job form) it came from, when there was one

    @property
    def last_day(self) -> date:
        """The last day the employment uses the pool: the planned end or the early end."""
        if self.ended_on is not None and self.ended_on < self.end_date:
            return self.ended_on
        return self.end_date


class InboundMessage(SQLModel, table=True):
    """An e-mail exactly as received, stored before anything else happens to it.

    ``channel``: ``smtp`` | ``imap``. ``status``: ``received`` | ``processed`` | ``failed``.
    ``sha256`` is the content key (``parsers.email.content_key``: the raw bytes without
    the trace fields relays add on top) and unique: a message delivered twice, by SMTP
    retry or re-appearing in IMAP after UIDVALIDITY changed, is one message.
    """

    __tablename__ = "inbound_message"
    __table_args__ = (
        CheckConstraint("channel IN ('smtp', 'imap')", name="channel"),
        CheckConstraint("status IN ('received', 'processed', 'failed')", name="status"),
        # The pick query of several instances: received messages not leased (or whose
        # lease has run out), oldest first.
        Index(None, "status", "lease_until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    channel: str = Field(max_length=8)
    envelope_from: str = Field(sa_type=Text)
    envelope_to: str = Field(sa_type=Text)  # several recipients: comma-separated
    message_id: str | None = Field(default=None, sa_type=Text)  # the Message-ID header
    sha256: str = Field(max_length=64, unique=True)
    raw: bytes = Field(sa_type=LargeBinary)
    size: int
    status: str = Field(default="received", max_length=16, index=True)
    attempts: int = 0
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, sa_type=Text)
    imap_folder: str | None = Field(default=None, max_length=255)
    # IMAP UIDs are unsigned 32-bit: too big for a signed INTEGER on PostgreSQL.
    imap_uidvalidity: int | None = Field(default=None, sa_type=BigInteger)
    imap_uid: int | None = Field(default=None, sa_type=BigInteger)
    # Which ``assistant run`` works on it, and until when (``assistant.instance``); NULL
    # when nobody does. An instance that dies leaves a lease that runs out.
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Claim(SQLModel, table=True):
    """One refund claim (refusionsanmodning): one payslip, or the e-mail body.

    ``reference`` (``R-<year>-<id:06d>``) is assigned right after the INSERT from the id
    and the year of ``created_at`` (UTC); it is NULL only inside that INSERT. Bulk inserts
    that bypass the ORM skip this and must set it themselves.
    ``status``: one of ``handlers.claim_status.CLAIM_STATUSES`` (a CHECK holds it).
    ``missing``: field names; ``problems``: ``{field, code, message, severity}`` dicts
    (``handlers.problems.Problem.as_dict``); ``claimed``: cost item keys.
    Amounts: Danish terms in ``parsers.labels``; AM-bidrag = ``am_contribution``,
    særlig feriegodtgørelse = ``special_holiday_allowance``.
    """

    __tablename__ = "claim"
    __table_args__ = (
        UniqueConstraint("inbound_id", "part"),
        CheckConstraint(claim_status.check_sql(), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str | None = Field(default=None, max_length=32, unique=True)
    inbound_id: int = Field(foreign_key="inbound_message.id")
    source: str = Field(max_length=255)  # the attachment's filename, or "body" (for people)
    # What the claim was read from, unique within the message: "body", or
    # "pdf:<position among the mail's PDFs>:<SHA-256 of the PDF>". Filenames repeat in
    # one mail (two "Lønseddel.pdf", or none), so they cannot key a claim.
    part: str = Field(max_length=100)
    # SHA-256 (hex) of the payslip PDF: the same payslip claimed again in any mail is a
    # duplicate. NULL for a body claim (and claims stored before migration 0003).
    payslip_sha256: str | None = Field(default=None, max_length=64, index=True)
    employment_id: int | None = Field(default=None, foreign_key="employment.id", index=True)
    workplace_id: int | None = Field(default=None, foreign_key="workplace.id", index=True)
    employee_name: str | None = Field(default=None, max_length=200)
    cpr: str | None = Field(default=None, max_length=10, index=True)
    employer_name: str | None = Field(default=None, max_length=200)
    cvr: str | None = Field(default=None, max_length=8)
    period_start: date | None = None
    period_end: date | None = None
    hours: Decimal | None = Field(default=None, sa_type=HOURS)
    sick_hours: Decimal | None = Field(default=None, sa_type=HOURS)
    salary: Decimal | None = Field(default=None, sa_type=MONEY)
    atp: Decimal | None = Field(default=None, sa_type=MONEY)
    pension: Decimal | None = Field(default=None, sa_type=MONEY)
    holiday_pay: Decimal | None = Field(default=None, sa_type=MONEY)
    special_holiday_allowance: Decimal | None = Field(default=None, sa_type=MONEY)
    other: Decimal | None = Field(default=None, sa_type=MONEY)
    am_contribution: Decimal | None = Field(default=None, sa_type=MONEY)
    employer_cost: Decimal | None = Field(default=None, sa_type=MONEY)
    refundable_amount: Decimal | None = Field(default=None, sa_type=MONEY)
    cap_hours: Decimal | None = Field(default=None, sa_type=HOURS)
    capped: bool = False
    status: str = Field(max_length=16, index=True)
    missing: list[str] = Field(default_factory=empty_list, sa_type=JSON)
    problems: list[dict[str, Any]] = Field(default_factory=empty_list, sa_type=JSON)
    claimed: list[str] = Field(default_factory=empty_list, sa_type=JSON)
    created_at: datetime = _created_at()


_CLAIM_TABLE = Claim.__table__  # type: ignore[attr-defined]
_SET_REFERENCE = update(_CLAIM_TABLE).where(_CLAIM_TABLE.c.id == bindparam("claim_id")).values(
    reference=bindparam("new_reference"))  # built once: it runs for every new claim


@event.listens_for(Claim, "after_insert")
def _assign_claim_reference(_mapper: Mapper[Any], connection: Connection, claim: Claim) -> None:
    # The reference is derived from the id, which exists only after the INSERT; set it in
    # the same transaction so a claim is never committed without one.
    reference = claim_reference(claim.id or 0, claim.created_at)
    connection.execute(_SET_REFERENCE, {"claim_id": claim.id, "new_reference": reference})
    set_committed_value(claim, "reference", reference)


def claim_reference(claim_id: int, created_at: datetime) -> str:
    """``R-2026-000042``: what senders quote back and what the economy group books under."""
    return f"R-{created_at.astimezone(UTC).year}-{claim_id:06d}"


class OutboundMessage(SQLModel, table=True):
    """The outbox: a complete RFC 5322 message waiting to be (or already) delivered.

    ``kind``: reply | summary | review | enquiry | intake | ... (free text, for reports).
    ``status``: ``pending`` | ``sent`` | ``failed``. ``dedup_key`` is unique so that
    processing the same inbound message twice cannot queue the same message twice.
    """

    __tablename__ = "outbound_message"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
        Index(None, "status", "next_attempt_at"),
        Index(None, "status", "lease_until"),  # the pick query of several instances
        # Replies to one address in the last hour: the per-sender reply limit.
        Index(None, "kind", "recipient", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _created_at()
    kind: str = Field(max_length=32)
    recipient: str = Field(sa_type=Text)
    subject: str = Field(sa_type=Text)
    raw: bytes = Field(sa_type=LargeBinary)
    dedup_key: str = Field(max_length=255, unique=True)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False
    )
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
    claim_id: int | None = Field(default=None, foreign_key="claim.id", index=True)
    inbound_id: int | None = Field(default=None, foreign_key="inbound_message.id", index=True)
    # The instance delivering it and until when, as on ``InboundMessage``.
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ImapState(SQLModel, table=True):
    """How far the IMAP poller has read one folder of one mailbox."""

    __tablename__ = "imap_state"
    __table_args__ = (UniqueConstraint("host", "username", "folder"),)

    id: int | None = Field(default=None, primary_key=True)
    host: str = Field(max_length=255)
    username: str = Field(max_length=255)
    folder: str = Field(max_length=255)
    uidvalidity: int = Field(sa_type=BigInteger)
    last_uid: int = Field(default=0, sa_type=BigInteger)


class Invite(SQLModel, table=True):
    """A single-use, expiring invitation for a manager to use the intake bot.

    Only the SHA-256 of the token is stored: a leaked database cannot be used to bind
    a chat to a workplace.
    """

    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    workplace_id: int = Field(foreign_key="workplace.id", index=True)
    manager_name: str = Field(max_length=200)
    created_at: datetime = _created_at()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_by: str | None = Field(default=None, max_length=64)  # "<channel>:<user id>"


class ChatUser(SQLModel, table=True):
    """A chat user bound to a workplace by an invite (``channel``: telegram | terminal)."""

    __tablename__ = "chat_user"
    __table_args__ = (UniqueConstraint("channel", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    user_id: str = Field(max_length=64)
    workplace_id: int = Field(foreign_key="workplace.id", index=True)
    manager_name: str = Field(max_length=200)
    language: str = Field(default="da", max_length=2)
    intake_id: int | None = None  # the form the user is filling in now
    created_at: datetime = _created_at()


class Intake(SQLModel, table=True):
    """A job description (the task-and-competence form) from a manager.

    ``status``: draft | submitted | approved | cancelled. ``state`` is the form
    engine's draft (``handlers.intake.Draft``), saved after every answer; ``job`` is the
    completed form (``handlers.job.JobDescription``) from submit on.
    """

    __tablename__ = "intake"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'approved', 'cancelled')",
                        name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_user_id: int = Field(foreign_key="chat_user.id", index=True)
    workplace_id: int = Field(foreign_key="workplace.id", index=True)
    manager_name: str = Field(max_length=200)
    status: str = Field(default="draft", max_length=16, index=True)
    state: dict[str, Any] = Field(default_factory=empty_dict, sa_type=JSON)
    job: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    created_at: datetime = _created_at()
    updated_at: datetime = _created_at()
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    employment_id: int | None = Field(default=None, foreign_key="employment.id")


class ChatMessage(SQLModel, table=True):
    """A chat message the service sends on its own (approval notice, onboarding plan),
    delivered by the transport that owns ``channel``. ``status``: pending | sent."""

    __tablename__ = "chat_message"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent')", name="status"),
        Index(None, "channel", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    user_id: str = Field(max_length=64)
    text: str = Field(sa_type=Text)
    document_name: str | None = Field(default=None, max_length=255)
    document: bytes | None = Field(default=None, sa_type=LargeBinary)
    dedup_key: str = Field(max_length=255, unique=True)
    status: str = Field(default="pending", max_length=16)
    created_at: datetime = _created_at()
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# -- the jobcenter desk (migration 0004): staff, sessions, decisions -----------------------


class Staff(SQLModel, table=True):
    """A person who uses the desk. ``role``: consultant | economy | admin.

    ``password_hash`` is argon2id (``assistant.desk.passwords``); a disabled member
    cannot log in and their sessions are revoked."""

    __tablename__ = "staff"
    __table_args__ = (
        CheckConstraint("role IN ('consultant', 'economy', 'admin')", name="role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=16)
    password_hash: str = Field(sa_type=Text)
    active: bool = True
    language: str = Field(default="da", max_length=2)
    created_at: datetime = _created_at()


class StaffSession(SQLModel, table=True):
    """A server-side login session. Only the SHA-256 of the cookie's token is stored;
    ``revoked_at`` ends it (logout, disable, password reset) before ``expires_at``."""

    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = _created_at()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginAttempt(SQLModel, table=True):
    """A failed login, for throttling (per e-mail address and per client address)."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index(None, "email", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320)
    client: str = Field(max_length=64)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class AuditEntry(SQLModel, table=True):
    """One decision or sensitive action: who, when, what, on which claim, and why.

    ``action``: approve | reject | correct | paid | reveal_cpr | approve_intake |
    staff_add | staff_disable | staff_reset | ... ``actor`` is the staff e-mail, or the
    OS user for the command line."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index(None, "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _created_at()
    actor: str = Field(max_length=320)
    action: str = Field(max_length=32)
    claim_id: int | None = Field(default=None, foreign_key="claim.id", index=True)
    subject: str = Field(default="", max_length=255)  # a reference, an intake, a staff e-mail
    reason: str = Field(default="", sa_type=Text)
    details: dict[str, Any] = Field(default_factory=empty_dict, sa_type=JSON)


class ClaimCorrection(SQLModel, table=True):
    """A field of a claim a person fixed: the old and the new value, who and when. The
    claim row holds the corrected value; these rows are its history."""

    __tablename__ = "claim_correction"

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    field: str = Field(max_length=64)
    old_value: str | None = Field(default=None, sa_type=Text)
    new_value: str = Field(sa_type=Text)
    by: str = Field(max_length=320)
    at: datetime = _created_at()
