"""The embedded SMTP inbox (aiosmtpd): mail for the jobcenter address, stored first.

The server answers 250 only after the raw message is committed to the database,
so a message the sender's server saw accepted is never lost. An internal error
answers 451 (try again later): a 5xx would make the sender's server give up. A 5xx
is given only for what can never be stored, with a text that says why:
- 552 over the size limit (aiosmtpd enforces it on ``MAIL FROM ... SIZE=`` and while
  the data arrives; the text names the limit);
- 553 for a control character (NUL, CR, ...) in the envelope's MAIL FROM or RCPT TO,
  550 5.6.0 for one in the Message-ID, a Message-ID that is not UTF-8, or a NUL byte
  in the header section (PostgreSQL cannot store NUL in text: such a message used to
  get 451 forever).

Bounded resources, so that idle or hostile clients cannot stop the mail:
- at most ``max_connections`` sessions at once and ``max_connections_per_ip`` from one
  address; more are answered ``421 4.7.0 Too many connections`` and closed at once, so
  they hold no file descriptor;
- a client that sends nothing for ``command_timeout`` seconds is disconnected (a
  slow but progressing DATA transfer is not);
- errors are logged through :mod:`assistant.logs`: never with SQL parameters (the
  raw mail), and a storm of the same error is rate-limited.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections import Counter
from collections.abc import Callable
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from assistant.inbox.headers import Refused, check_address, read_message_id
from assistant.logs import describe_error
from assistant.store import Store

log = logging.getLogger(__name__)

# File descriptors the service needs besides SMTP sessions (database, PDF readers, logs).
FD_HEADROOM = 64


class InboxHandler:
    """aiosmtpd handler: accept mail for the jobcenter's domain, store it, then say 250."""

    def __init__(self, store: Store, address: str, on_stored: Callable[[int], None]) -> None:
        self.store = store
        self.domain = address.rsplit("@", 1)[-1].lower()
        self.on_stored = on_stored

    async def handle_MAIL(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str,
        mail_options: list[str],
    ) -> str:
        refusal = check_address(address, "sender (MAIL FROM)", "5.1.7")
        if refusal:
            return refusal
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str,
        rcpt_options: list[str],
    ) -> str:
        refusal = check_address(address, "recipient (RCPT TO)", "5.1.3")
        if refusal:
            return refusal
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
        except Refused as refused:
            log.warning("refused a message from %s: %s", _peer_ip(session), refused.reply)
            return refused.reply
        except Exception as exc:  # noqa: BLE001 - the sender must retry, never give up
            # Not log.exception: a database error prints its parameters, the raw mail.
            log.error("could not store an incoming message: %s", describe_error(exc))
            return "451 4.3.0 Temporary failure storing the message; please try again later"
        log.info("stored inbound message %s (%d bytes%s)", inbound_id, len(raw),
                 "" if created else ", seen before")
        self.on_stored(inbound_id)
        return f"250 2.0.0 OK: stored as {inbound_id}"

    def _save(self, raw: bytes, envelope: Envelope) -> tuple[int, bool]:
        message_id = read_message_id(raw)
        return self.store.save_inbound(
            raw, "smtp", envelope.mail_from or "", list(envelope.rcpt_tos), message_id)


class ConnectionLimits:
    """Open SMTP sessions, in total and per client address.

    Only touched from the server's event loop thread, so it needs no lock."""

    def __init__(self, total: int, per_ip: int) -> None:
        self.total, self.per_ip = total, per_ip
        self.open: Counter[str] = Counter()

    def admit(self, ip: str) -> str | None:
        """Count a new session from ``ip``; or the reason it is refused."""
        if sum(self.open.values()) >= self.total:
            return f"all {self.total} connections are in use"
        if self.open[ip] >= self.per_ip:
            return f"{self.per_ip} connections from {ip} are open already"
        self.open[ip] += 1
        return None

    def release(self, ip: str) -> None:
        self.open[ip] -= 1
        if self.open[ip] <= 0:
            del self.open[ip]


def _peer_ip(session: Session | None) -> str:
    peer = getattr(session, "peer", None)
    return str(peer[0]) if isinstance(peer, tuple) and peer else "unknown"


class _GuardedSMTP(SMTP):
    """aiosmtpd's SMTP with connection caps and a 552 that names the size limit."""

    def __init__(self, handler: Any, limits: ConnectionLimits, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.limits = limits
        self._counted_ip: str | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.transport is None:  # a new connection (not the STARTTLS upgrade)
            peer = transport.get_extra_info("peername")
            ip = str(peer[0]) if peer else "unknown"
            reason = self.limits.admit(ip)
            if reason is not None:
                # Answer and close before any session state exists: the socket is freed
                # now, not when the client gives up.
                self._refused = True
                log.warning("refused an SMTP connection: %s", reason)
                transport.write(f"421 4.7.0 Too many connections: {reason}; "
                                "try again later\r\n".encode())
                transport.close()
                return
            self._counted_ip = ip
        super().connection_made(transport)

    def connection_lost(self, error: Exception | None) -> None:
        if self._refused:
            return
        if self._counted_ip is not None:
            self.limits.release(self._counted_ip)
            self._counted_ip = None
        super().connection_lost(error)

    def eof_received(self) -> bool | None:
        return False if self._refused else super().eof_received()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        # aiosmtpd restarts its timer per command only, so a large message on a slow
        # line would be cut off mid-DATA: any byte received restarts it, making the
        # timeout "silent for N seconds" (Postfix's smtpd_timeout works the same way).
        self._reset_timeout()
        super().data_received(data)

    async def push(self, status: str) -> None:  # type: ignore[override]
        if status.startswith("552 ") and self.data_size_limit:
            mib = self.data_size_limit / 2**20
            status = (f"552 5.3.4 Message too big: the limit is {self.data_size_limit} bytes "
                      f"({mib:.0f} MiB); send the payslips in several smaller mails")
        await super().push(status)


class _Controller(Controller):
    def __init__(self, handler: Any, limits: ConnectionLimits, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self.limits = limits

    def factory(self) -> SMTP:
        return _GuardedSMTP(self.handler, self.limits, **self.SMTP_kwargs)


class SmtpInbox:
    """Runs the SMTP server in its own thread (aiosmtpd's Controller)."""

    def __init__(self, store: Store, host: str, port: int, address: str, max_bytes: int,
                 on_stored: Callable[[int], None], *, max_connections: int = 100,
                 max_connections_per_ip: int = 20, command_timeout: float = 60.0) -> None:
        self.handler = InboxHandler(store, address, on_stored)
        self.limits = ConnectionLimits(max_connections, max_connections_per_ip)
        self.controller = _Controller(
            self.handler, self.limits, hostname=host, port=port, data_size_limit=max_bytes,
            ident="smajob-assistant", server_hostname=host, ready_timeout=10,
            timeout=command_timeout)

    def start(self) -> None:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and self.limits.total + FD_HEADROOM > soft:
            log.warning("[inbox.smtp] max_connections = %d is close to the open-file limit "
                        "(%d); lower it or raise the limit (ulimit -n)", self.limits.total, soft)
        self.controller.start()
        log.info("SMTP inbox listening on %s:%s (at most %d connections, %d per address)",
                 self.controller.hostname, self.controller.port, self.limits.total,
                 self.limits.per_ip)

    def stop(self) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port
