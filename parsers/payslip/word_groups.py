"""Characters to words, as pdfplumber's ``WordExtractor`` groups them.

pdfplumber groups characters given as dicts, one per character, through generators
and sort keys made for every direction of text. A payslip's text is upright, left to
right: for that case the same grouping runs here on plain tuples, several times
faster, with the same words to the last decimal (held to pdfplumber's own on every
corpus page by ``tests/unit/parsers/test_char_source.py``). A page with text that is
not upright is grouped by pdfplumber itself.

The settings are the reader's: ``X_TOLERANCE`` and ``Y_TOLERANCE``, no blank
characters kept, no splitting at punctuation, ligatures expanded.

Where the reader's C part was built, the loop runs there (``_glyphs.group_words``); the
loop below is its reference, held equal by ``tests/unit/parsers/test_glyphs_c.py``.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

from pdfplumber.utils.text import LIGATURES, WordExtractor

try:
    from parsers.payslip import _glyphs
except ImportError:  # not built: the loop below does the same, slower
    _glyphs = None  # type: ignore[assignment]

X_TOLERANCE = 1.5  # points between two characters of one word, at most
Y_TOLERANCE = 2.5  # points between the tops of two characters of one line, at most
_EXTRACTOR = WordExtractor(x_tolerance=X_TOLERANCE, y_tolerance=Y_TOLERANCE)


class Char(NamedTuple):
    """A character on the page, in pdfplumber's coordinates (y downwards)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    doctop: float
    upright: bool


def group_words(chars: list[Char], compiled: bool = True) -> list[dict]:
    """The words pdfplumber's ``extract_words`` makes of ``chars`` (in content order).
    ``compiled``: in C where it was built (False: the Python loop, its reference)."""
    if not chars:
        return []
    if not all(c.upright for c in chars):
        return _EXTRACTOR.extract_words([c._asdict() for c in chars])
    if compiled and _glyphs is not None:
        words = _glyphs.group_words(chars, LIGATURES, X_TOLERANCE, Y_TOLERANCE)
        if words is not None:  # None: a coordinate it cannot order as Python does
            return words
    words: list[dict] = []
    for line in _lines(chars):
        word: list[Char] = []
        for char in line:
            text = char.text
            if text.isspace():
                _flush(word, words)
                word = []
            elif text == "":  # pdfplumber: a character "in" the (empty) punctuation
                _flush(word, words)
                _flush([char], words)
                word = []
            elif word and _begins_word(word[-1], char):
                _flush(word, words)
                word = [char]
            else:
                word.append(char)
        _flush(word, words)
    return words


def _lines(chars: list[Char]) -> list[list[Char]]:
    """Characters clustered into lines by their tops (``cluster_objects``: sorted tops
    less than ``Y_TOLERANCE`` apart chain into one line), each line sorted by x0; both
    sorts stable, as pdfplumber's."""
    tops = sorted({c.top for c in chars})
    line_of: dict[float, int] = {}
    line, last = 0, tops[0]
    for top in tops:
        if top > last + Y_TOLERANCE:
            line += 1
        line_of[top] = line
        last = top
    ordered = sorted(chars, key=lambda c: line_of[c.top])
    return [sorted(group, key=lambda c: c.x0)
            for _, group in itertools.groupby(ordered, key=lambda c: line_of[c.top])]


def _begins_word(prev: Char, char: Char) -> bool:
    """``WordExtractor.char_begins_new_word`` for left-to-right text."""
    return (char.x0 < prev.x0 or char.x0 > prev.x1 + X_TOLERANCE
            or abs(char.top - prev.top) > Y_TOLERANCE)


def _flush(word: list[Char], words: list[dict]) -> None:
    """``WordExtractor.merge_chars``: the word's text, box and direction."""
    if not word:
        return
    first = word[0]
    x0 = min(c.x0 for c in word)
    x1 = max(c.x1 for c in word)
    top = min(c.top for c in word)
    bottom = max(c.bottom for c in word)
    words.append({
        "text": "".join(LIGATURES.get(c.text, c.text) for c in word),
        "x0": x0, "x1": x1, "top": top, "doctop": top + (first.doctop - first.top),
        "bottom": bottom, "upright": first.upright, "height": bottom - top,
        "width": x1 - x0, "direction": "ltr",
    })
