"""The job description as people read it: the text a consultant gets by e-mail when a
manager has filled in the task-and-competence form (Skema til opgaver og kompetencer),
and the names of the task criteria and requirements the chat bot asks about.

Pure: a :class:`~handlers.job.JobDescription` in, text out. The form is about the job,
never about a person, so no CPR number can reach these texts; the approve command in
the consultant's e-mail carries placeholders only.

Wording follows the municipality's pamphlet (opgavekriterier, fast kontaktperson,
forventet opstart, børneattest/straffeattest, GDPR-kursus, tavshedserklæring).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from handlers.i18n import Catalogue, Language, render
from handlers.job import CRITERIA, REQUIREMENTS, JobDescription
from handlers.register import hours_text, latest_end
from handlers.summary import day

# The job description's and the consultants' mail's words (section ``job``).
JOB: Catalogue = {
    "not_given": {"da": "ikke angivet", "en": "not given"},
    "none": {"da": "Ingen", "en": "None"},
    "none_given": {"da": "ingen angivet", "en": "none given"},
    "months.one": {"da": "{count} måned", "en": "{count} month"},
    "months.many": {"da": "{count} måneder", "en": "{count} months"},
    "weeks.one": {"da": "{count} uge", "en": "{count} week"},
    "weeks.many": {"da": "{count} uger", "en": "{count} weeks"},
    "label.workplace": {"da": "Arbejdsplads", "en": "Workplace"},
    "label.manager": {"da": "Leder", "en": "Manager"},
    "label.location": {"da": "Lokal arbejdsplads", "en": "Location"},
    "label.contact": {"da": "Kontaktperson", "en": "Contact person"},
    "label.competences": {"da": "Kompetencer", "en": "Competences"},
    "label.hours": {"da": "Timer pr. uge", "en": "Hours per week"},
    "label.working_times": {"da": "Arbejdstider", "en": "Working times"},
    "label.start": {"da": "Forventet opstart", "en": "Expected start"},
    "label.duration": {"da": "Varighed", "en": "Duration"},
    "label.reason": {"da": "Midlertidig fordi", "en": "Temporary because"},
    "label.internship": {"da": "Praktik først", "en": "Internship first"},
    "label.requirements": {"da": "Krav", "en": "Requirements"},
    "tasks": {"da": "Opgaver (hvornår/frekvens):", "en": "Tasks (when/how often):"},
    "no_tasks": {"da": "- ingen opgaver angivet", "en": "- no tasks given"},
    "criteria": {"da": "Opgavekriterier (lederens svar):",
                 "en": "Task criteria (the manager's answers):"},
    # Three characters wide each: the boxes line up.
    "mark.yes": {"da": "Ja ", "en": "Yes"},
    "mark.no": {"da": "NEJ", "en": "NO "},
    "follow_up": {"da": "  <-- følg op", "en": "  <-- follow up"},
    "criteria.unmet": {"da": "  Ikke besvaret med ja: {count} af {of} kriterier - følg op med "
                             "lederen.",
                       "en": "  Not answered yes: {count} of {of} criteria - follow up with "
                             "the manager."},
    "criteria.all_yes": {"da": "  Alle kriterier er besvaret med ja.",
                         "en": "  All criteria were answered yes."},
    "reason.missing": {"da": "ikke angivet - følg op", "en": "not given - follow up"},
    "reason.template_left": {"da": " (skabelonteksten er ikke udfyldt helt - følg op)",
                             "en": " (the template text is not completely filled in - "
                                   "follow up)"},
    "internship": {"da": "{weeks} i praktik før ansættelsen (aftales og godkendes af "
                         "virksomhedskonsulenten)",
                   "en": "{weeks} of internship before the employment (agreed and approved "
                         "by the consultant)"},
    "duration": {"da": "{months}, planlagt slut {end}", "en": "{months}, planned end {end}"},
    "mail.subject": {"da": "Ny jobbeskrivelse til godkendelse: {location} ({workplace}), "
                           "{hours} t/uge",
                     "en": "New job description for approval: {location} ({workplace}), "
                           "{hours} h/week"},
    "mail.intro": {"da": "{manager} fra {workplace} har udfyldt skemaet til opgaver og "
                         "kompetencer for et job på få lønnede timer (jobbeskrivelse "
                         "{number}).",
                   "en": "{manager} of {workplace} has filled in the task-and-competence form "
                         "for a job in a few paid hours (job description {number})."},
    "mail.next_steps": {"da": "Næste skridt:", "en": "Next steps:"},
    "mail.step_pool": {"da": "1. Tjek om der er plads i puljen til {hours} timer pr. uge: "
                             "assistant pool --on {start}",
                       "en": "1. Check that the pool has room for {hours} hours per week: "
                             "assistant pool --on {start}"},
    "mail.step_candidate": {"da": "2. Find en mulig kandidat, forventningsafstem med "
                                  "arbejdspladsen og book samtale med kandidaten på "
                                  "arbejdspladsen.",
                            "en": "2. Find a possible candidate, align expectations with the "
                                  "workplace and book an interview at the workplace."},
    "mail.step_approve": {"da": "3. Ved match: aftal startdato, periode og arbejdstid (evt. "
                                "praktik), og godkend ansættelsen:",
                          "en": "3. If it is a match: agree on start date, period and working "
                                "times (maybe an internship), and approve the employment:"},
    "mail.approve_command": {"da": "assistant intakes approve {number} --cpr <CPR-nr.> "
                                   "--name \"<borgerens navn>\" --start {start}",
                             "en": "assistant intakes approve {number} --cpr <CPR number> "
                                   "--name \"<citizen's name>\" --start {start}"},
    "mail.start_note": {"da": "   (--start er den forventede opstart; ret den, hvis I aftaler "
                              "en anden dato.)",
                        "en": "   (--start is the expected start; change it if you agree on "
                              "another date.)"},
    "mail.step_follow_up": {"da": "4. Følg op med lederen på de kriterier, der ikke er "
                                  "besvaret med ja.",
                            "en": "4. Follow up with the manager on the criteria not answered "
                                  "yes."},
    "mail.plan_attached": {"da": "Udkastet til onboardingplan for de første 2 uger er "
                                 "vedhæftet; arbejdspladsen retter det til før opstart.",
                           "en": "The draft onboarding plan for the first 2 weeks is "
                                 "attached; the workplace edits it before the start."},
    "mail.show_again": {"da": "Se jobbeskrivelsen igen med: assistant intakes show {number}",
                        "en": "Show the job description again: assistant intakes show "
                              "{number}"},
    "mail.automatic": {"da": "(automatisk besked)", "en": "(automatic message)"},
}


def say(lang: Language, key: str, **values: object) -> str:
    """A text of the job section of the catalogue."""
    return render(JOB, key, lang, **values)


# Each task criterion (opgavekriterie) as the yes/no question a manager answers.
CRITERION_NAMES: Catalogue = {
    "concrete": {"da": "Er opgaven konkret og afgrænset?",
                 "en": "Is the task concrete and well defined?"},
    "recurring": {"da": "Gentages opgaven hver gang eller i faste intervaller?",
                  "en": "Does the task recur, every time or at fixed intervals?"},
    "tolerates_absence": {"da": "Kan opgaven tåle ikke at blive udført ved fravær?",
                          "en": "Can the task be left undone when the employee is absent?"},
    "can_be_taken_over": {"da": "Kan opgaven let indgå i andre medarbejderes opgaveløsning "
                                "ved fravær?",
                          "en": "Can colleagues easily take the task over during an absence?"},
    "frees_staff": {"da": "Frigiver opgaven andre medarbejderes tid til mere komplekse eller "
                          "fagligt krævende opgaver?",
                    "en": "Does the task free other staff's time for more complex or "
                          "demanding work?"},
}

# Why each criterion matters (from the pamphlet, sections 1 and 3).
CRITERION_WHY: Catalogue = {
    "concrete": {"da": "Ansættelsen er tidsbegrænset og gælder en afgrænset opgave, som "
                       "arbejdspladsen har identificeret, og som kan løses inden for en "
                       "afgrænset periode.",
                 "en": "The employment is time-limited and covers a bounded task the workplace "
                       "has identified, one that can be done within a limited period."},
    "recurring": {"da": "Opgaver, der gentages hver gang eller i faste intervaller, er lette at "
                        "lære og giver den nye kollega faste rammer.",
                  "en": "Tasks that recur every time or at fixed intervals are easy to learn "
                        "and give the new colleague a steady routine."},
    "tolerates_absence": {"da": "Kandidaterne har udfordringer ud over ledighed og kan ikke "
                                "altid møde en given dag. Opgaven skal kunne undværes (den er "
                                "et ekstra gode på arbejdspladsen) og må ikke være afhængig af "
                                "at blive løst på et bestemt tidspunkt eller på en bestemt måde; "
                                "det mindsker presset på kandidaten og arbejdspladsen.",
                          "en": "The candidates have challenges beyond unemployment and cannot "
                                "always come in on a given day. The task must be something the "
                                "workplace can do without (an extra benefit) and must not depend "
                                "on a fixed time or way of doing it; that takes pressure off the "
                                "candidate and the workplace."},
    "can_be_taken_over": {"da": "Opgaven skal kunne løses af andre kollegaer, hvis kandidaten "
                                "ikke kan møde (måske har andre løst den tidligere); så står "
                                "arbejdet ikke stille ved fravær.",
                          "en": "Colleagues must be able to do the task when the candidate "
                                "cannot come in (perhaps others did it before), so work does "
                                "not stop during an absence."},
    "frees_staff": {"da": "Et job på få lønnede timer kan frigive faglige ressourcer på "
                          "arbejdspladsen til kerneopgaven.",
                    "en": "A job in a few paid hours can free skilled staff for the "
                          "workplace's core tasks."},
}

# The requirements (krav) a workplace may have, by name.
REQUIREMENT_NAMES: Catalogue = {
    "child_certificate": {"da": "Børneattest",
                          "en": "Child-protection certificate (børneattest)"},
    "criminal_record": {"da": "Straffeattest",
                        "en": "Criminal record certificate (straffeattest)"},
    "gdpr_course": {"da": "GDPR-kursus", "en": "GDPR course"},
    "confidentiality": {"da": "Tavshedserklæring",
                        "en": "Confidentiality declaration (tavshedserklæring)"},
}

WEEKDAYS: dict[Language, tuple[str, ...]] = {
    "da": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}

# The placeholder a manager may have left in the pamphlet's template reason.
_TEMPLATE_PLACEHOLDER = "xxx"
_WIDTH = 20


def hours(value: Decimal, lang: Language = "da") -> str:
    """``7,5`` in Danish, ``7.5`` in English; no trailing zeros."""
    text = hours_text(value)
    return text.replace(".", ",") if lang == "da" else text


def weekday_date(value: date, lang: Language = "da") -> str:
    """``mandag 04.01.2027`` / ``Monday 2027-01-04``."""
    return f"{WEEKDAYS[lang][value.weekday()]} {day(value, lang)}"


def months_text(months: int, lang: Language = "da") -> str:
    return say(lang, "months.one" if months == 1 else "months.many", count=months)


def weeks_text(weeks: int, lang: Language = "da") -> str:
    return say(lang, "weeks.one" if weeks == 1 else "weeks.many", count=weeks)


def planned_end(job: JobDescription) -> date:
    """The planned last day: ``duration_months`` from the expected start."""
    return latest_end(job.start, job.duration_months)


def requirement_list(job: JobDescription, lang: Language = "da") -> list[str]:
    """The job's requirements by name, in the order of ``REQUIREMENTS``."""
    return [REQUIREMENT_NAMES[key][lang] for key in REQUIREMENTS if key in job.requirements]


def unmet_criteria(job: JobDescription) -> list[str]:
    """The criteria the manager did not answer yes to (no, or not answered)."""
    return [key for key in CRITERIA if job.criteria.get(key) is not True]


def _value(text: str | None, lang: Language) -> str:
    text = (text or "").strip()
    return text if text else say(lang, "not_given")


def _row(label: str, value: str) -> str:
    return f"{label + ':':<{_WIDTH}}{value}"


def _mark(answer: bool | None, lang: Language) -> tuple[str, str]:
    """A criterion's box and follow-up note in the job description."""
    if answer is True:
        return say(lang, "mark.yes"), ""
    return say(lang, "mark.no") if answer is False else " ? ", say(lang, "follow_up")


def job_description_text(job: JobDescription, lang: Language = "da") -> str:
    """The complete job description as plain text, for a consultant's e-mail."""
    contact = f" ({job.contact.strip()})" if job.contact and job.contact.strip() else ""
    lines = [
        _row(say(lang, "label.workplace"),
             f"{_value(job.workplace_name, lang)} (CVR {_value(job.cvr, lang)})"),
        _row(say(lang, "label.manager"), _value(job.manager_name, lang)),
        _row(say(lang, "label.location"), _value(job.location, lang)),
        _row(say(lang, "label.contact"), _value(job.contact_name, lang) + contact),
        "",
        say(lang, "tasks"),
    ]
    if job.tasks:
        lines += [f"- {_value(t.title, lang)}: {_value(t.frequency, lang)}" for t in job.tasks]
    else:
        lines.append(say(lang, "no_tasks"))

    lines += ["", say(lang, "criteria")]
    for key in CRITERIA:
        mark, follow = _mark(job.criteria.get(key), lang)
        lines.append(f"  [{mark}] {CRITERION_NAMES[key][lang]}{follow}")
    unmet = unmet_criteria(job)
    lines.append(say(lang, "criteria.unmet", count=len(unmet), of=len(CRITERIA)) if unmet
                 else say(lang, "criteria.all_yes"))

    competences = ", ".join(c.strip() for c in job.competences if c.strip())
    end = planned_end(job)
    reason = (job.temporary_reason or "").strip()
    if not reason:
        reason = say(lang, "reason.missing")
    elif _TEMPLATE_PLACEHOLDER in reason.lower():
        reason += say(lang, "reason.template_left")
    internship = (say(lang, "internship", weeks=weeks_text(job.internship_weeks, lang))
                  if job.internship_weeks > 0 else say(lang, "none"))
    requirements = ", ".join(requirement_list(job, lang)) or say(lang, "none")

    lines += [
        "",
        _row(say(lang, "label.competences"), competences or say(lang, "none_given")),
        _row(say(lang, "label.hours"), hours(job.hours_per_week, lang)),
        _row(say(lang, "label.working_times"), _value(job.working_times, lang)),
        _row(say(lang, "label.start"), weekday_date(job.start, lang)),
        _row(say(lang, "label.duration"), say(lang, "duration", months=months_text(
            job.duration_months, lang), end=day(end, lang))),
        _row(say(lang, "label.reason"), reason),
        _row(say(lang, "label.internship"), internship),
        _row(say(lang, "label.requirements"), requirements),
    ]
    return "\n".join(lines) + "\n"


def consultant_mail(job: JobDescription, intake_id: int,
                    lang: Language = "da") -> tuple[str, str]:
    """(subject, body) of the e-mail to the consultants about a completed form."""
    h = hours(job.hours_per_week, lang)
    subject = say(lang, "mail.subject", location=job.location, workplace=job.workplace_name,
                  hours=h)
    start = job.start.isoformat()
    lines = [
        say(lang, "mail.intro", manager=_value(job.manager_name, lang),
            workplace=_value(job.workplace_name, lang), number=intake_id),
        "",
        job_description_text(job, lang).rstrip("\n"),
        "",
        say(lang, "mail.next_steps"),
        say(lang, "mail.step_pool", hours=h, start=start),
        say(lang, "mail.step_candidate"),
        say(lang, "mail.step_approve"),
        "   " + say(lang, "mail.approve_command", number=intake_id, start=start),
        say(lang, "mail.start_note"),
    ]
    if unmet_criteria(job):
        lines.append(say(lang, "mail.step_follow_up"))
    lines += [
        "",
        say(lang, "mail.plan_attached"),
        "",
        say(lang, "mail.show_again", number=intake_id),
        "",
        say(lang, "mail.automatic"),
    ]
    return subject, "\n".join(lines) + "\n"
