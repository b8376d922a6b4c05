from datetime import date
from decimal import Decimal

from handlers.job import CRITERIA, JobDescription, Task


def test_job_description_round_trips_through_json_types() -> None:
    job = JobDescription(
        workplace_name="Albertslund Bibliotek", cvr="65113015", manager_name="Lone Hansen",
        location="Hovedbiblioteket", contact_name="Per Jensen", contact="per@example.dk",
        tasks=(Task("Sætte bøger på plads", "dagligt", "library"),),
        criteria=dict.fromkeys(CRITERIA, True), competences=("Mødestabil",),
        hours_per_week=Decimal("7.5"), working_times="tirsdag og torsdag 9-13",
        start=date(2027, 1, 4), duration_months=6,
        temporary_reason="Ansættelsen er midlertidig, fordi opgaven er afgrænset til oprydning",
        internship_weeks=2, requirements=("gdpr_course",),
    )
    data = job.as_dict()
    assert data["hours_per_week"] == "7.5" and data["start"] == "2027-01-04"
    assert data["tasks"] == [{"title": "Sætte bøger på plads", "frequency": "dagligt",
                              "area": "library"}]
    assert JobDescription.from_dict(data) == job
