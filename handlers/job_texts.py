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

from handlers.job import CRITERIA, REQUIREMENTS, JobDescription
from handlers.register import hours_text, latest_end
from handlers.summary import day
from handlers.texts import Language

# Each task criterion (opgavekriterie) as the yes/no question a manager answers.
CRITERION_NAMES: dict[str, dict[Language, str]] = {
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
CRITERION_WHY: dict[str, dict[Language, str]] = {
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
REQUIREMENT_NAMES: dict[str, dict[Language, str]] = {
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
    if lang == "da":
        return f"{months} {'måned' if months == 1 else 'måneder'}"
    return f"{months} {'month' if months == 1 else 'months'}"


def weeks_text(weeks: int, lang: Language = "da") -> str:
    if lang == "da":
        return f"{weeks} {'uge' if weeks == 1 else 'uger'}"
    return f"{weeks} {'week' if weeks == 1 else 'weeks'}"


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
    return text if text else ("ikke angivet" if lang == "da" else "not given")


def _row(label: str, value: str) -> str:
    return f"{label + ':':<{_WIDTH}}{value}"


def job_description_text(job: JobDescription, lang: Language = "da") -> str:
    """The complete job description as plain text, for a consultant's e-mail."""
    da = lang == "da"
    lines = [
        _row("Arbejdsplads" if da else "Workplace", f"{_value(job.workplace_name, lang)} "
             f"(CVR {_value(job.cvr, lang)})"),
        _row("Leder" if da else "Manager", _value(job.manager_name, lang)),
        _row("Lokal arbejdsplads" if da else "Location", _value(job.location, lang)),
        _row("Kontaktperson" if da else "Contact person", _value(job.contact_name, lang)
             + (f" ({job.contact.strip()})" if job.contact and job.contact.strip() else "")),
        "",
        "Opgaver (hvornår/frekvens):" if da else "Tasks (when/how often):",
    ]
    if job.tasks:
        lines += [f"- {_value(t.title, lang)}: {_value(t.frequency, lang)}" for t in job.tasks]
    else:
        lines.append("- ingen opgaver angivet" if da else "- no tasks given")

    lines += ["", "Opgavekriterier (lederens svar):" if da else
              "Task criteria (the manager's answers):"]
    for key in CRITERIA:
        answer = job.criteria.get(key)
        if answer is True:
            mark = "Ja " if da else "Yes"
        elif answer is False:
            mark = "NEJ" if da else "NO "
        else:
            mark = " ? "
        follow = "" if answer is True else ("  <-- følg op" if da else "  <-- follow up")
        lines.append(f"  [{mark}] {CRITERION_NAMES[key][lang]}{follow}")
    unmet = unmet_criteria(job)
    if unmet:
        lines.append(
            f"  Ikke besvaret med ja: {len(unmet)} af {len(CRITERIA)} kriterier - følg op "
            "med lederen." if da else
            f"  Not answered yes: {len(unmet)} of {len(CRITERIA)} criteria - follow up "
            "with the manager.")
    else:
        lines.append("  Alle kriterier er besvaret med ja." if da else
                     "  All criteria were answered yes.")

    competences = ", ".join(c.strip() for c in job.competences if c.strip())
    end = planned_end(job)
    reason = (job.temporary_reason or "").strip()
    if not reason:
        reason = "ikke angivet - følg op" if da else "not given - follow up"
    elif _TEMPLATE_PLACEHOLDER in reason.lower():
        reason += (" (skabelonteksten er ikke udfyldt helt - følg op)" if da else
                   " (the template text is not completely filled in - follow up)")
    if job.internship_weeks > 0:
        internship = (f"{weeks_text(job.internship_weeks, lang)} i praktik før ansættelsen "
                      "(aftales og godkendes af virksomhedskonsulenten)" if da else
                      f"{weeks_text(job.internship_weeks, lang)} of internship before the "
                      "employment (agreed and approved by the consultant)")
    else:
        internship = "Ingen" if da else "None"
    requirements = ", ".join(requirement_list(job, lang)) or ("Ingen" if da else "None")

    lines += [
        "",
        _row("Kompetencer" if da else "Competences",
             competences or ("ingen angivet" if da else "none given")),
        _row("Timer pr. uge" if da else "Hours per week", hours(job.hours_per_week, lang)),
        _row("Arbejdstider" if da else "Working times", _value(job.working_times, lang)),
        _row("Forventet opstart" if da else "Expected start", weekday_date(job.start, lang)),
        _row("Varighed" if da else "Duration",
             f"{months_text(job.duration_months, lang)}, "
             + (f"planlagt slut {day(end, lang)}" if da else f"planned end {day(end, lang)}")),
        _row("Midlertidig fordi" if da else "Temporary because", reason),
        _row("Praktik først" if da else "Internship first", internship),
        _row("Krav" if da else "Requirements", requirements),
    ]
    return "\n".join(lines) + "\n"


def consultant_mail(job: JobDescription, intake_id: int,
                    lang: Language = "da") -> tuple[str, str]:
    """(subject, body) of the e-mail to the consultants about a completed form."""
    da = lang == "da"
    h = hours(job.hours_per_week, lang)
    subject = (f"Ny jobbeskrivelse til godkendelse: {job.location} ({job.workplace_name}), "
               f"{h} t/uge" if da else
               f"New job description for approval: {job.location} ({job.workplace_name}), "
               f"{h} h/week")
    start = job.start.isoformat()
    approve = (f"assistant intakes approve {intake_id} --cpr <CPR-nr.> "
               f"--name \"<borgerens navn>\" --start {start}" if da else
               f"assistant intakes approve {intake_id} --cpr <CPR number> "
               f"--name \"<citizen's name>\" --start {start}")
    lines = [
        (f"{_value(job.manager_name, lang)} fra {_value(job.workplace_name, lang)} har udfyldt "
         "skemaet til opgaver og kompetencer for et job på få lønnede timer "
         f"(jobbeskrivelse {intake_id})." if da else
         f"{_value(job.manager_name, lang)} of {_value(job.workplace_name, lang)} has filled "
         "in the task-and-competence form for a job in a few paid hours "
         f"(job description {intake_id})."),
        "",
        job_description_text(job, lang).rstrip("\n"),
        "",
        "Næste skridt:" if da else "Next steps:",
        (f"1. Tjek om der er plads i puljen til {h} timer pr. uge: "
         f"assistant pool --on {start}" if da else
         f"1. Check that the pool has room for {h} hours per week: "
         f"assistant pool --on {start}"),
        ("2. Find en mulig kandidat, forventningsafstem med arbejdspladsen og book samtale "
         "med kandidaten på arbejdspladsen." if da else
         "2. Find a possible candidate, align expectations with the workplace and book an "
         "interview at the workplace."),
        ("3. Ved match: aftal startdato, periode og arbejdstid (evt. praktik), og godkend "
         "ansættelsen:" if da else
         "3. If it is a match: agree on start date, period and working times (maybe an "
         "internship), and approve the employment:"),
        f"   {approve}",
        ("   (--start er den forventede opstart; ret den, hvis I aftaler en anden dato.)" if da
         else "   (--start is the expected start; change it if you agree on another date.)"),
    ]
    if unmet_criteria(job):
        lines.append("4. Følg op med lederen på de kriterier, der ikke er besvaret med ja." if da
                     else "4. Follow up with the manager on the criteria not answered yes.")
    lines += [
        "",
        ("Udkastet til onboardingplan for de første 2 uger er vedhæftet; arbejdspladsen "
         "retter det til før opstart." if da else
         "The draft onboarding plan for the first 2 weeks is attached; the workplace edits "
         "it before the start."),
        "",
        (f"Se jobbeskrivelsen igen med: assistant intakes show {intake_id}" if da else
         f"Show the job description again: assistant intakes show {intake_id}"),
        "",
        "(automatisk besked)" if da else "(automatic message)",
    ]
    return subject, "\n".join(lines) + "\n"
