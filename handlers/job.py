"""A job description: the task-and-competence form (Skema til opgaver og kompetencer)
as the intake bot hands it to the jobcenter once a manager has filled it in.

The form engine (``handlers.intake``) produces it; the consultant's e-mail, the
onboarding plan (``handlers.onboarding``) and ``assistant intakes show`` read it.
It is about the job, never about a person: no CPR number, no citizen's name.
Stored as JSON (:meth:`as_dict` / :meth:`from_dict`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

# The five task criteria (opgavekriterier), in the order the bot asks them.
CRITERIA = ("concrete", "recurring", "tolerates_absence", "can_be_taken_over", "frees_staff")
# Requirements the workplace may have (krav): keys in the order the bot asks them.
REQUIREMENTS = ("child_certificate", "criminal_record", "gdpr_course", "confidentiality")


@dataclass(frozen=True)
class Task:
    """One task (opgave) and when/how often it is done (hvornår/frekvens)."""

    title: str
    frequency: str
    area: str | None = None  # the catalogue area it was picked from, if any


@dataclass(frozen=True)
class JobDescription:
    workplace_name: str  # the workplace (arbejdsplads) the invite was for
    cvr: str
    manager_name: str  # the manager (leder) who filled in the form
    location: str  # local workplace (lokal arbejdsplads)
    contact_name: str  # fixed contact person (fast kontaktperson)
    contact: str  # the contact person's phone number or e-mail address
    tasks: tuple[Task, ...]
    criteria: dict[str, bool]  # CRITERIA -> the manager's yes/no
    competences: tuple[str, ...]  # personal competences (kompetencer)
    hours_per_week: Decimal  # 1 to the scheme's max_hours (10)
    working_times: str  # e.g. "tirsdag og torsdag 9-14"
    start: date  # expected start (forventet opstart)
    duration_months: int  # 1 to the scheme's max_months (12)
    temporary_reason: str  # why the job is temporary (midlertidig)
    internship_weeks: int  # 0 = none, else 2-4 weeks of internship (praktik) first
    requirements: tuple[str, ...] = field(default=())  # subset of REQUIREMENTS

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["hours_per_week"] = str(self.hours_per_week)
        data["start"] = self.start.isoformat()
        data["tasks"] = [asdict(task) for task in self.tasks]
        data["competences"] = list(self.competences)
        data["requirements"] = list(self.requirements)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobDescription:
        values = dict(data)
        values["hours_per_week"] = Decimal(str(values["hours_per_week"]))
        values["start"] = date.fromisoformat(values["start"])
        values["tasks"] = tuple(Task(**task) for task in values["tasks"])
        values["competences"] = tuple(values["competences"])
        values["requirements"] = tuple(values.get("requirements", ()))
        values["criteria"] = dict(values["criteria"])
        return cls(**values)


def proposed_first_day(job: JobDescription | None, today: date, lead_days: int = 14) -> date:
    """The first working day to offer a consultant approving a job form: the manager's
    expected start while it is still ahead, else ``lead_days`` from today (a start in
    the past is refused on approval)."""
    if job is not None and job.start > today:
        return job.start
    return today + timedelta(days=lead_days)
