"""What the payslip reader returns: the typed result of reading one PDF."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from parsers import labels


@dataclass(frozen=True)
class Limits:
    """Work limits that keep a hostile document from holding the reader."""

    max_bytes: int = 20 * 1024 * 1024
    max_pages: int = 20
    max_words: int = 20_000


DEFAULT_LIMITS = Limits()

@dataclass(frozen=True)
class PayLine:
    """One pay line as printed, with what the reader made of it."""

    kind: str  # a component name, or employee_deduction/tax/net/total/info/unknown ...
    label: str
    amount: Decimal  # for this period, sign as printed (deductions negative)
    quantity: Decimal | None = None


@dataclass(frozen=True)
class Payslip:
    employee_name: str | None
    cpr: str | None  # the ten digits as found; validated by handlers
    employer_name: str | None
    cvr: str | None  # the eight digits as found; validated by handlers
    se_number: str | None
    period_start: date | None
    period_end: date | None
    worked_hours: Decimal | None
    sick_hours: Decimal | None
    lines: tuple[PayLine, ...]
    pages: int
    stated_employer_cost: Decimal | None = None

    @property
    def hours(self) -> Decimal | None:
        if self.worked_hours is None and self.sick_hours is None:
            return None
        return (self.worked_hours or Decimal(0)) + (self.sick_hours or Decimal(0))

    @property
    def components(self) -> dict[str, Decimal]:
        totals = {name: Decimal("0.00") for name in labels.COMPONENTS}
        for line in self.lines:
            if line.kind in totals:
                totals[line.kind] += line.amount
        return totals

    @property
    def employer_cost(self) -> Decimal:
        c = self.components
        return sum((c[k] for k in labels.EMPLOYER_COST_COMPONENTS), Decimal("0.00"))

    @property
    def has_cost_lines(self) -> bool:
        return any(line.kind in labels.COMPONENTS for line in self.lines)


@dataclass(frozen=True)
class Unreadable:
    """A document that could not be read, with a reason the sender can act on."""

    reason: str

