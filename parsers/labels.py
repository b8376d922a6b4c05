"""The label vocabulary: which printed labels mean which field or cost item.

Danish and English, matched on lower-cased text. Order of ``COST_RULES`` matters:
the first rule that matches a line's label decides its kind, so the specific
(``særlig feriegodtgørelse``) comes before the general (``feriegodtgørelse``) and
basis/total lines come before the cost items they mention.
"""

from __future__ import annotations

import re

from parsers import memo

# Field labels. Each matches at the start of a cell (after an optional pay code).
FIELD_LABELS: dict[str, re.Pattern[str]] = {
    "cpr": re.compile(
        r"(cpr|personnummer|person ?nr|civil registration|civil reg|personal (id|number)|"
        r"social security)", re.I),
    "cvr": re.compile(
        r"(cvr|company reg|company registration|business reg|registration no|"
        r"virksomhedsnummer|virksomheds ?nr)", re.I),
    "se": re.compile(r"(se[- ]?(nr|nummer|no|number)|vat ?/ ?se|se\b)", re.I),
    "employee_name": re.compile(
        r"(medarbejdernavn|medarbejder|lønmodtager|ansattes navn|den ansatte|ansat|navn|"
        r"employee name|employee|name)(?!\w)", re.I),
    "employer_name": re.compile(
        r"(arbejdsgivers navn|arbejdsgiver|virksomhedsnavn|virksomhed|firmanavn|firma|"
        r"employer name|employer|company name|company)(?!\w)", re.I),
    "period": re.compile(
        r"(lønperiode|afregningsperiode|refusionsperiode|optjeningsperiode|periode|"
        r"pay period|payroll period|salary period|period)", re.I),
    "worked_hours": re.compile(
        r"(arbejdstimer|arbejdede timer|præsterede timer|hours worked|worked hours)",
        re.I),
    "total_hours": re.compile(
        # "Løntimer": the hours paid, sick hours included.
        r"(timer i alt|antal timer|timer total|timer i (løn)?perioden|løntimer|betalte timer|"
        r"total hours|hours total|paid hours|"
        r"hours in total|hours this period)", re.I),
    "sick_hours": re.compile(
        r"(sygetimer|timer syg\w*|syge timer|heraf syg\w*|sick hours|sickness hours|"
        r"of which sick)", re.I),
}

# Words that mark a cell or column as year-to-date: never the period, never the amount.
YTD_RE = re.compile(
    r"(år til dato|året til dato|år-til-dato|hidtil i år|akkumuleret|akk\.|\bsaldi\b|"
    r"year[- ]to[- ]date|\bytd\b|i år\b|indeværende år|this year|so far this year)", re.I)

# Cells that tell a date is something other than the period.
NOT_PERIOD_RE = re.compile(
    r"(udbetal|dispositionsdato|payment|paid|pay date|fødsel|birth|ansættelse|ansat|"
    r"employment|start|fratræd|udskrevet|printed|dato\b)", re.I)

# Column headers of a pay-line table.
COLUMN_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("ytd", YTD_RE),
    # "Beløb (+)" / "Beløb (-)": one amount column for what is paid, one for what is taken.
    ("deduction", re.compile(r"^((fradrag|træk|deductions?|withheld)\b|(beløb|amount)\s*"
                             r"\(?\s*[-−–]\s*\)?$)", re.I)),
    ("addition", re.compile(r"^(beløb|amount)\s*\(?\s*\+\s*\)?$", re.I)),
    ("addition", re.compile(r"^(tillæg|udbetalinger|earnings|additions?|payments?)\b", re.I)),
    ("quantity", re.compile(r"^(antal|timer|enheder|hours|hrs|qty|quantity|units)\b", re.I)),
    ("rate", re.compile(r"^(sats|takst|á|à|a-pris|pris|rate|unit price)\b", re.I)),
    ("basis", re.compile(r"^(grundlag|basis|beregningsgrundlag|base)\b", re.I)),
    ("amount", re.compile(
        r"^(beløb|belob|denne periode|periode|i perioden|kr\.?|dkk|amount|this period|"
        r"current|value)\b", re.I)),
]

# Section headings inside the table change how ATP/pension/other lines are read.
SECTION_EMPLOYER_RE = re.compile(
    r"(arbejdsgiverbidrag|arbejdsgiverandel|arbejdsgivers bidrag|arbejdsgiverudgift|"
    r"arbejdsgiverens|arbejdsgiverbetal|firmabetal|employer contributions?|employer costs?|"
    r"paid by employer)", re.I)
SECTION_DEDUCTION_RE = re.compile(r"^(fradrag|træk|deductions?|withholdings?)\b", re.I)
# A block for holiday pay on its way to FerieKonto ("Feriepenge", "Feriegodtgørelse ved
# fratræden"): the AM-bidrag, A-skat and subtotals printed in it belong to the holiday
# pay, not to the month's wage, and never reach the month's net.
SECTION_HOLIDAY_RE = re.compile(
    r"^(feriepenge|feriegodtgørelse( ved fratræden)?|ferie og omsorg|holiday pay|"
    r"vacation pay)\s*:?$", re.I)
SECTION_EARNING_RE = re.compile(r"^(løndele|lønarter|indtægter|tillæg|earnings|payments)\b", re.I)

EMPLOYER_SHARE_RE = re.compile(
    r"(arbejdsgiver|arb\.? ?giv|arbejdsg\.|firma|virksomhed|employer|company|\bag\b|ag-andel|"
    r"ag andel)", re.I)
EMPLOYEE_SHARE_RE = re.compile(
    r"(eget|egen|medarbejder|lønmodtager|employee|own|personal|\bam\b|\bmb\b)", re.I)

SICK_RE = re.compile(r"(syg|sick)", re.I)

# Supplements are paid on hours already counted by the base wage line.
SUPPLEMENT_RE = re.compile(
    r"(tillæg|forskudt|supplement|allowance|bonus|weekend|aften|\bnat|evening|night|premium)", re.I)

# Labels that name hours or a rate: such a line with one bare number is a count or a
# rate (a "Timer" box), not money.
HOURS_LABEL_RE = re.compile(r"(timer\b|\bhours\b|\btimesats|\bsats\b|\brate\b)", re.I)

# A candidate value that is itself a label ("Medarbejdernr.", "Udbetalingsdato").
LABELISH_RE = re.compile(r"(nr\.?|\bno\.?|nummer|number|dato|date|[-\s]id|:)$", re.I)
# Words that label an info box's rows or head a payslip's sections: a cell of them is
# never a person's or a company's name ("Lønform", "Trækprocent", "EARNINGS").
LABEL_WORDS = frozenset({
    "lønform", "lønperiode", "trækprocent", "skattekort", "fradrag", "afdeling", "stilling",
    "arbejdssted", "personalekategori", "pensionsordning", "lønnummer", "medarbejder",
    "medarbejdernr", "lønseddel", "lønspecifikation", "oplysninger", "ansættelsesoplysninger",
    "saldi", "indtægter", "løndele", "bemærk", "udbetalingsdato", "dispositionsdato",
    "udskrevet", "afsender", "modtager", "adresse", "address", "earnings", "deductions",
    "payment", "summary", "employee", "employer", "contributions", "description", "payslip",
    "currency", "frequency", "pay", "period", "date", "tax", "card", "taxable", "income",
})

# (kind, pattern). "info" and "total" lines are kept but never counted.
COST_RULES: list[tuple[str, re.Pattern[str]]] = [
    # A count of hours ("Timer", "Antal timer", "Hours"): never money, whatever column.
    ("hours", re.compile(
        r"^(antal\s+)?(timer|hours|hrs|arbejdstimer|løntimer|præsterede timer)"
        r"(\s+(i alt|total|i perioden|i lønperioden|i år|this period))?\s*:?$", re.I)),
    # AM-bidrag and A-skat withheld from holiday pay on its way to FerieKonto: part of the
    # holiday pay (already a cost), never the month's AM-bidrag or tax, never in the net.
    ("holiday_withholding", re.compile(
        r"(am-bidrag|a-skat|\bskat\b|\bam\b|labou?r market|tax)\b.*\b(af|på|of|on)\s+"
        r"(feriepenge|feriegodtgørelse|ferie|holiday|vacation)", re.I)),
    # Holiday pay sent on to the holiday fund, net of its own AM-bidrag and A-skat: the
    # holiday pay line above it is the cost; counting the transfer too pays it twice.
    ("transfer", re.compile(
        r"(overføres|overført|overførsel|indbetal\w*|transfer\w*)\s+(til|to)\s+"
        r"(feriekonto|ferie|holiday|vacation)", re.I)),
    ("info", re.compile(
        r"(grundlag|basis|berettiget|pensionsgivende|pensionable|til gode|heraf|of which|"
        r"optjent|optjente|earned|feriedage|holiday days|trækprocent|fradrag pr|fradrag i "
        r"perioden|tax rate|deduction per|skattekort|tax card|timesats|hourly rate)", re.I)),
    ("net", re.compile(
        r"(til udbetaling|udbetalt i alt|^udbetalt$|udbetalt nettoløn|udbetales|nettoløn|netto|"
        r"net pay|net salary|"
        r"net amount|amount paid|take[- ]home)", re.I)),
    ("employer_cost_total", re.compile(
        r"(lønomkostning|lønudgift i alt|samlet lønudgift|arbejdsgiverudgift i alt|"
        r"total employer cost|employer cost total|total cost to employer|employer's total cost)",
        re.I)),
    ("gross_total", re.compile(
        r"(bruttoløn|brutto i alt|løn i alt|gross pay|gross salary|gross earnings|total gross|"
        r"gross total|gross wage|\bgross\b)", re.I)),
    # Subtotals and bases ("AM-bidragspligtig indkomst", "A-skattepligtig indkomst"):
    # they repeat the pay lines, so they are never costs, AM-bidrag or tax themselves.
    ("total", re.compile(r"(i alt|total|\bsum\b|subtotal|a-indkomst|b-indkomst|am-indkomst|"
                         r"pligtig|indkomst\b|taxable)", re.I)),
    ("tax", re.compile(r"(a-skat|\bskat\b|\btax\b|income tax|kildeskat)", re.I)),
    ("am_contribution", re.compile(
        r"(am-bidrag|am bidrag|ambidrag|arbejdsmarkedsbidrag|labou?r market contribution|"
        r"am contribution|\bam\b)", re.I)),
    ("special_holiday_allowance", re.compile(
        r"(s(æ|ae)rl\w*\.?\s*feriegodtg|særlige feriedage|særlig ferie|sh-saldo|sh-tillæg|"
        r"\bsh\b(?![- ]?(opsparing|betaling))|special holiday|special vacation)", re.I)),
    ("holiday_pay", re.compile(
        r"(feriepenge|ferietillæg|feriegodtgørelse|ferieløn|ferie|holiday pay|holiday allowance|"
        r"holiday supplement|vacation pay|vacation allowance)", re.I)),
    ("atp", re.compile(r"\batp\b", re.I)),
    ("pension", re.compile(r"pension", re.I)),
    ("other", re.compile(
        # SH-opsparing / søgnehelligdagsbetaling: the employer's savings for public
        # holidays, a wage cost of its own, not særlig feriegodtgørelse.
        r"(fritvalg|frit valg|gruppeliv|forsikring|insurance|group life|barsel|\baes\b|"
        r"sh-opsparing|sh opsparing|sh-betaling|søgnehelligdag|"
        r"arbejdsskade|sundhedsordning|free choice|health scheme|fleksibel|flexible benefit|"
        r"flex benefit|benefits? savings)", re.I)),
    ("salary", re.compile(
        r"(løn|syg|overtid|tillæg|honorar|vederlag|forskudt|genetid|weekend|helligdag|"
        r"wage|salary|sick|pay\b|earnings|overtime|"
        r"hourly|basic|allowance|supplement|\bhours\b|timer\b)", re.I)),
]

# Kinds whose employer/employee split must be decided (the employee's own share is
# withheld from the gross wage and is not a cost on top of it).
SHARED_KINDS = frozenset({"atp", "pension", "other"})

COMPONENTS: tuple[str, ...] = (
    "salary",
    "atp",
    "pension",
    "holiday_pay",
    "special_holiday_allowance",
    "other",
    "am_contribution",
)
# The employer's cost: everything but AM-bidrag, which is withheld from the wage.
EMPLOYER_COST_COMPONENTS: tuple[str, ...] = COMPONENTS[:-1]


# A label that starts with a holiday-pay word is holiday pay, whatever it goes on to
# say about its base ("Feriepenge af ferieberettiget løn 12,5 %").
HOLIDAY_FIRST_RE = re.compile(
    r"^(\d{2,5}\s+)?(feriepenge|feriegodtgørelse|ferietillæg|holiday pay|vacation pay|"
    r"(?P<special>s(æ|ae)rlig feriegodtgørelse|s(æ|ae)rl\.? feriegodtg\w*|special holiday))\b",
    re.I)


@memo.by_text
def classify(label: str) -> str:
    """The kind of a pay line from its label alone, or "unknown"."""
    first = HOLIDAY_FIRST_RE.search(label)
    if first and not re.search(r"(grundlag|basis|base\b)", label, re.I):
        return "special_holiday_allowance" if first.group("special") else "holiday_pay"
    for kind, pattern in COST_RULES:
        if pattern.search(label):
            return kind
    return "unknown"
