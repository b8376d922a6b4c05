"""What a person may decide about a claim, and what follows. Pure rules over plain data.

The use cases (the command line and the web desk call the same ones, through
``assistant.decisions``):

- **approve** a claim held for review (``needs_review`` -> ``validated``): the economy
  group gets the summary with the payslip, as for a claim validated automatically;
- **reject** a claim with a reason (-> ``rejected``): the sender is told, in their
  language;
- **correct** a field a person read differently on the payslip: the claim is judged
  again (validation, refund, the register review); a claim that was held stays held
  until someone approves it, so a correction never pays by itself;
- **mark paid** a validated claim (-> ``paid``), the economy group's step.

Every decision is written to the audit log by the shell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from handlers import refund, validation
from handlers.claims import REQUIRED, Claim, plausibility_problem
from handlers.problems import Problem
from handlers.scheme import DEFAULT_SCHEME, Scheme
from handlers.texts import REJECTION_HEAD, REJECTION_TAIL, SIGNATURE, Language, reply_subject
from parsers.dates import parse_period
from parsers.identifiers import mask_cpr, mask_cprs
from parsers.labels import COMPONENTS, EMPLOYER_COST_COMPONENTS
from parsers.payslip import Payslip

# Claim statuses after a person's decision (beside those of handlers.claims/review).
REJECTED = "rejected"
PAID = "paid"
REJECTABLE = ("needs_review", "incomplete", "invalid", "complete")
IDENTITY_FIELDS = ("employee_name", "cpr", "employer_name", "cvr", "period", "hours")
CORRECTABLE = (*IDENTITY_FIELDS, *COMPONENTS)
# Problems about how the payslip was read: they stay after a correction (the payslip
# still says what it says); everything else is judged again.
_READING_CODES = re.compile(r"^(check_\w+|not_verified)$")
MAX_REASON = 2000


class DecisionError(ValueError):
    """A decision that cannot be made; the message says why and what to do instead."""


@dataclass(frozen=True)
class ClaimFacts:
    """A stored claim as plain data: what the rules need to judge it again."""

    reference: str
    status: str
    source: str
    employee_name: str | None
    cpr: str | None  # ten digits
    employer_name: str | None
    cvr: str | None
    period_start: date | None
    period_end: date | None
    hours: Decimal | None
    sick_hours: Decimal | None
    components: dict[str, Decimal]
    employer_cost: Decimal | None
    claimed: tuple[str, ...]
    problems: tuple[Problem, ...]


def check_approve(status: str) -> None:
    if status != "needs_review":
        raise DecisionError(
            f"the claim is {status}; only a claim held for review (needs_review) can be "
            "approved")


def check_reject(status: str, reason: str) -> str:
    """The reason, trimmed; refused when the claim cannot be rejected or no reason."""
    if status not in REJECTABLE:
        raise DecisionError(
            f"the claim is {status}; only a claim that is not yet validated, paid or "
            f"rejected can be rejected ({', '.join(REJECTABLE)})")
    reason = " ".join(reason.split())
    if not reason:
        raise DecisionError("a rejection needs a reason the sender can act on (--reason TEXT)")
    if len(reason) > MAX_REASON:
        raise DecisionError(f"the reason is {len(reason)} characters; keep it under "
                            f"{MAX_REASON}")
    return reason


def check_paid(status: str) -> None:
    if status != "validated":
        raise DecisionError(
            f"the claim is {status}; only a validated claim can be marked paid (approve it "
            "first if it is held for review)")


def check_correct(status: str) -> None:
    if status in ("validated", PAID, REJECTED):
        raise DecisionError(
            f"the claim is {status}; a decided claim cannot be corrected any more")


def parse_value(name: str, value: str, today: date) -> Any:
    """A corrected value as typed by a person, parsed and checked; refused with a reason.

    ``period`` is two dates (``2026-10-01..2026-10-31``, ``01.10.2026 - 31.10.2026``)
    or a month (``oktober 2026``); hours and amounts take a decimal comma. A refusal
    quotes what was typed with any CPR number in it masked."""
    try:
        return _parse_value(name, value, today)
    except DecisionError as exc:
        raise DecisionError(mask_cprs(str(exc))) from None


def _parse_value(name: str, value: str, today: date) -> Any:
    if name not in CORRECTABLE:
        raise DecisionError(f"{name!r} cannot be corrected; fields: {', '.join(CORRECTABLE)}")
    text = " ".join(value.split())
    if not text:
        raise DecisionError(f"the new value of {name} is empty")
    if name == "cpr":
        checked = validation.check_cpr(text, today)
        errors = [p for p in checked.problems if p.severity == "error"]
        if errors or checked.value is None:
            raise DecisionError(f"{mask_cpr(text)} is not a valid CPR number (DDMMYY-SSSS)")
        return checked.value.digits
    if name == "cvr":
        cvr = validation.check_cvr(text)
        if cvr.value is None:
            raise DecisionError(f"{text!r} is not a valid CVR number (8 digits, check digit)")
        return cvr.value
    if name == "period":
        return _period(text)
    if name in ("employee_name", "employer_name"):
        if len(text) > 200:
            raise DecisionError(f"the {name} is longer than 200 characters")
        return text
    return _number(name, text)


def _period(text: str) -> tuple[date, date]:
    two = re.fullmatch(r"(\d{4}-\d\d-\d\d)\s*(?:\.\.|-|–|til|to)\s*(\d{4}-\d\d-\d\d)", text)
    try:
        found = (date.fromisoformat(two[1]), date.fromisoformat(two[2])) if two else None
    except ValueError:
        found = None
    if found is None:
        period = parse_period(text)
        found = (period.start, period.end) if period else None
    if found is None:
        raise DecisionError(f"{text!r} is not a period; write 2026-10-01..2026-10-31")
    if found[1] < found[0]:
        raise DecisionError(f"the period {text!r} ends before it starts")
    return found


def _number(name: str, text: str) -> Decimal:
    cleaned = text.replace(" ", "")
    if "," in cleaned:  # Danish: 1.234,56
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise DecisionError(f"{text!r} is not a number like 1234,56") from None
    if not number.is_finite() or number < 0 or (name == "hours" and number > 744):
        raise DecisionError(f"{text!r} is not a plausible {name.replace('_', ' ')}")
    return number.quantize(Decimal("0.01"))


def shown(name: str, value: Any) -> str | None:
    """A field's value as the audit log and the history show it (CPR masked)."""
    if value is None:
        return None
    if name == "cpr":
        return mask_cpr(str(value))
    if name == "period":
        start, end = value
        return f"{start.isoformat() if start else '?'}..{end.isoformat() if end else '?'}"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def current_value(facts: ClaimFacts, name: str) -> Any:
    if name == "period":
        return (facts.period_start, facts.period_end) \
            if facts.period_start or facts.period_end else None
    if name in COMPONENTS:
        return facts.components.get(name)
    return getattr(facts, name)


def apply(facts: ClaimFacts, name: str, value: Any) -> ClaimFacts:
    """The facts with one field replaced; a cost item moves the employer cost with it."""
    if name == "period":
        return replace(facts, period_start=value[0], period_end=value[1])
    if name in COMPONENTS:
        old = facts.components.get(name) or Decimal(0)
        components = {**facts.components, name: value}
        cost = facts.employer_cost
        if cost is not None and name in EMPLOYER_COST_COMPONENTS:
            cost = refund.money(cost - old + value)
        return replace(facts, components=components, employer_cost=cost)
    return replace(facts, **{name: value})


def rejudge(facts: ClaimFacts, today: date, scheme: Scheme = DEFAULT_SCHEME) -> Claim:
    """The claim judged again from its (corrected) facts, as ``handlers.claims`` judges a
    payslip: identifiers, period and amount validated, what is missing, plausibility and
    the refund. The payslip's reading problems stay; ``handlers.review.review`` then
    judges it against the register."""
    slip = _stub_payslip(facts)
    claim = Claim(source=facts.source, payslip=slip, claimed=facts.claimed,
                  employee_name=facts.employee_name, employer_name=facts.employer_name,
                  cvr=facts.cvr, cpr_raw=facts.cpr, period_start=facts.period_start,
                  period_end=facts.period_end, hours=facts.hours,
                  components=dict(facts.components), employer_cost=facts.employer_cost)
    claim.problems = [p for p in facts.problems if _READING_CODES.match(p.code)
                      or (p.code == "mismatch" and p.severity == "error")]
    cpr = validation.check_cpr(facts.cpr, today)
    claim.cpr = cpr.value
    claim.problems.extend(cpr.problems)
    cvr = validation.check_cvr(facts.cvr)
    claim.cvr = cvr.value or facts.cvr
    claim.problems.extend(cvr.problems)
    claim.problems.extend(validation.check_period(claim.period_start, claim.period_end, today))
    claim.problems.extend(validation.check_amount(claim.employer_cost))
    present = {"employee_name": claim.employee_name, "cpr": facts.cpr,
               "employer_name": claim.employer_name, "cvr": claim.cvr,
               "period": claim.period_start and claim.period_end,
               "amount": claim.employer_cost, "hours": claim.hours, "claimed": claim.claimed}
    claim.missing = [name for name in REQUIRED if not present[name]]
    implausible = plausibility_problem(claim.employer_cost, claim.hours,
                                       scheme.min_cost_per_hour, scheme.max_cost_per_hour)
    if implausible:
        claim.problems.append(implausible)
    if claim.status != "invalid" and claim.hours is not None and claim.period_start \
            and claim.period_end and claim.claimed:
        days = validation.period_days(claim.period_start, claim.period_end)
        cost = refund.claimed_cost(claim.components, claim.claimed)
        claim.refund = refund.compute(cost, claim.hours, days, scheme.max_hours)
    return claim


def without_mismatch(facts: ClaimFacts, name: str) -> ClaimFacts:
    """A person who corrects a field settles a disagreement between mail and payslip on it."""
    field = "period" if name == "period" else name
    return replace(facts, problems=tuple(
        p for p in facts.problems if not (p.code == "mismatch" and p.field == field)))


def _stub_payslip(facts: ClaimFacts) -> Payslip:
    # review() reads the sick hours from the payslip; the stored claim keeps them.
    return Payslip(employee_name=facts.employee_name, cpr=facts.cpr,
                   employer_name=facts.employer_name, cvr=facts.cvr, se_number=None,
                   period_start=facts.period_start, period_end=facts.period_end,
                   worked_hours=None, sick_hours=facts.sick_hours, lines=(), pages=0)


def held_status(review_status: str) -> str:
    """After a correction: a claim the rules now pass is still held until a person
    approves it (nobody is paid by a correction alone)."""
    return "needs_review" if review_status in ("validated", "needs_review") else review_status


def rejection_mail(original_subject: str, reference: str, reason: str,
                   lang: Language = "da") -> tuple[str, str]:
    """To the sender: the claim is rejected, with the person's reason."""
    lines = [REJECTION_HEAD[lang].format(reference=reference), "", reason, "",
             REJECTION_TAIL[lang], "", SIGNATURE[lang]]
    return reply_subject(original_subject or reference, lang), "\n".join(lines) + "\n"

