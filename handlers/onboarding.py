"""The onboarding plan (onboardingplan) for the first two weeks, as a Markdown draft the
workplace edits, prefilled from the completed task-and-competence form.

It follows the pamphlet's template (section 7, "Hvordan kan en onboarding plan se ud?"):
a "before the start" checklist with who is responsible, a week-1 program of three short
mornings, and week 2 with the job's tasks and a follow-up talk.

Days and times follow the form's working times (``job.working_times``) when they can
be read (:func:`working_pattern`: "tirsdag og torsdag 10-13", "man-fre 9.30-12",
"Monday and Wednesday 8-10"); the plan must not put the first day on a Monday when
the job is on Tuesdays and Thursdays. Precisely (pure: the dates come from
``job.start``, never from a clock):
- with working days: days 1-3 are the first three working days on or after the start;
  without them, day 1 is the start (the Monday after it on a weekend) and days 2 and 3
  each come two working days (Monday-Friday) after the one before, so a Monday start
  gives the pamphlet's Monday, Wednesday and Friday;
- each day's program (two hours in the pamphlet: 09:00-11:00) begins at the working
  time's start and is shortened to fit a shorter working time;
- week 1 starts on day 1, week 2 seven days later (or the day after day 3, when the
  three days take longer than a week); the follow-up talk is on the last working day of
  week 2.

Links are the installation's (``[jobcenter] confidentiality_url``), never one
municipality's intranet.

The contact person (fast kontaktperson) is the pamphlet's "primær ansvarlig".
Requirements (certificates, GDPR course, confidentiality declaration) appear only when
the job requires them; the internship line only when there is an internship.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from handlers.job import JobDescription
from handlers.job_texts import hours, weekday_date, weeks_text
from handlers.texts import Language

WORKING_DAYS = (0, 1, 2, 3, 4)  # Monday-Friday
PROGRAM_START, PROGRAM_MINUTES = time(9, 0), 120  # the pamphlet's 09:00-11:00

# Full weekday names (and plurals: "tirsdage", "mondays"); abbreviations only in a range
# ("man-fre"), where "man" cannot be the Danish pronoun.
_DAYS = {name: i for i, names in enumerate((
    ("mandag", "monday"), ("tirsdag", "tuesday"), ("onsdag", "wednesday"),
    ("torsdag", "thursday"), ("fredag", "friday"), ("lørdag", "saturday"),
    ("søndag", "sunday"))) for name in names}
_SHORT = {name: i for i, names in enumerate((
    ("man", "mon"), ("tir", "tirs", "tue", "tues"), ("ons", "wed"),
    ("tor", "tors", "thu", "thur", "thurs"), ("fre", "fri"), ("lør", "sat"),
    ("søn", "sun"))) for name in names}
_EVERY_WEEKDAY = {"hverdag", "hverdage", "weekday", "weekdays"}
_RANGE = re.compile(r"([a-zæøå]+)\.?\s*(?:-|–|til|to)\s*([a-zæøå]+)")
_TIMES = re.compile(r"(?<![\d.:])(\d{1,2})(?:[.:](\d{2}))?\s*(?:-|–|til|to)\s*"
                    r"(\d{1,2})(?:[.:](\d{2}))?(?![\d.:])")


@dataclass(frozen=True)
class WorkingPattern:
    """What the form's working times say: weekdays (0 = Monday) and hours, if read."""

    days: tuple[int, ...] = ()
    start: time | None = None
    end: time | None = None


def _day(word: str, short: bool) -> int | None:
    for form in (word, word[:-1] if word.endswith(("e", "s")) else word):
        if form in _DAYS:
            return _DAYS[form]
        if short and form in _SHORT:
            return _SHORT[form]
    return None


def working_pattern(text: str) -> WorkingPattern:
    """The weekdays and hours in free text like "tirsdag og torsdag 10-13"."""
    low = text.lower()
    days: set[int] = set()
    for first, last in _RANGE.findall(low):
        a, b = _day(first, True), _day(last, True)
        if a is not None and b is not None:
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    for word in re.findall(r"[a-zæøå]+", low):
        if word in _EVERY_WEEKDAY:
            days.update(WORKING_DAYS)
        found = _day(word, False)
        if found is not None:
            days.add(found)
    start = end = None
    match = _TIMES.search(low)
    if match:
        h1, m1, h2, m2 = (int(g) if g else 0 for g in match.groups())
        if h1 < 24 and h2 < 24 and m1 < 60 and m2 < 60 and (h2, m2) > (h1, m1):
            start, end = time(h1, m1), time(h2, m2)
    return WorkingPattern(tuple(sorted(days)), start, end)


def add_working_days(start: date, days: int) -> date:
    """The day ``days`` working days (Monday-Friday) after ``start``."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def program_days(start: date, days: tuple[int, ...] = ()) -> tuple[date, date, date]:
    """The three program days for an expected start and the job's working weekdays
    (none known: every other working day; see the module doc)."""
    if days:
        found: list[date] = []
        current = start
        while len(found) < 3:
            if current.weekday() in days:
                found.append(current)
            current += timedelta(days=1)
        return found[0], found[1], found[2]
    first = start
    while first.weekday() >= 5:
        first += timedelta(days=1)
    second = add_working_days(first, 2)
    return first, second, add_working_days(second, 2)


def week_two(start: date, days: tuple[int, ...] = ()) -> date:
    """The first day of week 2: a week after day 1, or the day after day 3 if later."""
    first, _second, third = program_days(start, days)
    return max(first + timedelta(days=7), third + timedelta(days=1))


def follow_up_day(start: date, days: tuple[int, ...] = ()) -> date:
    """The last working day of week 2 (of the job's working days when known)."""
    last = week_two(start, days) + timedelta(days=6)
    while last.weekday() not in (days or WORKING_DAYS):
        last -= timedelta(days=1)
    return last


def program_times(pattern: WorkingPattern, split: tuple[float, float] = (0.25, 0.75)
                  ) -> tuple[str, str, str]:
    """The three time slots of a program day: two hours from the working time's start
    (09:00), shortened to a shorter working time, cut at the fractions ``split`` (the
    pamphlet's day 1: 30, 60 and 30 minutes)."""
    begin = pattern.start or PROGRAM_START
    minutes = PROGRAM_MINUTES
    if pattern.start and pattern.end:
        window = (datetime.combine(date.min, pattern.end)
                  - datetime.combine(date.min, pattern.start)).seconds // 60
        minutes = min(minutes, window)
    marks = [datetime.combine(date.min, begin) + timedelta(minutes=5 * round(minutes * f / 5))
             for f in (0, *split, 1)]
    text = [mark.strftime("%H:%M") for mark in marks]
    return f"{text[0]}-{text[1]}", f"{text[1]}-{text[2]}", f"{text[2]}-{text[3]}"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell or list item (one line, pipes escaped)."""
    return " ".join(text.split()).replace("|", "\\|")


def _or_missing(text: str | None, lang: Language) -> str:
    text = _cell(text or "")
    return text if text else ("ikke angivet" if lang == "da" else "not given")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def onboarding_plan(job: JobDescription, lang: Language = "da",
                    confidentiality_url: str = "") -> str:
    """The onboarding plan for the first two weeks, as a Markdown draft;
    ``confidentiality_url`` is where the installation's confidentiality declaration is
    filled in (none: the workplace uses its own form)."""
    da = lang == "da"
    manager = _or_missing(job.manager_name, lang)
    contact_name = _or_missing(job.contact_name, lang)
    leader = f"leder ({manager})" if da else f"manager ({manager})"
    contact = f"kontaktperson ({contact_name})" if da else f"contact person ({contact_name})"
    team = "team"
    everyone = "alle" if da else "everyone"
    newcomer = "den nye kollega" if da else "the new colleague"
    required = set(job.requirements)
    pattern = working_pattern(job.working_times or "")
    day1, day2, day3 = program_days(job.start, pattern.days)
    week2 = week_two(job.start, pattern.days)
    follow_up = follow_up_day(job.start, pattern.days)
    first, middle, last = program_times(pattern)
    tour, intro, check = program_times(pattern, (0.5, 0.75))  # day 2: 60, 30, 30 minutes
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
    if "confidentiality" in required and confidentiality_url:
        out.append(item(
            f"Send link til tavshedserklæringen, som udfyldes digitalt: {confidentiality_url}"
            if da else
            "Send the link to the confidentiality declaration (tavshedserklæring), filled in "
            f"online: {confidentiality_url}", contact))
    elif "confidentiality" in required:
        out.append(item(
            "Send tavshedserklæringen til den nye kollega (arbejdspladsens blanket)" if da else
            "Send the confidentiality declaration (tavshedserklæring) to the new colleague "
            "(the workplace's own form)", contact))
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
        (day1, [(first, "Kort teammøde, hvor den nye kollega møder teamet" if da else
                 "Short team meeting where the new colleague meets the team", everyone),
                (middle, login, contact),
                (last, "Møde: afslutning/opfølgning på dagen" if da else
                 "Meeting: wrap-up/follow-up on the day", leader)]),
        (day2, [(tour, "Rundvisning på arbejdspladsen" if da else
                 "Tour of the workplace", contact),
                (intro, "Intromøde med primære kollegaer" if da else
                 "Intro meeting with the closest colleagues", contact),
                (check, "Kort opfølgning på opstart" if da else
                 "Short follow-up on the start", leader)]),
        (day3, [(first, "Introduktion til opgaver" if da else
                 "Introduction to the tasks", contact),
                (middle, "Opgaver på egen hånd" if da else
                 "Working on the tasks on their own", newcomer),
                (last, "Kort opfølgning på opstart" if da else
                 "Short follow-up on the start", leader)]),
    ]
    working = _or_missing(job.working_times, lang)
    if pattern.days or pattern.start:
        note = (f"Dage og tidspunkter følger arbejdstiden ({working}) fra den forventede "
                "opstart; ret dem efter behov." if da else
                f"Days and times follow the working times ({working}) from the expected "
                "start; adjust them as needed.")
    else:
        note = (f"Dage og tidspunkter er forslag ud fra den forventede opstart; læg "
                f"programmet inden for arbejdstiden ({working})." if da else
                f"Days and times are suggestions based on the expected start; fit the "
                f"program into the working times ({working}).")
    out += [
        "",
        (f"## Uge 1 (fra {weekday_date(day1, lang)})" if da else
         f"## Week 1 (from {weekday_date(day1, lang)})"),
        "",
        note,
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
