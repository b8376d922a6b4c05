"""Several instances on one database share the work through leases.

In-process (SQLite and PostgreSQL): what ``claim_pending`` leases to whom, that a lease
that ran out is taken over, that only the instance still holding a message stores its
outcome, and that the outbox delivers a leased mail from one instance only.

As a person would run it (PostgreSQL): two and three ``assistant run`` processes on one
database, mail sent over SMTP to all of them, one SIGKILLed while mail arrives and
another stopped and started again: every accepted message is processed exactly once (one
claim, one summary), every outgoing mail delivered once, each reminder queued once."""

from __future__ import annotations

import os
import re
import signal
import smtplib
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from assistant.config import ConfigError, load_config
from assistant.db import make_engine, session, upgrade
from assistant.models import Claim, Employment, InboundMessage, OutboundMessage
from assistant.outbox import DirectoryTransport, OutboxWorker, compose, enqueue
from assistant.pipeline import LeaseLost, Pipeline, claim_pending, release_leases
from assistant.store import Store
from handlers.register import latest_end
from tests.fixtures.payslips import LAYOUTS, make_case, render
from tests.integration.helpers import database, outbox, written_config
from tests.integration.net import free_port, wait_for_port

ASSISTANT = [sys.executable, "-c", "from assistant.cli import main; main()"]
TODAY = date(2026, 11, 22)


def save(store: Store, n: int) -> list[int]:
    return [store.save_inbound(f"Subject: {i}\r\n\r\nhej {i}\r\n".encode(), "smtp",
                               "lon@firma.dk", "jobcenter@kommune.example")[0]
            for i in range(n)]


def lease_of(store: Store, inbound_id: int) -> tuple[str | None, datetime | None]:
    with session(store.engine) as db:
        row = db.get(InboundMessage, inbound_id)
        assert row is not None
        return row.lease_owner, row.lease_until


def expire(store: Store, model: type, ids: list[int]) -> None:
    """Let these leases run out (as if their instance died a while ago)."""
    with session(store.engine) as db:
        db.exec(update(model).where(col(model.id).in_(ids))
                .values(lease_until=datetime.now(UTC) - timedelta(seconds=1)))


# -- leases, in-process --------------------------------------------------------------------


def test_instances_lease_different_messages_oldest_first(store):
    ids = save(store, 5)
    assert claim_pending(store.engine, "a", 60, 2) == ids[:2]
    assert claim_pending(store.engine, "b", 60, 10) == ids[2:]
    assert claim_pending(store.engine, "a", 60, 10) == []  # nothing left unleased
    owner, until = lease_of(store, ids[0])
    assert owner == "a" and until is not None and until > datetime.now(UTC)


def test_a_lease_that_ran_out_is_taken_over(store):
    ids = save(store, 2)
    assert claim_pending(store.engine, "dead", 60, 2) == ids
    expire(store, InboundMessage, [ids[1]])
    assert claim_pending(store.engine, "b", 60, 10) == [ids[1]]
    assert lease_of(store, ids[1])[0] == "b" and lease_of(store, ids[0])[0] == "dead"


def test_skip_locked_passes_over_rows_another_instance_is_leasing(store, db_url):
    if db_url.get_backend_name() != "postgresql":
        pytest.skip("SQLite serves one instance: it has no row locks")
    ids = save(store, 3)
    with Session(store.engine) as other:  # another instance in the middle of its claim
        locked = other.exec(select(InboundMessage.id).order_by(col(InboundMessage.id))
                            .limit(2).with_for_update()).all()
        assert locked == ids[:2]
        started = time.monotonic()
        assert claim_pending(store.engine, "b", 60, 10) == [ids[2]]
        assert time.monotonic() - started < 5  # skipped, not waited for
        other.rollback()


def test_sqlite_start_clears_the_leases_a_killed_predecessor_left(store):
    ids = save(store, 2)
    claim_pending(store.engine, "killed", 60, 2)
    assert release_leases(store.engine) == 2
    assert lease_of(store, ids[0]) == (None, None)
    assert claim_pending(store.engine, "new", 60, 10) == ids


def test_an_instance_that_stops_gives_back_only_its_own_leases(store):
    ids = save(store, 3)
    claim_pending(store.engine, "stopping", 60, 2)
    claim_pending(store.engine, "running", 60, 1)
    assert release_leases(store.engine, "stopping") == 2
    assert [lease_of(store, i)[0] for i in ids] == [None, None, "running"]
    assert claim_pending(store.engine, "other", 60, 10) == ids[:2]  # at once, no waiting


@pytest.fixture
def config(tmp_path, db_url):
    return written_config(tmp_path / "config.toml", database(db_url), outbox(tmp_path))


def claim_mail(seed: int) -> bytes:
    case = make_case("municipal", seed)
    msg = EmailMessage()
    msg["From"], msg["To"] = "lon@firma.dk", "jobcenter@kommune.example"
    msg["Subject"], msg["Message-ID"] = f"Refusion {seed}", make_msgid(domain="firma.dk")
    msg.set_content("Vi søger refusion for løn, ATP og pension.\n")
    msg.add_attachment(render(case), maintype="application", subtype="pdf",
                       filename=f"lon-{seed}.pdf")
    return msg.as_bytes(policy=SMTP)


def test_only_the_instance_still_holding_a_message_stores_it(store, config, reader):
    inbound_id, _ = store.save_inbound(claim_mail(3), "smtp", "lon@firma.dk",
                                       "jobcenter@kommune.example")
    slow = Pipeline(store.engine, config, reader, today=lambda: TODAY, owner="slow")
    other = Pipeline(store.engine, config, reader, today=lambda: TODAY, owner="other")
    assert claim_pending(store.engine, "slow", 60, 1) == [inbound_id]
    assert slow._begin_attempt(inbound_id)
    # The slow instance's lease runs out while it reads; another one takes it over.
    expire(store, InboundMessage, [inbound_id])
    assert claim_pending(store.engine, "other", 60, 1) == [inbound_id]
    assert not slow._begin_attempt(inbound_id)  # leased elsewhere: not read twice more
    with pytest.raises(LeaseLost):  # its read finishes late: the outcome is not stored
        slow.process(inbound_id)
    with session(store.engine) as db:
        assert db.exec(select(Claim)).all() == []  # the slow one stored nothing
        assert db.get(InboundMessage, inbound_id).status == "received"
    assert other.process_safely(inbound_id) is not None
    assert slow.process_safely(inbound_id) is None  # finished by the other: left alone
    with session(store.engine) as db:
        inbound = db.get(InboundMessage, inbound_id)
        claims = db.exec(select(Claim)).all()
    assert (inbound.status, inbound.attempts, inbound.lease_owner) == ("processed", 2, None)
    assert len(claims) == 1


def queue_mail(store: Store, n: int) -> list[int]:
    with session(store.engine) as db:
        for i in range(n):
            key = f"test:{i}"
            enqueue(db, kind="summary", dedup_key=key, message=compose(
                sender="jobcenter@kommune.example", recipient="okonomi@kommune.example",
                subject=f"Mail {i}", body="hej\n", dedup_key=key))
    with session(store.engine) as db:
        return [i for i in db.exec(select(OutboundMessage.id)
                                   .order_by(col(OutboundMessage.id))).all() if i]


def test_an_outbox_mail_leased_by_one_instance_is_delivered_by_it_alone(store, tmp_path):
    ids = queue_mail(store, 3)
    dead = OutboxWorker(store.engine, DirectoryTransport(tmp_path / "a"), owner="dead")
    alive = OutboxWorker(store.engine, DirectoryTransport(tmp_path / "b"), owner="alive")
    assert dead._claim() == ids  # then the instance dies before delivering
    assert alive.run_once() == 0  # leased: not delivered a second time
    expire(store, OutboundMessage, ids[:2])
    assert alive.run_once() == 2
    assert dead._deliver(ids[0]) is False  # taken over: the dead one's late try does nothing
    assert dead._deliver(ids[2]) is True  # still its own
    assert sorted(p.name[:8] for p in (tmp_path / "b").iterdir()) == \
        [f"{i:08d}" for i in ids[:2]]
    assert [p.name[:8] for p in (tmp_path / "a").iterdir()] == [f"{ids[2]:08d}"]
    with session(store.engine) as db:
        rows = db.exec(select(OutboundMessage)).all()
    assert {(r.status, r.lease_owner) for r in rows} == {("sent", None)}


def test_a_directory_outbox_passes_over_mail_another_instance_is_delivering(
        store, tmp_path, db_url):
    if db_url.get_backend_name() != "postgresql":
        pytest.skip("SQLite serves one instance: it has no row locks")
    ids = queue_mail(store, 3)
    worker = OutboxWorker(store.engine, DirectoryTransport(tmp_path / "a"), owner="w")
    with Session(store.engine) as other:  # another instance writing the first one now
        assert other.exec(select(OutboundMessage.id).where(OutboundMessage.id == ids[0])
                          .with_for_update()).all() == [ids[0]]
        started = time.monotonic()
        assert worker.run_once() == 2
        assert time.monotonic() - started < 5  # passed over, not waited for
        other.rollback()
    assert sorted(p.name[:8] for p in (tmp_path / "a").iterdir()) == \
        [f"{i:08d}" for i in ids[1:]]
    assert worker.run_once() == 1 and worker.run_once() == 0  # its turn now; then none
    with session(store.engine) as db:
        rows = db.exec(select(OutboundMessage)).all()
    assert {(r.status, r.lease_owner) for r in rows} == {("sent", None)}


# -- several `assistant run` on one PostgreSQL ----------------------------------------------

LEASE_SECONDS = 6  # short, so the killed instance's work is taken over within the test
PAYSLIPS = 30  # distinct payslips (one a mail), each with its own employment
LINE = re.compile(r"inbound (\d+): validated")


class Instance:
    """One ``assistant run`` with its own SMTP port, outbox directory and log."""

    def __init__(self, tmp: Path, name: str, url: str) -> None:
        self.name, self.port = name, free_port()
        self.outbox = tmp / f"outbox-{name}"
        self.log = tmp / f"{name}.log"
        self.config = tmp / f"{name}.toml"
        self.config.write_text(
            f'[database]\nurl = "{url}"\n'
            f'[inbox]\nlease_seconds = {LEASE_SECONDS}\nmail_time_budget_seconds = 5\n'
            f'[inbox.smtp]\nport = {self.port}\n'
            f'[outbox]\ndirectory = "{self.outbox}"\n'
            '[web]\nenabled = false\n[logging]\nlevel = "INFO"\n')
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([*ASSISTANT, "run", "--config", str(self.config)],
                                     stdout=self.log.open("ab"), stderr=subprocess.STDOUT)

    def wait_listening(self) -> None:
        assert self.proc is not None
        end = time.monotonic() + 60
        while time.monotonic() < end:
            assert self.proc.poll() is None, f"{self.name} exited: {self.log.read_text()[-800:]}"
            try:
                wait_for_port(self.port, timeout=1)
                return
            except TimeoutError:
                continue
        raise AssertionError(f"{self.name} did not start listening")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            self.proc.wait(timeout=30)
        self.proc = None

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def register(url: str) -> list[bytes]:
    """Workplaces and employments for the payslips (each claim validates and gets a
    summary), and one employment ending in ten days (a reminder every instance finds)."""
    engine = make_engine(url)
    upgrade(engine)
    store = Store(engine)
    pdfs = []
    for i in range(PAYSLIPS):
        case = make_case(LAYOUTS[i % len(LAYOUTS)], 500 + i)  # as bench/ingest.py
        store.add_workplace(case.cvr, case.employer_name, ["firma.dk"])
        start = case.period_start.replace(day=1)
        store.add_employment(cpr=case.cpr, citizen_name=case.employee_name, cvr=case.cvr,
                             hours=Decimal(3), start=start, end=latest_end(start),
                             reason="Ansættelsen er midlertidig.")
        pdfs.append(render(case))
    ending = make_case("municipal", 799)
    store.add_workplace(ending.cvr, ending.employer_name, ["ending.dk"])
    today = date.today()  # the follow-up runs on the service's own clock
    store.add_employment(cpr=ending.cpr, citizen_name=ending.employee_name, cvr=ending.cvr,
                         hours=Decimal(3), start=today - timedelta(days=60),
                         end=today + timedelta(days=10), reason="Ansættelsen er midlertidig.")
    engine.dispose()
    return pdfs


def payslip_mail(i: int, pdf: bytes) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"] = "lon@firma.dk", "jobcenter@kommune.example"
    msg["Subject"], msg["Message-ID"] = f"Refusion {i}", make_msgid(domain="firma.dk")
    msg.set_content("Vi søger refusion for løn, ATP og pension.\n")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"lon-{i}.pdf")
    return msg.as_bytes(policy=SMTP)


def send(instances: list[Instance], first: int, raw: bytes) -> None:
    """Like a sending MTA with several MX hosts: the next one when one does not answer."""
    end = time.monotonic() + 90
    n = first
    while True:
        target = instances[n % len(instances)]
        try:
            with smtplib.SMTP("127.0.0.1", target.port, timeout=20) as client:
                client.sendmail("lon@firma.dk", ["jobcenter@kommune.example"], raw)
            return
        except (OSError, smtplib.SMTPException):
            if time.monotonic() > end:
                raise
            n += 1
            time.sleep(0.1)


def wait_until_done(engine, expected: int) -> None:  # noqa: ANN001
    end = time.monotonic() + 120
    while time.monotonic() < end:
        with session(engine) as db:
            inbound = db.exec(select(InboundMessage.status)).all()
            unsent = db.exec(select(OutboundMessage.id).where(
                OutboundMessage.status != "sent")).all()
        if len(inbound) == expected and set(inbound) == {"processed"} and not unsent:
            return
        time.sleep(0.5)
    raise AssertionError(f"not done: {len(inbound)} stored, statuses {set(inbound)}, "
                         f"{len(unsent)} mails unsent")


@pytest.mark.parametrize("count", [2, 3])
def test_instances_on_one_postgresql_share_the_work_through_a_kill_and_a_restart(
        tmp_path, postgres_url, count):
    url = postgres_url.render_as_string(hide_password=False)
    pdfs = register(url)
    messages = 10 * count
    instances = [Instance(tmp_path, "abc"[n], url) for n in range(count)]
    killed, restarted = instances[0], instances[-1]
    for instance in instances:
        instance.start()
    try:
        for instance in instances:
            instance.wait_listening()
        for i in range(messages):
            send(instances, i, payslip_mail(i, pdfs[i]))
            if i == messages // 3:
                # SIGKILL right after it accepted a mail: it has leased work in hand.
                killed.stop(signal.SIGKILL)
            if i == 2 * messages // 3:
                restarted.stop()
                restarted.start()  # mail goes on to the others while it starts
        engine = make_engine(url)
        wait_until_done(engine, messages)
    finally:
        for instance in instances:
            instance.stop()
    with session(engine) as db:
        inbound = db.exec(select(InboundMessage)).all()
        claims = db.exec(select(Claim)).all()
        mail = db.exec(select(OutboundMessage)).all()
        employments = db.exec(select(Employment)).all()
    engine.dispose()
    ids = sorted(m.id for m in inbound)
    assert len(ids) == messages, "every accepted message stored once"
    assert all(m.lease_owner is None and m.error is None for m in inbound)
    # The killed instance's reads in hand were counted, then taken over once their
    # leases ran out: a second attempt at most, never a third.
    assert all(1 <= m.attempts <= 2 for m in inbound)
    assert sorted(c.inbound_id for c in claims) == ids, "one claim per payslip"
    assert {c.status for c in claims} == {"validated"}
    summaries = sorted(m.inbound_id for m in mail if m.kind == "summary")
    assert summaries == ids, "one summary per claim"
    # Every instance ran the follow-up when it started (and the restarted one again):
    # each employment ending within 30 days was put to the consultants once.
    reminders = sorted(m.dedup_key for m in mail if m.dedup_key.startswith("followup:ending:"))
    today = date.today()
    assert reminders == sorted(f"followup:ending:{e.id}:{e.end_date.isoformat()}"
                               for e in employments if today <= e.end_date <= today + timedelta(30))
    assert len(reminders) >= 1  # the one registered to end in ten days
    assert all(m.status == "sent" and m.lease_owner is None for m in mail)
    files = [p.name for i in instances for p in i.outbox.glob("*.eml")]
    assert len(files) == len(mail), "each mail delivered once, by one instance"
    assert sorted(files) == sorted(f"{m.id:08d}-{m.kind}.eml" for m in mail)
    processed = [int(n) for i in instances for n in LINE.findall(i.log.read_text())]
    assert len(processed) == len(set(processed)), "no message stored by two instances"


# -- the lease setting ----------------------------------------------------------------------


def write_config(tmp_path, inbox: str) -> Path:
    path = tmp_path / "lease.toml"
    path.write_text(f"[inbox]\n{inbox}\n")
    return path


def test_the_default_lease_outlasts_a_raised_budget(tmp_path):
    assert load_config(write_config(tmp_path, ""), env={}).inbox.lease_seconds == 300
    raised = load_config(write_config(tmp_path, "mail_time_budget_seconds = 600"), env={})
    assert raised.inbox.lease_seconds == 660


def test_a_lease_shorter_than_a_read_is_refused_naming_both_keys(tmp_path):
    path = write_config(tmp_path, "lease_seconds = 30\nmail_time_budget_seconds = 60")
    with pytest.raises(ConfigError) as refused:
        load_config(path, env={})
    assert "lease_seconds (30) must be longer than mail_time_budget_seconds (60)" in \
        str(refused.value)
