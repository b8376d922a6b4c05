"""The refundable amount (refusionsberettiget beløb) and the hours cap.

The municipality refunds the full wage cost for at most ``hours_per_week`` hours a
week (the scheme's ``max_hours``, 10 by default, or what the employment was approved
for). For a period of D days the
cap is ``hours_per_week * D / 7`` hours; a payslip with more hours is refunded pro
rata: ``employer_cost * cap / hours``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from handlers.scheme import DEFAULT_SCHEME
from parsers.labels import EMPLOYER_COST_COMPONENTS

CENT = Decimal("0.01")
MAX_HOURS_PER_WEEK = DEFAULT_SCHEME.max_hours  # only the default; the config's is passed in


@dataclass(frozen=True)
class Refund:
    employer_cost: Decimal  # of the cost items claimed
    cap_hours: Decimal
    hours: Decimal
    capped: bool
    amount: Decimal


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def hours_cap(days: int, hours_per_week: Decimal = MAX_HOURS_PER_WEEK) -> Decimal:
    return money(Decimal(hours_per_week) * days / 7)


def claimed_cost(components: dict[str, Decimal], claimed: tuple[str, ...]) -> Decimal:
    """The employer's cost of the items the workplace asks to have covered.

    AM-bidrag is withheld from the gross wage, so claiming it adds nothing on top.
    """
    kinds = [k for k in EMPLOYER_COST_COMPONENTS if k in claimed]
    return money(sum((components.get(k, Decimal(0)) for k in kinds), Decimal(0)))


def compute(
    cost: Decimal, hours: Decimal, days: int, hours_per_week: Decimal = MAX_HOURS_PER_WEEK
) -> Refund:
    cap = hours_cap(days, hours_per_week)
    capped = hours > cap
    amount = money(cost * cap / hours) if capped and hours > 0 else money(cost)
    return Refund(employer_cost=money(cost), cap_hours=cap, hours=hours, capped=capped,
                  amount=amount)
