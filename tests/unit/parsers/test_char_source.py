"""The reader's characters come from PDFium; pdfplumber's own (pdfminer's) are the
reference. Every corpus PDF, and pages turned by /Rotate with text at each quarter
turn and a MediaBox away from the origin, must give the same words in the same places
both ways: the layout rules were built on pdfminer's boxes."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from pdfplumber.utils.text import WordExtractor
from reportlab.pdfgen.canvas import Canvas

from parsers.payslip import words
from parsers.payslip.word_groups import Char, group_words

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CORPUS = sorted(FIXTURES.glob("*/pdf/*.pdf"))
TOLERANCE = 1.0  # points; the descents of the two libraries' font tables differ a little


def reference_words(data: bytes) -> list[list[dict]]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_words(x_tolerance=1.5, y_tolerance=2.5) for page in pdf.pages]


def page_chars(data: bytes) -> list[list[Char]]:
    """Each page's characters as the reader takes them from PDFium."""
    pages, doctop = [], 0.0
    with words._document(data) as pdf:
        for number in range(len(pdf)):
            page = pdf[number]
            chars, height = words._page_chars(page, doctop)
            page.close()
            doctop += height
            pages.append(chars)
    return pages


def pdfium_words(data: bytes) -> list[list[dict]]:
    return [group_words(chars) for chars in page_chars(data)]


def assert_same_words(data: bytes) -> None:
    expected, got = reference_words(data), pdfium_words(data)
    assert len(got) == len(expected)
    for ours, theirs in zip(got, expected, strict=True):
        assert [w["text"] for w in ours] == [w["text"] for w in theirs]
        for a, b in zip(ours, theirs, strict=True):
            for key in ("x0", "x1", "top", "bottom"):
                assert a[key] == pytest.approx(b[key], abs=TOLERANCE), (a["text"], key)
            assert a["upright"] == b["upright"], a["text"]


def test_the_corpus_is_there() -> None:
    assert len(CORPUS) >= 40


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_corpus_pdf_gives_pdfminers_words(path: Path) -> None:
    assert_same_words(path.read_bytes())


def turned_page(rotate: int, text_angle: int, offset: bool = False) -> bytes:
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(595, 842))
    canvas.setPageRotation(rotate)
    canvas.saveState()
    canvas.translate(300, 400)
    canvas.rotate(text_angle)
    canvas.setFont("Helvetica", 12)
    canvas.drawString(0, 0, "Timeløn 1.234,56 kr.")
    canvas.restoreState()
    canvas.setFont("Times-Roman", 10)
    canvas.drawString(80, 90, "Nordlys Kaffebar ApS, CVR 12345678")
    canvas.showPage()
    canvas.save()
    data = buf.getvalue()
    if offset:  # the same length, so the cross-reference offsets still hold
        data = data.replace(b"/MediaBox [ 0 0 595 842 ]", b"/MediaBox [50 60 645 902]")
    return data


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("text_angle", [0, 90, 180, 270])
def test_turned_pages_give_pdfminers_words(rotate: int, text_angle: int) -> None:
    assert_same_words(turned_page(rotate, text_angle))


def test_a_mediabox_away_from_the_origin_gives_pdfminers_words() -> None:
    data = turned_page(0, 0, offset=True)
    assert pdfium.PdfDocument(data)[0].get_mediabox() == (50, 60, 645, 902)
    assert_same_words(data)
    assert [w["text"] for w in pdfium_words(data)[0]][:2] == ["Timeløn", "1.234,56"]


def test_a_kerned_space_that_pdfium_marks_as_its_own_still_parts_the_words() -> None:
    # Visma's footer: "Holm ApS" with the space kerned to 1.45 pt, below the word gap.
    data = (FIXTURES / "real_systems" / "pdf" / "visma-loen-1.pdf").read_bytes()
    texts = [w["text"] for w in pdfium_words(data)[0]]
    assert "HolmApS" not in texts
    assert texts.count("Holm") == texts.count("ApS") >= 2


# -- word grouping: the same words as pdfplumber's extractor, to the last decimal --------

EXTRACTOR = WordExtractor(x_tolerance=1.5, y_tolerance=2.5)


def assert_grouped_as_pdfplumber(chars: list[Char]) -> None:
    assert group_words(chars) == EXTRACTOR.extract_words([c._asdict() for c in chars])


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_corpus_pages_group_into_pdfplumbers_words_exactly(path: Path) -> None:
    for chars in page_chars(path.read_bytes()):
        assert_grouped_as_pdfplumber(chars)


def test_turned_text_is_grouped_by_pdfplumber_itself() -> None:
    chars = page_chars(turned_page(0, 90))[0]
    assert not all(c.upright for c in chars)
    assert_grouped_as_pdfplumber(chars)


def char(text: str, x0: float, top: float, width: float = 5.0) -> Char:
    return Char(text, x0, x0 + width, top, top + 10, top + 800, True)


@pytest.mark.parametrize("chars", [
    [],
    # tops 2.5 apart chain into one line; 2.6 apart do not
    [char("a", 10, 100), char("b", 15, 102.5), char("c", 20, 105), char("d", 25, 107.6)],
    # a gap of exactly the tolerance joins, a hair more parts; overlapping and
    # backwards characters part too
    [char("a", 10, 100), char("b", 16.5, 100), char("c", 23.0001, 100), char("d", 20, 100)],
    # spaces part and vanish; ligatures expand; an empty text is a word of its own
    [char("x", 10, 100), char(" ", 15, 100), char("\ufb01", 20, 100), char("", 25, 100),
     char("y", 30, 100)],
    # content order is not reading order: lines and x are sorted, ties stay in order
    [char("b", 40, 200), char("a", 10, 200), char("c", 40, 200), char("z", 10, 50)],
])
def test_edge_cases_group_as_pdfplumber(chars: list[Char]) -> None:
    assert_grouped_as_pdfplumber(chars)
