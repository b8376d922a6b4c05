"""A complete claim checked against the register: may the economy group pay it?

The claim's own fields were judged by ``handlers.claims``; here the question is
whether the jobcenter approved this employment and whether this claim is new:

- an approved employment must exist for the CPR at that CVR, and the period must
  lie inside it; the refund cap is the approved hours a week (at most 10);
- a claim for a period overlapping an earlier claim of the same employment is a
  duplicate, never a second payment; so is a payslip (by its content hash) that was
  claimed before, whatever the mail around it;
- sick leave beyond 30 days in an employment is referred to sickness benefit refund;
- the sender must be one the workplace allows (a forged sender is held, never paid),
  and the mail's own sender problems (``handlers.routing``: no envelope sender, an
  SPF/DKIM/DMARC fail) hold it too.

Anything that fails goes to ``needs_review``: people decide, the product does not.
Pure: the caller passes in the slice of the register the claim touches.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from handlers import refund, validation
from handlers.claim_status import ReviewStatus
from handlers.claims import Claim
from handlers.problems import Problem
from handlers.scheme import DEFAULT_SCHEME, Scheme

MAX_SICK_DAYS = DEFAULT_SCHEME.max_sick_days  # the default; the config's comes as a Scheme
WORKING_DAYS_PER_WEEK = 5


@dataclass(frozen=True)
class EmploymentView:
    id: int
    hours_per_week: Decimal
    start: date
    end: date
    status: str  # approved | ended


@dataclass(frozen=True)
class PriorClaim:
    reference: str
    employment_id: int
    period_start: date
    period_end: date
    sick_hours: Decimal


@dataclass(frozen=True)
class RegisterSlice:
    """What the register knows about the claim's CPR at the claim's CVR."""

    workplace_known: bool
    sender_allowed: bool
    employments: tuple[EmploymentView, ...] = ()
    prior_claims: tuple[PriorClaim, ...] = ()
    # The reference of an earlier claim of the very same payslip (equal content hash).
    same_payslip: str | None = None
    workplace_id: int | None = None  # the register's id of the known workplace


@dataclass(frozen=True)
class Decision:
    status: ReviewStatus
    employment_id: int | None
    problems: tuple[Problem, ...]
    refund: refund.Refund | None
    approved_hours_per_week: Decimal | None = None


def review(
    claim: Claim, sender: str | None, register: RegisterSlice,
    sender_problems: Sequence[Problem] = (), scheme: Scheme = DEFAULT_SCHEME,
) -> Decision:
    """The final status of one claim. Incomplete and invalid claims pass through.

    ``sender_problems`` are the mail's own (``handlers.routing.envelope_problems`` and
    ``auth_problems``): any of them holds the claim for review. So does a reading the
    payslip's own arithmetic does not confirm: it is never paid unseen.
    """
    if claim.status in ("incomplete", "invalid"):
        return Decision(claim.status, None, (), claim.refund)
    assert claim.cpr and claim.cvr and claim.period_start and claim.period_end
    problems: list[Problem] = [p for p in claim.problems if p.severity == "review"]
    problems += list(sender_problems)
    if register.same_payslip:
        problems.append(Problem(
            "payslip", "duplicate_payslip",
            f"the same payslip was claimed before ({register.same_payslip})",
            values={"reference": register.same_payslip}))
    masked = claim.cpr.masked
    if register.workplace_known and not register.sender_allowed:
        problems.append(Problem(
            "sender", "sender_not_allowed",
            f"the sender {sender} is not registered for CVR {claim.cvr}",
            values={"sender": sender or "?", "cvr": claim.cvr}))
    employment = _employment_for(claim, register.employments)
    if employment is None:
        problems.append(Problem(
            "employment", "no_employment",
            f"no approved employment for {masked} at CVR {claim.cvr}",
            values={"cpr": masked, "cvr": claim.cvr}))
        return Decision("needs_review", None, tuple(problems), claim.refund)
    if not (employment.start <= claim.period_start and claim.period_end <= employment.end):
        problems.append(Problem(
            "period", "outside_employment",
            f"the period {claim.period_start} - {claim.period_end} lies outside the employment "
            f"{employment.start} - {employment.end}",
            values={"start": claim.period_start.isoformat(), "end": claim.period_end.isoformat(),
                    "employment_start": employment.start.isoformat(),
                    "employment_end": employment.end.isoformat()}))
    prior = [p for p in register.prior_claims if p.employment_id == employment.id]
    duplicate = next((p for p in prior if _overlaps(p, claim)), None)
    if duplicate and not register.same_payslip:  # the same payslip says it more precisely
        problems.append(Problem(
            "period", "duplicate",
            f"a claim ({duplicate.reference}) already covers an overlapping period",
            values={"reference": duplicate.reference}))
    sick_days = _sick_days(prior, claim, employment)
    if sick_days > scheme.max_sick_days:
        problems.append(Problem(
            "sick_hours", "sick_days_exceeded",
            f"sick leave comes to {sick_days} days in this employment "
            f"(over {scheme.max_sick_days})",
            values={"days": str(sick_days)}))
    capped = _refund_at_approved_hours(claim, employment, scheme)
    status: ReviewStatus = "needs_review" if problems else "validated"
    return Decision(status, employment.id, tuple(problems), capped,
                    min(employment.hours_per_week, scheme.max_hours))


def _employment_for(claim: Claim, employments: tuple[EmploymentView, ...]) -> EmploymentView | None:
    """The approved employment the period falls in, else the one it overlaps most."""
    assert claim.period_start and claim.period_end
    candidates = [e for e in employments if e.status in ("approved", "ended")]

    def overlap(e: EmploymentView) -> int:
        start, end = max(e.start, claim.period_start), min(e.end, claim.period_end)
        return (end - start).days + 1

    overlapping = [e for e in candidates if overlap(e) > 0]
    return max(overlapping, key=overlap, default=None)


def _overlaps(prior: PriorClaim, claim: Claim) -> bool:
    assert claim.period_start and claim.period_end
    return prior.period_start <= claim.period_end and claim.period_start <= prior.period_end


def _sick_days(prior: list[PriorClaim], claim: Claim, employment: EmploymentView) -> int:
    """Sick days in the employment so far, counting this claim.

    Payslips state sick hours; a sick day is taken as the approved weekly hours
    spread over five working days (10 h/week -> 2 h a day), rounded up.
    """
    slip_sick = claim.payslip.sick_hours if claim.payslip else None
    hours = sum((p.sick_hours for p in prior), Decimal(0)) + (slip_sick or Decimal(0))
    return sick_days(hours, employment.hours_per_week)


def sick_days(sick_hours: Decimal, hours_per_week: Decimal) -> int:
    """Sick days from sick hours: a day is the approved weekly hours over five working
    days (10 h/week -> 2 h a day), rounded up."""
    if sick_hours <= 0 or hours_per_week <= 0:
        return 0
    return math.ceil(sick_hours / (hours_per_week / WORKING_DAYS_PER_WEEK))


def _refund_at_approved_hours(claim: Claim, employment: EmploymentView,
                             scheme: Scheme) -> refund.Refund | None:
    if claim.refund is None:
        return None
    assert claim.period_start and claim.period_end
    days = validation.period_days(claim.period_start, claim.period_end)
    hours_per_week = min(employment.hours_per_week, scheme.max_hours)
    return refund.compute(claim.refund.employer_cost, claim.refund.hours, days, hours_per_week)
