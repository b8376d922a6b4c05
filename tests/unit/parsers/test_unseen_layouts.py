"""The payslip reader against five layouts it was not developed against.

A blind test: this module has its own small generator (nothing is shared with
``tests/fixtures/payslips.py``), drawing payslips the way other payroll systems print
them, and checks every field the reader returns against the truth:

* ``danlon``    - Danløn/Dataløn style: header box right (``Lønperiode``, ``Disp. dato``,
  ``CPR-nr.``), ``Tekst | Antal | Sats | Beløb``, hours written into the label
  (``Timeløn 14,50 t á 171,93``) or with a unit (``14,50 t``), 14-day periods, and a
  year-to-date block or a ``Saldi | Denne periode | År til dato`` balances table.
* ``visma``     - Visma/Silvan style: labels above values in boxes, a name that wraps in
  its narrow box, pay codes, ``SE-nr.`` beside ``CVR-nr.``, an ``Akkumuleret`` column.
* ``landscape`` - landscape table with ``Arbejdsgiverbetalt`` section, trailing minus
  (``1.234,56-``), ``DK-12 34 56 78``, basis x percent columns, ``1/11-2026`` dates,
  a personnel number before the name, a CPR without hyphen.
* ``english``   - ``Pay period: 1 November 2026 to 30 November 2026`` or a month alone,
  ``Company reg. no. (CVR)``, ``Civil registration no.``, an hours box under the table.
* ``split``     - earnings and deductions side by side (deductions printed positive
  under the heading ``Fradrag``), ``kr.`` amounts, the employer only in the footer.
"""

from __future__ import annotations

import calendar
import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from parsers.identifiers import mask_cpr, parse_cpr, parse_cvr
from parsers.payslip import Payslip, read

LAYOUTS = ("danlon", "visma", "landscape", "english", "split")
SEEDS = range(8)
# Flags that switch on a printing habit; each is on for half of SEEDS.
VARIANTS = ("inline_qty", "unit_qty", "saldi_table", "narrow_name", "dk_cvr", "pct_cols",
            "slash_dates", "number_name", "bare_cpr", "month_only")
COMPONENTS = ("salary", "atp", "pension", "holiday_pay", "special_holiday_allowance", "other",
              "am_contribution")
COSTS = COMPONENTS[:-1]
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

FIRST = ["Mette", "Jens", "Anne-Sofie", "Mads", "Karen Margrethe", "Søren", "Ida", "Ahmad",
         "Fatima", "Lars Peter", "Birgitte", "Nikolaj", "Aisha", "Jørgen", "Line"]
LAST = ["Sørensen", "Hansen", "Kristensen", "Østergaard", "Nielsen", "Al-Hassan",
        "Bach Jørgensen", "Møller", "Thomsen", "Ravn", "Dalgaard-Holm"]
FIRMS = ["Tømrerfirmaet Holm ApS", "Café Solsikken I/S", "Nordic Widgets A/S",
         "Grønne Hænder ApS", "Bogcaféen Lyngby ApS", "Vesthimmerlands Kommune",
         "Fonden Bakkehuset", "Køkkenhjælpen K/S"]
STREETS = ["Vestergade 12", "Nørrebrogade 101, 2. th", "Åboulevarden 7", "Parkvej 3"]
TOWNS = ["8000 Aarhus C", "2200 København N", "9000 Aalborg", "5000 Odense C"]
MONTHS_DA = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
             "september", "oktober", "november", "december"]
MONTHS_EN = [calendar.month_name[m] for m in range(1, 13)]


def q(x: Decimal) -> Decimal:
    return Decimal(x).quantize(CENT, ROUND_HALF_UP)


# --------------------------------------------------------------------------- truth


@dataclass
class Line:
    label: str
    kind: str  # a component, or "employee" (own share), "tax", "net", "gross"
    amount: Decimal  # this period; deductions negative
    qty: Decimal | None = None
    rate: Decimal | None = None
    section: str = "pay"  # pay / employer / summary
    code: str = ""
    ytd: Decimal = ZERO


@dataclass
class Case:
    layout: str
    seed: int
    employee_name: str
    cpr: str
    employer_name: str
    cvr: str
    se: str | None
    period_start: date
    period_end: date
    worked: Decimal
    sick: Decimal
    lines: list[Line]
    address: tuple[str, str]
    variant: dict[str, bool] = field(default_factory=dict)

    @property
    def pay_date(self) -> date:
        return self.period_end

    @property
    def hours(self) -> Decimal:
        return self.worked + self.sick

    def line(self, kind: str) -> Line:
        return next(ln for ln in self.lines if ln.kind == kind)

    def components(self) -> dict[str, Decimal]:
        out = dict.fromkeys(COMPONENTS, ZERO)
        for ln in self.lines:
            if ln.kind in out:
                out[ln.kind] += abs(ln.amount) if ln.kind == "am_contribution" else ln.amount
        return out

    def employer_cost(self) -> Decimal:
        return sum((self.components()[k] for k in COSTS), ZERO)


def _cvr(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(6)]
        check = -sum(d * w for d, w in zip(digits, (2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
        if check < 10:
            return "".join(map(str, [*digits, check]))


def _cpr(rng: random.Random) -> str:
    birth = date(1958, 1, 1) + timedelta(days=rng.randint(0, 47 * 365))
    seventh = 4 if birth.year >= 2000 else rng.randint(0, 3)  # the century rule
    return f"{birth:%d%m%y}-{seventh}{rng.randint(0, 999):03d}"


def make_case(layout: str, seed: int) -> Case:
    rng = random.Random(f"unseen-{layout}-{seed}")
    english = layout == "english"
    variant = {name: bool((seed >> (i % 3)) & 1) ^ (i % 2 == 1) for i, name in enumerate(VARIANTS)}
    month = rng.randint(1, 11)
    if layout == "danlon" and seed % 4 == 3:  # a 14-day pay period
        start = date(2026, month, rng.choice((1, 2, 15, 16)))
        end = start + timedelta(days=13)
    else:
        start = date(2026, month, 1)
        end = date(2026, month, calendar.monthrange(2026, month)[1])
    rate = q(Decimal(rng.randint(12500, 18900)) / 100)
    worked = Decimal(rng.randint(16, 84)) / 2
    sick = Decimal(rng.choice(("0", "3", "4", "7.5")))
    lines = [Line("Hourly wage" if english else "Timeløn", "salary", q(worked * rate), worked,
                  rate, code="1010")]
    if sick:
        lines.append(Line("Sick pay" if english else "Sygeløn", "salary", q(sick * rate), sick,
                          rate, code="1310"))
    if rng.random() < 0.5:  # a supplement on hours already counted
        extra = Decimal(rng.randint(2, 12))
        lines.append(Line("Evening supplement" if english else "Aftentillæg", "salary",
                          q(extra * Decimal("28.50")), extra, Decimal("28.50"), code="1120"))
    fritvalg_paid = layout == "visma" and seed % 2 == 0
    if fritvalg_paid:
        base = sum(ln.amount for ln in lines)
        lines.append(Line("Fritvalg udbetalt 4%", "other", q(base * Decimal("0.04")), code="1450"))
    gross = sum(ln.amount for ln in lines)
    atp = Decimal("66.00") if worked + sick >= 39 else Decimal("33.00")
    atp_er, atp_ee = q(atp * 2 / 3), q(atp / 3)
    pension = seed % 3 != 2
    pen_er = q(gross * Decimal("0.08")) if pension else ZERO
    pen_ee = q(gross * Decimal("0.04")) if pension else ZERO
    am = q((gross - pen_ee - atp_ee) * Decimal("0.08"))
    tax = q((gross - pen_ee - atp_ee - am) * Decimal("0.37"))
    group_ee = Decimal("12.00") if seed % 2 else ZERO
    lines.append(Line("Gross pay" if english else "Bruttoløn", "gross", gross, section="summary"))
    lines.append(Line("ATP (employee)" if english else "ATP-bidrag", "employee", -atp_ee,
                      code="5010"))
    if pension:
        lines.append(Line("Pension (employee 4%)" if english else "Pension, eget bidrag 4%",
                          "employee", -pen_ee, code="5110"))
    lines.append(Line("Labour market contribution (8%)" if english else "AM-bidrag 8%",
                      "am_contribution", -am, code="6010"))
    lines.append(Line("A-tax (37%)" if english else "A-skat 37%", "tax", -tax, code="6020"))
    if group_ee:
        lines.append(Line("Group life (employee)" if english else "Gruppeliv, medarbejder",
                          "employee", -group_ee, code="5210"))
    net = gross - atp_ee - pen_ee - am - tax - group_ee
    lines.append(Line("Net pay" if english else "Til udbetaling", "net", net, section="summary"))
    employer = [Line("ATP (employer)" if english else "ATP arbejdsgiverandel", "atp", atp_er,
                     code="8010")]
    if pension:
        employer.append(Line("Pension (employer 8%)" if english else "Pension arbejdsgiverandel 8%",
                             "pension", pen_er, code="8110"))
    employer.append(Line("Holiday pay 12.5%" if english else "Feriepenge 12,5 %", "holiday_pay",
                         q(gross * Decimal("0.125")), code="8210"))
    if seed % 4 != 1:
        label = ("Special holiday allowance 1%" if english
                 else ("SH-tillæg 1%", "Særlig feriegodtgørelse 1%")[seed % 2])
        employer.append(Line(label, "special_holiday_allowance", q(gross * Decimal("0.01")),
                             code="8220"))
    if not fritvalg_paid and seed % 3 != 1:
        employer.append(Line("Free choice account 4%" if english else "Fritvalg 4%", "other",
                             q(gross * Decimal("0.04")), code="8310"))
    if seed % 4 != 2:
        employer.append(Line("Group life insurance" if english else "Gruppeliv", "other",
                             Decimal("45.00"), code="8320"))
    for ln in employer:
        ln.section = "employer"
    lines.extend(employer)
    months = Decimal(rng.randint(6, 10))
    for ln in lines:
        ln.ytd = q(abs(ln.amount) * months)
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    if layout == "visma" and variant["narrow_name"]:  # long enough to wrap in its box
        name = f"{rng.choice(FIRST[:4])} {rng.choice(('Bach Jørgensen', 'Dalgaard-Holm'))}"
    return Case(layout, seed, name, _cpr(rng),
                rng.choice(FIRMS), _cvr(rng), _cvr(rng) if seed % 3 else None, start, end,
                worked, sick, lines, (rng.choice(STREETS), rng.choice(TOWNS)), variant)


# --------------------------------------------------------------------------- printing


def da(x: Decimal, trailing_minus: bool = False) -> str:
    text = f"{abs(x):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    if x < 0:
        return text + "-" if trailing_minus else "-" + text
    return text


def en(x: Decimal) -> str:
    return f"{x:,.2f}" if x >= 0 else f"-{abs(x):,.2f}"


def dot(d: date) -> str:
    return f"{d:%d.%m.%Y}"


class Page:
    """A canvas addressed from the top left, as one reads a payslip."""

    def __init__(self, size: tuple[float, float] = A4) -> None:
        self.buf = io.BytesIO()
        self.canvas = Canvas(self.buf, pagesize=size, invariant=1)
        self.height = size[1]

    def text(self, x: float, y: float, s: str, size: float = 9, bold: bool = False,
             right: bool = False) -> None:
        self.canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        draw = self.canvas.drawRightString if right else self.canvas.drawString
        draw(x, self.height - y, s)

    def box(self, x: float, y: float, w: float, h: float) -> None:
        self.canvas.rect(x, self.height - y - h, w, h)

    def rule(self, x0: float, x1: float, y: float) -> None:
        self.canvas.line(x0, self.height - y, x1, self.height - y)

    def pdf(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buf.getvalue()


def render_danlon(k: Case) -> bytes:
    p = Page()
    p.text(40, 50, k.employer_name, 12, bold=True)
    p.text(40, 64, "Industrivej 4")
    p.text(40, 75, "7400 Herning")
    p.text(40, 86, f"CVR-nr. {k.cvr}")
    p.box(330, 40, 225, 92)
    p.text(340, 55, "LØNSEDDEL", 12, bold=True)
    head = [("Lønperiode", f"{dot(k.period_start)} - {dot(k.period_end)}"),
            ("Disp. dato", dot(k.pay_date)), ("Medarbejdernr.", str(100 + k.seed)),
            ("CPR-nr.", k.cpr)]
    for i, (label, value) in enumerate(head):
        p.text(340, 75 + i * 14, label)
        p.text(430, 75 + i * 14, value)
    for i, text in enumerate((k.employee_name, *k.address)):  # window envelope
        p.text(60, 150 + i * 12, text, 10)
    y = 230
    p.text(40, y, "Tekst", bold=True)
    for x, head_text in ((330, "Antal"), (410, "Sats"), (500, "Beløb")):
        p.text(x, y, head_text, bold=True, right=True)
    p.rule(40, 555, y + 4)
    y += 18
    unit = k.variant["unit_qty"]
    for ln in k.lines:
        if ln.section == "employer" and ln is next(x for x in k.lines if x.section == "employer"):
            p.text(40, y + 8, "Arbejdsgiverbetalte ydelser", bold=True)
            y += 22
        label, qty = ln.label, ln.qty
        if k.variant["inline_qty"] and qty is not None and ln.kind == "salary":
            label, qty = f"{ln.label} {da(qty)} t á {da(ln.rate)}", None
        p.text(40, y, label, bold=ln.section == "summary")
        if qty is not None:
            p.text(330, y, da(qty) + (" t" if unit else ""), right=True)
            p.text(410, y, da(ln.rate) + (" kr." if unit else ""), right=True)
        p.text(500, y, da(ln.amount), right=True)
        y += 13
    y += 20
    gross, am = k.line("gross").amount, -k.line("am_contribution").amount
    if k.variant["saldi_table"]:  # balances that repeat this period's figures
        p.text(40, y, "Saldi", 10, bold=True)
        p.text(330, y, "Denne periode", bold=True, right=True)
        p.text(500, y, "År til dato", bold=True, right=True)
        for i, (label, value) in enumerate((("A-indkomst", gross), ("AM-bidrag", am),
                                            ("Timer", k.hours),
                                            ("Feriepenge", gross * Decimal("0.125")))):
            p.text(40, y + 14 + i * 13, label)
            p.text(330, y + 14 + i * 13, da(q(value)), right=True)
            p.text(500, y + 14 + i * 13, da(q(value * 9)), right=True)
        return p.pdf()
    p.text(40, y, "År til dato", 10, bold=True)
    for i, (label, value) in enumerate((("A-indkomst", gross * 9), ("AM-bidrag", am * 9),
                                        ("A-skat", gross * 2), ("Timer", k.hours * 9),
                                        ("Feriepenge", gross * Decimal("1.125")))):
        p.text(40 + (i % 3) * 170, y + 14 + (i // 3) * 13, label)
        p.text(180 + (i % 3) * 170, y + 14 + (i // 3) * 13, da(q(value)), right=True)
    return p.pdf()


def render_visma(k: Case) -> bytes:
    p = Page()
    p.text(40, 45, k.employer_name, 14, bold=True)
    p.text(40, 60, "Vestergade 12, 8000 Aarhus C", 8)
    p.text(400, 45, "Lønspecifikation", 12, bold=True)

    def box(x: float, y: float, w: float, label: str, values: list[str]) -> None:
        p.box(x, y, w, 20 + 10 * len(values))
        p.text(x + 3, y + 9, label, 6.5)
        for i, value in enumerate(values):
            p.text(x + 3, y + 21 + i * 10, value, 9)

    name_width = 90 if k.variant["narrow_name"] else 120
    name_lines: list[str] = []
    for word in k.employee_name.split():  # wrap only when the box is too narrow
        if name_lines and stringWidth(f"{name_lines[-1]} {word}", "Helvetica", 9) <= name_width - 6:
            name_lines[-1] += f" {word}"
        else:
            name_lines.append(word)
    box(40, 80, 70, "Medarbejder nr.", [str(1000 + k.seed)])
    box(110, 80, name_width, "Navn", name_lines)
    x = 110 + name_width
    box(x, 80, 80, "CPR-nr.", [k.cpr])
    box(x + 80, 80, 120, "Periode", [f"{dot(k.period_start)}-{dot(k.period_end)}"])
    box(x + 200, 80, 80, "Udbetalingsdato", [dot(k.pay_date)])
    box(40, 128, 190, "Arbejdsgiver", [k.employer_name])
    box(230, 128, 80, "CVR-nr.", [k.cvr])
    if k.se:
        box(310, 128, 80, "SE-nr.", [k.se])
    box(390, 128, 120, "Afdeling", ["Service"])
    y = 190
    p.text(40, y, "Kode", 8, bold=True)
    p.text(80, y, "Lønart", 8, bold=True)
    for x, head in ((330, "Enheder"), (390, "Sats"), (470, "Beløb"), (555, "Akkumuleret")):
        p.text(x, y, head, 8, bold=True, right=True)
    p.rule(40, 555, y + 3)
    y += 15
    for ln in k.lines:
        if ln.section == "employer" and ln is next(x for x in k.lines if x.section == "employer"):
            p.text(80, y + 6, "Arbejdsgiverandele", 9, bold=True)
            y += 19
        p.text(40, y, ln.code if ln.section != "summary" else "", 8)
        p.text(80, y, ln.label, 8)
        if ln.qty is not None:
            p.text(330, y, da(ln.qty), 8, right=True)
            p.text(390, y, da(ln.rate), 8, right=True)
        p.text(470, y, da(ln.amount), 8, right=True)
        p.text(555, y, da(ln.ytd), 8, right=True)
        y += 12
    return p.pdf()


def render_landscape(k: Case) -> bytes:
    p = Page(landscape(A4))
    c, v = k.cvr, k.variant
    p.text(40, 40, "Lønseddel", 14, bold=True)
    p.text(40, 60, f"Firma: {k.employer_name}")
    p.text(330, 60, f"CVR: DK-{c[:2]} {c[2:4]} {c[4:6]} {c[6:]}" if v["dk_cvr"] else f"CVR: {c}")
    if k.se:
        p.text(480, 60, f"SE: {k.se}")
    name = f"{1000 + k.seed} {k.employee_name}" if v["number_name"] else k.employee_name
    p.text(40, 74, f"Lønmodtager: {name}")
    p.text(330, 74, f"Personnr.: {k.cpr.replace('-', '') if v['bare_cpr'] else k.cpr}")
    s, e = k.period_start, k.period_end
    if v["slash_dates"]:
        p.text(40, 88, f"Periode: {s.day}/{s.month}-{s.year} - {e.day}/{e.month}-{e.year}")
    else:
        p.text(40, 88, f"Periode: {s:%d-%m-%Y} til {e:%d-%m-%Y}")
    p.text(330, 88, f"Udbetalt: {k.pay_date:%d-%m-%Y}")
    y = 120
    for x, head, right in ((40, "Lønart", False), (100, "Tekst", False), (420, "Timer", True),
                           (500, "Sats", True), (600, "Beløb", True), (700, "År til dato", True)):
        p.text(x, y, head, bold=True, right=right)
    p.rule(40, 780, y + 4)
    y += 18
    current = None
    for ln in k.lines:
        section = current if ln.section == "summary" else ln.section
        if section != current:
            p.text(100, y + 4, {"pay": "Løndele", "employer": "Arbejdsgiverbetalt"}[section],
                   bold=True)
            y += 18
            current = section
        p.text(40, y, ln.code)
        p.text(100, y, ln.label)
        if ln.qty is not None:
            p.text(420, y, da(ln.qty), right=True)
            p.text(500, y, da(ln.rate), right=True)
        elif v["pct_cols"] and "%" in ln.label:  # basis x percent
            pct = Decimal(ln.label.replace(" %", "%").split()[-1].rstrip("%").replace(",", "."))
            p.text(420, y, da(q(abs(ln.amount) * 100 / pct)), right=True)
            p.text(500, y, da(q(pct)), right=True)
        p.text(600, y, da(ln.amount, trailing_minus=True), right=True)
        p.text(700, y, da(ln.ytd), right=True)
        y += 13
    return p.pdf()


def render_english(k: Case) -> bytes:
    p = Page()

    def long(d: date) -> str:
        return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"

    p.text(40, 45, "PAYSLIP", 16, bold=True)
    p.text(40, 70, k.employer_name, 11, bold=True)
    p.text(40, 83, "Parkvej 3, 5000 Odense C, Denmark", 8)
    p.text(40, 96, f"Company reg. no. (CVR): {k.cvr}")
    s, e = k.period_start, k.period_end
    if k.variant["month_only"]:
        p.text(300, 70, f"Pay period: {MONTHS_EN[s.month - 1]} {s.year}")
    else:
        p.text(300, 70, f"Pay period: {long(s)} to {long(e)}")
    p.text(300, 83, f"Pay date: {long(k.pay_date)}")
    p.text(300, 96, f"Employee no.: {2000 + k.seed}")
    p.text(40, 125, "Employee:")
    p.text(150, 125, k.employee_name)
    p.text(40, 138, "Civil registration no.:")
    p.text(150, 138, k.cpr)
    y = 175
    p.text(40, y, "Description", bold=True)
    for x, head in ((330, "Hours"), (400, "Rate"), (480, "Amount"), (555, "Year to date")):
        p.text(x, y, head, bold=True, right=True)
    p.rule(40, 555, y + 4)
    y += 16
    for ln in k.lines:
        if ln.section == "employer" and ln is next(x for x in k.lines if x.section == "employer"):
            p.text(40, y + 6, "Employer contributions", bold=True)
            y += 19
        p.text(40, y, ln.label)
        if ln.qty is not None:
            p.text(330, y, en(ln.qty) + (" hrs" if k.variant["unit_qty"] else ""), right=True)
            p.text(400, y, en(ln.rate), right=True)
        p.text(480, y, en(ln.amount), right=True)
        p.text(555, y, en(ln.ytd), right=True)
        y += 13
    p.text(40, y + 20, "Hours", bold=True)  # an hours box under the table
    for i, (label, value) in enumerate((("Hours worked", k.worked), ("Sick hours", k.sick))):
        p.text(40, y + 33 + i * 13, label)
        p.text(200, y + 33 + i * 13, en(value), right=True)
    return p.pdf()


def render_split(k: Case) -> bytes:
    p = Page()

    def kr(x: Decimal) -> str:
        return f"{da(x)} kr."

    p.text(40, 45, "Lønseddel", 18, bold=True)
    s, e = k.period_start, k.period_end
    period = (f"{MONTHS_DA[s.month - 1]} {s.year}" if k.variant["month_only"]
              else f"{dot(s)} - {dot(e)}")
    grid = (("Medarbejder", k.employee_name), ("CPR-nummer", k.cpr), ("Lønperiode", period),
            ("Dispositionsdato", dot(k.pay_date)))
    for i, (label, value) in enumerate(grid):  # label above value
        p.text(40 + (i % 2) * 260, 75 + (i // 2) * 30, label, 7)
        p.text(40 + (i % 2) * 260, 87 + (i // 2) * 30, value, 10)
    y = 150
    p.text(40, y, "Indtægter", 11, bold=True)
    p.text(330, y, "Fradrag", 11, bold=True)
    y += 16
    p.text(40, y, "Tekst", 8, bold=True)
    p.text(330, y, "Tekst", 8, bold=True)
    for x, head in ((190, "Antal"), (240, "Sats"), (300, "Beløb"), (555, "Beløb")):
        p.text(x, y, head, 8, bold=True, right=True)
    p.rule(40, 555, y + 3)
    y += 14
    earnings = [ln for ln in k.lines if ln.section == "pay" and ln.amount > 0]
    # Deductions printed positive, with short labels that do not say whose share.
    deductions = [(ln.label.replace(", eget bidrag", "").replace("ATP-bidrag", "ATP")
                   .replace(", medarbejder", ""), -ln.amount)
                  for ln in k.lines if ln.section == "pay" and ln.amount < 0]
    for i in range(max(len(earnings), len(deductions))):
        if i < len(earnings):
            ln = earnings[i]
            p.text(40, y, ln.label, 8)
            if ln.qty is not None:
                p.text(190, y, da(ln.qty), 8, right=True)
                p.text(240, y, da(ln.rate), 8, right=True)
            p.text(300, y, kr(ln.amount), 8, right=True)
        if i < len(deductions):
            p.text(330, y, deductions[i][0], 8)
            p.text(555, y, kr(deductions[i][1]), 8, right=True)
        y += 12
    p.text(40, y + 4, "Bruttoløn", 8, bold=True)
    p.text(300, y + 4, kr(k.line("gross").amount), 8, right=True, bold=True)
    p.text(330, y + 4, "Fradrag i alt", 8, bold=True)
    p.text(555, y + 4, kr(sum((d for _, d in deductions), ZERO)), 8, right=True, bold=True)
    p.text(330, y + 24, "Til udbetaling", 10, bold=True)
    p.text(555, y + 24, kr(k.line("net").amount), 10, right=True, bold=True)
    y += 54
    p.text(40, y, "Arbejdsgiverbidrag", 11, bold=True)
    for ln in (ln for ln in k.lines if ln.section == "employer"):
        y += 12
        p.text(40, y + 4, ln.label.replace(" arbejdsgiverandel", ""), 8)
        p.text(300, y + 4, kr(ln.amount), 8, right=True)
    foot = f"{k.employer_name} · Åboulevarden 7 · 9000 Aalborg · CVR-nr. {k.cvr}"
    p.text(40, 800, foot + (f" · SE-nr. {k.se}" if k.se else ""), 7)
    return p.pdf()


RENDERERS = {"danlon": render_danlon, "visma": render_visma, "landscape": render_landscape,
             "english": render_english, "split": render_split}


# --------------------------------------------------------------------------- tests

_read: dict[tuple[str, int], tuple[Case, Payslip]] = {}


def read_case(layout: str, seed: int) -> tuple[Case, Payslip]:
    if (layout, seed) not in _read:
        case = make_case(layout, seed)
        slip = read(RENDERERS[layout](case))
        assert isinstance(slip, Payslip), getattr(slip, "reason", slip)
        _read[(layout, seed)] = (case, slip)
    return _read[(layout, seed)]


# The tests compare plain values, never the Payslip or Case objects, so a failure
# message shows no full CPR number (their reprs hold one).


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_identifiers_and_names(layout: str, seed: int) -> None:
    case, slip = read_case(layout, seed)
    same_cpr = slip.cpr == case.cpr.replace("-", "")
    assert same_cpr, f"CPR {mask_cpr(slip.cpr or '')}, want {mask_cpr(case.cpr)}"
    got = {"employee_name": slip.employee_name, "employer_name": slip.employer_name,
           "cvr": slip.cvr, "se_is_not_cvr": slip.cvr != case.se}
    want = {"employee_name": case.employee_name, "employer_name": case.employer_name,
            "cvr": case.cvr, "se_is_not_cvr": True}
    assert got == want


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_period_and_hours(layout: str, seed: int) -> None:
    case, slip = read_case(layout, seed)
    got = (slip.period_start, slip.period_end, slip.worked_hours, slip.sick_hours or ZERO,
           slip.hours)
    want = (case.period_start, case.period_end, case.worked, case.sick, case.hours)
    assert got == want


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_components_and_employer_cost(layout: str, seed: int) -> None:
    case, slip = read_case(layout, seed)
    got = {**slip.components, "employer_cost": slip.employer_cost}
    want = {**case.components(), "employer_cost": case.employer_cost()}
    assert got == want


@pytest.mark.parametrize("layout", LAYOUTS)
def test_employee_shares_are_not_costs(layout: str) -> None:
    for seed in SEEDS:
        case, slip = read_case(layout, seed)
        own = {abs(ln.amount) for ln in case.lines if ln.kind == "employee"}
        read_own = {abs(pl.amount) for pl in slip.lines if pl.kind == "employee_deduction"}
        atp, atp_employer = slip.components["atp"], case.line("atp").amount
        assert own <= read_own
        assert atp == atp_employer


def test_the_generator_prints_valid_identifiers_and_covers_every_habit() -> None:
    cases = [make_case(layout, seed) for layout in LAYOUTS for seed in SEEDS]
    for case in cases:
        parse_cvr(case.cvr)
        parse_cpr(case.cpr)
        assert case.employer_cost() > case.components()["salary"] > 0
    for name in VARIANTS:
        assert {c.variant[name] for c in cases} == {True, False}, name
    assert any((c.period_end - c.period_start).days == 13 for c in cases)
    assert any(c.sick for c in cases) and any(not c.sick for c in cases)
    assert any(c.se for c in cases) and any(c.se is None for c in cases)
    wrapped = [c for c in cases if c.layout == "visma" and c.variant["narrow_name"]
               and stringWidth(c.employee_name, "Helvetica", 9) > 84]
    assert wrapped, "some names must wrap in the narrow box"
