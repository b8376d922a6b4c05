"""Pay lines read as a table: header cells give columns, so a number is known to be an
amount, a quantity, a deduction or a year-to-date figure by where it stands; and the
hours worked and sick."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from parsers import labels
from parsers.amounts import AMOUNT_RE, find_amounts, parse_amount
from parsers.payslip.layout import Cell, Doc, Line, is_field_label, is_labelish, value_cells
from parsers.payslip.model import PayLine, Source

# "Timeløn 10,00 t á 145,20", "12 timer", "7.5 hrs": hours written into the label.
HOURS_INLINE_RE = re.compile(
    r"(\d+(?:[.,]\d{1,2})?)\s*(?:timer|time|t\.?|hours|hrs|h)(?!\w)", re.I)
# A quantity cell printed with its unit ("14,50 t", "22.50 hrs", "3 timer"): a count of
# hours wherever it stands, never a label and never money.
QUANTITY_CELL_RE = re.compile(
    r"^(\d+(?:[.,]\d{1,2})?)\s*(?:timer|time|t\.?|hours|hrs|h)$", re.I)


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


def pay_lines(doc: Doc) -> list[PayLine]:
    result: list[PayLine] = []
    columns: list[_Column] | None = None
    regions: _Regions = [(_FULL_WIDTH, None)]
    side_by_side = False
    for line in doc.lines:
        # A table running onto the next page keeps its columns: payroll systems do not
        # always repeat the header, and without columns a year-to-date figure at the end
        # of a line would be taken as the amount. A new header replaces them.
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
    return _with_shares_of_totals(result)


# "ATP-bidrag i alt 99,00  heraf arbejdsgiverandel 66,00": an information block that
# prints a contribution's total and then the employer's (or employee's) part of it.
_HERAF_RE = re.compile(r"^(heraf|of which)\b", re.I)


def _with_shares_of_totals(lines: list[PayLine]) -> list[PayLine]:
    """A "heraf arbejdsgiverandel" line is the employer's share of the item on the line
    before it (ATP, pension, ...); "heraf egen andel" is the employee's."""
    out: list[PayLine] = []
    for line in lines:
        previous = out[-1] if out else None
        if _HERAF_RE.search(line.label) and previous is not None:
            item = labels.classify(re.sub(r"\b(i alt|total)\b", "", previous.label, flags=re.I))
            if item in labels.SHARED_KINDS:
                employer = labels.EMPLOYER_SHARE_RE.search(line.label)
                employee = labels.EMPLOYEE_SHARE_RE.search(line.label)
                if employer and not employee:
                    line = replace(line, kind=item, amount=abs(line.amount))
                elif employee and not employer:
                    line = replace(line, kind="employee_deduction", amount=-abs(line.amount))
        out.append(line)
    return out


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
        if kind == "unknown" and (not nums or is_labelish(label) or is_field_label(label)):
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
        yield replace(_classified(kind, label, amount, quantity, section),
                      source=_line_source(label_cell, nums))


_MONEY_ROLES = frozenset({"amount", "addition", "deduction"})


def _line_source(label_cell: Cell, nums: list[Cell]) -> Source:
    """The box around a pay line's label and its numbers."""
    cells = [label_cell, *nums]
    return Source(label_cell.page, min(c.x0 for c in cells), min(c.top for c in cells),
                  max(c.x1 for c in cells), max(c.bottom for c in cells),
                  "  ".join(c.text for c in cells))


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


@dataclass(frozen=True)
class Hours:
    """Worked and sick hours, and the two ways a payslip may print them (a labelled hours
    box, the wage lines' quantities), so the reading can check one against the other."""

    worked: Decimal | None
    sick: Decimal | None
    labelled: Decimal | None  # worked + sick from an hours box, when printed
    from_lines: Decimal | None  # worked + sick from the wage lines' quantities


def hours(doc: Doc, pay_lines: list[PayLine]) -> Hours:
    """Worked and sick hours. A stated total ("Timer i alt") includes the sick hours."""
    worked = labelled_worked = _labelled_number(doc, "worked_hours")
    sick = labelled_sick = _labelled_number(doc, "sick_hours")
    total = _labelled_number(doc, "total_hours")
    line_sick = _quantity_sum(pay_lines, sick=True)
    line_worked = _quantity_sum(pay_lines, sick=False)
    if sick is None:
        sick = line_sick
    if worked is None and total is not None:
        worked = total - (sick or Decimal(0))
    if worked is None:
        worked = line_worked
    labelled = total if total is not None else (
        None if labelled_worked is None else labelled_worked + (labelled_sick or sick or 0))
    from_lines = None if line_worked is None else line_worked + (line_sick or 0)
    return Hours(worked, sick, labelled, from_lines)


def _quantity_sum(pay_lines: list[PayLine], sick: bool) -> Decimal | None:
    """Hours from the quantity column of wage lines (sick pay lines count as sick hours)."""
    hours = [
        pl.quantity
        for pl in pay_lines
        if pl.kind == "salary" and pl.quantity and not labels.SUPPLEMENT_RE.search(pl.label)
        and bool(labels.SICK_RE.search(pl.label)) == sick
    ]
    return sum(hours, Decimal(0)) if hours else None


def _labelled_number(doc: Doc, field_name: str) -> Decimal | None:
    for label, text, _, holder in value_cells(doc, field_name):
        if field_name != "sick_hours" and labels.SICK_RE.search(label):
            continue
        if labels.YTD_RE.search(label) or labels.YTD_RE.search(text):
            continue
        if AMOUNT_RE.fullmatch(text.strip().split(" ")[0] if text.strip() else ""):
            value = parse_amount(text.strip().split(" ")[0])
            if value is not None and Decimal(0) <= value < Decimal(1000):
                doc.found(field_name, holder)
                return value
    return None
