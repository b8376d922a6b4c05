"""Claim fields written in the body of a claim e-mail (Danish or English).

Workplaces often write the required fields in the mail itself instead of (or beside)
the payslip: "Navn: ...", "CPR-nr.: ...", "CVR: ...", "Periode: ...", "Beløb: ...",
and a sentence saying what is claimed ("Vi søger refusion for løn, ATP og pension").

Labels are read with or without a colon, with the value on the same line or on the
next line, and several on one line ("Navn: Hans Jensen, CPR 010190-1234"). Quoted
reply text (``>``) and signatures (after ``-- ``) are not read for fields; a
forwarded-message marker ends a signature, since the forwarded claim follows it.

Pure: text in, ``ClaimText`` out. Values are as found, not validated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from parsers.amounts import find_amounts
from parsers.dates import MONTHS, Period, parse_period
from parsers.identifiers import CPR_RE, find_cpr, find_cvr, mask_cprs
from parsers.labels import COMPONENTS

# "-nr.", " nummer", ".nr" after CPR / CVR / SE.
_NR = r"(?:[\s.-]*(?:nummer|number|nr|no)\b\.?)?"
LABELS: dict[str, str] = {
    "employee_name": (
        r"den ansattes navn|den ansatte|medarbejderens navn|medarbejdernavn|medarbejder|"
        r"lønmodtagerens navn|lønmodtager|borgerens navn|borger|employee'?s? name|employee|"
        r"navn|name"),
    "cpr": rf"cpr{_NR}|personnummer|person[\s.-]*nr\.?|civil registration number",
    "employer_name": (
        r"arbejdsgiverens navn|arbejdsgivers navn|arbejdsgiver|virksomhedens navn|"
        r"virksomhedsnavn|virksomhed|firmanavn|firma|employer'?s? name|employer|company name|"
        r"company"),
    # "CVR/SE-nr." names the CVR (for most firms they are the same number).
    "cvr": rf"cvr(?:[\s/-]*se)?{_NR}|virksomhedsnummer",
    "se": rf"se{_NR}",  # read only so that its number is never taken as the CVR
    "period": (
        r"refusionsberettiget periode|refusionsperiode|lønperiode|afregningsperiode|periode|"
        r"pay period|claim period|period"),
    "amount": (
        r"refusionsberettiget beløb|refusionsbeløb(?:et)?|refusion i alt|beløb i alt|"
        r"beløb(?:et)?|i alt|refund amount|amount claimed|total amount|amount|total"),
    "hours": r"antal timer|timer i alt|timer|hours worked|hours",
}
LABEL_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(f"(?P<{name}>{rx})" for name, rx in LABELS.items()) + r")(?!\w)",
    re.I)
# Labels distinctive enough to count anywhere in a line when a number follows.
_ID_LABELS = frozenset({"cpr", "cvr", "se"})
_NUMBER_AFTER = re.compile(r"[\s:.#=-]*\d")
_COLON_AFTER = re.compile(r"\s*[:=]")
# Another label may start a new segment mid-line only after a separator ("..., CPR: ").
_SEGMENT_START = re.compile(r"(?:[,;|(\t]|\s{2,}|\.\s)\s*$")
_VALUE_LEAD = re.compile(r"^[\s:=#.–-]+")
_VALUE_TAIL = re.compile(r"[\s,;|]+$")

# Amount labels from the most to the least specific: "Refusionsbeløb" beats "I alt".
_AMOUNT_RANK = (
    (re.compile(r"refusion|refund|claimed", re.I), 0),
    (re.compile(r"beløb|amount", re.I), 1),
)

_QUOTED = re.compile(r"^\s*>")
_REPLY_INTRO = re.compile(
    r"^\s*(?:on|den|d\.|le|am)\b.{0,200}\b(?:wrote|skrev|a écrit|schrieb)\s*:\s*$", re.I)
# After these a forwarded or original message follows: a signature above has ended.
_RESUME = re.compile(
    r"^\s*(?:-{2,}\s*(?:forwarded message|videresendt (?:meddelelse|besked|mail)|"
    r"original message|oprindelig (?:meddelelse|besked))\s*-{2,}|begin forwarded message:?|"
    r"start på videresendt (?:meddelelse|besked):?)\s*$", re.I)
# CPR-shaped numbers on these lines are phone or account numbers.
_NOT_CPR_LINE = re.compile(
    r"tlf|telefon|phone|mobil|fax|konto|reg\.?\s*nr|regnr|registreringsnummer|account|iban|"
    r"bank|\bean\b", re.I)
_HOURS_NUMBER = re.compile(r"\d+(?:[.,]\d+)?\s*(?:timer|time|t\.|hours|hrs|h)(?!\w)", re.I)
_MONTH_YEAR = re.compile(
    r"(?<!\w)(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?\s+(?:19|20)\d\d",
    re.I)
_NAME_PARTICLES = frozenset({"af", "de", "van", "von", "der", "den", "la", "le", "da", "di"})

# -- what is claimed ------------------------------------------------------------------

_CUE = re.compile(
    r"\b(?:an)?søg\w*|\brefusion\w*|\bdæk(?:ning|ke|kes|ket)\w*|\btilskud\w*|\bclaim\w*|"
    r"\brefund\w*|\breimburs\w*", re.I)
# Cues that make a sentence a claim even when it names no cost item.
_CLAIM_VERB = re.compile(
    r"\b(?:an)?søg(?:er|es|t|te)?\b|\bansøgning\w*|\bdækning\b|\bclaim(?:s|ing)?\b|"
    r"\bapply\b|\brequest\b", re.I)
# Order matters: the specific "særlig feriegodtgørelse" is taken out before "feriegodtgørelse".
_ITEMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rx, re.I)) for kind, rx in (
        ("special_holiday_allowance",
         r"særlige?\s+feriegodtgørelse\w*|særlige?\s+feriedage|særlige?\s+ferie\w*|"
         r"special\s+holiday(?:\s+(?:allowance|pay))?|\bsh[- ](?:tillæg|opsparing|konto)"),
        ("holiday_pay",
         r"ferie(?:penge|tillæg|godtgørelse|løn)\w*|\bferie\b|"
         r"holiday\s+(?:pay|allowance|supplement)|vacation\s+pay"),
        ("am_contribution",
         r"\bam[- ]?bidrag\w*|arbejdsmarkedsbidrag\w*|labou?r[- ]market\s+contributions?|"
         r"\bam\s+contributions?"),
        ("atp", r"\batp\b"),
        ("pension", r"pension\w*"),
        ("other",
         r"fritvalg\w*|frit\s+valg\w*|gruppeliv\w*|forsikring\w*|insurance|group\s+life"),
        ("salary",
         r"\b(?:time|brutto|grund|syge)?løn(?:nen|ninger|ningen)?\b|\bwages?\b|\bsalary\b|"
         r"\bsalaries\b|\bhourly\s+pay\b|\bgross\s+pay\b"),
    ))
# "alle lønudgifter", "all wage costs": every cost item.
_ALL_COSTS = re.compile(
    r"\b(?:alle|samtlige|samlede|fulde|hele)\s+(?:løn)?(?:udgifter|omkostninger)\w*|"
    r"\ball\s+(?:the\s+)?(?:wage|salary|payroll)?\s*costs?\b|\bfull\s+(?:wage|salary)\s+costs?\b",
    re.I)
# "lønudgifter" with no item named: the wage costs, i.e. every cost item.
_WAGE_COSTS = re.compile(
    r"lønudgift\w*|lønomkostning\w*|\b(?:wage|salary|payroll)\s+costs?\b", re.I)
_EXCEPT = re.compile(
    r"\b(?:undtagen|ekskl\.?|eksklusive?|except|excluding|men ikke|but not|dog ikke)(?!\w)",
    re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ\"'])")
MAX_STATEMENT_CHARS = 500


@dataclass(frozen=True)
class ClaimText:
    employee_name: str | None = None
    cpr: str | None = field(default=None, repr=False)  # ten digits, unvalidated
    employer_name: str | None = None
    cvr: str | None = None  # eight digits, unvalidated; never an SE number
    period_start: date | None = None
    period_end: date | None = None
    amount: Decimal | None = None  # the refund amount the workplace states
    hours: Decimal | None = None
    claimed: tuple[str, ...] = ()  # cost kinds from parsers.labels.COMPONENTS, in that order
    claim_statement: str | None = None  # the sentence saying what is claimed, CPR masked

    @property
    def has_claim_fields(self) -> bool:
        return any((self.employee_name, self.cpr, self.cvr, self.period_start,
                    self.amount is not None, self.claimed))


@dataclass(frozen=True)
class _Segment:
    field: str
    label: str
    value: str
    colon: bool  # the label was followed by ":" (so the value need not look like one)
    at_start: bool  # the label begins the line


def read(text: str) -> ClaimText:
    """The claim fields stated in a mail body. Never raises; missing fields are None."""
    lines = list(_readable_lines(text))
    segments = [_segments(line) for line in lines]
    found = _labelled_values(lines, segments)
    sentences = _sentences(lines, segments)
    claimed, statement = _claim(sentences)
    period = found.get("period")
    if period is None:  # "Vi søger refusion af løn for oktober 2026."
        period = next((p for s in sentences if _CUE.search(s) and (p := parse_period(s))), None)
    return ClaimText(
        employee_name=found.get("employee_name"),
        cpr=found.get("cpr") or _unlabelled_cpr(lines, segments),
        employer_name=found.get("employer_name"),
        cvr=found.get("cvr"),
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        amount=found.get("amount"),
        hours=found.get("hours"),
        claimed=claimed,
        claim_statement=_masked(statement) if statement else None,
    )


# -- lines ----------------------------------------------------------------------------


def _readable_lines(text: str) -> Iterator[str]:
    """The body's lines without quoted replies and signatures ("" keeps paragraph breaks)."""
    in_signature = False
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _RESUME.match(line):
            in_signature = False
            yield ""
        elif line.rstrip() == "--":  # "-- " (RFC 3676), often sent without its space
            in_signature = True
        elif in_signature or _QUOTED.match(line) or _REPLY_INTRO.match(line):
            yield ""
        else:
            yield line


def _segments(line: str) -> list[_Segment]:
    """Label/value pairs in one line, in order."""
    starts = []
    for match in LABEL_RE.finditer(line):
        name = match.lastgroup or ""
        before, after = line[: match.start()], line[match.end():]
        at_start = not before.strip(" \t-*•·")
        if (at_start
                or (name in _ID_LABELS and _NUMBER_AFTER.match(after))
                or (_COLON_AFTER.match(after) and _SEGMENT_START.search(before))):
            starts.append(match)
    segments = []
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(line)
        raw = line[match.end(): end]
        value = _VALUE_TAIL.sub("", _VALUE_LEAD.sub("", raw))
        colon = bool(_COLON_AFTER.match(raw))
        at_start = not line[: match.start()].strip(" \t-*•·")
        segments.append(_Segment(match.lastgroup or "", match.group(0), value, colon, at_start))
    return segments


def _next_value(lines: list[str], segments: list[list[_Segment]], index: int) -> str:
    """The value written on the line after a bare label ("CPR-nr.:" / "010190-1234")."""
    for j in range(index + 1, min(index + 4, len(lines))):
        if not lines[j].strip():
            continue
        starts_with_label = bool(segments[j]) and segments[j][0].at_start
        return "" if starts_with_label else lines[j].strip()
    return ""


# -- labelled fields ------------------------------------------------------------------


def _labelled_values(lines: list[str], segments: list[list[_Segment]]) -> dict[str, Any]:
    """First readable value per field; for the amount the most specific label wins."""
    found: dict[str, Any] = {}
    amount_rank = 99
    for index, line_segments in enumerate(segments):
        for k, seg in enumerate(line_segments):
            value, colon = seg.value, seg.colon
            if not value and k == len(line_segments) - 1:
                value, colon = _next_value(lines, segments, index), True
            parsed = _PARSERS[seg.field](value, colon) if value else None
            if parsed is None:
                continue
            if seg.field == "amount":
                rank = _amount_rank(seg.label)
                if rank < amount_rank:
                    found["amount"], amount_rank = parsed, rank
            elif seg.field not in found:
                found[seg.field] = parsed
    return found


def _amount_rank(label: str) -> int:
    return next((rank for rx, rank in _AMOUNT_RANK if rx.search(label)), 2)


def _person_name(value: str, colon: bool) -> str | None:
    name = re.split(r"[(,;|\t]| [-–] ", value)[0].strip(" .:")
    words = name.split()
    if not words or len(words) > 6 or len(name) > 80:
        return None
    if any(c.isdigit() for c in name) or "@" in name or not any(c.isalpha() for c in name):
        return None
    # Without a colon "Medarbejder Hans Jensen" must look like a name, not like prose.
    if not colon and not all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in words):
        return None
    return " ".join(words)


def _company_name(value: str, colon: bool) -> str | None:
    name = re.split(r"[(,;|\t]| [-–] ", value)[0].strip(" .:")
    words = name.split()
    if not words or len(words) > 10 or len(name) > 100 or "@" in name:
        return None
    if not any(c.isalpha() for c in name) or (not colon and not name[0].isupper()):
        return None
    return " ".join(words)


def _cpr(value: str, colon: bool) -> str | None:
    digits = find_cpr(value)
    return digits if digits and digits.isascii() else None


def _cvr(value: str, colon: bool) -> str | None:
    digits = find_cvr(value)
    return digits if digits and digits.isascii() else None


def _period(value: str, colon: bool) -> Period | None:
    return parse_period(value)


def _number(value: str) -> Decimal | None:
    amounts = find_amounts(value)
    return amounts[0] if amounts else None


def _amount(value: str, colon: bool) -> Decimal | None:
    if not colon and ":" in value:  # "Beløb for oktober 2026: 4.567,89"
        value = value.split(":", 1)[1]
    # "oktober 2026" and "20 timer" are numbers, not the amount.
    return _number(_HOURS_NUMBER.sub(" ", _MONTH_YEAR.sub(" ", value)))


def _hours(value: str, colon: bool) -> Decimal | None:
    return _number(_MONTH_YEAR.sub(" ", value))


_PARSERS = {
    "employee_name": _person_name,
    "employer_name": _company_name,
    "cpr": _cpr,
    "cvr": _cvr,
    "se": lambda value, colon: None,
    "period": _period,
    "amount": _amount,
    "hours": _hours,
}


def _unlabelled_cpr(lines: list[str], segments: list[list[_Segment]]) -> str | None:
    """A CPR-shaped number without a label ("Hans Jensen 010190-1234"), skipping phone,
    account, CVR and SE lines and numbers whose first six digits cannot be a date."""
    for line, line_segments in zip(lines, segments, strict=True):
        if _NOT_CPR_LINE.search(line) or any(s.field in _ID_LABELS for s in line_segments):
            continue
        for match in CPR_RE.finditer(line):
            digits = match.group(1) + match.group(2)
            if digits.isascii() and _could_be_birth_date(digits):
                return digits
    return None


def _could_be_birth_date(digits: str) -> bool:
    day, month = int(digits[:2]), int(digits[2:4])
    # Substitute CPR numbers add 60 to the day.
    return (1 <= day <= 31 or 61 <= day <= 91) and 1 <= month <= 12


# -- what is claimed ------------------------------------------------------------------


def _sentences(lines: list[str], segments: list[list[_Segment]]) -> list[str]:
    """Sentences of the prose; a labelled line is a sentence of its own."""
    units: list[str] = []
    paragraph: list[str] = []
    after_bare_label = False  # this line is the value of "Periode:" on the line above
    for line, line_segments in zip(lines, segments, strict=True):
        stripped = line.strip()
        labelled = bool(line_segments) and line_segments[0].at_start
        if not stripped or labelled or after_bare_label:
            units.append(" ".join(paragraph))
            paragraph = []
            units.append(stripped)
        else:
            paragraph.append(stripped)
        if stripped:
            after_bare_label = labelled and not line_segments[-1].value
    units.append(" ".join(paragraph))
    return [s for unit in units if unit for s in _SENTENCE_END.split(unit)]


def _claim(sentences: list[str]) -> tuple[tuple[str, ...], str | None]:
    """The claimed cost kinds (from every claim sentence) and the first claim sentence."""
    kinds: set[str] = set()
    statement = None
    fallback = None
    for sentence in sentences:
        if not _CUE.search(sentence):
            continue
        found = _claimed_kinds(sentence)
        if found:
            kinds |= found
            statement = statement or sentence
        elif fallback is None and _CLAIM_VERB.search(sentence):
            fallback = sentence
    ordered = tuple(kind for kind in COMPONENTS if kind in kinds)
    return ordered, statement or fallback


def _claimed_kinds(sentence: str) -> set[str]:
    """Kinds one sentence claims: named items, or all for "alle lønudgifter", minus the
    items after "undtagen" / "except"."""
    head, *rest = _EXCEPT.split(sentence, maxsplit=1)
    tail = rest[0] if rest else ""
    kinds = _named_items(head)
    if _ALL_COSTS.search(head) or (not kinds and _WAGE_COSTS.search(head)):
        kinds = set(COMPONENTS)
    return kinds - _named_items(tail)


def _named_items(text: str) -> set[str]:
    kinds = set()
    for kind, pattern in _ITEMS:
        if pattern.search(text):
            kinds.add(kind)
            text = pattern.sub(" ", text)  # "særlig feriegodtgørelse" is not holiday pay too
    return kinds


def _masked(statement: str) -> str:
    text = mask_cprs(statement)
    return text if len(text) <= MAX_STATEMENT_CHARS else text[: MAX_STATEMENT_CHARS - 1] + "…"
