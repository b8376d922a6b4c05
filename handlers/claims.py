"""A claim e-mail -> claims with a status, what is missing and what is wrong.

One claim per payslip. Fields written in the e-mail body fill gaps in a single
payslip and are cross-checked against it: a mismatch is a problem, never silently
resolved. Pure: the payslips are read by the caller (who may time-limit that) and
passed in with today's date.

Statuses (per claim, and the worst of them for the message):
- ``complete``   everything required is present and valid;
- ``incomplete`` something required is missing (``missing`` lists it);
- ``invalid``    something present is wrong (``problems`` say what and why);
- ``not_a_claim`` no payslip and no claim fields at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from handlers import refund, validation
from handlers.problems import Problem
from handlers.scheme import DEFAULT_SCHEME, Scheme
from parsers.claim_text import ClaimText
from parsers.identifiers import Cpr, mask_cpr
from parsers.labels import COMPONENTS
from parsers.payslip import Payslip, Unreadable

Status = Literal["complete", "incomplete", "invalid", "not_a_claim"]
STATUS_ORDER: tuple[Status, ...] = ("complete", "incomplete", "invalid")

# Required fields in the order a reply lists them (seed: "Hvad skal du som arbejdsgiver indsende?").
REQUIRED = (
    "employee_name", "cpr", "employer_name", "cvr", "period", "amount", "hours", "claimed",
)
# Amounts within this of each other are the same (rounding on the payslip).
AMOUNT_TOLERANCE = Decimal("1.00")


@dataclass(frozen=True)
class PdfResult:
    filename: str
    result: Payslip | Unreadable


@dataclass
class Claim:
    """One claim: the fields as finally read, and the verdict on them."""

    source: str  # the payslip's filename, or "body" for a claim without a payslip
    # Which of the PDFs passed to ``evaluate`` this claim was read from (None: the body).
    # Filenames repeat ("Lønseddel.pdf" twice, or none at all); the position does not.
    position: int | None = None
    employee_name: str | None = None
    cpr: Cpr | None = None
    cpr_raw: str | None = None
    employer_name: str | None = None
    cvr: str | None = None
    period_start: date | None = None
    period_end: date | None = None
    hours: Decimal | None = None
    components: dict[str, Decimal] = field(
        default_factory=lambda: {k: Decimal("0.00") for k in COMPONENTS})
    employer_cost: Decimal | None = None
    claimed: tuple[str, ...] = ()
    stated_amount: Decimal | None = None
    refund: refund.Refund | None = None
    missing: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    payslip: Payslip | None = None

    @property
    def has_payslip(self) -> bool:
        return self.payslip is not None

    @property
    def status(self) -> Status:
        if any(p.severity == "error" for p in self.problems):
            return "invalid"
        return "incomplete" if self.missing else "complete"

    @property
    def refundable_amount(self) -> Decimal | None:
        return self.refund.amount if self.refund else None

    @property
    def capped(self) -> bool:
        return bool(self.refund and self.refund.capped)


@dataclass
class Evaluation:
    claims: list[Claim]
    missing: list[str]
    problems: list[Problem]

    @property
    def status(self) -> Status:
        if not self.claims:
            return "not_a_claim"
        return max((c.status for c in self.claims), key=STATUS_ORDER.index)


def evaluate(
    pdfs: list[PdfResult], text: ClaimText, today: date, scheme: Scheme = DEFAULT_SCHEME
) -> Evaluation:
    """Judge a claim e-mail: its payslips (already read) and its body fields."""
    problems: list[Problem] = []
    payslips: list[tuple[str, Payslip, int]] = []
    for position, pdf in enumerate(pdfs):
        if _is_no_page(pdf):
            continue  # a logo or signature image: nothing to read, nothing to tell
        if isinstance(pdf.result, Unreadable):
            problems.append(Problem(
                "payslip", "payslip_unreadable",
                f"the attachment {pdf.filename!r} could not be read: {pdf.result.reason}",
                "warning", values={"filename": pdf.filename, "reason": pdf.result.reason,
                                   "reason_code": pdf.result.code}))
        elif _looks_like_payslip(pdf.result):
            payslips.append((pdf.filename, pdf.result, position))
        else:
            problems.append(Problem(
                "payslip", "not_a_payslip",
                f"the attachment {pdf.filename!r} does not look like a payslip", "warning",
                values={"filename": pdf.filename}))
    if not payslips and not text.has_claim_fields \
            and not [pdf for pdf in pdfs if not _is_no_page(pdf)]:
        return Evaluation([], [], problems)
    if len(payslips) == 1:
        name, slip, position = payslips[0]
        claims = [_claim(name, slip, text, today, scheme, cross_check=True, position=position)]
    elif payslips:
        # Several payslips: the body cannot say which one its name or CPR belongs to,
        # so it only tells what is claimed.
        claims = [_claim(name, slip, text, today, scheme, cross_check=False, position=position)
                  for name, slip, position in payslips]
    else:
        claims = [_claim("body", None, text, today, scheme, cross_check=False)]
    missing = sorted({m for c in claims for m in c.missing}, key=_required_rank)
    return Evaluation(claims, missing, problems)


def _is_no_page(pdf: PdfResult) -> bool:
    return isinstance(pdf.result, Unreadable) and pdf.result.code == "not_a_page"


def _required_rank(name: str) -> int:
    order = (*REQUIRED, "payslip")
    return order.index(name) if name in order else len(order)


def _looks_like_payslip(slip: Payslip) -> bool:
    return bool(slip.has_cost_lines or slip.cpr or slip.period_start)


def _claim(
    source: str, slip: Payslip | None, text: ClaimText, today: date, scheme: Scheme,
    cross_check: bool, position: int | None = None,
) -> Claim:
    claim = Claim(source=source, position=position, payslip=slip, claimed=text.claimed,
                  stated_amount=text.amount)
    if slip is not None:
        _take_payslip(claim, slip, text if cross_check else None)
    else:
        _take_body(claim, text)
        claim.missing.append("payslip")
    _validate(claim, today)
    if slip is not None:
        implausible = plausibility_problem(claim.employer_cost, claim.hours,
                                           scheme.min_cost_per_hour, scheme.max_cost_per_hour)
        if implausible:
            claim.problems.append(implausible)
    _compute_refund(claim, scheme)
    return claim


def _take_payslip(claim: Claim, slip: Payslip, text: ClaimText | None) -> None:
    _take_body(claim, slip)
    claim.components = slip.components
    claim.employer_cost = refund.money(slip.employer_cost) if slip.has_cost_lines else None
    if slip.has_cost_lines:
        claim.problems.extend(reading_problems(slip))
    if text is not None:
        _fill_and_cross_check(claim, text)


def _take_body(claim: Claim, text: ClaimText | Payslip) -> None:
    """Who, where, when and how many hours: the fields a payslip and a body both state."""
    claim.employee_name = text.employee_name
    claim.cpr_raw = text.cpr
    claim.employer_name = text.employer_name
    claim.cvr = text.cvr
    claim.period_start, claim.period_end = text.period_start, text.period_end
    claim.hours = text.hours


def reading_problems(slip: Payslip) -> list[Problem]:
    """A person must look before paying from a reading the payslip's own arithmetic does
    not confirm: one problem per failed check (the figures side by side), or one saying
    that nothing could be checked."""
    failed = slip.failed_checks
    problems = [Problem("amount", f"check_{c.check}", f"check {c.check} failed: {c.detail}",
                        "review", values=dict(c.values)) for c in failed]
    if not failed and not slip.verified:
        problems.append(Problem(
            "amount", "not_verified",
            "the reading could not be checked: the payslip prints no gross or net that the "
            "wage lines could be reconciled with", "review"))
    return problems


def plausibility_problem(cost: Decimal | None, hours: Decimal | None,
                         low: Decimal, high: Decimal) -> Problem | None:
    """The employer's cost per hour outside a plausible range: a misread amount or hours
    (a rate read as the amount, year-to-date hours) more often than a real wage."""
    if cost is None or not hours or hours <= 0:
        return None
    per_hour = (cost / hours).quantize(Decimal("0.01"))
    if low <= per_hour <= high:
        return None
    return Problem(
        "amount", "implausible_cost_per_hour",
        f"the employer cost {cost:.2f} for {hours:g} hours is {per_hour:.2f} per hour, outside "
        f"the plausible {low:g}-{high:g}", "review",
        values={"cost": f"{cost:.2f}", "hours": f"{hours:g}", "per_hour": f"{per_hour:.2f}",
                "low": f"{low:g}", "high": f"{high:g}"})


def _same_name(a: str, b: str) -> bool:
    def words(s: str) -> set[str]:
        return set(re.findall(r"[^\W\d_]+", s.casefold()))
    wa, wb = words(a), words(b)
    return bool(wa and wb) and (wa <= wb or wb <= wa)


def _fill_and_cross_check(claim: Claim, text: ClaimText) -> None:
    """Body fields fill what the payslip lacks; where both have a value they must agree."""
    pairs = [
        ("employee_name", text.employee_name, _same_name),
        ("cpr_raw", text.cpr, lambda a, b: a == b),
        ("employer_name", text.employer_name, _same_name),
        ("cvr", text.cvr, lambda a, b: a == b),
        ("hours", text.hours, lambda a, b: abs(a - b) <= Decimal("0.01")),
    ]
    for attr, body_value, same in pairs:
        if body_value is None:
            continue
        slip_value = getattr(claim, attr)
        if slip_value is None:
            setattr(claim, attr, body_value)
        elif not same(slip_value, body_value):
            _mismatch(claim, "cpr" if attr == "cpr_raw" else attr,
                      _shown(attr, body_value), _shown(attr, slip_value))
    _fill_and_cross_check_period(claim, text)


def _fill_and_cross_check_period(claim: Claim, text: ClaimText) -> None:
    """The period is one fact: a disagreement on start, end or both is one problem that
    shows both periods whole, so the sender sees at once which one is right."""
    slip = (claim.period_start, claim.period_end)
    mail = (text.period_start, text.period_end)
    claim.period_start = claim.period_start or text.period_start
    claim.period_end = claim.period_end or text.period_end
    if any(m is not None and s is not None and m != s for m, s in zip(mail, slip, strict=True)):
        _mismatch(claim, "period", _shown_period(*mail), _shown_period(*slip))


def _shown_period(start: date | None, end: date | None) -> str:
    return f"{start.isoformat() if start else '?'} - {end.isoformat() if end else '?'}"


def _mismatch(claim: Claim, name: str, shown_mail: str, shown_slip: str) -> None:
    claim.problems.append(Problem(
        name, "mismatch",
        f"the e-mail and the payslip disagree on {name.replace('_', ' ')}: "
        f"{shown_mail} in the e-mail, {shown_slip} on the payslip",
        values={"mail": shown_mail, "payslip": shown_slip}))


def _shown(attr: str, value: object) -> str:
    if attr == "cpr_raw":
        return mask_cpr(str(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _validate(claim: Claim, today: date) -> None:
    cpr = validation.check_cpr(claim.cpr_raw, today)
    claim.cpr = cpr.value
    claim.problems.extend(cpr.problems)
    cvr = validation.check_cvr(claim.cvr)
    claim.cvr = cvr.value if cvr.value else claim.cvr
    claim.problems.extend(cvr.problems)
    claim.problems.extend(validation.check_period(claim.period_start, claim.period_end, today))
    claim.problems.extend(validation.check_amount(claim.employer_cost))
    present = {
        "employee_name": claim.employee_name,
        "cpr": claim.cpr_raw,
        "employer_name": claim.employer_name,
        "cvr": claim.cvr,
        "period": claim.period_start and claim.period_end,
        "amount": claim.employer_cost if claim.has_payslip else claim.stated_amount,
        "hours": claim.hours,
        "claimed": claim.claimed,
    }
    claim.missing = [name for name in REQUIRED if not present[name]] + claim.missing


def _compute_refund(claim: Claim, scheme: Scheme) -> None:
    if claim.status == "invalid" or not claim.has_payslip or claim.hours is None \
            or claim.period_start is None or claim.period_end is None or not claim.claimed:
        return
    days = validation.period_days(claim.period_start, claim.period_end)
    cost = refund.claimed_cost(claim.components, claim.claimed)
    claim.refund = refund.compute(cost, claim.hours, days, scheme.max_hours)
    stated = claim.stated_amount
    if stated is not None and all(
        abs(stated - known) > AMOUNT_TOLERANCE
        for known in (claim.refund.amount, claim.refund.employer_cost, claim.employer_cost)
        if known is not None
    ):
        claim.problems.append(Problem(
            "amount", "mismatch",
            f"the e-mail claims {stated:.2f} but the payslip's refundable amount is "
            f"{claim.refund.amount:.2f} (employer cost {claim.refund.employer_cost:.2f})",
            values={"mail": f"{stated:.2f}", "payslip": f"{claim.refund.amount:.2f}"}))
