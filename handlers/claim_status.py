"""The one vocabulary of a stored claim's status, from the automatic review to a
person's decision. (A claim *as read* - complete, incomplete, invalid, not a claim -
is ``handlers.claims.Status``; only what the review makes of it is stored.)

- ``validated``: every rule held; the economy group has the summary and pays from it.
- ``needs_review``: held for a person (the reasons are on the claim).
- ``incomplete`` / ``invalid``: the sender was asked to send it again or correct it.
- ``rejected`` / ``paid``: a person's decision (``handlers.decisions``).
"""

from __future__ import annotations

from typing import Literal, get_args

ReviewStatus = Literal["validated", "needs_review", "incomplete", "invalid"]
DecidedStatus = Literal["rejected", "paid"]
ClaimStatus = Literal[ReviewStatus, DecidedStatus]

# In the order a person works through them (the desk's and the CLI's filters).
CLAIM_STATUSES: tuple[ClaimStatus, ...] = (
    "needs_review", "validated", "paid", "rejected", "incomplete", "invalid")
PAYABLE_STATUSES: tuple[ClaimStatus, ...] = ("validated", "paid")
# Claims that are, or may yet be, paid: their periods and sick days count against a new
# claim, in the sick-day figures and in the follow-up. Paid ones above all: left out, a
# payslip paid once would be validated again.
COUNTED_STATUSES: tuple[ClaimStatus, ...] = ("validated", "needs_review", "paid")
# The very same PDF sent again goes to a person even after a rejection: whatever it was
# rejected for still holds.
CLAIMED_STATUSES: tuple[ClaimStatus, ...] = (*COUNTED_STATUSES, "rejected")

assert set(CLAIM_STATUSES) == set(get_args(ReviewStatus)) | set(get_args(DecidedStatus))


def check_sql(column: str = "status") -> str:
    """The CHECK condition that holds the database to this vocabulary."""
    return f"{column} IN ({', '.join(repr(s) for s in CLAIM_STATUSES)})"
