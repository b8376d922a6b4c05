"""What people read: replies to workplaces, summaries for the economy group.

Danish by default, English available. Texts are keyed on the stable problem codes
and quote only the values a problem carries (already masked), so a full CPR number
cannot reach a reply or a summary from here.
"""

from __future__ import annotations

import re

from handlers.i18n import Catalogue, Language, render
from handlers.problems import Problem

__all__ = ["Language"]  # re-exported: other modules import the language type from here

FIELD_NAMES: Catalogue = {
    "employee_name": {"da": "den ansattes navn", "en": "the employee's name"},
    "cpr": {"da": "den ansattes CPR-nummer (DDMMÅÅ-XXXX)",
            "en": "the employee's CPR number (DDMMYY-XXXX)"},
    "employer_name": {"da": "arbejdsgiverens navn", "en": "the employer's name"},
    "cvr": {"da": "arbejdsgiverens CVR-nummer (8 cifre)",
            "en": "the employer's CVR number (8 digits)"},
    "period": {"da": "den refusionsberettigede periode (fx 01.10.2026 - 31.10.2026)",
               "en": "the refund period (e.g. 01.10.2026 - 31.10.2026)"},
    "amount": {"da": "det refusionsberettigede beløb (lønudgifterne på lønsedlen)",
               "en": "the refund amount (the wage costs on the payslip)"},
    "hours": {"da": "antal timer i perioden (på lønsedlen)",
              "en": "the hours worked in the period (on the payslip)"},
    "claimed": {"da": "hvad der søges dækning af (fx løn, ATP, pension, feriepenge) - skriv det "
                      "i mailen",
                "en": "what you claim (e.g. wage, ATP, pension, holiday pay) - write it in the "
                      "e-mail"},
    "payslip": {"da": "den ansattes lønseddel som PDF", "en": "the employee's payslip as a PDF"},
}

PROBLEM_TEXTS: Catalogue = {
    "cpr_invalid": {"da": "CPR-nummeret {cpr} er ikke gyldigt: de første seks cifre skal være en "
                          "rigtig dato (DDMMÅÅ), og der skal være 10 cifre.",
                    "en": "The CPR number {cpr} is not valid: the first six digits must be a real "
                          "date (DDMMYY) and there must be 10 digits."},
    "cpr_future": {"da": "CPR-nummeret {cpr} har en fødselsdato i fremtiden.",
                   "en": "The CPR number {cpr} has a birth date in the future."},
    "cpr_substitute": {"da": "CPR-nummeret {cpr} er et erstatningspersonnummer.",
                       "en": "The CPR number {cpr} is a substitute number."},
    "cvr_invalid": {"da": "CVR-nummeret {cvr} er ikke gyldigt (8 cifre, kontrolciffer); tjek for "
                          "en tastefejl.",
                    "en": "The CVR number {cvr} is not valid (8 digits, check digit); check for a "
                          "typing error."},
    "period_reversed": {"da": "Perioden starter ({start}) efter den slutter ({end}).",
                        "en": "The period starts ({start}) after it ends ({end})."},
    "period_too_long": {"da": "Perioden {start} - {end} er længere end en måned; send ét krav pr. "
                              "måned.",
                        "en": "The period {start} - {end} is longer than one month; send one "
                              "claim per month."},
    "period_future": {"da": "Perioden starter i fremtiden ({start}).",
                      "en": "The period starts in the future ({start})."},
    "amount_not_positive": {"da": "Lønudgifterne på lønsedlen giver {amount} kr.; der er intet at "
                                  "refundere.",
                            "en": "The wage costs on the payslip come to DKK {amount}; there is "
                                  "nothing to refund."},
    "mismatch": {"da": "Mailen og lønsedlen er ikke enige om {field}: {mail} i mailen, {payslip} "
                       "på lønsedlen.",
                 "en": "The e-mail and the payslip disagree on {field}: {mail} in the e-mail, "
                       "{payslip} on the payslip."},
    "check_employer_cost": {"da": "Lønarterne giver {sum} kr., men lønsedlen angiver {stated} kr. "
                                  "i alt som lønudgift.",
                            "en": "The cost items add up to DKK {sum}, but the payslip states "
                                  "DKK {stated} as the total employer cost."},
    "check_gross": {"da": "Kontrol af bruttoløn holdt ikke: lønlinjerne giver {computed} kr., "
                          "lønsedlen angiver {printed} kr.",
                    "en": "Gross check failed: the wage lines add up to DKK {computed}, the "
                          "payslip prints DKK {printed}."},
    "check_net": {"da": "Kontrol af udbetalingen holdt ikke: løn minus AM-bidrag, A-skat og egne "
                        "bidrag giver {computed} kr., lønsedlen angiver {printed} kr. til "
                        "udbetaling.",
                  "en": "Net check failed: wage less AM-bidrag, A-skat and own shares gives DKK "
                        "{computed}, the payslip prints DKK {printed} as net."},
    "check_am_contribution": {"da": "AM-bidraget {am} kr. er ikke 8 % af grundlaget {basis} kr. "
                                    "(det ville være {expected} kr.).",
                              "en": "AM-bidrag DKK {am} is not 8 % of its basis DKK {basis} "
                                    "(that would be DKK {expected})."},
    "check_holiday_pay": {"da": "Feriepengene {amount} kr. svarer ikke til en almindelig sats "
                                "af grundlaget {basis} kr.",
                          "en": "Holiday pay DKK {amount} is no usual rate of its base DKK "
                                "{basis}."},
    "check_special_holiday_allowance": {
        "da": "Den særlige feriegodtgørelse {amount} kr. svarer ikke til en almindelig sats af "
              "grundlaget {basis} kr.",
        "en": "Special holiday allowance DKK {amount} is no usual rate of its base DKK "
              "{basis}."},
    "check_atp": {"da": "ATP passer ikke: arbejdsgiverens ATP {employer} kr., den ansattes "
                        "{employee} kr., {hours} timer.",
                  "en": "ATP does not add up: employer's ATP DKK {employer}, employee's DKK "
                        "{employee}, {hours} hours."},
    "check_pension": {"da": "Pension passer ikke: arbejdsgiverens pension {employer} kr., den "
                            "ansattes {employee} kr., løn {salary} kr.",
                      "en": "Pension does not add up: employer's pension DKK {employer}, "
                            "employee's DKK {employee}, wage DKK {salary}."},
    "check_hours": {"da": "Timerne på lønsedlen ({labelled}) passer ikke med lønlinjernes timer "
                          "({lines}).",
                    "en": "The hours on the payslip ({labelled}) do not match the wage lines' "
                          "hours ({lines})."},
    "not_verified": {"da": "Aflæsningen kunne ikke kontrolleres: lønsedlen viser hverken "
                           "bruttoløn eller udbetaling, som lønlinjerne kan afstemmes med.",
                     "en": "The reading could not be checked: the payslip prints no gross or "
                           "net the wage lines can be reconciled with."},
    "implausible_cost_per_hour": {
        "da": "Lønudgiften er {per_hour} kr. pr. time ({cost} kr. for {hours} timer), uden for "
              "det sandsynlige {low}-{high} kr.",
        "en": "The employer cost is DKK {per_hour} per hour (DKK {cost} for {hours} hours), "
              "outside the plausible {low}-{high}."},
    "payslip_unreadable": {"da": "Vedhæftningen \"{filename}\" kunne ikke læses: {reason}",
                           "en": "The attachment \"{filename}\" could not be read: {reason}"},
    "attachments_dropped": {"da": "Mailen havde for mange vedhæftede PDF-filer: de første {kept} "
                                  "er læst, {dropped} er ikke læst. Send højst {kept} "
                                  "lønsedler pr. mail.",
                            "en": "The e-mail had too many PDF attachments: the first {kept} "
                                  "were read, {dropped} were not. Send at most {kept} payslips "
                                  "per e-mail."},
    "not_a_payslip": {"da": "Vedhæftningen \"{filename}\" ligner ikke en lønseddel.",
                      "en": "The attachment \"{filename}\" does not look like a payslip."},
    "no_employment": {"da": "Der er ingen godkendt ansættelse for {cpr} hos CVR {cvr}.",
                      "en": "There is no approved employment for {cpr} at CVR {cvr}."},
    "outside_employment": {"da": "Perioden {start} - {end} ligger uden for ansættelsen "
                                 "({employment_start} - {employment_end}).",
                           "en": "The period {start} - {end} lies outside the employment "
                                 "({employment_start} - {employment_end})."},
    "duplicate": {"da": "Der er allerede et krav ({reference}) for en overlappende periode.",
                  "en": "There is already a claim ({reference}) for an overlapping period."},
    "sick_days_exceeded": {"da": "Sygefraværet er nu {days} dage i ansættelsen; efter 30 dage "
                                 "skal der søges sygedagpengerefusion.",
                           "en": "Sick leave is now {days} days in this employment; after 30 "
                                 "days, claim sickness benefit refund instead."},
    "sender_not_allowed": {"da": "Afsenderen {sender} er ikke registreret for CVR {cvr}.",
                           "en": "The sender {sender} is not registered for CVR {cvr}."},
    "duplicate_payslip": {"da": "Den samme lønseddel er allerede søgt refunderet ({reference}).",
                          "en": "The same payslip was already claimed ({reference})."},
    "envelope_missing": {"da": "Mailen har ingen afsenderadresse i konvolutten ({envelope}); "
                               "afsenderen kan ikke kontrolleres.",
                         "en": "The mail has no envelope sender address ({envelope}); the "
                               "sender cannot be checked."},
    "auth_failed": {"da": "Jobcentrets mailsystem melder {methods} fejl for mailen: afsenderen "
                          "kan være forfalsket.",
                    "en": "The jobcenter's mail system reports {methods} fail for the mail: the "
                          "sender may be forged."},
}


def field_name(name: str, lang: Language = "da") -> str:
    if name not in FIELD_NAMES:
        return name.replace("_", " ")
    return render(FIELD_NAMES, name, lang)


# Why an attachment could not be read, in the sender's language (the reader's own reason
# is English, for logs and the command line).
UNREADABLE_REASONS: Catalogue = {
    "no_text": {"da": "PDF-filen har ingen læsbar tekst (en scanning?), og den kunne ikke "
                      "læses sikkert. Send lønsedlen som PDF direkte fra lønsystemet.",
                "en": "the PDF has no readable text (a scan?) and could not be read reliably. "
                      "Send the payslip as a PDF exported from the payroll system."},
    "ocr_failed": {"da": "scanningen eller billedet kunne ikke læses sikkert. Send lønsedlen "
                         "som PDF direkte fra lønsystemet.",
                   "en": "the scan or photo could not be read reliably. Send the payslip as a "
                         "PDF exported from the payroll system."},
    "heic": {"da": "billedet (HEIC fra en iPhone) kunne ikke åbnes. Send lønsedlen som PDF "
                   "eller JPEG.",
             "en": "the image (HEIC from an iPhone) could not be opened. Send the payslip as "
                   "a PDF or a JPEG."},
    "not_pdf": {"da": "filen er ikke en PDF eller et billede af en lønseddel. Vedhæft "
                      "lønsedlen som PDF.",
                "en": "the file is not a PDF or a picture of a payslip. Attach the payslip "
                      "as a PDF."},
    "too_large": {"da": "filen er for stor eller har for mange sider til at være en "
                        "lønseddel. Send hver medarbejders lønseddel for sig.",
                  "en": "the file is too large or has too many pages to be a payslip. Send "
                        "each employee's payslip on its own."},
    "damaged": {"da": "PDF-filen er beskadiget eller afkortet. Send den igen.",
                "en": "the PDF is damaged or truncated. Send it again."},
}


def problem_text(problem: Problem, lang: Language = "da") -> str:
    template = PROBLEM_TEXTS.get(problem.code, {}).get(lang)
    if template is None:
        return problem.message
    values = {"field": _short_field(problem.field, lang),
              **{key: _date_for(value, lang) for key, value in problem.values.items()}}
    reason = UNREADABLE_REASONS.get(values.get("reason_code", ""), {}).get(lang)
    if problem.code == "payslip_unreadable" and reason:
        values["reason"] = reason  # not the reader's English reason inside a Danish reply
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return problem.message


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _date_for(value: str, lang: Language) -> str:
    """An ISO date as the reader writes dates: 01.10.2026 in Danish text."""
    match = _ISO_DATE.match(value) if lang == "da" else None
    return f"{match[3]}.{match[2]}.{match[1]}" if match else value


# A field as a sentence names it ("Mailen og lønsedlen er ikke enige om {field}").
SHORT_FIELD_NAMES: Catalogue = {
    "employee_name": {"da": "navnet", "en": "the name"},
    "cpr": {"da": "CPR-nummeret", "en": "the CPR number"},
    "employer_name": {"da": "arbejdsgiverens navn", "en": "the employer's name"},
    "cvr": {"da": "CVR-nummeret", "en": "the CVR number"},
    "period": {"da": "perioden", "en": "the period"},
    "hours": {"da": "timerne", "en": "the hours"},
    "amount": {"da": "beløbet", "en": "the amount"},
}


def _short_field(name: str, lang: Language) -> str:
    return render(SHORT_FIELD_NAMES, name, lang) if name in SHORT_FIELD_NAMES else name


# The claim replies' fixed sentences.
MAIL: Catalogue = {
    "greeting": {
        "da": "Tak for din mail om refusion for job på få lønnede timer.",
        "en": "Thank you for your e-mail about a refund for a job in a few paid hours.",
    },
    "cannot_process": {
        "da": "Vi kan ikke behandle kravet endnu:",
        "en": "We cannot process the claim yet:",
    },
    "partly_read": {
        "da": "Vi har modtaget kravet og behandler det, men ikke alt i mailen kunne bruges:",
        "en": "We have received the claim and are processing it, but not all of the e-mail "
              "could be used:",
    },
    "missing_head": {"da": "Mangler:", "en": "Missing:"},
    "wrong_head": {"da": "Skal rettes:", "en": "To correct:"},
    "how_to_send": {
        "da": "Send venligst en ny mail til {address} (ATT: Økonomigruppe) med den ansattes "
              "lønseddel som PDF, og skriv i mailen hvad der søges dækning af (fx løn, ATP, "
              "pension, feriepenge). Husk den ansattes navn og CPR-nummer, arbejdsgiverens navn og "
              "CVR-nummer, perioden og beløbet.",
        "en": "Please send a new e-mail to {address} (ATT: Economy group) with the employee's "
              "payslip as a PDF, and write in the e-mail what you claim (e.g. wage, ATP, "
              "pension, holiday pay). Include the employee's name and CPR number, the "
              "employer's name and CVR number, the period and the amount.",
    },
    "signature": {
        "da": "Venlig hilsen\nJobcentret, Økonomigruppen\n(automatisk svar)",
        "en": "Kind regards\nThe jobcenter, Economy group\n(automatic reply)",
    },
    "subject_fallback": {"da": "Refusion", "en": "Refund"},
    # A claim held for a person (handlers.summary.held_reasons).
    "held_head": {
        "da": "Vi har modtaget kravet, men det kan ikke godkendes automatisk. En medarbejder i "
              "jobcentret ser det igennem, og I hører fra os, hvis der skal rettes noget:",
        "en": "We have received the claim, but it cannot be approved automatically. A member "
              "of the jobcenter's staff will look at it, and you will hear from us if "
              "anything must be corrected:",
    },
    # A claim a person rejected (handlers.decisions).
    "rejection_head": {
        "da": "Jobcentret har behandlet refusionskravet {reference} og kan ikke udbetale "
              "refusion for det. Begrundelse:",
        "en": "The jobcenter has processed refund claim {reference} and cannot pay a refund "
              "for it. Reason:",
    },
    "rejection_tail": {
        "da": "Har du spørgsmål, så svar på denne mail og oplys referencen.",
        "en": "If you have questions, reply to this e-mail and quote the reference.",
    },
}
# Why a claim is held, in a workplace's words (not the internal codes of PROBLEM_TEXTS).
HELD_REASONS: dict[str, dict[Language, str]] = {
    "no_employment": {
        "da": "vi mangler en godkendt ansættelse for {cpr} hos jer (CVR {cvr})",
        "en": "we have no approved employment for {cpr} with you (CVR {cvr})",
    },
    "outside_employment": {
        "da": "perioden ligger uden for den godkendte ansættelse ({employment_start} - "
              "{employment_end})",
        "en": "the period lies outside the approved employment ({employment_start} - "
              "{employment_end})",
    },
    "duplicate": {
        "da": "vi har allerede et krav for en periode, der overlapper ({reference})",
        "en": "we already have a claim for an overlapping period ({reference})",
    },
    "duplicate_payslip": {
        "da": "den samme lønseddel er sendt før ({reference})",
        "en": "the same payslip was sent before ({reference})",
    },
    "sick_days_exceeded": {
        "da": "sygefraværet i ansættelsen er over grænsen for, hvad ordningen dækker",
        "en": "the sick leave in the employment is over what the scheme covers",
    },
    "sender_not_allowed": {
        "da": "afsenderadressen er ikke registreret hos os for arbejdspladsen",
        "en": "the sender address is not registered with us for the workplace",
    },
    "figures": {
        "da": "tallene på lønsedlen skal kontrolleres af en medarbejder",
        "en": "the figures on the payslip must be checked by a member of staff",
    },
}

# Kept by name for the modules that use them.
GREETING = MAIL["greeting"]
CANNOT_PROCESS = MAIL["cannot_process"]
PARTLY_READ = MAIL["partly_read"]
MISSING_HEAD = MAIL["missing_head"]
WRONG_HEAD = MAIL["wrong_head"]
HOW_TO_SEND = MAIL["how_to_send"]
SIGNATURE = MAIL["signature"]
REJECTION_HEAD = MAIL["rejection_head"]
REJECTION_TAIL = MAIL["rejection_tail"]


def reply_subject(original: str, lang: Language = "da") -> str:
    prefix = "Re: " if not original.lower().startswith(("re:", "sv:")) else ""
    fallback = render(MAIL, "subject_fallback", lang)
    return f"{prefix}{original or fallback}"


def fix_list(missing: list[str], problems: list[Problem], lang: Language = "da") -> list[str]:
    """The lines of a reply: what is missing, then what must be corrected."""
    lines: list[str] = []
    if missing:
        lines.append(MISSING_HEAD[lang])
        lines.extend(f"- {field_name(m, lang)}" for m in missing)
    if problems:
        lines.append(WRONG_HEAD[lang])
        lines.extend(f"- {problem_text(p, lang)}" for p in problems)
    return lines
