"""The compiled character pass (parsers/payslip/_glyphs.c) gives what its Python
reference (``words._raw_glyphs``) gives: the same glyphs, the same floats to the last
bit, the same None where a character is not drawn, on every corpus PDF, every generated
layout, pages turned by /Rotate with text at every angle, text at an odd angle, glyph
codes without letters, and damaged or hostile files. The same for the characters of a
page (``_page_chars``) and their words (``word_groups.group_words``)."""

from __future__ import annotations

import io
import math
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from parsers.payslip import word_groups, words
from parsers.payslip.word_groups import Char
from tests.fixtures.bad_pdfs import glyph_id_pdf, image_only_pdf, many_pages_pdf
from tests.fixtures.payslips import LAYOUTS, make_case, render
from tests.unit.parsers.test_char_source import CORPUS, turned_page


def text_pages(data: bytes) -> Iterator[int]:
    """Each page's PDFium text page, as the address both passes take."""
    with words._document(data) as pdf:
        for number in range(len(pdf)):
            page = pdf[number]
            textpage = page.get_textpage()
            try:
                yield words.ctypes.cast(textpage.raw, words.ctypes.c_void_p).value
            finally:
                textpage.close()
                page.close()


def same(a: object, b: object) -> bool:
    """Equal, with floats equal to the bit (NaN is NaN) and ints still ints."""
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return (type(a) is type(b) and len(a) == len(b)
                and all(same(x, y) for x, y in zip(a, b, strict=True)))
    if isinstance(a, dict) and isinstance(b, dict):  # keys in the same order, too
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a.hex() == b.hex()
    return type(a) is type(b) and a == b


def assert_same_chars(data: bytes) -> None:
    """The page's characters (``_glyphs.page_chars`` on an unturned page) as the Python
    loop gives them."""
    with words._document(data) as pdf:
        doctop = 0.0
        for number in range(len(pdf)):
            page = pdf[number]
            try:
                got, height = words._page_chars(page, doctop)
                expected, _ = words._page_chars(page, doctop, compiled=False)
            finally:
                page.close()
            assert len(got) == len(expected)
            for ours, reference in zip(got, expected, strict=True):
                assert same(ours, reference), (ours, reference)
            assert_same_words(got)
            doctop += height


def assert_same_words(chars: list[Char]) -> None:
    """``_glyphs.group_words`` makes the words of ``chars`` its reference makes."""
    got = word_groups.group_words(chars)
    expected = word_groups.group_words(chars, compiled=False)
    assert same(got, expected), (got, expected)


def assert_same_glyphs(data: bytes) -> int:
    """Both passes over every page of ``data``; how many glyphs were compared."""
    assert words._glyphs_c is not None, "parsers/payslip/_glyphs.c is not built"
    compared = 0
    for handle in text_pages(data):
        expected = words._raw_glyphs(handle)
        got = words._glyphs_c.read_glyphs(handle)
        assert len(got) == len(expected)
        for index, (ours, reference) in enumerate(zip(got, expected, strict=True)):
            assert same(ours, reference), (index, ours, reference)
        compared += len(got)
    assert_same_chars(data)
    return compared


def test_the_compiled_pass_is_built_and_used() -> None:
    # The README's install builds it (setup.py); without a compiler the install goes on
    # and the reader runs the Python loops, slower (assistant run warns).
    assert words.compiled()
    data = render(make_case(LAYOUTS[0], 1))
    assert assert_same_glyphs(data) > 300


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_corpus_pdf(path: Path) -> None:
    assert assert_same_glyphs(path.read_bytes()) > 0


@pytest.mark.parametrize("layout", LAYOUTS)
def test_generated_layouts(layout: str) -> None:
    for seed in (7, 8):
        assert assert_same_glyphs(render(make_case(layout, seed))) > 0


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("text_angle", [0, 90, 180, 270, 33])
def test_turned_pages_and_text(rotate: int, text_angle: int) -> None:
    assert assert_same_glyphs(turned_page(rotate, text_angle)) > 20


def cropped_page() -> bytes:
    """Text inside, across and outside a CropBox smaller than the page."""
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(595, 842))
    canvas.setCropBox((100, 100, 400, 600))
    canvas.setFont("Helvetica", 10)
    for x in range(0, 595, 45):
        for y in range(20, 842, 60):
            canvas.drawString(x, y, f"Løn {x},{y}")
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


def test_a_cropbox_and_a_mediabox_away_from_the_origin() -> None:
    data = cropped_page()
    with words._document(data) as pdf:
        page = pdf[0]
        chars, _ = words._page_chars(page, 0.0)
        everything = len(words._glyphs(page))
        page.close()
    assert 0 < len(chars) < everything  # some were cut off
    assert_same_glyphs(data)
    assert assert_same_glyphs(turned_page(0, 0, offset=True)) > 20


def mixed_page(seed: int) -> bytes:
    """Text objects drawn out of order, scaled, mirrored and skewed; ligatures, letters
    outside Latin-1, and a text object revisited after others."""
    rng = random.Random(seed)
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=(595, 842))
    for n in range(40):
        canvas.saveState()
        canvas.translate(rng.uniform(20, 500), rng.uniform(20, 800))
        canvas.transform(rng.choice([1, -1, 0.5]), rng.choice([0, 0, 0.2]),
                         rng.choice([0, 0, -0.3]), rng.choice([1, 2, -1]), 0, 0)
        canvas.setFont(rng.choice(["Helvetica", "Times-Roman", "Courier"]),
                       rng.choice([6, 9, 12, 30]))
        canvas.drawString(0, 0, rng.choice(["Løn ﬁnale", "Æblegrød 1.234,56", "Σ € ½ ¼",
                                            "   spaced   out   ", f"line {n}"]))
        canvas.restoreState()
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


@pytest.mark.parametrize("seed", range(6))
def test_mixed_text_objects(seed: int) -> None:
    assert assert_same_glyphs(mixed_page(seed)) > 100


def test_glyph_codes_without_letters_image_pages_and_many_pages() -> None:
    assert assert_same_glyphs(glyph_id_pdf()) > 0
    assert assert_same_glyphs(image_only_pdf()) == 0
    assert assert_same_glyphs(many_pages_pdf(pages=30)) > 0


def test_damaged_files_give_the_same() -> None:
    opened = 0
    for seed in range(12):
        rng = random.Random(seed)
        data = bytearray(render(make_case(LAYOUTS[seed % len(LAYOUTS)], seed)))
        for _ in range(20):  # bytes flipped inside the content streams and fonts
            data[rng.randrange(len(data) // 4, len(data))] = rng.randrange(256)
        try:
            assert_same_glyphs(bytes(data))
        except words.pdfium.PdfiumError:
            continue  # PDFium refuses the file: neither pass runs
        opened += 1
    assert opened >= 6


def test_words_of_random_characters() -> None:
    """Characters on shared and nearly shared tops, at equal x0, gaps right at the
    tolerances, signed zeros, spaces of several kinds, empty texts and ligatures, in any
    content order."""
    rng = random.Random(3)
    grouped = 0
    for _ in range(2000):
        chars = []
        for _ in range(rng.randint(0, 40)):
            # Tops and gaps exactly at the tolerances (2.5 and 1.5) as well as either side.
            top = rng.choice([0.0, -0.0, 10.0, 10.5, 12.0, 12.5, 12.6, 15.0, 17.5,
                              rng.uniform(0, 50)])
            x0 = rng.choice([0.0, -0.0, 5.0, 7.5, 9.5, 6.5, rng.uniform(0, 100)])
            chars.append(Char(
                rng.choice(["a", "b", " ", "", "\u00a0", "\ufb01", "\ufb00", "\t", "xy"]),
                x0, x0 + rng.choice([0.0, 1.0, 3.0, rng.uniform(0, 5)]), top,
                top + rng.uniform(0, 12), top + 700.0, True))
        assert_same_words(chars)
        grouped += bool(chars)
    assert grouped > 1900


def test_words_of_characters_the_c_loop_leaves_to_python() -> None:
    """A coordinate that is not a finite float is grouped by the reference: Python
    orders NaN as no comparison in C would. The result is still the reference's."""
    assert word_groups._glyphs is not None
    odd = [[Char("a", math.nan, 1.0, 0.0, 1.0, 1.0, True)],
           [Char("a", 0.0, math.inf, 0.0, 1.0, 1.0, True)],
           [Char("a", 0, 1.0, 0.0, 1.0, 1.0, True)]]  # an int
    for chars in odd:
        assert word_groups._glyphs.group_words(chars, word_groups.LIGATURES, 1.5, 2.5) is None
        assert_same_words(chars)
    assert word_groups.group_words(odd[2])[0]["text"] == "a"
