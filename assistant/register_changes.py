"""Changes to the register that a person decides, each written to the audit log: add,
end and extend an employment, add and remove a workplace's sender address.

One code path for the command line (``assistant employments ...``, ``assistant
workplaces ...``) and the desk: the rules are ``handlers.register``'s, the data access
:class:`assistant.repository.Repository`'s; each change and its audit row are one
transaction. Refusals raise :class:`handlers.register.RegisterError`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from assistant.db import session
from assistant.models import Employment
from assistant.repository import Repository, WorkplaceRecord
from assistant.store import Store
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
        self.engine = store.engine
        self.limits = store.limits
        self.today = today

    def _repo(self, db: Session) -> Repository:
        return Repository(db, self.limits)

    def employment(self, employment_id: int) -> Employment | None:
        with session(self.engine) as db:
            return self._repo(db).employment(employment_id)

    # -- employments --------------------------------------------------------------

    def add_employment(self, actor: str, cpr: str, name: str, cvr: str, hours: Decimal,
                       start: date, end: date, reason: str, *,
                       past_start: bool = False) -> Employment:
        """Approve an employment if the rules allow it; a start in the past only with
        ``past_start`` (one approved before the assistant was used)."""
        if not past_start and (late := check_start(start, self.today())):
            raise RegisterError(late)
        with session(self.engine) as db:
            repo = self._repo(db)
            employment = repo.add_employment(cpr, name, cvr, hours, start, end, reason)
            _audit(repo, actor, "add_employment", employment, reason, {
                "cvr": compact_digits(cvr), "hours": str(employment.hours_per_week),
                "start": start.isoformat(), "end": end.isoformat()})
            return employment

    def end_employment(self, actor: str, employment_id: int, on: date,
                       why: str = "") -> Employment:
        """End an employment early, ``on`` its last day (before its start: cancelled)."""
        with session(self.engine) as db:
            repo = self._repo(db)
            employment = repo.end_employment(employment_id, on)
            _audit(repo, actor, "end_employment", employment, why, {
                "last_day": on.isoformat(), "planned_end": employment.end_date.isoformat()})
        return employment

    def extend_employment(self, actor: str, employment_id: int, new_end: date,
                          reason: str) -> Employment:
        """Extend an approved employment to ``new_end`` (an addendum with its reason).

        Under the register lock, as a new employment: the added days must fit in the
        pool, first come first served."""
        limits = self.limits
        with session(self.engine) as db:
            repo = self._repo(db)
            repo.lock_register()
            employment = repo.employment(employment_id)
            if employment is None:
                raise RegisterError([f"no employment with id {employment_id}"])
            if employment.status != "approved":
                raise RegisterError([f"employment {employment_id} ended on "
                                     f"{employment.last_day}; an ended employment cannot "
                                     "be extended"])
            workplace = repo.workplace(employment.workplace_id)
            assert workplace is not None
            span = Span(cpr=employment.cpr, cvr=workplace.cvr,
                        hours=employment.hours_per_week, start=employment.start_date,
                        end=employment.end_date, id=employment.id)
            others = repo.spans(employment.end_date + timedelta(days=1),
                                max(new_end, employment.end_date))
            reasons = check_extension(span, new_end, others, reason, limits.pool_hours,
                                      limits.max_months)
            if reasons:
                raise RegisterError(reasons)
            old_end = employment.end_date
            employment.end_date = new_end
            db.add(employment)
            db.flush()
            _audit(repo, actor, "extend_employment", employment, reason.strip(), {
                "old_end": old_end.isoformat(), "new_end": new_end.isoformat()})
            return employment

    # -- senders ------------------------------------------------------------------

    def add_sender(self, actor: str, cvr: str, sender: str) -> WorkplaceRecord:
        """Approve one more sender address (or domain) for a known workplace."""
        with session(self.engine) as db:
            repo = self._repo(db)
            known = repo.workplace_by_cvr(cvr)
            if known is None:
                raise RegisterError([f"no workplace with CVR {cvr}; add it first"])
            record = repo.save_workplace(known.cvr, known.name, [sender])
            repo.audit(actor, "add_sender", None, "", {"sender": normalize_sender(sender)},
                       subject=f"CVR {record.cvr}")
            return record

    def remove_sender(self, actor: str, cvr: str, sender: str) -> WorkplaceRecord:
        """Stop accepting claims from a sender address (or domain) for a workplace."""
        try:
            pattern = normalize_sender(sender)
        except ValueError as exc:
            raise RegisterError([str(exc)]) from None
        with session(self.engine) as db:
            repo = self._repo(db)
            repo.lock_register()
            workplace = repo.workplace_by_cvr(cvr)
            if workplace is None:
                raise RegisterError([f"no workplace with CVR {cvr}"])
            if not repo.remove_sender(workplace.id or 0, pattern):
                raise RegisterError([f"{pattern} is not a sender of CVR {workplace.cvr}"])
            repo.audit(actor, "remove_sender", None, "", {"sender": pattern},
                       subject=f"CVR {workplace.cvr}")
            return repo.workplace_record(workplace)


def _audit(repo: Repository, actor: str, action: str, employment: Employment, reason: str,
           details: dict[str, Any]) -> None:
    repo.audit(actor, action, None, reason, {"cpr": mask_cpr(employment.cpr), **details},
               subject=f"employment {employment.id}")
