"""Reading mail and payslip PDFs in a guarded worker process.

Everything that interprets a received message's bytes runs here, never in the
service's own process: the MIME parse (headers included: the standard library's
RFC 2047 decoding uses memory growing with the square of the number of encoded
words in a header) and every PDF (pdfplumber is pure Python; a hostile PDF can keep
it busy for minutes, or take gigabytes, inside one page where no cooperative check
reaches). The worker runs under an address-space limit (``RLIMIT_AS``, set inside
the worker) and the caller waits for it at most a time limit; a worker that
overruns either is killed and replaced, so a hostile message can only fail itself.

Time limits: each PDF at most ``time_limit`` seconds, and one mail's whole read
(MIME and all its PDFs) at most ``mail_budget`` seconds. PDFs left when the budget
is used up are reported unread (``Unreadable`` with the reason), not read.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing as mp
import queue
import resource
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from assistant.config import InboxConfig
from handlers.claims import PdfResult
from parsers import email
from parsers.payslip import DEFAULT_LIMITS, Limits, Payslip, Unreadable, read, read_document
from parsers.payslip.images import IMAGE_KINDS, kind_of

log = logging.getLogger(__name__)

DEFAULT_MEMORY_MB = 1024  # a normal payslip needs < 150 MB; a mail of 25 MB well under 1 GB
DEFAULT_MAIL_BUDGET = 60.0
# OCR reads a page in 2-7 s (Tesseract on one core): a scan or photo gets this long.
DEFAULT_OCR_TIME_LIMIT = 100.0
STARTUP_SECONDS = 120.0  # generous: a loaded machine, a cold disk cache
# How a worker ends when PDFium cannot allocate (SIGABRT; SIGTRAP from a release build).
_ABORTED = (-signal.SIGABRT, -signal.SIGTRAP)


@dataclass(frozen=True)
class MailRead:
    """A mail as the worker read it, with the result of each of its PDFs (in order)."""

    message: email.MailMessage | email.UnreadableMail
    pdfs: tuple[PdfResult, ...] = ()


class ReadFailed(Exception):
    """The mail itself (its MIME structure or headers) could not be read: the worker
    ran out of memory or time, or stopped. The caller counts it as a failed attempt."""


# -- the worker process ----------------------------------------------------------------


def _limit_memory(memory_bytes: int) -> None:
    # Set inside the worker, after its imports: the service itself stays unlimited.
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        memory_bytes = min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, hard))


def _serve(conn: Connection, limits: Limits, memory_bytes: int) -> None:
    _limit_memory(memory_bytes)
    # The imports (pdfplumber, PDFium's bindings) live as long as the worker: kept out of
    # the collector's full passes, which walked them all every few dozen payslips.
    gc.freeze()
    conn.send(("ready", None))  # imports done: time limits count reading only
    while True:
        try:
            kind, payload = conn.recv()
        except EOFError:
            return
        try:
            if kind == "mail":
                result: Any = email.read(*payload)
            elif kind == "ocr":  # a scan or photo, or a PDF without a text layer
                result = read_document(payload[0], payload[1], limits)
            else:
                result = read(payload, limits)
        except MemoryError:
            result = None
        if result is None:
            # Free what the failed read held before answering, then stop: the heap of a
            # process that hit its limit is not trusted with the next message.
            conn.send(("memory", None))
            return
        conn.send(("ok", result))


# -- the service side ------------------------------------------------------------------


class GuardedReader:
    """One worker process reading one mail or PDF at a time; not thread-safe (one per
    thread). ``time_limit``: seconds per PDF; ``mail_budget``: seconds for one mail's
    whole read; ``memory_mb``: the worker's address-space limit."""

    def __init__(
        self, time_limit: float = 10.0, limits: Limits = DEFAULT_LIMITS,
        memory_mb: int = DEFAULT_MEMORY_MB, mail_budget: float = DEFAULT_MAIL_BUDGET,
        ocr_time_limit: float = DEFAULT_OCR_TIME_LIMIT,
    ) -> None:
        self.time_limit = time_limit
        self.ocr_time_limit = ocr_time_limit
        self.limits = limits
        self.memory_mb = memory_mb
        self.mail_budget = mail_budget
        self._ctx = mp.get_context("spawn")  # no fork: the service has threads and sockets
        self._proc: mp.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._startup_seconds = 0.0  # spent starting workers, kept out of the mail budget
        self._retired = False  # closed for good (``retire``): no worker is started again
        # Starting and stopping the worker, which may happen in two threads when the
        # service stops (``retire``) while a mail is being read.
        self._lifecycle = threading.RLock()

    @classmethod
    def from_config(cls, inbox: InboxConfig) -> GuardedReader:
        """A reader with the limits of ``[inbox]`` (an ``InboxConfig``)."""
        return cls(time_limit=inbox.pdf_time_limit_seconds, memory_mb=inbox.reader_memory_mb,
                   mail_budget=inbox.mail_time_budget_seconds,
                   ocr_time_limit=inbox.ocr_time_limit_seconds)

    # -- public reads

    def read(self, data: bytes) -> Payslip | Unreadable:
        """One payslip PDF's text layer, within ``time_limit`` and the memory limit."""
        return self._read_pdf(data, self.time_limit)

    def read_document(self, data: bytes, filename: str | None,
                      budget: float | None = None) -> Payslip | Unreadable:
        """A payslip as attached: a PDF by its text layer; a scan, a photo or a PDF
        without usable text by OCR, within ``ocr_time_limit`` (OCR takes seconds a page)."""
        budget = self.ocr_time_limit if budget is None else budget
        if kind_of(data, filename) not in IMAGE_KINDS:
            result = self._read_pdf(data, min(self.time_limit, budget), by_budget=budget <
                                    self.time_limit)
            if not (isinstance(result, Unreadable) and result.code == "no_text"):
                return result
        status, result = self._call("ocr", (data, filename), min(self.ocr_time_limit, budget))
        if status == "ok":
            return result
        if status == "timeout" and budget < self.ocr_time_limit:
            return Unreadable(self._budget_reason(), "budget")
        return Unreadable(
            "the scan or photo could not be read in time or memory; send the payslip as a "
            "PDF exported from the payroll system", "ocr_failed")

    def read_mail(self, raw: bytes, limits: email.MailLimits) -> MailRead:
        """A whole mail: MIME (headers included), then each PDF, all within
        ``mail_budget``. Raises ``ReadFailed`` when the MIME read itself fails."""
        started, startups = time.monotonic(), self._startup_seconds
        status, message = self._call("mail", (raw, limits), self.mail_budget)
        if status != "ok":
            raise ReadFailed(self._mail_reason(status))
        if isinstance(message, email.UnreadableMail):
            return MailRead(message)
        results = []
        for attachment in message.pdfs:
            name = attachment.filename or "payslip.pdf"
            # Reading time only: starting a replacement worker is not the mail's time.
            spent = time.monotonic() - started - (self._startup_seconds - startups)
            left = self.mail_budget - spent
            if left <= 0:
                results.append(PdfResult(name, Unreadable(self._budget_reason(), "budget")))
                continue
            results.append(PdfResult(name, self.read_document(
                attachment.data, attachment.filename, left)))
        return MailRead(message, tuple(results))

    # -- the worker protocol

    def _read_pdf(self, data: bytes, limit: float, by_budget: bool = False) -> Payslip | Unreadable:
        status, result = self._call("pdf", data, limit)
        if status == "ok":
            return result
        if status == "memory":
            return Unreadable(
                f"reading the PDF needed more than {self.memory_mb} MB of memory; it is too "
                "complex to be a payslip. Send the payslip as exported from the payroll system",
                "too_complex")
        if status == "timeout" and by_budget:
            return Unreadable(self._budget_reason(), "budget")
        if status == "timeout":
            return Unreadable(
                f"reading the PDF took longer than {self.time_limit:g} s; it is too complex to "
                "be a payslip. Send the payslip as exported from the payroll system",
                "too_complex")
        return Unreadable("the PDF could not be read (the reader stopped); send it again",
                          "reader_stopped")

    def _call(self, kind: str, payload: object, limit: float) -> tuple[str, Any]:
        """Run one job: ("ok", result), or ("memory" | "timeout" | "died", None)."""
        conn = self._send((kind, payload))
        if conn is None:
            return "died", None
        try:
            if conn.poll(limit):
                status, result = conn.recv()
                if status != "ok":
                    log.warning("reader worker hit its memory limit of %d MB; restarting it",
                                self.memory_mb)
                    self.close()
                return status, result
        except (EOFError, OSError) as exc:
            exitcode = self._exitcode()
            log.warning("reader worker died (%s, exit code %s); restarting it",
                        type(exc).__name__, exitcode)
            self.close()
            # PDFium (C) does not raise MemoryError: when an allocation fails under the
            # worker's address-space limit it aborts the process.
            return ("memory" if exitcode in _ABORTED else "died"), None
        log.warning("reader worker overran %.1f s; restarting it", limit)
        self.close()
        return "timeout", None

    def _exitcode(self) -> int | None:
        proc = self._proc  # once: ``retire`` may clear it from another thread meanwhile
        if proc is None:
            return None
        proc.join(timeout=2)
        return proc.exitcode

    def _send(self, job: tuple[str, object]) -> Connection | None:
        # A worker that died while idle (killed from outside) is replaced once, so the
        # job is not blamed for it.
        for _ in range(2):
            try:
                conn = self._conn or self._start()
                conn.send(job)
                return conn
            except (OSError, EOFError, ValueError):
                self.close()
        return None

    def _start(self) -> Connection:
        begun = time.monotonic()
        with self._lifecycle:
            if self._retired:  # the job fails as if the worker had died
                raise OSError("the reader is retired: the service is stopping")
            parent, child = self._ctx.Pipe()
            self._proc = self._ctx.Process(
                target=_serve, args=(child, self.limits, self.memory_mb * 1024 * 1024),
                daemon=True, name="mail-reader")
            self._proc.start()
            self._conn = parent
        child.close()
        # Starting a worker (a fresh interpreter importing pdfplumber) takes about a
        # second; it is waited for here, outside the time limits of the reads.
        if not parent.poll(STARTUP_SECONDS):
            log.warning("reader worker did not start within %s s", STARTUP_SECONDS)
            raise OSError("the reader process did not start")
        parent.recv()
        self._startup_seconds += time.monotonic() - begun
        return parent

    # -- reasons

    def _budget_reason(self) -> str:
        return (f"not read: one mail's attachments may take at most {self.mail_budget:g} s "
                "to read together, and the PDFs before this one used that time. Send this "
                "payslip again in a mail of its own")

    def _mail_reason(self, status: str) -> str:
        if status == "memory":
            return (f"reading the mail (its MIME structure and headers) needed more than "
                    f"{self.memory_mb} MB of memory")
        if status == "timeout":
            return (f"reading the mail (its MIME structure and headers) took longer than "
                    f"{self.mail_budget:g} s")
        return "the reader process stopped while reading the mail"

    def retire(self) -> None:
        """Stop the worker for good: a read still under way fails, and no later read
        starts a new worker (the service is stopping; ``close`` only stops this one)."""
        self._retired = True
        self.close()

    def close(self) -> None:
        with self._lifecycle:
            if self._proc is not None:
                self._proc.kill()
                self._proc.join(timeout=5)
            if self._conn is not None:
                self._conn.close()
            self._proc, self._conn = None, None

    def __enter__(self) -> GuardedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ReaderPool:
    """Guarded readers shared by more threads than there are readers: a thread holds a
    reader only while its mail is read, so the readers read the next mails while the
    threads judge and store the last ones (reading and storing each keep a core busy)."""

    def __init__(self, readers: list[GuardedReader]) -> None:
        self._readers = readers
        self._free: queue.SimpleQueue[GuardedReader] = queue.SimpleQueue()
        for reader in readers:
            self._free.put(reader)
        self._held = threading.local()

    @contextmanager
    def reserved(self) -> Iterator[None]:
        """Wait for a free reader and keep it for this thread's next ``read_mail``.

        The attempt at a message is counted before it is read (``Pipeline``): waiting
        for a reader first means a service killed while threads wait has not spent the
        attempts of the messages they wait with."""
        self._held.reader = self._free.get()
        try:
            yield
        finally:
            self._release()

    def read_mail(self, raw: bytes, limits: email.MailLimits) -> MailRead:
        """``GuardedReader.read_mail`` by the reader this thread reserved, or the next
        free one; the reader is free again as soon as the mail is read."""
        reader = getattr(self._held, "reader", None) or self._free.get()
        self._held.reader = reader
        try:
            return reader.read_mail(raw, limits)
        finally:
            self._release()

    def _release(self) -> None:
        reader = getattr(self._held, "reader", None)
        if reader is not None:
            self._held.reader = None
            self._free.put(reader)

    def close(self) -> None:
        """Retire every reader: threads still reading get failed reads, and no reader
        process is started again."""
        for reader in self._readers:
            reader.retire()


# The name every caller used before the reader also read the mail itself.
GuardedPdfReader = GuardedReader
