"""A desk with something on it: staff of every role, a validated claim, a claim held for
review, a submitted intake. Shared by the route tests and the browser test."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy.engine import URL
from sqlmodel import select

from assistant import staff
from assistant.config import Config
from assistant.db import session
from assistant.intakes import IntakeStore
from assistant.models import Claim
from assistant.outbox import compose
from assistant.pdf_reader import GuardedPdfReader
from assistant.pipeline import Pipeline
from assistant.store import Store
from handlers.job import CRITERIA, JobDescription, Task
from handlers.validation import add_months
from tests.fixtures.payslips import PayslipCase, make_case
from tests.integration.helpers import database, jobcenter, outbox, written_config
from tests.integration.test_pipeline import claim_mail

TODAY = date(2026, 11, 22)
PASSWORD = "korrekt hest batteri klips"
STAFF = {"consultant": "konsulent@kommune.example", "economy": "oekonomi@kommune.example",
         "admin": "admin@kommune.example"}
NAMES = {"consultant": "Karin Konsulent", "economy": "Erik Økonomi", "admin": "Anne Admin"}
INTAKE_CVR = "65113015"
# An unmasked CPR number in any form a page could show it.
FULL_CPR = re.compile(r"(?<![\w-])\d{6}-?\d{4}(?![\w-])")


@dataclass(frozen=True)
class Seeded:
    validated: str  # reference
    held: str
    held_case: PayslipCase
    validated_case: PayslipCase
    intake_id: int
    ending_id: int  # an employment that ends within 30 days of TODAY


def desk_config(db_url: URL, tmp_path: Path, *, secure: bool = True, port: int = 8080) -> Config:
    web = (f'[web]\nport = {port}\nsecure_cookies = {"true" if secure else "false"}\n'
           f'cache_directory = "{tmp_path / "desk-cache"}"\nmax_failed_logins = 3\n')
    return written_config(tmp_path / "desk.toml", database(db_url), outbox(tmp_path),
                          jobcenter(), web)


def seed(store: Store, config: Config, reader: GuardedPdfReader) -> Seeded:
    pipeline = Pipeline(store.engine, config, reader, today=lambda: TODAY)
    validated_case = make_case("municipal", 2)
    store.add_workplace(validated_case.cvr, validated_case.employer_name, ["firma.dk"])
    start = date(validated_case.period_start.year, validated_case.period_start.month, 1)
    store.add_employment(cpr=validated_case.cpr, citizen_name=validated_case.employee_name,
                         cvr=validated_case.cvr, hours=Decimal(10), start=start,
                         end=add_months(start, 12) - timedelta(days=1),
                         reason="Ansættelsen er midlertidig, fordi opgaven er afgrænset.")
    # Ends within 30 days of TODAY: shown on the Today page.
    ending = store.add_employment(
        cpr="020202-2222", citizen_name="Bo Ending", cvr=validated_case.cvr,
        hours=Decimal(4), start=TODAY - timedelta(days=200), end=TODAY + timedelta(days=10),
        reason="Ansættelsen er midlertidig, fordi opgaven er afgrænset.")
    held_case = make_case("private", 5)  # no employment registered: held for review
    for case in (validated_case, held_case):
        inbound_id, _ = store.save_inbound(claim_mail(case), "smtp", "lon@firma.dk",
                                           ["jobcenter@kommune.example"])
        pipeline.process(inbound_id)
    with session(store.engine) as db:
        rows = db.exec(select(Claim).order_by(Claim.id)).all()
        validated, held = rows
    assert validated.status == "validated", validated.problems
    assert held.status == "needs_review", held.problems
    for role, email in STAFF.items():
        staff.add(store.engine, email, NAMES[role], role, PASSWORD, "test")
    return Seeded(validated.reference or "", held.reference or "", held_case, validated_case,
                  submitted_intake(store), ending.id or 0)


def submitted_intake(store: Store) -> int:
    store.add_workplace(INTAKE_CVR, "Albertslund Kommune", ["albertslund.dk"])
    intakes = IntakeStore(store.engine, store.limits)
    token = intakes.create_invite(INTAKE_CVR, "Lone Hansen", timedelta(hours=1))
    user = intakes.redeem("telegram", "42", token, datetime.now(UTC)).user
    assert user is not None
    job = JobDescription(
        workplace_name="Albertslund Kommune", cvr=INTAKE_CVR, manager_name="Lone Hansen",
        location="Hovedbiblioteket", contact_name="Per Jensen", contact="per@example.dk",
        tasks=(Task("Sætte bøger på plads", "Dagligt", "library"),),
        criteria=dict.fromkeys(CRITERIA, True), competences=("Mødestabil",),
        hours_per_week=Decimal(6), working_times="tirsdag og torsdag 10-13",
        start=date(2027, 1, 4), duration_months=6,
        temporary_reason="Ansættelsen er midlertidig, fordi opgaven er afgrænset til "
                         "oprydning", internship_weeks=0)
    intake = intakes.new_intake(user, {"step": "review"})
    mail = compose(sender="jobcenter@kommune.example", recipient="konsulenter@kommune.example",
                   subject=f"Job {intake.id}", body="...",
                   dedup_key=f"intake:{intake.id}:submitted")
    assert intakes.submit(intake.id or 0, {"step": "review"}, job, mail)
    return intake.id or 0
