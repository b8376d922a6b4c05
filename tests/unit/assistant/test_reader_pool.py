"""ReaderPool: more processor threads than reader processes; a reader is held only
while a mail is read (real threads; the readers are stand-ins that record their use)."""

from __future__ import annotations

import threading

import pytest

from assistant.pdf_reader import ReaderPool
from parsers.email import MailLimits

WAIT = 10.0  # seconds; generous on a loaded machine, never reached when it works
SHORT = 0.2  # seconds: a read that is made to fail waits this long


class RecordingReader:
    """Stands in for a GuardedReader: who read what, and never two reads at once."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.reads: list[bytes] = []
        self.busy = False
        self.overlapped = False
        self.gate: threading.Event | None = None  # a read waits for it when set
        self.closed = False

    def read_mail(self, raw: bytes, limits: MailLimits) -> str:
        self.overlapped |= self.busy
        self.busy = True
        try:
            if self.gate is not None:
                assert self.gate.wait(SHORT), "the gate stayed shut"
            self.reads.append(raw)
            return f"{self.name}:{raw.decode()}"
        finally:
            self.busy = False

    def retire(self) -> None:
        self.closed = True


def test_a_thread_that_stores_does_not_hold_the_reader() -> None:
    """One reader, two threads: the second thread's mail is read while the first thread
    is still storing its own (after its read)."""
    reader = RecordingReader("r0")
    pool = ReaderPool([reader])  # type: ignore[list-item]
    first_read, second_read = threading.Event(), threading.Event()
    first_stored = threading.Event()
    results: dict[str, object] = {}

    def first() -> None:
        with pool.reserved():
            results["first"] = pool.read_mail(b"a", MailLimits())
            first_read.set()
            # "Storing": the other thread must get the reader meanwhile.
            results["second read while first stored"] = second_read.wait(WAIT)
        first_stored.set()

    def second() -> None:
        assert first_read.wait(WAIT)
        with pool.reserved():
            results["second"] = pool.read_mail(b"b", MailLimits())
        second_read.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert results == {"first": "r0:a", "second": "r0:b",
                       "second read while first stored": True}
    assert first_stored.is_set() and reader.reads == [b"a", b"b"]


def test_a_reservation_waits_for_a_free_reader_and_reads_never_overlap() -> None:
    """Four threads, two readers, 40 mails: each reader reads one mail at a time, every
    mail is read once, and a thread's reservation is the reader that reads its mail."""
    readers = [RecordingReader("r0"), RecordingReader("r1")]
    pool = ReaderPool(readers)  # type: ignore[arg-type]
    mails = [str(n).encode() for n in range(40)]
    todo = list(mails)
    lock = threading.Lock()
    read_by: dict[bytes, str] = {}

    def work() -> None:
        while True:
            with lock:
                if not todo:
                    return
                raw = todo.pop()
            with pool.reserved():
                held = pool._held.reader  # noqa: SLF001 - which one this thread waits with
                result = pool.read_mail(raw, MailLimits())
                assert result == f"{held.name}:{raw.decode()}"
                read_by[raw] = held.name

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    assert sorted(read_by) == sorted(mails)
    assert sorted(r for reader in readers for r in reader.reads) == sorted(mails)
    assert not any(reader.overlapped for reader in readers)


def test_a_reservation_not_read_with_is_given_back() -> None:
    """A message not to be read (done already, leased elsewhere) frees its reader."""
    reader = RecordingReader("r0")
    pool = ReaderPool([reader])  # type: ignore[list-item]
    with pool.reserved():
        pass  # process_safely returned before reading
    with pool.reserved():  # would wait forever if the first had kept it
        assert pool.read_mail(b"x", MailLimits()) == "r0:x"
    assert pool.read_mail(b"y", MailLimits()) == "r0:y"  # without a reservation too
    pool.close()
    assert reader.closed and reader.reads == [b"x", b"y"]


def test_a_failed_read_gives_the_reader_back() -> None:
    reader = RecordingReader("r0")
    pool = ReaderPool([reader])  # type: ignore[list-item]
    reader.gate = threading.Event()  # never set within the wait: the read fails

    with pytest.raises(AssertionError):
        pool.read_mail(b"bad", MailLimits())
    reader.gate = None
    assert pool.read_mail(b"ok", MailLimits()) == "r0:ok"  # would wait if it were kept
