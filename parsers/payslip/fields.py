"""Identity fields and the period: employee and employer, CPR, CVR, SE, period."""
from __future__ import annotations

import re
from datetime import date

from parsers import labels
from parsers.dates import MONTHS, parse_date, parse_period
from parsers.identifiers import CPR_RE, CVR_RE, compact_digits
from parsers.payslip.layout import (
    Cell,
    Doc,
    cell_in_column,
    column_above,
    column_below,
    is_field_label,
    is_labelish,
    label_end,
    value_cells,
)

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


def cpr_in(text: str) -> str | None:
    m = CPR_RE.search(text)
    return m.group(1) + m.group(2) if m else None


def cvr_in(text: str) -> str | None:
    m = CVR_RE.search(text)
    return compact_digits(m.group(1)) if m else None


def identifier(doc: Doc, field_name: str, find) -> str | None:
    for label, text, _, holder in value_cells(doc, field_name):
        if field_name == "se" and "cvr" in label.lower():
            continue  # a combined "CVR/SE-nr." is the CVR
        value = find(text)
        if value:
            doc.found(field_name, holder)
            return value
    if field_name == "cpr":
        return _unlabelled_cpr(doc)
    return None


# Numbers of the same shape as a CPR that are something else: accounts, phones, the
# workplace's P-nummer (10 digits), SE and CVR numbers, EAN.
_NOT_CPR_RE = re.compile(
    r"(konto|reg\.|tlf|telefon|phone|account|iban|p-?nr|p-?nummer|produktionsenhed|"
    r"\bse\b|se-?nr|cvr|ean|faktura|invoice)", re.I)


def _unlabelled_cpr(doc: Doc) -> str | None:
    """No CPR label: a CPR-shaped number elsewhere (a lønnummer "DDMMYY-SSSS-NNN", a
    name block). One written with the hyphen and a real birth date comes first."""
    found: list[tuple[int, str, Cell]] = []
    for cell in doc.cells:
        if _NOT_CPR_RE.search(cell.text):
            continue
        m = CPR_RE.search(cell.text)
        if m:
            rank = (0 if "-" in m.group(0) else 1) + (0 if _birth_date_like(m.group(1)) else 2)
            found.append((rank, m.group(1) + m.group(2), cell))
    if not found:
        return None
    _, value, cell = min(found, key=lambda f: f[0])
    doc.found("cpr", cell)
    return value


def _birth_date_like(six: str) -> bool:
    day, month = int(six[:2]), int(six[2:4])
    return 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91)


def is_name(text: str) -> bool:
    text = text.strip()
    if not NAME_RE.match(text) or len(text) < 3 or any(ch.isdigit() for ch in text):
        return False
    return not is_labelish(text)



def is_person_name(text: str) -> bool:
    """Two to five words, each capitalised (or a particle such as "von"), no company word."""
    words = text.split()
    if not 2 <= len(words) <= 5 or not is_name(text) or COMPANY_RE.search(text):
        return False
    return all(w[0].isupper() or w.lower() in NAME_PARTICLES for w in words)


def _clean_name(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" :,")


def employee_name(doc: Doc, employer: str | None) -> str | None:
    for _, text, value_cell, holder in value_cells(doc, "employee_name"):
        # "Navn: Jens Hansen, CPR 0101..." -> the name part
        text = re.split(r"[,;]|\s{2,}|\bcpr\b", text, maxsplit=1, flags=re.I)[0]
        text = re.sub(r"^\d{1,6}\s+(?=\D)", "", text)  # "Medarbejder: 1042 Jens Hansen"
        text = _before_digits(text)
        if is_name(text) and not COMPANY_RE.search(text) and _clean_name(text) != employer:
            if value_cell is not None and value_cell.text == text:
                text = _with_wrapped_lines(doc, value_cell)
            # A person's name on a payslip is always first and last name.
            if len(text.split()) < 2:
                continue
            doc.found("employee_name", holder)
            return _clean_name(text)
    # A window-envelope address block: name, street, postcode + town; the employer's
    # own letterhead block (with CVR, phone, EAN) is skipped.
    for cell in doc.cells:
        if not POSTCODE_RE.match(cell.text) or _in_employer_block(doc, cell):
            continue
        stack = column_above(doc, cell, 3)
        # name / street / postcode + town; or name / postcode + town; or a c/o line.
        for above in [stack[i] for i in (1, 0, 2) if i < len(stack)]:
            if is_person_name(above.text) and _clean_name(above.text) != employer:
                doc.found("employee_name", above)
                return _clean_name(above.text)
    return None


def _before_digits(text: str) -> str:
    """A name printed tight against the next box's number ("Jens Holm 290601-4948"
    as one cell) -> the name, when what precedes the first number is a person's name."""
    words = text.split()
    cut = next((i for i, w in enumerate(words) if any(ch.isdigit() for ch in w)), None)
    if cut is None or not is_person_name(" ".join(words[:cut])):
        return text
    return " ".join(words[:cut])


def _with_wrapped_lines(doc: Doc, cell: Cell) -> str:
    """A name in a narrow box wraps onto the next lines ("Birgitte Bach" / "Jørgensen").
    A line continues it when it sits tight under it, in its column, and its first word
    would not have fitted beside it before the next cell to the right: that is why the
    payroll system wrapped. A job title or department under a name that had room is
    not taken."""
    text, last = cell.text, cell
    for _ in range(2):
        nxt = cell_in_column(doc, last, last.line + 1)
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
                or not is_person_name(joined) or is_field_label(nxt.text):
            break
        text, last = joined, nxt
    return text



def _in_employer_block(doc: Doc, cell: Cell) -> bool:
    near = column_above(doc, cell, 3) + column_below(doc, cell, 3)
    return any(EMPLOYER_BLOCK_RE.search(c.text) for c in near)


def employer_name(doc: Doc) -> str | None:
    for _, text, _, holder in value_cells(doc, "employer_name"):
        text = re.split(r"\s{2,}|,?\s*\bcvr\b", text, maxsplit=1, flags=re.I)[0].strip(" ,")
        text = _without_address(text)
        if _is_employer_name(text):
            doc.found("employer_name", holder)
            return _clean_name(text)
    return _employer_near_cvr(doc) or _company_cell(doc)


# ", Skovvej 20" / ", 8382 Hinnerup": what follows a name on an address line.
_ADDRESS_TAIL_RE = re.compile(r",\s*(\S+\s+\d+\w?\b|\d{4}\s+\S).*$")


def _without_address(text: str) -> str:
    """"Favrskov Kommune, Skovvej 20" -> "Favrskov Kommune"."""
    return _ADDRESS_TAIL_RE.sub("", text).strip(" ,")


def _employer_near_cvr(doc: Doc) -> str | None:
    """The name heading the block or footer line that holds the CVR number."""
    pattern = labels.FIELD_LABELS["cvr"]
    for cell in doc.cells:
        m = pattern.search(cell.text)
        if not m:
            continue
        before = cell.text[:m.start()].strip(" ·•|,-")
        first = SEGMENT_SPLIT_RE.split(before)[0].strip() if before else ""
        if first and not _STREET_RE.match(first):
            # a footer: "Firma ApS · Vej 1, 5970 By · CVR 12345678"
            if _is_employer_name(first):
                doc.found("employer_name", cell)
                return _clean_name(first)
            continue
        # A letterhead ("Parkvej 3 · 9000 Aalborg · CVR ..." under the name is one
        # too): walk up the block of lines above, same column. The block ends at a gap
        # taller than its smaller text; its top line that is a name is the employer's
        # (a title such as "PAYSLIP" above it is not).
        names, below = [], cell
        for above in column_above(doc, cell, 10):
            if below.top - above.bottom >= min(above.height, below.height) * 1.1:
                break
            # A label with its value beside it ("Fratrådt  31.10.2026") is an info
            # box's row, not a letterhead line.
            if _is_employer_name(above.text) and not _STREET_RE.match(above.text) \
                    and not POSTCODE_RE.match(above.text) and not _has_value_beside(doc, above):
                names.append(above)
            below = above
        if names:
            top = names[-1]
            doc.found("employer_name", top)
            return _clean_name(top.text)
    return None


def _has_value_beside(doc: Doc, cell: Cell) -> bool:
    """A cell followed closely on its line by another (a label and its value)."""
    return any(c.x0 - cell.x1 < 120 for c in doc.right_of(cell))


# "Parkvej 3", "Nørrebrogade 101, 2. th.", "Industrivej Nord 9": a street and number.
_STREET_RE = re.compile(r"^[^\W\d_][\w .'-]*\s\d+\w?\b(,.*)?$")


def _is_employer_name(text: str) -> bool:
    # A name starts with a capital: "Employer contributions" or "Arbejdsgiver andel" is
    # a heading or pay line that happens to start with the label word; a pay item
    # ("ATP (arbejdsgiver)") or a heading ending in a colon is never a company's name.
    return (len(text) >= 2 and not text[0].islower() and not any(ch.isdigit() for ch in text[:3])
            and not POSTCODE_RE.match(text) and not is_labelish(text)
            and any(ch.isalpha() for ch in text) and not text.rstrip().endswith(":")
            and (labels.classify(text) == "unknown" or bool(COMPANY_RE.search(text))))


def _company_cell(doc: Doc) -> str | None:
    for cell in doc.cells:
        if COMPANY_RE.search(cell.text) and not labels.FIELD_LABELS["cvr"].search(cell.text):
            text = re.split(r",?\s*\b(cvr|se)\b", cell.text, maxsplit=1, flags=re.I)[0]
            if not any(ch.isdigit() for ch in text[:3]):
                doc.found("employer_name", cell)
                return _clean_name(text)
    return None


# --------------------------------------------------------------------------- period


_PERIOD_PART_RE = re.compile(
    r"^(\d{1,4}[./-]\d{1,2}([./-]\d{2,4})?|\d{1,2}\.?|[-–—]|til|to|from|fra|"
    + "|".join(MONTHS) + r"|\.|,|(19|20)\d\d)$", re.I)


def _period_text_from(doc: Doc, cell: Cell, rest: str) -> str:
    """The label's own remainder plus the date-like cells right of it."""
    parts = [rest] if rest else []
    for c in doc.right_of(cell):
        tokens = c.text.replace("–", " – ").split()
        if not tokens or not all(_PERIOD_PART_RE.match(t.strip(":")) for t in tokens):
            break
        parts.append(c.text)
    return " ".join(parts)


def period(doc: Doc) -> tuple[date, date] | None:
    pattern = labels.FIELD_LABELS["period"]
    for cell in doc.cells:
        end = label_end(pattern, cell.text)
        if end is None or labels.YTD_RE.search(cell.text):
            continue
        rest = cell.text[end:].strip(" :")
        candidates = [(_period_text_from(doc, cell, rest), cell)]
        candidates += [
            (c.text, c) for c in doc.below(cell, max_lines=2) if not labels.YTD_RE.search(c.text)
        ]
        candidates += _value_around(doc, cell)
        for text, holder in [c for candidate in candidates
                             for c in (candidate, _wrapped_period(doc, cell, *candidate)) if c]:
            found = parse_period(text)
            if found:
                doc.found("period", holder, text)
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
            doc.found("period", line.cells[0], text)
            return found.start, found.end
    return None


def _value_around(doc: Doc, label: Cell) -> list[tuple[str, Cell]]:
    """A value wrapped over two lines beside its label: "1 Dec 2026 – 31 Dec" on the
    line above "Pay period" (or on its line) and "2026" on the next, right of the label."""

    def right_in(index: int) -> Cell | None:
        if not 0 <= index < len(doc.lines) or doc.lines[index].page != label.page:
            return None
        line = doc.lines[index]
        if abs(line.top - label.top) > label.height * 2:
            return None
        return next((c for c in line.cells if label.x1 <= c.x0 < label.x1 + 120), None)

    parts = [right_in(label.line + k) for k in (-1, 0, 1)]
    pairs = [(parts[0], parts[1]), (parts[1], parts[2]), (parts[0], parts[2])]
    return [(f"{a.text} {b.text}", a) for a, b in pairs if a is not None and b is not None]


def _wrapped_period(doc: Doc, label: Cell, text: str,
                    holder: Cell) -> tuple[str, Cell] | None:
    """"Lønperiode  01.10.2026 -" with "31.10.2026" under the value: a range wrapped in
    its box (or a table cell) continues on the next line, in the value's column."""
    if not re.search(r"(-|–|—|til|to)\s*$", text.strip()):
        return None
    value = holder if holder is not label else next(iter(doc.right_of(label)), label)
    below = doc.below(value, max_lines=2)
    return (f"{text} {below[0].text}", value) if below else None


def _date_after_label(doc: Doc, pattern: re.Pattern[str]) -> date | None:
    for cell in doc.cells:
        end = label_end(pattern, cell.text)
        if end is None:
            continue
        for text in [cell.text[end:]] + [c.text for c in doc.right_of(cell)[:1]]:
            found = parse_date(text)
            if found:
                return found
    return None


# --------------------------------------------------------------------------- pay lines

