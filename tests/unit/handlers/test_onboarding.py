"""The onboarding plan: exact lines for a sample job, the week-1/2 dates, what is
included only when the job requires it, and the Markdown structure."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from handlers.job import CRITERIA, REQUIREMENTS, JobDescription, Task
from handlers.onboarding import (
    WorkingPattern,
    add_working_days,
    follow_up_day,
    onboarding_plan,
    program_days,
    program_times,
    working_pattern,
)
from handlers.texts import Language

# The installation's own link ([jobcenter] confidentiality_url), never a fixed intranet.
CONFIDENTIALITY_URL = "https://intra.kommune.example/tavshedserklaering"

JOB = JobDescription(
    workplace_name="Albertslund Bibliotek", cvr="65113015", manager_name="Lone Hansen",
    location="Hovedbiblioteket", contact_name="Per Jensen", contact="per@example.dk",
    tasks=(Task("Sætte bøger på plads", "dagligt", "library"),
           Task("Oprydning i læsesalen", "tirsdag og torsdag")),
    criteria=dict.fromkeys(CRITERIA, True), competences=("Mødestabil",),
    hours_per_week=Decimal("7.5"), working_times="tirsdag og torsdag 9-13",
    start=date(2027, 1, 4), duration_months=6,  # a Monday
    temporary_reason="Ansættelsen er midlertidig, fordi opgaven er afgrænset til oprydning",
    internship_weeks=0, requirements=(),
)

DA_PLAN = """\
# Onboardingplan: Hovedbiblioteket (Albertslund Bibliotek)

> Udkast, udfyldt ud fra jobbeskrivelsen. Arbejdspladsen retter og supplerer planen før opstart.

- **Kontaktperson:** Per Jensen (per@example.dk)
- **Leder:** Lone Hansen
- **Forventet opstart:** mandag 04.01.2027
- **Timer pr. uge:** 7,5
- **Arbejdstider:** tirsdag og torsdag 9-13

## Før start

- [ ] Samtale med virksomhedskonsulenten i Jobcentret om det rette match og den konkrete \
kandidat — ansvarlig: leder (Lone Hansen)
- [ ] Samtale med kandidaten: forventningsafstemning, aftaler om konkrete opgaver og \
mødetid — ansvarlig: leder (Lone Hansen)
- [ ] Lav opgaveliste: konkrete opgaver, evt. faste opgaver (se uge 2) — ansvarlig: team
- [ ] Opret i IT: mail og adgang til IT-systemer — ansvarlig: kontaktperson (Per Jensen)
- [ ] Test IT-udstyr — ansvarlig: kontaktperson (Per Jensen)
- [ ] Find plads på kontoret eller garderobe/omklædning — ansvarlig: kontaktperson (Per Jensen)
- [ ] Udlevér tilkaldeliste til kandidaten, udfyldes med nærmeste pårørende — ansvarlig: \
kontaktperson (Per Jensen)

## Uge 1 (fra tirsdag 05.01.2027)

Dage og tidspunkter følger arbejdstiden (tirsdag og torsdag 9-13) fra den forventede \
opstart; ret dem efter behov.

### Tirsdag 05.01.2027

| Tid | Aktivitet | Ansvarlig |
|---|---|---|
| 09:00-09:30 | Kort teammøde, hvor den nye kollega møder teamet | Alle |
| 09:30-10:30 | Login på pc, tilkaldeliste (nærmeste pårørende) | Kontaktperson (Per Jensen) |
| 10:30-11:00 | Møde: afslutning/opfølgning på dagen | Leder (Lone Hansen) |

### Torsdag 07.01.2027

| Tid | Aktivitet | Ansvarlig |
|---|---|---|
| 09:00-10:00 | Rundvisning på arbejdspladsen | Kontaktperson (Per Jensen) |
| 10:00-10:30 | Intromøde med primære kollegaer | Kontaktperson (Per Jensen) |
| 10:30-11:00 | Kort opfølgning på opstart | Leder (Lone Hansen) |

### Tirsdag 12.01.2027

| Tid | Aktivitet | Ansvarlig |
|---|---|---|
| 09:00-09:30 | Introduktion til opgaver | Kontaktperson (Per Jensen) |
| 09:30-10:30 | Opgaver på egen hånd | Den nye kollega |
| 10:30-11:00 | Kort opfølgning på opstart | Leder (Lone Hansen) |

- [ ] Sørg for, at den nye kollega bliver en del af det sociale på arbejdspladsen (pauser, \
frokost mv.) — ansvarlig: kontaktperson (Per Jensen)
- [ ] Hvis den nye kollega ikke møder som aftalt, gives besked til virksomhedskonsulenten — \
ansvarlig: leder (Lone Hansen)

## Uge 2 (fra onsdag 13.01.2027)

Den nye kollega overtager gradvist opgaverne fra jobbeskrivelsen; kontaktpersonen \
introducerer dem og justerer opgaver og arbejdstid efter behov.

| Opgave | Hvornår/frekvens | Kontaktperson |
|---|---|---|
| Sætte bøger på plads | dagligt | Per Jensen |
| Oprydning i læsesalen | tirsdag og torsdag | Per Jensen |

- [ ] Opfølgningssamtale om opgaver, arbejdstid og trivsel, tirsdag 19.01.2027 — ansvarlig: \
kontaktperson (Per Jensen)
"""

TASK_ITEM = re.compile(r"^- \[ \] \S.* — (ansvarlig|responsible): \S.*$")


def _headings(plan: str, level: str) -> list[str]:
    return [line for line in plan.splitlines() if line.startswith(level + " ")]


def test_danish_plan_for_a_monday_start_is_exact() -> None:
    assert onboarding_plan(JOB) == DA_PLAN


BY_AGREEMENT = dataclasses.replace(JOB, working_times="")  # no days or times to follow


def test_english_plan_lines() -> None:
    plan = onboarding_plan(BY_AGREEMENT, "en")
    lines = plan.splitlines()
    assert lines[0] == "# Onboarding plan: Hovedbiblioteket (Albertslund Bibliotek)"
    assert lines[2] == ("> Draft, filled in from the job description. The workplace edits and "
                        "completes the plan before the start.")
    for line in [
        "- **Contact person:** Per Jensen (per@example.dk)",
        "- **Expected start:** Monday 2027-01-04",
        "- **Hours per week:** 7.5",
        "## Before the start",
        "- [ ] Make a task list: concrete tasks, maybe fixed tasks (see week 2) — responsible: "
        "team",
        "## Week 1 (from Monday 2027-01-04)",
        "### Monday 2027-01-04", "### Wednesday 2027-01-06", "### Friday 2027-01-08",
        "| Time | Activity | Responsible |",
        "| 09:00-09:30 | Short team meeting where the new colleague meets the team | Everyone |",
        "## Week 2 (from Monday 2027-01-11)",
        "| Task | When/how often | Contact person |",
        "| Sætte bøger på plads | dagligt | Per Jensen |",
        "- [ ] Follow-up talk about tasks, working times and well-being, Friday 2027-01-15 — "
        "responsible: contact person (Per Jensen)",
    ]:
        assert line in lines


def test_mid_week_start_keeps_the_real_weekday_names() -> None:
    plan = onboarding_plan(dataclasses.replace(BY_AGREEMENT, start=date(2027, 1, 7)))  # Thu
    assert _headings(plan, "##")[1:] == ["## Uge 1 (fra torsdag 07.01.2027)",
                                         "## Uge 2 (fra torsdag 14.01.2027)"]
    assert _headings(plan, "###") == ["### Torsdag 07.01.2027", "### Mandag 11.01.2027",
                                      "### Onsdag 13.01.2027"]
    assert ("- [ ] Opfølgningssamtale om opgaver, arbejdstid og trivsel, onsdag 20.01.2027 — "
            "ansvarlig: kontaktperson (Per Jensen)") in plan.splitlines()


def test_weekend_start_begins_the_next_monday() -> None:
    assert program_days(date(2027, 1, 9)) == (date(2027, 1, 11), date(2027, 1, 13),
                                              date(2027, 1, 15))
    assert program_days(date(2027, 1, 10))[0] == date(2027, 1, 11)
    assert follow_up_day(date(2027, 1, 9)) == date(2027, 1, 22)


@pytest.mark.parametrize("offset", range(7))
def test_program_days_for_every_weekday(offset: int) -> None:
    start = date(2027, 1, 4) + timedelta(days=offset)
    first, second, third = program_days(start)
    assert all(d.weekday() < 5 for d in (first, second, third))
    assert start <= first < second < third <= first + timedelta(days=6)
    assert first == start or start.weekday() >= 5
    follow_up = follow_up_day(start)
    assert follow_up.weekday() < 5
    assert first + timedelta(days=7) <= follow_up <= first + timedelta(days=13)


def test_add_working_days_skips_the_weekend() -> None:
    assert add_working_days(date(2027, 1, 8), 1) == date(2027, 1, 11)  # Friday -> Monday
    assert add_working_days(date(2027, 1, 6), 2) == date(2027, 1, 8)


def test_requirements_only_when_required() -> None:
    plan = onboarding_plan(JOB)
    for word in ("børneattest", "straffeattest", "GDPR", "tavshedserklæring",
                 CONFIDENTIALITY_URL):
        assert word not in plan
    lines = onboarding_plan(dataclasses.replace(JOB, requirements=REQUIREMENTS),
                            confidentiality_url=CONFIDENTIALITY_URL).splitlines()
    for line in [
        "- [ ] Indhent børneattest og straffeattest (krav for jobbet) — ansvarlig: leder "
        "(Lone Hansen)",
        "- [ ] Bestil GDPR-kursus (krav for jobbet) — ansvarlig: kontaktperson (Per Jensen)",
        f"- [ ] Send link til tavshedserklæringen, som udfyldes digitalt: {CONFIDENTIALITY_URL}"
        " — ansvarlig: kontaktperson (Per Jensen)",
        "| 09:30-10:30 | Login på pc, tavshedserklæring, tilkaldeliste (nærmeste pårørende) | "
        "Kontaktperson (Per Jensen) |",
    ]:
        assert line in lines
    only = onboarding_plan(dataclasses.replace(JOB, requirements=("criminal_record",)))
    assert ("- [ ] Indhent straffeattest (krav for jobbet) — ansvarlig: leder (Lone Hansen)"
            in only.splitlines())
    assert "børneattest" not in only and "GDPR" not in only
    # the certificates come after the task list and before the IT set-up, as in the pamphlet
    order = [line.split(" — ")[0] for line in lines if line.startswith("- [ ]")]
    assert order.index("- [ ] Lav opgaveliste: konkrete opgaver, evt. faste opgaver (se uge 2)") \
        < order.index("- [ ] Indhent børneattest og straffeattest (krav for jobbet)") \
        < order.index("- [ ] Opret i IT: mail og adgang til IT-systemer")


def test_internship_line_only_when_there_is_one() -> None:
    assert "raktik" not in onboarding_plan(JOB)
    lines = onboarding_plan(dataclasses.replace(JOB, internship_weeks=3)).splitlines()
    assert "- **Praktik først:** 3 uger" in lines
    first_item = lines[lines.index("## Før start") + 2]
    assert first_item == (
        "- [ ] Aftal praktik i 3 uger før ansættelsen med virksomhedskonsulenten, som "
        "godkender den. I praktikken må kandidaten udføre alle typer opgaver, men ikke have "
        "ansvaret for dem — ansvarlig: leder (Lone Hansen)")


@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("requirements", [(), REQUIREMENTS])
def test_markdown_structure(lang: Language, requirements: tuple[str, ...]) -> None:
    plan = onboarding_plan(dataclasses.replace(JOB, requirements=requirements,
                                               internship_weeks=2), lang)
    lines = plan.splitlines()
    assert len(_headings(plan, "#")) == 1 and lines[0].startswith("# ")
    assert len(_headings(plan, "##")) == 3 and len(_headings(plan, "###")) == 3
    items = [line for line in lines if line.startswith("- [")]
    assert items and all(TASK_ITEM.match(line) for line in items)
    tables = [line for line in lines if line.startswith("|")]
    assert len(tables) == 3 * 5 + 4  # three program days, the week-2 task table
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 4 for line in tables)
    assert "None" not in plan and "xxx" not in plan.lower() and "xx " not in plan


def test_task_text_cannot_break_the_markdown() -> None:
    job = dataclasses.replace(JOB, tasks=(Task("Post | pakker\nsortere", " hver  dag "),),
                              contact="", working_times="")
    lines = onboarding_plan(job).splitlines()
    assert "| Post \\| pakker sortere | hver dag | Per Jensen |" in lines
    assert "- **Kontaktperson:** Per Jensen" in lines
    assert "- **Arbejdstider:** ikke angivet" in lines


def test_no_tasks_still_gives_a_table_row() -> None:
    lines = onboarding_plan(dataclasses.replace(JOB, tasks=())).splitlines()
    assert "| ingen opgaver angivet | | Per Jensen |" in lines


def test_the_plan_follows_the_forms_working_days_and_times() -> None:
    """The form said "tirsdag og torsdag 10-13": the plan is not on Monday, Wednesday
    and Friday 09-11 (it was)."""
    plan = onboarding_plan(dataclasses.replace(JOB, working_times="tirsdag og torsdag 10-13"))
    assert _headings(plan, "###") == ["### Tirsdag 05.01.2027", "### Torsdag 07.01.2027",
                                      "### Tirsdag 12.01.2027"]
    lines = plan.splitlines()
    assert "| 10:00-10:30 | Kort teammøde, hvor den nye kollega møder teamet | Alle |" in lines
    assert "| 10:00-11:00 | Rundvisning på arbejdspladsen | Kontaktperson (Per Jensen) |" in (
        lines)
    assert "09:00" not in plan
    assert ("- [ ] Opfølgningssamtale om opgaver, arbejdstid og trivsel, tirsdag 19.01.2027 — "
            "ansvarlig: kontaktperson (Per Jensen)") in lines


@pytest.mark.parametrize(("text", "pattern"), [
    ("tirsdag og torsdag 10-13", WorkingPattern((1, 3), time(10), time(13))),
    ("man-fre 9.30-12", WorkingPattern((0, 1, 2, 3, 4), time(9, 30), time(12))),
    ("Mondays and Wednesdays 8:00-10:00", WorkingPattern((0, 2), time(8), time(10))),
    ("hverdage kl. 8-9", WorkingPattern((0, 1, 2, 3, 4), time(8), time(9))),
    ("man kan møde om formiddagen", WorkingPattern()),  # "man" is not Monday here
    ("efter aftale", WorkingPattern()),
])
def test_working_pattern(text: str, pattern: WorkingPattern) -> None:
    assert working_pattern(text) == pattern


def test_a_short_working_time_shortens_the_program() -> None:
    assert program_times(working_pattern("onsdag 8-9")) == (
        "08:00-08:15", "08:15-08:45", "08:45-09:00")


def test_no_municipality_link_unless_configured() -> None:
    job = dataclasses.replace(JOB, requirements=("confidentiality",))
    plan = onboarding_plan(job)
    assert "http" not in plan and "albertslund.dk" not in plan
    assert ("- [ ] Send tavshedserklæringen til den nye kollega (arbejdspladsens blanket) — "
            "ansvarlig: kontaktperson (Per Jensen)") in plan.splitlines()
