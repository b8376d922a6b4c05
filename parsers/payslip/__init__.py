"""Payslip PDF (lønseddel) -> the refund fields.

Payslips come from many payroll systems, so nothing here knows a layout. The
reader works on pdfplumber's words with their positions:

1. words are grouped into *lines* (same baseline) and lines into *cells* (runs of
   words separated by a column-sized gap);
2. a field's value is looked for after its label in the same cell, in the cell to
   the right, or in the cell below (label-above-value blocks);
3. pay lines are read as a table: header cells (``Antal``, ``Beløb``, ``År til
   dato``, ``Fradrag`` ...) give columns, so a number is known to be an amount, a
   quantity, a deduction or a year-to-date figure by where it stands.

Pure: bytes in, ``Payslip`` or ``Unreadable`` out. ``read`` takes a PDF's text layer;
``read_document`` also takes scans and photos (image-only PDFs, JPEG/PNG/TIFF/HEIC) and
reads them by OCR (``ocr.py``) into the same words with positions.
"""
from __future__ import annotations

from dataclasses import replace

from parsers.payslip import fields, images, ocr, paylines
from parsers.payslip.layout import Doc, Line, lines_from_words
from parsers.payslip.model import (
    DEFAULT_LIMITS,
    Check,
    Limits,
    PayLine,
    Payslip,
    Source,
    Unreadable,
)
from parsers.payslip.verify import verify
from parsers.payslip.words import (
    TooLarge,
    has_real_text,
    out_of_memory,
    pdf_error_reason,
    read_lines,
    sniff,
)

__all__ = ["DEFAULT_LIMITS", "Check", "Limits", "PayLine", "Payslip", "Source", "Unreadable",
           "read", "read_document"]

SEND_THE_PDF = "send the payslip as the PDF exported from the payroll system instead"

def read(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Payslip | Unreadable:
    """Read a payslip PDF. Never raises for bad input: returns ``Unreadable``."""
    if len(data) > limits.max_bytes:
        return Unreadable(
            f"the PDF is {len(data) // (1024 * 1024)} MB; the limit is "
            f"{limits.max_bytes // (1024 * 1024)} MB", "too_large")
    if not data.lstrip()[:5].startswith(b"%PDF"):
        return Unreadable(f"not a PDF file ({sniff(data)}); attach the payslip as a PDF",
                          "not_pdf")
    try:
        lines, pages, has_images = read_lines(data, limits)
    except TooLarge as exc:
        return Unreadable(str(exc), "too_large")
    except Exception as exc:  # noqa: BLE001 - pdfminer/pdfplumber raise dozens of types on
        # hostile input (MalformedPDFException, PSEOF, KeyError, ...); each is a bad PDF.
        if out_of_memory(exc):  # the reader process's limit decides, not the PDF's damage
            raise MemoryError from exc
        return Unreadable(pdf_error_reason(exc))
    if not any(line.cells for line in lines):
        if has_images:
            return Unreadable(
                "the PDF has no text layer (a scanned image?); send the payslip as a PDF "
                "from the payroll system, not a scan", "no_text")
        return Unreadable("the PDF contains no text", "no_text")
    if not has_real_text(lines):
        # Glyph ids ("(cid:12)"), private-use characters: the text layer maps its
        # letters to nothing readable. Reading it would give "ok" with every field
        # missing and ask the sender for what the payslip plainly shows.
        return Unreadable(
            "the PDF has no readable text (its letters are stored as pictures or codes); "
            "send the payslip as exported from the payroll system", "no_text")
    return _interpret(lines, pages)


def read_document(data: bytes, filename: str | None = None,
                  limits: Limits = DEFAULT_LIMITS) -> Payslip | Unreadable:
    """Read a payslip PDF, scan or photo: a PDF by its text layer, and by OCR when it has
    none (or one of glyph codes); a JPEG/PNG/TIFF/HEIC image by OCR. ``filename`` is used
    only when the bytes do not say what they are. Never raises for bad input."""
    kind = images.kind_of(data, filename)
    if kind not in images.IMAGE_KINDS:
        result = read(data, limits)
        if kind == "pdf" and isinstance(result, Unreadable) and result.code == "no_text":
            return _read_scan(data, "pdf", limits)
        return result
    if len(data) > limits.max_bytes:
        return Unreadable(
            f"the image is {len(data) // (1024 * 1024)} MB; the limit is "
            f"{limits.max_bytes // (1024 * 1024)} MB", "too_large")
    return _read_scan(data, kind, limits)


def _read_scan(data: bytes, kind: str, limits: Limits) -> Payslip | Unreadable:
    try:
        if kind == "pdf":
            pages, total = images.pdf_pages(data, limits)
        else:
            pages, total = images.image_pages(data, kind, limits)
        if total > limits.max_pages:
            return Unreadable(f"the document has {total} pages; a payslip has at most "
                              f"{limits.max_pages}", "too_large")
        reading = ocr.read_pages(pages, total, limits)
    except images.NotAPage as exc:
        return Unreadable(str(exc), "not_a_page")
    except images.ImageError as exc:
        code = "heic" if "HEIC" in str(exc) else "ocr_failed"
        return Unreadable(f"{exc}; {SEND_THE_PDF}", code)
    except Exception as exc:  # noqa: BLE001 - pdfium/Tesseract failures on odd input
        return Unreadable(f"the scan could not be read ({type(exc).__name__}); {SEND_THE_PDF}",
                          "ocr_failed")
    lines: list[Line] = []
    for number, page in enumerate(reading.pages):
        lines.extend(lines_from_words(page.words, number))
    for index, line in enumerate(lines):
        for cell in line.cells:
            cell.line = index
    what = "the PDF has no readable text and" if kind == "pdf" else "in the image"
    if not has_real_text(lines):
        unread = f" (not read: {'; '.join(reading.not_read)})" if reading.not_read else ""
        return Unreadable(f"{what} OCR found no payslip text{unread}; {SEND_THE_PDF}",
                          "ocr_failed")
    if (reading.confidence or 0) < ocr.MIN_MEAN_CONFIDENCE:
        return Unreadable(
            f"{what} OCR cannot read it reliably (mean confidence {reading.confidence:.0f} "
            f"of 100; {ocr.MIN_MEAN_CONFIDENCE:.0f} is needed); {SEND_THE_PDF}", "ocr_failed")
    slip = _interpret(lines, total, strict=True)
    doubtful = (ocr.doubtful_identities(slip.sources, reading.pages)
                + ocr.doubtful_amounts(slip.lines, reading.pages, slip.checks))
    return replace(slip, ocr=True, ocr_confidence=reading.confidence,
                   ocr_pages_not_read=tuple(reading.not_read), ocr_doubtful=doubtful)


def _names_a_party(line: PayLine, names: tuple[str | None, ...]) -> bool:
    """A "pay line" labelled with the employee's or the employer's name is the identity
    block's row of numbers (employee number, CPR, CVR, SE) beside the name, not pay."""
    label = " ".join(line.label.split()).casefold()
    return any(name and label == " ".join(name.split()).casefold() for name in names)


def _interpret(lines: list[Line], pages: int, strict: bool = False) -> Payslip:
    """``strict`` (OCR): a line whose label was not recognised takes no part in the checks,
    so a misread "Timeløn" cannot make the sums reconcile as an unnamed line."""
    cells = [c for line in lines for c in line.cells]
    doc = Doc(lines, cells)
    employer = fields.employer_name(doc)
    pay_lines = paylines.pay_lines(doc)
    hours = paylines.hours(doc, pay_lines)
    period = fields.period(doc)
    employee = fields.employee_name(doc, employer)
    pay_lines = [pl for pl in pay_lines if not _names_a_party(pl, (employee, employer))]
    stated_cost = next((pl.amount for pl in pay_lines if pl.kind == "employer_cost_total"), None)
    slip = Payslip(
        employee_name=employee,
        cpr=fields.identifier(doc, "cpr", fields.cpr_in),
        employer_name=employer,
        cvr=fields.identifier(doc, "cvr", fields.cvr_in),
        se_number=fields.identifier(doc, "se", fields.cvr_in),
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        worked_hours=hours.worked,
        sick_hours=hours.sick,
        lines=tuple(pay_lines),
        pages=pages,
        stated_employer_cost=stated_cost,
        sources=dict(doc.sources),
    )
    days = (slip.period_end - slip.period_start).days + 1 \
        if slip.period_start and slip.period_end else None
    checked = [pl for pl in pay_lines if pl.kind != "unknown"] if strict else pay_lines
    checks = verify(checked, slip.hours, days, hours.from_lines, hours.labelled,
                    stated_cost, slip.employer_cost, [line.text for line in lines])
    return replace(slip, checks=checks)
