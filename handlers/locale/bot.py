"""The chat bot's own words (``assistant.bot``): greetings, commands, refusals.
Section ``bot`` (and ``intake_status`` for a form's status). The form's questions are
``handlers.locale.form``."""

from __future__ import annotations

from handlers.i18n import Catalogue

BOT: Catalogue = {
    # To someone the bot does not know yet: shown in both languages (no choice made yet).
    "refusal": {"da": "Denne bot er for ledere, som jobcentret har inviteret. Kontakt din "
                      "virksomhedskonsulent for at få en invitation.",
                "en": "This bot is for managers invited by the jobcenter. Ask your job "
                      "consultant for an invitation."},
    "invite.unknown": {"da": "Invitationen kendes ikke. Tjek linket, eller bed din "
                             "virksomhedskonsulent om en ny.",
                       "en": "The invitation is not known. Check the link or ask your "
                             "consultant for a new one."},
    "invite.used": {"da": "Invitationen er allerede brugt. Bed din virksomhedskonsulent om "
                          "en ny.",
                    "en": "The invitation has been used already. Ask your consultant for a "
                          "new one."},
    "invite.expired": {"da": "Invitationen er udløbet. Bed din virksomhedskonsulent om en ny.",
                       "en": "The invitation has expired. Ask your consultant for a new one."},
    "sorry": {"da": "Beklager, noget gik galt hos os. Prøv igen om lidt.",
              "en": "Sorry, something went wrong on our side. Please try again in a moment."},
    "choose_language": {"da": "Vælg sprog", "en": "choose a language"},
    "help": {"da": "Jeg hjælper dig med at beskrive et job på få timer (skema til opgaver og "
                   "kompetencer). Svar på spørgsmålene; til sidst ser du alle svar og kan "
                   "rette dem, før du indsender.\n"
                   "/back - forrige spørgsmål\n/skip - spring et valgfrit spørgsmål over\n"
                   "/status - dine skemaer\n/new - beskriv et job mere\n"
                   "/cancel - annullér skemaet\n/language - dansk/English\n"
                   "/help - denne hjælp",
             "en": "I help you describe a job of a few paid hours (the task-and-competence "
                   "form). Answer the questions; at the end you see all answers and can "
                   "change them before you submit.\n"
                   "/back - previous question\n/skip - skip an optional question\n"
                   "/status - your forms\n/new - describe another job\n"
                   "/cancel - cancel the form\n/language - dansk/English\n"
                   "/help - this help"},
    "unknown_command": {"da": "{command} kender jeg ikke. /help viser kommandoerne.",
                        "en": "I do not know {command}. /help lists the commands."},
    "no_form": {"da": "Du har ikke et skema i gang. /new beskriver et nyt job, /status "
                      "viser dine skemaer.",
                "en": "You have no form in progress. /new describes a new job, /status "
                      "shows your forms."},
    "cancelled": {"da": "Skema {number} er annulleret. /new starter et nyt.",
                  "en": "Form {number} is cancelled. /new starts a new one."},
    "language_set": {"da": "Sproget er nu dansk.", "en": "The language is now English."},
    "stale_button": {"da": "Den knap hører til et tidligere spørgsmål og virker ikke længere.",
                     "en": "That button belongs to an earlier question and no longer works."},
    "welcome": {"da": "Velkommen, {name}! Du er nu tilknyttet {workplace}.",
                "en": "Welcome, {name}! You are now linked to {workplace}."},
    "new_form": {"da": "Nyt skema (nr. {number}).", "en": "New form (no. {number})."},
    "cannot_resume": {"da": "Det skema kan ikke genoptages.",
                      "en": "That form cannot be resumed."},
    "already_sent": {"da": "Skemaet er allerede sendt.", "en": "The form was sent already."},
    "thanks": {"da": "Tak! Jobbeskrivelsen (skema {number}) er sendt til jobcentret. En "
                     "virksomhedskonsulent tjekker puljen og vender tilbage. Her er et udkast "
                     "til onboardingplanen for de første to uger.\n"
                     "/new beskriver et job mere.",
               "en": "Thank you! The job description (form {number}) has been sent to the "
                     "jobcenter. A consultant will check the pool and get back to you. Here "
                     "is a draft onboarding plan for the first two weeks.\n"
                     "/new describes another job."},
    "no_forms": {"da": "Du har ingen skemaer endnu. /new starter et.",
                 "en": "You have no forms yet. /new starts one."},
    "your_forms": {"da": "Dine skemaer:", "en": "Your forms:"},
    "at_question": {"da": ", spørgsmål {number} af {of}", "en": ", question {number} of {of}"},
    "resume": {"da": "Fortsæt skema {number}", "en": "Resume form {number}"},
    "no_place": {"da": "(intet sted endnu)", "en": "(no place yet)"},
    # Telegram's command menu (Danish by default, English for English-language clients).
    "command.start": {"da": "Start eller fortsæt", "en": "Start or continue"},
    "command.help": {"da": "Hjælp", "en": "Help"},
    "command.back": {"da": "Forrige spørgsmål", "en": "Previous question"},
    "command.skip": {"da": "Spring et valgfrit spørgsmål over",
                     "en": "Skip an optional question"},
    "command.status": {"da": "Mine skemaer", "en": "My forms"},
    "command.new": {"da": "Beskriv et job mere", "en": "Describe another job"},
    "command.cancel": {"da": "Annullér skemaet", "en": "Cancel the form"},
    "command.language": {"da": "Dansk / English", "en": "Dansk / English"},
    # Telegram: shown in both languages (the chat may not be a known user's).
    "private_only": {"da": "Skriv til mig i en privat chat, så hjælper jeg dig dér.",
                     "en": "Please write to me in a private chat."},
    "text_only": {"da": "Jeg kan kun læse tekst. Skriv dit svar, eller brug knapperne.",
                  "en": "I can only read text. Type your answer or use the buttons."},
    # The terminal chat's last line (assistant chat).
    "end.input": {"da": "(slut på input - skemaet er gemt; fortsæt med: {resume})",
                  "en": "(end of input - the form is saved; continue with: {resume})"},
    "end.stopped": {"da": "(afbrudt - skemaet er gemt; fortsæt med: {resume})",
                    "en": "(stopped - the form is saved; continue with: {resume})"},
    # Told in the chat when a consultant approves the form (assistant.intakes).
    "approved": {"da": "Godt nyt: jobbet \"{location}\" (skema {number}) er godkendt, {hours} "
                       "timer om ugen fra {start} til {end}. Virksomhedskonsulenten kontakter "
                       "dig om den nye kollega.",
                 "en": "Good news: the job \"{location}\" (form {number}) is approved, {hours} "
                       "hours a week from {start} to {end}. The consultant will contact you "
                       "about the new colleague."},
}

STATUS_NAMES: Catalogue = {
    "draft": {"da": "i gang", "en": "in progress"},
    "submitted": {"da": "sendt til jobcentret", "en": "sent to the jobcenter"},
    "approved": {"da": "godkendt", "en": "approved"},
    "cancelled": {"da": "annulleret", "en": "cancelled"},
}
