"""The register and the inbound mail, one transaction per call.

:class:`Store` is the use-case boundary for callers that do one thing at a time (the
register commands, the SMTP server and the IMAP poller storing a message, the bot
reading the pool): each method opens one transaction and does its work through
:class:`assistant.repository.Repository`, the one data-access path. For several changes
in one transaction, open ``assistant.db.session(store.engine)`` and use a ``Repository``
on it. Rows come back detached (readable, not lazy-loading); workplaces come back as
:class:`WorkplaceRecord` with their sender patterns. Refusals raise
:class:`handlers.register.RegisterError` with reasons fit to show a user.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from assistant.config import Config
from assistant.db import session
from assistant.models import Employment, ImapState, InboundMessage
from assistant.repository import REGISTER_LOCK, Repository, WorkplaceRecord
from handlers.register import Limits, PoolStatus, Span
from parsers.email import content_key

__all__ = ["CHANNELS", "REGISTER_LOCK", "Store", "WorkplaceRecord", "limits_from_config"]

CHANNELS = ("smtp", "imap")


def limits_from_config(config: Config) -> Limits:
    return config.scheme()


class Store:
    def __init__(self, engine: Engine, limits: Limits | None = None) -> None:
        self.engine = engine
        self.limits = limits or Limits()

    def _repo(self, db: Session) -> Repository:
        return Repository(db, self.limits)

    # -- workplaces ---------------------------------------------------------------

    def add_workplace(self, cvr: str, name: str, senders: Iterable[str] = ()) -> WorkplaceRecord:
        """Add a workplace, or for a known CVR: rename it and add the new senders."""
        with session(self.engine) as db:
            return self._repo(db).save_workplace(cvr, name, senders)

    def workplaces(self) -> list[WorkplaceRecord]:
        with session(self.engine) as db:
            return self._repo(db).workplaces()

    def workplace_by_cvr(self, cvr: str) -> WorkplaceRecord | None:
        with session(self.engine) as db:
            repo = self._repo(db)
            workplace = repo.workplace_by_cvr(cvr)
            return repo.workplace_record(workplace) if workplace else None

    # -- employments ----------------------------------------------------------------

    def add_employment(
        self, cpr: str, citizen_name: str, cvr: str, hours: Decimal, start: date, end: date,
        reason: str, intake_id: int | None = None,
    ) -> Employment:
        """Approve an employment if the rules allow it (``handlers.register``)."""
        with session(self.engine) as db:
            return self._repo(db).add_employment(cpr, citizen_name, cvr, hours, start, end,
                                                 reason, intake_id)

    def employments(self, active_on: date | None = None) -> list[Employment]:
        """All employments, or those using the pool on ``active_on``; oldest start first."""
        with session(self.engine) as db:
            return self._repo(db).employments(active_on)

    def end_employment(self, employment_id: int, on: date) -> Employment:
        """End an employment early: ``on`` is its last day (before the start: cancelled)."""
        with session(self.engine) as db:
            return self._repo(db).end_employment(employment_id, on)

    def spans(self, start: date, end: date) -> list[Span]:
        """Employments using the pool on some day of ``[start, end]``, as rule inputs."""
        with session(self.engine) as db:
            return self._repo(db).spans(start, end)

    def pool_status(self, on: date) -> PoolStatus:
        with session(self.engine) as db:
            return self._repo(db).pool_status(on)

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
                return self._repo(db).add_inbound(message), True
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
            state = self._repo(db).imap_state(host, username, folder)
            return (state.uidvalidity, state.last_uid) if state else None

    def save_imap_position(self, host: str, username: str, folder: str, uidvalidity: int,
                           last_uid: int) -> None:
        with session(self.engine) as db:
            state = self._repo(db).imap_state(host, username, folder) or ImapState(
                host=host, username=username, folder=folder, uidvalidity=uidvalidity)
            state.uidvalidity, state.last_uid = uidvalidity, last_uid
            db.add(state)

    def imap_done(self, folder: str, uidvalidity: int) -> dict[int, int]:
        """``{UID: inbound id}`` of messages processed but still in ``folder``."""
        with session(self.engine) as db:
            return self._repo(db).imap_done(folder, uidvalidity)

    def imap_moved(self, inbound_ids: Iterable[int], folder: str) -> None:
        """Record that these messages now live in ``folder`` (their new UIDs unknown)."""
        with session(self.engine) as db:
            for message in self._repo(db).inbound_messages(inbound_ids):
                message.imap_folder, message.imap_uid = folder, None
                db.add(message)

    def imap_adopt(self, inbound_id: int, folder: str, uidvalidity: int, uid: int) -> bool:
        """A copy of a stored message appeared at ``folder``/``uid`` (the folder was
        recreated, or the message was put back). If the stored message has no live place
        in that folder any more, the copy becomes its place, to be moved once processed.
        """
        with session(self.engine) as db:
            message = self._repo(db).inbound(inbound_id)
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
            return self._repo(db).inbound_id_by_digest(digest)
