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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from handlers.i18n import render
from handlers.job import JobDescription
from handlers.job_texts import hours, weekday_date, weeks_text
from handlers.locale.onboarding import ONBOARDING
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


# A checklist line: (what, who is responsible) -> "- [ ] what — ansvarlig: who".
Item = Callable[[str, str], str]


def _say(key: str, lang: Language, **values: object) -> str:
    """A text of the onboarding section of the catalogue (handlers.locale.onboarding)."""
    return render(ONBOARDING, key, lang, **values)


def _or_missing(text: str | None, lang: Language) -> str:
    text = _cell(text or "")
    return text if text else _say("not_given", lang)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def onboarding_plan(job: JobDescription, lang: Language = "da",
                    confidentiality_url: str = "") -> str:
    """The onboarding plan for the first two weeks, as a Markdown draft;
    ``confidentiality_url`` is where the installation's confidentiality declaration is
    filled in (none: the workplace uses its own form)."""
    def say(key: str, **values: object) -> str:
        return _say(key, lang, **values)

    manager = _or_missing(job.manager_name, lang)
    contact_name = _or_missing(job.contact_name, lang)
    leader = say("leader", name=manager)
    contact = say("contact", name=contact_name)
    pattern = working_pattern(job.working_times or "")

    def item(text: str, who: str) -> str:
        return f"- [ ] {text} — {say('responsible')}: {who}"

    out = _head(job, lang, manager, contact_name)
    out += ["", f"## {say('before.heading')}", ""]
    out += _before_start(job, lang, item, leader, contact, confidentiality_url)
    out += _week_one(job, lang, pattern, item, leader, contact)
    out += _week_two(job, lang, pattern, item, contact, contact_name)
    return "\n".join(out) + "\n"


def _head(job: JobDescription, lang: Language, manager: str, contact_name: str) -> list[str]:
    """The title, the draft note and the facts of the job."""
    def label(key: str) -> str:
        return _say(f"label.{key}", lang)

    location = _or_missing(job.location, lang)
    workplace = _or_missing(job.workplace_name, lang)
    out = [
        f"# {_say('title', lang, location=location, workplace=workplace)}",
        "",
        f"> {_say('draft', lang)}",
        "",
        f"- **{label('contact')}:** {contact_name}"
        + (f" ({_cell(job.contact)})" if _cell(job.contact or "") else ""),
        f"- **{label('manager')}:** {manager}",
        f"- **{label('start')}:** {weekday_date(job.start, lang)}",
        f"- **{label('hours')}:** {hours(job.hours_per_week, lang)}",
        f"- **{label('working_times')}:** {_or_missing(job.working_times, lang)}",
    ]
    if job.internship_weeks > 0:
        out.append(f"- **{label('internship')}:** {weeks_text(job.internship_weeks, lang)}")
    return out


def _before_start(job: JobDescription, lang: Language, item: Item, leader: str,
                  contact: str, confidentiality_url: str) -> list[str]:
    """The checklist before the start (Inden opstart), with who is responsible."""
    def say(key: str, **values: object) -> str:
        return _say(key, lang, **values)

    required = set(job.requirements)
    team = say("team")
    out = []
    if job.internship_weeks > 0:
        out.append(item(say("before.internship", weeks=weeks_text(job.internship_weeks, lang)),
                        leader))
    out += [item(say("before.consultant"), leader), item(say("before.candidate"), leader),
            item(say("before.task_list"), team)]
    certificates = [say(f"certificate.{key}") for key in ("child_certificate", "criminal_record")
                    if key in required]
    if certificates:
        out.append(item(say("before.certificates", certificates=say("and").join(certificates)),
                        leader))
    if "gdpr_course" in required:
        out.append(item(say("before.gdpr"), contact))
    out += [item(say("before.it"), contact), item(say("before.test_it"), contact),
            item(say("before.desk"), contact)]
    if "confidentiality" in required and confidentiality_url:
        out.append(item(say("before.confidentiality_link", url=confidentiality_url), contact))
    elif "confidentiality" in required:
        out.append(item(say("before.confidentiality_form"), contact))
    out.append(item(say("before.emergency_list"), contact))
    return out


def _week_one(job: JobDescription, lang: Language, pattern: WorkingPattern, item: Item,
              leader: str, contact: str) -> list[str]:
    """Week 1: the pamphlet's program on three days."""
    def say(key: str, **values: object) -> str:
        return _say(key, lang, **values)

    day1, day2, day3 = program_days(job.start, pattern.days)
    first, middle, last = program_times(pattern)
    tour, intro, check = program_times(pattern, (0.5, 0.75))  # day 2: 60, 30, 30 minutes
    login = say("day1.login_confidentiality" if "confidentiality" in job.requirements
                else "day1.login")
    program = [
        (day1, [(first, say("day1.team_meeting"), say("everyone")),
                (middle, login, contact),
                (last, say("day1.wrap_up"), leader)]),
        (day2, [(tour, say("day2.tour"), contact),
                (intro, say("day2.intro"), contact),
                (check, say("start_follow_up"), leader)]),
        (day3, [(first, say("day3.tasks"), contact),
                (middle, say("day3.on_their_own"), say("newcomer")),
                (last, say("start_follow_up"), leader)]),
    ]
    working = _or_missing(job.working_times, lang)
    note = say("week1.note_working_times" if pattern.days or pattern.start
               else "week1.note_suggested", working=working)
    out = ["", f"## {say('week1.heading', date=weekday_date(day1, lang))}", "", note]
    for when, rows in program:
        out += ["", f"### {_capital(weekday_date(when, lang))}", "", say("program.header"),
                "|---|---|---|"]
        out += [f"| {time} | {what} | {_capital(who)} |" for time, what, who in rows]
    out += ["", item(say("week1.social"), contact), item(say("week1.no_show"), leader)]
    return out


def _week_two(job: JobDescription, lang: Language, pattern: WorkingPattern, item: Item,
              contact: str, contact_name: str) -> list[str]:
    """Week 2: the job's tasks, taken over gradually, and a follow-up talk."""
    def say(key: str, **values: object) -> str:
        return _say(key, lang, **values)

    week2 = week_two(job.start, pattern.days)
    follow_up = follow_up_day(job.start, pattern.days)
    out = ["", f"## {say('week2.heading', date=weekday_date(week2, lang))}", "",
           say("week2.intro"), "", say("tasks.header"), "|---|---|---|"]
    if job.tasks:
        out += [f"| {_or_missing(t.title, lang)} | {_or_missing(t.frequency, lang)} | "
                f"{contact_name} |" for t in job.tasks]
    else:
        out.append(f"| {say('no_tasks')} | | {contact_name} |")
    out += ["", item(say("week2.follow_up_talk", date=weekday_date(follow_up, lang)), contact)]
    return out
