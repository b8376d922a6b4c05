"""The outbox: outgoing mail is queued in the database and delivered by a worker.

Queuing happens in the same transaction that stores the claim (``enqueue``), so a
reply or summary exists exactly when its claim does. Delivery guarantees:
- ``directory`` mode writes ``<id>-<kind>.eml`` atomically (temp file + rename): a
  row delivered again after a crash overwrites the same file, so it is exactly once
  in effect. The temp file is ``.tmp-XXXX.partial``: a kill between fsync and rename
  leaves a file no mailer that picks up ``*.eml`` mistakes for a message, and it is
  removed when the transport starts. Directory 0700, files 0600, whatever the umask.
  Being repeatable, a batch of due mail is locked, written and marked sent in one
  transaction;
- ``smtp`` mode is at least once: a crash between the relay's 250 and our commit sends
  the message again, with the same Message-ID (derived from the dedup key), so the
  receiving side can drop the copy. The stored message is LF-terminated; on the wire
  it is CRLF with no line over 998 bytes (RFC 5321 4.5.3.1.6), see :func:`wire_bytes`.
Retries use capped exponential backoff with jitter; a permanent 5xx answer, or
``max_attempts`` failures, marks the message ``failed``.

Several instances on one PostgreSQL deliver from one outbox: a worker leases a batch of
due messages (``FOR UPDATE SKIP LOCKED``, its :func:`assistant.instance.instance_id`,
``[inbox] lease_seconds``), then delivers each with its row locked and only while the
lease is still its own, so each message is delivered by one instance. A lease of a
worker that died runs out and another instance delivers the message (as after a crash:
the same file, or the same Message-ID).
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import smtplib
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.encoders import encode_base64
from email.headerregistry import BaseHeader
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import SMTP, Policy
from email.policy import default as default_policy
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import ColumnElement, Engine, or_, update
from sqlmodel import Session, col, select

from assistant.backoff import delay as backoff_delay
from assistant.config import Config
from assistant.db import session
from assistant.files import private_dir
from assistant.instance import instance_id
from assistant.logs import describe_error
from assistant.models import OutboundMessage
from parsers.email import ParsedHeaders
from parsers.identifiers import mask_cprs

log = logging.getLogger(__name__)

BACKOFF_BASE = 5.0
BACKOFF_CAP = 15 * 60.0


class _FoldedOnce(BaseHeader):
    """A header that keeps its folded form for the policy that last folded it."""

    def fold(self, *, policy: Policy) -> str:
        memo = self.__dict__.get("_folded")
        if memo is not None and memo[0] is policy:
            return memo[1]
        folded = super().fold(policy=policy)
        self._folded = (policy, folded)
        return folded


# The mail the service composes: headers parsed and folded once per process. Most of
# them (From, To, each part's Content-Type and encoding) are the same in every summary,
# and the stdlib parsed and folded every value anew: about half of composing a summary.
MAX_COMPOSED_HEADERS = 512
COMPOSE_POLICY = default_policy.clone(
    header_factory=ParsedHeaders(_FoldedOnce, MAX_COMPOSED_HEADERS))


def compose(
    *, sender: str, recipient: str, subject: str, body: str, dedup_key: str,
    attachments: list[tuple[str, str, bytes]] | tuple = (), in_reply_to: str | None = None,
    auto_submitted: str | None = None,
) -> EmailMessage:
    """A UTF-8 text message with attachments and a Message-ID stable for ``dedup_key``.

    ``auto_submitted`` (RFC 3834): ``auto-replied`` for an answer to a mail,
    ``auto-generated`` for everything else the service sends on its own; by default
    ``auto-replied`` when ``in_reply_to`` is given.
    """
    message = EmailMessage(policy=COMPOSE_POLICY)
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    digest = hashlib.sha256(dedup_key.encode()).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@smajob.invalid>"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    # RFC 3834: tells autoresponders (and this service) not to answer it.
    message["Auto-Submitted"] = auto_submitted or (
        "auto-replied" if in_reply_to else "auto-generated")
    message.set_content(body)
    for filename, mime_type, data in attachments:
        maintype, _, subtype = mime_type.partition("/")
        if mime_type == "message/rfc822":
            message.add_attachment(data, maintype="application", subtype="octet-stream",
                                   filename=filename)
        else:
            message.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream",
                                   filename=filename)
    return message


def enqueue(
    db: Session, *, kind: str, message: EmailMessage, dedup_key: str,
    claim_id: int | None = None, inbound_id: int | None = None, new_key: bool = False,
) -> bool:
    """Queue ``message`` in the caller's transaction; False if the key was queued before.
    ``new_key``: the caller knows no earlier transaction queued the key (it names a mail
    never processed before), so only this transaction's own mail is looked at, in the
    session, not in the database."""
    if new_key:
        queued = (row for row in (*db.new, *db.identity_map.values())
                  if isinstance(row, OutboundMessage))
        if any(row.dedup_key == dedup_key for row in queued):
            return False
    elif db.exec(select(OutboundMessage.id).where(
            OutboundMessage.dedup_key == dedup_key)).first() is not None:
        return False
    db.add(OutboundMessage(
        kind=kind, recipient=str(message["To"]), subject=str(message["Subject"]),
        raw=message.as_bytes(), dedup_key=dedup_key, claim_id=claim_id, inbound_id=inbound_id,
    ))
    return True


class DeliveryError(Exception):
    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Transport(Protocol):
    def deliver(self, row: OutboundMessage) -> None: ...


# RFC 5321 4.5.3.1.6: a line is at most 998 characters plus CRLF.
MAX_LINE = 998
TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".partial"
# Temp names of earlier versions ended in .eml; they are cleaned up as well.
_STRAY_PATTERNS = (f"{TEMP_PREFIX}*{TEMP_SUFFIX}", f"{TEMP_PREFIX}*.eml")
# Threading hints a relay can live without when a sender's Message-ID is too long to fold.
_OPTIONAL_HEADERS = ("In-Reply-To", "References")


@dataclass
class DirectoryTransport:
    path: Path
    # Delivering a message again writes the same file: the worker may commit a batch.
    repeatable = True

    def __post_init__(self) -> None:
        self.clean_stray_files()

    def clean_stray_files(self) -> int:
        """Remove temp files a kill left behind; how many. Several instances writing to
        one directory: one that starts may remove another's file in the middle of a
        delivery, which then fails once and is retried (never lost, never doubled)."""
        removed = 0
        for pattern in _STRAY_PATTERNS:
            for stray in self.path.glob(pattern):
                stray.unlink(missing_ok=True)
                removed += 1
        if removed:
            log.warning("outbox: removed %d unfinished temp file(s) from %s", removed, self.path)
        return removed

    def deliver(self, row: OutboundMessage) -> None:
        target = self.path / f"{row.id:08d}-{row.kind}.eml"
        tmp = None
        try:
            private_dir(self.path)
            # mkstemp creates the file 0600; the rename keeps that mode.
            fd, tmp = tempfile.mkstemp(dir=self.path, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
            with os.fdopen(fd, "wb") as handle:
                handle.write(row.raw)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            raise DeliveryError(f"cannot write {target}: {exc}") from exc


def wire_bytes(raw: bytes, eight_bit: bool = True) -> bytes:
    """The stored message as SMTP must carry it: CRLF line ends, no line over 998 bytes.

    Parsed and generated again with ``email.policy.SMTP``, so headers are folded and
    every line end is CRLF; a part whose body has a longer line (or, when the relay
    lacks 8BITMIME, any 8-bit byte) is re-encoded as base64. Attachment bytes and the
    text are unchanged once decoded. Raises ``DeliveryError`` (permanent) when a
    required header cannot be folded under the limit.
    """
    message = BytesParser(policy=SMTP).parsebytes(raw)
    for part in message.walk():
        if not part.is_multipart() and _needs_encoding(part, eight_bit):
            _to_base64(part)
    for name in _OPTIONAL_HEADERS:
        if name in message and _too_long(_header_bytes(message, name)):
            del message[name]
    out = message.as_bytes(policy=SMTP)
    longest = max((len(line) for line in out.split(b"\r\n")), default=0)
    if longest > MAX_LINE:
        raise DeliveryError(f"a header line of {longest} bytes cannot be folded under the "
                            f"SMTP limit of {MAX_LINE}", permanent=True)
    return out


def _needs_encoding(part: Message, eight_bit: bool) -> bool:
    if str(part.get("Content-Transfer-Encoding", "")).lower() in ("base64", "quoted-printable"):
        return False
    body = part.get_payload(decode=True) or b""
    if not eight_bit and any(byte > 0x7F for byte in body):
        return True
    return _too_long(body)


def _too_long(data: bytes) -> bool:
    return any(len(line) > MAX_LINE for line in data.splitlines())


def _header_bytes(message: Message, name: str) -> bytes:
    value = message[name]
    return SMTP.fold_binary(name, value) if value is not None else b""


def _to_base64(part: Message) -> None:
    data = part.get_payload(decode=True) or b""
    del part["Content-Transfer-Encoding"]
    part.set_payload(data)
    encode_base64(part)


@dataclass
class SmtpTransport:
    host: str
    port: int
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 30.0
    sender: str = ""

    def deliver(self, row: OutboundMessage) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as client:
                if self.starttls:
                    client.starttls()
                if self.username:
                    client.login(self.username, self.password)
                client.ehlo_or_helo_if_needed()
                eight_bit = client.has_extn("8bitmime")
                wire = wire_bytes(row.raw, eight_bit)
                options = ["BODY=8BITMIME"] if eight_bit and not wire.isascii() else []
                client.sendmail(self.sender or "", [row.recipient], wire, mail_options=options)
        except smtplib.SMTPRecipientsRefused as exc:
            code, answer = next(iter(exc.recipients.values()))
            raise DeliveryError(f"{code} {answer.decode(errors='replace')}",
                                permanent=code >= 500) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}",
                                permanent=exc.smtp_code >= 500) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"relay {self.host}:{self.port}: {exc}") from exc


def make_transport(config: Config) -> Transport:
    if config.outbox.mode == "smtp":
        relay = config.outbox.smtp
        return SmtpTransport(relay.host, relay.port, relay.username, relay.password,
                             relay.starttls, sender=config.jobcenter.address)
    return DirectoryTransport(Path(config.outbox.directory))


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """When to try again after ``attempts`` failures: 5 s, 10 s, 20 s ... 15 min, ±20 %."""
    return timedelta(seconds=backoff_delay(attempts, BACKOFF_BASE, BACKOFF_CAP, rng))


BATCH = 50  # messages leased at once
# After new mail is queued, what the next moments queue joins it in one batch: a busy
# inbox queues a summary every few tens of milliseconds, and a transaction for each cost
# the service more than writing the mail.
GATHER_SECONDS = 0.25


class OutboxWorker:
    """Delivers due messages in id order; one worker per instance (process), any number
    of instances per database (see the module doc)."""

    def __init__(self, engine: Engine, transport: Transport, max_attempts: int = 10,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 lease_seconds: float = 300.0, owner: str | None = None,
                 gather_seconds: float = GATHER_SECONDS) -> None:
        self.engine = engine
        self.transport = transport
        self.max_attempts = max_attempts
        self.clock = clock
        self.lease = timedelta(seconds=lease_seconds)
        # The process's name: a worker started again in the same process (after an
        # error) takes over its own leases at once.
        self.owner = owner or instance_id()
        self.gather_seconds = gather_seconds
        self._wake = threading.Event()

    def wake(self) -> None:
        """New mail was queued (and committed): deliver now, not at the next poll."""
        self._wake.set()

    def run_once(self) -> int:
        """Deliver every due message; returns how many were delivered.

        A transport whose second delivery of a message changes nothing (the directory:
        the same file again) delivers due messages with their rows locked, in one
        transaction a batch and without a lease; any other (a relay would send a copy)
        leases a batch, then commits each message as it is delivered, so a crash
        repeats at most one."""
        delivered = 0
        if getattr(self.transport, "repeatable", False):
            while True:
                found, sent = self._deliver_due()
                delivered += sent
                if found < BATCH:
                    return delivered
        while batch := self._claim():
            delivered += sum(self._deliver_all([message_id]) for message_id in batch)
            if len(batch) < BATCH:
                break
        return delivered

    def _due(self, now: datetime) -> tuple[ColumnElement[bool], ...]:
        """The conditions of a message to deliver now: pending, due, and no other
        instance's lease on it that has not run out."""
        free = or_(col(OutboundMessage.lease_until).is_(None),
                   col(OutboundMessage.lease_until) < now,
                   OutboundMessage.lease_owner == self.owner)
        return (OutboundMessage.status == "pending",
                col(OutboundMessage.next_attempt_at) <= now, free)

    def _claim(self) -> list[int]:
        """Lease up to ``BATCH`` due messages that no other instance holds; committed."""
        now = self.clock()
        with session(self.engine) as db:
            ids = [i for i in db.exec(select(OutboundMessage.id).where(*self._due(now))
                                      .order_by(col(OutboundMessage.id)).limit(BATCH)
                                      .with_for_update(skip_locked=True)).all()
                   if i is not None]
            if ids:
                db.exec(update(OutboundMessage).where(col(OutboundMessage.id).in_(ids))
                        .values(lease_owner=self.owner, lease_until=now + self.lease))
        return ids

    def _deliver_due(self) -> tuple[int, int]:
        """A repeatable transport's batch: the due messages locked, delivered and marked
        in one transaction (one instead of a lease's and a delivery's); (found, sent)."""
        with session(self.engine) as db:
            rows = db.exec(select(OutboundMessage).where(*self._due(self.clock()))
                           .order_by(col(OutboundMessage.id)).limit(BATCH)
                           .with_for_update(skip_locked=True)).all()
            return len(rows), sum(self._deliver_row(db, row) for row in rows)

    def _deliver(self, message_id: int) -> bool:
        return self._deliver_all([message_id]) == 1

    def _deliver_all(self, message_ids: list[int]) -> int:
        """Deliver leased messages in one transaction; how many were sent."""
        sent = 0
        with session(self.engine) as db:
            # Locked while they are delivered; still ours only if no instance took them
            # over after our lease ran out (or delivered them already).
            rows = db.exec(select(OutboundMessage).where(
                col(OutboundMessage.id).in_(message_ids)).order_by(col(OutboundMessage.id))
                .with_for_update()).all()
            for row in rows:
                if row.status != "pending" or row.lease_owner != self.owner:
                    continue
                sent += self._deliver_row(db, row)
        return sent

    def _deliver_row(self, db: Session, row: OutboundMessage) -> int:
        """Deliver one locked row and record the outcome in ``db``; 1 if sent."""
        row.lease_owner = row.lease_until = None  # with the outcome: sent, or retried
        sent = 0
        try:
            self.transport.deliver(row)
        except DeliveryError as exc:
            self._failed(row, str(exc), exc.permanent)
        else:
            row.status, row.sent_at, row.last_error = "sent", self.clock(), None
            sent = 1
        db.add(row)
        return sent

    def _failed(self, row: OutboundMessage, reason: str, permanent: bool) -> None:
        row.attempts += 1
        row.last_error = reason[:500]
        if permanent or row.attempts >= self.max_attempts:
            row.status = "failed"
            log.error("outbox message %s (%s, %r) failed for good: %s",
                      row.id, row.kind, mask_cprs(row.subject), mask_cprs(row.last_error))
        else:
            row.next_attempt_at = self.clock() + backoff(row.attempts)
            log.warning("outbox message %s: attempt %d failed, retrying at %s: %s",
                        row.id, row.attempts, row.next_attempt_at.isoformat(),
                        mask_cprs(row.last_error))

    def run(self, stop: threading.Event, poll_seconds: float = 2.0) -> None:
        while not stop.is_set():
            self._wake.clear()
            try:
                self.run_once()
            except Exception as exc:  # noqa: BLE001 - e.g. the database is briefly away
                # Not log.exception: a database error prints its parameters (the mail).
                log.error("outbox worker error; retrying: %s", describe_error(exc))
            if self._wake.wait(poll_seconds):
                stop.wait(self.gather_seconds)
