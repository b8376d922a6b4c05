"""The reminders ``handlers.followup`` writes: to a workplace whose payslip is late, to
the consultants (an employment ending, sick days, no claims, room in the pool), and the
economy group's month. Section ``followup``. The economy body is one template, so the
width of its aligned labels is the same in both languages."""

from __future__ import annotations

from handlers.i18n import Catalogue

FOLLOWUP: Catalogue = {
    # -- to the workplace: last month's payslip has not arrived --------------------------
    "missing_payslip.subject": {"da": "Påmindelse: lønseddel for {who} mangler",
                                "en": "Reminder: payslip for {who} missing"},
    "missing_payslip.body": {
        "da": "Hej\n\nVi har endnu ikke modtaget lønsedlen for {who} for perioden {period} hos "
              "{workplace}.\n\nSend lønsedlen som PDF fra lønsystemet som vedhæftet fil i et "
              "svar på denne mail, og skriv, hvad der søges dækning af (fx løn, ATP, pension, "
              "feriepenge).\n\nHvis ansættelsen er stoppet, så giv os besked.\n\nVenlig "
              "hilsen\nJobcentret\n",
        "en": "Hello\n\nWe have not yet received the payslip for {who} for the period {period} "
              "at {workplace}.\n\nPlease reply with the payslip as a PDF from the payroll "
              "system, and say what you claim (e.g. wage, ATP, pension, holiday pay).\n\nIf "
              "the employment has stopped, please let us know.\n\nKind regards\nThe "
              "jobcentre\n"},
    # -- to the consultants --------------------------------------------------------------
    "ending.who": {"da": "{name} ({cpr}) hos {workplace}", "en": "{name} ({cpr}) at {workplace}"},
    "ending.subject": {"da": "Ansættelse slutter {last_day}: {who}",
                       "en": "Employment ends {last_day}: {who}"},
    "ending.body": {
        "da": "Ansættelsen for {who} slutter {last_day} (om {left} dage).\nForlæng den (med "
              "tillæg), eller lad den slutte; puljens timer bliver så ledige.\n",
        "en": "The employment of {who} ends {last_day} (in {left} days).\nExtend it (with an "
              "addendum), or let it end; its hours return to the pool.\n"},
    "sick.subject": {"da": "Sygefravær {days} dage: {who}", "en": "Sick leave {days} days: {who}"},
    "sick.body": {
        "da": "{who} har nu {days} sygedage i ansættelsen (grænse {mark}). Refusion dækker "
              "sygdom i op til 30 dage; derefter skal arbejdsgiveren søge "
              "sygedagpengerefusion.\n",
        "en": "{who} now has {days} sick days in the employment (mark {mark}). The refund "
              "covers up to 30 days of sickness; after that the employer claims sickness "
              "benefit refund.\n"},
    "no_claims.subject": {"da": "Ingen refusionskrav i {months} måneder: {who}",
                          "en": "No refund claims for {months} months: {who}"},
    "no_claims.body": {
        "da": "Der er ikke modtaget lønsedler for {who} for {shown}. Er ansættelsen i gang?\n",
        "en": "No payslips have arrived for {who} for {shown}. Is the employment going on?\n"},
    "pool_room.subject": {"da": "Plads i puljen til jobbeskrivelse {id} ({workplace})",
                          "en": "Room in the pool for job description {id} ({workplace})"},
    "pool_room.body": {
        "da": "Puljen har nu {pool_left} ledige timer om ugen. Først i køen er jobbeskrivelse "
              "{id} fra {workplace} ({hours} timer om ugen).\n",
        "en": "The pool now has {pool_left} free hours a week. First in the queue is job "
              "description {id} from {workplace} ({hours} hours a week).\n"},
    # -- to the economy group: last month ------------------------------------------------
    "economy.subject": {"da": "Refusion {month}: {validated} krav godkendt, kr. {amount}",
                        "en": "Refunds {month}: {validated} claims validated, DKK {amount}"},
    "economy.body": {
        "da": "Refusionskrav for {month}:\n\n"
              "  Godkendt til udbetaling  {validated:>5}   kr. {amount}\n"
              "  Til vurdering (åbne)     {held:>5}\n"
              "  Mangler oplysninger      {incomplete:>5}\n\n"
              "Eksporten: assistant export --month {export_month}\n",
        "en": "Refund claims for {month}:\n\n"
              "  Validated for payment    {validated:>5}   DKK {amount}\n"
              "  Held for review (open)   {held:>5}\n"
              "  Incomplete               {incomplete:>5}\n\n"
              "The export: assistant export --month {export_month}\n"},
}
