"""Engine, migrations and models, on SQLite and PostgreSQL."""

import os
import stat
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import SQLModel, select

from assistant.db import alembic_config, make_engine, session, upgrade
from assistant.models import Claim, InboundMessage, OutboundMessage, Workplace

EXPECTED_TABLES = {
    "workplace", "workplace_sender", "employment", "inbound_message", "claim",
    "outbound_message", "imap_state", "invite", "chat_user", "intake", "chat_message",
    "staff", "staff_session", "login_attempt", "audit_entry", "claim_correction",
}


def diffs(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)


def test_upgrade_creates_exactly_the_models(engine):
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}
    assert set(SQLModel.metadata.tables) >= EXPECTED_TABLES
    assert diffs(engine) == []


def test_upgrade_is_idempotent_and_works_from_any_directory(engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    upgrade(engine)
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
            ("0006",)]


def test_downgrade_and_upgrade_again(engine):
    upgrade(engine)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert diffs(engine) == []


MIGRATE = (
    "import sys; from assistant.db import make_engine, upgrade; upgrade(make_engine(sys.argv[1]))"
)


def test_concurrent_upgrades_do_not_collide(db_url):
    # Processes starting at once (the service and a command): one migrates, the others
    # wait for its lock and then find the schema up to date. (Processes, not threads:
    # Alembic keeps its migration context in module globals.)
    url = db_url.render_as_string(hide_password=False)
    root = Path(__file__).resolve().parents[2]
    runs = [subprocess.Popen([sys.executable, "-c", MIGRATE, url], cwd=root,
                             stderr=subprocess.PIPE, text=True) for _ in range(3)]
    failures = [err for run in runs if (err := run.communicate(timeout=60)[1]) and run.returncode]
    assert failures == []
    engine = make_engine(db_url)
    assert diffs(engine) == []
    engine.dispose()


def test_sqlite_settings_and_directory(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'dir' / 'a.db'}")
    with engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 1  # NORMAL
        assert pragma("busy_timeout") == 5000
        assert pragma("foreign_keys") == 1
    assert (tmp_path / "new" / "dir" / "a.db").exists()
    engine.dispose()


def test_a_durable_session_commits_to_disk_on_sqlite_and_hands_back_a_normal_connection(
        tmp_path):
    # What SMTP acknowledges with 250 must survive a power cut: FULL syncs the WAL at
    # commit; every other transaction keeps NORMAL (a crash loses nothing either way).
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    with session(engine, durable=True) as db:
        assert db.connection().exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        used = db.connection().connection.dbapi_connection
    with engine.connect() as connection:
        assert connection.connection.dbapi_connection is used  # the pool's same connection
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    engine.dispose()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_files_are_owner_only_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "data" / "assistant.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        with session(engine) as db:
            db.add(Workplace(cvr="65113015", name="Albertslund Kommune"))
        names = sorted(p.name for p in path.parent.iterdir())
        modes = {p.name: _mode(p) for p in path.parent.iterdir()}
        engine.dispose()
    finally:
        os.umask(old)
    assert names == ["assistant.db", "assistant.db-shm", "assistant.db-wal"]
    assert modes == dict.fromkeys(names, 0o600)
    assert _mode(path.parent) == 0o700


def test_a_world_readable_database_of_an_older_version_is_made_owner_only(tmp_path):
    path = tmp_path / "assistant.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    for name in ("assistant.db", "assistant.db-wal", "assistant.db-shm"):
        (tmp_path / name).touch()
        os.chmod(tmp_path / name, 0o644)
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        # While connected (the last connection to close removes -wal and -shm):
        modes = {p.name: _mode(p) for p in tmp_path.iterdir() if p.name.startswith("assistant")}
    engine.dispose()
    assert modes == dict.fromkeys(["assistant.db", "assistant.db-wal", "assistant.db-shm"],
                                  0o600)


def test_postgresql_url_means_psycopg3():
    assert make_engine("postgresql://u@127.0.0.1/db").dialect.driver == "psycopg"
    assert make_engine("postgresql+psycopg://u@127.0.0.1/db").dialect.driver == "psycopg"


def test_relative_sqlite_path_is_relative_to_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = make_engine("sqlite:///data/assistant.db")
    upgrade(engine)
    engine.dispose()
    assert (tmp_path / "data" / "assistant.db").exists()


def inbound(**overrides) -> InboundMessage:
    values = dict(channel="smtp", envelope_from="lon@firma.dk", envelope_to="jobcenter@k.dk",
                  sha256="0" * 64, raw=b"raw", size=3)
    return InboundMessage(**(values | overrides))


def test_timestamps_are_utc_aware(store):
    copenhagen = timezone(timedelta(hours=2))
    at = datetime(2026, 6, 1, 12, 0, tzinfo=copenhagen)
    with session(store.engine) as db:
        db.add(inbound(received_at=at))
    with session(store.engine) as db:
        row = db.exec(select(InboundMessage)).one()
    assert row.received_at == at
    assert row.received_at.tzinfo is not None and row.received_at.utcoffset() == timedelta(0)
    assert row.received_at.hour == 10
    with pytest.raises(StatementError, match="naive datetime"), session(store.engine) as db:
        db.add(inbound(sha256="1" * 64, received_at=datetime(2026, 6, 1, 12)))


def test_money_is_exact_decimal_and_json_lists_round_trip(store):
    problems = [{"field": "cpr", "code": "cpr_invalid", "message": "m", "severity": "error"}]
    with session(store.engine) as db:
        message = inbound()
        db.add(message)
        db.flush()
        db.add(Claim(
            inbound_id=message.id, source="lønseddel.pdf", part="pdf:0:ab", status="invalid",
            salary=Decimal("1234567890.12"), refundable_amount=Decimal("0.10"),
            hours=Decimal("43.33"), missing=["cpr"], problems=problems,
            claimed=["salary", "atp"],
        ))
    with session(store.engine) as db:
        claim = db.exec(select(Claim)).one()
    assert claim.salary == Decimal("1234567890.12")
    assert claim.refundable_amount == Decimal("0.10") and claim.hours == Decimal("43.33")
    assert (claim.missing, claim.problems, claim.claimed) == (
        ["cpr"], problems, ["salary", "atp"])
    assert claim.source == "lønseddel.pdf" and claim.capped is False


def test_claim_reference_is_assigned_on_insert(store):
    with session(store.engine) as db:
        message = inbound()
        db.add(message)
        db.flush()
        first = Claim(inbound_id=message.id, source="a.pdf", part="pdf:0:a", status="validated",
                      created_at=datetime(2026, 3, 1, tzinfo=UTC))
        second = Claim(inbound_id=message.id, source="b.pdf", part="pdf:1:b", status="validated",
                       created_at=datetime(2027, 1, 1, tzinfo=UTC))
        db.add(first)
        db.flush()
        db.add(second)
        db.flush()
        # Known right after the flush, before the commit.
        assert first.reference == f"R-2026-{first.id:06d}"
    with session(store.engine) as db:
        stored = {c.source: c.reference for c in db.exec(select(Claim)).all()}
    assert stored == {"a.pdf": f"R-2026-{first.id:06d}", "b.pdf": f"R-2027-{second.id:06d}"}
    assert first.id == 1 and stored["a.pdf"] == "R-2026-000001"


def test_one_claim_per_part_of_a_message_whatever_the_file_names(store):
    with session(store.engine) as db:
        message = inbound()
        db.add(message)
        db.flush()
        message_id = message.id
        db.add(Claim(inbound_id=message_id, source="a.pdf", part="pdf:0:aa", status="validated"))
        # Two payslips with one file name in one mail are two claims.
        db.add(Claim(inbound_id=message_id, source="a.pdf", part="pdf:1:bb", status="validated"))
    with pytest.raises(IntegrityError), session(store.engine) as db:
        db.add(Claim(inbound_id=message_id, source="b.pdf", part="pdf:0:aa", status="validated"))


def test_constraints_are_enforced(store):
    with pytest.raises(IntegrityError), session(store.engine) as db:
        db.add(Claim(inbound_id=999, source="body", part="body", status="validated"))  # no message
    with pytest.raises(IntegrityError), session(store.engine) as db:
        db.add(inbound(status="lost"))
    with session(store.engine) as db:
        db.add(OutboundMessage(kind="reply", recipient="a@b.dk", subject="s", raw=b"x",
                               dedup_key="reply:1"))
    with pytest.raises(IntegrityError), session(store.engine) as db:
        db.add(OutboundMessage(kind="reply", recipient="a@b.dk", subject="s", raw=b"x",
                               dedup_key="reply:1"))
    with pytest.raises(IntegrityError), session(store.engine) as db:
        db.add(Workplace(cvr="12345674", name="A"))
        db.add(Workplace(cvr="12345674", name="B"))


def test_save_inbound_dedupes_on_the_bytes(store):
    raw = b"From: lon@firma.dk\r\nMessage-ID: <1@firma.dk>\r\n\r\nHej\r\n"
    first = store.save_inbound(raw, "smtp", "lon@firma.dk", ["a@k.dk", "b@k.dk"], "<1@firma.dk>")
    again = store.save_inbound(raw, "imap", "other@x.dk", "a@k.dk", None)
    other = store.save_inbound(raw + b"\r\n", "smtp", "lon@firma.dk", "a@k.dk")
    assert first[1] is True and again == (first[0], False)
    assert other[1] is True and other[0] != first[0]
    with session(store.engine) as db:
        row = db.get(InboundMessage, first[0])
    assert row.raw == raw and row.size == len(raw) and row.channel == "smtp"
    assert row.envelope_to == "a@k.dk, b@k.dk" and row.message_id == "<1@firma.dk>"
    assert row.status == "received" and row.attempts == 0 and row.processed_at is None
    assert len(row.sha256) == 64


def test_save_inbound_keeps_imap_position(store):
    inbound_id, created = store.save_inbound(
        b"x", "imap", "a@b.dk", "c@d.dk", imap_folder="INBOX", imap_uidvalidity=4_000_000_000,
        imap_uid=3_999_999_999)
    with session(store.engine) as db:
        row = db.get(InboundMessage, inbound_id)
    assert (row.imap_folder, row.imap_uidvalidity, row.imap_uid) == (
        "INBOX", 4_000_000_000, 3_999_999_999)
    with pytest.raises(ValueError, match="channel"):
        store.save_inbound(b"y", "telegram", "a@b.dk", "c@d.dk")


def test_concurrent_identical_deliveries_store_one_message(store):
    raw = b"Subject: same\r\n\r\nsame bytes\r\n"
    results = []
    barrier = threading.Barrier(4)

    def deliver():
        barrier.wait()
        results.append(store.save_inbound(raw, "smtp", "a@b.dk", "c@d.dk"))

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({inbound_id for inbound_id, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, False, False, True]


def test_claim_status_is_one_vocabulary_held_by_the_database(engine):
    # The CLI's and the desk's filters, the model's CHECK and the migration's agree;
    # a status outside them cannot be stored on either database.
    from assistant.commands.claims import STATUSES as CLI_STATUSES
    from assistant.web.views import STATUSES as DESK_STATUSES
    from handlers.claim_status import CLAIM_STATUSES
    assert CLI_STATUSES == DESK_STATUSES == CLAIM_STATUSES
    assert set(CLAIM_STATUSES) == {"validated", "needs_review", "incomplete", "invalid",
                                   "rejected", "paid"}
    upgrade(engine)  # the migration's CHECK, not only the model's
    with session(engine) as db:
        inbound = InboundMessage(channel="smtp", envelope_from="a@b.dk", envelope_to="j@k.dk",
                                 sha256="f" * 64, raw=b"x", size=1)
        db.add(inbound)
        db.flush()
        db.add(Claim(inbound_id=inbound.id, source="body", part="body", status="paid"))
    with pytest.raises(IntegrityError), session(engine) as db:
        db.add(Claim(inbound_id=inbound.id, source="x", part="x", status="complete"))
