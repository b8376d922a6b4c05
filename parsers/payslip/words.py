"""PDF bytes to words with positions, grouped into lines, under limits.

The page's characters come from PDFium (pypdfium2, the renderer pdfplumber itself uses),
in the coordinates pdfplumber gives them, grouped into words as pdfplumber's
``WordExtractor`` groups them (``word_groups``). PDFium interprets a page in C: about
seven times faster than pdfminer's interpreter, which was three quarters of a payslip's
reading time. The loop over a page's characters, about five PDFium calls each, runs in C
(``_glyphs.c``, built by ``pip install``); ``_raw_glyphs`` is its Python reference.
"""
from __future__ import annotations

import ctypes
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any, NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from parsers.payslip.layout import Line, lines_from_words
from parsers.payslip.model import Limits
from parsers.payslip.pdfium_lock import PDFIUM_LOCK
from parsers.payslip.word_groups import Char, group_words


class TooLarge(Exception):
    pass


class TooManyChars(Exception):
    """A page has more characters than the document had left of ``Limits.max_chars``."""


def read_lines(data: bytes, limits: Limits) -> tuple[list[Line], int, bool]:
    lines: list[Line] = []
    has_images = False
    words_seen = 0
    with _document(data) as pdf:
        pages = len(pdf)
        if pages == 0:
            raise TooLarge("the PDF has no pages")
        if pages > limits.max_pages:
            raise TooLarge(
                f"the PDF has {pages} pages; a payslip has at most {limits.max_pages}. "
                "Send each employee's payslip on its own")
        doctop = 0.0
        chars_seen = 0
        for number in range(pages):
            page = pdf[number]
            try:
                chars, height = _page_chars(page, doctop, most=limits.max_chars - chars_seen)
                chars_seen += len(chars)
                words = group_words(chars)
                if not words and _has_image(page.raw):
                    has_images = True
            except TooManyChars:
                raise TooLarge(f"the PDF has more than {limits.max_chars} characters; a "
                               "payslip has a few thousand") from None
            finally:
                page.close()
            doctop += height
            words_seen += len(words)
            if words_seen > limits.max_words:
                raise TooLarge(
                    f"the PDF has more than {limits.max_words} words; it is not a payslip")
            lines.extend(lines_from_words(words, number))
    for index, line in enumerate(lines):
        for cell in line.cells:
            cell.line = index
    return lines, pages, has_images


# Of the font size: less than any word gap (a space is a quarter of it or more), more
# than a ligature glyph's tight box falls short of its advance.
LIGATURE_SLACK = 0.15
CROP_SLACK = 1.0  # points: a character whose middle is this near the page's edge is on it


@contextmanager
def _document(data: bytes) -> Iterator[pdfium.PdfDocument]:
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            yield pdf
        finally:
            pdf.close()


def _page_chars(page: pdfium.PdfPage, doctop: float, compiled: bool = True,
                most: int | None = None) -> tuple[list[Char], float]:
    """The page's characters as pdfplumber's ``page.chars`` gives them (what word
    grouping reads), and the page's height.

    The glyphs (``_glyphs``) are in the PDF's user space; pdfplumber's characters are in
    pdfminer's: turned by the page's /Rotate, relative to the MediaBox, with y downwards
    from the MediaBox's top. Characters outside the CropBox are left out. On an unturned
    page the loop runs in C (``_glyphs.page_chars``, unless ``compiled`` is False: the
    loop below is its reference). ``most``: raise ``TooManyChars`` if the page has more
    characters than this (what the document has left of ``Limits.max_chars``)."""
    x0m, y0m, x1m, y1m = _normal_box(page.get_mediabox())
    rotation = page.get_rotation() % 360
    ctm = _CTM[rotation](x0m, y0m, x1m, y1m)
    if rotation in (90, 270):
        height, mb_x0, mb_top = x1m - x0m, y0m, -x0m
    else:
        height, mb_x0, mb_top = y1m - y0m, x0m, -y0m
    cx0, cy0, cx1, cy1 = _normal_box(page.get_cropbox())  # the MediaBox when there is none
    glyphs = _glyphs(page, most)
    if compiled and rotation == 0 and _glyphs_c is not None:
        return _glyphs_c.page_chars(glyphs, Char, lambda matrix: _upright(matrix, ctm), (
            cx0, cy0, cx1, cy1, CROP_SLACK, x0m, y0m, height, mb_x0, mb_top, doctop)), height
    chars: list[Char] = []
    upright: dict[tuple[float, float, float, float], bool] = {}  # by the glyph's matrix
    for glyph in glyphs:
        # What lies outside the CropBox is not on the page a person sees: a line there
        # (a pension nobody can see, say) must not be read into a claim.
        if not (cx0 - CROP_SLACK <= (glyph.left + glyph.right) / 2 <= cx1 + CROP_SLACK
                and cy0 - CROP_SLACK <= (glyph.bottom + glyph.top) / 2 <= cy1 + CROP_SLACK):
            continue
        if rotation == 0:  # the usual page: the matrix only moves the box
            left, right, bottom, up = glyph.left, glyph.right, glyph.bottom, glyph.top
            x0, x1 = (left - x0m, right - x0m) if left <= right else (right - x0m, left - x0m)
            y0, y1 = (bottom - y0m, up - y0m) if bottom <= up else (up - y0m, bottom - y0m)
        else:
            x0, y0, x1, y1 = _transform(ctm, glyph.left, glyph.bottom, glyph.right, glyph.top)
        is_upright = upright.get(glyph.matrix)
        if is_upright is None:
            is_upright = upright[glyph.matrix] = _upright(glyph.matrix, ctm)
        top = height - y1 + mb_top
        chars.append(Char(glyph.text, x0 + mb_x0, x1 + mb_x0, top, height - y0 + mb_top,
                          doctop + top, is_upright))
    return chars, height


def _normal_box(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """A page box as (left, bottom, right, top): a PDF may name any two opposite corners."""
    x0, y0, x1, y1 = box
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


class _Glyph(NamedTuple):
    text: str
    left: float  # the box in user space
    bottom: float
    right: float
    top: float
    matrix: tuple[float, float, float, float] = (1, 0, 0, 1)  # the glyph's, in user space
    generated: bool = False
    # (text object, x of the origin) of a glyph in left-to-right text along x.
    origin: tuple[int, float] | None = None


def _glyphs(page: pdfium.PdfPage, most: int | None = None) -> list[_Glyph]:
    """The page's characters in content order, with boxes in user space.

    A space PDFium marks as generated has no box. Most are its guesses at word gaps,
    which pdfplumber finds by itself; but PDFium also marks so the real space glyph
    of a tightly kerned "Holm ApS". Such a space is kept, spanning the gap, where it
    stands between two characters that follow each other on one baseline; the others
    (line ends, spaces between text drawn out of order) are left out."""
    textpage = page.get_textpage()
    try:
        if most is not None and textpage.count_chars() > most:
            # Counted before a glyph is read: reading them is where the time and memory go.
            raise TooManyChars
        raw = _read_glyphs(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
    finally:
        textpage.close()
    return [g for g in (_placed(raw, i) for i in range(len(raw))) if g is not None]


def _read_glyphs(handle: int) -> list[_Glyph | None]:
    """The text page's glyphs in content order (None where a character is not drawn),
    ligatures widened."""
    raw = _glyphs_c.read_glyphs(handle) if _glyphs_c is not None else _raw_glyphs(handle)
    _widen_ligatures(raw)
    return raw


def _raw_glyphs(handle: int) -> list[_Glyph | None]:
    """The reference of ``_glyphs.c``'s ``read_glyphs``, which does the same in one call
    (tests/unit/parsers/test_glyphs_c.py holds the two equal)."""
    runs: dict[int, _Run | None] = {}
    box = pdfium_c.FS_RECTF()
    origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
    raw: list[_Glyph | None] = []
    for i in range(_COUNT_CHARS(handle)):
        code = _UNICODE(handle, i)
        # PDFium generates spaces and line breaks, never a letter or a digit: most
        # characters need not be asked, one C call fewer each.
        if not (code < 0x110000 and chr(code).isalnum()) and _GENERATED(handle, i) == 1:
            raw.append(_Glyph(" ", 0, 0, 0, 0, generated=True) if code == 0x20 else None)
            continue
        if code == 0 or _MAP_ERROR(handle, i) == 1:
            text = "\ufffd"  # a glyph with no letter behind it (pdfminer: "(cid:N)")
        elif code in (0x0D, 0x0A):
            raw.append(None)
            continue
        else:
            text = chr(code)
        if not _LOOSE_BOX(handle, i, box):
            raw.append(None)
            continue
        obj = _TEXT_OBJECT(handle, i) or 0
        run = runs[obj] if obj in runs else runs.setdefault(obj, _Run.of(handle, i, obj))
        if run is None:
            raw.append(_Glyph(text, box.left, box.bottom, box.right, box.top))
        elif run.along_x:
            origin = (_ORIGIN(handle, i, origin_x, origin_y) and run.matrix[0] > 0
                      and (obj, origin_x.value)) or None
            raw.append(_Glyph(text, box.left, run.low, box.right, run.high, run.matrix,
                              origin=origin))
        elif run.along_y:
            raw.append(_Glyph(text, run.low, box.bottom, run.high, box.top, run.matrix))
        else:
            raw.append(_Glyph(text, box.left, box.bottom, box.right, box.top, run.matrix))
    return raw


def _widen_ligatures(glyphs: list[_Glyph | None]) -> None:
    """Give the letters of one ligature glyph ("fi", "ff") the glyph's advance, shared.

    PDFium expands a ligature into its letters, each a share of the glyph's tight box:
    narrower than its advance, so a gap opens before the next letter and "Lønspecifi
    kation" splits in two. pdfminer keeps the glyph whole, as wide as its advance. The
    letters of one glyph share its origin; the advance ends where the next glyph begins,
    if it is of the same text object, or of another on the same baseline closer than a
    word gap (a producer that places every glyph on its own)."""
    i = 0
    while i < len(glyphs):
        first = glyphs[i]
        j = i + 1
        while (first is not None and first.origin is not None and j < len(glyphs)
               and (g := glyphs[j]) is not None and g.origin is not None
               and g.origin[0] == first.origin[0] and abs(g.origin[1] - first.origin[1]) < 0.01):
            j += 1
        if j - i > 1:
            assert first is not None and first.origin is not None
            left, right = first.origin[1], max(g.right for g in glyphs[i:j] if g is not None)
            after = glyphs[j] if j < len(glyphs) else None
            if after is not None and after.origin is not None and after.origin[1] > left \
                    and abs(after.bottom - first.bottom) < 0.5 and (
                        after.origin[0] == first.origin[0]
                        or after.origin[1] - right <= LIGATURE_SLACK * (first.top - first.bottom)):
                right = max(right, after.origin[1])
            share = (right - left) / (j - i)
            for k in range(i, j):
                piece = glyphs[k]
                assert piece is not None
                glyphs[k] = piece._replace(left=left + share * (k - i),
                                           right=left + share * (k - i + 1))
        i = j


@dataclass(frozen=True)
class _Run:
    """What the characters of one PDFium text object share: the matrix, and where a
    box lies across the baseline as pdfminer draws it: from the font's descent below
    the baseline, as tall as the font size. (PDFium's loose box reaches the font's own
    ascent, which differs between fonts and would move the column gaps, and gives a
    ligature's letters the glyph's tight box.) Along the baseline the loose box holds.
    Text at an angle other than a quarter turn keeps the loose box."""

    matrix: tuple[float, float, float, float]
    along_x: bool
    along_y: bool
    low: float  # y (along x) or x (along y) of the box's sides across the baseline
    high: float

    @classmethod
    def of(cls, handle: int, index: int, text_object: int) -> _Run | None:
        m, x, y = pdfium_c.FS_MATRIX(), ctypes.c_double(), ctypes.c_double()
        if not (text_object and _MATRIX(handle, index, m) and _ORIGIN(handle, index, x, y)):
            return None
        across = math.hypot(m.c, m.d) or 1.0
        font_size = _FONT_SIZE(handle, index)
        size = font_size * across
        descent, font = ctypes.c_float(), _TEXT_FONT(text_object)
        low = (descent.value * across
               if font and _FONT_DESCENT(font, ctypes.c_float(font_size), descent) else 0.0)
        along_x, along_y = m.b == 0 and m.c == 0, m.a == 0 and m.d == 0
        if along_x:
            up, base = (1 if m.d > 0 else -1), y.value
        else:
            up, base = (1 if m.c > 0 else -1), x.value
        sides = sorted((base + up * low, base + up * (low + size)))
        return cls((m.a, m.b, m.c, m.d), along_x, along_y, sides[0], sides[1])


def _placed(glyphs: list[_Glyph | None], i: int) -> _Glyph | None:
    glyph = glyphs[i]
    if glyph is None or not glyph.generated:
        return glyph
    before = glyphs[i - 1] if i > 0 else None
    after = glyphs[i + 1] if i + 1 < len(glyphs) else None
    if (before is None or after is None or before.generated or after.generated
            or abs(before.bottom - after.bottom) > 1 or after.left <= before.right
            or before.matrix != after.matrix):
        return None
    return _Glyph(" ", before.right, before.bottom, after.left, before.top, before.matrix)


def _c_function(name: str, restype: type | None, *argtypes: type) -> Callable[..., Any]:
    """A PDFium function with plain pointer arguments: pypdfium2's own prototypes take
    typed pointers and return pointer objects, which cost as much again per call in
    the loop over every character of a payslip."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(_address(name))


def _address(name: str) -> int | None:
    """Where pypdfium2's PDFium has the function ``name``."""
    return ctypes.cast(getattr(pdfium_c, name), ctypes.c_void_p).value


_P, _I = ctypes.c_void_p, ctypes.c_int
_COUNT_CHARS = _c_function("FPDFText_CountChars", _I, _P)
_UNICODE = _c_function("FPDFText_GetUnicode", ctypes.c_uint, _P, _I)
_GENERATED = _c_function("FPDFText_IsGenerated", _I, _P, _I)
_MAP_ERROR = _c_function("FPDFText_HasUnicodeMapError", _I, _P, _I)
_LOOSE_BOX = _c_function("FPDFText_GetLooseCharBox", _I, _P, _I,
                         ctypes.POINTER(pdfium_c.FS_RECTF))
_TEXT_OBJECT = _c_function("FPDFText_GetTextObject", _P, _P, _I)
_MATRIX = _c_function("FPDFText_GetMatrix", _I, _P, _I, ctypes.POINTER(pdfium_c.FS_MATRIX))
_ORIGIN = _c_function("FPDFText_GetCharOrigin", _I, _P, _I, ctypes.POINTER(ctypes.c_double),
                      ctypes.POINTER(ctypes.c_double))
_FONT_SIZE = _c_function("FPDFText_GetFontSize", ctypes.c_double, _P, _I)
_TEXT_FONT = _c_function("FPDFTextObj_GetFont", _P, _P)
_FONT_DESCENT = _c_function("FPDFFont_GetDescent", _I, _P, ctypes.c_float,
                            ctypes.POINTER(ctypes.c_float))


def _load_glyphs_c() -> ModuleType | None:
    """The compiled character pass (``_glyphs.c``), bound to pypdfium2's PDFium; None
    where it was not built (the Python loop then does the same, four times slower)."""
    try:
        from parsers.payslip import _glyphs
    except ImportError:
        return None
    functions = ("FPDFText_CountChars", "FPDFText_GetUnicode", "FPDFText_IsGenerated",
                 "FPDFText_HasUnicodeMapError", "FPDFText_GetLooseCharBox",
                 "FPDFText_GetTextObject", "FPDFText_GetMatrix", "FPDFText_GetCharOrigin",
                 "FPDFText_GetFontSize", "FPDFTextObj_GetFont", "FPDFFont_GetDescent")
    _glyphs.init(_Glyph, _Glyph._field_defaults["matrix"],
                 tuple(_address(name) for name in functions))
    return _glyphs


_glyphs_c = _load_glyphs_c()


def compiled() -> bool:
    """Whether the reader's C part (``_glyphs.c``: the character loop and word grouping)
    was built at install."""
    return _glyphs_c is not None


# pdfminer's device matrix for each /Rotate (pdfminer.pdfinterp.PDFPageInterpreter):
# user space -> the page as displayed, origin at the MediaBox's lower left.
_CTM = {
    0: lambda x0, y0, x1, y1: (1, 0, 0, 1, -x0, -y0),
    90: lambda x0, y0, x1, y1: (0, -1, 1, 0, -y0, x1),
    180: lambda x0, y0, x1, y1: (-1, 0, 0, -1, x1, y1),
    270: lambda x0, y0, x1, y1: (0, 1, -1, 0, y1, -x0),
}


def _transform(m: tuple[float, ...], x0: float, y0: float, x1: float, y1: float,
               ) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1) through the matrix ``m``, as a box again."""
    a, b, c, d, e, f = m
    xs = (a * x0 + c * y0 + e, a * x1 + c * y1 + e)
    ys = (b * x0 + d * y0 + f, b * x1 + d * y1 + f)
    return min(xs), min(ys), max(xs), max(ys)


def _upright(m: tuple[float, float, float, float], ctm: tuple[float, ...]) -> bool:
    """pdfminer's "upright": on the page as displayed, the glyph is not turned a
    quarter (upside down counts as upright)."""
    a, b, c, d = m
    ca, cb, cc, cd = ctm[:4]
    a, b, c, d = a * ca + b * cc, a * cb + b * cd, c * ca + d * cc, c * cb + d * cd
    return a * d > 0 and b * c == 0


def _has_image(page: ctypes.c_void_p) -> bool:
    """Whether the page draws an image, also inside form XObjects (a scanned page)."""
    stack = [(pdfium_c.FPDFPage_CountObjects(page),
              lambda i: pdfium_c.FPDFPage_GetObject(page, i))]
    seen = 0
    while stack and seen < 10_000:
        count, get = stack.pop()
        for i in range(count):
            seen += 1
            obj = get(i)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                return True
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                stack.append((pdfium_c.FPDFFormObj_CountObjects(obj),
                              lambda j, form=obj: pdfium_c.FPDFFormObj_GetObject(form, j)))
    return False


# A word that is a glyph id, a private-use or replacement character, or a control.
_GARBAGE_RE = re.compile(r"\(cid:\d+\)|[\ue000-\uf8ff\ufffd\x00-\x08\x0b-\x1f]")
# Two letters in a row: "Løn", "ATP", "kr" - what a text layer of words has.
_WORD_RE = re.compile(r"[^\W\d_]{2,}")
MIN_REAL_WORDS = 8
MAX_GARBAGE_SHARE = 0.2


def has_real_text(lines: list[Line]) -> bool:
    """Whether the text layer holds words a person could read, not glyph codes."""
    words = [w for line in lines for cell in line.cells for w in cell.text.split()]
    garbage = sum(1 for w in words if _GARBAGE_RE.search(w))
    real = sum(1 for w in words if _WORD_RE.search(w) and not _GARBAGE_RE.search(w))
    return real >= MIN_REAL_WORDS and garbage <= MAX_GARBAGE_SHARE * len(words)


def out_of_memory(exc: BaseException) -> bool:
    """A MemoryError, also wrapped in another exception (as pdfplumber does)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        inner = current.args[0] if current.args else None
        if isinstance(current, MemoryError) or isinstance(inner, MemoryError):
            return True
        current, seen = current.__cause__ or current.__context__, seen + 1
    return False


def pdf_error_reason(exc: Exception) -> str:
    code = getattr(exc, "err_code", None)  # pypdfium2's PdfiumError: PDFium's FPDF_ERR_*
    if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
        return "the PDF is password-protected; send it without a password"
    if isinstance(exc, pdfium.PdfiumError):
        return "the PDF is damaged or truncated and cannot be read; send it again"
    return (f"the PDF is damaged or truncated and cannot be read ({type(exc).__name__}); "
            "send it again")


def sniff(data: bytes) -> str:
    head = data[:8]
    if head.startswith(b"\x89PNG"):
        return "it is a PNG image"
    if head.startswith(b"\xff\xd8"):
        return "it is a JPEG image"
    if head.startswith(b"PK"):
        return "it is a ZIP or Office document"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "it is an old Office document"
    if not data:
        return "the file is empty"
    return "it does not start with %PDF"


# --------------------------------------------------------------------------- fields
