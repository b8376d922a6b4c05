"""The stable JSON shape of payslips and claims (``assistant parse``, ``claims --json``).

Amounts are numbers with two decimals, dates ISO 8601, CPR ``DDMMYY-SSSS`` (or
``DDMMYY-xxxx`` when masked).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from handlers.claims import Claim
from handlers.problems import Problem
from parsers.identifiers import mask_cpr, mask_cprs
from parsers.labels import COMPONENTS
from parsers.payslip import Payslip, Source


def number(value: Decimal | None) -> float | None:
    return None if value is None else float(round(value, 2))


def cpr_text(claim: Claim, mask: bool) -> str | None:
    raw = claim.cpr.digits if claim.cpr else claim.cpr_raw
    if not raw:
        return None
    if mask:
        return mask_cpr(raw)
    return f"{raw[:6]}-{raw[6:]}" if len(raw) == 10 else raw


def problem_dicts(problems: list[Problem]) -> list[dict[str, object]]:
    return [p.as_dict() for p in problems]


def payslip_dict(claim: Claim, slip: Payslip | None, mask: bool) -> dict[str, Any]:
    """The fields read for one claim, in the documented order."""
    return {
        "employee_name": claim.employee_name,
        "cpr": cpr_text(claim, mask),
        "employer_name": claim.employer_name,
        "cvr": claim.cvr,
        "period_start": claim.period_start.isoformat() if claim.period_start else None,
        "period_end": claim.period_end.isoformat() if claim.period_end else None,
        "hours": number(claim.hours),
        "worked_hours": number(slip.worked_hours) if slip else None,
        "sick_hours": number(slip.sick_hours) if slip else None,
        "components": {k: number(claim.components.get(k, Decimal(0))) for k in COMPONENTS},
        "employer_cost": number(claim.employer_cost),
        "lines": [
            {"kind": line.kind, "label": line.label, "amount": number(line.amount),
             "quantity": number(line.quantity),
             "source": _source(line.source, mask) if line.source else None}
            for line in (slip.lines if slip else ())
        ],
        **(_verification(claim, slip, mask) if slip else {}),
    }


def _verification(claim: Claim, slip: Payslip, mask: bool) -> dict[str, Any]:
    """Whether the reading reconciles with the payslip's own arithmetic, each check, and
    where each field was read (page, box in PDF points, text) for the review desk."""
    implausible = next((p for p in claim.problems if p.code == "implausible_cost_per_hour"),
                       None)
    per_hour = {"check": "cost_per_hour",
                "ok": None if claim.employer_cost is None or not claim.hours
                else implausible is None,
                "detail": implausible.message if implausible else
                "the employer cost per hour is plausible" if claim.hours
                else "no hours to divide the cost by"}
    return {
        "verified": slip.verified and implausible is None,
        "checks": [c.as_dict() for c in slip.checks] + [per_hour],
        "sources": {name: _source(src, mask) for name, src in slip.sources.items()},
    }


def _source(source: Source, mask: bool) -> dict[str, Any]:
    out = source.as_dict()
    if mask:
        out["text"] = mask_cprs(str(out["text"]))
    return out


def claim_dict(claim: Claim, mask: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"source": claim.source}
    out.update(payslip_dict(claim, claim.payslip, mask))
    out.update({
        "claimed": list(claim.claimed),
        "status": claim.status,
        "missing": list(claim.missing),
        "problems": problem_dicts(claim.problems),
        "refundable_amount": number(claim.refundable_amount),
        "cap_hours": number(claim.refund.cap_hours) if claim.refund else None,
        "capped": claim.capped,
    })
    return out
