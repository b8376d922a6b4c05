"""Dates and periods as written on payslips and in e-mails.

``01.10.2026``, ``01-10-2026``, ``1/10-2026``, ``1/10/2026``, ``2026-10-01``,
``1. oktober 2026``, ``1 October 2026``, ``October 1, 2026``, and a month alone
(``oktober 2026``, ``October 2026``, ``10/2026``, ``2026-10``) meaning the whole month.
Day-first throughout: these are Danish documents.
"""

from __future__ import annotations

import calendar
import itertools
import re
from dataclasses import dataclass
from datetime import date

MONTHS: dict[str, int] = {}
for number, names in enumerate(
    (
        ("januar", "january", "jan"),
        ("februar", "february", "feb"),
        ("marts", "march", "mar"),
        ("april", "apr"),
        ("maj", "may"),
        ("juni", "june", "jun"),
        ("juli", "july", "jul"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("oktober", "october", "okt", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ),
    start=1,
):
    for name in names:
        MONTHS[name] = number

_MONTH = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<y>(?:19|20)\d\d)"

# Order matters: full dates first, so "1. oktober 2026" is not read as "oktober 2026".
_DATE_PATTERNS = [
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?<![\d.])(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>(?:19|20)\d\d)(?!\d)"),
    re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.?\s*" + _MONTH + r"\s+" + _YEAR + r"(?!\d)", re.I),
    re.compile(_MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+" + _YEAR + r"(?!\d)", re.I),
    re.compile(r"(?<![\d.])(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d\d)(?![\d.])"),
]
_MONTH_PATTERNS = [
    re.compile(r"(?<![\w.])" + _MONTH + r"\s+" + _YEAR + r"(?!\d)", re.I),
    re.compile(r"(?<![\d./-])(?P<m>\d{1,2})[/.-](?P<y>(?:19|20)\d\d)(?![\d./-])"),
    re.compile(r"(?<![\d./-])(?P<y>(?:19|20)\d\d)-(?P<m>\d{1,2})(?![\d./-])"),
]


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    first: date
    last: date  # equals first for a single date; month end for a month


def _month_number(match: re.Match[str]) -> int:
    groups = match.groupdict()
    if groups.get("mon"):
        return MONTHS[groups["mon"].lower().rstrip(".")]
    return int(groups["m"])


def _year(raw: str) -> int:
    year = int(raw)
    return year + 2000 if year < 100 else year


def _scan(text: str) -> list[_Found]:
    found: list[_Found] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            try:
                d = date(_year(m.group("y")), _month_number(m), int(m.group("d")))
            except (ValueError, KeyError):
                continue
            taken.append((m.start(), m.end()))
            found.append(_Found(m.start(), m.end(), d, d))
    for pattern in _MONTH_PATTERNS:
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            try:
                y, mo = _year(m.group("y")), _month_number(m)
                first = date(y, mo, 1)
            except (ValueError, KeyError):
                continue
            last = date(y, mo, calendar.monthrange(y, mo)[1])
            taken.append((m.start(), m.end()))
            found.append(_Found(m.start(), m.end(), first, last))
    return sorted(found, key=lambda f: f.start)


def parse_date(text: str) -> date | None:
    """The first full date in ``text`` (a month alone is not a date)."""
    for f in _scan(text):
        if f.first == f.last:
            return f.first
    return None


# "1.-15. oktober 2026": a day range sharing one month and year.
_DAY_RANGE = re.compile(
    r"(?<![\d.])(?P<d1>\d{1,2})\.?\s*[-–]\s*(?P<d>\d{1,2})\.?\s*" + _MONTH + r"\s+" + _YEAR, re.I
)


# "1. oktober - 31. oktober 2026", "15. december til 14. januar 2027": the year once,
# at the end (a start month after the end month lies in the year before).
_MONTH1 = _MONTH.replace("?P<mon>", "?P<mon1>")
_DATE_RANGE_ONE_YEAR = re.compile(
    r"(?<![\d.])(?P<d1>\d{1,2})\.?\s*" + _MONTH1 + r"\s*(?:[-–]|til|to)\s*(?P<d>\d{1,2})\.?\s*"
    + _MONTH + r"\s+" + _YEAR, re.I)


_RANGE_WORD = re.compile(r"\s*(?:[-–—]|til|to)\s*", re.I)


def _range_one_year(text: str) -> Period | None:
    m = _DATE_RANGE_ONE_YEAR.search(text)
    if not m:
        return None
    y, mo1 = int(m.group("y")), MONTHS[m.group("mon1").lower().rstrip(".")]
    mo = _month_number(m)
    try:
        return Period(date(y - 1 if mo1 > mo else y, mo1, int(m.group("d1"))),
                      date(y, mo, int(m.group("d"))))
    except ValueError:
        return None


def parse_period(text: str) -> Period | None:
    """A period in ``text``: two dates (start, end), a day range, or a month alone."""
    ranged = _range_one_year(text)
    if ranged:
        return ranged
    m = _DAY_RANGE.search(text)
    if m:
        try:
            y, mo = int(m.group("y")), _month_number(m)
            return Period(date(y, mo, int(m.group("d1"))), date(y, mo, int(m.group("d"))))
        except ValueError:
            pass
    found = _scan(text)
    if not found:
        return None
    for a, b in itertools.pairwise(found):
        # Two dates joined by a dash or "til" are the period, whatever else the text
        # names ("April 2026 · 01.04.2026–30.04.2026" is not 1 April to 1 April).
        if a.first == a.last and b.first == b.last and a.first <= b.first \
                and _RANGE_WORD.fullmatch(text[a.end:b.start]):
            return Period(a.first, b.last)
    if len(found) >= 2:
        return Period(found[0].first, found[1].last)
    return Period(found[0].first, found[0].last) if found[0].first != found[0].last else None
