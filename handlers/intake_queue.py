"""First come, first served: the queue of submitted job forms waiting for pool hours.

Forms are approved in the order they were submitted (same second: the lower id first).
A form may be approved out of turn only when the pool has room for it *and* for every
form submitted before it that still waits; otherwise the earlier ones go first.

Pure: the waiting forms and the hours left in, the reasons to refuse out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from handlers.register import hours_text


@dataclass(frozen=True)
class QueuedForm:
    """A submitted job form as the queue sees it."""

    id: int
    submitted_at: datetime | None  # None: a draft, never in the queue
    hours_per_week: Decimal  # 0 for a form without a job description


def queue_key(form: QueuedForm) -> tuple[datetime, int]:
    assert form.submitted_at is not None
    return form.submitted_at, form.id


def submitted_before(one: QueuedForm, other: QueuedForm) -> bool:
    """``one`` was submitted before ``other`` (same second: the lower id first)."""
    if one.submitted_at is None or other.submitted_at is None:
        return False
    return queue_key(one) < queue_key(other)


def waiting_before(form: QueuedForm, submitted: Iterable[QueuedForm]) -> list[QueuedForm]:
    """The submitted forms ahead of ``form`` in the queue, first submitted first."""
    return sorted((f for f in submitted if f.id != form.id and submitted_before(f, form)),
                  key=queue_key)


def queue_refusal(form: QueuedForm, earlier: list[QueuedForm], left_hours: Decimal,
                  start: date) -> list[str]:
    """Why ``form`` may not be approved before ``earlier`` (empty: it may), when the
    pool has ``left_hours`` left on ``start``."""
    if not earlier:
        return []
    waiting = sum((f.hours_per_week for f in earlier), Decimal(0))
    if waiting + form.hours_per_week <= left_hours:
        return []
    ids = ", ".join(str(f.id) for f in sorted(earlier, key=queue_key))
    return [f"first come, first served: intake(s) {ids} were submitted earlier and wait "
            f"for {hours_text(waiting)} hours/week; the pool has {hours_text(left_hours)} "
            f"left on {start.isoformat()}, not enough for those and "
            f"{hours_text(form.hours_per_week)} more. Approve or cancel the earlier ones "
            "first."]
