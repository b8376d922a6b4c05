"""Logging for the service: one line per event, no personal data, bounded volume.

- pdfminer logs every oddity of a malformed PDF at WARNING; those are the sender's
  problem and reach them as a reply, so they are kept out of the service log.
- :func:`describe_error` is what an error handler logs instead of ``log.exception``:
  a database error's text carries the statement's parameters (the raw mail, with any
  CPR number in it), so only the exception types and a masked, shortened message go
  to the log.
- :class:`RateLimitFilter` keeps resource errors from flooding the log: with the
  open-file limit reached, asyncio and aiosmtpd can report the same error thousands
  of times a second. The first of a kind is logged, then at most one per ``interval``
  seconds with the number left out.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import StatementError

from parsers.identifiers import mask_cprs

# Libraries' loggers and the least level the service logs of them: pdfminer reports
# every oddity of a malformed PDF (the sender hears of it in a reply), aiosmtpd every
# session at INFO.
QUIET_LOGGERS = {"pdfminer": logging.ERROR, "pdfplumber": logging.ERROR,
                 "mail.log": logging.WARNING, "aiosmtpd": logging.WARNING}
# Loggers whose errors can repeat per connection or per accept(): rate-limited.
RATE_LIMITED_LOGGERS = ("asyncio", "mail.log", "assistant.inbox.smtp_server")
RATE_LIMIT_SECONDS = 10.0
MAX_ERROR_CHARS = 300


def setup(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        force=True,
    )
    for name, quiet_level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet_level)
    install_rate_limits()


def logged_in_production(record: logging.LogRecord) -> bool:
    """False for a record that :data:`QUIET_LOGGERS` keeps out of the service log."""
    for name, quiet_level in QUIET_LOGGERS.items():
        if record.name == name or record.name.startswith(name + "."):
            return record.levelno >= quiet_level
    return True


def install_rate_limits(interval: float = RATE_LIMIT_SECONDS) -> list[RateLimitFilter]:
    """Put a :class:`RateLimitFilter` on each of :data:`RATE_LIMITED_LOGGERS` (once)."""
    installed = []
    for name in RATE_LIMITED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RateLimitFilter) for f in logger.filters):
            limiter = RateLimitFilter(interval)
            logger.addFilter(limiter)
            installed.append(limiter)
    return installed


def describe_error(exc: BaseException, frames: int = 3) -> str:
    """``Type: message (at file:line in function ...)`` safe for the log: no SQL
    parameters, CPR numbers masked, short. The innermost ``frames`` frames of the
    traceback say where it happened (code locations only, never values)."""
    if isinstance(exc, StatementError):
        # str() of a StatementError appends the statement and its parameters; the
        # driver's own error (``orig``) says what went wrong without them.
        orig = exc.orig
        text = f"{type(exc).__name__} ({type(orig).__name__}): {orig}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    text = mask_cprs(" ".join(text.split()))
    if len(text) > MAX_ERROR_CHARS:
        text = text[:MAX_ERROR_CHARS] + " ..."
    stack = traceback.extract_tb(exc.__traceback__)[-frames:] if frames else []
    if stack:
        text += " (at " + " < ".join(
            f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}"
            for frame in reversed(stack)) + ")"
    return text


class RateLimitFilter(logging.Filter):
    """Lets through WARNING and above at most once per ``interval`` seconds per kind.

    A kind is the logger, the message template and the exception type. When a record
    passes after others of its kind were held back, its message says how many. INFO
    and below always pass (they are off in production). ``clock`` is for tests.
    """

    def __init__(self, interval: float = RATE_LIMIT_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._last: dict[tuple[str, str, str], float] = {}
        self._held: dict[tuple[str, str, str], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        kind = _kind(record)
        now = self.clock()
        with self._lock:
            last = self._last.get(kind)
            if last is not None and now - last < self.interval:
                self._held[kind] = self._held.get(kind, 0) + 1
                return False
            self._last[kind] = now
            held = self._held.pop(kind, 0)
        if held:
            record.msg = f"{record.msg} [{held} more like this since the last one were not logged]"
        return True


def _kind(record: logging.LogRecord) -> tuple[str, str, str]:
    """Logger, the template's first line (asyncio puts per-connection details after it)
    and the exception type."""
    template = str(record.msg).split("\n", 1)[0][:80]
    exc_type = record.exc_info[0] if record.exc_info else None
    return record.name, template, exc_type.__name__ if exc_type is not None else ""
