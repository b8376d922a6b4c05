"""The SMTP inbox under abuse, on loopback against the real aiosmtpd server and both
databases: control characters refused with a clear 5xx (never 451 forever), errors
logged without the raw mail, connection caps per server and per address, the command
timeout, and rate-limited logging of resource errors."""

from __future__ import annotations

import logging
import smtplib
import socket
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage

import pytest
from sqlalchemy.exc import DataError
from sqlmodel import select

from assistant import logs
from assistant.db import session
from assistant.inbox.smtp_server import SmtpInbox
from assistant.logs import RateLimitFilter, describe_error
from assistant.models import InboundMessage
from tests.integration.net import free_port

JOBCENTER = "jobcenter@kommune.example"
CPR = "250889-2325"


def mail(message_id: str = "<ok-1@firma.dk>", subject: str = "Refusion") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "lon@firma.dk", JOBCENTER, subject
    msg["Message-ID"] = message_id
    msg.set_content(f"Refusion for {CPR}.")
    return msg.as_bytes().replace(b"\n", b"\r\n")


def start(store, **limits) -> SmtpInbox:
    inbox = SmtpInbox(store, "127.0.0.1", free_port(), JOBCENTER, 200_000, lambda _id: None,
                      **limits)
    inbox.start()
    return inbox


@pytest.fixture
def inbox(store) -> Iterator[SmtpInbox]:
    server = start(store)
    yield server
    server.stop()


def stored(store) -> list[InboundMessage]:
    with session(store.engine) as db:
        return list(db.exec(select(InboundMessage)).all())


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Wait for the server's thread to catch up (not a timing assertion: the bound is
    only there so a bug fails instead of hanging)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for: {what}")
        time.sleep(0.01)


# -- control characters: refused at SMTP time with a 5xx that names the problem ------------


@pytest.mark.parametrize(("sender", "recipient", "code", "says"), [
    ("lon\0@firma.dk", JOBCENTER, 553, "sender (MAIL FROM) address contains a control "
                                       "character (NUL)"),
    ("lon@firma.dk", "jobcenter\x01@kommune.example", 553,
     "recipient (RCPT TO) address contains a control character (0x01)"),
])
def test_control_characters_in_the_envelope_are_refused(inbox, store, sender, recipient, code,
                                                        says):
    with smtplib.SMTP("127.0.0.1", inbox.port, timeout=30) as client:
        client.ehlo()
        answers = [client.docmd(f"MAIL FROM:<{sender}>"), client.docmd(f"RCPT TO:<{recipient}>")]
        refused = next(answer for answer in answers if answer[0] != 250)
        assert refused[0] == code and says in refused[1].decode()
        client.rset()
        # The same connection still takes a clean message.
        assert client.sendmail("lon@firma.dk", [JOBCENTER], mail()) == {}
    (row,) = stored(store)
    assert row.envelope_from == "lon@firma.dk" and row.message_id == "<ok-1@firma.dk>"


@pytest.mark.parametrize(("raw", "says"), [
    (mail("<abc\0def@firma.dk>"), "header contains a NUL byte"),
    (mail("<abc\x1bdef@firma.dk>"), "Message-ID header contains a control character (0x1B)"),
    (mail("<abc@firma.dk>").replace(b"<abc@firma.dk>", b"<abc\xff\xfe@firma.dk>"),
     "Message-ID header contains bytes that are not UTF-8"),
    (mail().replace(b"Subject: Refusion", b"Subject: Refu\0sion"),
     "header contains a NUL byte"),
])
def test_a_message_id_that_cannot_be_stored_is_refused_with_550(inbox, store, raw, says):
    with smtplib.SMTP("127.0.0.1", inbox.port, timeout=30) as client:
        with pytest.raises(smtplib.SMTPDataError) as error:
            client.sendmail("lon@firma.dk", [JOBCENTER], raw)
        assert error.value.smtp_code == 550
        assert error.value.smtp_error.decode().startswith("5.6.0 ")
        assert says in error.value.smtp_error.decode()
        assert client.sendmail("lon@firma.dk", [JOBCENTER], mail()) == {}
    assert [row.message_id for row in stored(store)] == ["<ok-1@firma.dk>"]


def test_a_folded_utf8_message_id_is_stored_unfolded(inbox, store):
    raw = mail().replace(b"Message-ID: <ok-1@firma.dk>", "Message-ID:\r\n <møde-1@firma.dk>"
                         .encode())
    with smtplib.SMTP("127.0.0.1", inbox.port, timeout=30) as client:
        assert client.sendmail("lon@firma.dk", [JOBCENTER], raw) == {}
    assert [row.message_id for row in stored(store)] == ["<møde-1@firma.dk>"]


def test_a_storage_error_answers_451_and_logs_no_sql_parameters(store, caplog):
    class FailingStore:
        def save_inbound(self, raw, *args, **kwargs):
            # What SQLAlchemy raises: its text carries the statement and the raw mail.
            raise DataError("INSERT INTO inbound_message (raw) VALUES (%(raw)s)",
                            {"raw": raw}, ValueError("the database is unhappy"))

    server = start(FailingStore())
    try:
        with smtplib.SMTP("127.0.0.1", server.port, timeout=30) as client, \
                pytest.raises(smtplib.SMTPDataError) as error:
            client.sendmail("lon@firma.dk", [JOBCENTER], mail())
        assert error.value.smtp_code == 451
    finally:
        server.stop()
    (line,) = [r.getMessage() for r in caplog.records if "could not store" in r.getMessage()]
    assert line.startswith("could not store an incoming message: DataError (ValueError): "
                           "the database is unhappy (at test_smtp_inbox.py:")
    assert "INSERT" not in caplog.text and "Refusion" not in caplog.text


def test_describe_error_masks_cprs_and_stays_short():
    text = describe_error(RuntimeError(f"bad value {CPR.replace('-', '')} " + "x" * 1000))
    assert text.startswith("RuntimeError: bad value 250889-xxxx x")
    assert len(text) <= 304 and CPR[7:] not in text


# -- connection caps and the command timeout ------------------------------------------------


def greeting(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(1024)
        if not chunk:
            break
        data += chunk
    return data


def connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30,
                                    source_address=(source, 0))
    return sock


def test_connections_over_the_cap_get_421_and_mail_flows_on_a_free_slot(store):
    server = start(store, max_connections=5, max_connections_per_ip=20)
    idle = []
    try:
        for _ in range(5):
            idle.append(connect(server.port))
            assert greeting(idle[-1]).startswith(b"220 ")
        for _ in range(3):
            with connect(server.port) as extra:
                answer = greeting(extra)
                assert answer.startswith(b"421 4.7.0 Too many connections: all 5 connections")
                assert extra.recv(1024) == b""  # and the server closed it
        with pytest.raises(smtplib.SMTPConnectError) as refused:
            smtplib.SMTP("127.0.0.1", server.port, timeout=30)
        assert refused.value.smtp_code == 421
        idle.pop().close()
        wait_until(lambda: sum(server.limits.open.values()) == 4, "the closed slot is free")
        with smtplib.SMTP("127.0.0.1", server.port, timeout=30) as client:
            assert client.sendmail("lon@firma.dk", [JOBCENTER], mail()) == {}
        for sock in idle:
            sock.close()
        wait_until(lambda: not server.limits.open, "all sessions are closed")
    finally:
        for sock in idle:
            sock.close()
        server.stop()
    assert len(stored(store)) == 1


def test_one_address_cannot_take_every_connection(store):
    server = start(store, max_connections=10, max_connections_per_ip=3)
    idle = []
    try:
        for _ in range(3):
            idle.append(connect(server.port))
            assert greeting(idle[-1]).startswith(b"220 ")
        with connect(server.port) as extra:
            assert greeting(extra).startswith(
                b"421 4.7.0 Too many connections: 3 connections from 127.0.0.1 are open")
        # Another client (127.0.0.2 is loopback too) still gets in and delivers.
        with smtplib.SMTP("127.0.0.1", server.port, timeout=30,
                          source_address=("127.0.0.2", 0)) as client:
            assert client.sendmail("lon@firma.dk", [JOBCENTER], mail()) == {}
    finally:
        for sock in idle:
            sock.close()
        server.stop()
    assert len(stored(store)) == 1


def test_an_idle_client_is_disconnected_after_the_command_timeout(store):
    server = start(store, command_timeout=0.5)
    try:
        with connect(server.port) as sock:
            assert greeting(sock).startswith(b"220 ")
            sock.sendall(b"EHLO client.example\r\n")
            # The server hangs up by itself: recv returns the EHLO answer, then EOF.
            received = b""
            while chunk := sock.recv(4096):
                received += chunk
            assert received.startswith(b"250-") and received.endswith(b"\r\n")
        wait_until(lambda: not server.limits.open, "the timed-out session is released")
    finally:
        server.stop()


def test_a_slow_message_that_keeps_sending_is_not_cut_off(store):
    server = start(store, command_timeout=3)
    raw = mail()
    try:
        with connect(server.port) as sock:
            assert greeting(sock).startswith(b"220 ")
            for command in (b"HELO client.example", b"MAIL FROM:<lon@firma.dk>",
                            f"RCPT TO:<{JOBCENTER}>".encode(), b"DATA"):
                sock.sendall(command + b"\r\n")
                assert greeting(sock)[:1] in (b"2", b"3")
            chunks = [raw[i:i + len(raw) // 6 + 1] for i in range(0, len(raw), len(raw) // 6 + 1)]
            for chunk in chunks:  # 6 s in all, each gap well under the 3 s timeout
                sock.sendall(chunk)
                time.sleep(1)
            sock.sendall(b".\r\n")
            assert greeting(sock).startswith(b"250 2.0.0 OK: stored as ")
    finally:
        server.stop()
    assert len(stored(store)) == 1


def test_defaults_come_from_the_config():
    from assistant.config import load_config

    smtp = load_config(env={}).inbox.smtp
    assert (smtp.max_connections, smtp.max_connections_per_ip,
            smtp.command_timeout_seconds) == (100, 20, 60.0)


# -- rate-limited logging of resource errors ------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def record(msg: str, level: int = logging.ERROR, exc: BaseException | None = None):
    exc_info = (type(exc), exc, None) if exc is not None else None
    return logging.LogRecord("asyncio", level, __file__, 1, msg, None, exc_info)


def test_the_same_error_is_logged_once_per_interval_with_a_count():
    clock = FakeClock()
    limiter = RateLimitFilter(interval=10, clock=clock)
    emfile = OSError(24, "Too many open files")
    first = [limiter.filter(record("socket.accept() out of system resource", exc=emfile))
             for _ in range(32_000)]
    assert first.count(True) == 1
    # Another kind of error is not held back by the first.
    assert limiter.filter(record("Fatal error on transport", exc=ConnectionResetError()))
    assert limiter.filter(record("socket.accept() out of system resource", level=logging.INFO))
    clock.now += 10
    later = record("socket.accept() out of system resource", exc=emfile)
    assert limiter.filter(later)
    assert later.getMessage() == ("socket.accept() out of system resource [31999 more like "
                                  "this since the last one were not logged]")
    assert not limiter.filter(record("socket.accept() out of system resource", exc=emfile))


def test_refused_connections_are_logged_rate_limited(store, caplog):
    installed = logs.install_rate_limits(interval=3600)  # what `assistant run` installs
    server = start(store, max_connections=1)
    try:
        with connect(server.port) as held:
            assert greeting(held).startswith(b"220 ")
            for _ in range(50):
                with connect(server.port) as extra:
                    assert greeting(extra).startswith(b"421 ")
    finally:
        server.stop()
        for limiter in installed:
            for name in logs.RATE_LIMITED_LOGGERS:
                logging.getLogger(name).removeFilter(limiter)
    refusals = [r for r in caplog.records if r.getMessage().startswith("refused an SMTP")]
    assert len(refusals) == 1


def test_the_imap_path_stores_a_message_whose_message_id_holds_a_nul():
    from assistant.inbox.imap_poller import _envelope_sender, _message_id

    raw = b"Return-Path: <lon\0@firma.dk>\r\n" + mail("<abc\0def@firma.dk>")
    assert _message_id(raw) is None  # IMAP cannot refuse: stored without the Message-ID
    assert _envelope_sender(raw) == "lon@firma.dk"
    assert _message_id(mail("<fine@firma.dk>")) == "<fine@firma.dk>"
