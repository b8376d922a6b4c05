"""The outbox worker against a real SMTP relay (aiosmtpd) on loopback."""

from __future__ import annotations

import os
import random
import stat
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from assistant.backoff import delay
from assistant.db import session
from assistant.models import OutboundMessage
from assistant.outbox import (
    DirectoryTransport,
    OutboxWorker,
    SmtpTransport,
    backoff,
    compose,
    enqueue,
    wire_bytes,
)
from tests.integration.net import free_port


class Relay:
    """An SMTP relay that keeps what it receives; can refuse a recipient with 550."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos),
                              envelope.original_content))
        return "250 OK"


class Clock:
    def __init__(self) -> None:
        # Real time: queued mail is due from the moment it was queued.
        self.now = datetime.now(UTC) + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.now


def queue(store, key: str, recipient: str = "okonomi@kommune.example") -> None:
    message = compose(sender="jobcenter@kommune.example", recipient=recipient,
                      subject="Refusion godkendt R-2026-000001", body="Beløb: 1.234,56 kr.",
                      dedup_key=key, attachments=[("Lønseddel.pdf", "application/pdf", b"%PDF")])
    with session(store.engine) as db:
        assert enqueue(db, kind="summary", message=message, dedup_key=key)


def rows(store) -> list[OutboundMessage]:
    with session(store.engine) as db:
        return list(db.exec(select(OutboundMessage).order_by(OutboundMessage.id)).all())


def test_mail_waits_while_the_relay_is_down_and_goes_out_once_when_it_is_back(store):
    port, clock = free_port(), Clock()
    transport = SmtpTransport("127.0.0.1", port, sender="jobcenter@kommune.example", timeout=5)
    worker = OutboxWorker(store.engine, transport, max_attempts=300, clock=clock)
    queue(store, "summary:1")
    # Down: nothing listens on the port.
    assert worker.run_once() == 0
    (row,) = rows(store)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "Connection refused" in row.last_error
    assert timedelta(seconds=4) <= row.next_attempt_at - clock.now <= timedelta(seconds=6)
    assert worker.run_once() == 0 and rows(store)[0].attempts == 1  # not due yet
    relay = Relay()
    controller = Controller(relay, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        clock.now += timedelta(seconds=6)
        assert worker.run_once() == 1
        assert worker.run_once() == 0  # sent once, never again
    finally:
        controller.stop()
    (sender, recipients, raw), = relay.received
    assert (sender, recipients) == ("jobcenter@kommune.example", ["okonomi@kommune.example"])
    mail = message_from_bytes(raw, policy=default_policy)
    assert mail["Subject"] == "Refusion godkendt R-2026-000001"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert [p.get_filename() for p in mail.iter_attachments()] == ["Lønseddel.pdf"]
    (row,) = rows(store)
    assert (row.status, row.last_error, row.sent_at) == ("sent", None, clock.now)


def test_a_refused_recipient_fails_at_once_with_the_reason(store):
    port = free_port()
    controller = Controller(Relay(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        worker = OutboxWorker(store.engine, SmtpTransport("127.0.0.1", port), max_attempts=300)
        queue(store, "reply:1", recipient="nobody@firma.dk")
        assert worker.run_once() == 0
    finally:
        controller.stop()
    (row,) = rows(store)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error.startswith("550 5.1.1 no such user")


def test_the_same_key_is_queued_once_and_files_are_written_once(store, tmp_path):
    queue(store, "summary:7")
    message = compose(sender="a@b.dk", recipient="c@d.dk", subject="x", body="y",
                      dedup_key="summary:7")
    with session(store.engine) as db:
        assert not enqueue(db, kind="summary", message=message, dedup_key="summary:7")
    worker = OutboxWorker(store.engine, DirectoryTransport(tmp_path / "out"))
    assert worker.run_once() == 1 and worker.run_once() == 0
    (path,) = (tmp_path / "out").iterdir()
    assert path.name == f"{rows(store)[0].id:08d}-summary.eml"
    assert path.read_bytes() == rows(store)[0].raw


def test_gives_up_after_max_attempts(store):
    clock = Clock()
    worker = OutboxWorker(store.engine, SmtpTransport("127.0.0.1", free_port(), timeout=5),
                          max_attempts=3, clock=clock)
    queue(store, "summary:9")
    for _ in range(3):
        worker.run_once()
        clock.now += timedelta(hours=1)
    (row,) = rows(store)
    assert (row.status, row.attempts) == ("failed", 3)


@pytest.mark.parametrize(("attempt", "seconds"), [(1, 5), (2, 10), (3, 20), (8, 640), (9, 900),
                                                  (50, 900)])
def test_backoff_doubles_up_to_the_cap_with_jitter(attempt, seconds):
    assert delay(attempt, 5, 900, random.Random(1)) == pytest.approx(seconds, rel=0.2)
    spread = {round(backoff(attempt).total_seconds(), 3) for _ in range(20)}
    assert len(spread) > 1 and all(0.8 * seconds <= s <= 1.2 * seconds for s in spread)


# -- on the wire: CRLF, no line over 998 bytes (a strict relay refuses anything else) ----


def big_summary(key: str, in_reply_to: str | None = None):
    """A summary of several KB: a long one-line paragraph, many lines, Danish letters and a
    PDF of 200 KB of arbitrary bytes."""
    body = ("Lønseddel for perioden, æøå ÆØÅ. " * 120 + "\n"
            + "".join(f"Linje {n}: løn 1.234,56 kr.\n" for n in range(300)))
    pdf = b"%PDF-1.4\n" + random.Random(7).randbytes(200_000)
    message = compose(sender="jobcenter@kommune.example", recipient="okonomi@kommune.example",
                      subject="Refusion godkendt R-2026-000001 – Kåre Munk Hansen", body=body,
                      dedup_key=key, attachments=[("Lønseddel.pdf", "application/pdf", pdf)],
                      in_reply_to=in_reply_to)
    return message, body, pdf


@pytest.fixture
def relay():
    """aiosmtpd as a real relay on loopback: it refuses lines over 1,000 bytes with 500."""
    handler, port = Relay(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def test_smtp_relay_receives_large_messages_byte_correct_with_crlf(store, relay):
    handler, port = relay
    worker = OutboxWorker(store.engine, SmtpTransport("127.0.0.1", port, timeout=30),
                          max_attempts=300)
    sent = []
    long_id = "<" + "x" * 1200 + "@firma.dk>"  # folded as encoded words by the stdlib
    for key, in_reply_to in (("summary:big", None), ("reply:big", "<abc@firma.dk>"),
                             ("reply:long-id", long_id)):
        message, body, pdf = big_summary(key, in_reply_to)
        with session(store.engine) as db:
            assert enqueue(db, kind="summary", message=message, dedup_key=key)
        sent.append((message, body, pdf))
    assert worker.run_once() == 3
    assert [r.status for r in rows(store)] == ["sent"] * 3
    assert len(handler.received) == 3
    for (message, body, pdf), (_, _, raw) in zip(sent, handler.received, strict=True):
        assert len(raw) > 200_000
        assert b"\n" not in raw.replace(b"\r\n", b"")  # no bare LF
        assert b"\r" not in raw.replace(b"\r\n", b"")  # no bare CR
        assert max(len(line) for line in raw.split(b"\r\n")) <= 998
        got = message_from_bytes(raw, policy=default_policy)
        assert got.get_body(("plain",)).get_content() == body
        (attachment,) = got.iter_attachments()
        assert attachment.get_filename() == "Lønseddel.pdf"
        assert attachment.get_content() == pdf
        for name in ("Subject", "Message-ID", "From", "To", "Auto-Submitted"):
            assert got[name] == message[name]
    replied = message_from_bytes(handler.received[1][2], policy=default_policy)
    assert replied["In-Reply-To"] == "<abc@firma.dk>"
    long_reply = message_from_bytes(handler.received[2][2], policy=default_policy)
    assert long_reply["In-Reply-To"] == long_id


def test_wire_bytes_without_8bitmime_is_7bit_and_decodes_to_the_same_message():
    message, body, pdf = big_summary("x")
    wire = wire_bytes(message.as_bytes(), eight_bit=False)
    assert wire.isascii() and max(len(line) for line in wire.split(b"\r\n")) <= 998
    got = message_from_bytes(wire, policy=default_policy)
    assert got.get_body(("plain",)).get_content() == body
    assert next(got.iter_attachments()).get_content() == pdf


def test_a_body_line_over_998_bytes_is_reencoded():
    raw = (b"From: a@b.dk\nTo: c@d.dk\nSubject: x\nContent-Type: text/plain\n\n"
           + b"y" * 5000 + b"\n")
    wire = wire_bytes(raw)
    assert max(len(line) for line in wire.split(b"\r\n")) <= 998
    assert message_from_bytes(wire, policy=default_policy).get_content() == "y" * 5000 + "\n"


# -- the directory: temp files never look like mail, stray ones are cleaned -------------


def test_a_kill_between_fsync_and_rename_leaves_no_eml_and_is_cleaned_at_start(
        store, tmp_path, monkeypatch):
    out = tmp_path / "out"
    queue(store, "summary:kill")
    worker = OutboxWorker(store.engine, DirectoryTransport(out))

    def killed(*args):
        raise KeyboardInterrupt  # stands in for SIGKILL: nothing after it runs

    with monkeypatch.context() as patch:
        patch.setattr("assistant.outbox.os.replace", killed)
        with pytest.raises(KeyboardInterrupt):
            worker.run_once()
    (stray,) = out.iterdir()
    assert stray.name.startswith(".tmp-") and stray.name.endswith(".partial")
    assert list(out.glob("*.eml")) == []
    (out / ".tmp-old1234.eml").write_bytes(b"left by an earlier version")
    restarted = OutboxWorker(store.engine, DirectoryTransport(out))  # the service starts again
    assert list(out.iterdir()) == []
    assert restarted.run_once() == 1
    (path,) = out.iterdir()
    assert path.name == f"{rows(store)[0].id:08d}-summary.eml"
    assert path.read_bytes() == rows(store)[0].raw


def test_outbox_directory_and_files_are_owner_only_whatever_the_umask(store, tmp_path):
    old = os.umask(0o022)
    try:
        queue(store, "summary:mode")
        out = tmp_path / "spool" / "outbox"
        assert OutboxWorker(store.engine, DirectoryTransport(out)).run_once() == 1
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "spool").stat().st_mode) == 0o700
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    (path,) = out.iterdir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- a busy inbox: the mail of the next moments goes out in one batch ---------------------


class CountingWorker(OutboxWorker):
    """Counts the delivery rounds that found mail."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rounds: list[int] = []

    def _deliver_due(self) -> tuple[int, int]:
        found, sent = super()._deliver_due()
        if found:
            self.rounds.append(found)
        return found, sent


def test_mail_queued_moments_apart_is_delivered_in_one_round(store, tmp_path):
    import threading
    import time

    out = tmp_path / "out"
    worker = CountingWorker(store.engine, DirectoryTransport(out), gather_seconds=1.0)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop, 30.0))
    thread.start()
    try:
        time.sleep(0.2)  # the first round found nothing; the worker waits to be woken
        for n in range(5):
            queue(store, f"summary:gather:{n}")
            worker.wake()  # as the pipeline does after each stored mail
            time.sleep(0.05)
        deadline = time.monotonic() + 10
        while len(list(out.glob("*.eml"))) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        worker.wake()
        thread.join(10)
    assert len(list(out.glob("*.eml"))) == 5
    assert worker.rounds == [5]
    assert {row.status for row in rows(store)} == {"sent"}
