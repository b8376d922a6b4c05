"""The texts the product sends: the economy group's claim summary, the reply to a
workplace, and notices to the consultants. Pure: data in, (subject, body) out.

The CPR number only ever reaches these texts masked (``DDMMYY-xxxx``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from handlers.i18n import Catalogue, render
from handlers.locale.summary import SUMMARY
from handlers.problems import Problem
from handlers.texts import (
    CANNOT_PROCESS,
    GREETING,
    HELD_REASONS,
    HOW_TO_SEND,
    MAIL,
    PARTLY_READ,
    SIGNATURE,
    Language,
    fix_list,
    problem_text,
    reply_subject,
)
from parsers.labels import COMPONENTS

COMPONENT_NAMES: Catalogue = {
    "salary": {"da": "Løn (inkl. sygeløn)", "en": "Wage (incl. sick pay)"},
    "atp": {"da": "ATP (arbejdsgiverandel)", "en": "ATP (employer's share)"},
    "pension": {"da": "Pension (arbejdsgiverandel)", "en": "Pension (employer's share)"},
    "holiday_pay": {"da": "Feriepenge / ferietillæg", "en": "Holiday pay"},
    "special_holiday_allowance": {"da": "Særlig feriegodtgørelse",
                                  "en": "Special holiday allowance"},
    "other": {"da": "Andet (fritvalg, gruppeliv, forsikring)",
              "en": "Other (free choice, group life, insurance)"},
    "am_contribution": {"da": "AM-bidrag (indeholdt i lønnen)",
                        "en": "AM contribution (withheld from the wage)"},
}


# The payslip's own arithmetic checks (parsers/payslip/verify.py), as the summary names them.
CHECK_NAMES: Catalogue = {
    "gross": {"da": "bruttoløn", "en": "gross pay"},
    "net": {"da": "udbetaling", "en": "net pay"},
    "am_contribution": {"da": "AM-bidrag 8 %", "en": "AM contribution 8 %"},
    "holiday_pay": {"da": "feriepenge", "en": "holiday pay"},
    "special_holiday_allowance": {"da": "særlig feriegodtgørelse",
                                  "en": "special holiday allowance"},
    "atp": {"da": "ATP", "en": "ATP"},
    "pension": {"da": "pension", "en": "pension"},
    "hours": {"da": "timer", "en": "hours"},
    "employer_cost": {"da": "samlet lønudgift", "en": "total employer cost"},
    "other": {"da": "andre poster højst en fjerdedel af lønnen",
              "en": "other items at most a quarter of the wage"},
    "unread_items": {"da": "ingen ulæste arbejdsgiverposter",
                     "en": "no unread employer items"},
}


def _in_sentence(name: str) -> str:
    """A cost item's name inside a sentence: lower case, but an acronym stays (ATP)."""
    first = name.split()[0]
    return name if first.isupper() else name[0].lower() + name[1:]


def kr(value: Decimal | None, lang: Language = "da") -> str:
    """1.234,56 in Danish, 1,234.56 in English."""
    if value is None:
        return "-"
    text = f"{value:,.2f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "da" else text


def day(value: date | None, lang: Language = "da") -> str:
    if value is None:
        return "-"
    return value.strftime("%d.%m.%Y") if lang == "da" else value.isoformat()


@dataclass(frozen=True)
class ClaimSummary:
    reference: str
    workplace: str
    cvr: str
    employee_name: str
    cpr_masked: str
    period_start: date
    period_end: date
    hours: Decimal
    sick_hours: Decimal | None
    approved_hours_per_week: Decimal
    cap_hours: Decimal
    capped: bool
    components: dict[str, Decimal]
    claimed: tuple[str, ...]
    employer_cost: Decimal  # every employer cost item on the payslip
    claimed_cost: Decimal  # of the items the workplace asks to have covered
    refundable_amount: Decimal
    sender: str
    received: str
    message_id: str | None
    problems: tuple[Problem, ...] = field(default=())
    checks_held: tuple[str, ...] = field(default=())  # the payslip checks that reconciled
    # What the trusted receiving mail system said ("SPF pass, DKIM pass, DMARC pass"),
    # or "" when it said nothing we trust.
    sender_check: str = ""


def say(lang: Language, key: str, **values: object) -> str:
    """A text of the summary section of the catalogue (handlers.locale.summary)."""
    return render(SUMMARY, key, lang, **values)


def _label(lang: Language, key: str, width: int = 16) -> str:
    return f"{say(lang, f'label.{key}'):<{width}}"


def economy_summary(s: ClaimSummary, lang: Language = "da") -> tuple[str, str]:
    """One validated claim, as the economy group pays from it."""
    subject = say(lang, "subject", reference=s.reference, workplace=s.workplace,
                  employee=s.employee_name, start=day(s.period_start, lang),
                  end=day(s.period_end, lang), amount=kr(s.refundable_amount, lang))
    width = 44
    rows = [f"  {COMPONENT_NAMES[k][lang]:<{width}}{kr(s.components.get(k), lang):>14}"
            for k in COMPONENTS if k != "am_contribution"]
    claimed = ", ".join(_in_sentence(COMPONENT_NAMES[k][lang].split(" (")[0])
                        for k in s.claimed)
    capped = (say(lang, "capped.yes", hours=kr(s.hours, lang), cap=kr(s.cap_hours, lang))
              if s.capped else say(lang, "capped.no"))
    sick = say(lang, "of_which_sick", hours=kr(s.sick_hours, lang)) if s.sick_hours else ""
    head = [
        say(lang, "validated", reference=s.reference),
        "",
        f"{_label(lang, 'workplace')}{s.workplace} (CVR {s.cvr})",
        f"{_label(lang, 'employee')}{s.employee_name}, CPR {s.cpr_masked}",
        f"{_label(lang, 'period')}{day(s.period_start, lang)} - {day(s.period_end, lang)}",
        f"{_label(lang, 'hours')}{kr(s.hours, lang)}{sick}",
        _label(lang, "approved") + say(lang, "approved", per_week=kr(
            s.approved_hours_per_week, lang), cap=kr(s.cap_hours, lang)),
        "",
        f"{_label(lang, 'costs', width + 2)}{'kr.':>14}",
        *rows,
        f"  {'-' * (width + 14)}",
        f"  {_label(lang, 'employer_cost', width)}{kr(s.employer_cost, lang):>14}",
        f"  {COMPONENT_NAMES['am_contribution'][lang]:<{width}}"
        f"{kr(s.components.get('am_contribution'), lang):>14}",
        "",
        f"{_label(lang, 'claimed')}{claimed}: kr. {kr(s.claimed_cost, lang)}",
        f"{_label(lang, 'capped')}{capped}",
        f"{_label(lang, 'refund')}kr. {kr(s.refundable_amount, lang)}",
        "",
        f"{_label(lang, 'sender')}{s.sender}",
        f"{_label(lang, 'received')}{s.received}",
        f"{_label(lang, 'message_id')}{s.message_id or '-'}",
    ]
    if s.checks_held:
        held = ", ".join(render(CHECK_NAMES, c, lang) for c in s.checks_held)
        head += ["", say(lang, "checks_held", checks=held)]
    if s.sender_check:
        head.append(f"{_label(lang, 'sender_check')}{s.sender_check}")
    if s.problems:
        head += ["", say(lang, "note")]
        head += [f"- {problem_text(p, lang)}" for p in s.problems]
    head += ["", say(lang, "payslip_attached")]
    return subject, "\n".join(head) + "\n"


# Problems that say the mail itself may not come from the workplace: a held claim is
# then not discussed with whoever sent it (the consultants are told instead).
_DOUBTFUL_SENDER = frozenset({"envelope_missing", "auth_failed"})


def held_reasons(problems: Sequence[Problem], lang: Language = "da") -> list[str] | None:
    """Why a held claim is held, in words a workplace understands, or None when the
    sender is not to be told (the mail may be forged). A sender not registered for the
    workplace learns only that: not whether the person has an employment here. The
    reader's arithmetic checks become one sentence: a person checks the figures."""
    codes = {p.code for p in problems}
    if codes & _DOUBTFUL_SENDER:
        return None
    if "sender_not_allowed" in codes:
        return [render(HELD_REASONS, "sender_not_allowed", lang)]
    reasons: list[str] = []
    for problem in problems:
        key = problem.code if problem.code in HELD_REASONS else "figures"
        values = {k: _shown(v, lang) for k, v in problem.values.items()}
        reason = render(HELD_REASONS, key, lang, **values)
        if reason not in reasons:
            reasons.append(reason)
    return reasons


def _shown(value: str, lang: Language) -> str:
    """A problem's value as a workplace reads it: dates in the language's form."""
    try:
        return day(date.fromisoformat(value), lang)
    except ValueError:
        return value


def sender_reply(
    original_subject: str,
    claims: list[tuple[str, list[str], list[Problem]]],
    notes: list[Problem],
    jobcenter_address: str,
    lang: Language = "da",
    *,
    accepted: bool = False,
    held: Sequence[tuple[str, list[str]]] = (),
) -> tuple[str, str]:
    """The reply to a workplace whose claim is incomplete or invalid, or (``accepted``)
    whose claim went on although some of its attachments could not be used, or whose
    claim is ``held`` for a person (per claim a heading and :func:`held_reasons`).

    ``claims`` holds, per claim, a heading (the payslip's filename or reference),
    what is missing and what is wrong.
    """
    lines = [GREETING[lang], ""]
    if claims or notes:
        lines += [(PARTLY_READ if accepted else CANNOT_PROCESS)[lang], ""]
    for note in notes:
        lines.append(f"- {problem_text(note, lang)}")
    if notes:
        lines.append("")
    for heading, missing, problems in claims:
        if len(claims) > 1 or heading:
            lines.append(f"{heading}:")
        lines.extend(fix_list(missing, problems, lang))
        lines.append("")
    if held:
        lines += [MAIL["held_head"][lang], ""]
        for heading, reasons in held:
            if heading:
                lines.append(f"{heading}:")
            lines += [f"- {reason}" for reason in reasons]
            lines.append("")
    if claims or notes:
        lines += [HOW_TO_SEND[lang].format(address=jobcenter_address), ""]
    lines.append(SIGNATURE[lang])
    return reply_subject(original_subject, lang), "\n".join(lines) + "\n"


def review_notice(
    reference: str, workplace: str, employee_name: str, cpr_masked: str,
    problems: list[Problem], lang: Language = "da",
) -> tuple[str, str]:
    """To the consultants and the economy group: a claim people must look at."""
    subject = say(lang, "review.subject", reference=reference, workplace=workplace)
    lines = [
        say(lang, "review.intro", reference=reference),
        "",
        *[f"- {problem_text(p, lang)}" for p in problems],
        "",
        f"{say(lang, 'label.workplace')}: {workplace}",
        f"{say(lang, 'label.employee')}: {employee_name}, CPR {cpr_masked}",
        "",
        say(lang, "review.details", reference=reference),
    ]
    return subject, "\n".join(lines) + "\n"


def failed_notice(
    inbound_id: int, attempts: int, sender: str, subject: str, reason: str,
    lang: Language = "da",
) -> tuple[str, str]:
    """To the consultants: a received mail was given up after every allowed attempt.

    ``sender`` and ``subject`` are given already CPR-masked (the caller read them from
    the raw message, which may be the one that defeated the mail parser)."""
    title = say(lang, "failed.subject", number=inbound_id)
    lines = [
        say(lang, "failed.intro", attempts=attempts),
        "",
        f"{say(lang, 'failed.inbound')}: {inbound_id}",
        f"{say(lang, 'from')}: {sender or '?'}",
        f"{say(lang, 'subject_label')}: {subject or say(lang, 'no_subject')}",
        f"{say(lang, 'failed.reason')}: {reason}",
        "",
        say(lang, "failed.again", number=inbound_id),
    ]
    return title, "\n".join(lines) + "\n"


# Why a mail was stored but not answered (the kinds routing gives), for the consultants.
HELD_KINDS = ("bounce", "auto_reply", "automated", "forged", "rate_limited")


def held_notice(
    sender: str, envelope_from: str, subject: str, kind: str, reason: str,
    claims: list[tuple[str, str]], lang: Language = "da",
) -> tuple[str, str]:
    """To the consultants: a mail that was stored but not answered, and why. At most one
    an hour per sender (the caller's key), so it names the latest mail only."""
    lines = [
        say(lang, f"held.{kind}" if kind in HELD_KINDS else "held.other"),
        f"({reason})",
        "",
        f"{say(lang, 'from')}: {sender}",
        f"{say(lang, 'held.envelope')}: <{envelope_from}>",
        f"{say(lang, 'subject_label')}: {subject}",
    ]
    if claims:
        lines += ["", say(lang, "held.claims")]
        lines += [f"- {reference} ({status})" for reference, status in claims]
    lines += ["", say(lang, "held.once")]
    return say(lang, "held.subject", sender=sender), "\n".join(lines) + "\n"
