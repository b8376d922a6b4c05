"""The payslip checks itself: the reading against the payslip's own arithmetic.

A payslip carries its own proof. The wage lines add up to the gross it prints; AM-bidrag
is 8 % of its basis; gross less AM-bidrag, A-skat and the employee's own shares is the
net paid; holiday pay is 12.5 % (ferietillæg, særlig feriegodtgørelse 1-2 %) of a base;
the employer's ATP is twice the employee's and within the ATP table; a stated total
employer cost equals the cost items. A reading that breaks one of these is wrong
somewhere (or the payslip is), so it is never paid without a person looking.

Each check says True (reconciles), False (does not: the figures side by side in its
detail) or None (the payslip does not print what the check needs). Sums over "optional"
lines (holiday pay paid out or sent to FerieKonto, unknown lines) try each subset: the
layout cannot always say which lines reach the net, and an exact match to the øre is
not a coincidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from parsers.amounts import find_amounts
from parsers.payslip.model import Check, PayLine

ZERO = Decimal("0.00")
# Totals are printed to the øre; a net may be rounded to whole kroner.
EXACT = Decimal("0.05")
ROUNDED = Decimal("1.00")
AM_RATE = Decimal("0.08")
# Holiday pay as a share of its base: feriepenge 12.5 %, ferietillæg 1 % (alone or on
# top), særlig feriegodtgørelse 1 % (state/municipal 1.5/2/2.5 %).
HOLIDAY_RATES = (Decimal("0.125"), Decimal("0.135"), Decimal("0.01"), Decimal("0.02"),
                 Decimal("0.145"))
SPECIAL_HOLIDAY_RATES = (Decimal("0.01"), Decimal("0.015"), Decimal("0.02"), Decimal("0.025"))
# The employer's monthly ATP for an hourly paid employee never exceeds this (the full
# rate for 117+ hours a month has been under 200 kr for years); per day of the period.
MAX_EMPLOYER_ATP_PER_DAY = Decimal("200") / Decimal("30")
# ATP is due from 9 hours a week (39 a month); under that a payslip may print none.
ATP_DUE_HOURS_PER_WEEK = Decimal("9")
# An employer pension above this share of the wage is a balance, not the month's.
MAX_PENSION_SHARE = Decimal("0.25")
# Fritvalg, SH-opsparing, group life together stay well under this share of the wage;
# more is a balance or a year-to-date figure read as the month's.
MAX_OTHER_SHARE = Decimal("0.25")
MAX_SUBSET_ITEMS = 8

GROSS_LABEL_RE = re.compile(
    r"(brutto|a-indkomst|am-indkomst|lønindkomst|løn i alt|pligtig|gross|taxable)", re.I)
AM_BASIS_RE = re.compile(r"(am-indkomst|am-grundlag|am grundlag|grundlag for am|am-bidragsgrundlag|"
                         r"am-pligtig|am basis)", re.I)
HOLIDAY_BASIS_RE = re.compile(
    r"(ferieberettiget|feriepengegrundlag|feriegrundlag|ferie.*grundlag|grundlag.*ferie|"
    r"holiday.*(base|basis)|vacation.*(base|basis))", re.I)
SETTLEMENT_RE = re.compile(
    r"(fratr(?:æd|\.|\b)|afregn|saldo|settle|termination|ferieår|restferie|optjent)", re.I)
ATP_RE = re.compile(r"\batp\b", re.I)
PENSION_RE = re.compile(r"pension", re.I)


@dataclass(frozen=True)
class Figures:
    """The reading, summed the ways the checks need it."""

    salary: Decimal
    settlement: bool  # holiday pay settled at termination: its base is the past year's
    am: Decimal
    tax: Decimal
    employee_shares: Decimal
    employee_pension: Decimal
    employee_atp: Decimal
    employer_atp: Decimal
    employer_pension: Decimal
    other: Decimal
    holiday: Decimal
    special_holiday: Decimal
    optional_net: tuple[Decimal, ...]  # lines that may or may not reach the net
    gross_printed: tuple[Decimal, ...]
    gross_stated: tuple[Decimal, ...]  # the printed "Bruttoløn" itself (not A-/AM-indkomst)
    net_printed: tuple[Decimal, ...]
    am_basis_printed: tuple[Decimal, ...]
    holiday_basis_printed: tuple[Decimal, ...]

    @classmethod
    def of(cls, lines: Sequence[PayLine]) -> Figures:
        def total(kind: str, label: re.Pattern[str] | None = None) -> Decimal:
            return sum((line.amount for line in lines if line.kind == kind
                        and (label is None or label.search(line.label))), ZERO)

        def shares(label: re.Pattern[str] | None = None) -> Decimal:
            return sum((abs(line.amount) for line in lines if line.kind == "employee_deduction"
                        and (label is None or label.search(line.label))), ZERO)

        def printed(kinds: Iterable[str], label: re.Pattern[str] | None = None) -> tuple:
            return tuple(dict.fromkeys(abs(line.amount) for line in lines if line.kind in kinds
                                       and (label is None or label.search(line.label))))

        # Paid out with the wage or not (holiday pay to FerieKonto, fritvalg paid out or
        # saved, an unknown line): each may or may not be in the gross and the net.
        optional = [line.amount for line in lines if line.kind in (
            "holiday_pay", "special_holiday_allowance", "unknown")
            or (line.kind == "other" and line.amount > 0)]
        return cls(
            salary=total("salary"), am=total("am_contribution"),
            settlement=any(SETTLEMENT_RE.search(line.label) for line in lines
                           if line.kind in ("holiday_pay", "special_holiday_allowance")),
            tax=sum((abs(line.amount) for line in lines if line.kind == "tax"), ZERO),
            employee_shares=shares(), employee_pension=shares(PENSION_RE),
            employee_atp=shares(ATP_RE),
            employer_atp=total("atp"), employer_pension=total("pension"),
            other=total("other"),
            holiday=total("holiday_pay"), special_holiday=total("special_holiday_allowance"),
            optional_net=tuple(optional[:MAX_SUBSET_ITEMS]),
            gross_printed=printed(("gross_total",)) + printed(("total",), GROSS_LABEL_RE),
            gross_stated=printed(("gross_total",)),
            net_printed=printed(("net",)),
            am_basis_printed=printed(("total", "info", "gross_total"), AM_BASIS_RE),
            holiday_basis_printed=printed(("info", "total"), HOLIDAY_BASIS_RE) + tuple(
                # "Feriepenge 12,5 % af ferieberettiget løn 25.563,92": the base in the line
                value for line in lines
                if line.kind in ("holiday_pay", "special_holiday_allowance") and line.source
                for value in find_amounts(line.source.text)
                if value > 100 and value != line.amount),
        )

    @property
    def gross_candidates(self) -> tuple[Decimal, ...]:
        """What the printed gross may be: the wage lines, before or after the employee's
        pension (A-indkomst is after it) and with holiday pay paid out."""
        base = (self.salary, self.salary - self.employee_pension,
                self.salary - self.employee_pension - self.employee_atp,
                self.salary - self.employee_atp)
        # Taxable income ("A-skattepligtig indkomst", "Taxable income") is after AM-bidrag.
        base = (*base, *(b - self.am for b in base))
        return tuple(dict.fromkeys(b + extra for b in base for extra in
                                   _subset_sums(self.optional_net)))


def verify(lines: Sequence[PayLine], hours: Decimal | None, period_days: int | None,
           quantity_hours: Decimal | None, labelled_hours: Decimal | None,
           stated_employer_cost: Decimal | None, employer_cost: Decimal,
           page_lines: Sequence[str] = ()) -> tuple[Check, ...]:
    """Every check of the reading; see the module docstring. ``page_lines`` is the text
    of every printed line, for the check that no cost item shown went unread."""
    f = Figures.of(lines)
    return (
        _gross(f), _net(f), _am(f), _holiday(f), _special_holiday(f),
        _atp(f, hours, period_days), _pension(f), _other(f),
        _hours(quantity_hours, labelled_hours),
        _stated_cost(stated_employer_cost, employer_cost),
        _unread(f, page_lines),
    )


# A printed line that shows money for an employer cost item: the item, by its words.
_ITEM_WORDS = (
    ("special_holiday_allowance", re.compile(r"(særlig feriegodtg|særl\.? feriegodtg|"
                                             r"special holiday)", re.I)),
    ("holiday_pay", re.compile(r"(feriepenge|feriegodtgørelse|holiday pay|vacation pay)(?!"
                               r"\w*(berettiget|grundlag))", re.I)),
    ("pension", re.compile(r"pension\w*\b.*(arbejdsgiver|arb\.?\s?giv|firma|employer)|"
                           r"(arbejdsgiver|firma|employer)\w*\s.*pension", re.I)),
    ("atp", re.compile(r"\batp\b.*(arbejdsgiver|arb\.?\s?giv|firma|employer)|"
                       r"(arbejdsgiver|firma|employer)\w*\s.*\batp\b", re.I)),
    ("other", re.compile(r"(fritvalg|sh-opsparing|søgnehelligdag|gruppeliv|"
                         r"sundhedsforsikring|group life|health insurance)", re.I)),
)
# Balances and what was earned towards later holidays are not this period's cost.
_NOT_THIS_PERIOD_RE = re.compile(
    r"(år til dato|\bytd\b|year to date|akkumuleret|\bsaldo|optjent|earned|hidtil|i år\b)",
    re.I)
_MONEY_RE = re.compile(r"(?<![\d.,])\d{1,3}(?:[.,  ]\d{3})*[.,]\d{2}\b")
_NONZERO_MONEY_RE = re.compile(r"(?<![\d.,])(?!0+[.,]00\b)\d{1,3}(?:[.,  ]\d{3})*[.,]\d{2}\b")


def _unread(f: Figures, page_lines: Sequence[str]) -> Check:
    """An employer cost item the payslip prints money for, that the reading has none of:
    the cost would be paid short (feriepenge in an information box, the employer's
    pension beside the table). A person looks."""
    read = {"holiday_pay": f.holiday, "special_holiday_allowance": f.special_holiday,
            "pension": f.employer_pension, "atp": f.employer_atp,
            # an "other" item the employee pays (a share withheld) was read as such
            "other": f.other + f.employee_shares}
    for text in page_lines:
        if _NOT_THIS_PERIOD_RE.search(text):
            continue
        for item, words in _ITEM_WORDS:
            m = words.search(text)
            if not m:
                continue
            # The money the item shows is the first amount after its words ("ATP-bidrag
            # arbejdsgiver 0,00  Timer i perioden 37,25" shows no ATP). A label with no
            # amount on its line ("Holiday pay 12.5%" wrapped above its figure) may have
            # its money on the next line: it counts unless it says 0,00.
            amount = _MONEY_RE.search(text, m.start())
            shown = amount is None or bool(_NONZERO_MONEY_RE.fullmatch(amount.group()))
            if read[item] == 0 and shown:
                return Check("unread_items", False,
                             f"the payslip shows {item.replace('_', ' ')} that was not read: "
                             f"{text.strip()[:120]!r}", {"item": item})
            break  # the first item a line names is the one it shows
    return Check("unread_items", True if page_lines else None,
                 "every employer cost item the payslip shows was read")


def _gross(f: Figures) -> Check:
    if not f.gross_printed:
        return Check("gross", None, "the payslip prints no gross (Bruttoløn / A-indkomst)")
    if f.salary == 0:
        return Check("gross", False, f"no wage lines were read; the payslip prints a gross of "
                                     f"{_kr(f.gross_printed[0])}",
                     {"computed": _v(ZERO), "printed": _v(f.gross_printed[0])})
    # Every "Bruttoløn" / "Gross pay" the payslip prints must be this reading's: one
    # that matches nothing (the month's gross box beside a year-to-date wage read as
    # the month's) means a figure was taken from the wrong place.
    unexplained = [g for g in f.gross_stated if not _any_close([g], f.gross_candidates, EXACT)]
    if unexplained:
        return Check("gross", False, f"the wage lines add up to {_kr(f.salary)}; the payslip "
                                     f"prints {_kr_list(unexplained)} as gross",
                     {"computed": _v(f.salary), "printed": _v(unexplained[0])})
    if _any_close(f.gross_printed, f.gross_candidates, EXACT):
        return Check("gross", True, f"wage lines {_kr(f.salary)} match the printed gross")
    return Check("gross", False, f"the wage lines add up to {_kr(f.salary)}; the payslip "
                                 f"prints {_kr_list(f.gross_printed)} as gross",
                 {"computed": _v(f.salary), "printed": _v(f.gross_printed[0])})


def _net(f: Figures) -> Check:
    if not f.net_printed:
        return Check("net", None, "the payslip prints no net (Til udbetaling / Net pay)")
    deducted = f.am + f.tax + f.employee_shares
    candidates = [f.salary - deducted + extra for extra in _subset_sums(f.optional_net)]
    if _any_close(f.net_printed, candidates, ROUNDED):
        return Check("net", True, f"{_kr(f.salary)} less AM-bidrag {_kr(f.am)}, A-skat "
                                  f"{_kr(f.tax)} and own shares {_kr(f.employee_shares)} "
                                  f"gives the printed net")
    return Check("net", False, f"{_kr(f.salary)} less AM-bidrag {_kr(f.am)}, A-skat "
                               f"{_kr(f.tax)} and own shares {_kr(f.employee_shares)} gives "
                               f"{_kr(candidates[0])}; the payslip prints "
                               f"{_kr_list(f.net_printed)} as net",
                 {"computed": _v(candidates[0]), "printed": _v(f.net_printed[0])})


def _am(f: Figures) -> Check:
    if f.am == 0:
        return Check("am_contribution", None, "no AM-bidrag read")
    bases = (*f.am_basis_printed, *f.gross_printed, *f.gross_candidates)
    if any(abs(f.am - AM_RATE * b) <= ROUNDED for b in bases):
        return Check("am_contribution", True, f"AM-bidrag {_kr(f.am)} is 8 % of its basis")
    basis = f.am_basis_printed[0] if f.am_basis_printed else f.salary
    return Check("am_contribution", False,
                 f"AM-bidrag {_kr(f.am)} is not 8 % of the basis: 8 % of {_kr(basis)} is "
                 f"{_kr(AM_RATE * basis)}",
                 {"am": _v(f.am), "basis": _v(basis), "expected": _v(AM_RATE * basis)})


def _rate_check(name: str, amount: Decimal, rates: tuple[Decimal, ...], f: Figures,
                what: str) -> Check:
    if amount == 0:
        return Check(name, None, f"no {what} read")
    # A final payslip may settle the past year (on a printed base) beside this month's.
    bases = (*f.holiday_basis_printed, f.salary, *f.gross_printed, *f.gross_candidates,
             *(b + f.salary for b in f.holiday_basis_printed))
    if any(abs(amount - rate * b) <= ROUNDED for rate in rates for b in bases):
        return Check(name, True, f"{what} {_kr(amount)} is the usual rate of its base")
    if f.settlement and not f.holiday_basis_printed:
        return Check(name, None, f"{what} {_kr(amount)} is settled for past months and its "
                                 "base is not printed")
    basis = f.holiday_basis_printed[0] if f.holiday_basis_printed else f.salary
    shown = ", ".join(f"{rate * 100:g} %" for rate in rates)
    return Check(name, False, f"{what} {_kr(amount)} is none of {shown} of its base "
                              f"{_kr(basis)}", {"amount": _v(amount), "basis": _v(basis)})


def _holiday(f: Figures) -> Check:
    return _rate_check("holiday_pay", f.holiday, HOLIDAY_RATES, f, "holiday pay")


def _special_holiday(f: Figures) -> Check:
    return _rate_check("special_holiday_allowance", f.special_holiday, SPECIAL_HOLIDAY_RATES,
                       f, "særlig feriegodtgørelse")


def _atp(f: Figures, hours: Decimal | None, period_days: int | None) -> Check:
    if f.employer_atp > 0 and f.employee_atp > 0:
        if abs(f.employer_atp - 2 * f.employee_atp) <= EXACT:
            return Check("atp", True, f"employer ATP {_kr(f.employer_atp)} is twice the "
                                      f"employee's {_kr(f.employee_atp)}")
        return Check("atp", False, f"employer ATP {_kr(f.employer_atp)} is not twice the "
                                   f"employee's {_kr(f.employee_atp)}", _atp_values(f, None))
    if f.employer_atp > 0:
        days = Decimal(period_days or 31)
        limit = (MAX_EMPLOYER_ATP_PER_DAY * days).quantize(Decimal("0.01"))
        if f.employer_atp <= limit:
            return Check("atp", True, f"employer ATP {_kr(f.employer_atp)} is within the "
                                      f"ATP table")
        return Check("atp", False, f"employer ATP {_kr(f.employer_atp)} is more than any "
                                   f"ATP for {period_days} days ({_kr(limit)})",
                     _atp_values(f, hours))
    if f.employee_atp > 0:
        return Check("atp", False, f"the employee's ATP {_kr(f.employee_atp)} was read but "
                                   "no employer ATP", _atp_values(f, hours))
    if hours and period_days and hours >= _atp_due_hours(period_days):
        return Check("atp", False, f"ATP is due for {hours} hours in {period_days} days but "
                                   "no employer ATP was read", _atp_values(f, hours))
    return Check("atp", None, "no ATP read, and none is due for the hours")


def _atp_due_hours(period_days: int) -> Decimal:
    """The fewest hours in a pay period for which ATP is due: the ATP table's lowest band
    (39 a month, 18 a fortnight, 9 a week)."""
    if period_days >= 27:
        return Decimal(39)
    if period_days >= 13:
        return Decimal(18)
    return ATP_DUE_HOURS_PER_WEEK * period_days / 7


def _pension(f: Figures) -> Check:
    if f.employer_pension == 0:
        if f.employee_pension > 0:
            return Check("pension", False, f"the employee's pension {_kr(f.employee_pension)}"
                                           " was read but no employer pension", _pension_values(f))
        return Check("pension", None, "no pension read")
    if f.salary > 0 and f.employer_pension <= MAX_PENSION_SHARE * f.salary:
        return Check("pension", True, f"employer pension {_kr(f.employer_pension)} is a "
                                      "plausible share of the wage")
    return Check("pension", False, f"employer pension {_kr(f.employer_pension)} is more than "
                                   f"{MAX_PENSION_SHARE:.0%} of the wage {_kr(f.salary)}",
                 _pension_values(f))


def _other(f: Figures) -> Check:
    if f.other == 0:
        return Check("other", None, "no other cost items read")
    if f.salary > 0 and f.other <= MAX_OTHER_SHARE * f.salary:
        return Check("other", True, f"other cost items {_kr(f.other)} are a plausible share "
                                    "of the wage")
    return Check("other", False, f"other cost items {_kr(f.other)} are more than "
                                 f"{MAX_OTHER_SHARE:.0%} of the wage {_kr(f.salary)}",
                 {"amount": _v(f.other), "salary": _v(f.salary)})


def _hours(quantity_hours: Decimal | None, labelled_hours: Decimal | None) -> Check:
    if quantity_hours is None or labelled_hours is None:
        return Check("hours", None, "the hours are printed once only")
    if abs(quantity_hours - labelled_hours) <= Decimal("0.01"):
        return Check("hours", True, "the hours box matches the wage lines' hours")
    return Check("hours", False, f"the hours box says {labelled_hours}, the wage lines "
                                 f"{quantity_hours}",
                 {"labelled": _v(labelled_hours), "lines": _v(quantity_hours)})


def _stated_cost(stated: Decimal | None, cost: Decimal) -> Check:
    if stated is None:
        return Check("employer_cost", None, "the payslip prints no total employer cost")
    if abs(stated - cost) <= ROUNDED:
        return Check("employer_cost", True, "the cost items match the printed employer cost")
    return Check("employer_cost", False, f"the cost items add up to {_kr(cost)}; the payslip "
                                         f"prints an employer cost of {_kr(stated)}",
                 {"sum": _v(cost), "stated": _v(stated)})


def _atp_values(f: Figures, hours: Decimal | None) -> dict[str, str]:
    return {"employer": _v(f.employer_atp), "employee": _v(f.employee_atp),
            "hours": "?" if hours is None else f"{hours:g}"}


def _pension_values(f: Figures) -> dict[str, str]:
    return {"employer": _v(f.employer_pension), "employee": _v(f.employee_pension),
            "salary": _v(f.salary)}


def _v(value: Decimal) -> str:
    return f"{value:.2f}"


def _subset_sums(values: Sequence[Decimal]) -> list[Decimal]:
    """Every sum of a subset of ``values`` (the empty one first)."""
    sums = [ZERO]
    for size in range(1, len(values) + 1):
        sums.extend(sum(c, ZERO) for c in combinations(values, size))
    return list(dict.fromkeys(sums))


def _any_close(printed: Iterable[Decimal], computed: Iterable[Decimal],
               tolerance: Decimal) -> bool:
    computed = list(computed)
    return any(abs(p - c) <= tolerance for p in printed for c in computed)


def _kr(value: Decimal) -> str:
    return f"{value:,.2f} kr".replace(",", "\u00a0").replace(".", ",").replace("\u00a0", ".")


def _kr_list(values: Sequence[Decimal]) -> str:
    return " / ".join(_kr(v) for v in values)
