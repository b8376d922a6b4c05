"""The embedded SMTP inbox (aiosmtpd): mail for the jobcenter address, stored first.

The server answers 250 only after the raw message is committed to the database,
so a message the sender's server saw accepted is never lost. Any internal error
answers 451 (try again later): a 5xx would make the sender's server give up. The
size limit is enforced by aiosmtpd with 552, both on ``MAIL FROM ... SIZE=`` and
while the data arrives; the 552 text names the limit so the sender knows what to do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from email.parser import BytesHeaderParser
from email.policy import compat32

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from assistant.store import Store

log = logging.getLogger(__name__)


class InboxHandler:
    """aiosmtpd handler: accept mail for the jobcenter's domain, store it, then say 250."""

    def __init__(self, store: Store, address: str, on_stored: Callable[[int], None]) -> None:
        self.store = store
        self.domain = address.rsplit("@", 1)[-1].lower()
        self.on_stored = on_stored

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.rsplit("@", 1)[-1].lower() != self.domain:
            return f"550 5.1.1 <{address}>: this server only takes mail for @{self.domain}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope,
    ) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            inbound_id, created = await asyncio.get_running_loop().run_in_executor(
                None, self._save, raw, envelope)
        except Exception:  # noqa: BLE001 - the sender must retry, never give up
            log.exception("could not store an incoming message")
            return "451 4.3.0 Temporary failure storing the message; please try again later"
        log.info("stored inbound message %s (%d bytes%s)", inbound_id, len(raw),
                 "" if created else ", seen before")
        self.on_stored(inbound_id)
        return f"250 2.0.0 OK: stored as {inbound_id}"

    def _save(self, raw: bytes, envelope: Envelope) -> tuple[int, bool]:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw[:65536])
        message_id = (headers.get("Message-ID") or "").strip() or None
        return self.store.save_inbound(
            raw, "smtp", envelope.mail_from or "", list(envelope.rcpt_tos),
            message_id[:998] if message_id else None)


class _SizeExplainingSMTP(SMTP):
    """aiosmtpd's SMTP with a 552 that names the size limit and what to do."""

    async def push(self, status: str) -> None:
        if status.startswith("552 ") and self.data_size_limit:
            mib = self.data_size_limit / 2**20
            status = (f"552 5.3.4 Message too big: the limit is {self.data_size_limit} bytes "
                      f"({mib:.0f} MiB); send the payslips in several smaller mails")
        await super().push(status)


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _SizeExplainingSMTP(self.handler, **self.SMTP_kwargs)


class SmtpInbox:
    """Runs the SMTP server in its own thread (aiosmtpd's Controller)."""

    def __init__(self, store: Store, host: str, port: int, address: str, max_bytes: int,
                 on_stored: Callable[[int], None]) -> None:
        self.handler = InboxHandler(store, address, on_stored)
        self.controller = _Controller(
            self.handler, hostname=host, port=port, data_size_limit=max_bytes,
            ident="smajob-assistant", server_hostname=host, ready_timeout=10)

    def start(self) -> None:
        self.controller.start()
        log.info("SMTP inbox listening on %s:%s", self.controller.hostname,
                 self.controller.port)

    def stop(self) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port
