"""The words of the onboarding plan ``handlers.onboarding`` drafts from the form (the
pamphlet's template: before the start, week 1, week 2). Section ``onboarding``. The
Markdown around them (headings' ``#``, list items, table rows) is the code's."""

from __future__ import annotations

from handlers.i18n import Catalogue

ONBOARDING: Catalogue = {
    # -- who is responsible, and the head of the plan -------------------------------------
    "responsible": {"da": "ansvarlig", "en": "responsible"},
    "leader": {"da": "leder ({name})", "en": "manager ({name})"},
    "contact": {"da": "kontaktperson ({name})", "en": "contact person ({name})"},
    "team": {"da": "team", "en": "team"},
    "everyone": {"da": "alle", "en": "everyone"},
    "newcomer": {"da": "den nye kollega", "en": "the new colleague"},
    "not_given": {"da": "ikke angivet", "en": "not given"},
    "title": {"da": "Onboardingplan: {location} ({workplace})",
              "en": "Onboarding plan: {location} ({workplace})"},
    "draft": {"da": "Udkast, udfyldt ud fra jobbeskrivelsen. Arbejdspladsen retter og "
                    "supplerer planen før opstart.",
              "en": "Draft, filled in from the job description. The workplace edits and "
                    "completes the plan before the start."},
    "label.contact": {"da": "Kontaktperson", "en": "Contact person"},
    "label.manager": {"da": "Leder", "en": "Manager"},
    "label.start": {"da": "Forventet opstart", "en": "Expected start"},
    "label.hours": {"da": "Timer pr. uge", "en": "Hours per week"},
    "label.working_times": {"da": "Arbejdstider", "en": "Working times"},
    "label.internship": {"da": "Praktik først", "en": "Internship first"},
    # -- before the start ------------------------------------------------------------------
    "before.heading": {"da": "Før start", "en": "Before the start"},
    "before.internship": {
        "da": "Aftal praktik i {weeks} før ansættelsen med virksomhedskonsulenten, som "
              "godkender den. I praktikken må kandidaten udføre alle typer opgaver, men ikke "
              "have ansvaret for dem",
        "en": "Agree on {weeks} of internship before the employment with the consultant, who "
              "approves it. During the internship the candidate may do all kinds of tasks but "
              "must not be responsible for them"},
    "before.consultant": {
        "da": "Samtale med virksomhedskonsulenten i Jobcentret om det rette match og den "
              "konkrete kandidat",
        "en": "Talk with the jobcenter's consultant about the right match and the candidate"},
    "before.candidate": {
        "da": "Samtale med kandidaten: forventningsafstemning, aftaler om konkrete opgaver og "
              "mødetid",
        "en": "Talk with the candidate: align expectations, agree on the tasks and working "
              "times"},
    "before.task_list": {"da": "Lav opgaveliste: konkrete opgaver, evt. faste opgaver (se uge 2)",
                         "en": "Make a task list: concrete tasks, maybe fixed tasks (see week 2)"},
    "certificate.child_certificate": {"da": "børneattest", "en": "child-protection certificate"},
    "certificate.criminal_record": {"da": "straffeattest", "en": "criminal record certificate"},
    "and": {"da": " og ", "en": " and "},
    "before.certificates": {"da": "Indhent {certificates} (krav for jobbet)",
                            "en": "Obtain the {certificates} (required for the job)"},
    "before.gdpr": {"da": "Bestil GDPR-kursus (krav for jobbet)",
                    "en": "Book the GDPR course (required for the job)"},
    "before.it": {"da": "Opret i IT: mail og adgang til IT-systemer",
                  "en": "Set up IT: e-mail and access to IT systems"},
    "before.test_it": {"da": "Test IT-udstyr", "en": "Test the IT equipment"},
    "before.desk": {"da": "Find plads på kontoret eller garderobe/omklædning",
                    "en": "Find a desk in the office or a locker/changing room"},
    "before.confidentiality_link": {
        "da": "Send link til tavshedserklæringen, som udfyldes digitalt: {url}",
        "en": "Send the link to the confidentiality declaration (tavshedserklæring), filled "
              "in online: {url}"},
    "before.confidentiality_form": {
        "da": "Send tavshedserklæringen til den nye kollega (arbejdspladsens blanket)",
        "en": "Send the confidentiality declaration (tavshedserklæring) to the new colleague "
              "(the workplace's own form)"},
    "before.emergency_list": {
        "da": "Udlevér tilkaldeliste til kandidaten, udfyldes med nærmeste pårørende",
        "en": "Hand the candidate the emergency contact list, filled in with their next of "
              "kin"},
    # -- week 1: the program of three days -------------------------------------------------
    "week1.heading": {"da": "Uge 1 (fra {date})", "en": "Week 1 (from {date})"},
    "week1.note_working_times": {
        "da": "Dage og tidspunkter følger arbejdstiden ({working}) fra den forventede "
              "opstart; ret dem efter behov.",
        "en": "Days and times follow the working times ({working}) from the expected start; "
              "adjust them as needed."},
    "week1.note_suggested": {
        "da": "Dage og tidspunkter er forslag ud fra den forventede opstart; læg programmet "
              "inden for arbejdstiden ({working}).",
        "en": "Days and times are suggestions based on the expected start; fit the program "
              "into the working times ({working})."},
    "program.header": {"da": "| Tid | Aktivitet | Ansvarlig |",
                       "en": "| Time | Activity | Responsible |"},
    "day1.team_meeting": {"da": "Kort teammøde, hvor den nye kollega møder teamet",
                          "en": "Short team meeting where the new colleague meets the team"},
    "day1.login": {"da": "Login på pc, tilkaldeliste (nærmeste pårørende)",
                   "en": "Log in on the PC, emergency contact list (next of kin)"},
    "day1.login_confidentiality": {
        "da": "Login på pc, tavshedserklæring, tilkaldeliste (nærmeste pårørende)",
        "en": "Log in on the PC, confidentiality declaration, emergency contact list (next "
              "of kin)"},
    "day1.wrap_up": {"da": "Møde: afslutning/opfølgning på dagen",
                     "en": "Meeting: wrap-up/follow-up on the day"},
    "day2.tour": {"da": "Rundvisning på arbejdspladsen", "en": "Tour of the workplace"},
    "day2.intro": {"da": "Intromøde med primære kollegaer",
                   "en": "Intro meeting with the closest colleagues"},
    "day3.tasks": {"da": "Introduktion til opgaver", "en": "Introduction to the tasks"},
    "day3.on_their_own": {"da": "Opgaver på egen hånd", "en": "Working on the tasks on their own"},
    "start_follow_up": {"da": "Kort opfølgning på opstart", "en": "Short follow-up on the start"},
    "week1.social": {
        "da": "Sørg for, at den nye kollega bliver en del af det sociale på arbejdspladsen "
              "(pauser, frokost mv.)",
        "en": "Make sure the new colleague becomes part of the social life at work (breaks, "
              "lunch etc.)"},
    "week1.no_show": {
        "da": "Hvis den nye kollega ikke møder som aftalt, gives besked til "
              "virksomhedskonsulenten",
        "en": "If the new colleague does not show up as agreed, tell the consultant"},
    # -- week 2: the job's tasks -----------------------------------------------------------
    "week2.heading": {"da": "Uge 2 (fra {date})", "en": "Week 2 (from {date})"},
    "week2.intro": {
        "da": "Den nye kollega overtager gradvist opgaverne fra jobbeskrivelsen; "
              "kontaktpersonen introducerer dem og justerer opgaver og arbejdstid efter behov.",
        "en": "The new colleague gradually takes over the tasks from the job description; the "
              "contact person introduces them and adjusts tasks and working times as needed."},
    "tasks.header": {"da": "| Opgave | Hvornår/frekvens | Kontaktperson |",
                     "en": "| Task | When/how often | Contact person |"},
    "no_tasks": {"da": "ingen opgaver angivet", "en": "no tasks given"},
    "week2.follow_up_talk": {
        "da": "Opfølgningssamtale om opgaver, arbejdstid og trivsel, {date}",
        "en": "Follow-up talk about tasks, working times and well-being, {date}"},
}
