"""The register rules: the pool (puljen), employments (ansættelser) and allowed senders.

Pure functions over plain data; the store turns rows into :class:`Span` values and
passes them in, so the rules are the same for the command line, the bot and the tests.

The rules, precisely:
- hours per week: more than 0, at most ``max_hours`` (10), at most two decimals;
- period: ``end >= start`` and ``end <= latest_end(start, max_months)``, i.e. the day
  before the same date ``max_months`` later (2026-01-01 -> 2026-12-31 at the latest);
  when that date does not exist (a start on 29-31) the month's last day
  (2028-02-29 -> 2029-02-28);
- pool (first come, first served): on every day of the new period, the hours of the
  employments already approved for that day plus the new hours must fit in
  ``pool_hours``. This is the *peak* use in the period, not the sum of everything that
  touches it: two employments that follow each other do not both count;
- one citizen (CPR) cannot have two overlapping employments at the same workplace (CVR).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from email.utils import parseaddr

from handlers.scheme import DEFAULT_SCHEME, Scheme
from handlers.validation import add_months
from parsers.identifiers import compact_digits, mask_cpr

# Defaults only: the config's values come in as a Scheme (handlers/scheme.py).
POOL_HOURS = DEFAULT_SCHEME.pool_hours
MAX_HOURS = DEFAULT_SCHEME.max_hours
MAX_MONTHS = DEFAULT_SCHEME.max_months

# A domain: labels of letters (any script), digits and hyphens, at least one dot.
_DOMAIN_RE = re.compile(r"^(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W_](?:[\w-]*[^\W_])?$")
_LOCAL_RE = re.compile(r"^[^\s@<>(),;:\"\[\]\\]+$")


class RegisterError(ValueError):
    """A register change was refused; ``reasons`` say why, one sentence each."""

    def __init__(self, reasons: Iterable[str]) -> None:
        self.reasons = list(reasons)
        super().__init__("; ".join(self.reasons))


# The register's limits are the scheme's (one object, built from the config).
Limits = Scheme


@dataclass(frozen=True)
class Span:
    """An approved employment as the rules see it."""

    cpr: str  # ten digits
    cvr: str
    hours: Decimal  # per week
    start: date
    end: date  # the last day it uses the pool (inclusive): planned end, or the early end
    id: int | None = None

    def overlaps(self, start: date, end: date) -> bool:
        return self.start <= end and start <= self.end


@dataclass(frozen=True)
class PoolStatus:
    on: date
    approved_hours: Decimal
    pool_hours: Decimal
    employments: int

    @property
    def left_hours(self) -> Decimal:
        """Negative when more is approved than the pool holds (the pool was made smaller)."""
        return self.pool_hours - self.approved_hours


def hours_text(hours: Decimal) -> str:
    """``4``, ``7.5``, ``7.25``: hours as people write them."""
    text = f"{hours:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def latest_end(start: date, months: int = MAX_MONTHS) -> date:
    """The last day an employment starting on ``start`` may end (see the module doc)."""
    same_date = add_months(start, months)
    if same_date.day != start.day:  # the date does not exist: add_months clamped it
        return same_date
    return same_date - timedelta(days=1)


def peak_hours(spans: Iterable[Span], start: date, end: date) -> Decimal:
    """The most hours approved on any one day of ``[start, end]``."""
    changes: dict[date, Decimal] = defaultdict(Decimal)
    for span in spans:
        if span.overlaps(start, end):
            changes[max(span.start, start)] += span.hours
            changes[span.end + timedelta(days=1)] -= span.hours
    peak = running = Decimal(0)
    for day in sorted(changes):
        if day > end:
            break
        running += changes[day]
        peak = max(peak, running)
    return peak


def check_new_employment(
    hours: Decimal,
    start: date,
    end: date,
    active_employments: Sequence[Span],
    pool_hours: Decimal = POOL_HOURS,
    max_hours: Decimal = MAX_HOURS,
    max_months: int = MAX_MONTHS,
    *,
    cpr: str | None = None,
    cvr: str | None = None,
) -> list[str]:
    """Why a new employment cannot be approved; an empty list means it can.

    ``active_employments`` are the approved employments (at least those overlapping
    ``[start, end]``); ``cpr``/``cvr`` enable the one-employment-per-workplace check.
    """
    hours_reasons = _check_hours(hours, max_hours)
    period_reasons = _check_period(start, end, max_months)
    reasons = hours_reasons + period_reasons
    if not hours_reasons and end >= start:
        reasons += _check_pool(hours, start, end, active_employments, pool_hours)
    if cpr and cvr:
        reasons += _check_duplicate(cpr, cvr, start, end, active_employments)
    return reasons


def check_start(start: date, today: date) -> list[str]:
    """A new employment starts today or later: a start in the past (a typo of 2026 for
    2027) would make an employment that is already running or over."""
    if start < today:
        return [f"the start date {start.isoformat()} is in the past (today is "
                f"{today.isoformat()}); check the year"]
    return []


def _check_hours(hours: Decimal, max_hours: Decimal) -> list[str]:
    if not hours.is_finite() or hours <= 0:
        return [f"hours per week must be more than 0 (got {hours})"]
    if hours > max_hours:
        return [f"an employment may have at most {hours_text(max_hours)} hours per week "
                f"(got {hours_text(hours)})"]
    if hours != hours.quantize(Decimal("0.01")):
        return [f"hours per week have at most two decimals (got {hours})"]
    return []


def _check_period(start: date, end: date, max_months: int) -> list[str]:
    if end < start:
        return [f"the employment ends ({end.isoformat()}) before it starts ({start.isoformat()})"]
    latest = latest_end(start, max_months)
    if end > latest:
        return [f"an employment may last at most {max_months} months: one starting "
                f"{start.isoformat()} may end {latest.isoformat()} at the latest "
                f"(got {end.isoformat()})"]
    return []


def _check_pool(
    hours: Decimal, start: date, end: date, spans: Sequence[Span], pool_hours: Decimal
) -> list[str]:
    used = peak_hours(spans, start, end)
    if used + hours <= pool_hours:
        return []
    left = max(pool_hours - used, Decimal(0))
    return [f"the pool has {hours_text(left)} hours left per week in "
            f"{start.isoformat()} to {end.isoformat()} ({hours_text(used)} of "
            f"{hours_text(pool_hours)} approved); {hours_text(hours)} hours were asked for"]


def _check_duplicate(
    cpr: str, cvr: str, start: date, end: date, spans: Sequence[Span]
) -> list[str]:
    digits = compact_digits(cpr)
    return [
        f"CPR {mask_cpr(digits)} already has an employment at CVR {cvr} from "
        f"{span.start.isoformat()} to {span.end.isoformat()}"
        + (f" (employment {span.id})" if span.id is not None else "")
        for span in spans
        if span.cvr == cvr and compact_digits(span.cpr) == digits and span.overlaps(start, end)
    ]


def pool_status(spans: Iterable[Span], on: date, pool_hours: Decimal = POOL_HOURS) -> PoolStatus:
    """The pool on one day: hours approved for employments active that day."""
    active = [span for span in spans if span.start <= on <= span.end]
    return PoolStatus(
        on=on,
        approved_hours=sum((span.hours for span in active), Decimal(0)),
        pool_hours=Decimal(pool_hours),
        employments=len(active),
    )


def normalize_sender(pattern: str) -> str:
    """``lon@firma.dk`` or ``firma.dk`` (from ``@Firma.DK`` too); ValueError if neither."""
    text = pattern.strip().lower().rstrip(".")
    text = text.removeprefix("@")
    local, at, domain = text.rpartition("@")
    if not _DOMAIN_RE.match(domain) or (at and not _LOCAL_RE.match(local)):
        raise ValueError(
            f"{pattern!r} is neither an e-mail address (lon@firma.dk) nor a domain (firma.dk)"
        )
    return text


def sender_allowed(sender_address: str, patterns: Iterable[str]) -> bool:
    """Whether a sender matches one of a workplace's patterns.

    A pattern with ``@`` in the middle is one address; otherwise it is a domain
    (``firma.dk`` and ``@firma.dk`` alike). Case does not matter. A domain does *not*
    cover its subdomains: ``firma.dk`` does not allow ``x@mail.firma.dk``.
    ``sender_address`` may be ``Name <addr>``.
    """
    address = parseaddr(sender_address)[1].strip().lower().rstrip(".")
    local, at, domain = address.rpartition("@")
    if not (at and local and domain):
        return False
    for pattern in patterns:
        try:
            wanted = normalize_sender(pattern)
        except ValueError:
            continue  # a bad stored pattern allows nobody rather than failing the message
        if wanted == (address if "@" in wanted else domain):
            return True
    return False


def check_extension(
    employment: Span,
    new_end: date,
    others: Sequence[Span],
    reason: str,
    pool_hours: Decimal = POOL_HOURS,
    max_months: int = MAX_MONTHS,
) -> list[str]:
    """Why an approved employment cannot be extended to ``new_end``; empty: it can.

    An extension is an addendum (tillæg) with its own reason; the whole employment still
    lasts at most ``max_months`` from its first day, and the added days
    ``(employment.end, new_end]`` must fit in the pool beside ``others`` (the other
    approved employments: the pool check is the one a new employment meets) and must not
    overlap another employment of the same citizen at the same workplace.
    """
    reasons = []
    if not reason.strip():
        reasons.append("the addendum's reason (why the employment is extended) is missing")
    if new_end <= employment.end:
        return reasons + [f"the new end {new_end.isoformat()} is not after the current end "
                          f"{employment.end.isoformat()}"]
    latest = latest_end(employment.start, max_months)
    if new_end > latest:
        reasons.append(f"an employment may last at most {max_months} months: one starting "
                       f"{employment.start.isoformat()} may end {latest.isoformat()} at the "
                       f"latest (got {new_end.isoformat()})")
        return reasons
    added = employment.end + timedelta(days=1)
    rest = [s for s in others if s.id is None or s.id != employment.id]
    reasons += _check_pool(employment.hours, added, new_end, rest, pool_hours)
    reasons += _check_duplicate(employment.cpr, employment.cvr, added, new_end, rest)
    return reasons
