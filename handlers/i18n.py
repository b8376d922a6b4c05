"""One way to write every user text: catalogues of ``key -> {language: text}``.

Every word a person reads (mail, bot, terminal chat, web desk) is an entry in a
catalogue section, Danish and English side by side so a missing translation shows in
review and in ``tests/unit/handlers/test_i18n.py`` (every key has both, with the same
``{placeholders}``). :func:`text` looks up ``"section.key"``; a section's own module
may also look up its entries with :func:`render`. Danish is the default and the
fallback; an unknown key comes back as the key itself, so a gap shows and never fails.

The sections (:data:`SECTIONS`) live next to the code that uses them
(``handlers.texts`` for the claim mail, ``handlers.desk_texts`` for the desk,
``handlers.locale.*`` for the form, the bot and the pipeline); they are imported when
first needed, so those modules can import this one.
"""

from __future__ import annotations

import importlib
import string
from functools import cache
from typing import Literal

Language = Literal["da", "en"]
LANGUAGES: tuple[Language, ...] = ("da", "en")
Entry = dict[Language, str]
Catalogue = dict[str, Entry]

# section name -> (module, catalogue attribute)
SECTIONS: dict[str, tuple[str, str]] = {
    "field": ("handlers.texts", "FIELD_NAMES"),
    "short_field": ("handlers.texts", "SHORT_FIELD_NAMES"),
    "problem": ("handlers.texts", "PROBLEM_TEXTS"),
    "unreadable": ("handlers.texts", "UNREADABLE_REASONS"),
    "held": ("handlers.texts", "HELD_REASONS"),
    "mail": ("handlers.texts", "MAIL"),
    "summary": ("handlers.locale.summary", "SUMMARY"),
    "job": ("handlers.job_texts", "JOB"),
    "criterion": ("handlers.job_texts", "CRITERION_NAMES"),
    "criterion_why": ("handlers.job_texts", "CRITERION_WHY"),
    "requirement": ("handlers.job_texts", "REQUIREMENT_NAMES"),
    "form": ("handlers.locale.form", "FORM"),
    "group": ("handlers.locale.form", "GROUP_NAMES"),
    "bot": ("handlers.locale.bot", "BOT"),
    "intake_status": ("handlers.locale.bot", "STATUS_NAMES"),
    "pipeline": ("handlers.locale.pipeline", "PIPELINE"),
    "followup": ("handlers.locale.followup", "FOLLOWUP"),
    "onboarding": ("handlers.locale.onboarding", "ONBOARDING"),
    "area": ("handlers.locale.catalogue", "AREA_NAMES"),
    "task_example": ("handlers.locale.catalogue", "TASK_EXAMPLES"),
    "competence": ("handlers.locale.catalogue", "COMPETENCE_NAMES"),
    "frequency": ("handlers.locale.catalogue", "FREQUENCY_NAMES"),
    "desk": ("handlers.desk_texts", "UI"),
    "role": ("handlers.desk_texts", "ROLES"),
    "claim_status": ("handlers.desk_texts", "STATUS"),
    "desk_field": ("handlers.desk_texts", "FIELDS"),
    "problem_title": ("handlers.desk_texts", "PROBLEM_TITLES"),
    "audit": ("handlers.desk_texts", "AUDIT_ACTIONS"),
    "reminder_kind": ("handlers.desk_texts", "REMINDER_KINDS"),
}


def language(value: str | None) -> Language:
    """A stored or configured language as one we write in (Danish unless English)."""
    return "en" if value == "en" else "da"


def render(catalogue: Catalogue, key: str, lang: Language = "da", **values: object) -> str:
    """``catalogue[key]`` in ``lang`` (Danish if it has no such language), with
    ``values`` filled in; the key itself if the catalogue has no such entry."""
    entry = catalogue.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry.get("da") or key
    return template.format(**values) if values else template


def section(name: str) -> Catalogue:
    """One section of the catalogue by name (see :data:`SECTIONS`)."""
    module, attribute = SECTIONS[name]
    found: Catalogue = getattr(importlib.import_module(module), attribute)
    return found


@cache
def catalogue() -> Catalogue:
    """Every entry of every section, keyed ``"section.key"``."""
    merged: Catalogue = {}
    for name in SECTIONS:
        for key, entry in section(name).items():
            merged[f"{name}.{key}"] = entry
    return merged


def text(key: str, lang: Language = "da", **values: object) -> str:
    """The text for ``"section.key"`` in ``lang``, with ``values`` filled in."""
    return render(catalogue(), key, lang, **values)


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a template fills in."""
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(template)
            if name is not None}
