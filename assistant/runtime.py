"""``assistant run``: the main job.

Threads, each with one job:
- the inbox: the embedded SMTP server, or the IMAP poller; both only store mail;
- the processors: a dispatcher leases stored, unprocessed messages, oldest first, one
  in hand and one waiting for each processor thread. The ``[inbox] workers`` guarded
  reader processes (memory and time limits, ``assistant/pdf_reader.py``) are shared by
  twice as many processor threads (``ReaderPool``): a thread holds a reader only while
  its mail is read, so the readers read the next mails while the threads judge and
  store the last ones. Reading runs in parallel, so a slow mail holds one reader for at
  most ``mail_time_budget_seconds`` and the others go on; judging and storing is first
  come, first served per citizen and per PDF (the locks of
  ``Repository.lock_for_judging``), side by side otherwise. At start that includes
  whatever was stored but not processed before a crash or kill;
- several instances on one PostgreSQL: each leases only what it can work on now
  (``FOR UPDATE SKIP LOCKED``), so the others take the rest; the leases of an instance
  that died run out after ``[inbox] lease_seconds`` and its work is taken over. On
  SQLite (one instance, ``assistant.instance.InstanceLock``) leases left by a killed
  predecessor are cleared at start;
- the outbox worker: delivers queued mail with retries, leased the same way;
- the intake chat bot (Telegram), when ``[telegram] token`` is set: its own thread
  with its own event loop; if it cannot start, the mail side runs on without it.
Stopped cleanly by SIGINT/SIGTERM; a SIGKILL loses nothing that was acknowledged.
"""

from __future__ import annotations

import errno
import gc
import logging
import queue
import signal
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.bot.service import IntakeService
from assistant.bot.telegram import TelegramBot
from assistant.commands.common import App
from assistant.config import PROCESSORS_PER_READER
from assistant.followup import FollowupLoop
from assistant.inbox.imap_poller import ImapPoller
from assistant.inbox.smtp_server import SmtpInbox
from assistant.instance import instance_id
from assistant.logs import describe_error
from assistant.outbox import OutboxWorker, make_transport
from assistant.pdf_reader import GuardedReader, ReaderPool
from assistant.pipeline import Pipeline, claim_pending, release_leases

log = logging.getLogger(__name__)
PROCESSOR_IDLE_SECONDS = 5.0


@dataclass
class Service:
    app: App
    stop: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    smtp: SmtpInbox | None = None
    outbox: OutboxWorker | None = None
    bot: TelegramBot | None = None
    desk: Any = None  # assistant.web.server.DeskServer when [web] enabled
    desk_error: str | None = None
    # Reader processes; None: ``[inbox] workers``.
    workers: int | None = None
    readers: ReaderPool | None = None
    jobs: queue.Queue[int] = field(default_factory=queue.Queue)

    def start(self) -> None:
        config = self.app.config
        self.workers = self.workers or config.inbox.reader_count()
        if self.app.engine.dialect.name == "sqlite":
            released = release_leases(self.app.engine)
            if released:
                log.info("released %d leases a stopped predecessor left", released)
        self.outbox = OutboxWorker(self.app.engine, make_transport(config),
                                   config.outbox.max_attempts,
                                   lease_seconds=config.inbox.lease_seconds,
                                   owner=instance_id())
        self._thread("outbox", lambda: self.outbox.run(self.stop))  # type: ignore[union-attr]
        self._thread("dispatcher", self._dispatch_loop)
        if config.inbox.mode == "smtp":
            smtp = config.inbox.smtp
            self.smtp = SmtpInbox(
                self.app.store, smtp.host, smtp.port, config.jobcenter.address,
                config.inbox.max_message_bytes, lambda _id: self.arrived.set(),
                max_connections=smtp.max_connections,
                max_connections_per_ip=smtp.max_connections_per_ip,
                command_timeout=smtp.command_timeout_seconds)
            try:
                _check_port(smtp.host, smtp.port)  # at once, not after the server's 10 s wait
                self.smtp.start()
            except OSError as exc:
                _close_loop(self.smtp)
                self.smtp = None  # never started: nothing to stop
                raise StartError(cannot_listen("[inbox.smtp]", smtp.host, smtp.port, exc)) from exc
        else:
            self._thread("imap", self._imap_loop)
        if config.telegram.token:
            self._start_bot()
        if config.followup.enabled:
            loop = FollowupLoop(self.app.engine, config, on_queued=self.outbox.wake)
            self._thread("followup", lambda: loop.run(self.stop))
        if config.web.enabled:
            self._start_desk()

    def _start_desk(self) -> None:
        # Imported here: the web stack loads only when the desk is on.
        from assistant.web.server import DeskServer, PortTaken
        try:
            self.desk = DeskServer(self.app)
        except PortTaken as exc:
            # Like the bot: mail goes on without the desk, and the log says why.
            self.desk_error = str(exc)
            log.error("%s. Mail is processed without the desk.", exc)
            return
        self.desk.start()

    def _start_bot(self) -> None:
        config = self.app.config
        self.bot = TelegramBot(IntakeService(self.app.engine, config), config.telegram.token,
                               config.telegram.base_url)
        if not self.bot.start():
            log.error("the Telegram bot did not start (%s); check [telegram] token and "
                      "base_url. Mail is processed without it.", self.bot.failed)
            self.bot = None

    def _thread(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _pipeline(self, reader: ReaderPool) -> Pipeline:
        assert self.outbox is not None
        return Pipeline(self.app.engine, self.app.config, reader, on_queued=self.outbox.wake,
                        owner=instance_id())

    def _dispatch_loop(self) -> None:
        """Lease stored, unprocessed messages for the free workers and hand them over;
        leasing no more than can be worked on leaves the rest to other instances."""
        in_flight: set[int] = set()
        lock = threading.Lock()
        workers = self.workers or 1
        processors = workers * PROCESSORS_PER_READER
        lease_seconds = self.app.config.inbox.lease_seconds

        def finished(inbound_id: int) -> None:
            with lock:
                in_flight.discard(inbound_id)

        self.readers = ReaderPool([GuardedReader.from_config(self.app.config.inbox)
                                   for _ in range(workers)])
        for n in range(processors):
            self._thread(f"processor-{n}", lambda: self._work_loop(finished))
        while not self.stop.is_set():
            self.arrived.clear()
            with lock:
                # One message waiting per processor, leased several at a time (a lease costs
                # a transaction); the rest stays for the other instances.
                free = 2 * processors - len(in_flight) if len(in_flight) <= processors else 0
            try:
                if free > 0:
                    for inbound_id in claim_pending(self.app.engine, instance_id(),
                                                    lease_seconds, free):
                        with lock:
                            in_flight.add(inbound_id)
                        self.jobs.put(inbound_id)
            except Exception as exc:  # noqa: BLE001 - e.g. the database is briefly away
                # Not log.exception: a database error's text carries its parameters.
                log.error("dispatch error; retrying: %s", describe_error(exc))
            # Woken by new mail, or by a worker that finished (see _work_loop).
            self.arrived.wait(PROCESSOR_IDLE_SECONDS)

    def _work_loop(self, finished: Callable[[int], None]) -> None:
        assert self.readers is not None
        pipeline = self._pipeline(self.readers)
        while not self.stop.is_set():
            try:
                inbound_id = self.jobs.get(timeout=1.0)
            except queue.Empty:
                continue
            try:
                with self.readers.reserved():  # read once a reader is free, store without it
                    pipeline.process_safely(inbound_id)
            finally:
                finished(inbound_id)
                self.arrived.set()  # a worker is free: lease the next message

    def _imap_loop(self) -> None:
        ImapPoller(self.app.config.inbox.imap, self.app.store, lambda _id: self.arrived.set(),
                   self.stop).run()

    def shutdown(self, timeout: float = 10.0) -> None:
        self.stop.set()
        self.arrived.set()
        if self.smtp is not None:
            self.smtp.stop()
        if self.bot is not None:
            self.bot.stop()
        if self.desk is not None:
            self.desk.stop()
        for thread in self.threads:
            thread.join(timeout)
        try:
            # Messages leased for the workers but not begun, mail not delivered: to the
            # other instances now, not when the leases run out. Given back before the
            # readers stop: a mail still being read after the join then fails its read
            # and, its lease gone, stores nothing (not a reply that its PDF could not be
            # read).
            release_leases(self.app.engine, instance_id())
        except Exception as exc:  # noqa: BLE001 - they run out by themselves
            log.error("leases not given back (%s); they run out after [inbox] "
                      "lease_seconds", describe_error(exc))
        if self.readers is not None:
            self.readers.close()


def _check_port(host: str, port: int) -> None:
    """Raise the OSError that listening on ``host:port`` would raise (bound the way
    asyncio binds a server: with SO_REUSEADDR, so a port in TIME_WAIT is free)."""
    for family, kind, proto, _name, address in socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)


def _close_loop(smtp: SmtpInbox) -> None:
    """Close the event loop of an SMTP server that failed to bind (its thread has ended);
    left open, it prints a traceback from the garbage collector at exit."""
    loop = getattr(getattr(smtp, "controller", None), "loop", None)
    if loop is not None and not loop.is_running():
        loop.close()


class StartError(Exception):
    """The service cannot start; the message names the config key to change."""


def cannot_listen(section: str, host: str, port: int, exc: OSError) -> str:
    """One line for a port that cannot be listened on, naming the key that sets it."""
    if exc.errno == errno.EADDRINUSE:
        why = "the port is already in use (another program, or assistant run already running)"
    elif exc.errno == errno.EACCES:
        why = "permission denied (ports below 1024 need privileges)"
    elif exc.errno == errno.EADDRNOTAVAIL:
        why = f"{host} is not an address of this machine"
    else:
        why = (exc.strerror or str(exc)).lower()
    return (f"cannot listen on {host}:{port}: {why}; "
            f"set another {section} port (or host) in the config")


def run(app: App, ready: Callable[[Service], None] = lambda s: None) -> None:
    """Run until SIGINT/SIGTERM; :class:`StartError` when it cannot start."""
    service = Service(app)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: service.stop.set())
    try:
        service.start()
    except StartError:
        service.shutdown()  # the threads started before the failing part
        raise
    # What exists now (modules, mappers, the engine) lives as long as the service: kept
    # out of the collector's full passes, which walked it all every few hundred mails.
    gc.freeze()
    ready(service)
    try:
        while not service.stop.wait(1.0):
            pass
    finally:
        log.info("stopping")
        service.shutdown()
