"""The intake form engine: the task-and-competence form (Skema til opgaver og
kompetencer) as a state machine a manager walks through in a chat.

Pure: a :class:`Draft` (JSON-serialisable) and an answer in, a new draft and the
messages to show out; no transport, no database, no clock (``Context.today``).
The service in ``assistant/bot`` stores the draft after every answer, so a form
survives restarts and can be resumed days later, and turns :class:`Prompt` choices
into buttons.

The form is one table, :data:`FORM_STEPS`: each :class:`Step` names its question (a
key of the ``form`` catalogue, ``handlers.locale.form``), the parser that takes its
answer, its buttons, whether ``/skip`` may leave it empty, and the group of answers it
belongs to. The engine walks the table in order; the scheme (``Context.scheme``)
feeds the most hours and months into the questions and the parsers. Tasks loop
(``task_more``) until the manager says no. From the review, any group of answers
(:data:`GROUPS`, :data:`GROUP_TABLE`) can be changed; after that group the form
returns to the review, not to the next step. ``/back`` pops :attr:`Draft.history`.
The form is about the job: it never asks for a CPR number.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from handlers.catalogue import AREAS, COMPETENCES, FREQUENCIES, Area, area
from handlers.i18n import Language, render
from handlers.job import CRITERIA, REQUIREMENTS, JobDescription, Task
from handlers.job_texts import (
    CRITERION_NAMES,
    CRITERION_WHY,
    REQUIREMENT_NAMES,
    hours,
    months_text,
    weekday_date,
)
from handlers.locale.form import FORM, GROUP_NAMES
from handlers.scheme import DEFAULT_SCHEME, Scheme
from parsers.dates import parse_date
from parsers.identifiers import CPR_RE, IdentifierError, parse_cpr

MAX_TEXT = 300
MIN_HOURS = Decimal(1)  # the most hours and months come from the scheme (Context.scheme)
TEMPLATE = FORM["template"]

_YES = {"ja", "j", "yes", "y", "jo"}
_NO = {"nej", "n", "no"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s-]{8,20}$")


def say(lang: Language, key: str, **values: object) -> str:
    """A text of the form's catalogue section."""
    return render(FORM, key, lang, **values)


@dataclass(frozen=True)
class Choice:
    value: str  # short: it goes into Telegram's 64-byte callback data
    label: str


Rows = tuple[tuple[Choice, ...], ...]


@dataclass(frozen=True)
class Prompt:
    step: str
    text: str
    choices: Rows = ()


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
    step: str = "location"
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


STAY = "stay"  # a parser's answer for multi-select steps: ask the same step again


@dataclass(frozen=True)
class Answer:
    """What the manager gave at a step: typed ``text`` or a pressed ``choice``."""

    text: str
    choice: str | None
    notes: list[str]  # shown before the next prompt (e.g. why a "no" matters)


# A parser stores the answer in the draft and returns None (the next step), STAY, or the
# step to go to; it raises _Refused for an answer it cannot take.
Parser = Callable[[Draft, Answer, Context], str | None]
Question = Callable[[Draft, Context], tuple[str, dict[str, object]]]
Buttons = Callable[[Draft, Context], Rows]


def _no_buttons(_draft: Draft, _ctx: Context) -> Rows:
    return ()


@dataclass(frozen=True)
class Step:
    """One question of the form."""

    key: str  # the step's name, stored in Draft.step (and in button data)
    question: Question  # (form catalogue key, values to fill in)
    parse: Parser
    group: str  # the group of answers it is changed in from the review
    buttons: Buttons = _no_buttons
    optional: bool = False  # /skip stores ``empty``
    empty: Any = None


@dataclass(frozen=True)
class Group:
    """A group of answers: a line of the review, and a "Ret ..." button."""

    key: str  # its heading is ``group.<key>`` in the catalogue (handlers.locale.form)
    show: Callable[[dict[str, Any], Language], str]  # the answers as the review shows them


def _asks(key: str) -> Question:
    """A question with nothing to fill in."""
    return lambda _draft, _ctx: (key, {})


# -- the parsers -------------------------------------------------------------------------


def _index(choice: str | None, prefix: str, size: int) -> int | None:
    """The list index in a choice like ``f:2``; None for anything else. Button data
    comes back from the client, so a forged or garbled value must not crash."""
    if not choice or not choice.startswith(prefix):
        return None
    raw = choice[len(prefix):]
    return int(raw) if raw.isdigit() and int(raw) < size else None


def _text(text: str, lang: Language) -> str:
    if not text:
        raise _Refused(say(lang, "empty"))
    if text.startswith("/"):
        raise _Refused(say(lang, "unknown_command", command=text.split()[0]))
    if len(text) > MAX_TEXT:
        raise _Refused(say(lang, "too_long", most=MAX_TEXT))
    if _has_cpr(text):
        # The form is about the job; a CPR typed by mistake must not be stored or shown.
        raise _Refused(say(lang, "cpr"))
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


def _stores_text(key: str) -> Parser:
    """A free-text answer stored under ``key``."""
    def parse(draft: Draft, given: Answer, _ctx: Context) -> str | None:
        draft.answers[key] = _text(given.text, draft.lang)
        return None
    return parse


def _contact(draft: Draft, given: Answer, _ctx: Context) -> str | None:
    text = _text(given.text, draft.lang)
    digits = re.sub(r"\D", "", text)
    if not (_EMAIL.match(text) or (_PHONE.match(text) and len(digits) >= 8)):
        raise _Refused(say(draft.lang, "contact_invalid"))
    draft.answers["contact"] = text
    return None


def _task_area(draft: Draft, given: Answer, _ctx: Context) -> str | None:
    if given.choice is None:  # typed a task straight away
        draft.answers["_task"] = {"title": _text(given.text, draft.lang), "area": None}
        return "task_frequency"
    if given.choice != "own" and area(given.choice) is None:
        raise _Refused(say(draft.lang, "pick_area"))
    draft.answers["_task"] = {"area": None if given.choice == "own" else given.choice}
    return None


def _task_title(draft: Draft, given: Answer, _ctx: Context) -> str | None:
    found = _task_area_found(draft)
    index = _index(given.choice, "ex:", len(found.examples) if found else 0)
    title = found.examples[index] if found and index is not None else _text(given.text,
                                                                            draft.lang)
    draft.answers.setdefault("_task", {})["title"] = title
    return None


def _task_frequency(draft: Draft, given: Answer, _ctx: Context) -> str | None:
    lang, answers = draft.lang, draft.answers
    picked = _index(given.choice, "f:", len(FREQUENCIES))
    frequency = FREQUENCIES[picked][lang] if picked is not None else _text(given.text, lang)
    task = dict(answers.pop("_task", {}))
    answers.setdefault("tasks", []).append(
        {"title": task.get("title", ""), "frequency": frequency, "area": task.get("area")})
    return None


def _yes_no(given: Answer, lang: Language) -> bool:
    word = (given.choice or given.text).strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise _Refused(say(lang, "yes_or_no"))


def _task_more(draft: Draft, given: Answer, _ctx: Context) -> str | None:
    more = draft.answers["_more"] = _yes_no(given, draft.lang)
    if more:
        return "task_area"
    return "review" if draft.editing else CRITERION_STEPS[0]


def _criterion(key: str) -> Parser:
    def parse(draft: Draft, given: Answer, _ctx: Context) -> str | None:
        yes = _yes_no(given, draft.lang)
        draft.answers.setdefault("criteria", {})[key] = yes
        if not yes:
            given.notes.append(say(draft.lang, "criterion_no", why=CRITERION_WHY[key][draft.lang]))
        return None
    return parse


def _competences(draft: Draft, given: Answer, _ctx: Context) -> str | None:
    lang, chosen = draft.lang, draft.answers.setdefault("competences", [])
    if given.choice == "done":
        if not chosen:
            raise _Refused(say(lang, "pick_competence"))
        return None
    picked = _index(given.choice, "c:", len(COMPETENCES))
    if picked is not None:
        name = COMPETENCES[picked][lang]
        if name in chosen:
            chosen.remove(name)
        else:
            chosen.append(name)
        return STAY
    for name in (part.strip() for part in _text(given.text, lang).split(",")):
        if name and name not in chosen:
            chosen.append(name)
    return STAY


def _hours(draft: Draft, given: Answer, ctx: Context) -> str | None:
    lang, raw = draft.lang, given.choice or given.text
    try:
        value = Decimal(raw.replace(",", ".").strip())
    except InvalidOperation:
        value = Decimal("NaN")
    most = ctx.scheme.max_hours
    if not value.is_finite() or not MIN_HOURS <= value <= most:
        raise _Refused(say(lang, "hours_range", most=hours(most, lang),
                           wrote=given.text or given.choice))
    if value != value.quantize(Decimal("0.5")):
        raise _Refused(say(lang, "half_hours"))
    if value > ctx.pool_left:
        given.notes.append(say(lang, "pool_short", left=hours(ctx.pool_left, lang)))
    whole = Decimal(int(value)) if value == value.to_integral_value() else value
    draft.answers["hours"] = str(whole)
    return None


def _start(draft: Draft, given: Answer, ctx: Context) -> str | None:
    lang, day = draft.lang, parse_date(given.text)
    if day is None:
        raise _Refused(say(lang, "date_unreadable"))
    if day < ctx.today:
        raise _Refused(say(lang, "date_passed", day=weekday_date(day, lang)))
    draft.answers["start"] = day.isoformat()
    return None


def _duration(draft: Draft, given: Answer, ctx: Context) -> str | None:
    most = ctx.scheme.max_months
    raw = (given.choice or given.text).lower().replace("måneder", "").replace("months", "")
    if not (raw.strip().isdigit() and 1 <= int(raw) <= most):
        raise _Refused(say(draft.lang, "duration_range", most=most,
                           wrote=given.text or given.choice))
    draft.answers["duration"] = int(raw)
    return None


def _reason(draft: Draft, given: Answer, _ctx: Context) -> str | None:
    lang = draft.lang
    if given.choice == "template":
        raise _Refused(say(lang, "complete_template", template=TEMPLATE[lang]))
    text = _text(given.text, lang)
    if "xxx" in text.lower():
        raise _Refused(say(lang, "replace_xxx"))
    if len(text) < 15:
        raise _Refused(say(lang, "whole_sentence"))
    draft.answers["reason"] = text
    return None


def _internship(draft: Draft, given: Answer, _ctx: Context) -> str | None:
    raw = (given.choice or given.text).lower().replace("uger", "").replace("weeks", "").strip()
    if raw in ("0", "nej", "no", "ingen", "none"):
        draft.answers["internship"] = 0
    elif raw.isdigit() and 2 <= int(raw) <= 4:
        draft.answers["internship"] = int(raw)
    else:
        raise _Refused(say(draft.lang, "internship_range"))
    return None


def _requirements(draft: Draft, given: Answer, _ctx: Context) -> str | None:
    chosen, choice = draft.answers.setdefault("requirements", []), given.choice
    if choice == "done":
        return None
    if choice and choice.startswith("r:") and choice[2:] in REQUIREMENTS:
        key = choice[2:]
        if key in chosen:
            chosen.remove(key)
        else:
            chosen.append(key)
        return STAY
    raise _Refused(say(draft.lang, "pick_requirements"))


# -- the questions and buttons -------------------------------------------------------------


def _suggestions(most: int) -> tuple[str, ...]:
    """Four buttons up to the scheme's most: 4, 6, 8, 10 hours and 3, 6, 9, 12 months
    for the defaults; 2, 4, 6, 8 for 8 hours."""
    picks = sorted({max(1, round(most * part / 10)) for part in (4, 6, 8, 10)}
                   if most % 4 else {most * part // 4 for part in (1, 2, 3, 4)})
    return tuple(str(pick) for pick in picks)


def _pairs(choices: list[Choice]) -> Rows:
    return tuple(tuple(choices[i:i + 2]) for i in range(0, len(choices), 2))


def _done(lang: Language) -> Rows:
    return ((Choice("done", say(lang, "done")),),)


def _yes_no_buttons(draft: Draft, _ctx: Context) -> Rows:
    return ((Choice("ja", say(draft.lang, "yes")), Choice("nej", say(draft.lang, "no"))),)


def _contact_question(draft: Draft, _ctx: Context) -> tuple[str, dict[str, object]]:
    return "contact", {"name": draft.answers.get("contact_name", "")}


def _task_area_question(draft: Draft, _ctx: Context) -> tuple[str, dict[str, object]]:
    count = len(draft.answers.get("tasks", []))
    return ("task_area.first", {}) if count == 0 else ("task_area.next", {"number": count + 1})


def _task_area_buttons(draft: Draft, _ctx: Context) -> Rows:
    lang = draft.lang
    return _pairs([Choice(a.key, a.name[lang]) for a in AREAS]
                  + [Choice("own", say(lang, "own_task"))])


def _task_area_found(draft: Draft) -> Area | None:
    """The area the task being written was picked from (None: the manager's own)."""
    return area(draft.answers.get("_task", {}).get("area") or "")


def _task_title_question(draft: Draft, _ctx: Context) -> tuple[str, dict[str, object]]:
    return ("task_title.suggestions" if _task_area_found(draft) else "task_title"), {}


def _task_title_buttons(draft: Draft, _ctx: Context) -> Rows:
    found = _task_area_found(draft)
    if not found:
        return ()
    return tuple((Choice(f"ex:{i}", label),) for i, label in enumerate(found.labels(draft.lang)))


def _task_frequency_question(draft: Draft, _ctx: Context) -> tuple[str, dict[str, object]]:
    return "task_frequency", {"title": _task_label(draft.answers.get("_task", {}), draft.lang)}


def _task_label(task: dict[str, Any], lang: Language) -> str:
    """A task's title as the manager reads it: a picked example (stored in Danish) in
    the manager's language, a typed title as typed."""
    found = area(task.get("area") or "")
    title = task.get("title", "")
    return found.label(title, lang) if found else title


def _task_frequency_buttons(draft: Draft, _ctx: Context) -> Rows:
    return _pairs([Choice(f"f:{i}", f[draft.lang]) for i, f in enumerate(FREQUENCIES)])


def _criterion_question(key: str) -> Question:
    number = CRITERIA.index(key) + 1

    def question(draft: Draft, _ctx: Context) -> tuple[str, dict[str, object]]:
        return ("criterion.first" if number == 1 else "criterion.next",
                {"number": number, "of": len(CRITERIA),
                 "question": CRITERION_NAMES[key][draft.lang]})
    return question


def _competences_question(draft: Draft, _ctx: Context) -> tuple[str, dict[str, object]]:
    chosen = draft.answers.get("competences", [])
    return ("competences.chosen", {"chosen": ", ".join(chosen)}) if chosen else (
        "competences", {})


def _competences_buttons(draft: Draft, _ctx: Context) -> Rows:
    lang, chosen = draft.lang, draft.answers.get("competences", [])
    return _pairs([Choice(f"c:{i}", ("✓ " if c[lang] in chosen else "") + c[lang])
                   for i, c in enumerate(COMPETENCES)]) + _done(lang)


def _hours_question(draft: Draft, ctx: Context) -> tuple[str, dict[str, object]]:
    return "hours", {"most": hours(ctx.scheme.max_hours, draft.lang),
                     "left": hours(ctx.pool_left, draft.lang)}


def _hours_buttons(_draft: Draft, ctx: Context) -> Rows:
    return (tuple(Choice(h, h) for h in _suggestions(int(ctx.scheme.max_hours))),)


def _duration_question(_draft: Draft, ctx: Context) -> tuple[str, dict[str, object]]:
    return "duration", {"most": ctx.scheme.max_months}


def _duration_buttons(_draft: Draft, ctx: Context) -> Rows:
    return (tuple(Choice(m, m) for m in _suggestions(ctx.scheme.max_months)),)


def _reason_question(draft: Draft, _ctx: Context) -> tuple[str, dict[str, object]]:
    return "reason", {"template": TEMPLATE[draft.lang]}


def _reason_buttons(draft: Draft, _ctx: Context) -> Rows:
    return ((Choice("template", say(draft.lang, "use_template")),),)


def _internship_buttons(draft: Draft, _ctx: Context) -> Rows:
    lang = draft.lang
    return ((Choice("0", say(lang, "no")),
             *(Choice(str(w), say(lang, "weeks", weeks=w)) for w in (2, 3, 4))),)


def _requirements_buttons(draft: Draft, _ctx: Context) -> Rows:
    lang, chosen = draft.lang, draft.answers.get("requirements", [])
    return _pairs([Choice(f"r:{key}", ("✓ " if key in chosen else "") +
                          REQUIREMENT_NAMES[key][lang]) for key in REQUIREMENTS]) + _done(lang)


# -- the form ------------------------------------------------------------------------------

CRITERION_STEPS = tuple(f"crit_{key}" for key in CRITERIA)
FORM_STEPS: tuple[Step, ...] = (
    Step("location", _asks("location"), _stores_text("location"), "location"),
    Step("contact_name", _asks("contact_name"), _stores_text("contact_name"), "contact"),
    Step("contact", _contact_question, _contact, "contact"),
    Step("task_area", _task_area_question, _task_area, "tasks", _task_area_buttons),
    Step("task_title", _task_title_question, _task_title, "tasks", _task_title_buttons),
    Step("task_frequency", _task_frequency_question, _task_frequency, "tasks",
         _task_frequency_buttons),
    Step("task_more", _asks("task_more"), _task_more, "tasks", _yes_no_buttons),
    *(Step(f"crit_{key}", _criterion_question(key), _criterion(key), "criteria",
           _yes_no_buttons) for key in CRITERIA),
    Step("competences", _competences_question, _competences, "competences",
         _competences_buttons),
    Step("hours", _hours_question, _hours, "hours", _hours_buttons),
    Step("working_times", _asks("working_times"), _stores_text("working_times"),
         "working_times", optional=True, empty=""),
    Step("start", _asks("start"), _start, "start"),
    Step("duration", _duration_question, _duration, "duration", _duration_buttons),
    Step("reason", _reason_question, _reason, "reason", _reason_buttons),
    Step("internship", _asks("internship"), _internship, "internship", _internship_buttons,
         optional=True, empty=0),
    Step("requirements", _asks("requirements"), _requirements, "requirements",
         _requirements_buttons, optional=True, empty=[]),
)
STEP = {step.key: step for step in FORM_STEPS}
STEPS: tuple[str, ...] = (*STEP, "review")


def _yes_word(value: object, lang: Language) -> str:
    return say(lang, "answer.yes" if value else "answer.no")


def _none_or(text: str, lang: Language) -> str:
    return text or say(lang, "none")


GROUP_TABLE: tuple[Group, ...] = (
    Group("location", lambda a, _lang: a.get("location", "")),
    Group("contact", lambda a, _lang: f"{a.get('contact_name', '')} ({a.get('contact', '')})"),
    Group("tasks", lambda a, lang: "; ".join(f"{_task_label(x, lang)} ({x['frequency']})"
                                             for x in a.get("tasks", []))),
    Group("criteria", lambda a, lang: ", ".join(
        f"{i}: {_yes_word(a.get('criteria', {}).get(k), lang)}"
        for i, k in enumerate(CRITERIA, 1))),
    Group("competences", lambda a, _lang: ", ".join(a.get("competences", []))),
    Group("hours", lambda a, lang: hours(Decimal(a.get("hours", "0")), lang)),
    Group("working_times", lambda a, lang: a.get("working_times") or say(lang, "by_agreement")),
    Group("start", lambda a, lang: weekday_date(date.fromisoformat(a["start"]), lang)
          if a.get("start") else ""),
    Group("duration", lambda a, lang: months_text(int(a.get("duration", 0)), lang)),
    Group("reason", lambda a, _lang: a.get("reason", "")),
    Group("internship", lambda a, lang: say(lang, "weeks", weeks=a["internship"])
          if a.get("internship") else say(lang, "none")),
    Group("requirements", lambda a, lang: _none_or(
        ", ".join(REQUIREMENT_NAMES[k][lang] for k in a.get("requirements", [])), lang)),
)
# Groups the manager can change from the review: (first step, last step), from the table.
GROUPS: dict[str, tuple[str, str]] = {
    group.key: (next(s.key for s in FORM_STEPS if s.group == group.key),
                [s.key for s in FORM_STEPS if s.group == group.key][-1])
    for group in GROUP_TABLE}
GROUP_ENDS = {last for _first, last in GROUPS.values()}
OPTIONAL = {step.key for step in FORM_STEPS if step.optional}

REQUIRED = ("location", "contact_name", "contact", "tasks", "competences", "hours", "start",
            "duration", "reason")
# The group each required answer is changed in, for a form that cannot be submitted yet.
_GROUP_OF = {"contact_name": "contact", "contact": "contact"}


# -- moving between steps --------------------------------------------------------------


def _next_step(draft: Draft, step: str) -> str:
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
        goto = STEP[step].parse(draft, Answer((text or "").strip(), choice, result.notes), ctx)
    except _Refused as refused:
        result.notes.append(str(refused))
        result.error = True
        return result
    if goto != STAY:
        _go(draft, goto or _next_step(draft, step))
    return result


def skip(draft: Draft, ctx: Context) -> Result:
    """``/skip``: leave an optional step empty."""
    step = STEP.get(draft.step)
    if step is None or not step.optional:
        return Result(draft, [say(draft.lang, "no_skip")], error=True)
    draft.answers[step.key] = copy.deepcopy(step.empty)
    _go(draft, _next_step(draft, step.key))
    return Result(draft)


def _review_answer(draft: Draft, text: str | None, choice: str | None,
                   ctx: Context) -> Result:
    word = (choice or text or "").strip().lower()
    if word in ("submit", "indsend", "send"):
        return _submit(draft, ctx)
    if word.startswith("edit:") and word[5:] in GROUPS:
        return Result(edit(draft, word[5:]))
    return Result(draft, [say(draft.lang, "submit_or_change")], error=True)


def _submit(draft: Draft, ctx: Context) -> Result:
    """Submit only a complete form whose start is still ahead: a draft can wait for days
    in the review, and a missing answer (e.g. /back out of changing the tasks) or a start
    that has passed in the meantime sends the manager to that answer instead."""
    lang, answers = draft.lang, draft.answers
    missing = next((key for key in REQUIRED if not answers.get(key)), None)
    if missing is not None:
        edit(draft, _GROUP_OF.get(missing, missing))
        return Result(draft, [say(lang, "missing_answer")], error=True)
    if date.fromisoformat(answers["start"]) < ctx.today:
        edit(draft, "start")
        return Result(draft, [say(lang, "start_passed")], error=True)
    return Result(draft, submitted=True)


# -- prompts -----------------------------------------------------------------------------


def prompt(draft: Draft, ctx: Context) -> Prompt:
    """What to ask at the current step."""
    step = STEP.get(draft.step)
    if step is None:
        return Prompt("review", review_text(draft, ctx), _review_buttons(draft.lang))
    key, values = step.question(draft, ctx)
    return Prompt(step.key, say(draft.lang, key, **values), step.buttons(draft, ctx))


def group_name(group: str, lang: Language) -> str:
    """A group's heading in the review."""
    return render(GROUP_NAMES, group, lang)


def _review_buttons(lang: Language) -> Rows:
    edits = [Choice(f"edit:{g}", say(lang, "change", group=group_name(g, lang).lower()))
             for g in GROUPS]
    return _pairs(edits) + ((Choice("submit", say(lang, "submit")),),)


def review_text(draft: Draft, ctx: Context) -> str:
    """All answers, numbered, for the manager to check before submitting."""
    lang, a = draft.lang, draft.answers
    lines = [say(lang, "review")]
    lines += [f"{i}. {group_name(g.key, lang)}: {g.show(a, lang)}"
              for i, g in enumerate(GROUP_TABLE, 1)]
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
