"""Money amounts as printed on Danish and English payslips.

``1.234,56`` (Danish), ``1,234.56`` (English), ``-1.234,56``, ``1.234,56-``,
``(1.234,56)``, ``kr. 1.234,56``, ``1.234,56 kr``, ``DKK 1,234.56``.
Decimal, never float: these are sums of money.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from parsers import memo

# A number token: digits with optional thousands groups and decimals, an optional
# sign in front or (Danish payroll style) behind, or accounting parentheses.
AMOUNT_RE = re.compile(
    r"(?<![\w.,])"
    r"(?P<open>\()?"
    r"(?P<lead>[-−–+])?\s?"
    r"(?P<num>\d{1,3}(?:[.,  ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
    r"(?P<trail>-(?!\d))?"
    r"(?P<close>\))?"
    r"(?![\w%]|\s?%|[.,]\d)"
)

CURRENCY_RE = re.compile(r"\b(?:kr\.?|dkk|DKK|Kr\.?)(?=\s|$|\d)|,-$", re.IGNORECASE)


def _to_decimal(num: str) -> Decimal:
    """Decide which of ``.`` and ``,`` is the decimal separator."""
    num = num.replace(" ", "").replace(" ", "")
    last_dot, last_comma = num.rfind("."), num.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_sep = "." if last_dot > last_comma else ","
    elif last_dot >= 0 or last_comma >= 0:
        sep = "." if last_dot >= 0 else ","
        # One separator with exactly three digits after it is a thousands group
        # ("1.234" = 1234); with one or two digits it is the decimal point.
        tail = num.rsplit(sep, 1)[1]
        decimal_sep = sep if num.count(sep) == 1 and len(tail) != 3 else None
    else:
        decimal_sep = None
    if decimal_sep is None:
        return Decimal(num.replace(".", "").replace(",", ""))
    thousands = "," if decimal_sep == "." else "."
    whole, frac = num.replace(thousands, "").rsplit(decimal_sep, 1)
    return Decimal(f"{whole}.{frac}")


@memo.by_text
def parse_amount(text: str) -> Decimal | None:
    """The amount in ``text`` if the whole text is one amount, else None."""
    cleaned = CURRENCY_RE.sub("", text).strip()
    match = AMOUNT_RE.fullmatch(cleaned)
    return _amount_from_match(match) if match else None


def find_amounts(text: str) -> list[Decimal]:
    """Every amount-shaped number in ``text``, in order."""
    cleaned = CURRENCY_RE.sub(" ", text)
    return [a for m in AMOUNT_RE.finditer(cleaned) if (a := _amount_from_match(m)) is not None]


def _amount_from_match(match: re.Match[str]) -> Decimal | None:
    try:
        value = _to_decimal(match.group("num"))
    except InvalidOperation:
        return None
    negative = bool(
        (match.group("lead") and match.group("lead") != "+")
        or match.group("trail")
        or (match.group("open") and match.group("close"))
    )
    return -value if negative else value
