"""Engine, sessions and schema migrations.

- :func:`make_engine` for SQLite (a file, with WAL and a busy timeout so the SMTP
  server, the IMAP poller and the command line can share it) or PostgreSQL (psycopg 3);
- :func:`upgrade` migrates the schema to the newest Alembic revision; it is safe to
  call on every start and from several processes at once;
- :func:`session` is a unit of work: commit on success, roll back on an exception;
- :func:`exclusive` serialises a read-check-write sequence (first come, first served);
  :func:`exclusive_keys` lets such sequences on different keys (two employees' claims)
  run side by side while still excluding an ``exclusive`` one;
- every text written through a session is cleaned of NUL and other C0 control
  characters (tab, newline and carriage return stay) in one place,
  :func:`_clean_texts`: PostgreSQL refuses NUL in text and JSON, and a mail can carry
  one in any header, body or file name.
"""

from __future__ import annotations

import re
import warnings
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SAWarning
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

import assistant.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from assistant.files import private_dir, private_file, restrict

# migrations/ sits next to the package in the source tree (and in an editable install).
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# Money and hours are Numeric(<=12, 2): at most 12 significant digits, well within a
# double's 15, and SQLAlchemy quantizes them back to 2 decimals. SQLite stores them as
# REAL, so the generic warning about that is noise here.
warnings.filterwarnings(
    "ignore", message=r"Dialect sqlite\+pysqlite does \*not\* support Decimal", category=SAWarning
)

_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",  # readers do not block the writer, nor it them
    "PRAGMA synchronous=NORMAL",  # safe with WAL; a power cut loses at most the last commits
    "PRAGMA busy_timeout=5000",  # wait up to 5 s for another process's write lock
    "PRAGMA foreign_keys=ON",  # SQLite ignores foreign keys unless asked, per connection
)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(value: Any) -> Any:
    """``value`` without NUL and other C0 controls except tab, newline and carriage return;
    lists and dicts (JSON columns) cleaned throughout. The same object when already clean."""
    if isinstance(value, str):
        return _CONTROL.sub("", value) if _CONTROL.search(value) else value
    if isinstance(value, list):
        cleaned = [clean_text(v) for v in value]
        return cleaned if any(a is not b for a, b in zip(cleaned, value, strict=True)) else value
    if isinstance(value, dict):
        items = {clean_text(k): clean_text(v) for k, v in value.items()}
        changed = any(k not in value or items[k] is not value[k] for k in items)
        return items if changed else value
    return value


@event.listens_for(OrmSession, "before_flush")
def _clean_texts(db: OrmSession, _context: Any, _instances: Any) -> None:
    """The one place texts are cleaned on their way to the database (see the module doc)."""
    for row in (*db.new, *db.dirty):
        state = inspect(row)
        for attribute in state.mapper.column_attrs:
            value = state.dict.get(attribute.key)
            cleaned = clean_text(value)
            if cleaned is not value:
                setattr(row, attribute.key, cleaned)


def make_engine(url: str | URL, pool_size: int = 5) -> Engine:
    """An engine for ``url``; ``postgresql://`` means psycopg 3 (the driver installed).

    ``pool_size``: connections kept open (PostgreSQL) for the threads that use the
    database at once; more are opened when needed, but closed again after each use: a
    new backend process and login per transaction."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    # pre_ping: a long-running service survives a database restart.
    return create_engine(parsed, pool_pre_ping=True, pool_size=pool_size)


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    path = None
    if database and database != ":memory:" and not database.startswith("file:"):
        # The file holds every claim with its full CPR: owner-only whatever the umask.
        # SQLite gives the -wal and -shm files the database file's mode.
        path = Path(database)
        private_dir(path.parent)
        private_file(path)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()
        if path is not None:  # a belt: files an older version created 0644
            for name in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
                restrict(name)

    return engine


def alembic_config() -> AlembicConfig:
    """Alembic settings pointing at ``migrations/``, whatever the current directory."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (the newest by default).

    Runs in one transaction that first takes a lock, so two processes starting at the
    same time do not both try to create the tables: the second waits, then finds the
    schema up to date.
    """
    config = alembic_config()
    with engine.begin() as connection:
        _lock_database(connection, "migrations")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@contextmanager
def session(engine: Engine, *, durable: bool = False) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back if it raises.

    ``expire_on_commit=False``: rows read inside stay readable after the block.
    ``durable``: the commit is on disk when the block ends, on SQLite too, whose
    ``synchronous=NORMAL`` otherwise lets a power cut (not a crash) take the last
    commits. For what the service promises someone else: the SMTP 250 after storing.
    PostgreSQL commits durably anyway (``synchronous_commit = on``).
    """
    with Session(engine, expire_on_commit=False) as db:
        full = durable and engine.dialect.name == "sqlite"
        if full:
            db.connection().exec_driver_sql("PRAGMA synchronous=FULL")
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise
        finally:
            if full:  # the pooled connection goes back as fast as the others
                db.connection().exec_driver_sql("PRAGMA synchronous=NORMAL")


def exclusive(db: Session, key: str) -> None:
    """Hold a lock named ``key`` until the session's transaction ends.

    Call it first in a transaction that reads, checks and then writes (the pool check:
    two consultants approving the last hours at the same moment must not both succeed).
    PostgreSQL: a transaction-level advisory lock on ``key``. SQLite: the database's
    write lock (``BEGIN IMMEDIATE``), which is coarser but has the same effect.
    """
    _lock_database(db.connection(), key)


def exclusive_keys(db: Session, keys: Iterable[str], *, inside: str | None = None) -> None:
    """Hold an exclusive lock on each of ``keys`` until the transaction ends, so that
    transactions on different keys run side by side and those on a common key one after
    the other. ``inside``: first, in the same statement, a lock named ``inside`` shared
    with the other holders of it and excluding ``exclusive(inside)`` (which waits for
    all of them, as they wait for it): the finer locks inside a coarse one.

    Taken in one fixed order (by lock id), so two transactions wanting overlapping keys
    cannot each hold one the other waits for. PostgreSQL: advisory locks in the two-key
    space (a class for these keys, then the key's hash), apart from the named locks of
    ``exclusive``; two keys with the same hash only wait for each other needlessly.
    SQLite: the database's write lock."""
    connection = db.connection()
    if connection.dialect.name != "postgresql":
        _lock_database(connection, "keys")
        return
    lock_ids = sorted({_int4(zlib.crc32(key.encode())) for key in keys})
    if inside is not None:
        # The rows of unnest come in the array's order, each waiting for its lock before
        # the next row is read: the first row takes the shared lock, the others the keys.
        connection.execute(text(
            "SELECT CASE WHEN keys.n = 1 THEN pg_advisory_xact_lock_shared(:shared) "
            "ELSE pg_advisory_xact_lock(:space, keys.id) END "
            "FROM unnest(CAST(:ids AS integer[])) WITH ORDINALITY AS keys(id, n)"),
            {"shared": _lock_id(inside), "space": _KEY_SPACE, "ids": [0, *lock_ids]}).all()
    elif lock_ids:
        # One statement: the rows of unnest come in the array's (sorted) order, and each
        # waits for its lock before the next row is read.
        connection.execute(text(
            "SELECT pg_advisory_xact_lock(:space, id) FROM unnest(CAST(:ids AS integer[])) "
            "AS keys(id)"), {"space": _KEY_SPACE, "ids": lock_ids}).all()


def _int4(value: int) -> int:
    """An unsigned 32-bit hash as PostgreSQL's signed integer."""
    return value - (1 << 32) if value >= 1 << 31 else value


_KEY_SPACE = _int4(zlib.crc32(b"assistant:keys"))


def _lock_id(key: str) -> int:
    """The advisory lock (one-key space) of the lock named ``key``."""
    return zlib.crc32(f"assistant:{key}".encode())


def _lock_database(connection: Any, key: str, shared: bool = False) -> None:
    dialect = connection.dialect.name
    if dialect == "postgresql":
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        connection.execute(text(f"SELECT {function}(:id)"), {"id": _lock_id(key)})
    elif dialect == "sqlite" and not connection.connection.dbapi_connection.in_transaction:
        # pysqlite opens transactions lazily (before the first INSERT/UPDATE), so usually
        # nothing has begun yet and BEGIN IMMEDIATE takes the write lock right away. If a
        # write already began the transaction, the lock is already held.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
