"""What the intake bot suggests: the task catalogue (inspirationskatalog) by area, the
common personal competences, and a few usual frequencies. From the pamphlet
(seeds/004, section 7) and domain.md; the words, Danish and English, are the catalogue
sections in ``handlers.locale.catalogue``.

A picked example task is stored in Danish, as the pamphlet writes it, whatever the
manager's language (the job description is the jobcenter's document); an English
manager reads it in English on the buttons and in the question that follows
(:meth:`Area.label`). Competences and frequencies are stored in the manager's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.i18n import render
from handlers.locale.catalogue import AREA_NAMES, COMPETENCE_NAMES, FREQUENCY_NAMES, TASK_EXAMPLES
from handlers.texts import Language


@dataclass(frozen=True)
class Area:
    key: str
    name: dict[Language, str]
    examples: tuple[str, ...]  # example tasks, Danish as in the pamphlet: the stored value
    example_keys: tuple[str, ...] = ()  # their keys in the task_example section, in order

    def labels(self, lang: Language) -> tuple[str, ...]:
        """The example tasks as the buttons show them in ``lang``."""
        return tuple(render(TASK_EXAMPLES, key, lang) for key in self.example_keys)

    def label(self, title: str, lang: Language) -> str:
        """``title`` in ``lang`` if it is one of the examples (stored in Danish), else
        as written."""
        if title in self.examples:
            return self.labels(lang)[self.examples.index(title)]
        return title


def _area(key: str) -> Area:
    """An area with its example tasks in the order of the catalogue section."""
    keys = tuple(k for k in TASK_EXAMPLES if k.split(".", 1)[0] == key)
    return Area(key, AREA_NAMES[key], tuple(TASK_EXAMPLES[k]["da"] for k in keys), keys)


AREAS: tuple[Area, ...] = tuple(_area(key) for key in AREA_NAMES)

COMPETENCES: tuple[dict[Language, str], ...] = tuple(COMPETENCE_NAMES.values())

FREQUENCIES: tuple[dict[Language, str], ...] = tuple(FREQUENCY_NAMES.values())


def area(key: str) -> Area | None:
    return next((a for a in AREAS if a.key == key), None)
