"""A payslip as the desk shows it: page images with a box around each value read.

Reading and rendering are slow (pdfplumber), so both are done once per payslip and
cached on disk under ``[web] cache_directory``, keyed by the PDF's SHA-256: the layout
(page sizes, boxes, checks) as JSON, each page as a PNG. Writes go to a temporary file
that is renamed into place, so two requests never see half a file.

A scan or photo (JPEG, PNG, TIFF, HEIC, or a PDF without a text layer) is read by OCR;
its pages are shown as the OCR saw them (evened out, straightened, upright), so the
reading's boxes fall where they were read.

CPR numbers are covered on the page images (a grey bar over any word that looks like
one): the desk never shows a full CPR number unless the economy group asks for it.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
from PIL import Image, ImageDraw

from parsers import payslip as reader
from parsers.identifiers import mask_cprs
from parsers.payslip import images, ocr
from parsers.payslip.pdfium_lock import PDFIUM_LOCK

RESOLUTION = 110  # dpi: readable on a laptop screen, ~100 KB a page
MAX_PAGES = 20
OCR_SECONDS = 60  # Tesseract's limit per call while rendering a scan (once, then cached)
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
    ocr: bool = False  # a scan or photo: pages rendered from the image the OCR read


class PayslipPages:
    def __init__(self, cache_directory: str | Path) -> None:
        self.root = Path(cache_directory)

    def layout(self, pdf: bytes) -> Layout:
        """The payslip's layout: ``pdf`` is a PDF, or a scan or photo (JPEG, PNG, TIFF,
        HEIC) read by OCR, whose pages are rendered and cached here as well."""
        digest = hashlib.sha256(pdf).hexdigest()
        cached = self.root / f"{digest}.json"
        if cached.exists():
            return _from_json(digest, json.loads(cached.read_text(encoding="utf-8")))
        kind = images.kind_of(pdf)
        data = None if kind in images.IMAGE_KINDS else _read_layout(pdf)
        if data is None or data.get("ocr"):
            data = self._ocr_layout(pdf, digest, kind or "pdf")
        self._write(cached, json.dumps(data).encode())
        return _from_json(digest, data)

    def page_png(self, pdf: bytes, page: int) -> bytes | None:
        """The page as PNG (CPR numbers covered), or None if there is no such page."""
        digest = hashlib.sha256(pdf).hexdigest()
        cached = self.root / f"{digest}-{page}-{RESOLUTION}.png"
        if cached.exists():
            return cached.read_bytes()
        if self.layout(pdf).ocr:  # a scan's pages are rendered with its layout
            return cached.read_bytes() if cached.exists() else None
        png = _render(pdf, page)
        if png is not None:
            self._write(cached, png)
        return png

    def _ocr_layout(self, data: bytes, digest: str, kind: str) -> dict[str, Any]:
        """A scan or photo: its pages as the OCR saw them (evened out, straightened,
        turned upright), downscaled and with CPR numbers covered, and the reading's
        boxes, which are in points of that straightened page (``parsers.payslip.ocr``:
        a photo's page is taken as A4 wide, a scanned PDF's by its own size)."""
        limits = reader.DEFAULT_LIMITS
        try:
            if kind == "pdf":
                pages, _total = images.pdf_pages(data, limits)
            else:
                pages, _total = images.image_pages(data, kind, limits)
            shown = [_upright(page) for page in itertools.islice(pages, MAX_PAGES)]
        except Exception:  # noqa: BLE001 - a damaged image: the claim page says "no payslip"
            shown = []
        sizes = []
        for number, (image, scale) in enumerate(shown):
            sizes.append((image.width * scale, image.height * scale))
            words = ocr.tesseract_words(image, scale, OCR_SECONDS)
            self._write(self.root / f"{digest}-{number}-{RESOLUTION}.png",
                        _scan_png(image, scale, _cpr_boxes(words)))
        slip = reader.read_document(data)
        found = _reading(slip)
        return {"pages": sizes, **found, "ocr": True}

    def _write(self, path: Path, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)


def _read_layout(pdf: bytes) -> dict[str, Any]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        pages = [(float(p.width), float(p.height)) for p in doc.pages[:MAX_PAGES]]
    slip = reader.read(pdf)
    if isinstance(slip, reader.Unreadable) and slip.code == "no_text":
        return {"pages": pages, "ocr": True}  # a scan in a PDF: read as the inbox reads it
    return {"pages": pages, **_reading(slip), "ocr": False}


def _reading(slip: reader.Payslip | reader.Unreadable) -> dict[str, Any]:
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
    return {"boxes": boxes, "checks": checks, "readable": isinstance(slip, reader.Payslip)}


def _upright(page: images.PageImage) -> tuple[Image.Image, float]:
    """The page as ``ocr.read_page`` reads it (the same steps, so the same angles) and its
    points per pixel: the reading's boxes are in points of this image."""
    image = ocr.flatten_illumination(page.image)
    skew = ocr.skew_angle(image)
    if abs(skew) >= 0.1:
        image = image.rotate(skew, expand=True, resample=Image.Resampling.BICUBIC,
                             fillcolor=255)
    rotation = ocr.orientation(image, OCR_SECONDS)
    if rotation:
        image = image.rotate(-rotation, expand=True, fillcolor=255)
    return image, page.points_per_pixel or images.A4_WIDTH_PT / image.width


def _scan_png(image: Image.Image, scale: float,
              cprs: list[tuple[float, float, float, float]]) -> bytes:
    """The page downscaled to the PDF pages' resolution, CPR numbers covered."""
    factor = min(1.0, RESOLUTION / 72 * scale)  # pixels per pixel at RESOLUTION dpi
    shown = image.convert("RGB")
    if factor < 1.0:
        shown = shown.resize((max(1, round(image.width * factor)),
                              max(1, round(image.height * factor))), Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(shown)
    per_point = shown.width / (image.width * scale)
    for x0, top, x1, bottom in cprs:
        draw.rectangle(((x0 - 1) * per_point, (top - 1) * per_point,
                        (x1 + 1) * per_point, (bottom + 1) * per_point), fill=(120, 120, 120))
    out = io.BytesIO()
    shown.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _box(source: reader.Source, label: str, kind: str) -> dict[str, Any]:
    return {"page": source.page, "x0": source.x0, "top": source.top, "x1": source.x1,
            "bottom": source.bottom, "label": label, "kind": kind,
            "text": mask_cprs(source.text)}


def _from_json(digest: str, data: dict[str, Any]) -> Layout:
    return Layout(digest, tuple((w, h) for w, h in data["pages"]),
                  tuple(Box(**b) for b in data["boxes"]), tuple(data["checks"]),
                  bool(data["readable"]), bool(data.get("ocr", False)))


def _render(pdf: bytes, number: int) -> bytes | None:
    # pdfplumber renders with PDFium, which is not thread-safe; the desk serves requests
    # from several threads and reads payslips with PDFium too.
    with PDFIUM_LOCK, pdfplumber.open(io.BytesIO(pdf)) as doc:
        if not 0 <= number < min(len(doc.pages), MAX_PAGES):
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
