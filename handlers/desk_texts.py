"""The desk's words, Danish and English, in the shape of ``handlers.texts``: one
catalogue, ``key -> {language: text}``; :func:`text` looks a key up (Danish if a key
has no English yet, the key itself if it is unknown, so a gap shows and never fails).
These tables are sections of the one catalogue (``handlers.i18n``: ``desk.*``,
``claim_status.*``, ...), so they are checked with every other text.
"""

from __future__ import annotations

import re

from handlers.i18n import Language, render

UI: dict[str, dict[Language, str]] = {
    "app": {"da": "Jobcenterets skrivebord", "en": "Jobcenter desk"},
    "today": {"da": "I dag", "en": "Today"},
    "claims": {"da": "Refusionskrav", "en": "Claims"},
    "pool": {"da": "Puljen", "en": "Pool"},
    "intakes": {"da": "Jobbeskrivelser", "en": "Intakes"},
    "export": {"da": "Eksport", "en": "Export"},
    "audit": {"da": "Log over beslutninger", "en": "Audit log"},
    "followup": {"da": "Opfølgning", "en": "Follow-up"},
    "followup_rules": {"da": "Hvad der følges op på", "en": "What is followed up"},
    "followup_rule_payslip": {
        "da": "Lønsedlen for sidste måned mangler den {day}. i måneden: påmindelse til "
              "arbejdspladsen.",
        "en": "Last month's payslip missing on day {day} of the month: a reminder to "
              "the workplace."},
    "followup_rule_ending": {
        "da": "En ansættelse slutter inden for {days} dage: besked til konsulenterne.",
        "en": "An employment ends within {days} days: a notice to the consultants."},
    "followup_rule_sick": {
        "da": "Sygedage i ansættelsen når {marks}: besked til konsulenterne.",
        "en": "Sick days in the employment reach {marks}: a notice to the consultants."},
    "followup_rule_no_claims": {
        "da": "Intet krav {months} måneder i træk: besked til konsulenterne.",
        "en": "No claim for {months} months in a row: a notice to the consultants."},
    "followup_rule_pool": {
        "da": "Puljen har plads til den næste jobbeskrivelse i køen: besked til "
              "konsulenterne.",
        "en": "The pool has room for the next job form in the queue: a notice to the "
              "consultants."},
    "followup_rule_economy": {
        "da": "Den {day}. i måneden: sidste måneds oversigt til Økonomigruppen (uden "
              "CPR-numre).",
        "en": "On day {day} of the month: last month's summary to the economy group "
              "(without CPR numbers)."},
    "followup_auto": {"da": "Kører af sig selv hvert {minutes}. minut; hver påmindelse "
                            "sendes én gang.",
                      "en": "Runs by itself every {minutes} minutes; each reminder is "
                            "sent once."},
    "followup_off": {"da": "Kører ikke af sig selv ([followup] enabled = false).",
                     "en": "Does not run by itself ([followup] enabled = false)."},
    "followup_due": {"da": "Forfalden i dag", "en": "Due today"},
    "followup_sent": {"da": "Sendte påmindelser", "en": "Reminders sent"},
    "followup_run": {"da": "Kør opfølgningen nu", "en": "Run the follow-up now"},
    "followup_ran": {"da": "Opfølgningen er kørt: {count} påmindelse(r) sat i kø.",
                     "en": "The follow-up has run: {count} reminder(s) queued."},
    "reminder_kind": {"da": "Påmindelse", "en": "Reminder"},
    "recipient": {"da": "Modtager", "en": "Recipient"},
    "state": {"da": "Status", "en": "State"},
    "mail_pending": {"da": "venter", "en": "waiting"},
    "mail_sent": {"da": "sendt", "en": "sent"},
    "mail_failed": {"da": "fejlet", "en": "failed"},
    "reminder_due": {"da": "sendes", "en": "to send"},
    "reminder_sent_before": {"da": "sendt før", "en": "sent before"},
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
                           "(semikolon, decimalkomma) eller som Excel-fil (beløb som tal, "
                           "datoer som datoer). Filerne har fulde CPR-numre; hentningen "
                           "logges.",
                     "en": "The month's validated and paid claims as CSV for Excel "
                           "(semicolon, decimal comma) or as an Excel file (amounts as "
                           "numbers, dates as dates). The files hold full CPR numbers; "
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
    # -- the pool's changes
    "add_employment": {"da": "Opret en ansættelse", "en": "Add an employment"},
    "add_employment_button": {"da": "Godkend ansættelsen", "en": "Approve the employment"},
    "past_start": {"da": "Allerede begyndt (godkendt før assistenten blev brugt)",
                   "en": "Already began (approved before the assistant was used)"},
    "temporary_reason": {"da": "Hvorfor ansættelsen er midlertidig",
                         "en": "Why the employment is temporary"},
    "temporary_template": {"da": "Ansættelsen er midlertidig, fordi opgaven er afgrænset til "
                                 "...", "en": "Ansættelsen er midlertidig, fordi ..."},
    "change": {"da": "Afslut eller forlæng", "en": "End or extend"},
    "end_employment": {"da": "Afslut ansættelsen", "en": "End the employment"},
    "last_day": {"da": "Sidste arbejdsdag", "en": "Last day"},
    "end_reason": {"da": "Hvorfor (valgfri, til loggen)", "en": "Why (optional, for the log)"},
    "extend_employment": {"da": "Forlæng (tillæg)", "en": "Extend (addendum)"},
    "new_end": {"da": "Ny slutdato", "en": "New end date"},
    "addendum_reason": {"da": "Begrundelse for tillægget", "en": "The addendum's reason"},
    "ended_early": {"da": "afsluttet før tid", "en": "ended early"},
    "done_approve_intake": {"da": "Jobbeskrivelsen er godkendt, og ansættelsen er oprettet; "
                                  "lederen får besked i chatten.",
                            "en": "The intake is approved and the employment created; the "
                                  "manager is told in the chat."},
    "done_add_employment": {"da": "Ansættelsen er godkendt og tæller nu i puljen.",
                            "en": "The employment is approved and now counts in the pool."},
    "done_end_employment": {"da": "Ansættelsen er afsluttet; timerne går tilbage til puljen "
                                  "dagen efter den sidste arbejdsdag.",
                            "en": "The employment is ended; its hours return to the pool the "
                                  "day after its last day."},
    "done_extend_employment": {"da": "Ansættelsen er forlænget.",
                               "en": "The employment is extended."},
    "bad_date": {"da": "»{value}« er ikke en dato; skriv den som 04.01.2027 eller 2027-01-04.",
                 "en": "{value!r} is not a date; write it like 2027-01-04."},
    "bad_hours": {"da": "»{value}« er ikke et antal timer; skriv fx 7,5.",
                  "en": "{value!r} is not a number of hours; write e.g. 7.5."},
    "bad_id": {"da": "Ansættelsen findes ikke.", "en": "No such employment."},
    # -- intakes
    "ask_manager": {"da": "Spørg lederen", "en": "Ask the manager"},
    "question": {"da": "Spørgsmål (sendes i chatten)", "en": "Question (sent in the chat)"},
    "send_question": {"da": "Send spørgsmålet", "en": "Send the question"},
    "decline_intake": {"da": "Afvis jobbeskrivelsen", "en": "Decline the intake"},
    "decline_reason": {"da": "Begrundelse (sendes til lederen)",
                       "en": "Reason (sent to the manager)"},
    "decline": {"da": "Afvis", "en": "Decline"},
    "done_ask_intake": {"da": "Spørgsmålet er sendt til lederen i chatten.",
                        "en": "The question is sent to the manager in the chat."},
    "done_decline_intake": {"da": "Jobbeskrivelsen er afvist; lederen får begrundelsen i "
                                  "chatten.",
                            "en": "The intake is declined; the manager is told why in the "
                                  "chat."},
    # -- workplaces
    "workplaces": {"da": "Arbejdspladser", "en": "Workplaces"},
    "workplaces_intro": {"da": "Krav bliver kun behandlet, når de kommer fra en godkendt "
                               "afsender (en adresse som lon@firma.dk eller et helt domæne "
                               "som firma.dk).",
                         "en": "Claims are only handled when they come from an approved "
                               "sender (an address like lon@firma.dk or a whole domain like "
                               "firma.dk)."},
    "cvr": {"da": "CVR-nr.", "en": "CVR"},
    "senders": {"da": "Godkendte afsendere", "en": "Approved senders"},
    "no_senders": {"da": "Ingen: krav kan ikke kobles til arbejdspladsen.",
                   "en": "None: claims cannot be matched to the workplace."},
    "active_employments": {"da": "Aktive ansættelser", "en": "Active employments"},
    "claims_for": {"da": "Krav for {month}", "en": "Claims for {month}"},
    "add_sender": {"da": "Tilføj afsender", "en": "Add sender"},
    "new_sender": {"da": "Adresse eller domæne", "en": "Address or domain"},
    "remove": {"da": "Fjern", "en": "Remove"},
    "remove_sender_title": {"da": "Fjern {sender} som afsender", "en": "Remove {sender}"},
    "done_add_sender": {"da": "Afsenderen er godkendt.", "en": "The sender is approved."},
    "done_remove_sender": {"da": "Afsenderen er fjernet.", "en": "The sender is removed."},
    # -- today, export
    "sick_days": {"da": "Sygedage nær grænsen på {max} dage",
                  "en": "Sick days nearing the limit of {max} days"},
    "sick_days_col": {"da": "Sygedage", "en": "Sick days"},
    "download_xlsx": {"da": "Hent Excel-fil", "en": "Download Excel file"},
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
    "ask_intake": {"da": "spurgte lederen", "en": "asked the manager"},
    "decline_intake": {"da": "afviste jobbeskrivelse", "en": "declined intake"},
    "add_employment": {"da": "godkendte ansættelse", "en": "added employment"},
    "end_employment": {"da": "afsluttede ansættelse", "en": "ended employment"},
    "extend_employment": {"da": "forlængede ansættelse", "en": "extended employment"},
    "add_sender": {"da": "godkendte afsender", "en": "added sender"},
    "remove_sender": {"da": "fjernede afsender", "en": "removed sender"},
    "export": {"da": "hentede eksport", "en": "downloaded the export"},
    "staff_add": {"da": "oprettede medarbejder", "en": "added staff member"},
    "staff_disable": {"da": "spærrede medarbejder", "en": "disabled staff member"},
    "staff_reset": {"da": "nulstillede adgangskode", "en": "reset password"},
    "followup_run": {"da": "kørte opfølgningen", "en": "ran the follow-up"},
}
# The follow-up's reminders by kind (handlers.followup).
REMINDER_KINDS: dict[str, dict[Language, str]] = {
    "missing_payslip": {"da": "Lønseddel mangler", "en": "Payslip missing"},
    "employment_ending": {"da": "Ansættelse slutter", "en": "Employment ending"},
    "sick_days": {"da": "Sygedage", "en": "Sick days"},
    "no_claims": {"da": "Ingen krav", "en": "No claims"},
    "pool_room": {"da": "Plads i puljen", "en": "Room in the pool"},
    "economy_month": {"da": "Månedsoversigt", "en": "Monthly summary"},
}


def text(key: str, lang: Language = "da", catalogue: dict[str, dict[Language, str]] = UI,
         **values: object) -> str:
    return render(catalogue, key, lang, **values)


# The register's refusals (``handlers.register``, ``assistant.store``, ``assistant.intakes``,
# ``assistant.register_changes``) are English sentences; the desk shows them in Danish by
# these patterns. A sentence no pattern knows is shown as it is (a gap shows, never fails).
_DATE = r"\d{4}-\d{2}-\d{2}"
_INTAKE_STATUS = {"draft": "en kladde", "approved": "allerede godkendt",
                  "cancelled": "annulleret", "submitted": "indsendt"}
REGISTER_REASONS: list[tuple[re.Pattern[str], str]] = [(re.compile(p), da) for p, da in [
    (r"hours per week must be more than 0 \(got (?P<got>.+)\)",
     "Timer om ugen skal være mere end 0 (fik {got})."),
    (r"an employment may have at most (?P<max>\S+) hours per week \(got (?P<got>\S+)\)",
     "En ansættelse må højst have {max} timer om ugen (fik {got})."),
    (r"hours per week have at most two decimals \(got (?P<got>.+)\)",
     "Timer om ugen må højst have to decimaler (fik {got})."),
    (rf"the employment ends \((?P<end>{_DATE})\) before it starts \((?P<start>{_DATE})\)",
     "Ansættelsen slutter ({end}), før den begynder ({start})."),
    (rf"an employment may last at most (?P<months>\d+) months: one starting (?P<start>{_DATE})"
     rf" may end (?P<latest>{_DATE}) at the latest \(got (?P<got>{_DATE})\)",
     "En ansættelse må højst vare {months} måneder: en, der begynder {start}, må senest "
     "slutte {latest} (fik {got})."),
    (rf"the pool has (?P<left>\S+) hours left per week in (?P<start>{_DATE}) to "
     rf"(?P<end>{_DATE}) \((?P<used>\S+) of (?P<pool>\S+) approved\); (?P<asked>\S+) hours "
     "were asked for",
     "Puljen har kun {left} ledige timer om ugen i perioden {start} til {end} ({used} af "
     "{pool} er godkendt); der blev søgt om {asked} timer."),
    (rf"CPR (?P<cpr>\S+) already has an employment at CVR (?P<cvr>\d+) from "
     rf"(?P<start>{_DATE}) to (?P<end>{_DATE})",
     "CPR {cpr} har allerede en ansættelse hos CVR {cvr} fra {start} til {end}."),
    (rf"the start date (?P<start>{_DATE}) is in the past \(today is (?P<today>{_DATE})\)",
     "Startdatoen {start} ligger før i dag ({today}); tjek årstallet. En ansættelse, der "
     "allerede er begyndt, registreres med »Allerede begyndt«."),
    (r"the citizen's name is missing", "Borgerens navn mangler."),
    (r"the reason why the employment is temporary is missing",
     "Begrundelsen for, at ansættelsen er midlertidig, mangler."),
    (r"no workplace with CVR (?P<cvr>\d+)", "Der er ingen arbejdsplads med CVR {cvr}."),
    (r"CVR '(?P<cvr>[^']*)': a CVR number has 8 digits, found (?P<n>\d+)",
     "CVR-nummeret »{cvr}« skal have 8 cifre (har {n})."),
    (r"CVR '(?P<cvr>[^']*)': .*", "CVR-nummeret »{cvr}« er ikke gyldigt; tjek for tastefejl."),
    (r"CPR (?P<cpr>\S+): a CPR number has 10 digits, found (?P<n>\d+)",
     "CPR-nummeret skal have 10 cifre (har {n})."),
    (r"CPR (?P<cpr>\S+): the first six digits .* are not a real date",
     "CPR-nummerets første seks cifre er ikke en rigtig dato (DDMMÅÅ)."),
    (r"CPR (?P<cpr>\S+): the birth date .* is in the future",
     "CPR-nummerets fødselsdato ligger i fremtiden."),
    (r"the CPR number is missing", "CPR-nummeret mangler."),
    (r"no employment with id (?P<id>\d+)", "Der er ingen ansættelse nr. {id}."),
    (rf"employment (?P<id>\d+) already ended on (?P<day>{_DATE})",
     "Ansættelse nr. {id} er allerede afsluttet ({day})."),
    (rf"employment (?P<id>\d+) ends on (?P<end>{_DATE}) already; it cannot be ended later "
     rf"\((?P<on>{_DATE})\)",
     "Ansættelse nr. {id} slutter allerede {end}; den kan ikke afsluttes senere ({on}). "
     "Brug »Forlæng« for at forlænge den."),
    (rf"employment (?P<id>\d+) ended on (?P<day>{_DATE}); an ended employment cannot be "
     "extended", "Ansættelse nr. {id} sluttede {day}; en afsluttet ansættelse kan ikke "
     "forlænges."),
    (r"the addendum's reason \(why the employment is extended\) is missing",
     "Begrundelsen for tillægget (hvorfor ansættelsen forlænges) mangler."),
    (rf"the new end (?P<new>{_DATE}) is not after the current end (?P<end>{_DATE})",
     "Den nye slutdato {new} ligger ikke efter den nuværende slutdato {end}."),
    (r"'(?P<s>.*)' is neither an e-mail address \(lon@firma.dk\) nor a domain \(firma.dk\)",
     "»{s}« er hverken en e-mailadresse (lon@firma.dk) eller et domæne (firma.dk)."),
    (r"(?P<p>\S+) is not a sender of CVR (?P<cvr>\d+)",
     "{p} er ikke en godkendt afsender for CVR {cvr}."),
    (r"the question is empty", "Spørgsmålet er tomt; skriv, hvad du vil spørge lederen om."),
    (r"the reason is missing; the manager is told why",
     "Begrundelsen mangler; lederen får den at vide."),
    (r"no intake with id (?P<id>\d+)", "Der er ingen jobbeskrivelse nr. {id}."),
    (r"intake (?P<id>\d+) is (?P<status>\w+); only a submitted intake can be",
     "Jobbeskrivelse nr. {id} er {status}; kun en indsendt jobbeskrivelse kan behandles."),
    (rf"first come, first served: intake\(s\) (?P<ids>[\d, ]+) were submitted earlier and "
     rf"wait for (?P<waiting>\S+) hours/week; the pool has (?P<left>\S+) left on "
     rf"(?P<on>{_DATE}), not enough for those and (?P<hours>\S+) more",
     "Først til mølle: jobbeskrivelse {ids} blev indsendt før og venter på {waiting} timer "
     "om ugen; puljen har {left} ledige den {on} – ikke nok til dem og {hours} mere. "
     "Godkend eller afvis de tidligere først."),
]]
_NUMBER = re.compile(r"^-?\d+\.\d+$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def register_reason(reason: str, lang: Language = "da") -> str:
    """One refusal of a register change in the desk's language (Danish dates and
    decimal commas in Danish)."""
    if lang == "en":
        return reason[:1].upper() + reason[1:]
    for pattern, danish in REGISTER_REASONS:
        found = pattern.match(reason)
        if found:
            return danish.format(**{k: _danish_value(k, v or "")
                                    for k, v in found.groupdict().items()})
    return reason


def _danish_value(name: str, value: str) -> str:
    if name == "status":
        return _INTAKE_STATUS.get(value, value)
    if (date := _ISO_DATE.match(value)) is not None:
        return f"{date.group(3)}.{date.group(2)}.{date.group(1)}"
    if _NUMBER.match(value):
        return value.replace(".", ",")
    return value


_SUBJECTS = {"employment": {"da": "ansættelse", "en": "employment"},
             "intake": {"da": "jobbeskrivelse", "en": "intake"}}


def audit_subject(subject: str, lang: Language = "da") -> str:
    """An audit row's subject (``employment 3``, ``intake 2``) in the desk's language."""
    kind, _, number = subject.partition(" ")
    if kind in _SUBJECTS and number.isdigit():
        return f"{_SUBJECTS[kind][lang]} {number}"
    return subject
