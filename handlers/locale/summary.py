"""The words of the mails ``handlers.summary`` writes: the economy group's claim
summary, and the notices to the consultants (a claim to review, a mail given up, a mail
not answered). Section ``summary``. Labels of the aligned blocks are padded by the code,
so their width is the same in both languages."""

from __future__ import annotations

from handlers.i18n import Catalogue

SUMMARY: Catalogue = {
    # -- the economy group's summary ----------------------------------------------------
    "subject": {"da": "Refusion {reference}: {workplace} - {employee} - {start}-{end} - kr. "
                      "{amount}",
                "en": "Refusion {reference}: {workplace} - {employee} - {start}-{end} - kr. "
                      "{amount}"},
    "validated": {"da": "Refusionskrav {reference} er valideret og kan udbetales.",
                  "en": "Refund claim {reference} is validated and can be paid."},
    "label.workplace": {"da": "Arbejdsplads", "en": "Workplace"},
    "label.employee": {"da": "Medarbejder", "en": "Employee"},
    "label.period": {"da": "Periode", "en": "Period"},
    "label.hours": {"da": "Timer", "en": "Hours"},
    "label.approved": {"da": "Godkendt", "en": "Approved"},
    "label.costs": {"da": "Lønudgifter", "en": "Wage costs"},
    "label.employer_cost": {"da": "Arbejdsgiverens lønudgift i alt",
                            "en": "Employer cost, total"},
    "label.claimed": {"da": "Søgt dækning af", "en": "Claimed"},
    "label.capped": {"da": "Nedsat (loft)", "en": "Capped"},
    "label.refund": {"da": "Refusion", "en": "Refund"},
    "label.sender": {"da": "Afsender", "en": "Sender"},
    "label.received": {"da": "Modtaget", "en": "Received"},
    "label.message_id": {"da": "Message-ID", "en": "Message-ID"},
    "label.sender_check": {"da": "Afsenderkontrol", "en": "Sender check"},
    "of_which_sick": {"da": " (heraf syg {hours})", "en": " (of which sick {hours})"},
    "approved": {"da": "{per_week} timer/uge; loft {cap} timer i perioden",
                 "en": "{per_week} hours/week; cap {cap} hours in the period"},
    "capped.yes": {"da": "Ja: {hours} timer > loft {cap} timer; beløbet er nedsat "
                         "forholdsmæssigt",
                   "en": "Yes: {hours} hours > cap {cap} hours; the amount is reduced pro "
                         "rata"},
    "capped.no": {"da": "Nej", "en": "No"},
    "checks_held": {"da": "Aflæsningen er afstemt med lønsedlens egne tal: {checks}.",
                    "en": "The reading reconciles with the payslip's own figures: {checks}."},
    "note": {"da": "Bemærk:", "en": "Note:"},
    "payslip_attached": {"da": "Lønsedlen er vedhæftet.", "en": "The payslip is attached."},
    # -- a claim to review ----------------------------------------------------------------
    "review.subject": {"da": "Til vurdering: refusionskrav {reference} ({workplace})",
                       "en": "For review: refund claim {reference} ({workplace})"},
    "review.intro": {"da": "Refusionskrav {reference} er ikke godkendt automatisk og skal "
                           "vurderes:",
                     "en": "Refund claim {reference} was not approved automatically and needs "
                           "review:"},
    "review.details": {"da": "Se detaljer med: assistant claims show {reference}",
                       "en": "Details: assistant claims show {reference}"},
    "from": {"da": "Fra", "en": "From"},
    "subject_label": {"da": "Emne", "en": "Subject"},
    "no_subject": {"da": "(intet emne)", "en": "(no subject)"},
    # -- a mail given up ------------------------------------------------------------------
    "failed.subject": {"da": "Mail kunne ikke behandles (indgående nr. {number})",
                       "en": "Mail could not be processed (inbound no. {number})"},
    "failed.intro": {"da": "En mail til jobcentret kunne ikke læses efter {attempts} forsøg og "
                           "er opgivet. Afsenderen har ikke fået svar; tag kontakt, hvis "
                           "mailen skal behandles.",
                     "en": "A mail to the jobcenter could not be read after {attempts} attempts "
                           "and was given up. The sender has not been answered; contact them "
                           "if the mail matters."},
    "failed.inbound": {"da": "Indgående nr.", "en": "Inbound no."},
    "failed.reason": {"da": "Årsag", "en": "Reason"},
    "failed.again": {"da": "Læs den igen efter en rettelse med: assistant reprocess {number}",
                     "en": "Read it again after a fix: assistant reprocess {number}"},
    # -- a mail not answered ----------------------------------------------------------------
    "held.subject": {"da": "Ikke besvaret: mail fra {sender}",
                     "en": "Not answered: mail from {sender}"},
    "held.bounce": {"da": "Mailen er en returmail (bounce) eller en leveringsrapport.",
                    "en": "The mail is a bounce or a delivery report."},
    "held.auto_reply": {"da": "Mailen er et automatisk svar (fx et fraværssvar).",
                        "en": "The mail is an automatic reply (e.g. an out-of-office "
                              "reply)."},
    "held.automated": {"da": "Mailen er sendt automatisk eller til en liste, og automatisk "
                             "post besvares ikke automatisk (RFC 3834).",
                       "en": "The mail was sent automatically or to a list, and automatic "
                             "mail is not answered automatically (RFC 3834)."},
    "held.forged": {"da": "Jobcentrets mailsystem melder, at afsenderen ikke kunne bekræftes "
                          "(SPF/DKIM/DMARC fejl); afsenderen kan være forfalsket.",
                    "en": "The jobcenter's mail system reports that the sender could not be "
                          "verified (SPF/DKIM/DMARC fail); the sender may be forged."},
    "held.rate_limited": {"da": "Afsenderen har allerede fået det højeste antal automatiske "
                                "svar i denne time.",
                          "en": "The sender has already had the most automatic replies "
                                "allowed this hour."},
    "held.other": {"da": "Mailen besvares ikke automatisk.",
                   "en": "The mail was stored but not answered automatically."},
    "held.envelope": {"da": "Konvolut-afsender", "en": "Envelope sender"},
    "held.claims": {"da": "Krav i mailen:", "en": "Claims in the mail:"},
    "held.once": {"da": "Flere mails af samme slags fra denne afsender i denne time giver "
                        "ingen ny besked.",
                  "en": "Further such mail from this sender this hour gives no new notice."},
}
