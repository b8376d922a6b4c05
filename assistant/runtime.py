"""``assistant run``: the main job.

Threads, each with one job:
- the inbox: the embedded SMTP server, or the IMAP poller; both only store mail;
- the processors: a dispatcher hands stored, unprocessed messages to one worker
  per core (each with its own PDF-reader process). At start that includes whatever
  was stored but not processed before a crash or kill;
- the outbox worker: delivers queued mail with retries;
- the intake chat bot (Telegram), when ``[telegram] token`` is set: its own thread
  with its own event loop; if it cannot start, the mail side runs on without it.
Stopped cleanly by SIGINT/SIGTERM; a SIGKILL loses nothing that was acknowledged.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.bot.service import IntakeService
from assistant.bot.telegram import TelegramBot
from assistant.commands.common import App
from assistant.inbox.imap_poller import ImapPoller
from assistant.inbox.smtp_server import SmtpInbox
from assistant.outbox import OutboxWorker, make_transport
from assistant.pdf_reader import GuardedPdfReader
from assistant.pipeline import Pipeline, pending_ids

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
    # One worker per core: reading a PDF is CPU-bound in a process of its own.
    workers: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    jobs: queue.Queue[int] = field(default_factory=queue.Queue)

    def start(self) -> None:
        config = self.app.config
        self.outbox = OutboxWorker(self.app.engine, make_transport(config),
                                   config.outbox.max_attempts)
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
            self.smtp.start()
        else:
            self._thread("imap", self._imap_loop)
        if config.telegram.token:
            self._start_bot()

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

    def _pipeline(self, reader: GuardedPdfReader) -> Pipeline:
        assert self.outbox is not None
        return Pipeline(self.app.engine, self.app.config, reader, on_queued=self.outbox.wake)

    def _dispatch_loop(self) -> None:
        """Hand stored, unprocessed messages to the workers; each id to one worker at once."""
        in_flight: set[int] = set()
        lock = threading.Lock()

        def finished(inbound_id: int) -> None:
            with lock:
                in_flight.discard(inbound_id)

        for n in range(self.workers):
            self._thread(f"processor-{n}", lambda: self._work_loop(finished))
        while not self.stop.is_set():
            self.arrived.clear()
            try:
                for inbound_id in pending_ids(self.app.engine, limit=200):
                    with lock:
                        if inbound_id in in_flight:
                            continue
                        in_flight.add(inbound_id)
                    self.jobs.put(inbound_id)
            except Exception:  # noqa: BLE001 - e.g. the database is briefly away
                log.exception("dispatch error; retrying")
            self.arrived.wait(PROCESSOR_IDLE_SECONDS)

    def _work_loop(self, finished: Callable[[int], None]) -> None:
        limit = self.app.config.inbox.pdf_time_limit_seconds
        with GuardedPdfReader(time_limit=limit) as reader:
            pipeline = self._pipeline(reader)
            while not self.stop.is_set():
                try:
                    inbound_id = self.jobs.get(timeout=1.0)
                except queue.Empty:
                    continue
                try:
                    pipeline.process_safely(inbound_id)
                finally:
                    finished(inbound_id)
                    if self.jobs.empty():
                        self.arrived.set()  # look again: more may have arrived meanwhile

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
        for thread in self.threads:
            thread.join(timeout)


def run(app: App, ready: Callable[[Service], None] = lambda s: None) -> None:
    """Run until SIGINT/SIGTERM."""
    service = Service(app)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: service.stop.set())
    service.start()
    ready(service)
    try:
        while not service.stop.wait(1.0):
            pass
    finally:
        log.info("stopping")
        service.shutdown()
