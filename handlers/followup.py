"""Follow-up that runs by itself ("løbende opfølgning"): what is due on a given day.

Pure: the facts of the register and the claims in, the reminders due out. Each reminder
has a key that names what it is about and for which month or mark, so sending is
idempotent: the shell queues a reminder under its key once, whatever runs it how
often, where (several instances) or after which restart.

- To the workplace: the payslip for last month has not arrived by day N of the month.
- To the consultants: an employment ends within N days; sick days reach 20 and 30 in
  an employment; no claim for two months in a row; the pool has room again for the
  first intake in the queue (first come, first served).
- To the economy group: last month's summary (claims paid and held), without CPR.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from handlers.i18n import render
from handlers.job_texts import hours
from handlers.locale.followup import FOLLOWUP
from handlers.review import sick_days
from handlers.summary import day, kr
from handlers.texts import Language

Recipient = Literal["workplace", "consultants", "economy"]


@dataclass(frozen=True)
class FollowupRules:
    """When each reminder is due ([followup] in the config)."""

    payslip_reminder_day: int = 10  # remind a workplace of last month's payslip from this day
    ending_within_days: int = 30
    sick_day_marks: tuple[int, ...] = (20, 30)
    no_claim_months: int = 2
    economy_summary_day: int = 5


@dataclass(frozen=True)
class EmploymentFacts:
    id: int
    workplace: str
    employee_name: str
    cpr_masked: str
    hours_per_week: Decimal
    start: date
    last_day: date
    active: bool
    contact: str | None  # the address the workplace claims from, if known
    claimed: tuple[tuple[date, date], ...]  # periods of its claims (any status but invalid)
    sick_hours: Decimal  # in validated and held claims


@dataclass(frozen=True)
class QueuedIntake:
    id: int
    workplace: str
    hours_per_week: Decimal


@dataclass(frozen=True)
class MonthFacts:
    """Last month's claims, for the economy group (no CPR numbers)."""

    month: date  # the first day
    validated: int
    validated_amount: Decimal
    held: int  # still needs_review
    incomplete: int


@dataclass(frozen=True)
class Reminder:
    key: str  # unique per thing and month/mark: the idempotency key
    kind: str
    recipient: Recipient
    address: str | None  # for the workplace; None for the jobcenter's own groups
    subject: str
    body: str


def month_start(day_: date) -> date:
    return day_.replace(day=1)


def previous_month(day_: date, months: int = 1) -> date:
    """The first day of the month ``months`` before ``day_``'s."""
    year, month = day_.year, day_.month - months
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def month_end(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def due(
    today: date, employments: list[EmploymentFacts], queue: list[QueuedIntake],
    pool_left: Decimal, last_month: MonthFacts | None, rules: FollowupRules = FollowupRules(),
    lang: Language = "da",
) -> list[Reminder]:
    """Every reminder due on ``today`` (sent or not: the shell skips known keys)."""
    out: list[Reminder] = []
    for facts in employments:
        out += _missing_payslip(today, facts, rules, lang)
        out += _ending(today, facts, rules, lang)
        out += _sick(facts, rules, lang)
        out += _no_claims(today, facts, rules, lang)
    out += _pool_room(queue, pool_left, lang)
    if last_month is not None and today.day >= rules.economy_summary_day:
        out.append(_economy(last_month, lang))
    return out


def _claimed_in(facts: EmploymentFacts, first: date) -> bool:
    last = month_end(first)
    return any(start <= last and first <= end for start, end in facts.claimed)


def _worked_in(facts: EmploymentFacts, first: date) -> bool:
    return facts.start <= month_end(first) and first <= facts.last_day


def _first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


def _say(key: str, lang: Language, **values: object) -> str:
    """A text of the follow-up section of the catalogue (handlers.locale.followup)."""
    return render(FOLLOWUP, key, lang, **values)


def _missing_payslip(today: date, facts: EmploymentFacts, rules: FollowupRules,
                     lang: Language) -> list[Reminder]:
    first = previous_month(today)
    if today.day < rules.payslip_reminder_day or not facts.contact \
            or not _worked_in(facts, first) or _claimed_in(facts, first):
        return []
    period = f"{day(first, lang)} - {day(min(month_end(first), facts.last_day), lang)}"
    who = f"{_first_name(facts.employee_name)} ({facts.cpr_masked})"
    subject = _say("missing_payslip.subject", lang, who=who)
    body = _say("missing_payslip.body", lang, who=who, period=period,
                workplace=facts.workplace)
    return [Reminder(f"missing_payslip:{facts.id}:{first:%Y-%m}", "missing_payslip",
                     "workplace", facts.contact, subject, body)]


def _ending(today: date, facts: EmploymentFacts, rules: FollowupRules,
            lang: Language) -> list[Reminder]:
    left = (facts.last_day - today).days
    if not facts.active or not 0 <= left <= rules.ending_within_days:
        return []
    who = _say("ending.who", lang, name=facts.employee_name, cpr=facts.cpr_masked,
               workplace=facts.workplace)
    last_day = day(facts.last_day, lang)
    subject = _say("ending.subject", lang, last_day=last_day, who=who)
    body = _say("ending.body", lang, who=who, last_day=last_day, left=left)
    return [Reminder(f"ending:{facts.id}:{facts.last_day.isoformat()}", "employment_ending",
                     "consultants", None, subject, body)]


def _sick(facts: EmploymentFacts, rules: FollowupRules, lang: Language) -> list[Reminder]:
    days = sick_days(facts.sick_hours, facts.hours_per_week)
    out = []
    for mark in rules.sick_day_marks:
        if days < mark:
            continue
        who = f"{facts.employee_name} ({facts.cpr_masked}), {facts.workplace}"
        subject = _say("sick.subject", lang, days=days, who=who)
        body = _say("sick.body", lang, who=who, days=days, mark=mark)
        out.append(Reminder(f"sick:{facts.id}:{mark}", "sick_days", "consultants", None,
                            subject, body))
    return out


def _no_claims(today: date, facts: EmploymentFacts, rules: FollowupRules,
               lang: Language) -> list[Reminder]:
    months = [previous_month(today, n) for n in range(1, rules.no_claim_months + 1)]
    if today.day < rules.payslip_reminder_day or not facts.active:
        return []
    if not all(facts.start <= m and month_end(m) <= facts.last_day for m in months):
        return []  # only months the employment covered whole
    if any(_claimed_in(facts, m) for m in months):
        return []
    who = f"{facts.employee_name} ({facts.cpr_masked}), {facts.workplace}"
    shown = ", ".join(f"{m:%m.%Y}" for m in reversed(months))
    subject = _say("no_claims.subject", lang, months=len(months), who=who)
    body = _say("no_claims.body", lang, who=who, shown=shown)
    return [Reminder(f"no_claims:{facts.id}:{months[0]:%Y-%m}", "no_claims", "consultants",
                     None, subject, body)]


def _pool_room(queue: list[QueuedIntake], pool_left: Decimal,
               lang: Language) -> list[Reminder]:
    if not queue:
        return []
    first = queue[0]  # first come, first served: only the first in the queue is told
    if first.hours_per_week > pool_left:
        return []
    subject = _say("pool_room.subject", lang, id=first.id, workplace=first.workplace)
    body = _say("pool_room.body", lang, pool_left=hours(pool_left, lang), id=first.id,
                workplace=first.workplace, hours=hours(first.hours_per_week, lang))
    return [Reminder(f"pool_room:{first.id}", "pool_room", "consultants", None, subject, body)]


def _economy(facts: MonthFacts, lang: Language) -> Reminder:
    month, amount = f"{facts.month:%m.%Y}", kr(facts.validated_amount, lang)
    subject = _say("economy.subject", lang, month=month, validated=facts.validated,
                   amount=amount)
    body = _say("economy.body", lang, month=month, validated=facts.validated, amount=amount,
                held=facts.held, incomplete=facts.incomplete,
                export_month=f"{facts.month:%Y-%m}")
    return Reminder(f"economy_month:{facts.month:%Y-%m}", "economy_month", "economy", None,
                    subject, body)
