"""What the payslip reader returns: the typed result of reading one PDF."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from parsers import labels


@dataclass(frozen=True)
class Limits:
    """Work limits that keep a hostile document from holding the reader."""

    max_bytes: int = 20 * 1024 * 1024
    max_pages: int = 20
    max_words: int = 20_000
    # Characters in the whole document, counted by PDFium before any is read: a page
    # of a payslip has a few thousand; a small hostile PDF can draw 400,000, which
    # took the reader 1.4 s and 500 MB before the words were ever counted.
    max_chars: int = 200_000
    # OCR of scans and photos (parsers/payslip/ocr.py). Pages past max_ocr_pages are not
    # read, and the reading says so. Tesseract is stopped after ocr_seconds_per_page; the
    # whole document after ocr_seconds_per_document. Memory per page is bounded by
    # max_ocr_pixels (a page is scaled down to it: A4 at 300 dpi is 8.7 MP); an image of
    # more than max_image_pixels is refused before it is decoded.
    max_ocr_pages: int = 4
    ocr_dpi: int = 200
    ocr_seconds_per_page: float = 30.0
    ocr_seconds_per_document: float = 90.0
    max_ocr_pixels: int = 12_000_000
    max_image_pixels: int = 60_000_000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Source:
    """Where a value stands on the payslip: page (0-based) and box in PDF points, with
    the text there; the review desk draws these boxes on the page."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    text: str

    def as_dict(self) -> dict[str, object]:
        return {"page": self.page,
                "bbox": [round(self.x0, 1), round(self.top, 1), round(self.x1, 1),
                         round(self.bottom, 1)],
                "text": self.text}


@dataclass(frozen=True)
class Check:
    """One of the payslip's own arithmetic proofs, applied to the reading.

    ``ok`` is True when the figures reconcile, False when they do not (the reading
    or the payslip is wrong: a person must look), None when the payslip does not
    print what the check needs ("not possible", not a failure)."""

    check: str  # gross, net, am_contribution, holiday_pay, atp, pension, hours, employer_cost
    ok: bool | None
    detail: str  # English, for logs and `assistant parse`
    # The figures the detail quotes ("1234.56"), for the Danish and English texts.
    values: dict[str, str] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, object]:
        return {"check": self.check, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class PayLine:
    """One pay line as printed, with what the reader made of it."""

    kind: str  # a component name, or employee_deduction/tax/net/total/info/unknown ...
    label: str
    amount: Decimal  # for this period, sign as printed (deductions negative)
    quantity: Decimal | None = None
    source: Source | None = field(default=None, compare=False)
    rate: Decimal | None = field(default=None, compare=False)  # the rate printed beside it
    # Read from a balances or year-to-date block (internal: cleared once reconciled).
    section: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Payslip:
    employee_name: str | None
    cpr: str | None  # the ten digits as found; validated by handlers
    employer_name: str | None
    cvr: str | None  # the eight digits as found; validated by handlers
    se_number: str | None
    period_start: date | None
    period_end: date | None
    worked_hours: Decimal | None
    sick_hours: Decimal | None
    lines: tuple[PayLine, ...]
    pages: int
    stated_employer_cost: Decimal | None = None
    checks: tuple[Check, ...] = ()
    # Where each identity field, the period and the hours were read (field -> Source).
    sources: dict[str, Source] = field(default_factory=dict, compare=False)
    # Read by OCR from a scan or photo: the mean word confidence (0-100), the pages left
    # unread (over a limit), and the identity fields whose digits OCR was unsure of.
    ocr: bool = False
    ocr_confidence: float | None = None
    ocr_pages_not_read: tuple[str, ...] = ()
    ocr_doubtful: tuple[str, ...] = ()

    @property
    def verified(self) -> bool:
        """The reading reconciles with the payslip's own arithmetic: no check failed and
        at least one of the money proofs (gross or net) held. Only a verified reading
        may be paid without a person looking at the payslip. An OCR reading must also
        have read every page and have no CPR/CVR digit OCR was unsure of."""
        if any(c.ok is False for c in self.checks):
            return False
        if self.ocr and (self.ocr_doubtful or self.ocr_pages_not_read):
            return False
        return any(c.ok is True and c.check in MONEY_PROOFS for c in self.checks)

    @property
    def failed_checks(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.ok is False)

    @property
    def hours(self) -> Decimal | None:
        if self.worked_hours is None and self.sick_hours is None:
            return None
        return (self.worked_hours or Decimal(0)) + (self.sick_hours or Decimal(0))

    @property
    def components(self) -> dict[str, Decimal]:
        totals = {name: Decimal("0.00") for name in labels.COMPONENTS}
        for line in self.lines:
            if line.kind in totals:
                totals[line.kind] += line.amount
        return totals

    @property
    def employer_cost(self) -> Decimal:
        c = self.components
        return sum((c[k] for k in labels.EMPLOYER_COST_COMPONENTS), Decimal("0.00"))

    @property
    def has_cost_lines(self) -> bool:
        return any(line.kind in labels.COMPONENTS for line in self.lines)


# The checks that tie the wage lines to a total the payslip prints itself.
MONEY_PROOFS = frozenset({"gross", "net"})


@dataclass(frozen=True)
class Unreadable:
    """A document that could not be read, with a reason the sender can act on.

    ``code`` says why in a word: ``no_text`` (an image-only PDF or a text layer that
    is no text: the words are pictures, so OCR can read them), ``not_pdf``,
    ``too_large``, ``damaged``; after OCR (``read_document``): ``ocr_failed`` (the scan
    or photo could not be read reliably: send the PDF from the payroll system),
    ``heic`` (an iPhone photo this installation cannot decode), ``not_a_page`` (an image
    too small to be a payslip: a logo or signature, nothing to tell the sender)."""

    reason: str
    code: str = "damaged"

