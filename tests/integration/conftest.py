"""Fixtures for the integration tests: a fresh database on each backend, and a store on
top of it.

``engine`` is parametrized over ``sqlite`` (a file in tmp_path) and ``postgresql`` (a
throw-away database ``assistant_test_<random>`` on the server at
``$ASSISTANT_TEST_POSTGRES_URL``, default ``postgresql+psycopg://postgres@127.0.0.1:5432/
postgres``, dropped afterwards). The PostgreSQL case is skipped only when that server
cannot be reached, and is marked ``postgres`` (``tests/conftest.py``). The engine's
database is empty; ``store`` migrates it first.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from assistant.config import Config
from assistant.db import make_engine, upgrade
from assistant.pdf_reader import GuardedPdfReader
from assistant.store import Store
from tests.integration.helpers import database, jobcenter, outbox, written_config

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



@pytest.fixture(scope="module")
def reader() -> Iterator[GuardedPdfReader]:
    """One guarded PDF reader (its worker process) per test module, 30 s per document."""
    with GuardedPdfReader(time_limit=30) as r:
        yield r


@pytest.fixture
def config(tmp_path, db_url: URL) -> Config:
    """The pipeline's config at ``tmp_path / "config.toml"``: the test database, the
    outbox as files in ``tmp_path / "outbox"`` and the jobcenter's addresses."""
    return written_config(tmp_path / "config.toml", database(db_url), outbox(tmp_path),
                          jobcenter())
