"""Shared pieces of the command line.

- ``@with_config``: adds ``--config FILE`` and passes ``config: Config``;
- ``@with_app``: adds ``--config FILE``, loads the config, opens the database, migrates
  it to the newest schema and passes ``app: App`` (``app.config``, ``app.engine``,
  ``app.store``); the engine is closed when the command returns;
- ``DATE`` and ``DECIMAL`` parameter types, :func:`refusals` (a RegisterError becomes a
  clean ``Error: ...`` and exit code 1) and :func:`echo_json`.

Any problem with the config or the database is reported as ``Error: ...`` with exit
code 1, never as a traceback.
"""

from __future__ import annotations

import functools
import getpass
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from assistant.config import Config, ConfigError, load_config
from assistant.db import make_engine, upgrade
from assistant.store import Store, limits_from_config
from handlers.register import RegisterError, check_start

F = TypeVar("F", bound=Callable[..., Any])
# Threads of ``assistant run`` besides the processors that use the database at once:
# the dispatcher, the outbox, the follow-up, the inbox, the desk and the chat bot.
SERVICE_THREADS = 6


@dataclass(frozen=True)
class App:
    """What a command that uses the database gets."""

    config: Config
    engine: Engine
    store: Store


CONFIG_HELP = "Configuration file (default: $ASSISTANT_CONFIG, else the built-in defaults)."
_config_option = click.option(
    "--config", "config_path", metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path), default=None, help=CONFIG_HELP,
)
# `assistant --config FILE COMMAND` keeps the file here for the command.
GROUP_CONFIG = "assistant.config_path"


def config_path_given(path: Path | None) -> Path | None:
    """``--config`` after the command, else ``--config`` before it (on ``assistant``)."""
    if path is not None:
        return path
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(GROUP_CONFIG) if ctx is not None else None


def read_config(path: Path | None) -> Config:
    try:
        return load_config(config_path_given(path))
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def open_app(config: Config) -> App:
    """Open and migrate the configured database; the caller disposes ``app.engine``."""
    url = config.database.url
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        engine = make_engine(url, pool_size=config.inbox.processor_count() + SERVICE_THREADS)
        upgrade(engine)
    except (SQLAlchemyError, ArgumentError, OSError) as exc:
        reason = getattr(exc, "orig", None) or exc
        raise click.ClickException(
            f"cannot open the database {shown}: {reason} "
            "(check [database] url in the config or ASSISTANT_DATABASE_URL)"
        ) from None
    return App(config=config, engine=engine, store=Store(engine, limits_from_config(config)))


def with_config_path(func: F) -> F:
    """Add ``--config FILE``; the command receives ``config_path`` (or None)."""
    return _config_option(func)  # type: ignore[return-value]


def with_config(func: F) -> F:
    """Add ``--config FILE``; the command receives ``config``."""

    @_config_option
    @functools.wraps(func)
    def wrapper(*args: Any, config_path: Path | None, **kwargs: Any) -> Any:
        return func(*args, config=read_config(config_path), **kwargs)

    return wrapper  # type: ignore[return-value]


def with_app(func: F) -> F:
    """Add ``--config FILE``; the command receives ``app`` with a migrated database."""

    @_config_option
    @functools.wraps(func)
    def wrapper(*args: Any, config_path: Path | None, **kwargs: Any) -> Any:
        app = open_app(read_config(config_path))
        try:
            return func(*args, app=app, **kwargs)
        finally:
            app.engine.dispose()

    return wrapper  # type: ignore[return-value]


@contextmanager
def refusals() -> Iterator[None]:
    """Turn a refused register change into ``Error: ...`` and exit code 1."""
    try:
        yield
    except RegisterError as exc:
        reasons = exc.reasons or [str(exc)]
        if len(reasons) == 1:
            raise click.ClickException(f"refused: {reasons[0]}") from None
        raise click.ClickException(
            "refused:\n" + "\n".join(f"  - {reason}" for reason in reasons)
        ) from None


def os_user() -> str:
    """Who runs the command, for the audit log."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers): still say something
        return "unknown"


by_option = click.option("--by", default=None, metavar="NAME",
                         help="Who decides (default: the OS user); written to the audit log.")


def refuse_past_start(start: date, today: date | None, hint: str = "") -> None:
    """``Error: refused: --start ...`` and exit code 1 for a start before ``today``."""
    reasons = check_start(start, today or date.today())
    if reasons:
        raise click.ClickException(f"refused: --start: {reasons[0]}{hint}")


# Tests (and a rehearsal on a copy of the data) run the date rules as of another day.
today_option = click.option(
    "--today", type=click.DateTime(["%Y-%m-%d"]), default=None, hidden=True,
    callback=lambda _ctx, _param, value: value.date() if value else None,
    help="Judge dates as of this day (default: today).")


class DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date like 2026-01-31", param, ctx)


class DecimalType(click.ParamType):
    name = "NUMBER"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            # Danish decimal comma accepted: "7,5" is 7.5 hours.
            number = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            self.fail(f"{value!r} is not a number like 7.5", param, ctx)
        if not number.is_finite():
            self.fail(f"{value!r} is not a number like 7.5", param, ctx)
        return number


DATE = DateType()
DECIMAL = DecimalType()


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # 100 rather than 100.0: hours and amounts read as people write them.
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def echo_json(data: Any) -> None:
    """Pretty, key-order-stable JSON with æøå as they are."""
    click.echo(json.dumps(data, default=json_default, ensure_ascii=False, indent=2))
