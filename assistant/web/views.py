"""Read models for the desk's pages: one function per page, plain data out.

The rows are built in :mod:`assistant.read_models`, once for the desk and the CLI; this
module names them for the pages and draws the pool chart. Only reads; every change goes
through the use cases (``assistant.decisions``, ``assistant.intakes``). CPR numbers
leave masked, except in :func:`export_csv`, the economy group's bookkeeping file.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from assistant.export import month_rows, xlsx_bytes
from assistant.read_models import (
    ClaimList,
    ClaimPage,
    PoolView,
    Today,
    WorkplaceRow,
    audit_page,
    claim_list,
    claim_page,
    export_csv,
    export_rows,
    export_totals,
    followup_sent,
    masked,
    month_span,
    pool_view,
    sick_days_near,
    submitted_intakes,
    today_view,
    workplace_choices,
    workplaces_view,
)
from handlers.claim_status import CLAIM_STATUSES
from handlers.summary import kr
from handlers.texts import Language
from parsers.labels import COMPONENTS

STATUSES = CLAIM_STATUSES


def pool_chart(series: list[tuple[date, Decimal]], pool_hours: Decimal,
               lang: str = "da") -> dict[str, Any]:
    """Bars for a server-rendered SVG: geometry only, the template draws it."""
    shown_in: Language = "en" if lang == "en" else "da"
    width, height, left, bottom = 760, 220, 40, 24
    plot_h = height - bottom - 10
    bar_w = (width - left) / max(1, len(series))
    bars = []
    for i, (day, hours) in enumerate(series):
        h = float(hours) / float(pool_hours) * plot_h if pool_hours else 0
        bars.append({"x": round(left + i * bar_w, 1), "y": round(10 + plot_h - h, 1),
                     "w": round(bar_w * 0.8, 1), "h": round(h, 1),
                     "title": f"{day.strftime('%d.%m.%Y')}: {kr(hours, shown_in)}",
                     "label": day.strftime("%m/%y") if day.day <= 7 else ""})
    ticks = [{"y": round(10 + plot_h - plot_h * f, 1), "text": f"{float(pool_hours) * f:g}"}
             for f in (0, 0.25, 0.5, 0.75, 1)]
    return {"width": width, "height": height, "left": left, "base": 10 + plot_h,
            "bars": bars, "ticks": ticks}


# Writing a workbook costs ~0.3 s for a month of 700 claims; the same rows give the same
# file, so the last few are kept in memory (never on disk: they hold full CPR numbers),
# keyed by a hash of the rows: a claim that changes makes a new file.
_XLSX_KEPT = 4
_xlsx_files: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_xlsx_lock = threading.Lock()


def export_xlsx(db: Session, month: str) -> tuple[bytes, int]:
    """The month's file as an Excel workbook: the same rows (``assistant.export``)."""
    span = month_span(month)
    rows = month_rows(db, *span) if span else []
    key = (month, hashlib.sha256(repr(rows).encode()).hexdigest())
    with _xlsx_lock:
        data = _xlsx_files.get(key)
        if data is not None:
            _xlsx_files.move_to_end(key)
            return data, len(rows)
    data = xlsx_bytes(rows, month)
    with _xlsx_lock:
        _xlsx_files[key] = data
        while len(_xlsx_files) > _XLSX_KEPT:
            _xlsx_files.popitem(last=False)
    return data, len(rows)


__all__ = ["COMPONENTS", "STATUSES", "ClaimList", "ClaimPage", "PoolView", "Today",
           "WorkplaceRow", "audit_page", "claim_list", "claim_page", "export_csv",
           "export_rows", "export_totals", "export_xlsx", "followup_sent", "masked", "month_span",
           "pool_chart", "pool_view", "sick_days_near", "submitted_intakes", "today_view",
           "workplace_choices", "workplaces_view"]
