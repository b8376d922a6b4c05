"""Pay lines read as a table: header cells give columns, so a number is known to be an
amount, a quantity, a deduction or a year-to-date figure by where it stands; and the
hours worked and sick."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from parsers import labels, memo
from parsers.amounts import AMOUNT_RE, find_amounts, parse_amount
from parsers.payslip.layout import (
    PAY_CODE_RE,
    Cell,
    Doc,
    Line,
    is_field_label,
    is_labelish,
    value_cells,
)
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
        if _has_amount(cell.text):
            return None
        role = _column_role(cell.text)
        if role is not None:
            columns.append(_Column(role, cell.x0, cell.x1))
    # One lone heading ("Saldi år til dato") is a section title, not a table header.
    return columns if len(columns) >= 2 else None


@memo.by_text
def _has_amount(text: str) -> bool:
    return bool(find_amounts(text))


@memo.by_text
def _column_role(text: str) -> str | None:
    """The column a header cell names ("Antal" -> quantity), or None."""
    return next((role for role, pattern in labels.COLUMN_RULES if pattern.search(text)), None)


def _column_of(cell: Cell, columns: list[_Column]) -> str | None:
    """The header column a number cell stands in (numbers are usually right-aligned).

    A figure under its header's text belongs to it. One under no header's text stands in
    the column whose header starts before the figure ends and after the previous one:
    spreadsheets print headers left in the cell and figures right, so a figure sits
    between its own header and the next."""
    if not any(min(cell.x1, c.x1) - max(cell.x0, c.x0) > 0 for c in columns):
        starts = sorted(columns, key=lambda c: c.x0)
        before = [c for c in starts if c.x0 <= cell.x1]
        inside = starts[0].x0 - 2 * (starts[0].x1 - starts[0].x0) <= cell.x0 \
            < max(c.x1 for c in columns) + 10  # a box beside the table is not in it
        if before and inside:
            return before[-1].role
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
    pending: Line | None = None  # the last line of labels without figures
    lonely: dict[int, Cell] = {}  # per panel, a label whose figures are on the next line
    for line in doc.lines:
        # A table running onto the next page keeps its columns: payroll systems do not
        # always repeat the header, and without columns a year-to-date figure at the end
        # of a line would be taken as the amount. A new header replaces them.
        line = _refined(line)
        header = _header_columns(line)
        if header:
            # A table titled in its label column "Saldi" / "Akkumuleret" lists balances
            # ("Periode | År til dato"). Its period column may hold employer items the
            # pay table lacks (feriepenge, pension): read as "balances", used only for
            # what the pay table does not have, so a repeated line is not counted twice.
            columns = header
            if labels.YTD_RE.search(line.cells[0].text):
                regions = [(_FULL_WIDTH, "balances")]
            elif not side_by_side:
                # A new table. Side-by-side headings right above it ("Indtægter |
                # Fradrag") title its halves and still apply; a lone line above a
                # table ("År til dato 01.01.-30.04.") does not govern it.
                regions = [(_FULL_WIDTH, None)]
            side_by_side = False
            continue
        label_cells = [c for c in line.cells
                       if _WORD_RE.search(c.text) and _unit_quantity(c.text) is None]
        numbers = [c for c in line.cells if _is_number(c.text)]
        if pending is not None and numbers and len(pending.cells) == 1 and label_cells \
                and all(_CONTINUATION_RE.match(c.text) for c in label_cells):
            # "Holiday pay 12.5%" / "(FerieKonto)  771.73  8,666.53": a label wrapped in
            # its cell, its figures on the second line.
            first = pending.cells[0]
            joined = replace(first, text=" ".join([first.text, *(c.text for c in label_cells)]))
            result.extend(_read_pay_line(line, [], columns, regions, [(joined, numbers)]))
            pending = None
            continue
        cards = pending is not None and len(pending.cells) > 1 and \
            all(_CONTINUATION_RE.match(c.text) for c in label_cells)
        if not label_cells or cards:
            pending = _figures_under(line, numbers, pending, columns, regions, result)
            continue
        if not numbers:
            regions = _heading_regions(line, regions, columns)
            side_by_side = len(regions) > 1
            pending = line
            continue
        side_by_side, pending = False, None
        groups, orphans = _panel_groups(line, label_cells, regions)
        # Panels side by side (EARNINGS | EMPLOYER CONTRIBUTIONS): a label whose figures
        # wrapped onto the next line waits there, in its own panel.
        for panel, cells in orphans.items():
            waiting = lonely.pop(panel, None)
            if waiting is not None:
                groups.append((waiting, cells))
        lonely = {_panel_of(regions, g[0].x0): g[0] for g in groups if not g[1]} \
            if len(regions) > 1 else {}
        result.extend(_read_pay_line(line, label_cells, columns, regions,
                                     [g for g in groups if g[1]]))
    return _without_rates(_reconciled_balances(_with_shares_of_totals(result)))


def _figures_under(line: Line, numbers: list[Cell], pending: Line | None, columns,
                   regions: _Regions, result: list[PayLine]) -> Line | None:
    """Figures printed under their labels (cards, a row wrapped in its cell). Several
    labels side by side are cards: each figure is its own label's, whatever columns a
    table above had; a card whose figure is not yet there (its label wrapped) waits
    for the next line. One label is a wrapped row of the table: its columns still say
    which figure is the period's. Returns the labels still waiting."""
    if not numbers or pending is None or \
            line.top - pending.bottom > 2 * (pending.bottom - pending.top) + 4:
        return None
    groups = _under_labels(pending, numbers)
    result.extend(_read_pay_line(line, [], columns if len(pending.cells) == 1 else None,
                                 regions, groups))
    waiting = [c for c in pending.cells if all(c is not g[0] for g in groups)]
    if not waiting:
        return None
    return Line(pending.page, pending.top, line.bottom, waiting)


# The second line of a wrapped label: a remark in parentheses, or lower case.
_CONTINUATION_RE = re.compile(r"^(\(|[a-zæøå])")


def _under_labels(labels_line: Line, numbers: list[Cell]) -> list[tuple[Cell, list[Cell]]]:
    """Each figure with the label it stands under: the nearest label starting left of
    its right edge (one label takes them all, its columns then sort them out)."""
    groups: dict[int, list[Cell]] = {}
    cells = sorted(labels_line.cells, key=lambda c: c.x0)
    for number in numbers:
        left = [i for i, c in enumerate(cells) if c.x0 <= number.x1 + 2]
        groups.setdefault(left[-1] if left else 0, []).append(number)
    return [(cells[i], nums) for i, nums in sorted(groups.items())]


def _without_rates(lines: list[PayLine]) -> list[PayLine]:
    """A wage line without hours whose amount is the rate another line of the same kind
    is paid at ("Timeløn 158,42" in the employment facts above the pay table) states
    the rate, not money paid."""
    rates = {ln.rate for ln in lines if ln.rate is not None and ln.quantity}
    return [ln for ln in lines if not (ln.kind == "salary" and ln.quantity is None
                                       and ln.amount in rates)]


# A money amount at the end of a cell ("Pension 14,2 % arbejdsgiverbidrag 819,03",
# "Feriegodtgørelse ... til FerieKonto: 425,34 kr."): two decimals or thousands groups,
# so a count ("Timer 26") or an identifier ("Medarb.nr. 9871") is never split off.
_TRAILING_AMOUNT_RE = re.compile(
    r"^(?P<label>.*[^\W\d_].*?)[\s:]+(?P<amount>[-−(]?\s?\d{1,3}(?:[.,  ]\d{3})*[.,]\d{2}"
    r"[-−)]?)\s*(?:kr\.?|dkk)?\s*[,;.]?$", re.I)
# "kr. 6.079,29" is an amount with its currency, not a label and an amount.
_CURRENCY_WORD_RE = re.compile(r"\b(kr|dkk)\b\.?", re.I)
_WORD_RE = re.compile(r"[^\W\d_]{2,}")
# "Feriepenge 12,5 % af 7.774,00": the figure after "af" is the base the rate is of,
# part of the label; the item's own figure is elsewhere.
_BASE_OF_RE = re.compile(r"\b(af|of)\s*$", re.I)
_REMARK_RE = re.compile(r"\s*\([^)]*\d[^)]*\)")
# "Feriegodtgørelse 12,5 % af ... : 882,76 indbetales til FerieKonto": after a colon, the
# first amount is the value; the words after it still describe the item.
_COLON_AMOUNT_RE = re.compile(
    r"^(?P<label>.*[^\W\d_].*?):\s*(?P<amount>[-−(]?\s?\d{1,3}(?:[.,  ]\d{3})*[.,]\d{2}"
    r"[-−)]?)\s*(?:kr\.?)?(?P<rest>\s+[^\d]*)?$", re.I)
_HERAF_SPLIT_RE = re.compile(r"[,;]?\s+(?=(?:heraf|of which)\b)", re.I)


def _refined(line: Line) -> Line:
    """The line with cells that hold a label and its amount run together split in two
    (and "... i alt 99,00, heraf arbejdsgiverandel 66,00" split at "heraf")."""
    if sum(_cells_made_of(cell.text) for cell in line.cells) == len(line.cells):
        return line  # most lines: nothing to split, no cells to build
    cells: list[Cell] = []
    for cell in line.cells:
        for start, end in _heraf_parts(cell.text):
            cells += _label_and_amount(_part(cell, start, end))
    return Line(line.page, line.top, line.bottom, cells)


@memo.by_text
def _cells_made_of(text: str) -> int:
    """How many cells ``_refined`` makes of a cell with ``text``."""
    return sum(2 if _label_amount_split(_part_text(text, start, end)) else 1
               for start, end in _heraf_parts(text))


@memo.by_text
def _heraf_parts(text: str) -> tuple[tuple[int, int], ...]:
    """Where the parts of ``text`` split at "heraf" / "of which" stand."""
    starts = [0] + [m.end() for m in _HERAF_SPLIT_RE.finditer(text)]
    ends = [m.start() for m in _HERAF_SPLIT_RE.finditer(text)] + [len(text)]
    return tuple((a, b) for a, b in zip(starts, ends, strict=True) if b > a)


@memo.by_text
def _label_amount_split(text: str) -> tuple[str, int, int, int, str] | None:
    """A label and its amount run together in ``text``: the text without remarks, where
    the label ends, where the amount starts and ends in it, and the words after the
    amount; None when ``text`` is not one."""
    # "(15,00 % af 7.062,09)" explains a figure; it is not one.
    text = _REMARK_RE.sub("", text).strip()
    m = _TRAILING_AMOUNT_RE.match(text) or _COLON_AMOUNT_RE.match(text)
    if not m or parse_amount(m.group("amount")) is None \
            or not _WORD_RE.search(_CURRENCY_WORD_RE.sub("", m.group("label"))) \
            or _BASE_OF_RE.search(m.group("label")):
        return None
    rest = (m.groupdict().get("rest") or "").strip()
    return text, m.end("label"), m.start("amount"), m.end("amount"), rest


def _label_and_amount(part: Cell) -> list[Cell]:
    split = _label_amount_split(part.text)
    if split is None:
        return [part]
    text, label_end, amount_start, amount_end, rest = split
    part = replace(part, text=text)  # the offsets are in this text
    label = _part(part, 0, label_end)
    if rest:
        label.text = f"{label.text} {rest}"  # "... : 882,76 indbetales til FerieKonto"
    return [label, replace(_part(part, amount_start, amount_end), split=True)]


def _part(cell: Cell, start: int, end: int) -> Cell:
    """The piece of ``cell`` from character ``start`` to ``end``, its box estimated in
    proportion (pdfplumber gives words, not glyphs)."""
    width = (cell.x1 - cell.x0) / max(len(cell.text), 1)
    return Cell(_part_text(cell.text, start, end), cell.x0 + width * start,
                cell.x0 + width * end, cell.top, cell.bottom, cell.page, cell.line)


def _part_text(text: str, start: int, end: int) -> str:
    """The text of a piece of a cell, without the separators around it."""
    return text[start:end].strip(" ,;")


# A stated percentage in a label: "Feriepenge 12,5 %", "Pension arb.giver 8 %".
_PERCENT_RE = re.compile(r"(\d{1,2}(?:[.,]\d{1,2})?)\s?%")


def _reconciled_balances(lines: list[PayLine]) -> list[PayLine]:
    """Lines read from a balances block count only where the pay table lacks their kind;
    a year-to-date block line counts only when its label states a percentage of which
    its amount is exactly that share of this period's wage (then it is this period's
    figure, as on payslips that print the employer's items in the balances box)."""
    salary = sum((ln.amount for ln in lines if ln.kind == "salary"
                  and ln.section not in ("balances", "ytd")), Decimal(0))
    read_kinds = {ln.kind for ln in lines if ln.section not in ("balances", "ytd")}
    out = []
    for ln in lines:
        repeated = ln.kind in read_kinds or ln.kind == "salary"
        if ln.section == "balances" and repeated:
            continue
        if ln.section == "ytd" and (repeated or not _share_of(ln.label, ln.amount, salary)):
            continue
        out.append(replace(ln, section=None))
    return out


def _share_of(label: str, amount: Decimal, base: Decimal) -> bool:
    m = _PERCENT_RE.search(label)
    if not m or base <= 0:
        return False
    percent = parse_amount(m.group(1))
    return percent is not None and abs(base * percent / 100 - abs(amount)) <= Decimal("1.00")


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
    return _with_derived_employee_shares(out)


def _with_derived_employee_shares(lines: list[PayLine]) -> list[PayLine]:
    """"ATP-bidrag i alt 99,00, heraf arbejdsgiverandel 66,00": the employee paid the
    rest (33,00), withheld from the wage. Added, marked derived, where the payslip
    prints no employee share of that item itself: the checks need it (AM-indkomst is
    the wage less it), the costs never count it."""
    added: list[PayLine] = []
    for total, share in zip(lines, lines[1:], strict=False):
        if not _HERAF_RE.search(share.label) or share.kind not in labels.SHARED_KINDS:
            continue
        item = share.kind
        has_own = any(ln.kind == "employee_deduction" and labels.classify(ln.label) == item
                      for ln in lines)
        rest = abs(total.amount) - abs(share.amount)
        if not has_own and rest > 0:
            added.append(PayLine("employee_deduction", f"{item} (derived: the rest of "
                                 f"{total.label})", -rest, None, total.source))
    return lines + added


def _heading_regions(line: Line, regions: _Regions,
                     columns: list[_Column] | None = None) -> _Regions:
    """The sections after a line without numbers: side-by-side headings split the page
    into regions; one heading (or a heading phrase in a longer line) spans it all,
    except one standing right of the table being read (a "Saldi" box beside the pay
    table), which governs only its own side."""
    per_cell = [(c.x0, _section_of(c.text)) for c in line.cells]
    if sum(1 for _, s in per_cell if s is not None) >= 2:
        return [(_FULL_WIDTH, per_cell[0][1]), *per_cell[1:]]
    if columns and len(line.cells) == 1 and per_cell[0][1] is not None \
            and line.cells[0].x0 > max(c.x1 for c in columns):
        return [*(r for r in regions if r[0] < line.cells[0].x0), per_cell[0]]
    found = _section_of(line.text)
    return [(_FULL_WIDTH, found)] if found is not None else regions


def _section_at(regions: _Regions, x0: float) -> str | None:
    section = regions[0][1]
    for left, name in regions:
        if left <= x0 + 2:
            section = name
    return section


@memo.by_text
def _section_of(text: str) -> str | None:
    """The section a heading opens, or None."""
    if labels.YTD_RE.search(text):
        return "ytd"
    if labels.SECTION_EMPLOYER_RE.search(text):
        return "employer"
    if labels.SECTION_DEDUCTION_RE.search(text):
        return "deduction"
    if labels.SECTION_EARNING_RE.search(text):
        return "earning"
    if labels.SECTION_HOLIDAY_RE.search(text.strip()):
        return "holiday"
    return None


def _panel_of(regions: _Regions, x0: float) -> int:
    return max((i for i, (left, _) in enumerate(regions) if left <= x0 + 2), default=0)


def _panel_groups(line: Line, label_cells: list[Cell], regions: _Regions):
    """Labels with the figures after them on the line, each figure with the nearest
    label before it in its own panel; figures with no label in their panel are
    returned apart (by panel), for a label on the line above."""
    groups: list[tuple[Cell, list[Cell]]] = []
    orphans: dict[int, list[Cell]] = {}
    for cell in line.cells:
        if cell in label_cells and parse_amount(cell.text) is None:
            groups.append((cell, []))
        elif _is_number(cell.text):
            panel = _panel_of(regions, cell.x0)
            owner = next((g for g in reversed(groups)
                          if _panel_of(regions, g[0].x0) == panel), None)
            if owner is None and len(regions) == 1 and groups:
                owner = groups[-1]
            if owner is None:
                orphans.setdefault(panel, []).append(cell)
            else:
                owner[1].append(cell)
    return groups, orphans


def _read_pay_line(line, label_cells, columns, regions: _Regions, groups=None):
    """One printed line may hold one pay line, or two side by side (two label cells
    each followed by its numbers, as in two-column summaries). ``groups`` pairs labels
    and figures given from outside (labels printed above their figures)."""
    if groups is None:
        groups = []
        for cell in line.cells:
            if cell in label_cells and not (parse_amount(cell.text) is not None):
                groups.append((cell, []))
            elif groups and _is_number(cell.text):
                groups[-1][1].append(cell)
    for label_cell, nums in groups:
        section = _section_at(regions, label_cell.x0)
        # A "year to date" box is not this period's pay; its lines are kept marked, for
        # ``_reconciled_balances`` to admit only what provably is this period's.
        label = PAY_CODE_RE.sub("", label_cell.text).strip(" .:")
        label = _DOTTED_LEADER_RE.sub("", label)
        inline = find_amounts(label_cell.text[len(label):]) if not nums else []
        if not nums and not inline:
            continue
        kind = labels.classify(label)
        if kind == "unknown" and (not nums or is_labelish(label) or is_field_label(label)):
            continue  # "Employee no 31648", "CVR-nr. 12345678": identifiers, not pay
        amount, quantity, rate = _amount_and_quantity(
            label_cell, nums, None if nums and all(n.split for n in nums) else columns)
        if amount is None and len(nums) == 1 and kind not in ("unknown", "info") \
                and not labels.HOURS_LABEL_RE.search(label):
            # A lone figure beside a money label is its amount: a quantity alone pays
            # nothing. (An employer box printed under the pay table, its figures left of
            # the table's columns, had them taken for hours and the line dropped; a
            # year-to-date box there is marked by its heading, see labels.YTD_RE.)
            amount, quantity, rate = parse_amount(nums[0].text), None, None
        if amount is None:
            continue
        if kind == "info" and quantity and rate and _product_matches(quantity, rate, amount):
            # "Ferieberettiget løn, timeløn 25,25 x 209,31 = 5.285,08": hours at a rate
            # are paid, whatever the label says about what they count towards.
            kind = labels.classify(re.sub(r"\w*berettiget\w*", "", label, flags=re.I))
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
                      source=_line_source(label_cell, nums), rate=rate,
                      section=section if section in ("ytd", "balances") else None)


_DOTTED_LEADER_RE = re.compile(r"\s*\.{3,}.*$")
_MONEY_ROLES = frozenset({"amount", "addition", "deduction"})


def _line_source(label_cell: Cell, nums: list[Cell]) -> Source:
    """The box around a pay line's label and its numbers."""
    cells = [label_cell, *nums]
    return Source(label_cell.page, min(c.x0 for c in cells), min(c.top for c in cells),
                  max(c.x1 for c in cells), max(c.bottom for c in cells),
                  "  ".join(c.text for c in cells))


def _column_of_any(cell: Cell, columns: list[_Column] | None) -> str | None:
    return _column_of(cell, columns) if columns else None


@memo.by_text
def _unit_quantity(text: str) -> Decimal | None:
    m = QUANTITY_CELL_RE.match(text)
    return parse_amount(m.group(1)) if m else None


# Seven or more bare digits, or a CPR's 6+4: an identifier (CPR, CVR, SE, account,
# employee number), never money - a payslip prints money with decimals or groups.
_IDENTIFIER_RE = re.compile(r"\d{7,}|\d{6}-\d{4}")


@memo.by_text
def _is_number(text: str) -> bool:
    """A cell of one figure: an amount or a quantity, not an identifier."""
    if _IDENTIFIER_RE.fullmatch(text.strip()):
        return False
    return parse_amount(text) is not None or _unit_quantity(text) is not None


def _amount_and_quantity(label_cell: Cell, nums: list[Cell], columns):
    amount, quantity, rate = _by_columns(nums, columns)
    # Where the columns leave a choice, the reading that reconciles wins: three figures
    # in a row that are hours x rate = amount are those, whichever headers they stand
    # under (headers printed left, figures right, shift them by a column).
    values = [(parse_amount(c.text), c) for c in nums if _unit_quantity(c.text) is None]
    for (q, _), (r, _), (a, cell) in zip(values, values[1:], values[2:], strict=False):
        if q is None or r is None or a is None or not 0 < q < 1000 \
                or not _product_matches(q, r, a):
            continue
        if amount is None or quantity is None or rate is None \
                or not _product_matches(quantity, rate, amount):
            role = _column_of(cell, columns) if columns else None
            return (-abs(a) if role == "deduction" else a), q, r
        break
    return amount, quantity, rate


def _by_columns(nums: list[Cell], columns):
    amount = quantity = rate = None
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
            rate = value
        elif role == "deduction":
            amount = -abs(value)
        elif role in ("amount", "addition"):
            amount = value
        else:
            unplaced.append(value)
    if amount is None and unplaced:
        if len(unplaced) >= 3 and _product_matches(unplaced[-3], unplaced[-2], unplaced[-1]):
            quantity = quantity if quantity is not None else unplaced[-3]
            rate = rate if rate is not None else unplaced[-2]
        amount = unplaced[-1] if not columns or len(unplaced) == 1 else unplaced[0]
        if not columns:
            amount = unplaced[-1]
    return amount, quantity, rate


def _product_matches(q: Decimal, rate: Decimal, amount: Decimal) -> bool:
    # Hours x rate, rounded to the øre by the payroll system (a little more for a rate
    # printed with two decimals over many hours).
    return amount != 0 and abs(q * rate - abs(amount)) <= max(Decimal("0.05"),
                                                              abs(q) * Decimal("0.005"))


def _classified(kind, label, amount, quantity, section) -> PayLine:
    if section == "holiday" and kind in ("tax", "am_contribution", "total", "gross_total"):
        return PayLine("holiday_withholding", label, amount, quantity)
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
    # Sick hours printed only in the hours box still belong to the sum it states.
    from_lines = None if line_worked is None else \
        line_worked + (line_sick if line_sick is not None else (labelled_sick or 0))
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
