"""What the intake bot suggests: the task catalogue (inspirationskatalog) by area, the
common personal competences, and a few usual frequencies. From the pamphlet
(seeds/004, section 7) and domain.md; Danish with English labels.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.texts import Language


@dataclass(frozen=True)
class Area:
    key: str
    name: dict[Language, str]
    examples: tuple[str, ...]  # example tasks, Danish as in the pamphlet


AREAS: tuple[Area, ...] = (
    Area("office", {"da": "Piccolo/kontorhjælp", "en": "Office help"},
         ("Scanning af dokumenter", "Journalisering", "Let service og postomdeling")),
    Area("daycare", {"da": "Servicemedarbejder i dagtilbud", "en": "Day-care service worker"},
         ("Opfyldning af varer", "Lagerlogistik", "Let rengøring")),
    Area("kitchen", {"da": "Køkken og rengøring", "en": "Kitchen and cleaning"},
         ("Opvask", "Anretning og oprydning i køkkenet", "Rengøring af fællesarealer")),
    Area("care", {"da": "Besøgsven på plejecenter", "en": "Nursing-home visiting friend"},
         ("Gåture og samtaler med beboere", "Højtlæsning", "Hjælp ved aktiviteter")),
    Area("library", {"da": "Biblioteksmedarbejder", "en": "Library worker"},
         ("Sætte bøger på plads", "Klargøring af materialer", "Oprydning i læsesalen")),
    Area("outdoor", {"da": "Forsyning og grønne områder", "en": "Utilities and green areas"},
         ("Affaldsindsamling", "Let vedligehold af grønne områder", "Klargøring af redskaber")),
    Area("it", {"da": "IT-support", "en": "IT support"},
         ("Klargøring af pc'er", "Hjælp til brugere med login", "Opsætning af udstyr")),
    Area("communication", {"da": "Kommunikation", "en": "Communication"},
         ("Nyhedsbreve", "Opslag på sociale medier", "Opdatering af hjemmeside")),
    Area("data", {"da": "Data", "en": "Data"},
         ("Indsamling af data", "Enkle analyser", "Opdatering af dashboards")),
    Area("economy", {"da": "Økonomi", "en": "Economy"},
         ("Afstemning", "Fakturering", "Bilagshåndtering")),
)

COMPETENCES: tuple[dict[Language, str], ...] = (
    {"da": "IT-kompetencer", "en": "IT skills"},
    {"da": "Mødestabil", "en": "Punctual"},
    {"da": "Hygiejne", "en": "Hygiene"},
    {"da": "Omhyggelig", "en": "Careful"},
    {"da": "Struktureret", "en": "Structured"},
    {"da": "Serviceminded", "en": "Service-minded"},
    {"da": "Kan arbejde selvstændigt", "en": "Works independently"},
    {"da": "Samarbejdsvillig", "en": "Cooperative"},
)

FREQUENCIES: tuple[dict[Language, str], ...] = (
    {"da": "Dagligt", "en": "Daily"},
    {"da": "Flere gange om ugen", "en": "Several times a week"},
    {"da": "Ugentligt", "en": "Weekly"},
    {"da": "Månedligt", "en": "Monthly"},
)


def area(key: str) -> Area | None:
    return next((a for a in AREAS if a.key == key), None)
