from datetime import date
from decimal import Decimal

from handlers.job import CRITERIA, JobDescription, Task, proposed_first_day


def _job(start: date) -> JobDescription:
    return JobDescription(
        workplace_name="Albertslund Bibliotek", cvr="65113015", manager_name="Lone Hansen",
        location="Hovedbiblioteket", contact_name="Per Jensen", contact="per@example.dk",
        tasks=(Task("Sætte bøger på plads", "dagligt", "library"),),
        criteria=dict.fromkeys(CRITERIA, True), competences=("Mødestabil",),
        hours_per_week=Decimal("7.5"), working_times="tirsdag og torsdag 9-13",
        start=start, duration_months=6,
        temporary_reason="Ansættelsen er midlertidig, fordi opgaven er afgrænset til oprydning",
        internship_weeks=2, requirements=("gdpr_course",),
    )


def test_job_description_round_trips_through_json_types() -> None:
    job = _job(date(2027, 1, 4))
    data = job.as_dict()
    assert data["hours_per_week"] == "7.5" and data["start"] == "2027-01-04"
    assert data["tasks"] == [{"title": "Sætte bøger på plads", "frequency": "dagligt",
                              "area": "library"}]
    assert JobDescription.from_dict(data) == job


def test_the_first_day_offered_is_the_expected_start_while_it_is_ahead() -> None:
    today = date(2026, 11, 22)
    assert proposed_first_day(_job(date(2027, 1, 4)), today) == date(2027, 1, 4)
    # An expected start already passed (or today) is no start to approve: two weeks on.
    assert proposed_first_day(_job(date(2026, 11, 2)), today) == date(2026, 12, 6)
    assert proposed_first_day(_job(today), today) == date(2026, 12, 6)
    assert proposed_first_day(None, today) == date(2026, 12, 6)
