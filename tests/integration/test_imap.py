"""The IMAP inbox against a real Dovecot on loopback (see tests/integration/imap_server.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from pathlib import Path

import pytest
from imapclient import IMAPClient
from sqlmodel import select

from assistant.commands.common import open_app
from assistant.config import Config, load_config
from assistant.db import session
from assistant.inbox.imap_poller import ImapPoller
from assistant.models import Claim, InboundMessage, OutboundMessage
from assistant.pipeline import Pipeline
from assistant.runtime import Service
from assistant.store import Store
from tests.fixtures.payslips import make_case, render
from tests.integration.imap_server import PASSWORD, USER, Dovecot, available

pytestmark = pytest.mark.skipif(not available(), reason="Dovecot is not installed "
                                "(apt-get install dovecot-imapd; .ci/run does this)")

FOLDER, PROCESSED = "INBOX", "Behandlet"


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot()
    server.start()
    yield server
    server.cleanup()


@pytest.fixture
def config(tmp_path: Path, dovecot: Dovecot, db_url) -> Config:
    path = tmp_path / "config.toml"
    path.write_text(f"""
[database]
url = "{db_url.render_as_string(hide_password=False)}"
[inbox]
mode = "imap"
[inbox.imap]
host = "127.0.0.1"
port = {dovecot.port}
username = "{USER}"
password = "{PASSWORD}"
folder = "{FOLDER}"
processed_folder = "{PROCESSED}"
ssl = false
poll_seconds = 1
[outbox]
directory = "{tmp_path / 'outbox'}"
# The reminders depend on today's date; they have their own tests on a fixed clock.
[followup]
enabled = false
""")
    return load_config(path, env={})


def client(server: Dovecot) -> IMAPClient:
    c = IMAPClient("127.0.0.1", port=server.port, ssl=False, timeout=10)
    c.login(USER, PASSWORD)
    return c


def claim_mail(seed: int = 1, trace: str = "") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"] = "lon@firma.dk", "jobcenter@kommune.example"
    msg["Subject"], msg["Message-ID"] = f"Refusion {seed}", make_msgid(domain="firma.dk")
    msg.set_content("Vi søger refusion for løn, ATP og pension.\n")
    msg.add_attachment(render(make_case("municipal", seed)), maintype="application",
                       subtype="pdf", filename="Lønseddel.pdf")
    return trace.encode() + msg.as_bytes(policy=SMTP)


def deliver(server: Dovecot, *raws: bytes, folder: str = FOLDER) -> None:
    with client(server) as c:
        for raw in raws:
            c.append(folder, raw)


def uids_in(server: Dovecot, folder: str) -> list[int]:
    with client(server) as c:
        c.select_folder(folder, readonly=True)
        return sorted(c.search())


def inbound(store: Store) -> list[InboundMessage]:
    with session(store.engine) as db:
        return list(db.exec(select(InboundMessage).order_by(InboundMessage.id)).all())


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def poller(config: Config, store: Store, stored: list[int] | None = None) -> ImapPoller:
    sink = stored if stored is not None else []
    return ImapPoller(config.inbox.imap, store, sink.append, threading.Event())


def test_message_is_stored_first_and_moved_only_after_processing(
        dovecot, config, store, reader):
    raw = claim_mail()
    deliver(dovecot, raw)
    imap = poller(config, store)
    with client(dovecot) as c:
        uidvalidity = imap._open(c)
        assert imap.fetch_new(c, uidvalidity) == 1
        (row,) = inbound(store)
        assert (row.channel, row.status, row.imap_folder, row.imap_uid) == (
            "imap", "received", FOLDER, 1)
        assert row.raw.replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")
        # Not processed yet: it stays in the inbox.
        assert imap.move_processed(c, uidvalidity) == 0
        assert uids_in(dovecot, FOLDER) == [1]
        Pipeline(store.engine, config, reader).process(row.id)
        assert imap.move_processed(c, uidvalidity) == 1
        assert imap.fetch_new(c, uidvalidity) == 0
    assert uids_in(dovecot, FOLDER) == []
    assert len(uids_in(dovecot, PROCESSED)) == 1
    (row,) = inbound(store)
    assert (row.status, row.imap_folder, row.imap_uid) == ("processed", PROCESSED, None)
    # The message was read with BODY.PEEK: the workplace's mail stays unread in the box.
    with client(dovecot) as c:
        c.select_folder(PROCESSED, readonly=True)
        flags = c.get_flags(c.search())
    assert all(b"\\Seen" not in f for f in flags.values())


def test_position_survives_a_restart_and_nothing_is_read_twice(dovecot, config, store):
    deliver(dovecot, claim_mail(1), claim_mail(2))
    first = poller(config, store)
    with client(dovecot) as c:
        assert first.fetch_new(c, first._open(c)) == 2
    deliver(dovecot, claim_mail(3))
    again = poller(config, store)  # a new process: only the store remembers
    with client(dovecot) as c:
        assert again.fetch_new(c, again._open(c)) == 1
    assert [m.imap_uid for m in inbound(store)] == [1, 2, 3]
    position = store.imap_position("127.0.0.1", USER, FOLDER)
    assert position is not None and position[1] == 3


def test_same_message_twice_and_after_uidvalidity_change_is_one_message(
        dovecot, config, store, reader):
    folder = "Refusioner"
    settings = config.inbox.imap.model_copy(update={"folder": folder})
    raw = claim_mail(4)
    relayed = claim_mail(4)  # another Message-ID: a different message
    with client(dovecot) as c:
        c.create_folder(folder)
    # The same message twice; the second copy with the trace fields of another relay.
    deliver(dovecot, raw, b"Received: from relay2.firma.dk by mx\r\n" + raw, folder=folder)
    imap = ImapPoller(settings, store, lambda _id: None, threading.Event())
    with client(dovecot) as c:
        first_validity = imap._open(c)
        assert imap.fetch_new(c, first_validity) == 1
    (row,) = inbound(store)
    Pipeline(store.engine, config, reader).process(row.id)
    # The folder is recreated (new UIDVALIDITY) and the message appears in it again.
    with client(dovecot) as c:
        c.delete_folder(folder)
        c.create_folder(folder)
    deliver(dovecot, raw, relayed, folder=folder)
    with client(dovecot) as c:
        validity = imap._open(c)
        assert validity != first_validity
        assert imap.fetch_new(c, validity) == 1  # only the other message is new
        assert imap.move_processed(c, validity) == 1  # the copy of the processed one
    rows = inbound(store)
    assert len(rows) == 2
    with session(store.engine) as db:
        claims = db.exec(select(Claim)).all()
    assert [c.inbound_id for c in claims] == [row.id]


def test_server_restart_and_crash_mid_fetch_lose_nothing(dovecot, config, store):
    stored: list[int] = []
    crashed = threading.Event()

    def on_stored(inbound_id: int) -> None:
        stored.append(inbound_id)
        if len(stored) == 3 and not crashed.is_set():
            crashed.set()
            dovecot.kill()  # in the middle of a fetch batch

    raws = [claim_mail(10 + i) for i in range(14)]
    deliver(dovecot, *raws[:12])
    stop = threading.Event()
    imap = ImapPoller(config.inbox.imap, store, on_stored, stop)
    thread = threading.Thread(target=imap.run)
    thread.start()
    try:
        wait_until(crashed.is_set)
        time.sleep(0.5)
        dovecot.start()  # the same maildir: the messages are still there
        wait_until(lambda: len(inbound(store)) == 12)
        dovecot.restart()  # a clean restart while the poller idles
        deliver(dovecot, *raws[12:])
        wait_until(lambda: len(inbound(store)) == 14)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    rows = inbound(store)
    assert sorted(r.imap_uid for r in rows) == list(range(1, 15))
    assert sorted(stored) == sorted(r.id for r in rows)  # each one announced once


def test_assistant_run_with_imap_answers_and_files_the_mail(dovecot, config, store):
    case = make_case("municipal", 1)
    store.add_workplace(case.cvr, case.employer_name, ["firma.dk"])
    deliver(dovecot, claim_mail(1))  # no employment registered: held for review
    app = open_app(config)
    service = Service(app, workers=1)
    service.start()
    outbox_files = Path(config.outbox.directory)
    try:
        # Filed in IMAP, and the review notices delivered: the outbox delivers a quarter
        # of a second after the mail is queued, and a stop before that leaves them queued.
        wait_until(lambda: uids_in(dovecot, FOLDER) == [] and
                   len(uids_in(dovecot, PROCESSED)) == 1 and
                   len(list(outbox_files.glob("*.eml"))) == 2)
    finally:
        service.shutdown()
        app.engine.dispose()
    (row,) = inbound(store)
    assert row.status == "processed"
    with session(store.engine) as db:
        (claim,) = db.exec(select(Claim)).all()
        kinds = sorted(m.kind for m in db.exec(select(OutboundMessage)))
    assert claim.status == "needs_review"
    assert kinds == ["review", "review"]  # the consultants and the economy group
    files = sorted(outbox_files.glob("*.eml"))
    assert len(files) == 2
    assert all(case.cpr not in f.read_text(errors="replace") for f in files)


def test_content_key_ignores_relay_trace_fields_and_line_ends():
    from parsers.email import content_key

    raw = claim_mail(5)
    relayed = (b"Return-Path: <lon@firma.dk>\r\nDelivered-To: jobcenter@kommune.example\r\n"
               b"Received: from mx.firma.dk\r\n\tby mx.kommune.example; Sun, 22 Nov 2026\r\n"
               + raw)
    assert content_key(relayed) == content_key(raw) == content_key(raw.replace(b"\r\n", b"\n"))
    assert content_key(raw) != content_key(claim_mail(5))  # another Message-ID
    assert content_key(raw.replace(b"Refusion 5", b"Refusion 6")) != content_key(raw)
