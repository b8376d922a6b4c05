"""The texts the product sends: the economy group's claim summary, the reply to a
workplace, and notices to the consultants. Pure: data in, (subject, body) out.

The CPR number only ever reaches these texts masked (``DDMMYY-xxxx``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from handlers.problems import Problem
from handlers.texts import (
    CANNOT_PROCESS,
    GREETING,
    HOW_TO_SEND,
    PARTLY_READ,
    SIGNATURE,
    Language,
    fix_list,
    problem_text,
    reply_subject,
)
from parsers.labels import COMPONENTS

COMPONENT_NAMES: dict[str, dict[Language, str]] = {
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
CHECK_NAMES: dict[str, dict[Language, str]] = {
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


def economy_summary(s: ClaimSummary, lang: Language = "da") -> tuple[str, str]:
    """One validated claim, as the economy group pays from it."""
    da = lang == "da"
    subject = (f"Refusion {s.reference}: {s.workplace} - {s.employee_name} - "
               f"{day(s.period_start, lang)}-{day(s.period_end, lang)} - kr. "
               f"{kr(s.refundable_amount, lang)}")
    width = 44
    rows = [f"  {COMPONENT_NAMES[k][lang]:<{width}}{kr(s.components.get(k), lang):>14}"
            for k in COMPONENTS if k != "am_contribution"]
    claimed = ", ".join(_in_sentence(COMPONENT_NAMES[k][lang].split(" (")[0])
                        for k in s.claimed)
    capped = ((f"Ja: {kr(s.hours, lang)} timer > loft {kr(s.cap_hours, lang)} timer; "
               "beløbet er nedsat forholdsmæssigt") if da else
              (f"Yes: {kr(s.hours, lang)} hours > cap {kr(s.cap_hours, lang)} hours; "
               "the amount is reduced pro rata")) if s.capped else ("Nej" if da else "No")
    head = [
        (f"Refusionskrav {s.reference} er valideret og kan udbetales." if da else
         f"Refund claim {s.reference} is validated and can be paid."),
        "",
        f"{'Arbejdsplads' if da else 'Workplace':<16}{s.workplace} (CVR {s.cvr})",
        f"{'Medarbejder' if da else 'Employee':<16}{s.employee_name}, CPR {s.cpr_masked}",
        f"{'Periode' if da else 'Period':<16}{day(s.period_start, lang)} - "
        f"{day(s.period_end, lang)}",
        f"{'Timer' if da else 'Hours':<16}{kr(s.hours, lang)}"
        + (f" ({'heraf syg' if da else 'of which sick'} {kr(s.sick_hours, lang)})"
           if s.sick_hours else ""),
        f"{'Godkendt' if da else 'Approved':<16}{kr(s.approved_hours_per_week, lang)} "
        f"{'timer/uge; loft' if da else 'hours/week; cap'} {kr(s.cap_hours, lang)} "
        f"{'timer i perioden' if da else 'hours in the period'}",
        "",
        f"{'Lønudgifter' if da else 'Wage costs':<{width + 2}}{'kr.':>14}",
        *rows,
        f"  {'-' * (width + 14)}",
        f"  {('Arbejdsgiverens lønudgift i alt' if da else 'Employer cost, total'):<{width}}"
        f"{kr(s.employer_cost, lang):>14}",
        f"  {COMPONENT_NAMES['am_contribution'][lang]:<{width}}"
        f"{kr(s.components.get('am_contribution'), lang):>14}",
        "",
        f"{'Søgt dækning af' if da else 'Claimed':<16}{claimed}: kr. "
        f"{kr(s.claimed_cost, lang)}",
        f"{'Nedsat (loft)' if da else 'Capped':<16}{capped}",
        f"{'Refusion' if da else 'Refund':<16}kr. {kr(s.refundable_amount, lang)}",
        "",
        f"{'Afsender' if da else 'Sender':<16}{s.sender}",
        f"{'Modtaget' if da else 'Received':<16}{s.received}",
        f"{'Message-ID' if da else 'Message-ID':<16}{s.message_id or '-'}",
    ]
    if s.checks_held:
        held = ", ".join(CHECK_NAMES.get(c, {}).get(lang, c) for c in s.checks_held)
        head += ["", (f"Aflæsningen er afstemt med lønsedlens egne tal: {held}." if da else
                      f"The reading reconciles with the payslip's own figures: {held}.")]
    if s.sender_check:
        head.append(f"{'Afsenderkontrol' if da else 'Sender check':<16}{s.sender_check}")
    if s.problems:
        head += ["", "Bemærk:" if da else "Note:"]
        head += [f"- {problem_text(p, lang)}" for p in s.problems]
    head += ["", "Lønsedlen er vedhæftet." if da else "The payslip is attached."]
    return subject, "\n".join(head) + "\n"


def sender_reply(
    original_subject: str,
    claims: list[tuple[str, list[str], list[Problem]]],
    notes: list[Problem],
    jobcenter_address: str,
    lang: Language = "da",
    *,
    accepted: bool = False,
) -> tuple[str, str]:
    """The reply to a workplace whose claim is incomplete or invalid, or (``accepted``)
    whose claim went on although some of its attachments could not be used.

    ``claims`` holds, per claim, a heading (the payslip's filename or reference),
    what is missing and what is wrong.
    """
    lines = [GREETING[lang], "", (PARTLY_READ if accepted else CANNOT_PROCESS)[lang], ""]
    for note in notes:
        lines.append(f"- {problem_text(note, lang)}")
    if notes:
        lines.append("")
    for heading, missing, problems in claims:
        if len(claims) > 1 or heading:
            lines.append(f"{heading}:")
        lines.extend(fix_list(missing, problems, lang))
        lines.append("")
    lines += [HOW_TO_SEND[lang].format(address=jobcenter_address), "", SIGNATURE[lang]]
    return reply_subject(original_subject, lang), "\n".join(lines) + "\n"


def review_notice(
    reference: str, workplace: str, employee_name: str, cpr_masked: str,
    problems: list[Problem], lang: Language = "da",
) -> tuple[str, str]:
    """To the consultants and the economy group: a claim people must look at."""
    da = lang == "da"
    subject = (f"Til vurdering: refusionskrav {reference} ({workplace})" if da else
               f"For review: refund claim {reference} ({workplace})")
    lines = [
        (f"Refusionskrav {reference} er ikke godkendt automatisk og skal vurderes:" if da else
         f"Refund claim {reference} was not approved automatically and needs review:"),
        "",
        *[f"- {problem_text(p, lang)}" for p in problems],
        "",
        f"{'Arbejdsplads' if da else 'Workplace'}: {workplace}",
        f"{'Medarbejder' if da else 'Employee'}: {employee_name}, CPR {cpr_masked}",
        "",
        (f"Se detaljer med: assistant claims show {reference}" if da else
         f"Details: assistant claims show {reference}"),
    ]
    return subject, "\n".join(lines) + "\n"


def failed_notice(
    inbound_id: int, attempts: int, sender: str, subject: str, reason: str,
    lang: Language = "da",
) -> tuple[str, str]:
    """To the consultants: a received mail was given up after every allowed attempt.

    ``sender`` and ``subject`` are given already CPR-masked (the caller read them from
    the raw message, which may be the one that defeated the mail parser)."""
    da = lang == "da"
    title = (f"Mail kunne ikke behandles (indgående nr. {inbound_id})" if da else
             f"Mail could not be processed (inbound no. {inbound_id})")
    lines = [
        (f"En mail til jobcentret kunne ikke læses efter {attempts} forsøg og er opgivet. "
         "Afsenderen har ikke fået svar; tag kontakt, hvis mailen skal behandles." if da else
         f"A mail to the jobcenter could not be read after {attempts} attempts and was given "
         "up. The sender has not been answered; contact them if the mail matters."),
        "",
        f"{'Indgående nr.' if da else 'Inbound no.'}: {inbound_id}",
        f"{'Fra' if da else 'From'}: {sender or '?'}",
        f"{'Emne' if da else 'Subject'}: {subject or ('(intet emne)' if da else '(no subject)')}",
        f"{'Årsag' if da else 'Reason'}: {reason}",
        "",
        (f"Læs den igen efter en rettelse med: assistant reprocess {inbound_id}" if da else
         f"Read it again after a fix: assistant reprocess {inbound_id}"),
    ]
    return title, "\n".join(lines) + "\n"
HELD_WHY: dict[str, str] = {
    "bounce": "Mailen er en returmail (bounce) eller en leveringsrapport.",
    "auto_reply": "Mailen er et automatisk svar (fx et fraværssvar).",
    "automated": "Mailen er sendt automatisk eller til en liste, og automatisk post "
                 "besvares ikke automatisk (RFC 3834).",
    "forged": "Jobcentrets mailsystem melder, at afsenderen ikke kunne bekræftes "
              "(SPF/DKIM/DMARC fejl); afsenderen kan være forfalsket.",
    "rate_limited": "Afsenderen har allerede fået det højeste antal automatiske svar i "
                    "denne time.",
}


def held_notice(
    sender: str, envelope_from: str, subject: str, kind: str, reason: str,
    claims: list[tuple[str, str]], lang: Language = "da",
) -> tuple[str, str]:
    """To the consultants: a mail that was stored but not answered, and why. At most one
    an hour per sender (the caller's key), so it names the latest mail only."""
    da = lang == "da"
    subject_line = (f"Ikke besvaret: mail fra {sender}" if da else
                    f"Not answered: mail from {sender}")
    lines = [
        (HELD_WHY.get(kind, "Mailen besvares ikke automatisk.") if da else
         "The mail was stored but not answered automatically."),
        f"({reason})",
        "",
        f"{'Fra' if da else 'From'}: {sender}",
        f"{'Konvolut-afsender' if da else 'Envelope sender'}: <{envelope_from}>",
        f"{'Emne' if da else 'Subject'}: {subject}",
    ]
    if claims:
        lines += ["", "Krav i mailen:" if da else "Claims in the mail:"]
        lines += [f"- {reference} ({status})" for reference, status in claims]
    lines += ["", ("Flere mails af samme slags fra denne afsender i denne time giver ingen "
                   "ny besked." if da else
                   "Further such mail from this sender this hour gives no new notice.")]
    return subject_line, "\n".join(lines) + "\n"
