"""Reading payslip PDFs under a hard time limit.

pdfplumber is pure Python: a hostile PDF can keep it busy for minutes inside one
page, where no cooperative check reaches. So PDFs are read in a worker process
that is killed and replaced when it overruns; the caller gets ``Unreadable``.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
from multiprocessing.connection import Connection

from parsers.payslip import DEFAULT_LIMITS, Limits, Payslip, Unreadable, read

log = logging.getLogger(__name__)


def _serve(conn: Connection, limits: Limits) -> None:
    while True:
        try:
            data = conn.recv_bytes()
        except EOFError:
            return
        conn.send(read(data, limits))


class GuardedPdfReader:
    """A worker process that reads one PDF at a time; not thread-safe (one per thread)."""

    def __init__(self, time_limit: float = 10.0, limits: Limits = DEFAULT_LIMITS) -> None:
        self.time_limit = time_limit
        self.limits = limits
        self._ctx = mp.get_context("spawn")  # no fork: the service has threads and sockets
        self._proc: mp.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(
            target=_serve, args=(child, self.limits), daemon=True, name="pdf-reader")
        self._proc.start()
        child.close()
        self._conn = parent
        return parent

    def read(self, data: bytes) -> Payslip | Unreadable:
        conn = self._conn or self._start()
        try:
            conn.send_bytes(data)
            if conn.poll(self.time_limit):
                return conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            log.warning("pdf reader worker died: %s", type(exc).__name__)
            self.close()
            return Unreadable("the PDF could not be read (the reader stopped); send it again")
        log.warning("pdf reader timed out after %.1f s; restarting worker", self.time_limit)
        self.close()
        return Unreadable(
            f"reading the PDF took longer than {self.time_limit:g} s; it is too complex to be "
            "a payslip. Send the payslip as exported from the payroll system")

    def close(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(timeout=5)
        if self._conn is not None:
            self._conn.close()
        self._proc, self._conn = None, None

    def __enter__(self) -> GuardedPdfReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
