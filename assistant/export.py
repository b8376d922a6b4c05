"""The month's claims as CSV for the economy group: one writer for the CLI's `export`
and the desk's download.

The file is read in Danish Excel: ";" between fields, decimal comma, a UTF-8 byte order
mark (without it Excel reads æøå as cp1252), Danish headers, Ja/Nej, dates dd-mm-åååå
and times in Danish time. It holds full CPR numbers: the CLI writes it owner-only, the
desk hands it only to the economy group and audits the download.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from assistant.models import Claim
from handlers.summary import COMPONENT_NAMES
from parsers.labels import COMPONENTS

# Column -> header, in the order written.
EXPORT_COLUMNS: dict[str, str] = {
    "reference": "Reference", "status": "Status", "period_start": "Periode fra",
    "period_end": "Periode til", "cvr": "CVR-nr.", "employer_name": "Arbejdsgiver",
    "employee_name": "Medarbejder", "cpr": "CPR-nr.", "hours": "Timer",
    "sick_hours": "Sygetimer",
    **{key: COMPONENT_NAMES[key]["da"] for key in COMPONENTS},
    "employer_cost": "Lønudgift i alt", "cap_hours": "Timeloft",
    "capped": "Nedsat til timeloftet", "refundable_amount": "Refusionsberettiget beløb",
    "claimed": "Søgt dækning af", "created_at": "Modtaget",
}
# What the economy group pays from: validated claims, and those it has marked paid.
PAYABLE_STATUSES = ("validated", "paid")
STATUS_DA = {"validated": "valideret", "paid": "udbetalt", "incomplete": "ufuldstændig",
             "invalid": "ugyldig", "needs_review": "til gennemsyn", "rejected": "afvist"}
DANISH_TIME = ZoneInfo("Europe/Copenhagen")

Row = dict[str, Any]


def month_rows(db: Session, start: date, end: date,
               statuses: Sequence[str] | None = PAYABLE_STATUSES) -> list[Row]:
    """The claims whose period starts in [start, end), oldest first, as plain rows (the
    columns only: a month can hold thousands of claims). ``statuses`` None: every one."""
    query = select(*(getattr(Claim, key) for key in EXPORT_COLUMNS)).where(  # type: ignore[call-overload]
        col(Claim.period_start) >= start, col(Claim.period_start) < end)
    if statuses is not None:
        query = query.where(col(Claim.status).in_(statuses))
    return [dict(zip(EXPORT_COLUMNS, row, strict=True))
            for row in db.exec(query.order_by(col(Claim.id))).all()]


def csv_text(rows: Sequence[Row]) -> str:
    """The CSV, without the byte order mark (the caller writes it: ``utf-8-sig``)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS.values())
    for row in rows:
        writer.writerow([_value(key, row[key]) for key in EXPORT_COLUMNS])
    return out.getvalue()


def csv_bytes(rows: Sequence[Row]) -> bytes:
    return csv_text(rows).encode("utf-8-sig")


def _value(column: str, value: Any) -> str:
    if column == "cpr" and value:
        return f"{value[:6]}-{value[6:]}"
    if column == "claimed":
        return ", ".join(COMPONENT_NAMES[k]["da"] if k in COMPONENT_NAMES else k
                         for k in value or ())
    if column == "status":
        return STATUS_DA.get(value, value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite drops the zone
        return aware.astimezone(DANISH_TIME).strftime("%d-%m-%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return str(value)
