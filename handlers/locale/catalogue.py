"""The words of the task catalogue (inspirationskatalog) the intake bot suggests
(``handlers.catalogue``): the areas, their example tasks, the personal competences and
the usual frequencies. Sections ``area``, ``task_example``, ``competence`` and
``frequency``. An example task is stored in Danish as the pamphlet writes it (the job
description is the jobcenter's document); its English text is only what an English
manager reads on the button."""

from __future__ import annotations

from handlers.i18n import Catalogue

AREA_NAMES: Catalogue = {
    "office": {"da": "Piccolo/kontorhjælp", "en": "Office help"},
    "daycare": {"da": "Servicemedarbejder i dagtilbud", "en": "Day-care service worker"},
    "kitchen": {"da": "Køkken og rengøring", "en": "Kitchen and cleaning"},
    "care": {"da": "Besøgsven på plejecenter", "en": "Nursing-home visiting friend"},
    "library": {"da": "Biblioteksmedarbejder", "en": "Library worker"},
    "outdoor": {"da": "Forsyning og grønne områder", "en": "Utilities and green areas"},
    "it": {"da": "IT-support", "en": "IT support"},
    "communication": {"da": "Kommunikation", "en": "Communication"},
    "data": {"da": "Data", "en": "Data"},
    "economy": {"da": "Økonomi", "en": "Economy"},
}

# "<area>.<example>"; the order within an area is the order of the buttons.
TASK_EXAMPLES: Catalogue = {
    "office.scanning": {"da": "Scanning af dokumenter", "en": "Scanning documents"},
    "office.filing": {"da": "Journalisering", "en": "Filing records"},
    "office.mail": {"da": "Let service og postomdeling", "en": "Light service and mail delivery"},
    "daycare.restocking": {"da": "Opfyldning af varer", "en": "Restocking supplies"},
    "daycare.stockroom": {"da": "Lagerlogistik", "en": "Stockroom logistics"},
    "daycare.cleaning": {"da": "Let rengøring", "en": "Light cleaning"},
    "kitchen.dishes": {"da": "Opvask", "en": "Washing up"},
    "kitchen.serving": {"da": "Anretning og oprydning i køkkenet",
                        "en": "Serving and tidying up in the kitchen"},
    "kitchen.common_areas": {"da": "Rengøring af fællesarealer", "en": "Cleaning common areas"},
    "care.walks": {"da": "Gåture og samtaler med beboere", "en": "Walks and talks with residents"},
    "care.reading": {"da": "Højtlæsning", "en": "Reading aloud"},
    "care.activities": {"da": "Hjælp ved aktiviteter", "en": "Helping with activities"},
    "library.shelving": {"da": "Sætte bøger på plads", "en": "Shelving books"},
    "library.materials": {"da": "Klargøring af materialer", "en": "Preparing materials"},
    "library.reading_room": {"da": "Oprydning i læsesalen", "en": "Tidying the reading room"},
    "outdoor.litter": {"da": "Affaldsindsamling", "en": "Collecting waste"},
    "outdoor.green_areas": {"da": "Let vedligehold af grønne områder",
                            "en": "Light upkeep of green areas"},
    "outdoor.tools": {"da": "Klargøring af redskaber", "en": "Getting tools ready"},
    "it.pcs": {"da": "Klargøring af pc'er", "en": "Setting up PCs"},
    "it.login": {"da": "Hjælp til brugere med login", "en": "Helping users log in"},
    "it.equipment": {"da": "Opsætning af udstyr", "en": "Installing equipment"},
    "communication.newsletters": {"da": "Nyhedsbreve", "en": "Newsletters"},
    "communication.social_media": {"da": "Opslag på sociale medier",
                                   "en": "Posts on social media"},
    "communication.website": {"da": "Opdatering af hjemmeside", "en": "Updating the website"},
    "data.collecting": {"da": "Indsamling af data", "en": "Collecting data"},
    "data.analyses": {"da": "Enkle analyser", "en": "Simple analyses"},
    "data.dashboards": {"da": "Opdatering af dashboards", "en": "Updating dashboards"},
    "economy.reconciliation": {"da": "Afstemning", "en": "Reconciliation"},
    "economy.invoicing": {"da": "Fakturering", "en": "Invoicing"},
    "economy.vouchers": {"da": "Bilagshåndtering", "en": "Handling vouchers"},
}

COMPETENCE_NAMES: Catalogue = {
    "it_skills": {"da": "IT-kompetencer", "en": "IT skills"},
    "punctual": {"da": "Mødestabil", "en": "Punctual"},
    "hygiene": {"da": "Hygiejne", "en": "Hygiene"},
    "careful": {"da": "Omhyggelig", "en": "Careful"},
    "structured": {"da": "Struktureret", "en": "Structured"},
    "service_minded": {"da": "Serviceminded", "en": "Service-minded"},
    "independent": {"da": "Kan arbejde selvstændigt", "en": "Works independently"},
    "cooperative": {"da": "Samarbejdsvillig", "en": "Cooperative"},
}

FREQUENCY_NAMES: Catalogue = {
    "daily": {"da": "Dagligt", "en": "Daily"},
    "several_weekly": {"da": "Flere gange om ugen", "en": "Several times a week"},
    "weekly": {"da": "Ugentligt", "en": "Weekly"},
    "monthly": {"da": "Månedligt", "en": "Monthly"},
}
