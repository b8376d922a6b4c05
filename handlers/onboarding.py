"""The onboarding plan (onboardingplan) for the first two weeks, as a Markdown draft the
workplace edits, prefilled from the completed task-and-competence form.

It follows the pamphlet's template (section 7, "Hvordan kan en onboarding plan se ud?"):
a "before the start" checklist with who is responsible, a week-1 program of three short
mornings, and week 2 with the job's tasks and a follow-up talk.

Dates, precisely (pure: they come from ``job.start``, never from a clock):
- day 1 is the expected start, or the Monday after it when it falls on a weekend;
- days 2 and 3 each come two working days (Monday-Friday) after the one before, so a
  Monday start gives the pamphlet's Monday, Wednesday and Friday, and a Thursday start
  gives Thursday, Monday and Wednesday. Each day is shown with its real weekday name;
- week 1 is the seven days from day 1 (all three days fall inside it), week 2 the seven
  days after that; the follow-up talk is on the last working day of week 2.

The contact person (fast kontaktperson) is the pamphlet's "primær ansvarlig".
Requirements (certificates, GDPR course, confidentiality declaration) appear only when
the job requires them; the internship line only when there is an internship.
"""

from __future__ import annotations

from datetime import date, timedelta

from handlers.job import JobDescription
from handlers.job_texts import hours, weekday_date, weeks_text
from handlers.texts import Language

# Where the workplace finds the confidentiality declaration (the pamphlet's link).
CONFIDENTIALITY_URL = ("https://medarbejdersiden.albertslund.dk/personaleforhold/"
                       "blanketter-og-skemaer/blanketter-og-skemaer#tavshedspligt-2e")


def add_working_days(start: date, days: int) -> date:
    """The day ``days`` working days (Monday-Friday) after ``start``."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def program_days(start: date) -> tuple[date, date, date]:
    """The three week-1 program days for an expected start (see the module doc)."""
    first = start
    while first.weekday() >= 5:
        first += timedelta(days=1)
    second = add_working_days(first, 2)
    return first, second, add_working_days(second, 2)


def follow_up_day(start: date) -> date:
    """The last working day of week 2: on or before day 1 + 13 days."""
    last = program_days(start)[0] + timedelta(days=13)
    while last.weekday() >= 5:
        last -= timedelta(days=1)
    return last


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell or list item (one line, pipes escaped)."""
    return " ".join(text.split()).replace("|", "\\|")


def _or_missing(text: str | None, lang: Language) -> str:
    text = _cell(text or "")
    return text if text else ("ikke angivet" if lang == "da" else "not given")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def onboarding_plan(job: JobDescription, lang: Language = "da") -> str:
    """The onboarding plan for the first two weeks, as a Markdown draft."""
    da = lang == "da"
    manager = _or_missing(job.manager_name, lang)
    contact_name = _or_missing(job.contact_name, lang)
    leader = f"leder ({manager})" if da else f"manager ({manager})"
    contact = f"kontaktperson ({contact_name})" if da else f"contact person ({contact_name})"
    team = "team"
    everyone = "alle" if da else "everyone"
    newcomer = "den nye kollega" if da else "the new colleague"
    required = set(job.requirements)
    day1, day2, day3 = program_days(job.start)
    week2 = day1 + timedelta(days=7)
    follow_up = follow_up_day(job.start)
    location = _or_missing(job.location, lang)
    workplace = _or_missing(job.workplace_name, lang)

    def item(text: str, who: str) -> str:
        return f"- [ ] {text} — {'ansvarlig' if da else 'responsible'}: {who}"

    out = [
        f"# {'Onboardingplan' if da else 'Onboarding plan'}: {location} ({workplace})",
        "",
        ("> Udkast, udfyldt ud fra jobbeskrivelsen. Arbejdspladsen retter og supplerer "
         "planen før opstart." if da else
         "> Draft, filled in from the job description. The workplace edits and completes "
         "the plan before the start."),
        "",
        f"- **{'Kontaktperson' if da else 'Contact person'}:** {contact_name}"
        + (f" ({_cell(job.contact)})" if _cell(job.contact or "") else ""),
        f"- **{'Leder' if da else 'Manager'}:** {manager}",
        f"- **{'Forventet opstart' if da else 'Expected start'}:** "
        f"{weekday_date(job.start, lang)}",
        f"- **{'Timer pr. uge' if da else 'Hours per week'}:** {hours(job.hours_per_week, lang)}",
        f"- **{'Arbejdstider' if da else 'Working times'}:** "
        f"{_or_missing(job.working_times, lang)}",
    ]
    if job.internship_weeks > 0:
        out.append(f"- **{'Praktik først' if da else 'Internship first'}:** "
                   f"{weeks_text(job.internship_weeks, lang)}")

    # Before the start (Inden opstart).
    out += ["", "## Før start" if da else "## Before the start", ""]
    if job.internship_weeks > 0:
        weeks = weeks_text(job.internship_weeks, lang)
        out.append(item(
            f"Aftal praktik i {weeks} før ansættelsen med virksomhedskonsulenten, som "
            "godkender den. I praktikken må kandidaten udføre alle typer opgaver, men ikke "
            "have ansvaret for dem" if da else
            f"Agree on {weeks} of internship before the employment with the consultant, who "
            "approves it. During the internship the candidate may do all kinds of tasks but "
            "must not be responsible for them", leader))
    out += [
        item("Samtale med virksomhedskonsulenten i Jobcentret om det rette match og den "
             "konkrete kandidat" if da else
             "Talk with the jobcenter's consultant about the right match and the candidate",
             leader),
        item("Samtale med kandidaten: forventningsafstemning, aftaler om konkrete opgaver og "
             "mødetid" if da else
             "Talk with the candidate: align expectations, agree on the tasks and working "
             "times", leader),
        item("Lav opgaveliste: konkrete opgaver, evt. faste opgaver (se uge 2)" if da else
             "Make a task list: concrete tasks, maybe fixed tasks (see week 2)", team),
    ]
    certificates = [name for key, name in (
        ("child_certificate", "børneattest" if da else "child-protection certificate"),
        ("criminal_record", "straffeattest" if da else "criminal record certificate"),
    ) if key in required]
    if certificates:
        joined = (" og " if da else " and ").join(certificates)
        out.append(item(f"Indhent {joined} (krav for jobbet)" if da else
                        f"Obtain the {joined} (required for the job)", leader))
    if "gdpr_course" in required:
        out.append(item("Bestil GDPR-kursus (krav for jobbet)" if da else
                        "Book the GDPR course (required for the job)", contact))
    out += [
        item("Opret i IT: mail og adgang til IT-systemer" if da else
             "Set up IT: e-mail and access to IT systems", contact),
        item("Test IT-udstyr" if da else "Test the IT equipment", contact),
        item("Find plads på kontoret eller garderobe/omklædning" if da else
             "Find a desk in the office or a locker/changing room", contact),
    ]
    if "confidentiality" in required:
        out.append(item(
            f"Send link til tavshedserklæringen, som udfyldes digitalt: {CONFIDENTIALITY_URL}"
            if da else
            "Send the link to the confidentiality declaration (tavshedserklæring), filled in "
            f"online: {CONFIDENTIALITY_URL}", contact))
    out.append(item(
        "Udlevér tilkaldeliste til kandidaten, udfyldes med nærmeste pårørende" if da else
        "Hand the candidate the emergency contact list, filled in with their next of kin",
        contact))

    # Week 1: the pamphlet's program on three days.
    login = ("Login på pc" + (", tavshedserklæring" if "confidentiality" in required else "")
             + ", tilkaldeliste (nærmeste pårørende)") if da else (
             "Log in on the PC" + (", confidentiality declaration"
                                   if "confidentiality" in required else "")
             + ", emergency contact list (next of kin)")
    program = [
        (day1, [("09:00-09:30", "Kort teammøde, hvor den nye kollega møder teamet" if da else
                 "Short team meeting where the new colleague meets the team", everyone),
                ("09:30-10:30", login, contact),
                ("10:30-11:00", "Møde: afslutning/opfølgning på dagen" if da else
                 "Meeting: wrap-up/follow-up on the day", leader)]),
        (day2, [("09:00-10:00", "Rundvisning på arbejdspladsen" if da else
                 "Tour of the workplace", contact),
                ("10:00-10:30", "Intromøde med primære kollegaer" if da else
                 "Intro meeting with the closest colleagues", contact),
                ("10:30-11:00", "Kort opfølgning på opstart" if da else
                 "Short follow-up on the start", leader)]),
        (day3, [("09:00-09:30", "Introduktion til opgaver" if da else
                 "Introduction to the tasks", contact),
                ("09:30-10:30", "Opgaver på egen hånd" if da else
                 "Working on the tasks on their own", newcomer),
                ("10:30-11:00", "Kort opfølgning på opstart" if da else
                 "Short follow-up on the start", leader)]),
    ]
    out += [
        "",
        (f"## Uge 1 (fra {weekday_date(day1, lang)})" if da else
         f"## Week 1 (from {weekday_date(day1, lang)})"),
        "",
        (f"Dage og tidspunkter er forslag ud fra den forventede opstart; læg programmet "
         f"inden for arbejdstiden ({_or_missing(job.working_times, lang)})." if da else
         f"Days and times are suggestions based on the expected start; fit the program "
         f"into the working times ({_or_missing(job.working_times, lang)})."),
    ]
    for when, rows in program:
        out += [
            "",
            f"### {_capital(weekday_date(when, lang))}",
            "",
            "| Tid | Aktivitet | Ansvarlig |" if da else "| Time | Activity | Responsible |",
            "|---|---|---|",
        ]
        out += [f"| {time} | {what} | {_capital(who)} |" for time, what, who in rows]
    out += [
        "",
        item("Sørg for, at den nye kollega bliver en del af det sociale på arbejdspladsen "
             "(pauser, frokost mv.)" if da else
             "Make sure the new colleague becomes part of the social life at work (breaks, "
             "lunch etc.)", contact),
        item("Hvis den nye kollega ikke møder som aftalt, gives besked til "
             "virksomhedskonsulenten" if da else
             "If the new colleague does not show up as agreed, tell the consultant", leader),
    ]

    # Week 2: the job's tasks, taken over gradually, and a follow-up talk.
    out += [
        "",
        (f"## Uge 2 (fra {weekday_date(week2, lang)})" if da else
         f"## Week 2 (from {weekday_date(week2, lang)})"),
        "",
        ("Den nye kollega overtager gradvist opgaverne fra jobbeskrivelsen; kontaktpersonen "
         "introducerer dem og justerer opgaver og arbejdstid efter behov." if da else
         "The new colleague gradually takes over the tasks from the job description; the "
         "contact person introduces them and adjusts tasks and working times as needed."),
        "",
        ("| Opgave | Hvornår/frekvens | Kontaktperson |" if da else
         "| Task | When/how often | Contact person |"),
        "|---|---|---|",
    ]
    if job.tasks:
        out += [f"| {_or_missing(t.title, lang)} | {_or_missing(t.frequency, lang)} | "
                f"{contact_name} |" for t in job.tasks]
    else:
        out.append(f"| {'ingen opgaver angivet' if da else 'no tasks given'} | | "
                   f"{contact_name} |")
    out += [
        "",
        item(f"Opfølgningssamtale om opgaver, arbejdstid og trivsel, "
             f"{weekday_date(follow_up, lang)}" if da else
             f"Follow-up talk about tasks, working times and well-being, "
             f"{weekday_date(follow_up, lang)}", contact),
    ]
    return "\n".join(out) + "\n"
