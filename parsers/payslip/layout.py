"""Words to layout: lines (same baseline) split into cells (runs of words separated by
a column-sized gap), and how a field's value is found after its label: in the same cell,
in the cell to the right, or in the cell below (label-above-value blocks)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsers import labels, memo
from parsers.payslip.model import Source


@dataclass
class Cell:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    page: int
    line: int = 0  # index of its line in the document
    # Split off the text it was printed in ("... arbejdsgiverandel 706,21"): its place
    # follows from the words, not from a table's columns.
    split: bool = False

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def source(self, text: str | None = None) -> Source:
        return Source(self.page, self.x0, self.top, self.x1, self.bottom, text or self.text)


@dataclass
class Line:
    page: int
    top: float
    bottom: float
    cells: list[Cell] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "  ".join(c.text for c in self.cells)


def lines_from_words(words: list[dict], page: int) -> list[Line]:
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




@dataclass
class Doc:
    lines: list[Line]
    cells: list[Cell]
    # Where each field's value was found, filled in by the field readers.
    sources: dict[str, Source] = field(default_factory=dict)
    # The cells each field's label stands in (``labelled``), found on first use.
    _labelled: dict[str, list[tuple[Cell, Spans]]] | None = field(
        default=None, init=False, repr=False, compare=False)

    def labelled(self, field_name: str) -> list[tuple[Cell, Spans]]:
        """The cells ``field_name``'s label stands in, in reading order, with where in
        each. Every field is found in one pass over the cells, the first time any is
        asked for: the field readers ask for each field, some more than once, and each of
        their passes asked every cell's text again."""
        if self._labelled is None:
            self._labelled = {}
            for cell in self.cells:
                for name, spans in _labels_in(cell.text):
                    self._labelled.setdefault(name, []).append((cell, spans))
        return self._labelled.get(field_name, [])

    def found(self, name: str, cell: Cell, text: str | None = None) -> None:
        """Record that ``name`` was read from ``cell``."""
        self.sources[name] = cell.source(text)

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


# A pay code before a label: "1100 Timeløn".
PAY_CODE_RE = re.compile(r"^\d{2,5}\s+")


def label_end(pattern: re.Pattern[str], text: str) -> int | None:
    """Where a label at the start of a cell ends (after an optional pay code), or None."""
    stripped = PAY_CODE_RE.sub("", text)
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


Spans = tuple[tuple[int, int], ...]  # (start, end) of each place a label stands in a text


@memo.by_text
def _labels_in(text: str) -> tuple[tuple[str, Spans], ...]:
    """Each field whose label stands in a cell's ``text``, with where."""
    return tuple((name, spans) for name in labels.FIELD_LABELS
                 if (spans := _label_spans(text, name)))


def _label_spans(text: str, field_name: str) -> Spans:
    """Where ``field_name``'s label stands in a cell's ``text``."""
    pattern = labels.FIELD_LABELS[field_name]
    end = label_end(pattern, text)
    if end is not None and _longer_label_at_start(field_name, text, end):
        end = None  # "Company reg. no. (CVR)" is the CVR's label, not the company's
    spans = [] if end is None else [(0, end)]
    if field_name in _ANYWHERE:
        for m in pattern.finditer(text):
            if m.start() > 0 and not text[m.start() - 1].isalnum() and m.end() != end:
                spans.append((m.start(), m.end()))
    return tuple(spans)


def _longer_label_at_start(field_name: str, text: str, end: int) -> bool:
    """Whether another field's label, or a section heading, starts the cell and reaches
    further: the most specific label decides what a cell is ("Employer contributions"
    heads a table section, it does not label the employer's name)."""
    rivals = [*labels.FIELD_LABELS.items(), ("section", labels.SECTION_EMPLOYER_RE)]
    return any(
        other != field_name and (other_end := label_end(pattern, text)) is not None
        and other_end > end
        for other, pattern in rivals
    )


def values_for(doc: Doc, field_name: str):
    """(label text, candidate value text) pairs, best first: same cell, right, below."""
    for label, text, _, _ in value_cells(doc, field_name):
        yield label, text


def value_cells(doc: Doc, field_name: str):
    """As ``values_for``, with the cell that holds the whole value (None when the
    value shares its cell with the label) and the cell the value stands in."""
    for cell, spans in doc.labelled(field_name):
        for start, end in spans:
            label = cell.text[max(0, start - 4):end]  # with what stands just before it
            rest = cell.text[end:].strip(" :.#-\t")
            # "CVR nr. 123..." -> "123..."; the word boundary keeps "Nordic A/S" whole.
            rest = re.sub(r"^(nr|no|nummer|number)\b\.?\s*:?\s*", "", rest, flags=re.I)
            rest = re.sub(r"^\([^)]*\)\s*:?\s*", "", rest)  # "Company reg. no. (CVR): ..."
            if rest:
                yield label, rest, None, cell
            # "CVR-nummer      :   12345678": a lone colon in its own cell is no value.
            right = [c for c in doc.right_of(cell) if c.text.strip(" :.-")]
            if right:
                yield label, right[0].text, right[0], right[0]
            for below in doc.below(cell):
                yield label, below.text, below, below


def is_labelish(text: str) -> bool:
    """A cell that is a label, not a value: "Medarbejdernr.", "CPR:", "Periode"."""
    text = text.strip()
    if labels.LABELISH_RE.search(text) and len(text.split()) <= 2:
        return True
    words = re.findall(r"[^\W\d_]+", text.lower())
    if words and all(w in labels.LABEL_WORDS for w in words):
        return True
    return any(p.fullmatch(text.rstrip(":. ")) for p in labels.FIELD_LABELS.values())


def is_field_label(text: str) -> bool:
    return any(label_end(p, text) is not None for p in labels.FIELD_LABELS.values())



def cell_in_column(doc: Doc, cell: Cell, index: int) -> Cell | None:
    if index < 0 or index >= len(doc.lines) or doc.lines[index].page != cell.page:
        return None
    return next((c for c in doc.lines[index].cells if abs(c.x0 - cell.x0) < 4), None)


def column_above(doc: Doc, cell: Cell, count: int = 3) -> list[Cell]:
    """The cells stacked above ``cell`` in its column (same left edge), nearest first,
    while each sits close over the next. Lines of another column in between (an
    envelope window beside the payroll office's info box) do not break the stack."""
    return _column_stack(doc, cell, count, range(cell.line - 1, -1, -1))


def column_below(doc: Doc, cell: Cell, count: int = 3) -> list[Cell]:
    """As ``column_above``, downwards."""
    return _column_stack(doc, cell, count, range(cell.line + 1, len(doc.lines)))


def _column_stack(doc: Doc, cell: Cell, count: int, indexes: range) -> list[Cell]:
    found: list[Cell] = []
    last = cell
    for index in indexes:
        line = doc.lines[index]
        gap = last.top - line.bottom if index < cell.line else line.top - last.bottom
        if line.page != cell.page or gap > last.height * 2.2:
            break
        near = next((c for c in line.cells if abs(c.x0 - cell.x0) < 4), None)
        if near is None:
            continue
        found.append(near)
        last = near
        if len(found) == count:
            break
    return found
