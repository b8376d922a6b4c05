"""Alembic environment for the assistant.

Two ways in:
- programmatically, from ``assistant.db.upgrade(engine)``: the caller's connection
  (already in a transaction, holding the migration lock) is in ``config.attributes``;
- from the alembic command line: ``alembic -c migrations/alembic.ini upgrade head``.
  The database is ``-x url=...``, else ``sqlalchemy.url`` in alembic.ini, else the
  assistant's own configuration (``ASSISTANT_CONFIG`` / ``ASSISTANT_DATABASE_URL``).
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from assistant.models import UTCDateTime  # also registers the tables on SQLModel.metadata

config = context.config
target_metadata = SQLModel.metadata


def _render_item(type_: str, obj: Any, _context: Any) -> str | bool:
    """Autogenerate plain SQLAlchemy types, so revisions do not import app code."""
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode recreates the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    url = url or config.get_main_option("sqlalchemy.url")
    if not url:
        from assistant.config import load_config

        url = load_config().database.url
    return url


def run_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, compare_type=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return

    from assistant.db import make_engine

    engine = make_engine(_url())
    try:
        with engine.begin() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


# Only the alembic command line sets up logging from the ini file; when called from the
# assistant, its own logging configuration must stay untouched.
if config.config_file_name is not None and "connection" not in config.attributes:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

if context.is_offline_mode():
    run_offline()
else:
    run_online()
