"""The desk's words, Danish and English, in the shape of ``handlers.texts``: one
catalogue, ``key -> {language: text}``; :func:`text` looks a key up (Danish if a key
has no English yet, the key itself if it is unknown, so a gap shows and never fails).
"""

from __future__ import annotations

from handlers.texts import Language

UI: dict[str, dict[Language, str]] = {
    "app": {"da": "Jobcenterets skrivebord", "en": "Jobcenter desk"},
    "today": {"da": "I dag", "en": "Today"},
    "claims": {"da": "Refusionskrav", "en": "Claims"},
    "pool": {"da": "Puljen", "en": "Pool"},
    "intakes": {"da": "Jobbeskrivelser", "en": "Intakes"},
    "export": {"da": "Eksport", "en": "Export"},
    "audit": {"da": "Log over beslutninger", "en": "Audit log"},
    "logout": {"da": "Log ud", "en": "Log out"},
    "login": {"da": "Log ind", "en": "Log in"},
    "email": {"da": "E-mail", "en": "E-mail"},
    "password": {"da": "Adgangskode", "en": "Password"},
    "login_failed": {"da": "Forkert e-mail eller adgangskode.",
                     "en": "Wrong e-mail or password."},
    "login_throttled": {"da": "For mange forkerte forsøg. Vent {minutes} minutter og prøv igen.",
                        "en": "Too many failed attempts. Wait {minutes} minutes and try again."},
    "forbidden": {"da": "Din rolle giver ikke adgang til dette.",
                  "en": "Your role does not allow this."},
    "csrf": {"da": "Formularen var udløbet eller ikke fra skrivebordet. Gå tilbage, genindlæs "
                   "siden og prøv igen.",
             "en": "The form had expired or did not come from the desk. Go back, reload the "
                   "page and try again."},
    "not_found": {"da": "Siden findes ikke.", "en": "The page does not exist."},
    "held": {"da": "Krav til vurdering", "en": "Claims held for review"},
    "waiting_intakes": {"da": "Jobbeskrivelser der venter på godkendelse",
                        "en": "Intakes waiting for approval"},
    "ending": {"da": "Ansættelser der slutter inden for 30 dage",
               "en": "Employments ending within 30 days"},
    "nothing": {"da": "Intet her lige nu.", "en": "Nothing here right now."},
    "no_payslip_yet": {"da": "Ingen lønseddel modtaget for {month}",
                       "en": "No payslip received for {month}"},
    "reference": {"da": "Reference", "en": "Reference"},
    "status": {"da": "Status", "en": "Status"},
    "workplace": {"da": "Arbejdsplads", "en": "Workplace"},
    "employee": {"da": "Medarbejder", "en": "Employee"},
    "period": {"da": "Periode", "en": "Period"},
    "hours": {"da": "Timer", "en": "Hours"},
    "refund": {"da": "Refusion", "en": "Refund"},
    "reasons": {"da": "Årsager", "en": "Reasons"},
    "month": {"da": "Måned", "en": "Month"},
    "all": {"da": "Alle", "en": "All"},
    "filter": {"da": "Vis", "en": "Show"},
    "previous": {"da": "Forrige", "en": "Previous"},
    "next": {"da": "Næste", "en": "Next"},
    "page_of": {"da": "Side {page} af {pages} ({count} krav)",
                "en": "Page {page} of {pages} ({count} claims)"},
    "payslip": {"da": "Lønsedlen", "en": "The payslip"},
    "no_payslip": {"da": "Kravet kom uden lønseddel (felterne stod i mailen).",
                   "en": "The claim came without a payslip (the fields were in the e-mail)."},
    "boxes_note": {"da": "Hver boks viser, hvor et felt eller en lønlinje blev læst.",
                   "en": "Each box shows where a field or a pay line was read."},
    "fields": {"da": "Felter", "en": "Fields"},
    "field": {"da": "Felt", "en": "Field"},
    "value": {"da": "Værdi", "en": "Value"},
    "cost_items": {"da": "Lønudgifter", "en": "Cost items"},
    "claimed": {"da": "søgt", "en": "claimed"},
    "employer_cost": {"da": "Arbejdsgiverens lønudgift i alt", "en": "Employer cost, total"},
    "cap": {"da": "Loft", "en": "Cap"},
    "cap_line": {"da": "{cap} timer i perioden", "en": "{cap} hours in the period"},
    "capped": {"da": "Nedsat forholdsmæssigt: {hours} timer er over loftet.",
               "en": "Reduced pro rata: {hours} hours exceed the cap."},
    "not_capped": {"da": "Ikke nedsat.", "en": "Not reduced."},
    "checks": {"da": "Lønsedlens egne tal", "en": "The payslip's own figures"},
    "check_ok": {"da": "holder", "en": "holds"},
    "check_failed": {"da": "holder ikke", "en": "fails"},
    "check_na": {"da": "kan ikke kontrolleres", "en": "cannot be checked"},
    "problems": {"da": "Hvorfor kravet er holdt tilbage", "en": "Why the claim is held"},
    "notes": {"da": "Bemærkninger", "en": "Notes"},
    "done_approve": {"da": "Kravet er godkendt; resuméet med lønsedlen går til Økonomigruppen.",
                     "en": "The claim is approved; the summary with the payslip goes to the "
                           "economy group."},
    "done_reject": {"da": "Kravet er afvist; arbejdspladsen får begrundelsen.",
                    "en": "The claim is rejected; the workplace is told why."},
    "done_correct": {"da": "Feltet er rettet, og kravet er vurderet igen.",
                     "en": "The field is corrected and the claim judged again."},
    "done_mark_paid": {"da": "Kravet er markeret som udbetalt.",
                       "en": "The claim is marked paid."},
    "mail": {"da": "Mailen", "en": "The e-mail"},
    "sender": {"da": "Afsender", "en": "Sender"},
    "subject": {"da": "Emne", "en": "Subject"},
    "received": {"da": "Modtaget", "en": "Received"},
    "history": {"da": "Historik", "en": "History"},
    "outbox": {"da": "Sendte mails", "en": "Mail sent"},
    "actions": {"da": "Beslutning", "en": "Decision"},
    "approve": {"da": "Godkend", "en": "Approve"},
    "approve_note": {"da": "Bemærkning (valgfri)", "en": "Note (optional)"},
    "reject": {"da": "Afvis", "en": "Reject"},
    "reject_reason": {"da": "Begrundelse (sendes til arbejdspladsen)",
                      "en": "Reason (sent to the workplace)"},
    "correct": {"da": "Ret et felt", "en": "Correct a field"},
    "new_value": {"da": "Ny værdi", "en": "New value"},
    "save": {"da": "Gem", "en": "Save"},
    "mark_paid": {"da": "Markér som udbetalt", "en": "Mark paid"},
    "reveal_cpr": {"da": "Vis fuldt CPR-nummer (logges)", "en": "Show full CPR number (logged)"},
    "done": {"da": "Udført", "en": "Done"},
    "refused": {"da": "Ikke udført", "en": "Not done"},
    "pool_now": {"da": "Godkendt nu: {used} af {pool} timer om ugen ({left} ledige)",
                 "en": "Approved now: {used} of {pool} hours a week ({left} left)"},
    "pool_chart": {"da": "Godkendte timer om ugen, uge for uge de næste 12 måneder",
                   "en": "Approved hours a week, week by week for the next 12 months"},
    "employments": {"da": "Ansættelser", "en": "Employments"},
    "start": {"da": "Start", "en": "Start"},
    "end": {"da": "Slut", "en": "End"},
    "hours_week": {"da": "Timer/uge", "en": "Hours/week"},
    "per_week": {"da": "timer om ugen", "en": "hours a week"},
    "manager": {"da": "Leder", "en": "Manager"},
    "submitted": {"da": "Indsendt", "en": "Submitted"},
    "job": {"da": "Jobbet", "en": "The job"},
    "onboarding": {"da": "Udkast til introduktionsplan", "en": "Onboarding plan draft"},
    "citizen_cpr": {"da": "Borgerens CPR-nummer", "en": "The citizen's CPR number"},
    "citizen_name": {"da": "Borgerens navn", "en": "The citizen's name"},
    "first_day": {"da": "Første arbejdsdag", "en": "First day"},
    "approve_intake": {"da": "Godkend og opret ansættelsen",
                       "en": "Approve and create the employment"},
    "export_intro": {"da": "Månedens validerede og udbetalte krav som CSV til Excel "
                           "(semikolon, decimalkomma). Filen har fulde CPR-numre; "
                           "hentningen logges.",
                     "en": "The month's validated and paid claims as CSV for Excel "
                           "(semicolon, decimal comma). The file holds full CPR numbers; "
                           "the download is logged."},
    "download": {"da": "Hent CSV", "en": "Download CSV"},
    "more_in_file": {"da": "Her vises de første {shown} af {count} krav; filen har dem alle.",
                     "en": "The first {shown} of {count} claims are shown; the file has all."},
    "export_total": {"da": "Refusion i alt ({count} krav)",
                     "en": "Refunds in total ({count} claims)"},
    "when": {"da": "Tidspunkt", "en": "When"},
    "who": {"da": "Hvem", "en": "Who"},
    "what": {"da": "Hvad", "en": "What"},
    "why": {"da": "Hvorfor", "en": "Why"},
    "signed_in_as": {"da": "Logget ind som", "en": "Signed in as"},
}

ROLES: dict[str, dict[Language, str]] = {
    "consultant": {"da": "konsulent", "en": "consultant"},
    "economy": {"da": "Økonomigruppen", "en": "economy group"},
    "admin": {"da": "administrator", "en": "admin"},
}

STATUS: dict[str, dict[Language, str]] = {
    "needs_review": {"da": "til vurdering", "en": "held for review"},
    "validated": {"da": "valideret", "en": "validated"},
    "paid": {"da": "udbetalt", "en": "paid"},
    "rejected": {"da": "afvist", "en": "rejected"},
    "incomplete": {"da": "mangler oplysninger", "en": "incomplete"},
    "invalid": {"da": "fejl", "en": "invalid"},
    "complete": {"da": "komplet", "en": "complete"},
    "not_a_claim": {"da": "ikke et krav", "en": "not a claim"},
}

FIELDS: dict[str, dict[Language, str]] = {
    "employee_name": {"da": "Medarbejderens navn", "en": "Employee's name"},
    "cpr": {"da": "CPR-nummer", "en": "CPR number"},
    "employer_name": {"da": "Arbejdsgiver", "en": "Employer"},
    "cvr": {"da": "CVR-nummer", "en": "CVR number"},
    "period": {"da": "Periode", "en": "Period"},
    "period_start": {"da": "Periode start", "en": "Period start"},
    "period_end": {"da": "Periode slut", "en": "Period end"},
    "hours": {"da": "Timer", "en": "Hours"},
    "worked_hours": {"da": "Arbejdstimer", "en": "Hours worked"},
    "sick_hours": {"da": "Sygetimer", "en": "Sick hours"},
}

# What a held claim's problem is about, in a word the desk can show in both languages
# beside the stored detail.
PROBLEM_TITLES: dict[str, dict[Language, str]] = {
    "no_employment": {"da": "Ingen godkendt ansættelse", "en": "No approved employment"},
    "outside_employment": {"da": "Perioden ligger uden for ansættelsen",
                           "en": "Period outside the employment"},
    "duplicate": {"da": "Dublet af et tidligere krav", "en": "Duplicate of an earlier claim"},
    "sick_days_exceeded": {"da": "Over 30 sygedage", "en": "Over 30 sick days"},
    "sender_not_allowed": {"da": "Afsenderen er ikke registreret",
                           "en": "Sender not registered"},
    "not_verified": {"da": "Aflæsningen kunne ikke kontrolleres",
                     "en": "The reading could not be checked"},
    "implausible_cost_per_hour": {"da": "Usandsynlig timepris", "en": "Implausible hourly cost"},
    "mismatch": {"da": "Mail og lønseddel er uenige", "en": "E-mail and payslip disagree"},
}

AUDIT_ACTIONS: dict[str, dict[Language, str]] = {
    "approve": {"da": "godkendte", "en": "approved"},
    "reject": {"da": "afviste", "en": "rejected"},
    "correct": {"da": "rettede", "en": "corrected"},
    "paid": {"da": "markerede udbetalt", "en": "marked paid"},
    "reveal_cpr": {"da": "så fuldt CPR-nummer", "en": "revealed the CPR number"},
    "approve_intake": {"da": "godkendte jobbeskrivelse", "en": "approved intake"},
    "export": {"da": "hentede eksport", "en": "downloaded the export"},
    "staff_add": {"da": "oprettede medarbejder", "en": "added staff member"},
    "staff_disable": {"da": "spærrede medarbejder", "en": "disabled staff member"},
    "staff_reset": {"da": "nulstillede adgangskode", "en": "reset password"},
}


def text(key: str, lang: Language = "da", catalogue: dict[str, dict[Language, str]] = UI,
         **values: object) -> str:
    entry = catalogue.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry["da"]
    return template.format(**values) if values else template
