"""Judging claims side by side on PostgreSQL: mails about different citizens are stored
at the same time; mails about one citizen, or carrying one PDF, wait for each other
(first come, first served), and a register change waits for the judging under way.

Each test holds a lock in a transaction of its own, starts the others in threads, sees
them wait in ``pg_locks`` (not by timing), then lets go."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from assistant.db import exclusive, exclusive_keys, session
from assistant.pdf_reader import GuardedReader
from assistant.pipeline import Pipeline
from assistant.repository import Repository
from handlers.claims import evaluate
from handlers.parts import part_of
from parsers import claim_text
from parsers import email as mail_parser
from tests.fixtures.payslips import make_case, render
from tests.integration.test_pipeline import TODAY, claim_mail, claims, register

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


@pytest.fixture
def second_reader() -> Iterator[GuardedReader]:
    """A reader for a second pipeline thread (one reader serves one thread)."""
    with GuardedReader(time_limit=30) as reader:
        yield reader


def waiting(engine: Engine) -> int:
    """Advisory locks requested in the test database and not granted yet."""
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )).scalar_one()


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:g} s: {what}")
        time.sleep(0.05)


def in_thread(target: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def judged_locks(db: Session, config, reader: GuardedReader, raw: bytes) -> None:  # noqa: ANN001
    """Take, in ``db``'s transaction, the locks the pipeline takes to judge ``raw``."""
    read = reader.read_mail(raw, mail_parser.MailLimits(max_bytes=10_000_000))
    message = read.message
    assert isinstance(message, mail_parser.MailMessage)
    evaluation = evaluate(list(read.pdfs), claim_text.read(message.body_text), TODAY,
                          config.scheme())
    assert evaluation.claims, "the mail holds a claim"
    Repository(db).lock_for_judging((c, part_of(message, c)) for c in evaluation.claims)


def saved(store, raw: bytes) -> int:  # noqa: ANN001
    inbound_id, _ = store.save_inbound(raw, "smtp", "lon@firma.dk",
                                       ["jobcenter@kommune.example"])
    return inbound_id


def test_one_payslip_in_two_mails_judged_at_once_is_one_claim_and_one_duplicate(
        config, store, reader, second_reader):
    case = make_case("municipal", 2)
    register(store, case)
    first = claim_mail(case, subject="Refusion")
    again = claim_mail(case, subject="Refusion (igen)")  # the very same PDF
    ids = [saved(store, first), saved(store, again)]
    pipelines = [Pipeline(store.engine, config, r, today=lambda: TODAY)
                 for r in (reader, second_reader)]
    with session(store.engine) as holder:
        judged_locks(holder, config, reader, first)
        threads = [in_thread(lambda p=p, i=i: p.process(i))
                   for p, i in zip(pipelines, ids, strict=True)]
        # Both have read their mail and wait to judge it: neither runs ahead of the other.
        wait_for(lambda: waiting(store.engine) == 2, "both mails wait for the citizen's lock")
    for thread in threads:
        thread.join(60)
    stored = claims(store)
    assert sorted(c.status for c in stored) == ["needs_review", "validated"]
    duplicate = next(c for c in stored if c.status == "needs_review")
    assert [p["code"] for p in duplicate.problems] == ["duplicate_payslip"]


def test_mails_about_other_citizens_are_judged_while_one_citizen_waits(
        config, store, reader, second_reader):
    held_case, other_case = make_case("municipal", 2), make_case("private", 3)
    assert held_case.cpr != other_case.cpr
    register(store, held_case)
    register(store, other_case)
    held_mail, other_mail = claim_mail(held_case), claim_mail(other_case)
    same_citizen = claim_mail(held_case, subject="Refusion (igen)",
                              pdf=render(held_case).replace(b"%%EOF", b"% again\n%%EOF"))
    held_id, other_id, same_id = (saved(store, m) for m in (held_mail, other_mail,
                                                             same_citizen))
    with session(store.engine) as holder:
        judged_locks(holder, config, reader, held_mail)
        # Another citizen's mail is judged and stored while the first is held.
        outcome = Pipeline(store.engine, config, second_reader,
                           today=lambda: TODAY).process(other_id)
        assert outcome is not None and outcome.status == "validated"
        # The same citizen's mail waits.
        waiter = in_thread(lambda: Pipeline(store.engine, config, second_reader,
                                            today=lambda: TODAY).process(same_id))
        wait_for(lambda: waiting(store.engine) == 1, "the same citizen's mail waits")
        assert waiter.is_alive()
    waiter.join(60)
    assert not waiter.is_alive()
    by_inbound = {c.inbound_id: c for c in claims(store)}
    assert held_id not in by_inbound  # only its locks were taken, by the test
    assert by_inbound[other_id].status == "validated"
    assert by_inbound[same_id].status == "validated"


def test_a_register_change_waits_for_the_judging_under_way(config, store, reader):
    case = make_case("municipal", 2)
    register(store, case)
    raw = claim_mail(case)
    changed = threading.Event()

    def approve() -> None:
        store.add_workplace("12345674", "Ny Arbejdsplads ApS", ["ny.dk"])
        changed.set()

    with session(store.engine) as holder:
        judged_locks(holder, config, reader, raw)
        thread = in_thread(approve)
        wait_for(lambda: waiting(store.engine) == 1, "the register change waits")
        assert not changed.is_set()
    thread.join(60)
    assert changed.is_set()
    assert store.workplace_by_cvr("12345674") is not None


def test_the_keys_are_taken_only_once_the_coarse_lock_is_shared(store):
    """``exclusive_keys(..., inside=)`` takes the coarse lock first, in one statement:
    while a register change holds it, a judging waits without holding its citizen's key
    (another judging of that citizen, outside the coarse lock, is not held up by it);
    and a mail with no keys still takes the coarse lock."""
    engine = store.engine
    judged = []

    def judge(keys: list[str]) -> None:
        with session(engine) as db:
            exclusive_keys(db, keys, inside="test:register")
            judged.append(tuple(keys))

    with session(engine) as change:
        exclusive(change, "test:register")
        waiters = [in_thread(lambda: judge(["claims:cpr:0101011234"])), in_thread(
            lambda: judge([]))]
        wait_for(lambda: waiting(engine) == 2, "both judgings wait for the register")
        with session(engine) as other:  # the citizen's key is free: nobody took it yet
            other.connection().execute(text("SET LOCAL lock_timeout = '10s'"))
            exclusive_keys(other, ["claims:cpr:0101011234"])
        assert judged == []
    for thread in waiters:
        thread.join(60)
    assert sorted(judged) == [(), ("claims:cpr:0101011234",)]
