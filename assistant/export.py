"""The month's claims as CSV and XLSX for the economy group: one row builder
(:func:`cells`), two writers, for the CLI's `export` and the desk's download.

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
from handlers.claim_status import PAYABLE_STATUSES
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


def cells(row: Row) -> list[Any]:
    """A row's cells in column order, as both files show them: the CPR with its dash,
    Danish status and cost-item names, Ja/Nej, times in Danish time (without a zone);
    amounts stay Decimal and dates date, for each writer to write in its own way."""
    return [_cell(key, row[key]) for key in EXPORT_COLUMNS]


def csv_text(rows: Sequence[Row]) -> str:
    """The CSV, without the byte order mark (the caller writes it: ``utf-8-sig``)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS.values())
    for row in rows:
        writer.writerow([_text(value) for value in cells(row)])
    return out.getvalue()


def csv_bytes(rows: Sequence[Row]) -> bytes:
    return csv_text(rows).encode("utf-8-sig")


def xlsx_bytes(rows: Sequence[Row], month: str = "") -> bytes:
    """The same rows and headers as an Excel workbook: amounts are numbers (two
    decimals shown), dates are dates, so the economy group can sum and sort at once.
    Written in openpyxl's streaming mode (half the time of the in-memory one)."""
    from openpyxl import Workbook  # only the export needs it
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"Refusion {month}".strip()[:31])
    for index, header in enumerate(EXPORT_COLUMNS.values(), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(header) + 2)
    sheet.freeze_panes = "A2"
    sheet.append(list(EXPORT_COLUMNS.values()))
    formats = [_XLSX_FORMATS.get(key) or ("#,##0.00" if key in _AMOUNTS else None)
               for key in EXPORT_COLUMNS]
    for row in rows:
        line: list[Any] = []
        for value, style in zip(cells(row), formats, strict=True):
            if style is None or value is None:
                line.append(value)
                continue
            cell = WriteOnlyCell(sheet, float(value) if isinstance(value, Decimal) else value)
            cell.number_format = style
            line.append(cell)
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_AMOUNTS = frozenset({*COMPONENTS, "employer_cost", "refundable_amount", "hours",
                      "sick_hours", "cap_hours"})
_XLSX_FORMATS = {"period_start": "dd-mm-yyyy", "period_end": "dd-mm-yyyy",
                 "created_at": "dd-mm-yyyy hh:mm:ss"}


def _cell(column: str, value: Any) -> Any:
    if column == "cpr" and value:
        return f"{value[:6]}-{value[6:]}"
    if column == "claimed":
        return ", ".join(COMPONENT_NAMES[k]["da"] if k in COMPONENT_NAMES else k
                         for k in value or ())
    if column == "status":
        return STATUS_DA.get(value, value)
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite drops the zone
        return aware.astimezone(DANISH_TIME).replace(tzinfo=None)
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return str(value)
