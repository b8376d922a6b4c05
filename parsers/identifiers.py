"""Danish identifiers: CPR (personnummer) and CVR (virksomhedsnummer).

Pure functions; no clock. The check whether a birth date lies in the future
needs today's date and therefore lives in ``handlers.validation``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum.dk import cpr as stdnum_cpr
from stdnum.dk import cvr as stdnum_cvr
from stdnum.exceptions import ValidationError

# Ten digits, optionally with a hyphen (or space) after the sixth. Word boundaries
# keep it from matching inside longer digit runs (account numbers, phone numbers); a
# short suffix is allowed, as in a lønnummer "DDMMYY-SSSS-NNN" that holds the CPR.
CPR_RE = re.compile(r"(?<![\d-])(\d{6})[ ‐‑–-]?(\d{4})(?!\d)(?!-(?!\d{1,3}(?!\d)))")
# Eight digits, optionally written in pairs or 4+4 with spaces ("12 34 56 78").
CVR_RE = re.compile(r"(?<!\d)(\d{2} ?\d{2} ?\d{2} ?\d{2})(?!\d)")

# Substitute CPR numbers (erstatningspersonnumre) add 60 to the day of birth.
SUBSTITUTE_DAY_OFFSET = 60


@dataclass(frozen=True)
class Cpr:
    """A CPR number that has a real embedded birth date."""

    digits: str  # ten digits, no hyphen
    birth_date: date
    substitute: bool  # a substitute (erstatnings-) number: warn, never reject

    @property
    def formatted(self) -> str:
        return f"{self.digits[:6]}-{self.digits[6:]}"

    @property
    def masked(self) -> str:
        return mask_cpr(self.digits)

    @property
    def modulus11_ok(self) -> bool:
        """Informational only: since 2007 valid CPR numbers may fail mod-11."""
        weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
        return sum(int(d) * w for d, w in zip(self.digits, weights, strict=True)) % 11 == 0


class IdentifierError(ValueError):
    """An identifier is present but wrong; the message says why."""


def compact_digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def parse_cpr(text: str) -> Cpr:
    """Read a CPR number written ``DDMMYY-SSSS`` or ``DDMMYYSSSS``.

    Raises IdentifierError with a reason a person can act on.
    """
    digits = compact_digits(text)
    if len(digits) != 10:
        raise IdentifierError(f"a CPR number has 10 digits, found {len(digits)}")
    day = int(digits[:2])
    substitute = day > SUBSTITUTE_DAY_OFFSET
    real = digits
    if substitute:
        real = f"{day - SUBSTITUTE_DAY_OFFSET:02d}{digits[2:]}"
    try:
        birth = stdnum_cpr.get_birth_date(real)
    except ValidationError:
        raise IdentifierError(
            f"the first six digits {digits[:6]} are not a real date (DDMMYY)"
        ) from None
    return Cpr(digits=digits, birth_date=birth, substitute=substitute)


def find_cpr(text: str) -> str | None:
    """The first CPR-shaped run of digits in ``text`` (not validated)."""
    match = CPR_RE.search(text)
    return match.group(1) + match.group(2) if match else None


def mask_cpr(cpr: str) -> str:
    """``DDMMYY-xxxx``: the only form of a CPR allowed outside the database and export."""
    digits = compact_digits(cpr)
    if len(digits) < 6:
        return "xxxxxx-xxxx"
    return f"{digits[:6]}-xxxx"


# For masking, wider than for reading: any ten digits (with or without the hyphen) not
# inside a longer run of digits. Masking an account number by mistake costs nothing;
# missing a CPR ("120864-1234-001", "120864-1234-") leaks one.
_MASK_RE = re.compile(r"(?<!\d)(\d{6})[ ‐‑–-]?(\d{4})(?!\d)")


def mask_cprs(text: str) -> str:
    """``text`` with every CPR-shaped number in it masked (``DDMMYY-xxxx``)."""
    return _MASK_RE.sub(lambda m: f"{m.group(1)}-xxxx", text)


def parse_cvr(text: str) -> str:
    """Read a CVR number (8 digits, first not 0, modulus 11); return the 8 digits."""
    digits = compact_digits(text)
    if len(digits) != 8:
        raise IdentifierError(f"a CVR number has 8 digits, found {len(digits)}")
    if digits[0] == "0":
        raise IdentifierError("a CVR number never starts with 0")
    try:
        return stdnum_cvr.validate(digits)
    except ValidationError:
        raise IdentifierError(
            f"CVR {digits} fails the modulus-11 check; check for a typing error"
        ) from None


def find_cvr(text: str) -> str | None:
    """The first CVR-shaped run of 8 digits in ``text`` (not validated)."""
    match = CVR_RE.search(text)
    return compact_digits(match.group(1)) if match else None
