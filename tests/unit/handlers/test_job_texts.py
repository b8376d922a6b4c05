"""The job description text and the consultant's e-mail: exact lines for a sample job."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal

import pytest

from handlers.job import CRITERIA, REQUIREMENTS, JobDescription, Task
from handlers.job_texts import (
    CRITERION_NAMES,
    CRITERION_WHY,
    REQUIREMENT_NAMES,
    consultant_mail,
    hours,
    job_description_text,
    planned_end,
)

JOB = JobDescription(
    workplace_name="Albertslund Bibliotek", cvr="65113015", manager_name="Lone Hansen",
    location="Hovedbiblioteket", contact_name="Per Jensen", contact="per@example.dk",
    tasks=(Task("Sætte bøger på plads", "dagligt", "library"),
           Task("Oprydning i læsesalen", "tirsdag og torsdag")),
    criteria={**dict.fromkeys(CRITERIA, True), "tolerates_absence": False},
    competences=("Mødestabil", "Omhyggelig"),
    hours_per_week=Decimal("7.5"), working_times="tirsdag og torsdag 9-13",
    start=date(2027, 1, 4), duration_months=6,
    temporary_reason="Ansættelsen er midlertidig, fordi opgaven er afgrænset til oprydning "
                     "efter ombygningen og skal løses inden sommeren 2027",
    internship_weeks=2, requirements=("gdpr_course", "child_certificate"),
)

CPR_LIKE = re.compile(r"(?<!\d)\d{6}-?\d{4}(?!\d)")

DA_TEXT = """\
Arbejdsplads:       Albertslund Bibliotek (CVR 65113015)
Leder:              Lone Hansen
Lokal arbejdsplads: Hovedbiblioteket
Kontaktperson:      Per Jensen (per@example.dk)

Opgaver (hvornår/frekvens):
- Sætte bøger på plads: dagligt
- Oprydning i læsesalen: tirsdag og torsdag

Opgavekriterier (lederens svar):
  [Ja ] Er opgaven konkret og afgrænset?
  [Ja ] Gentages opgaven hver gang eller i faste intervaller?
  [NEJ] Kan opgaven tåle ikke at blive udført ved fravær?  <-- følg op
  [Ja ] Kan opgaven let indgå i andre medarbejderes opgaveløsning ved fravær?
  [Ja ] Frigiver opgaven andre medarbejderes tid til mere komplekse eller fagligt krævende opgaver?
  Ikke besvaret med ja: 1 af 5 kriterier - følg op med lederen.

Kompetencer:        Mødestabil, Omhyggelig
Timer pr. uge:      7,5
Arbejdstider:       tirsdag og torsdag 9-13
Forventet opstart:  mandag 04.01.2027
Varighed:           6 måneder, planlagt slut 03.07.2027
Midlertidig fordi:  Ansættelsen er midlertidig, fordi opgaven er afgrænset til oprydning \
efter ombygningen og skal løses inden sommeren 2027
Praktik først:      2 uger i praktik før ansættelsen (aftales og godkendes af \
virksomhedskonsulenten)
Krav:               Børneattest, GDPR-kursus
"""


def test_danish_job_description_is_exact() -> None:
    assert job_description_text(JOB) == DA_TEXT


def test_english_job_description_lines() -> None:
    lines = job_description_text(JOB, "en").splitlines()
    for line in [
        "Workplace:          Albertslund Bibliotek (CVR 65113015)",
        "Manager:            Lone Hansen",
        "Location:           Hovedbiblioteket",
        "Contact person:     Per Jensen (per@example.dk)",
        "Tasks (when/how often):",
        "- Sætte bøger på plads: dagligt",
        "Task criteria (the manager's answers):",
        "  [Yes] Is the task concrete and well defined?",
        "  [NO ] Can the task be left undone when the employee is absent?  <-- follow up",
        "  Not answered yes: 1 of 5 criteria - follow up with the manager.",
        "Competences:        Mødestabil, Omhyggelig",
        "Hours per week:     7.5",
        "Expected start:     Monday 2027-01-04",
        "Duration:           6 months, planned end 2027-07-03",
        "Internship first:   2 weeks of internship before the employment (agreed and approved "
        "by the consultant)",
        "Requirements:       Child-protection certificate (børneattest), GDPR course",
    ]:
        assert line in lines


def test_all_yes_no_internship_no_requirements() -> None:
    job = dataclasses.replace(JOB, criteria=dict.fromkeys(CRITERIA, True), internship_weeks=0,
                              requirements=(), duration_months=1, hours_per_week=Decimal(10))
    lines = job_description_text(job).splitlines()
    assert "  Alle kriterier er besvaret med ja." in lines
    assert not any("følg op" in line for line in lines)
    assert "Praktik først:      Ingen" in lines
    assert "Krav:               Ingen" in lines
    assert "Varighed:           1 måned, planlagt slut 03.02.2027" in lines
    assert "Timer pr. uge:      10" in lines
    en = job_description_text(job, "en").splitlines()
    assert "Internship first:   None" in en and "Requirements:       None" in en
    assert "Duration:           1 month, planned end 2027-02-03" in en


def test_unanswered_criterion_is_followed_up() -> None:
    criteria = dict.fromkeys(CRITERIA, True)
    del criteria["frees_staff"]
    lines = job_description_text(dataclasses.replace(JOB, criteria=criteria)).splitlines()
    assert ("  [ ? ] Frigiver opgaven andre medarbejderes tid til mere komplekse eller fagligt "
            "krævende opgaver?  <-- følg op") in lines
    assert "  Ikke besvaret med ja: 1 af 5 kriterier - følg op med lederen." in lines


@pytest.mark.parametrize(("start", "months", "end"), [
    (date(2026, 1, 1), 12, date(2026, 12, 31)),
    (date(2027, 1, 31), 1, date(2027, 2, 28)),
    (date(2027, 1, 4), 6, date(2027, 7, 3)),
])
def test_planned_end(start: date, months: int, end: date) -> None:
    assert planned_end(dataclasses.replace(JOB, start=start, duration_months=months)) == end


def test_all_requirements_named_in_order() -> None:
    job = dataclasses.replace(JOB, requirements=tuple(reversed(REQUIREMENTS)))
    assert ("Krav:               Børneattest, Straffeattest, GDPR-kursus, Tavshedserklæring"
            in job_description_text(job).splitlines())


def test_missing_values_and_template_placeholder_do_not_leak() -> None:
    job = dataclasses.replace(
        JOB, contact="", competences=(), tasks=(), working_times=" ",
        temporary_reason="Ansættelsen er midlertidig, fordi opgaven er afgrænset til xxx og "
                         "skal løses indenfor en bestemt tidshorisont xxx")
    text = job_description_text(job)
    lines = text.splitlines()
    assert "Kontaktperson:      Per Jensen" in lines
    assert "- ingen opgaver angivet" in lines
    assert "Kompetencer:        ingen angivet" in lines
    assert "Arbejdstider:       ikke angivet" in lines
    assert text.count("(skabelonteksten er ikke udfyldt helt - følg op)") == 1
    assert "None" not in text
    empty_reason = job_description_text(dataclasses.replace(JOB, temporary_reason=""))
    assert "Midlertidig fordi:  ikke angivet - følg op" in empty_reason.splitlines()


def test_sample_output_has_no_placeholders_or_none() -> None:
    for lang in ("da", "en"):
        subject, body = consultant_mail(JOB, 17, lang)
        for text in (job_description_text(JOB, lang), subject, body):
            assert "None" not in text and "xxx" not in text.lower()
            assert not CPR_LIKE.search(text)


def test_consultant_mail_danish() -> None:
    subject, body = consultant_mail(JOB, 17)
    assert subject == ("Ny jobbeskrivelse til godkendelse: Hovedbiblioteket "
                       "(Albertslund Bibliotek), 7,5 t/uge")
    lines = body.splitlines()
    assert lines[0] == ("Lone Hansen fra Albertslund Bibliotek har udfyldt skemaet til opgaver "
                        "og kompetencer for et job på få lønnede timer (jobbeskrivelse 17).")
    assert DA_TEXT in body
    for line in [
        "Næste skridt:",
        "1. Tjek om der er plads i puljen til 7,5 timer pr. uge: assistant pool --on 2027-01-04",
        "   assistant intakes approve 17 --cpr <CPR-nr.> --name \"<borgerens navn>\" "
        "--start 2027-01-04",
        "4. Følg op med lederen på de kriterier, der ikke er besvaret med ja.",
        "Udkastet til onboardingplan for de første 2 uger er vedhæftet; arbejdspladsen retter "
        "det til før opstart.",
        "Se jobbeskrivelsen igen med: assistant intakes show 17",
    ]:
        assert line in lines
    assert lines[-1] == "(automatisk besked)"


def test_consultant_mail_english_and_no_follow_up_step_when_all_yes() -> None:
    job = dataclasses.replace(JOB, criteria=dict.fromkeys(CRITERIA, True),
                              hours_per_week=Decimal("4.00"))
    subject, body = consultant_mail(job, 3, "en")
    assert subject == ("New job description for approval: Hovedbiblioteket "
                       "(Albertslund Bibliotek), 4 h/week")
    lines = body.splitlines()
    assert ("   assistant intakes approve 3 --cpr <CPR number> --name \"<citizen's name>\" "
            "--start 2027-01-04") in lines
    assert "The draft onboarding plan for the first 2 weeks is attached; the workplace edits " \
           "it before the start." in lines
    assert not any(line.startswith("4.") for line in lines)
    assert job_description_text(job, "en") in body


def test_exported_names_cover_every_key_in_both_languages() -> None:
    assert list(CRITERION_NAMES) == list(CRITERIA)
    assert set(CRITERION_WHY) == set(CRITERIA)
    assert list(REQUIREMENT_NAMES) == list(REQUIREMENTS)
    for table in (CRITERION_NAMES, CRITERION_WHY, REQUIREMENT_NAMES):
        for names in table.values():
            assert set(names) == {"da", "en"} and all(n.strip() for n in names.values())
    for names in CRITERION_NAMES.values():
        assert names["da"].endswith("?") and names["en"].endswith("?")
    assert CRITERION_NAMES["concrete"]["da"] == "Er opgaven konkret og afgrænset?"
    assert REQUIREMENT_NAMES["confidentiality"]["da"] == "Tavshedserklæring"


@pytest.mark.parametrize(("value", "da", "en"), [
    (Decimal("7.5"), "7,5", "7.5"), (Decimal("10.00"), "10", "10"),
    (Decimal("7.25"), "7,25", "7.25"),
])
def test_hours(value: Decimal, da: str, en: str) -> None:
    assert hours(value, "da") == da and hours(value, "en") == en
