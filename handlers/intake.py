"""The intake form engine: the task-and-competence form (Skema til opgaver og
kompetencer) as a state machine a manager walks through in a chat.

Pure: a :class:`Draft` (JSON-serialisable) and an answer in, a new draft and the
messages to show out; no transport, no database, no clock (``Context.today``).
The service in ``assistant/bot`` stores the draft after every answer, so a form
survives restarts and can be resumed days later, and turns :class:`Prompt` choices
into buttons.

Steps run in the order of :data:`STEPS`. Tasks loop (``task_more``) until the
manager says no. From the review, any group of answers (:data:`GROUPS`) can be
changed; after that group the form returns to the review, not to the next step.
``/back`` pops :attr:`Draft.history`. Optional steps (:data:`OPTIONAL`) accept
``/skip``. The form is about the job: it never asks for a CPR number.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from handlers.catalogue import AREAS, COMPETENCES, FREQUENCIES, area
from handlers.job import CRITERIA, REQUIREMENTS, JobDescription, Task
from handlers.job_texts import (
    CRITERION_NAMES,
    CRITERION_WHY,
    REQUIREMENT_NAMES,
    hours,
    months_text,
    weekday_date,
)
from handlers.scheme import DEFAULT_SCHEME, Scheme
from handlers.texts import Language
from parsers.dates import parse_date
from parsers.identifiers import CPR_RE, IdentifierError, parse_cpr

MAX_TEXT = 300
MIN_HOURS = Decimal(1)  # the most hours and months come from the scheme (Context.scheme)
TEMPLATE = {
    "da": "Ansættelsen er midlertidig, fordi opgaven er afgrænset til xxx og skal løses "
          "indenfor en bestemt tidshorisont xxx",
    "en": "Ansættelsen er midlertidig, fordi opgaven er afgrænset til xxx og skal løses "
          "indenfor en bestemt tidshorisont xxx",
}

CRITERION_STEPS = tuple(f"crit_{key}" for key in CRITERIA)
STEPS: tuple[str, ...] = (
    "location", "contact_name", "contact",
    "task_area", "task_title", "task_frequency", "task_more",
    *CRITERION_STEPS,
    "competences", "hours", "working_times", "start", "duration", "reason",
    "internship", "requirements", "review",
)
# Groups the manager can change from the review: (first step, last step).
GROUPS: dict[str, tuple[str, str]] = {
    "location": ("location", "location"),
    "contact": ("contact_name", "contact"),
    "tasks": ("task_area", "task_more"),
    "criteria": (CRITERION_STEPS[0], CRITERION_STEPS[-1]),
    "competences": ("competences", "competences"),
    "hours": ("hours", "hours"),
    "working_times": ("working_times", "working_times"),
    "start": ("start", "start"),
    "duration": ("duration", "duration"),
    "reason": ("reason", "reason"),
    "internship": ("internship", "internship"),
    "requirements": ("requirements", "requirements"),
}
GROUP_ENDS = {last for _first, last in GROUPS.values()}
OPTIONAL = {"working_times", "internship", "requirements"}

_YES = {"ja", "j", "yes", "y", "jo"}
_NO = {"nej", "n", "no"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s-]{8,20}$")


def t(lang: Language, da: str, en: str) -> str:
    return da if lang == "da" else en


@dataclass(frozen=True)
class Choice:
    value: str  # short: it goes into Telegram's 64-byte callback data
    label: str


@dataclass(frozen=True)
class Prompt:
    step: str
    text: str
    choices: tuple[tuple[Choice, ...], ...] = ()


@dataclass(frozen=True)
class Context:
    """What the engine needs to know from outside."""

    today: date
    pool_left: Decimal  # hours per week left in the pool today
    workplace_name: str = ""
    cvr: str = ""
    manager_name: str = ""
    scheme: Scheme = DEFAULT_SCHEME  # the most hours a week and months the form allows


@dataclass
class Draft:
    step: str = STEPS[0]
    lang: Language = "da"
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    editing: bool = False  # changing one group from the review

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        return cls(**data)


@dataclass
class Result:
    draft: Draft
    notes: list[str] = field(default_factory=list)  # shown before the next prompt
    error: bool = False  # the answer was refused; the same step is asked again
    submitted: bool = False


class _Refused(Exception):
    """An answer that cannot be taken; the message says what to fix."""


# -- moving between steps --------------------------------------------------------------


def _next_step(draft: Draft, step: str) -> str:
    if step == "task_more":
        return "task_area" if draft.answers.get("_more") else (
            "review" if draft.editing else CRITERION_STEPS[0])
    if draft.editing and step in GROUP_ENDS:
        return "review"
    return STEPS[STEPS.index(step) + 1]


def _go(draft: Draft, step: str) -> None:
    draft.history.append(draft.step)
    draft.step = step
    if step == "review":
        draft.editing = False


def back(draft: Draft) -> Draft:
    """The previous step (its answer is kept and shown, and can be replaced)."""
    if draft.history:
        left, draft.step = draft.step, draft.history.pop()
        if draft.step == "review":
            draft.editing = False
        if left == "task_more" and draft.step == "task_frequency":
            _reopen_last_task(draft)
    return draft


def _reopen_last_task(draft: Draft) -> None:
    """Back from "another task?" to the last task's frequency: that task is being
    answered again, so it leaves the list (else answering again adds a second, untitled
    task: the prompt read ``Hvornår eller hvor ofte skal "" løses?``)."""
    tasks = draft.answers.get("tasks") or []
    if tasks:
        last = tasks.pop()
        draft.answers["_task"] = {"title": last["title"], "area": last.get("area")}


def edit(draft: Draft, group: str) -> Draft:
    """From the review: change one group of answers, then come back to the review."""
    first, _last = GROUPS[group]
    if group == "tasks":
        draft.answers["tasks"] = []
    draft.editing = True
    _go(draft, first)
    return draft


# -- answering ---------------------------------------------------------------------------


def answer(draft: Draft, ctx: Context, text: str | None = None,
           choice: str | None = None) -> Result:
    """Take the answer to the current step: typed ``text`` or a pressed ``choice``."""
    step = draft.step
    result = Result(draft)
    try:
        if step == "review":
            return _review_answer(draft, text, choice, ctx)
        goto = _take(draft, step, (text or "").strip(), choice, ctx, result.notes)
    except _Refused as refused:
        result.notes.append(str(refused))
        result.error = True
        return result
    if goto != STAY:
        _go(draft, goto or _next_step(draft, step))
    return result


def skip(draft: Draft, ctx: Context) -> Result:
    """``/skip``: leave an optional step empty."""
    if draft.step not in OPTIONAL:
        return Result(draft, [t(draft.lang, "Dette spørgsmål skal besvares; det kan ikke "
                                "springes over.", "This question must be answered; it "
                                "cannot be skipped.")], error=True)
    default: Any = {"working_times": "", "internship": 0, "requirements": []}[draft.step]
    draft.answers[draft.step] = default
    _go(draft, _next_step(draft, draft.step))
    return Result(draft)


STAY = "stay"


def _take(draft: Draft, step: str, text: str, choice: str | None, ctx: Context,
          notes: list[str]) -> str | None:
    """Store the answer to ``step``; returns :data:`STAY` (multi-select steps), the step
    to go to, or None for the next one."""
    lang, answers = draft.lang, draft.answers
    if step in ("location", "contact_name", "working_times"):
        answers[step] = _text(text, lang)
    elif step == "contact":
        answers["contact"] = _contact(text, lang)
    elif step == "task_area":
        if choice is None:  # typed a task straight away
            answers["_task"] = {"title": _text(text, lang), "area": None}
            return "task_frequency"
        answers["_task"] = {"area": None if choice == "own" else _area_key(choice, lang)}
    elif step == "task_title":
        answers.setdefault("_task", {})["title"] = _task_title(draft, text, choice)
    elif step == "task_frequency":
        picked = _index(choice, "f:", len(FREQUENCIES))
        frequency = FREQUENCIES[picked][lang] if picked is not None else _text(text, lang)
        task = dict(answers.pop("_task", {}))
        task["frequency"] = frequency
        answers.setdefault("tasks", []).append(
            {"title": task.get("title", ""), "frequency": frequency, "area": task.get("area")})
    elif step == "task_more":
        answers["_more"] = _yes_no(text, choice, lang)
    elif step in CRITERION_STEPS:
        key = step.removeprefix("crit_")
        yes = _yes_no(text, choice, lang)
        answers.setdefault("criteria", {})[key] = yes
        if not yes:
            notes.append(t(lang, "Godt at vide - det er ikke afgørende, men virksomheds"
                           "konsulenten vil tale med dig om det. Baggrunden: ",
                           "Good to know - it does not rule the job out, but the consultant "
                           "will talk it over with you. The reason: ")
                         + CRITERION_WHY[key][lang])
    elif step == "competences":
        return _competences(draft, text, choice)
    elif step == "hours":
        answers["hours"] = str(_hours(text, choice, ctx, lang, notes))
    elif step == "start":
        answers["start"] = _start(text, ctx, lang).isoformat()
    elif step == "duration":
        answers["duration"] = _duration(text, choice, ctx.scheme.max_months, lang)
    elif step == "reason":
        if choice == "template":
            raise _Refused(t(lang, "Skriv sætningen færdig og send den, med xxx erstattet:\n",
                             "Complete the sentence and send it, with xxx replaced:\n")
                           + TEMPLATE[lang])
        answers["reason"] = _reason(text, lang)
    elif step == "internship":
        answers["internship"] = _internship(text, choice, lang)
    elif step == "requirements":
        return _requirements(draft, choice, lang)
    return None


def _index(choice: str | None, prefix: str, size: int) -> int | None:
    """The list index in a choice like ``f:2``; None for anything else. Button data
    comes back from the client, so a forged or garbled value must not crash."""
    if not choice or not choice.startswith(prefix):
        return None
    raw = choice[len(prefix):]
    return int(raw) if raw.isdigit() and int(raw) < size else None


def _text(text: str, lang: Language) -> str:
    if not text:
        raise _Refused(t(lang, "Svaret er tomt. Skriv venligst et svar.",
                         "The answer is empty. Please write an answer."))
    if text.startswith("/"):
        raise _Refused(t(lang, f"{text.split()[0]} kender jeg ikke. /help viser kommandoerne.",
                         f"I do not know {text.split()[0]}. /help lists the commands."))
    if len(text) > MAX_TEXT:
        raise _Refused(t(lang, f"Svaret er for langt (højst {MAX_TEXT} tegn).",
                         f"The answer is too long (at most {MAX_TEXT} characters)."))
    if _has_cpr(text):
        # The form is about the job; a CPR typed by mistake must not be stored or shown.
        raise _Refused(t(lang, "Svaret ser ud til at indeholde et cpr-nummer. Skemaet handler "
                         "om jobbet, så skriv venligst svaret uden cpr-nummer.",
                         "The answer seems to contain a CPR number. The form is about the "
                         "job, so please write the answer without it."))
    return text


def _has_cpr(text: str) -> bool:
    """A CPR-shaped number whose first six digits are a real date (not a phone number)."""
    for match in CPR_RE.finditer(text):
        try:
            parse_cpr(match.group(0))
        except IdentifierError:
            continue
        return True
    return False


def _contact(text: str, lang: Language) -> str:
    text = _text(text, lang)
    digits = re.sub(r"\D", "", text)
    if _EMAIL.match(text) or (_PHONE.match(text) and len(digits) >= 8):
        return text
    raise _Refused(t(lang, "Skriv et telefonnummer (8 cifre) eller en e-mailadresse, fx "
                     "12 34 56 78 eller navn@arbejdsplads.dk.",
                     "Write a phone number (8 digits) or an e-mail address, e.g. "
                     "12 34 56 78 or name@workplace.dk."))


def _area_key(choice: str, lang: Language) -> str:
    if area(choice) is None:
        raise _Refused(t(lang, "Vælg et område med knapperne.", "Pick an area with the buttons."))
    return choice


def _task_title(draft: Draft, text: str, choice: str | None) -> str:
    found = area(draft.answers.get("_task", {}).get("area") or "")
    index = _index(choice, "ex:", len(found.examples) if found else 0)
    if found and index is not None:
        return found.examples[index]
    return _text(text, draft.lang)


def _yes_no(text: str, choice: str | None, lang: Language) -> bool:
    word = (choice or text).strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise _Refused(t(lang, "Svar ja eller nej.", "Answer yes or no."))


def _competences(draft: Draft, text: str, choice: str | None) -> str | None:
    lang, chosen = draft.lang, draft.answers.setdefault("competences", [])
    if choice == "done":
        if not chosen:
            raise _Refused(t(lang, "Vælg mindst én kompetence, eller skriv din egen.",
                             "Pick at least one competence, or write your own."))
        return None
    picked = _index(choice, "c:", len(COMPETENCES))
    if picked is not None:
        name = COMPETENCES[picked][lang]
        if name in chosen:
            chosen.remove(name)
        else:
            chosen.append(name)
        return STAY
    for name in (part.strip() for part in _text(text, lang).split(",")):
        if name and name not in chosen:
            chosen.append(name)
    return STAY


def _hours(text: str, choice: str | None, ctx: Context, lang: Language,
           notes: list[str]) -> Decimal:
    try:
        value = Decimal((choice or text).replace(",", ".").strip())
    except InvalidOperation:
        value = Decimal("NaN")
    most = ctx.scheme.max_hours
    if not value.is_finite() or not MIN_HOURS <= value <= most:
        raise _Refused(t(lang, f"Timer pr. uge skal være et tal fra 1 til {hours(most, lang)} "
                         f"(du skrev {text or choice}). Ordningen dækker højst "
                         f"{hours(most, lang)} timer om ugen.",
                         f"Hours per week must be a number from 1 to {hours(most, lang)} "
                         f"(you wrote {text or choice}). The scheme covers at most "
                         f"{hours(most, lang)} hours a week."))
    if value != value.quantize(Decimal("0.5")):
        raise _Refused(t(lang, "Skriv timerne i hele eller halve timer, fx 7,5.",
                         "Write the hours in whole or half hours, e.g. 7.5."))
    if value > ctx.pool_left:
        notes.append(t(lang, f"Bemærk: puljen har lige nu {hours(ctx.pool_left, lang)} timer "
                       "tilbage om ugen. Pladserne gives efter først til mølle, så jobbet kan "
                       "komme til at vente på plads.",
                       f"Note: the pool has {hours(ctx.pool_left, lang)} hours a week left "
                       "right now. Places go first come, first served, so the job may have to "
                       "wait for room."))
    return Decimal(int(value)) if value == value.to_integral_value() else value


def _start(text: str, ctx: Context, lang: Language) -> date:
    day = parse_date(text)
    if day is None:
        raise _Refused(t(lang, "Det kunne jeg ikke læse som en dato. Skriv fx 01.02.2027.",
                         "I could not read that as a date. Write e.g. 2027-02-01."))
    if day < ctx.today:
        raise _Refused(t(lang, f"Datoen {weekday_date(day, lang)} er overstået. Vælg en dato "
                         "fra i dag og frem.",
                         f"{weekday_date(day, lang)} has passed. Pick a date from today on."))
    return day


def _duration(text: str, choice: str | None, most: int, lang: Language) -> int:
    raw = (choice or text).lower().replace("måneder", "").replace("months", "").strip()
    if raw.isdigit() and 1 <= int(raw) <= most:
        return int(raw)
    raise _Refused(t(lang, f"Varigheden skal være 1 til {most} måneder (du skrev "
                     f"{text or choice}). Ansættelsen kan forlænges senere.",
                     f"The duration must be 1 to {most} months (you wrote "
                     f"{text or choice}). The employment can be extended later."))


def _reason(text: str, lang: Language) -> str:
    text = _text(text, lang)
    if "xxx" in text.lower():
        raise _Refused(t(lang, "Erstat xxx i sætningen med jeres egne ord.",
                         "Replace the xxx in the sentence with your own words."))
    if len(text) < 15:
        raise _Refused(t(lang, "Skriv en hel sætning om, hvorfor jobbet er midlertidigt.",
                         "Write a whole sentence on why the job is temporary."))
    return text


def _internship(text: str, choice: str | None, lang: Language) -> int:
    raw = (choice or text).lower().replace("uger", "").replace("weeks", "").strip()
    if raw in ("0", "nej", "no", "ingen", "none"):
        return 0
    if raw.isdigit() and 2 <= int(raw) <= 4:
        return int(raw)
    raise _Refused(t(lang, "Praktik først er enten ingen eller 2-4 uger.",
                     "An internship first is either none or 2-4 weeks."))


def _requirements(draft: Draft, choice: str | None, lang: Language) -> str | None:
    chosen = draft.answers.setdefault("requirements", [])
    if choice == "done":
        return None
    if choice and choice.startswith("r:") and choice[2:] in REQUIREMENTS:
        key = choice[2:]
        if key in chosen:
            chosen.remove(key)
        else:
            chosen.append(key)
        return STAY
    raise _Refused(t(lang, "Vælg kravene med knapperne, og tryk Færdig.",
                     "Pick the requirements with the buttons, then press Done."))


REQUIRED = ("location", "contact_name", "contact", "tasks", "competences", "hours", "start",
            "duration", "reason")
# The group each required answer is changed in, for a form that cannot be submitted yet.
_GROUP_OF = {"contact_name": "contact", "contact": "contact"}


def _review_answer(draft: Draft, text: str | None, choice: str | None,
                   ctx: Context) -> Result:
    word = (choice or text or "").strip().lower()
    if word in ("submit", "indsend", "send"):
        return _submit(draft, ctx)
    if word.startswith("edit:") and word[5:] in GROUPS:
        return Result(edit(draft, word[5:]))
    return Result(draft, [t(draft.lang, "Tryk Indsend for at sende skemaet, eller vælg det "
                            "svar, du vil ændre.", "Press Submit to send the form, or pick "
                            "the answer you want to change.")], error=True)


def _submit(draft: Draft, ctx: Context) -> Result:
    """Submit only a complete form whose start is still ahead: a draft can wait for days
    in the review, and a missing answer (e.g. /back out of changing the tasks) or a start
    that has passed in the meantime sends the manager to that answer instead."""
    lang, answers = draft.lang, draft.answers
    missing = next((key for key in REQUIRED if not answers.get(key)), None)
    if missing is not None:
        edit(draft, _GROUP_OF.get(missing, missing))
        return Result(draft, [t(lang, "Der mangler et svar, før skemaet kan sendes:",
                                "An answer is missing before the form can be sent:")],
                      error=True)
    if date.fromisoformat(answers["start"]) < ctx.today:
        edit(draft, "start")
        return Result(draft, [t(lang, "Den forventede opstart er overstået. Skriv en ny dato.",
                                "The expected start has passed. Write a new date.")],
                      error=True)
    return Result(draft, submitted=True)


# -- prompts -----------------------------------------------------------------------------


def _suggestions(most: int) -> tuple[str, ...]:
    """Four buttons up to the scheme's most: 4, 6, 8, 10 hours and 3, 6, 9, 12 months
    for the defaults; 2, 4, 6, 8 for 8 hours."""
    picks = sorted({max(1, round(most * part / 10)) for part in (4, 6, 8, 10)}
                   if most % 4 else {most * part // 4 for part in (1, 2, 3, 4)})
    return tuple(str(pick) for pick in picks)


def _row(*choices: Choice) -> tuple[Choice, ...]:
    return tuple(choices)


def _yes_no_row(lang: Language) -> tuple[tuple[Choice, ...], ...]:
    return (_row(Choice("ja", t(lang, "Ja", "Yes")), Choice("nej", t(lang, "Nej", "No"))),)


def _pairs(choices: list[Choice]) -> tuple[tuple[Choice, ...], ...]:
    return tuple(tuple(choices[i:i + 2]) for i in range(0, len(choices), 2))


def prompt(draft: Draft, ctx: Context) -> Prompt:
    """What to ask at the current step."""
    lang, step, answers = draft.lang, draft.step, draft.answers
    done = t(lang, "Færdig", "Done")
    if step == "location":
        return Prompt(step, t(lang, "Hvor skal jobbet være? Skriv den lokale arbejdsplads "
                              "(fx afdeling, institution eller adresse).",
                              "Where will the job be? Write the local workplace (e.g. unit, "
                              "institution or address)."))
    if step == "contact_name":
        return Prompt(step, t(lang, "Hvem bliver fast kontaktperson for den nye kollega? "
                              "Skriv navnet.", "Who will be the new colleague's contact person? "
                              "Write the name."))
    if step == "contact":
        return Prompt(step, t(lang, f"Hvordan kontakter vi {answers.get('contact_name', '')}? "
                              "Skriv telefonnummer eller e-mail.",
                              f"How do we reach {answers.get('contact_name', '')}? "
                              "Write a phone number or e-mail."))
    if step == "task_area":
        count = len(answers.get("tasks", []))
        lead = (t(lang, "Hvilken opgave skal den nye kollega løse?",
                  "Which task will the new colleague do?") if count == 0 else
                t(lang, f"Opgave {count + 1}:", f"Task {count + 1}:"))
        return Prompt(step, lead + " " + t(lang, "Vælg et område for forslag, eller skriv "
                                           "opgaven selv.", "Pick an area for suggestions, or "
                                           "write the task yourself."),
                      _pairs([Choice(a.key, a.name[lang]) for a in AREAS]
                             + [Choice("own", t(lang, "Min egen opgave", "My own task"))]))
    if step == "task_title":
        found = area(answers.get("_task", {}).get("area") or "")
        choices = [Choice(f"ex:{i}", ex) for i, ex in enumerate(found.examples)] if found else []
        return Prompt(step, t(lang, "Skriv opgaven kort og konkret" +
                              (", eller vælg et forslag." if found else "."),
                              "Describe the task briefly and concretely" +
                              (", or pick a suggestion." if found else ".")),
                      tuple((c,) for c in choices))
    if step == "task_frequency":
        title = answers.get("_task", {}).get("title", "")
        return Prompt(step, t(lang, f"Hvornår eller hvor ofte skal \"{title}\" løses?",
                              f"When or how often is \"{title}\" done?"),
                      _pairs([Choice(f"f:{i}", f[lang]) for i, f in enumerate(FREQUENCIES)]))
    if step == "task_more":
        return Prompt(step, t(lang, "Vil du tilføje en opgave mere?", "Add another task?"),
                      _yes_no_row(lang))
    if step in CRITERION_STEPS:
        number = CRITERION_STEPS.index(step) + 1
        lead = t(lang, "Nu fem hurtige spørgsmål om opgaverne. ", "Now five quick questions "
                 "about the tasks. ") if number == 1 else ""
        return Prompt(step, f"{lead}({number}/5) " + CRITERION_NAMES[step[5:]][lang],
                      _yes_no_row(lang))
    if step == "competences":
        chosen = answers.get("competences", [])
        picked = (t(lang, "\nValgt: ", "\nChosen: ") + ", ".join(chosen)) if chosen else ""
        buttons = [Choice(f"c:{i}", ("✓ " if c[lang] in chosen else "") + c[lang])
                   for i, c in enumerate(COMPETENCES)]
        return Prompt(step, t(lang, "Hvilke personlige kompetencer skal den nye kollega have? "
                              "Tryk for at vælge, skriv selv flere, og tryk Færdig.",
                              "Which personal competences should the new colleague have? "
                              "Tap to pick, write your own, then press Done.") + picked,
                      _pairs(buttons) + ((Choice("done", done),),))
    if step == "hours":
        most = hours(ctx.scheme.max_hours, lang)
        return Prompt(step, t(lang, f"Hvor mange timer om ugen (1-{most})? Puljen har lige "
                              f"nu {hours(ctx.pool_left, lang)} timer tilbage om ugen - først "
                              f"til mølle.", f"How many hours a week (1-{most})? The pool has "
                              f"{hours(ctx.pool_left, lang)} hours a week left right now - "
                              "first come, first served."),
                      (tuple(Choice(h, h) for h in _suggestions(int(ctx.scheme.max_hours))),))
    if step == "working_times":
        return Prompt(step, t(lang, "Hvornår skal der arbejdes? Fx \"tirsdag og torsdag "
                              "9-13\". (/skip: efter aftale)", "When are the working times? "
                              "E.g. \"Tuesday and Thursday 9-13\". (/skip: by agreement)"))
    if step == "start":
        return Prompt(step, t(lang, "Hvornår forventer I opstart? Skriv en dato, fx 01.02.2027.",
                              "When do you expect the job to start? Write a date, e.g. "
                              "2027-02-01."))
    if step == "duration":
        months = ctx.scheme.max_months
        return Prompt(step, t(lang, f"Hvor mange måneder skal ansættelsen vare (1-{months})?",
                              f"How many months will the employment last (1-{months})?"),
                      (tuple(Choice(m, m) for m in _suggestions(months)),))
    if step == "reason":
        return Prompt(step, t(lang, "Hvorfor er jobbet midlertidigt? Du kan bruge skabelonen:\n",
                              "Why is the job temporary? You can use the template:\n")
                      + TEMPLATE[lang],
                      ((Choice("template", t(lang, "Brug skabelonen", "Use the template")),),))
    if step == "internship":
        return Prompt(step, t(lang, "Skal ansættelsen starte med en ulønnet praktik (2-4 uger)?",
                              "Should the employment start with an unpaid internship "
                              "(2-4 weeks)?"),
                      (_row(Choice("0", t(lang, "Nej", "No")), Choice("2", t(lang, "2 uger",
                            "2 weeks")), Choice("3", t(lang, "3 uger", "3 weeks")),
                            Choice("4", t(lang, "4 uger", "4 weeks"))),))
    if step == "requirements":
        chosen = answers.get("requirements", [])
        buttons = [Choice(f"r:{key}", ("✓ " if key in chosen else "") +
                          REQUIREMENT_NAMES[key][lang]) for key in REQUIREMENTS]
        return Prompt(step, t(lang, "Er der krav til jobbet? Tryk for at vælge, og tryk Færdig.",
                              "Does the job have requirements? Tap to pick, then press Done."),
                      _pairs(buttons) + ((Choice("done", done),),))
    return Prompt("review", review_text(draft, ctx), _review_buttons(lang))


GROUP_NAMES: dict[str, dict[Language, str]] = {
    "location": {"da": "Arbejdssted", "en": "Workplace"},
    "contact": {"da": "Kontaktperson", "en": "Contact person"},
    "tasks": {"da": "Opgaver", "en": "Tasks"},
    "criteria": {"da": "Opgavekriterier", "en": "Task criteria"},
    "competences": {"da": "Kompetencer", "en": "Competences"},
    "hours": {"da": "Timer pr. uge", "en": "Hours per week"},
    "working_times": {"da": "Arbejdstider", "en": "Working times"},
    "start": {"da": "Forventet opstart", "en": "Expected start"},
    "duration": {"da": "Varighed", "en": "Duration"},
    "reason": {"da": "Midlertidig fordi", "en": "Temporary because"},
    "internship": {"da": "Praktik først", "en": "Internship first"},
    "requirements": {"da": "Krav", "en": "Requirements"},
}


def _review_buttons(lang: Language) -> tuple[tuple[Choice, ...], ...]:
    edits = [Choice(f"edit:{g}", t(lang, "Ret ", "Change ") + GROUP_NAMES[g][lang].lower())
             for g in GROUPS]
    return _pairs(edits) + ((Choice("submit", t(lang, "Indsend", "Submit")),),)


def review_text(draft: Draft, ctx: Context) -> str:
    """All answers, numbered, for the manager to check before submitting."""
    lang, a = draft.lang, draft.answers
    yes, no = t(lang, "ja", "yes"), t(lang, "nej", "no")
    values = {
        "location": a.get("location", ""),
        "contact": f"{a.get('contact_name', '')} ({a.get('contact', '')})",
        "tasks": "; ".join(f"{x['title']} ({x['frequency']})" for x in a.get("tasks", [])),
        "criteria": ", ".join(f"{i}: {yes if a.get('criteria', {}).get(k) else no}"
                              for i, k in enumerate(CRITERIA, 1)),
        "competences": ", ".join(a.get("competences", [])),
        "hours": hours(Decimal(a.get("hours", "0")), lang),
        "working_times": a.get("working_times") or t(lang, "efter aftale", "by agreement"),
        "start": weekday_date(date.fromisoformat(a["start"]), lang) if a.get("start") else "",
        "duration": months_text(int(a.get("duration", 0)), lang),
        "reason": a.get("reason", ""),
        "internship": (t(lang, f"{a['internship']} uger", f"{a['internship']} weeks")
                       if a.get("internship") else t(lang, "ingen", "none")),
        "requirements": ", ".join(REQUIREMENT_NAMES[k][lang] for k in a.get("requirements", []))
                        or t(lang, "ingen", "none"),
    }
    lines = [t(lang, "Tjek svarene, før du indsender:", "Check the answers before you submit:")]
    lines += [f"{i}. {GROUP_NAMES[g][lang]}: {values[g]}" for i, g in enumerate(GROUPS, 1)]
    return "\n".join(lines)


def to_job(draft: Draft, ctx: Context) -> JobDescription:
    """The completed form; call only when the review was reached."""
    a = draft.answers
    return JobDescription(
        workplace_name=ctx.workplace_name, cvr=ctx.cvr, manager_name=ctx.manager_name,
        location=a["location"], contact_name=a["contact_name"], contact=a["contact"],
        tasks=tuple(Task(x["title"], x["frequency"], x.get("area")) for x in a["tasks"]),
        criteria={k: bool(a.get("criteria", {}).get(k)) for k in CRITERIA},
        competences=tuple(a.get("competences", [])), hours_per_week=Decimal(a["hours"]),
        working_times=a.get("working_times", ""), start=date.fromisoformat(a["start"]),
        duration_months=int(a["duration"]), temporary_reason=a["reason"],
        internship_weeks=int(a.get("internship", 0)),
        requirements=tuple(a.get("requirements", [])),
    )


def step_number(draft: Draft) -> tuple[int, int]:
    """(step, of) for "/status": where a draft stands."""
    return STEPS.index(draft.step) + 1, len(STEPS)
