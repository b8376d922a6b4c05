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
from sqlalchemy import create_engine, text, update
from sqlmodel import Session, col, select

from assistant.config import load_config
from assistant.db import make_engine, session, upgrade
from assistant.models import Claim, InboundMessage, OutboundMessage
from assistant.outbox import DirectoryTransport, OutboxWorker, compose, enqueue
from assistant.pdf_reader import GuardedPdfReader
from assistant.pipeline import LeaseLost, Pipeline, claim_pending, release_leases
from assistant.store import Store
from handlers.register import latest_end
from tests.fixtures.payslips import make_case, render
from tests.net import free_port, wait_for_port

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


@pytest.fixture(scope="module")
def reader():
    with GuardedPdfReader(time_limit=30) as r:
        yield r


@pytest.fixture
def config(tmp_path, db_url):
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{db_url.render_as_string(hide_password=False)}"\n'
                    f'[outbox]\ndirectory = "{tmp_path / "outbox"}"\n')
    return load_config(path, env={})


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
