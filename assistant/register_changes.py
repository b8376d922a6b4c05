"""Changes to the register that a person decides, each written to the audit log: add,
end and extend an employment, add and remove a workplace's sender address.

One code path for the command line (``assistant employments ...``, ``assistant
workplaces ...``) and the desk: the rules are ``handlers.register``'s, the storage is
:class:`assistant.store.Store`'s; this adds who decided, when and why. Refusals raise
:class:`handlers.register.RegisterError`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, delete, select

from assistant.db import exclusive, session
from assistant.models import AuditEntry, Employment, Workplace, WorkplaceSender
from assistant.store import REGISTER_LOCK, Store, WorkplaceRecord
from handlers.register import (
    RegisterError,
    Span,
    check_extension,
    check_start,
    normalize_sender,
)
from parsers.identifiers import compact_digits, mask_cpr


class RegisterChanges:
    def __init__(self, store: Store, today: Callable[[], date] = date.today) -> None:
        self.store = store
        self.today = today

    # -- employments --------------------------------------------------------------

    def add_employment(self, actor: str, cpr: str, name: str, cvr: str, hours: Decimal,
                       start: date, end: date, reason: str, *,
                       past_start: bool = False) -> Employment:
        """Approve an employment if the rules allow it; a start in the past only with
        ``past_start`` (one approved before the assistant was used)."""
        if not past_start and (late := check_start(start, self.today())):
            raise RegisterError(late)
        with session(self.store.engine) as db:
            employment = self.store.add_employment_in(db, cpr, name, cvr, hours, start, end,
                                                      reason)
            _audit(db, actor, "add_employment", employment, reason, {
                "cvr": compact_digits(cvr), "hours": str(employment.hours_per_week),
                "start": start.isoformat(), "end": end.isoformat()})
            return employment

    def end_employment(self, actor: str, employment_id: int, on: date,
                       why: str = "") -> Employment:
        """End an employment early, ``on`` its last day (before its start: cancelled)."""
        employment = self.store.end_employment(employment_id, on)
        with session(self.store.engine) as db:
            _audit(db, actor, "end_employment", employment, why, {
                "last_day": on.isoformat(), "planned_end": employment.end_date.isoformat()})
        return employment

    def extend_employment(self, actor: str, employment_id: int, new_end: date,
                          reason: str) -> Employment:
        """Extend an approved employment to ``new_end`` (an addendum with its reason).

        Under the register lock, as a new employment: the added days must fit in the
        pool, first come first served."""
        limits = self.store.limits
        with session(self.store.engine) as db:
            exclusive(db, REGISTER_LOCK)
            employment = db.get(Employment, employment_id)
            if employment is None:
                raise RegisterError([f"no employment with id {employment_id}"])
            if employment.status != "approved":
                raise RegisterError([f"employment {employment_id} ended on "
                                     f"{employment.last_day}; an ended employment cannot "
                                     "be extended"])
            workplace = db.get(Workplace, employment.workplace_id)
            assert workplace is not None
            span = Span(cpr=employment.cpr, cvr=workplace.cvr,
                        hours=employment.hours_per_week, start=employment.start_date,
                        end=employment.end_date, id=employment.id)
            others = self.store.spans_in(db, employment.end_date + timedelta(days=1),
                                         max(new_end, employment.end_date))
            reasons = check_extension(span, new_end, others, reason, limits.pool_hours,
                                      limits.max_months)
            if reasons:
                raise RegisterError(reasons)
            old_end = employment.end_date
            employment.end_date = new_end
            db.add(employment)
            db.flush()
            _audit(db, actor, "extend_employment", employment, reason.strip(), {
                "old_end": old_end.isoformat(), "new_end": new_end.isoformat()})
            return employment

    # -- senders ------------------------------------------------------------------

    def add_sender(self, actor: str, cvr: str, sender: str) -> WorkplaceRecord:
        """Approve one more sender address (or domain) for a known workplace."""
        known = self.store.workplace_by_cvr(cvr)
        if known is None:
            raise RegisterError([f"no workplace with CVR {cvr}; add it first"])
        record = self.store.add_workplace(known.cvr, known.name, [sender])
        with session(self.store.engine) as db:
            db.add(AuditEntry(actor=actor, action="add_sender", subject=f"CVR {record.cvr}",
                              details={"sender": normalize_sender(sender)}))
        return record

    def remove_sender(self, actor: str, cvr: str, sender: str) -> WorkplaceRecord:
        """Stop accepting claims from a sender address (or domain) for a workplace."""
        try:
            pattern = normalize_sender(sender)
        except ValueError as exc:
            raise RegisterError([str(exc)]) from None
        with session(self.store.engine) as db:
            exclusive(db, REGISTER_LOCK)
            workplace = db.exec(select(Workplace).where(
                Workplace.cvr == compact_digits(cvr))).first()
            if workplace is None:
                raise RegisterError([f"no workplace with CVR {cvr}"])
            gone = db.execute(delete(WorkplaceSender).where(
                col(WorkplaceSender.workplace_id) == workplace.id,
                col(WorkplaceSender.pattern) == pattern)).rowcount
            if not gone:
                raise RegisterError([f"{pattern} is not a sender of CVR {workplace.cvr}"])
            db.add(AuditEntry(actor=actor, action="remove_sender",
                              subject=f"CVR {workplace.cvr}", details={"sender": pattern}))
        record = self.store.workplace_by_cvr(workplace.cvr)
        assert record is not None
        return record


def _audit(db: Session, actor: str, action: str, employment: Employment, reason: str,
           details: dict[str, Any]) -> None:
    db.add(AuditEntry(actor=actor, action=action, subject=f"employment {employment.id}",
                      reason=reason, details={"cpr": mask_cpr(employment.cpr), **details}))
