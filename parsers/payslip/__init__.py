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

Pure: bytes in, ``Payslip`` or ``Unreadable`` out.
"""
from __future__ import annotations

from dataclasses import replace

from parsers.payslip import fields, paylines
from parsers.payslip.layout import Doc, Line
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
           "read"]

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


def _interpret(lines: list[Line], pages: int) -> Payslip:
    cells = [c for line in lines for c in line.cells]
    doc = Doc(lines, cells)
    employer = fields.employer_name(doc)
    pay_lines = paylines.pay_lines(doc)
    hours = paylines.hours(doc, pay_lines)
    period = fields.period(doc)
    stated_cost = next((pl.amount for pl in pay_lines if pl.kind == "employer_cost_total"), None)
    slip = Payslip(
        employee_name=fields.employee_name(doc, employer),
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
    checks = verify(pay_lines, slip.hours, days, hours.from_lines, hours.labelled,
                    stated_cost, slip.employer_cost, [line.text for line in lines])
    return replace(slip, checks=checks)
