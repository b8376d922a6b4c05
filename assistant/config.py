"""Settings: a TOML file validated into typed, frozen pydantic models.

Where the settings come from, first match wins:
1. ``--config FILE`` (the ``path`` argument of :func:`load_config`);
2. the file named by the environment variable ``ASSISTANT_CONFIG``;
3. the defaults embedded below (documented key by key in ``config.example.toml``).

Secrets are read from the environment and override the file, so the file can be
committed or shared without them: ``ASSISTANT_DATABASE_URL``, ``ASSISTANT_IMAP_PASSWORD``,
``ASSISTANT_SMTP_PASSWORD`` (the outbox relay) and ``ASSISTANT_TELEGRAM_TOKEN``.

Every error is a :class:`ConfigError` whose message names the file, the section and
the key, e.g. ``config error in /etc/x.toml: [inbox.smtp] port: Input should be a
valid integer``.

Where the data lives (:func:`find_home`): a relative SQLite path in ``[database] url``
and a relative ``[outbox] directory`` are relative to the installation's data
directory, never to the current directory (a consultant in another folder would
otherwise get a new, empty database). First match wins:
1. ``$ASSISTANT_HOME`` (said explicitly, so it wins);
2. the directory of the config file (``--config`` or ``$ASSISTANT_CONFIG``);
3. the source checkout the assistant runs from (a ``pip install -e .`` of the
   repository: the directory of its ``pyproject.toml``), so the README's commands keep
   their ``data/`` beside the code, whatever directory they are typed in;
4. the platform's user data directory: ``$XDG_DATA_HOME/smajob-assistant`` or
   ``~/.local/share/smajob-assistant`` (macOS ``~/Library/Application Support/...``,
   Windows ``%LOCALAPPDATA%\\smajob-assistant``).
``assistant where`` prints the result.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from handlers.scheme import Scheme

CONFIG_ENV = "ASSISTANT_CONFIG"
HOME_ENV = "ASSISTANT_HOME"
APP_NAME = "smajob-assistant"
# Environment variable -> the (section, ..., key) it overrides.
SECRET_ENV: dict[str, tuple[str, ...]] = {
    "ASSISTANT_DATABASE_URL": ("database", "url"),
    "ASSISTANT_IMAP_PASSWORD": ("inbox", "imap", "password"),
    "ASSISTANT_SMTP_PASSWORD": ("outbox", "smtp", "password"),
    "ASSISTANT_TELEGRAM_TOKEN": ("telegram", "token"),
}

# Never echo these values back in an error message: they are or may hold secrets.
_SECRET_KEYS = {"password", "token", "url"}
_ADDRESS_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and how to fix it."""


def _address(value: str) -> str:
    if not _ADDRESS_RE.match(value):
        raise ValueError(f"{value!r} is not an e-mail address like name@kommune.dk")
    return value


def _database_url(value: str) -> str:
    try:
        make_url(value)
    except ArgumentError:
        raise ValueError(
            "not a database URL; use sqlite:///data/assistant.db or "
            "postgresql+psycopg://user@host:5432/dbname"
        ) from None
    return value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


Address = Annotated[str, AfterValidator(_address)]
Port = Annotated[int, Field(ge=1, le=65535)]
PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Seconds = Annotated[float, Field(gt=0)]


class _Section(BaseModel):
    # strict: TOML is typed, so port = "25" is a mistake worth reporting, not coercing.
    # extra="forbid": a misspelt key must fail loudly instead of silently using a default.
    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, validate_default=True
    )


class DatabaseConfig(_Section):
    url: Annotated[str, AfterValidator(_database_url)] = "sqlite:///data/assistant.db"


class SmtpInboxConfig(_Section):
    host: str = "127.0.0.1"
    port: Port = 2525
    max_connections: PositiveInt = 100
    max_connections_per_ip: PositiveInt = 20
    command_timeout_seconds: Seconds = 60.0


class ImapInboxConfig(_Section):
    host: str = "127.0.0.1"
    port: Port = 993
    username: str = ""
    password: str = Field(default="", repr=False)  # keep secrets out of logged reprs
    folder: str = "INBOX"
    processed_folder: str = "Processed"
    ssl: bool = True
    poll_seconds: Seconds = 60.0
    idle_seconds: Seconds = 600.0


DEFAULT_LEASE_SECONDS = 300.0


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one,
    as a container or ``taskset`` sets it), at least 1."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # no affinity on this system (macOS, Windows)
        return os.cpu_count() or 1


# Processor threads per reader process in ``assistant run``: while one thread judges
# and stores a mail (database round trips, the service's CPU), the other's next mail is
# read, so neither the reader nor the storing waits for the other. (One thread per
# reader left a third of two cores idle; three per reader were no faster than two.)
PROCESSORS_PER_READER = 2


class InboxConfig(_Section):
    mode: Literal["smtp", "imap"] = "smtp"
    max_message_bytes: PositiveInt = 26_214_400
    pdf_time_limit_seconds: Seconds = 10.0
    # Reading limits (assistant/pdf_reader.py): the reader process's address space, one
    # mail's whole read, the attempts before a message is given up, the reader pool.
    reader_memory_mb: Annotated[int, Field(ge=256)] = 1024
    mail_time_budget_seconds: Seconds = 60.0
    # A scan or photo read by OCR (2-7 s a page on one core) may take this long.
    ocr_time_limit_seconds: Seconds = 100.0
    max_attempts: PositiveInt = 3
    # Reader processes (shared by PROCESSORS_PER_READER threads each); 0: one per core
    # this process may run on.
    workers: NonNegativeInt = 0
    # Several instances on one PostgreSQL: a message (or an outbox mail) an instance took
    # is its own this long, renewed when its read begins; the work of an instance that
    # died is taken over when it runs out. Longer than a mail's read (the budget); when
    # not set, 300 s or a minute more than the budget, whichever is longer.
    lease_seconds: Seconds = DEFAULT_LEASE_SECONDS
    # authserv-ids whose Authentication-Results headers (RFC 8601) are believed: only
    # the jobcenter's own receiving mail system. Empty: none is (anyone can write one).
    trusted_authserv_ids: list[str] = []
    smtp: SmtpInboxConfig = SmtpInboxConfig()
    imap: ImapInboxConfig = ImapInboxConfig()

    @model_validator(mode="before")
    @classmethod
    def _lease_default(cls, data: Any) -> Any:
        """Raising only the budget must not make the default lease too short."""
        if isinstance(data, dict) and "lease_seconds" not in data:
            budget = data.get("mail_time_budget_seconds", 60.0)
            if isinstance(budget, int | float) and budget + 60 > DEFAULT_LEASE_SECONDS:
                data = {**data, "lease_seconds": float(budget + 60)}
        return data

    def reader_count(self) -> int:
        """How many readers ``assistant run`` starts: ``workers``, or the cores."""
        return self.workers or available_cores()

    def processor_count(self) -> int:
        """How many threads of ``assistant run`` judge and store mail."""
        return self.reader_count() * PROCESSORS_PER_READER

    @model_validator(mode="after")
    def _lease_outlasts_a_read(self) -> InboxConfig:
        if self.lease_seconds <= self.mail_time_budget_seconds:
            raise ValueError(
                f"lease_seconds ({self.lease_seconds:g}) must be longer than "
                f"mail_time_budget_seconds ({self.mail_time_budget_seconds:g}): a lease that "
                "runs out while a mail is read lets another instance read it too")
        return self


class SmtpOutboxConfig(_Section):
    host: str = "127.0.0.1"
    port: Port = 25
    username: str = ""
    password: str = Field(default="", repr=False)  # keep secrets out of logged reprs
    starttls: bool = False


class OutboxConfig(_Section):
    mode: Literal["directory", "smtp"] = "directory"
    directory: str = "data/outbox"
    max_attempts: PositiveInt = 300  # ~3 days at the 15-minute backoff cap, like an MTA
    smtp: SmtpOutboxConfig = SmtpOutboxConfig()


class JobcenterConfig(_Section):
    address: Address = "jobcenter@kommune.example"
    economy_group: Address = "okonomi@kommune.example"
    consultants: Address = "konsulenter@kommune.example"
    pool_hours_per_week: PositiveInt = 100
    max_hours_per_week: PositiveInt = 10
    max_employment_months: PositiveInt = 12
    max_sick_days: PositiveInt = 30
    # A plausible employer cost per paid hour, in kr (outside it a reading is suspect).
    min_cost_per_hour: PositiveInt = 100
    max_cost_per_hour: PositiveInt = 600
    language: Literal["da", "en"] = "da"
    # Where the confidentiality declaration is filled in, for the onboarding plan.
    confidentiality_url: str = ""
    # Further addresses the jobcenter's own mail comes from (aliases): never answered.
    own_addresses: list[Address] = []
    # Automatic replies to one address per hour at most (RFC 3834 loop and flood brake).
    max_replies_per_sender_per_hour: PositiveInt = 5

    @model_validator(mode="after")
    def _cost_range(self) -> JobcenterConfig:
        if self.min_cost_per_hour > self.max_cost_per_hour:
            raise ValueError(
                f"min_cost_per_hour ({self.min_cost_per_hour}) is above max_cost_per_hour "
                f"({self.max_cost_per_hour}); swap them")
        return self


class FollowupConfig(_Section):
    """When reminders are due (``handlers.followup``) and how often ``assistant run`` looks."""

    enabled: bool = True
    interval_minutes: PositiveInt = 60
    payslip_reminder_day: Annotated[int, Field(ge=1, le=28)] = 10
    ending_within_days: PositiveInt = 30
    sick_day_marks: list[PositiveInt] = [20, 30]
    no_claim_months: PositiveInt = 2
    economy_summary_day: Annotated[int, Field(ge=1, le=28)] = 5


class TelegramConfig(_Section):
    token: str = Field(default="", repr=False)
    base_url: str = "https://api.telegram.org/bot"
    bot_username: str = ""


class WebConfig(_Section):
    """The jobcenter desk (``assistant/web``)."""

    enabled: bool = True  # `assistant run` starts the desk too
    host: str = "127.0.0.1"
    port: Port = 8080
    # Secure cookies are only sent over https; false only for plain http (a loopback
    # test, or behind a proxy that terminates TLS on the same host).
    secure_cookies: bool = True
    session_hours: PositiveInt = 8
    max_failed_logins: PositiveInt = 5  # per e-mail address within throttle_minutes
    throttle_minutes: PositiveInt = 15
    cache_directory: str = "data/desk-cache"  # rendered payslip pages
    page_size: PositiveInt = 50  # claims per page in the list


class LoggingConfig(_Section):
    # "info" and "INFO" both mean INFO, as in the logging module.
    level: Annotated[
        Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], BeforeValidator(_upper)
    ] = "INFO"


class Config(_Section):
    database: DatabaseConfig = DatabaseConfig()
    inbox: InboxConfig = InboxConfig()
    outbox: OutboxConfig = OutboxConfig()
    jobcenter: JobcenterConfig = JobcenterConfig()
    followup: FollowupConfig = FollowupConfig()
    telegram: TelegramConfig = TelegramConfig()
    web: WebConfig = WebConfig()
    logging: LoggingConfig = LoggingConfig()

    def scheme(self) -> Scheme:
        """The scheme's limits from ``[jobcenter]``: the one place they are built."""
        jobcenter = self.jobcenter
        return Scheme(
            pool_hours=Decimal(jobcenter.pool_hours_per_week),
            max_hours=Decimal(jobcenter.max_hours_per_week),
            max_months=jobcenter.max_employment_months,
            max_sick_days=jobcenter.max_sick_days,
            min_cost_per_hour=Decimal(jobcenter.min_cost_per_hour),
            max_cost_per_hour=Decimal(jobcenter.max_cost_per_hour),
        )


@dataclass(frozen=True)
class Location:
    """Which config file is used (None: the built-in defaults) and the data directory."""

    config_file: Path | None
    home: Path
    home_reason: str  # why this directory, for `assistant where`


def locate(path: Path | None = None, env: Mapping[str, str] | None = None) -> Location:
    """The config file (``path``, else ``$ASSISTANT_CONFIG``) and the data directory
    (see the module doc for the order)."""
    env = os.environ if env is None else env
    if path is None and env.get(CONFIG_ENV):
        path = Path(env[CONFIG_ENV])
    if path is not None:
        path = path.expanduser().absolute()  # name the file unambiguously in every message
    home, reason = find_home(path, env)
    return Location(path, home, reason)


def find_home(config_file: Path | None, env: Mapping[str, str]) -> tuple[Path, str]:
    """The data directory and why it is that one."""
    if env.get(HOME_ENV):
        return Path(env[HOME_ENV]).expanduser().absolute(), f"${HOME_ENV}"
    if config_file is not None:
        return config_file.parent, "the directory of the config file"
    checkout = source_checkout()
    if checkout is not None:
        return checkout, "the source checkout the assistant runs from"
    return user_data_dir(env), "the user data directory (no config file, no $ASSISTANT_HOME)"


def source_checkout() -> Path | None:
    """The repository this code runs from (an editable install), else None."""
    root = Path(__file__).resolve().parents[1]
    try:
        project = (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return None
    return root if f'name = "{APP_NAME}"' in project else None


def user_data_dir(env: Mapping[str, str]) -> Path:
    if sys.platform == "win32" and env.get("LOCALAPPDATA"):
        return Path(env["LOCALAPPDATA"]) / APP_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_NAME
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_NAME


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """The settings from ``path``, else ``$ASSISTANT_CONFIG``, else the defaults, with
    relative data paths made absolute in the data directory (:func:`find_home`).

    ``env`` defaults to ``os.environ``; tests pass their own.
    """
    env = os.environ if env is None else env
    where_from = locate(path, env)
    path = where_from.config_file
    raw = _read_toml(path) if path is not None else {}
    _apply_secrets(raw, env)
    where = str(path) if path is not None else "the built-in defaults"
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, where)) from None
    return in_home(config, where_from.home)


def in_home(config: Config, home: Path) -> Config:
    """``config`` with a relative SQLite path and outbox directory placed in ``home``."""
    url = make_url(config.database.url)
    database = url.database or ""
    if (url.get_backend_name() == "sqlite" and database and database != ":memory:"
            and not database.startswith("file:") and not Path(database).is_absolute()):
        url = url.set(database=str(home / database))
    directory = Path(config.outbox.directory).expanduser()
    return config.model_copy(update={
        "database": config.database.model_copy(
            update={"url": url.render_as_string(hide_password=False)}),
        "outbox": config.outbox.model_copy(
            update={"directory": str(directory if directory.is_absolute()
                                     else home / directory)}),
    })


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"config error in {path}: the file does not exist; pass --config with an existing "
            f"file (start from config.example.toml) or unset {CONFIG_ENV}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config error in {path}: cannot read the file: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message carries the position: "... (at line 3, column 7)".
        raise ConfigError(
            f"config error in {path}: not valid TOML: {exc}; "
            'check quotes around text values (host = "127.0.0.1") and [section] headers'
        ) from None


def _apply_secrets(raw: dict[str, Any], env: Mapping[str, str]) -> None:
    for name, keys in SECRET_ENV.items():
        value = env.get(name)
        if not value:  # unset or empty: an empty variable in a compose file means "not set"
            continue
        section = raw
        for key in keys[:-1]:
            if not isinstance(section.get(key), dict):
                section[key] = {}
            section = section[key]
        section[keys[-1]] = value


def _describe(exc: ValidationError, where: str) -> str:
    lines = [_describe_one(error) for error in exc.errors(include_url=False)]
    return (
        f"config error in {where}: " + "; ".join(lines)
        + " (config.example.toml lists every key with its type and default)"
    )


def _describe_one(error: Mapping[str, Any]) -> str:
    loc = [str(part) for part in error["loc"]]
    section, key = loc[:-1], loc[-1] if loc else "?"
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        message = "unknown key" if section else "unknown section"
        known = _known_keys(section)
        if known:
            message += f" (known: {', '.join(known)})"
    elif key not in _SECRET_KEYS and _short(error.get("input")):
        message += f" (got {error['input']!r})"
    prefix = f"[{'.'.join(section)}] " if section else ""
    return f"{prefix}{key}: {message}"


def _short(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and len(repr(value)) <= 60


def _known_keys(section: list[str]) -> list[str]:
    model: type[BaseModel] = Config
    for name in section:
        annotation = model.model_fields[name].annotation if name in model.model_fields else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return list(model.model_fields)
