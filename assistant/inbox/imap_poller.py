"""The IMAP inbox: read the jobcenter's real mailbox with imapclient.

What it guarantees:
- A message is stored (committed) before anything else happens to it; processing is
  the workers' job, exactly as for the SMTP inbox.
- UIDs are read from where the last run stopped; the folder's UIDVALIDITY is stored
  with that position, and when it changes the folder is read from the start again.
  Nothing is processed twice: ``Store.save_inbound`` de-duplicates on the content key.
- A message is moved to the processed folder (or, without MOVE, copied and expunged)
  only after it has been processed and committed. Messages that failed stay in the
  inbox for a person to look at.
- IDLE where the server has it, re-issued every ``idle_seconds`` (well inside the 29
  minutes RFC 2177 allows); polling every ``poll_seconds`` otherwise.
- A dropped connection or a restarting server is retried with capped exponential
  backoff and jitter; the poller never gives up while the service runs.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parseaddr

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from assistant.backoff import delay
from assistant.config import ImapInboxConfig
from assistant.inbox.headers import Refused, read_message_id, without_control_characters
from assistant.logs import describe_error
from assistant.store import Store

log = logging.getLogger(__name__)

RECONNECT_BASE_SECONDS = 1.0
RECONNECT_CAP_SECONDS = 300.0
# How often, while idling, to look whether processed messages are waiting to be moved
# and whether the service is stopping: short, since a worker may finish any moment.
TICK_SECONDS = 1.0
SOCKET_TIMEOUT_SECONDS = 60.0
FETCH_BATCH = 10  # messages fetched per round trip; each may be up to the size limit


class ImapPoller:
    """Stores new mail from one folder, and moves it away once it is processed."""

    def __init__(self, settings: ImapInboxConfig, store: Store,
                 on_stored: Callable[[int], None], stop: threading.Event,
                 connect: Callable[[], IMAPClient] | None = None) -> None:
        self.settings = settings
        self.store = store
        self.on_stored = on_stored
        self.stop = stop
        self.connect = connect or self._connect
        self.failures = 0  # consecutive connection failures, for the backoff

    # -- the outer loop: connect, work, reconnect ------------------------------------------

    def run(self) -> None:
        """Run until ``stop`` is set; connection trouble is logged and retried."""
        while not self.stop.is_set():
            try:
                self._session()
            except LoginError as exc:
                # Wrong credentials do not fix themselves quickly: say so, wait long.
                self.failures = max(self.failures, 8)
                log.error("IMAP login to %s as %s refused (%s); check [inbox.imap] "
                          "username and password", self.settings.host,
                          self.settings.username, exc)
            except (IMAPClientError, OSError) as exc:  # socket timeouts are OSErrors
                log.warning("IMAP connection to %s:%s lost: %s", self.settings.host,
                            self.settings.port, exc)
            except Exception as exc:  # noqa: BLE001 - never let the inbox thread die
                # Not log.exception: a database error prints its parameters (the raw mail).
                log.error("IMAP poller error: %s", describe_error(exc))
            if self.stop.is_set():
                break
            self.failures += 1
            wait = delay(self.failures, RECONNECT_BASE_SECONDS, RECONNECT_CAP_SECONDS)
            log.info("reconnecting to IMAP in %.1f s", wait)
            self.stop.wait(wait)

    def _connect(self) -> IMAPClient:
        s = self.settings
        client = IMAPClient(s.host, port=s.port, ssl=s.ssl, timeout=SOCKET_TIMEOUT_SECONDS)
        client.login(s.username, s.password)
        return client

    def _session(self) -> None:
        client = self.connect()
        try:
            self.failures = 0
            uidvalidity = self._open(client)
            self._work(client, uidvalidity)
        finally:
            _close_quietly(client)

    # -- one connection ---------------------------------------------------------------------

    def _open(self, client: IMAPClient) -> int:
        s = self.settings
        if not client.folder_exists(s.processed_folder):
            client.create_folder(s.processed_folder)
        selected = client.select_folder(s.folder)
        uidvalidity = int(selected[b"UIDVALIDITY"])
        position = self.store.imap_position(s.host, s.username, s.folder)
        if position is not None and position[0] != uidvalidity:
            # The folder was recreated: its UIDs mean other messages now. Read it all
            # again; the content key keeps what we already have from being stored twice.
            log.warning("IMAP folder %s changed UIDVALIDITY %s -> %s; reading it again",
                        s.folder, position[0], uidvalidity)
            self.store.save_imap_position(s.host, s.username, s.folder, uidvalidity, 0)
        elif position is None:
            self.store.save_imap_position(s.host, s.username, s.folder, uidvalidity, 0)
        log.info("IMAP: reading %s@%s/%s", s.username, s.host, s.folder)
        return uidvalidity

    def _work(self, client: IMAPClient, uidvalidity: int) -> None:
        idle = b"IDLE" in client.capabilities()
        while not self.stop.is_set():
            self.fetch_new(client, uidvalidity)
            self.move_processed(client, uidvalidity)
            if idle:
                self._idle(client, uidvalidity)
            else:
                self._poll_wait(uidvalidity)

    def fetch_new(self, client: IMAPClient, uidvalidity: int) -> int:
        """Store every message after the last stored UID; returns how many were new."""
        s = self.settings
        position = self.store.imap_position(s.host, s.username, s.folder)
        last_uid = position[1] if position else 0
        # "N:*" always matches the highest UID, even when it is below N.
        uids = sorted(u for u in client.search(["UID", f"{last_uid + 1}:*"]) if u > last_uid)
        stored = 0
        for start in range(0, len(uids), FETCH_BATCH):
            batch = uids[start:start + FETCH_BATCH]
            fetched = client.fetch(batch, [b"BODY.PEEK[]"])
            for uid in batch:
                raw = fetched.get(uid, {}).get(b"BODY[]")
                if raw is None:  # expunged meanwhile by someone else
                    continue
                inbound_id, created = self.store.save_inbound(
                    raw, "imap", _envelope_sender(raw), [s.username], _message_id(raw),
                    imap_folder=s.folder, imap_uidvalidity=uidvalidity, imap_uid=uid)
                # The position moves only after the message is committed.
                self.store.save_imap_position(s.host, s.username, s.folder, uidvalidity, uid)
                stored += created
                log.info("IMAP UID %s stored as inbound message %s%s", uid, inbound_id,
                         "" if created else " (seen before)")
                if created:
                    self.on_stored(inbound_id)
                else:
                    # A copy of a message we have: once that one is processed, this goes.
                    self.store.imap_adopt(inbound_id, s.folder, uidvalidity, uid)
        return stored

    def move_processed(self, client: IMAPClient, uidvalidity: int) -> int:
        """Move processed messages to the processed folder; returns how many."""
        s = self.settings
        done = self.store.imap_done(s.folder, uidvalidity)
        if not done:
            return 0
        uids = sorted(done)
        if b"MOVE" in client.capabilities():
            client.move(uids, s.processed_folder)
        else:
            client.copy(uids, s.processed_folder)
            client.delete_messages(uids)
            if b"UIDPLUS" in client.capabilities():
                client.uid_expunge(uids)
            else:
                client.expunge()
        self.store.imap_moved(done.values(), s.processed_folder)
        log.info("IMAP: moved %d processed message(s) to %s", len(uids), s.processed_folder)
        return len(uids)

    def _idle(self, client: IMAPClient, uidvalidity: int) -> None:
        """Wait in IDLE until new mail, a processed message to move, stop, or re-issue time."""
        s = self.settings
        client.idle()
        try:
            ends = time.monotonic() + min(s.idle_seconds, 25 * 60)
            while not self.stop.is_set() and time.monotonic() < ends:
                waited = time.monotonic()
                responses = client.idle_check(timeout=TICK_SECONDS)
                if any(len(r) > 1 and r[1] in (b"EXISTS", b"EXPUNGE") for r in responses):
                    return
                if not responses and time.monotonic() - waited < TICK_SECONDS / 2:
                    # idle_check swallows EOF: an early, empty return means the socket
                    # was readable with nothing in it. Leave IDLE; DONE or the next
                    # command then fails on a dead connection and we reconnect.
                    return
                if self.store.imap_done(s.folder, uidvalidity):
                    return
        finally:
            client.idle_done()

    def _poll_wait(self, uidvalidity: int) -> None:
        ends = time.monotonic() + self.settings.poll_seconds
        while not self.stop.wait(TICK_SECONDS) and time.monotonic() < ends:
            if self.store.imap_done(self.settings.folder, uidvalidity):
                return


def _headers(raw: bytes):  # noqa: ANN202 - email.message.Message
    return BytesHeaderParser(policy=compat32).parsebytes(raw[:65536])


def _envelope_sender(raw: bytes) -> str:
    """The SMTP envelope sender as the receiving server recorded it (Return-Path)."""
    sender = parseaddr(str(_headers(raw).get("Return-Path") or ""))[1]
    return without_control_characters(sender)  # PostgreSQL text cannot hold a NUL


def _message_id(raw: bytes) -> str | None:
    """The Message-ID, or None when it cannot be stored as text (a NUL in it: IMAP cannot
    refuse the message, and storing it must not fail forever)."""
    try:
        return read_message_id(raw)
    except Refused:
        return None


def _close_quietly(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - the connection may already be gone
        with contextlib.suppress(Exception):
            client.shutdown()
