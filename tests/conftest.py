"""Shared fixtures: a fresh database on each backend, and a store on top of it.

``engine`` is parametrized over ``sqlite`` (a file in tmp_path) and ``postgresql`` (a
throw-away database ``assistant_test_<random>`` on the server at
``$ASSISTANT_TEST_POSTGRES_URL``, default ``postgresql+psycopg://postgres@127.0.0.1:5432/
postgres``, dropped afterwards). The PostgreSQL case is skipped only when that server
cannot be reached. The engine's database is empty; ``store`` migrates it first.

Every test runs under ``no_cpr_in_logs``: a CPR number in full in any log line
(message or traceback, at INFO and above, from any thread) fails the test.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from assistant.db import make_engine, upgrade
from assistant.logs import logged_in_production
from assistant.store import Store

# A full CPR number as it could appear in a log line; the masked DDMMYY-xxxx form does
# not match. The first six digits must be a day (01-31, or 61-91 for a substitute
# number) and a month, so that IMAP UIDVALIDITYs and other 10-digit counters are not
# taken for one.
FULL_CPR_RE = re.compile(r"\b(?:[0-2]\d|3[01]|[6-8]\d|9[01])(?:0[1-9]|1[0-2])\d{2}-?\d{4}\b")


class _LogLines(logging.Handler):
    """Keeps every record as its formatted line (traceback included)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not logged_in_production(record):
            return  # e.g. pdfminer's WARNINGs about a mutated PDF's xref offsets
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - a broken record is the logging module's report
            self.handleError(record)


@pytest.fixture(autouse=True)
def no_cpr_in_logs() -> Iterator[_LogLines]:
    """Fail the test if a full CPR number appears in any log line it caused."""
    handler = _LogLines()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)  # the service's level: what production would log
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    leaks = [line for line in handler.lines if FULL_CPR_RE.search(line)]
    if leaks:
        pytest.fail(f"{len(leaks)} log line(s) with a full CPR number, e.g.: "
                    f"{FULL_CPR_RE.sub('<CPR>', leaks[0])[:500]}", pytrace=False)


POSTGRES_URL = os.environ.get(
    "ASSISTANT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@cache
def _postgres_unreachable() -> str | None:
    """Why the test server cannot be used, or None. Checked once per run."""
    admin = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as exc:
        shown = make_url(POSTGRES_URL).render_as_string(hide_password=True)
        return f"PostgreSQL not reachable at {shown}: {str(exc.orig).strip()}"
    finally:
        admin.dispose()
    return None


@pytest.fixture
def postgres_url() -> Iterator[URL]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    reason = _postgres_unreachable()
    if reason:
        pytest.skip(reason)
    name = f"assistant_test_{secrets.token_hex(6)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name)
    finally:
        with admin.connect() as connection:
            # FORCE: a connection a failed test left open must not keep the database alive.
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> URL:
    """The URL of an empty database on each backend."""
    if request.param == "sqlite":
        return make_url(f"sqlite:///{tmp_path / 'data' / 'assistant.db'}")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def config_file(db_url: URL, tmp_path, monkeypatch) -> Callable[[str], Path]:
    """Write ``assistant.toml`` for the test database (plus ``extra`` TOML) and return its
    path; the environment's config overrides are cleared so only this file counts."""
    for name in ("ASSISTANT_CONFIG", "ASSISTANT_DATABASE_URL", "ASSISTANT_HOME"):
        monkeypatch.delenv(name, raising=False)

    def write(extra: str = "") -> Path:
        path = tmp_path / "assistant.toml"
        url = db_url.render_as_string(hide_password=False)
        path.write_text(f'[database]\nurl = "{url}"\n{extra}', encoding="utf-8")
        return path

    return write


@pytest.fixture
def engine(db_url: URL) -> Iterator[Engine]:
    """An engine on an empty database (no tables yet)."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine: Engine) -> Store:
    """A store on a migrated database with the default limits (pool 100, max 10 h, 12 mo)."""
    upgrade(engine)
    return Store(engine)

