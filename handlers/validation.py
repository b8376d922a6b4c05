"""Validation of the four required refund fields (CPR, CVR, period, amount).

Pure functions: today's date is passed in, never read from the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Generic, TypeVar

from handlers.problems import Problem
from parsers.identifiers import Cpr, IdentifierError, mask_cpr, parse_cpr, parse_cvr

T = TypeVar("T")


@dataclass(frozen=True)
class Checked(Generic[T]):
    value: T | None
    problems: tuple[Problem, ...] = ()


def check_cpr(raw: str | None, today: date) -> Checked[Cpr]:
    if not raw:
        return Checked(None)
    try:
        cpr = parse_cpr(raw)
    except IdentifierError as exc:
        return Checked(None, (Problem("cpr", "cpr_invalid", f"CPR {mask_cpr(raw)}: {exc}",
                                      values={"cpr": mask_cpr(raw)}),))
    if cpr.birth_date > today:
        return Checked(None, (Problem(
            "cpr", "cpr_future",
            f"CPR {cpr.masked}: the birth date {cpr.birth_date.isoformat()} is in the future",
            values={"cpr": cpr.masked}),))
    if cpr.substitute:
        return Checked(cpr, (Problem(
            "cpr", "cpr_substitute",
            f"CPR {cpr.masked} is a substitute number (erstatningspersonnummer); "
            "check it against the employment", "warning", values={"cpr": cpr.masked}),))
    return Checked(cpr)


def check_cvr(raw: str | None) -> Checked[str]:
    if not raw:
        return Checked(None)
    try:
        return Checked(parse_cvr(raw))
    except IdentifierError as exc:
        return Checked(None, (Problem("cvr", "cvr_invalid", f"CVR: {exc}",
                                      values={"cvr": raw}),))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def check_period(start: date | None, end: date | None, today: date) -> tuple[Problem, ...]:
    """Start <= end, at most one month long, not starting in the future."""
    if start is None or end is None:
        return ()
    problems = []
    if start > end:
        problems.append(Problem(
            "period", "period_reversed",
            f"the period starts {start.isoformat()} after it ends {end.isoformat()}",
            values=_dates(start, end)))
    elif end >= add_months(start, 1):
        problems.append(Problem(
            "period", "period_too_long",
            f"the period {start.isoformat()} to {end.isoformat()} is longer than one month; "
            "send one claim per month", values=_dates(start, end)))
    if start > today:
        problems.append(Problem(
            "period", "period_future", f"the period starts in the future ({start.isoformat()})",
            values=_dates(start, end)))
    return tuple(problems)


def check_amount(employer_cost: Decimal | None) -> tuple[Problem, ...]:
    if employer_cost is not None and employer_cost <= 0:
        return (Problem(
            "amount", "amount_not_positive",
            f"the employer's cost comes to {employer_cost:.2f}; nothing to refund",
            values={"amount": f"{employer_cost:.2f}"}),)
    return ()


def _dates(start: date, end: date) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat()}


def period_days(start: date, end: date) -> int:
    return (end - start + timedelta(days=1)).days
