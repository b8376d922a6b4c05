"""PDF bytes to words with positions (pdfplumber), grouped into lines, under limits."""
from __future__ import annotations

import io
import re
import unicodedata

import pdfplumber
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException
from pdfplumber.utils.text import WordExtractor

from parsers.payslip.layout import Line, lines_from_words
from parsers.payslip.model import Limits


class TooLarge(Exception):
    pass


def read_lines(data: bytes, limits: Limits) -> tuple[list[Line], int, bool]:
    lines: list[Line] = []
    has_images = False
    words_seen = 0
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = len(pdf.pages)
        if pages == 0:
            raise TooLarge("the PDF has no pages")
        if pages > limits.max_pages:
            raise TooLarge(
                f"the PDF has {pages} pages; a payslip has at most {limits.max_pages}. "
                "Send each employee's payslip on its own")
        for number, page in enumerate(pdf.pages):
            try:
                words = _WORDS.extract_words(_page_chars(pdf, page))
                if not words and page.images:
                    has_images = True
            finally:
                # PDF.close() does not free pages already parsed; do it per page.
                page.close()
            words_seen += len(words)
            if words_seen > limits.max_words:
                raise TooLarge(
                    f"the PDF has more than {limits.max_words} words; it is not a payslip")
            lines.extend(lines_from_words(words, number))
    for index, line in enumerate(lines):
        for cell in line.cells:
            cell.line = index
    return lines, pages, has_images


_WORDS = WordExtractor(x_tolerance=1.5, y_tolerance=2.5)


class _TextOnlyDevice(PDFPageAggregator):
    """pdfminer's page aggregator without the page's drawings: a payslip's table rules
    and boxes are half of what pdfplumber would turn into objects, and words need none."""

    def paint_path(self, *args: object, **kwargs: object) -> None:
        pass


def _page_chars(pdf: pdfplumber.PDF, page: pdfplumber.page.Page) -> list[dict]:
    """The page's characters as ``page.chars`` gives them, but only the keys that word
    grouping reads: about twice as fast as pdfplumber's every-attribute objects, and
    the same words (the corpora's tests read every payslip both ways)."""
    device = _TextOnlyDevice(pdf.rsrcmgr, pageno=page.page_number, laparams=pdf.laparams)
    interpreter = pdfplumber.page.PDFPageInterpreter(pdf.rsrcmgr, device)
    try:
        interpreter.process_page(page.page_obj)
    except Exception as exc:  # noqa: BLE001 - as pdfplumber does: one type for the caller
        raise PdfminerException(exc) from exc
    height, doctop = page.height, page.initial_doctop
    mb_x0, mb_top = page.mediabox[:2]
    norm = pdf.unicode_norm
    chars: list[dict] = []
    stack = [iter(device.get_result())]
    while stack:
        for obj in stack[-1]:
            if isinstance(obj, LTChar):
                text = obj.get_text()
                top = height - obj.y1 + mb_top
                chars.append({
                    "text": unicodedata.normalize(norm, text) if norm else text,
                    "x0": obj.x0 + mb_x0, "x1": obj.x1 + mb_x0,
                    "top": top, "bottom": height - obj.y0 + mb_top,
                    "doctop": doctop + top, "upright": obj.upright,
                })
            elif isinstance(obj, LTContainer):
                stack.append(iter(obj))
                break
        else:
            stack.pop()
    return chars


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
    """A MemoryError, also as wrapped by pdfplumber (``PdfminerException(MemoryError())``)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        inner = current.args[0] if current.args else None
        if isinstance(current, MemoryError) or isinstance(inner, MemoryError):
            return True
        current, seen = current.__cause__ or current.__context__, seen + 1
    return False


def pdf_error_reason(exc: Exception) -> str:
    inner = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
        return "the PDF is password-protected; send it without a password"
    if isinstance(inner, (PDFSyntaxError, PSException)):
        return "the PDF is damaged or truncated and cannot be read; send it again"
    return (f"the PDF is damaged or truncated and cannot be read ({type(inner).__name__}); "
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
