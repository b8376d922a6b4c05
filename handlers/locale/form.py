"""The task-and-competence form's words (``handlers.intake``): questions, buttons,
refusals and the review. Section ``form`` (and ``group`` for the review's headings)."""

from __future__ import annotations

from handlers.i18n import Catalogue

# The pamphlet's template reason; the form is Danish in both languages' pamphlets.
_TEMPLATE = ("Ansættelsen er midlertidig, fordi opgaven er afgrænset til xxx og skal løses "
             "indenfor en bestemt tidshorisont xxx")

FORM: Catalogue = {
    # -- questions ------------------------------------------------------------------
    "location": {"da": "Hvor skal jobbet være? Skriv den lokale arbejdsplads (fx afdeling, "
                       "institution eller adresse).",
                 "en": "Where will the job be? Write the local workplace (e.g. unit, "
                       "institution or address)."},
    "contact_name": {"da": "Hvem bliver fast kontaktperson for den nye kollega? Skriv navnet.",
                     "en": "Who will be the new colleague's contact person? Write the name."},
    "contact": {"da": "Hvordan kontakter vi {name}? Skriv telefonnummer eller e-mail.",
                "en": "How do we reach {name}? Write a phone number or e-mail."},
    "task_area.first": {"da": "Hvilken opgave skal den nye kollega løse? Vælg et område for "
                              "forslag, eller skriv opgaven selv.",
                        "en": "Which task will the new colleague do? Pick an area for "
                              "suggestions, or write the task yourself."},
    "task_area.next": {"da": "Opgave {number}: Vælg et område for forslag, eller skriv "
                             "opgaven selv.",
                       "en": "Task {number}: Pick an area for suggestions, or write the task "
                             "yourself."},
    "task_title": {"da": "Skriv opgaven kort og konkret.",
                   "en": "Describe the task briefly and concretely."},
    "task_title.suggestions": {"da": "Skriv opgaven kort og konkret, eller vælg et forslag.",
                               "en": "Describe the task briefly and concretely, or pick a "
                                     "suggestion."},
    "task_frequency": {"da": "Hvornår eller hvor ofte skal \"{title}\" løses?",
                       "en": "When or how often is \"{title}\" done?"},
    "task_more": {"da": "Vil du tilføje en opgave mere?", "en": "Add another task?"},
    "criterion.first": {"da": "Nu fem hurtige spørgsmål om opgaverne. ({number}/{of}) "
                              "{question}",
                        "en": "Now five quick questions about the tasks. ({number}/{of}) "
                              "{question}"},
    "criterion.next": {"da": "({number}/{of}) {question}", "en": "({number}/{of}) {question}"},
    "competences": {"da": "Hvilke personlige kompetencer skal den nye kollega have? Tryk for "
                          "at vælge, skriv selv flere, og tryk Færdig.",
                    "en": "Which personal competences should the new colleague have? Tap to "
                          "pick, write your own, then press Done."},
    "competences.chosen": {"da": "Hvilke personlige kompetencer skal den nye kollega have? "
                                 "Tryk for at vælge, skriv selv flere, og tryk Færdig.\n"
                                 "Valgt: {chosen}",
                           "en": "Which personal competences should the new colleague have? "
                                 "Tap to pick, write your own, then press Done.\n"
                                 "Chosen: {chosen}"},
    "hours": {"da": "Hvor mange timer om ugen (1-{most})? Puljen har lige nu {left} timer "
                    "tilbage om ugen - først til mølle.",
              "en": "How many hours a week (1-{most})? The pool has {left} hours a week left "
                    "right now - first come, first served."},
    "working_times": {"da": "Hvornår skal der arbejdes? Fx \"tirsdag og torsdag 9-13\". "
                            "(/skip: efter aftale)",
                      "en": "When are the working times? E.g. \"Tuesday and Thursday 9-13\". "
                            "(/skip: by agreement)"},
    "start": {"da": "Hvornår forventer I opstart? Skriv en dato, fx 01.02.2027.",
              "en": "When do you expect the job to start? Write a date, e.g. 2027-02-01."},
    "duration": {"da": "Hvor mange måneder skal ansættelsen vare (1-{most})?",
                 "en": "How many months will the employment last (1-{most})?"},
    "reason": {"da": "Hvorfor er jobbet midlertidigt? Du kan bruge skabelonen:\n{template}",
               "en": "Why is the job temporary? You can use the template:\n{template}"},
    "template": {"da": _TEMPLATE, "en": _TEMPLATE},
    "internship": {"da": "Skal ansættelsen starte med en ulønnet praktik (2-4 uger)?",
                   "en": "Should the employment start with an unpaid internship (2-4 weeks)?"},
    "requirements": {"da": "Er der krav til jobbet? Tryk for at vælge, og tryk Færdig.",
                     "en": "Does the job have requirements? Tap to pick, then press Done."},
    "review": {"da": "Tjek svarene, før du indsender:",
               "en": "Check the answers before you submit:"},
    # -- buttons --------------------------------------------------------------------
    "yes": {"da": "Ja", "en": "Yes"},
    "no": {"da": "Nej", "en": "No"},
    "done": {"da": "Færdig", "en": "Done"},
    "own_task": {"da": "Min egen opgave", "en": "My own task"},
    "use_template": {"da": "Brug skabelonen", "en": "Use the template"},
    "weeks": {"da": "{weeks} uger", "en": "{weeks} weeks"},
    "change": {"da": "Ret {group}", "en": "Change {group}"},
    "submit": {"da": "Indsend", "en": "Submit"},
    # -- the review's values ----------------------------------------------------------
    "answer.yes": {"da": "ja", "en": "yes"},
    "answer.no": {"da": "nej", "en": "no"},
    "by_agreement": {"da": "efter aftale", "en": "by agreement"},
    "none": {"da": "ingen", "en": "none"},
    # -- notes and refusals -------------------------------------------------------------
    "criterion_no": {"da": "Godt at vide - det er ikke afgørende, men virksomhedskonsulenten "
                           "vil tale med dig om det. Baggrunden: {why}",
                     "en": "Good to know - it does not rule the job out, but the consultant "
                           "will talk it over with you. The reason: {why}"},
    "pool_short": {"da": "Bemærk: puljen har lige nu {left} timer tilbage om ugen. Pladserne "
                         "gives efter først til mølle, så jobbet kan komme til at vente på "
                         "plads.",
                   "en": "Note: the pool has {left} hours a week left right now. Places go "
                         "first come, first served, so the job may have to wait for room."},
    "no_skip": {"da": "Dette spørgsmål skal besvares; det kan ikke springes over.",
                "en": "This question must be answered; it cannot be skipped."},
    "empty": {"da": "Svaret er tomt. Skriv venligst et svar.",
              "en": "The answer is empty. Please write an answer."},
    "unknown_command": {"da": "{command} kender jeg ikke. /help viser kommandoerne.",
                        "en": "I do not know {command}. /help lists the commands."},
    "too_long": {"da": "Svaret er for langt (højst {most} tegn).",
                 "en": "The answer is too long (at most {most} characters)."},
    "cpr": {"da": "Svaret ser ud til at indeholde et cpr-nummer. Skemaet handler om jobbet, "
                  "så skriv venligst svaret uden cpr-nummer.",
            "en": "The answer seems to contain a CPR number. The form is about the job, so "
                  "please write the answer without it."},
    "contact_invalid": {"da": "Skriv et telefonnummer (8 cifre) eller en e-mailadresse, fx "
                              "12 34 56 78 eller navn@arbejdsplads.dk.",
                        "en": "Write a phone number (8 digits) or an e-mail address, e.g. "
                              "12 34 56 78 or name@workplace.dk."},
    "pick_area": {"da": "Vælg et område med knapperne.", "en": "Pick an area with the buttons."},
    "yes_or_no": {"da": "Svar ja eller nej.", "en": "Answer yes or no."},
    "pick_competence": {"da": "Vælg mindst én kompetence, eller skriv din egen.",
                        "en": "Pick at least one competence, or write your own."},
    "hours_range": {"da": "Timer pr. uge skal være et tal fra 1 til {most} (du skrev {wrote}). "
                          "Ordningen dækker højst {most} timer om ugen.",
                    "en": "Hours per week must be a number from 1 to {most} (you wrote "
                          "{wrote}). The scheme covers at most {most} hours a week."},
    "half_hours": {"da": "Skriv timerne i hele eller halve timer, fx 7,5.",
                   "en": "Write the hours in whole or half hours, e.g. 7.5."},
    "date_unreadable": {"da": "Det kunne jeg ikke læse som en dato. Skriv fx 01.02.2027.",
                        "en": "I could not read that as a date. Write e.g. 2027-02-01."},
    "date_passed": {"da": "Datoen {day} er overstået. Vælg en dato fra i dag og frem.",
                    "en": "{day} has passed. Pick a date from today on."},
    "duration_range": {"da": "Varigheden skal være 1 til {most} måneder (du skrev {wrote}). "
                             "Ansættelsen kan forlænges senere.",
                       "en": "The duration must be 1 to {most} months (you wrote {wrote}). "
                             "The employment can be extended later."},
    "complete_template": {"da": "Skriv sætningen færdig og send den, med xxx erstattet:\n"
                                "{template}",
                          "en": "Complete the sentence and send it, with xxx replaced:\n"
                                "{template}"},
    "replace_xxx": {"da": "Erstat xxx i sætningen med jeres egne ord.",
                    "en": "Replace the xxx in the sentence with your own words."},
    "whole_sentence": {"da": "Skriv en hel sætning om, hvorfor jobbet er midlertidigt.",
                       "en": "Write a whole sentence on why the job is temporary."},
    "internship_range": {"da": "Praktik først er enten ingen eller 2-4 uger.",
                         "en": "An internship first is either none or 2-4 weeks."},
    "pick_requirements": {"da": "Vælg kravene med knapperne, og tryk Færdig.",
                          "en": "Pick the requirements with the buttons, then press Done."},
    "submit_or_change": {"da": "Tryk Indsend for at sende skemaet, eller vælg det svar, du "
                               "vil ændre.",
                         "en": "Press Submit to send the form, or pick the answer you want to "
                               "change."},
    "missing_answer": {"da": "Der mangler et svar, før skemaet kan sendes:",
                       "en": "An answer is missing before the form can be sent:"},
    "start_passed": {"da": "Den forventede opstart er overstået. Skriv en ny dato.",
                     "en": "The expected start has passed. Write a new date."},
}

# The review's headings, one per group of answers the manager can change.
GROUP_NAMES: Catalogue = {
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
