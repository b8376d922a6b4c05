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

import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException

from parsers import labels
from parsers.amounts import AMOUNT_RE, find_amounts, parse_amount
from parsers.dates import MONTHS, parse_period
from parsers.identifiers import CPR_RE, CVR_RE, compact_digits

PAY_CODE_RE = re.compile(r"^\d{2,5}$")
# "Timeløn 10,00 t á 145,20", "12 timer", "7.5 hrs": hours written into the label.
HOURS_INLINE_RE = re.compile(
    r"(\d+(?:[.,]\d{1,2})?)\s*(?:timer|time|t\.?|hours|hrs|h)(?!\w)", re.I)
# A quantity cell printed with its unit ("14,50 t", "22.50 hrs", "3 timer"): a count of
# hours wherever it stands, never a label and never money.
QUANTITY_CELL_RE = re.compile(
    r"^(\d+(?:[.,]\d{1,2})?)\s*(?:timer|time|t\.?|hours|hrs|h)$", re.I)
COMPANY_RE = re.compile(
    r"(\b(aps|a/s|i/s|k/s|p/s|ivs|s\.?m\.?b\.?a|a\.?m\.?b\.?a|f\.?m\.?b\.?a|ltd|inc|gmbh)"
    r"(?!\w)|kommune|region\b|municipality|fond\b|forening|institution)", re.I)
# Words inside a person's name that are not capitalised.
NAME_PARTICLES = frozenset({"von", "van", "de", "der", "den", "la", "le", "bin", "al", "el"})
# Lines of an address block that belong to the sender (the employer), not the addressee.
EMPLOYER_BLOCK_RE = re.compile(r"(cvr|se-?nr|se no|tlf|telefon|phone|ean|www\.|@)", re.I)
SEGMENT_SPLIT_RE = re.compile(r"\s+[·•|]\s+|\s+-\s+|,\s+")
POSTCODE_RE = re.compile(r"^(dk-?)?\d{4}\s+\S", re.I)
NAME_RE = re.compile(r"^[A-ZÆØÅÄÖÜÉ][\w'.-]*(?:\s+[A-ZÆØÅÄÖÜÉa-zæøå][\w'.-]*){0,5}$")


@dataclass(frozen=True)
class Limits:
    """Work limits that keep a hostile document from holding the reader."""

    max_bytes: int = 20 * 1024 * 1024
    max_pages: int = 20
    max_words: int = 20_000


DEFAULT_LIMITS = Limits()

@dataclass(frozen=True)
class PayLine:
    """One pay line as printed, with what the reader made of it."""

    kind: str  # a component name, or employee_deduction/tax/net/total/info/unknown ...
    label: str
    amount: Decimal  # for this period, sign as printed (deductions negative)
    quantity: Decimal | None = None


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


@dataclass(frozen=True)
class Unreadable:
    """A document that could not be read, with a reason the sender can act on."""

    reason: str


# --------------------------------------------------------------------------- geometry


@dataclass
class Cell:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    page: int
    line: int = 0  # index of its line in the document

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class Line:
    page: int
    top: float
    bottom: float
    cells: list[Cell] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "  ".join(c.text for c in self.cells)


def _lines_from_words(words: list[dict], page: int) -> list[Line]:
    """Group words into lines by vertical overlap, then split lines into cells."""
    lines: list[Line] = []
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows:
            last = rows[-1]
            ref = last[0]
            tolerance = max(2.0, (ref["bottom"] - ref["top"]) * 0.45)
            if abs(word["top"] - ref["top"]) <= tolerance:
                last.append(word)
                continue
        rows.append([word])
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        line = Line(page=page, top=min(w["top"] for w in row), bottom=max(w["bottom"] for w in row))
        current: list[dict] = [row[0]]
        for word in row[1:]:
            prev = current[-1]
            height = max(prev["bottom"] - prev["top"], 1.0)
            # A gap wider than about one character height is a column break.
            if word["x0"] - prev["x1"] > height * 0.9:
                line.cells.append(_cell(current, page))
                current = [word]
            else:
                current.append(word)
        line.cells.append(_cell(current, page))
        lines.append(line)
    return lines


def _cell(words: list[dict], page: int) -> Cell:
    return Cell(
        text=" ".join(w["text"] for w in words),
        x0=words[0]["x0"],
        x1=words[-1]["x1"],
        top=min(w["top"] for w in words),
        bottom=max(w["bottom"] for w in words),
        page=page,
    )


# --------------------------------------------------------------------------- reading


def read(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Payslip | Unreadable:
    """Read a payslip PDF. Never raises for bad input: returns ``Unreadable``."""
    if len(data) > limits.max_bytes:
        return Unreadable(
            f"the PDF is {len(data) // (1024 * 1024)} MB; the limit is "
            f"{limits.max_bytes // (1024 * 1024)} MB")
    if not data.lstrip()[:5].startswith(b"%PDF"):
        return Unreadable(f"not a PDF file ({_sniff(data)}); attach the payslip as a PDF")
    try:
        lines, pages, has_images = _read_lines(data, limits)
    except _TooLarge as exc:
        return Unreadable(str(exc))
    except Exception as exc:  # noqa: BLE001 - pdfminer/pdfplumber raise dozens of types on
        # hostile input (MalformedPDFException, PSEOF, KeyError, ...); each is a bad PDF.
        if _out_of_memory(exc):  # the reader process's limit decides, not the PDF's damage
            raise MemoryError from exc
        return Unreadable(_pdf_error_reason(exc))
    if not any(line.cells for line in lines):
        if has_images:
            return Unreadable(
                "the PDF has no text layer (a scanned image?); send the payslip as a PDF "
                "from the payroll system, not a scan")
        return Unreadable("the PDF contains no text")
    return _interpret(lines, pages)


class _TooLarge(Exception):
    pass


def _read_lines(data: bytes, limits: Limits) -> tuple[list[Line], int, bool]:
    lines: list[Line] = []
    has_images = False
    words_seen = 0
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = len(pdf.pages)
        if pages == 0:
            raise _TooLarge("the PDF has no pages")
        if pages > limits.max_pages:
            raise _TooLarge(
                f"the PDF has {pages} pages; a payslip has at most {limits.max_pages}. "
                "Send each employee's payslip on its own")
        for number, page in enumerate(pdf.pages):
            try:
                words = page.extract_words(x_tolerance=1.5, y_tolerance=2.5)
                if not words and page.images:
                    has_images = True
            finally:
                # PDF.close() does not free pages already parsed; do it per page.
                page.close()
            words_seen += len(words)
            if words_seen > limits.max_words:
                raise _TooLarge(
                    f"the PDF has more than {limits.max_words} words; it is not a payslip")
            lines.extend(_lines_from_words(words, number))
    for index, line in enumerate(lines):
        for cell in line.cells:
            cell.line = index
    return lines, pages, has_images


def _out_of_memory(exc: BaseException) -> bool:
    """A MemoryError, also as wrapped by pdfplumber (``PdfminerException(MemoryError())``)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        inner = current.args[0] if current.args else None
        if isinstance(current, MemoryError) or isinstance(inner, MemoryError):
            return True
        current, seen = current.__cause__ or current.__context__, seen + 1
    return False


def _pdf_error_reason(exc: Exception) -> str:
    inner = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
        return "the PDF is password-protected; send it without a password"
    if isinstance(inner, (PDFSyntaxError, PSException)):
        return "the PDF is damaged or truncated and cannot be read; send it again"
    return (f"the PDF is damaged or truncated and cannot be read ({type(inner).__name__}); "
            "send it again")


def _sniff(data: bytes) -> str:
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


def _interpret(lines: list[Line], pages: int) -> Payslip:
    cells = [c for line in lines for c in line.cells]
    doc = _Doc(lines, cells)
    employer = _employer_name(doc)
    pay_lines = _pay_lines(doc)
    worked, sick = _hours(doc, pay_lines)
    period = _period(doc)
    stated_cost = next((pl.amount for pl in pay_lines if pl.kind == "employer_cost_total"), None)
    return Payslip(
        employee_name=_employee_name(doc, employer),
        cpr=_identifier(doc, "cpr", _cpr_in),
        employer_name=employer,
        cvr=_identifier(doc, "cvr", _cvr_in),
        se_number=_identifier(doc, "se", _cvr_in),
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        worked_hours=worked,
        sick_hours=sick,
        lines=tuple(pay_lines),
        pages=pages,
        stated_employer_cost=stated_cost,
    )


@dataclass
class _Doc:
    lines: list[Line]
    cells: list[Cell]

    def right_of(self, cell: Cell) -> list[Cell]:
        return [c for c in self.lines[cell.line].cells if c.x0 >= cell.x1 - 0.5]

    def below(self, cell: Cell, max_lines: int = 2) -> list[Cell]:
        """Cells under ``cell`` that share its column, nearest first."""
        found = []
        for line in self.lines[cell.line + 1: cell.line + 1 + max_lines]:
            if line.page != cell.page or line.top - cell.bottom > cell.height * 3.5:
                break
            for c in line.cells:
                if min(c.x1, cell.x1) - max(c.x0, cell.x0) > 0 or abs(c.x0 - cell.x0) < 3:
                    found.append(c)
        return found


def _label_end(pattern: re.Pattern[str], text: str) -> int | None:
    """Where a label at the start of a cell ends (after an optional pay code), or None."""
    stripped = re.sub(r"^\d{2,5}\s+", "", text)
    offset = len(text) - len(stripped)
    m = pattern.match(stripped)
    if not m:
        return None
    # The label must end at a word boundary, e.g. "Periode" but not "Periodeløn".
    end = m.end()
    if end < len(stripped) and stripped[end].isalnum() and stripped[end - 1].isalnum():
        return None
    return offset + end


# Identifiers are often printed in one run ("SE-nr. 12345678  CVR-nr. 65113015"), so
# their labels are also looked for inside a cell, not only at its start.
_ANYWHERE = frozenset({"cpr", "cvr", "se"})


def _label_spans(field_name: str, text: str) -> list[tuple[int, int]]:
    pattern = labels.FIELD_LABELS[field_name]
    end = _label_end(pattern, text)
    if end is not None and _longer_label_at_start(field_name, text, end):
        end = None  # "Company reg. no. (CVR)" is the CVR's label, not the company's
    spans = [] if end is None else [(0, end)]
    if field_name in _ANYWHERE:
        for m in pattern.finditer(text):
            if m.start() > 0 and not text[m.start() - 1].isalnum() and m.end() != end:
                spans.append((m.start(), m.end()))
    return spans


def _longer_label_at_start(field_name: str, text: str, end: int) -> bool:
    """Whether another field's label, or a section heading, starts the cell and reaches
    further: the most specific label decides what a cell is ("Employer contributions"
    heads a table section, it does not label the employer's name)."""
    rivals = [*labels.FIELD_LABELS.items(), ("section", labels.SECTION_EMPLOYER_RE)]
    return any(
        other != field_name and (other_end := _label_end(pattern, text)) is not None
        and other_end > end
        for other, pattern in rivals
    )


def _values_for(doc: _Doc, field_name: str):
    """(label text, candidate value text) pairs, best first: same cell, right, below."""
    for label, text, _ in _value_cells(doc, field_name):
        yield label, text


def _value_cells(doc: _Doc, field_name: str):
    """As ``_values_for``, with the cell that holds the whole value (None when the
    value shares its cell with the label)."""
    for cell in doc.cells:
        for start, end in _label_spans(field_name, cell.text):
            label = cell.text[max(0, start - 4):end]  # with what stands just before it
            rest = cell.text[end:].strip(" :.#-\t")
            # "CVR nr. 123..." -> "123..."; the word boundary keeps "Nordic A/S" whole.
            rest = re.sub(r"^(nr|no|nummer|number)\b\.?\s*:?\s*", "", rest, flags=re.I)
            rest = re.sub(r"^\([^)]*\)\s*:?\s*", "", rest)  # "Company reg. no. (CVR): ..."
            if rest:
                yield label, rest, None
            right = doc.right_of(cell)
            if right:
                yield label, right[0].text, right[0]
            for below in doc.below(cell):
                yield label, below.text, below


def _cpr_in(text: str) -> str | None:
    m = CPR_RE.search(text)
    return m.group(1) + m.group(2) if m else None


def _cvr_in(text: str) -> str | None:
    m = CVR_RE.search(text)
    return compact_digits(m.group(1)) if m else None


def _identifier(doc: _Doc, field_name: str, find) -> str | None:
    for label, text in _values_for(doc, field_name):
        if field_name == "se" and "cvr" in label.lower():
            continue  # a combined "CVR/SE-nr." is the CVR
        value = find(text)
        if value:
            return value
    if field_name == "cpr":
        # No label: a lone CPR-shaped number that is not an account or phone number.
        for cell in doc.cells:
            if re.search(r"(konto|reg\.|tlf|telefon|phone|account|iban)", cell.text, re.I):
                continue
            value = _cpr_in(cell.text)
            if value:
                return value
    return None


def _is_name(text: str) -> bool:
    text = text.strip()
    if not NAME_RE.match(text) or len(text) < 3 or any(ch.isdigit() for ch in text):
        return False
    return not _is_labelish(text)


def _is_labelish(text: str) -> bool:
    """A cell that is a label, not a value: "Medarbejdernr.", "CPR:", "Periode"."""
    text = text.strip()
    if labels.LABELISH_RE.search(text) and len(text.split()) <= 2:
        return True
    return any(p.fullmatch(text.rstrip(":. ")) for p in labels.FIELD_LABELS.values())


def _is_field_label(text: str) -> bool:
    return any(_label_end(p, text) is not None for p in labels.FIELD_LABELS.values())


def _is_person_name(text: str) -> bool:
    """Two to five words, each capitalised (or a particle such as "von"), no company word."""
    words = text.split()
    if not 2 <= len(words) <= 5 or not _is_name(text) or COMPANY_RE.search(text):
        return False
    return all(w[0].isupper() or w.lower() in NAME_PARTICLES for w in words)


def _clean_name(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" :,")


def _employee_name(doc: _Doc, employer: str | None) -> str | None:
    for _, text, value_cell in _value_cells(doc, "employee_name"):
        # "Navn: Jens Hansen, CPR 0101..." -> the name part
        text = re.split(r"[,;]|\s{2,}|\bcpr\b", text, maxsplit=1, flags=re.I)[0]
        text = re.sub(r"^\d{1,6}\s+(?=\D)", "", text)  # "Medarbejder: 1042 Jens Hansen"
        text = _before_digits(text)
        if _is_name(text) and not COMPANY_RE.search(text) and _clean_name(text) != employer:
            if value_cell is not None and value_cell.text == text:
                text = _with_wrapped_lines(doc, value_cell)
            return _clean_name(text)
    # A window-envelope address block: name, street, postcode + town; the employer's
    # own letterhead block (with CVR, phone, EAN) is skipped.
    for cell in doc.cells:
        if not POSTCODE_RE.match(cell.text) or _in_employer_block(doc, cell):
            continue
        for up in (2, 1, 3):
            above = _cell_in_column(doc, cell, cell.line - up)
            if above and _is_person_name(above.text) and _clean_name(above.text) != employer:
                return _clean_name(above.text)
    return None


def _before_digits(text: str) -> str:
    """A name printed tight against the next box's number ("Jens Holm 290601-4948"
    as one cell) -> the name, when what precedes the first number is a person's name."""
    words = text.split()
    cut = next((i for i, w in enumerate(words) if any(ch.isdigit() for ch in w)), None)
    if cut is None or not _is_person_name(" ".join(words[:cut])):
        return text
    return " ".join(words[:cut])


def _with_wrapped_lines(doc: _Doc, cell: Cell) -> str:
    """A name in a narrow box wraps onto the next lines ("Birgitte Bach" / "Jørgensen").
    A line continues it when it sits tight under it, in its column, and its first word
    would not have fitted beside it before the next cell to the right: that is why the
    payroll system wrapped. A job title or department under a name that had room is
    not taken."""
    text, last = cell.text, cell
    for _ in range(2):
        nxt = _cell_in_column(doc, last, last.line + 1)
        if nxt is None or nxt.top - last.bottom > last.height * 0.6 \
                or abs(nxt.height - last.height) > last.height * 0.25:
            break
        limit = min((c.x0 for c in doc.lines[last.line].cells + doc.lines[nxt.line].cells
                     if c.x0 > last.x1), default=None)
        words = nxt.text.split()
        first_width = (nxt.x1 - nxt.x0) * len(words[0]) / max(len(nxt.text), 1)
        space = last.height * 0.28
        joined = f"{text} {nxt.text}"
        # The box edge lies a little before the next cell: allow a text height for it.
        if limit is None or last.x1 + space + first_width <= limit - last.height \
                or not _is_person_name(joined) or _is_field_label(nxt.text):
            break
        text, last = joined, nxt
    return text


def _cell_in_column(doc: _Doc, cell: Cell, index: int) -> Cell | None:
    if index < 0 or index >= len(doc.lines) or doc.lines[index].page != cell.page:
        return None
    return next((c for c in doc.lines[index].cells if abs(c.x0 - cell.x0) < 4), None)


def _in_employer_block(doc: _Doc, cell: Cell) -> bool:
    for offset in (-3, -2, -1, 1, 2, 3):
        near = _cell_in_column(doc, cell, cell.line + offset)
        if near and EMPLOYER_BLOCK_RE.search(near.text):
            return True
    return False


def _employer_name(doc: _Doc) -> str | None:
    for _, text in _values_for(doc, "employer_name"):
        text = re.split(r"\s{2,}|,?\s*\bcvr\b", text, maxsplit=1, flags=re.I)[0].strip(" ,")
        if _is_employer_name(text):
            return _clean_name(text)
    return _employer_near_cvr(doc) or _company_cell(doc)


def _employer_near_cvr(doc: _Doc) -> str | None:
    """The name heading the block or footer line that holds the CVR number."""
    pattern = labels.FIELD_LABELS["cvr"]
    for cell in doc.cells:
        m = pattern.search(cell.text)
        if not m:
            continue
        before = cell.text[:m.start()].strip(" ·•|,-")
        if before:  # a footer: "Firma ApS · Vej 1, 5970 By · CVR 12345678"
            first = SEGMENT_SPLIT_RE.split(before)[0].strip()
            if _is_employer_name(first):
                return _clean_name(first)
            continue
        # A letterhead: walk up the block of lines above the CVR line, same column.
        # The block ends at a gap taller than its smaller text: a document title
        # ("PAYSLIP") above the letterhead, in big type, is not part of it.
        top, index, below = None, cell.line - 1, cell
        while (above := _cell_in_column(doc, cell, index)) is not None and \
                doc.lines[index + 1].top - above.bottom < min(above.height, below.height) * 1.1:
            top, index, below = above, index - 1, above
        if top is not None and _is_employer_name(top.text):
            return _clean_name(top.text)
    return None


def _is_employer_name(text: str) -> bool:
    # A name starts with a capital: "Employer contributions" or "Arbejdsgiver andel" is
    # a heading or pay line that happens to start with the label word.
    return (len(text) >= 2 and not text[0].islower() and not any(ch.isdigit() for ch in text[:3])
            and not POSTCODE_RE.match(text) and not _is_labelish(text)
            and any(ch.isalpha() for ch in text))


def _company_cell(doc: _Doc) -> str | None:
    for cell in doc.cells:
        if COMPANY_RE.search(cell.text) and not labels.FIELD_LABELS["cvr"].search(cell.text):
            text = re.split(r",?\s*\b(cvr|se)\b", cell.text, maxsplit=1, flags=re.I)[0]
            if not any(ch.isdigit() for ch in text[:3]):
                return _clean_name(text)
    return None


# --------------------------------------------------------------------------- period


_PERIOD_PART_RE = re.compile(
    r"^(\d{1,4}[./-]\d{1,2}([./-]\d{2,4})?|\d{1,2}\.?|[-–—]|til|to|from|fra|"
    + "|".join(MONTHS) + r"|\.|,|(19|20)\d\d)$", re.I)


def _period_text_from(doc: _Doc, cell: Cell, rest: str) -> str:
    """The label's own remainder plus the date-like cells right of it."""
    parts = [rest] if rest else []
    for c in doc.right_of(cell):
        tokens = c.text.replace("–", " – ").split()
        if not tokens or not all(_PERIOD_PART_RE.match(t.strip(":")) for t in tokens):
            break
        parts.append(c.text)
    return " ".join(parts)


def _period(doc: _Doc) -> tuple[date, date] | None:
    pattern = labels.FIELD_LABELS["period"]
    for cell in doc.cells:
        end = _label_end(pattern, cell.text)
        if end is None or labels.YTD_RE.search(cell.text):
            continue
        rest = cell.text[end:].strip(" :")
        candidates = [_period_text_from(doc, cell, rest)]
        candidates += [
            c.text for c in doc.below(cell, max_lines=1) if not labels.YTD_RE.search(c.text)
        ]
        for text in candidates:
            found = parse_period(text)
            if found:
                return found.start, found.end
    # "Fra 01.10.2026" / "Til 31.10.2026" as two labels.
    start = _date_after_label(doc, re.compile(r"(fra|from|periode fra|period from)\b", re.I))
    end = _date_after_label(doc, re.compile(r"(til|to|periode til|period to)\b", re.I))
    if start and end and start <= end:
        return start, end
    # Last resort: a line with exactly two dates, not a payment or year-to-date line.
    for line in doc.lines:
        text = line.text
        if labels.YTD_RE.search(text) or labels.NOT_PERIOD_RE.search(text):
            continue
        found = parse_period(text)
        if found and found.start <= found.end and (found.end - found.start).days < 62:
            return found.start, found.end
    return None


def _date_after_label(doc: _Doc, pattern: re.Pattern[str]) -> date | None:
    from parsers.dates import parse_date

    for cell in doc.cells:
        end = _label_end(pattern, cell.text)
        if end is None:
            continue
        for text in [cell.text[end:]] + [c.text for c in doc.right_of(cell)[:1]]:
            found = parse_date(text)
            if found:
                return found
    return None


# --------------------------------------------------------------------------- pay lines


@dataclass
class _Column:
    role: str
    x0: float
    x1: float


def _header_columns(line: Line) -> list[_Column] | None:
    """The columns if ``line`` is a table header row (two or more known headers)."""
    columns = []
    for cell in line.cells:
        if find_amounts(cell.text):
            return None
        for role, pattern in labels.COLUMN_RULES:
            if pattern.search(cell.text):
                columns.append(_Column(role, cell.x0, cell.x1))
                break
    # One lone heading ("Saldi år til dato") is a section title, not a table header.
    return columns if len(columns) >= 2 else None


def _column_of(cell: Cell, columns: list[_Column]) -> str | None:
    """The header column a number cell stands in (numbers are usually right-aligned)."""
    best, best_score = None, None
    for col in columns:
        overlap = min(cell.x1, col.x1) - max(cell.x0, col.x0)
        score = -overlap if overlap > 0 else min(abs(cell.x1 - col.x1), abs(cell.x0 - col.x0))
        if best_score is None or score < best_score:
            best, best_score = col, score
    if best is None or (best_score is not None and best_score > 60):
        return None
    return best.role


# Sections by horizontal region: (left edge, section) pairs, leftmost first. Headings
# side by side ("Indtægter" | "Fradrag") each govern the table under them.
_Regions = list[tuple[float, str | None]]
_FULL_WIDTH = float("-inf")


def _pay_lines(doc: _Doc) -> list[PayLine]:
    result: list[PayLine] = []
    columns: list[_Column] | None = None
    regions: _Regions = [(_FULL_WIDTH, None)]
    side_by_side = False
    page = -1
    for line in doc.lines:
        if line.page != page:
            page, columns = line.page, None
        header = _header_columns(line)
        if header:
            # A table titled in its label column "Saldi" / "Akkumuleret" lists balances
            # ("Denne periode | År til dato") that repeat the pay lines: none is read.
            columns = header
            if labels.YTD_RE.search(line.cells[0].text):
                regions = [(_FULL_WIDTH, "ytd")]
            elif not side_by_side:
                # A new table. Side-by-side headings right above it ("Indtægter |
                # Fradrag") title its halves and still apply; a lone line above a
                # table ("År til dato 01.01.-30.04.") does not govern it.
                regions = [(_FULL_WIDTH, None)]
            side_by_side = False
            continue
        label_cells = [c for c in line.cells
                       if re.search(r"[^\W\d_]{2,}", c.text) and _unit_quantity(c.text) is None]
        numbers = [c for c in line.cells if _is_number_cell(c)]
        if not label_cells:
            continue
        if not numbers:
            regions = _heading_regions(line, regions)
            side_by_side = len(regions) > 1
            continue
        side_by_side = False
        result.extend(_read_pay_line(line, label_cells, columns, regions))
    return result


def _heading_regions(line: Line, regions: _Regions) -> _Regions:
    """The sections after a line without numbers: side-by-side headings split the page
    into regions; one heading (or a heading phrase in a longer line) spans it all."""
    per_cell = [(c.x0, _section(c.text, None)) for c in line.cells]
    if sum(1 for _, s in per_cell if s is not None) >= 2:
        return [(_FULL_WIDTH, per_cell[0][1]), *per_cell[1:]]
    found = _section(line.text, None)
    return [(_FULL_WIDTH, found)] if found is not None else regions


def _section_at(regions: _Regions, x0: float) -> str | None:
    section = regions[0][1]
    for left, name in regions:
        if left <= x0 + 2:
            section = name
    return section


def _section(text: str, current: str | None) -> str | None:
    if labels.YTD_RE.search(text):
        return "ytd"
    if labels.SECTION_EMPLOYER_RE.search(text):
        return "employer"
    if labels.SECTION_DEDUCTION_RE.search(text):
        return "deduction"
    if labels.SECTION_EARNING_RE.search(text):
        return "earning"
    return current


def _read_pay_line(line, label_cells, columns, regions: _Regions):
    """One printed line may hold one pay line, or two side by side (two label cells
    each followed by its numbers, as in two-column summaries)."""
    groups: list[tuple[Cell, list[Cell]]] = []
    for cell in line.cells:
        if cell in label_cells and not (parse_amount(cell.text) is not None):
            groups.append((cell, []))
        elif groups and _is_number_cell(cell):
            groups[-1][1].append(cell)
    for label_cell, nums in groups:
        section = _section_at(regions, label_cell.x0)
        if section == "ytd":
            continue  # a "year to date" box: none of it is this period's pay
        label = re.sub(r"^\d{2,5}\s+", "", label_cell.text).strip(" .:")
        label = re.sub(r"\s*\.{3,}.*$", "", label)  # dotted leaders
        inline = find_amounts(label_cell.text[len(label):]) if not nums else []
        if not nums and not inline:
            continue
        kind = labels.classify(label)
        if kind == "unknown" and (not nums or _is_labelish(label) or _is_field_label(label)):
            continue  # "Employee no 31648", "CVR-nr. 12345678": identifiers, not pay
        amount, quantity = _amount_and_quantity(label_cell, nums, columns)
        if amount is None:
            continue
        if labels.YTD_RE.search(label):
            kind = "info"
        elif labels.HOURS_LABEL_RE.search(label) and len(nums) == 1 and \
                _column_of_any(nums[0], columns) not in _MONEY_ROLES:
            # "Sygetimer 4,00" in a hours box (also one under a table, outside its
            # money columns): a count, not money
            kind = "info"
        if quantity is None:
            m = HOURS_INLINE_RE.search(label_cell.text)
            if m:
                quantity = parse_amount(m.group(1))
        yield _classified(kind, label, amount, quantity, section)


_MONEY_ROLES = frozenset({"amount", "addition", "deduction"})


def _column_of_any(cell: Cell, columns: list[_Column] | None) -> str | None:
    return _column_of(cell, columns) if columns else None


def _unit_quantity(text: str) -> Decimal | None:
    m = QUANTITY_CELL_RE.match(text)
    return parse_amount(m.group(1)) if m else None


def _is_number_cell(cell: Cell) -> bool:
    return parse_amount(cell.text) is not None or _unit_quantity(cell.text) is not None


def _amount_and_quantity(label_cell: Cell, nums: list[Cell], columns):
    amount = quantity = None
    unplaced: list[Decimal] = []
    for cell in nums:
        unit = _unit_quantity(cell.text)
        if unit is not None:
            quantity = unit
            continue
        value = parse_amount(cell.text)
        role = _column_of(cell, columns) if columns else None
        if role == "ytd":
            continue
        if role == "quantity":
            quantity = value
        elif role == "rate":
            continue
        elif role == "deduction":
            amount = -abs(value)
        elif role in ("amount", "addition"):
            amount = value
        else:
            unplaced.append(value)
    if amount is None and unplaced:
        if len(unplaced) >= 3 and _product_matches(unplaced[-3], unplaced[-2], unplaced[-1]):
            quantity = quantity if quantity is not None else unplaced[-3]
        amount = unplaced[-1] if not columns or len(unplaced) == 1 else unplaced[0]
        if not columns:
            amount = unplaced[-1]
    return amount, quantity


def _product_matches(q: Decimal, rate: Decimal, amount: Decimal) -> bool:
    return abs(q * rate - abs(amount)) <= Decimal("0.05") * max(Decimal(1), abs(amount))


def _classified(kind, label, amount, quantity, section) -> PayLine:
    if kind in labels.SHARED_KINDS:
        employer_hint = labels.EMPLOYER_SHARE_RE.search(label)
        employee_hint = labels.EMPLOYEE_SHARE_RE.search(label)
        if employer_hint and not employee_hint:
            is_employer = True
        elif employee_hint and not employer_hint:
            is_employer = False
        elif section == "employer":
            is_employer = True
        else:
            is_employer = amount > 0 and section != "deduction"
        if not is_employer:
            return PayLine("employee_deduction", label, amount, quantity)
        return PayLine(kind, label, abs(amount), quantity)
    if kind in ("holiday_pay", "special_holiday_allowance"):
        # Holiday pay is an employer cost whether paid out or sent to the holiday fund.
        return PayLine(kind, label, abs(amount), quantity)
    if kind == "am_contribution":
        return PayLine(kind, label, abs(amount), quantity)
    if kind == "salary" and section == "deduction" and amount > 0:
        amount = -amount
    return PayLine(kind, label, amount, quantity)


# --------------------------------------------------------------------------- hours


def _hours(doc: _Doc, pay_lines: list[PayLine]) -> tuple[Decimal | None, Decimal | None]:
    """Worked and sick hours. A stated total ("Timer i alt") includes the sick hours."""
    worked = _labelled_number(doc, "worked_hours")
    sick = _labelled_number(doc, "sick_hours")
    total = _labelled_number(doc, "total_hours")
    if sick is None:
        sick = _quantity_sum(pay_lines, sick=True)
    if worked is None and total is not None:
        worked = total - (sick or Decimal(0))
    if worked is None:
        worked = _quantity_sum(pay_lines, sick=False)
    return worked, sick


def _quantity_sum(pay_lines: list[PayLine], sick: bool) -> Decimal | None:
    """Hours from the quantity column of wage lines (sick pay lines count as sick hours)."""
    hours = [
        pl.quantity
        for pl in pay_lines
        if pl.kind == "salary" and pl.quantity and not labels.SUPPLEMENT_RE.search(pl.label)
        and bool(labels.SICK_RE.search(pl.label)) == sick
    ]
    return sum(hours, Decimal(0)) if hours else None


def _labelled_number(doc: _Doc, field_name: str) -> Decimal | None:
    for label, text in _values_for(doc, field_name):
        if field_name != "sick_hours" and labels.SICK_RE.search(label):
            continue
        if labels.YTD_RE.search(label) or labels.YTD_RE.search(text):
            continue
        if AMOUNT_RE.fullmatch(text.strip().split(" ")[0] if text.strip() else ""):
            value = parse_amount(text.strip().split(" ")[0])
            if value is not None and Decimal(0) <= value < Decimal(1000):
                return value
    return None
