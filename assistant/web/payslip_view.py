"""A payslip as the desk shows it: page images with a box around each value read.

Reading and rendering are slow (pdfplumber), so both are done once per payslip and
cached on disk under ``[web] cache_directory``, keyed by the PDF's SHA-256: the layout
(page sizes, boxes, checks) as JSON, each page as a PNG. Writes go to a temporary file
that is renamed into place, so two requests never see half a file.

CPR numbers are covered on the page images (a grey bar over any word that looks like
one): the desk never shows a full CPR number unless the economy group asks for it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber

from parsers import payslip as reader
from parsers.identifiers import mask_cprs

RESOLUTION = 110  # dpi: readable on a laptop screen, ~100 KB a page
_CPR_WORD = re.compile(r"\d{6}[ ‐‑–-]?\d{4}")


@dataclass(frozen=True)
class Box:
    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    label: str  # a field name or a pay line's kind
    kind: str  # "field" or "line"
    text: str  # what stood there, CPR numbers masked


@dataclass(frozen=True)
class Layout:
    digest: str
    pages: tuple[tuple[float, float], ...]  # (width, height) in PDF points
    boxes: tuple[Box, ...]
    checks: tuple[dict[str, Any], ...]  # {check, ok, detail, values}
    readable: bool


class PayslipPages:
    def __init__(self, cache_directory: str | Path) -> None:
        self.root = Path(cache_directory)

    def layout(self, pdf: bytes) -> Layout:
        digest = hashlib.sha256(pdf).hexdigest()
        cached = self.root / f"{digest}.json"
        if cached.exists():
            return _from_json(digest, json.loads(cached.read_text(encoding="utf-8")))
        data = _read_layout(pdf)
        self._write(cached, json.dumps(data).encode())
        return _from_json(digest, data)

    def page_png(self, pdf: bytes, page: int) -> bytes | None:
        """The page as PNG (CPR numbers covered), or None if there is no such page."""
        digest = hashlib.sha256(pdf).hexdigest()
        cached = self.root / f"{digest}-{page}-{RESOLUTION}.png"
        if cached.exists():
            return cached.read_bytes()
        png = _render(pdf, page)
        if png is not None:
            self._write(cached, png)
        return png

    def _write(self, path: Path, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)


def _read_layout(pdf: bytes) -> dict[str, Any]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        pages = [(float(p.width), float(p.height)) for p in doc.pages[:20]]
    slip = reader.read(pdf)
    boxes: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    if isinstance(slip, reader.Payslip):
        for name, source in slip.sources.items():
            boxes.append(_box(source, name, "field"))
        for line in slip.lines:
            if line.source is not None:
                boxes.append(_box(line.source, line.kind, "line"))
        checks = [{"check": c.check, "ok": c.ok, "detail": c.detail, "values": dict(c.values)}
                  for c in slip.checks]
    return {"pages": pages, "boxes": boxes, "checks": checks,
            "readable": isinstance(slip, reader.Payslip)}


def _box(source: reader.Source, label: str, kind: str) -> dict[str, Any]:
    return {"page": source.page, "x0": source.x0, "top": source.top, "x1": source.x1,
            "bottom": source.bottom, "label": label, "kind": kind,
            "text": mask_cprs(source.text)}


def _from_json(digest: str, data: dict[str, Any]) -> Layout:
    return Layout(digest, tuple((w, h) for w, h in data["pages"]),
                  tuple(Box(**b) for b in data["boxes"]), tuple(data["checks"]),
                  bool(data["readable"]))


def _render(pdf: bytes, number: int) -> bytes | None:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        if not 0 <= number < min(len(doc.pages), 20):
            return None
        page = doc.pages[number]
        image = page.to_image(resolution=RESOLUTION)
        for x0, top, x1, bottom in _cpr_boxes(page.extract_words()):
            image.draw_rect((x0 - 1, top - 1, x1 + 1, bottom + 1),
                            fill=(120, 120, 120, 255), stroke=(120, 120, 120, 255))
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()


def _cpr_boxes(words: list[dict[str, Any]]) -> list[tuple[float, float, float, float]]:
    """Where a CPR number stands: one word (``250889-2325``) or two (``250889 2325``)."""
    boxes = []
    for i, word in enumerate(words):
        if _CPR_WORD.search(word["text"]):
            boxes.append((word["x0"], word["top"], word["x1"], word["bottom"]))
        elif re.search(r"\d{6}$", word["text"]) and i + 1 < len(words):
            after = words[i + 1]
            if re.match(r"^\d{4}(?!\d)", after["text"]) and abs(after["top"] - word["top"]) < 2:
                boxes.append((word["x0"], word["top"], after["x1"], after["bottom"]))
    return boxes
