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
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

CONFIG_ENV = "ASSISTANT_CONFIG"
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


class InboxConfig(_Section):
    mode: Literal["smtp", "imap"] = "smtp"
    max_message_bytes: PositiveInt = 26_214_400
    pdf_time_limit_seconds: Seconds = 10.0
    smtp: SmtpInboxConfig = SmtpInboxConfig()
    imap: ImapInboxConfig = ImapInboxConfig()


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
    language: Literal["da", "en"] = "da"


class TelegramConfig(_Section):
    token: str = Field(default="", repr=False)
    base_url: str = "https://api.telegram.org/bot"
    bot_username: str = ""


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
    telegram: TelegramConfig = TelegramConfig()
    logging: LoggingConfig = LoggingConfig()


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """The settings from ``path``, else ``$ASSISTANT_CONFIG``, else the defaults.

    ``env`` defaults to ``os.environ``; tests pass their own.
    """
    env = os.environ if env is None else env
    if path is None and env.get(CONFIG_ENV):
        path = Path(env[CONFIG_ENV])
    if path is not None:
        path = path.absolute()  # name the file unambiguously in every message
    raw = _read_toml(path) if path is not None else {}
    _apply_secrets(raw, env)
    where = str(path) if path is not None else "the built-in defaults"
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, where)) from None


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
