"""Page images to words with positions, by Tesseract (pytesseract), for the layout reader.

One reader, one set of rules: this module only turns pixels into the same word dicts
pdfplumber's ``extract_words`` gives (text, x0, x1, top, bottom in PDF points), plus
each word's confidence. Before Tesseract reads a page it is made as flat as a scan:

1. uneven lighting (a photo on a table) is divided out against a blurred background;
2. the page is turned upright (Tesseract's orientation detection, ``--psm 0``);
3. skew up to ``MAX_SKEW`` degrees is measured by a projection profile (the angle at
   which the rows of ink are sharpest) and rotated away.

Digits are where OCR costs money, so look-alike letters are mended only inside tokens
that are numbers already (``1O.234,5O`` -> ``10.234,50``), never in words, and a
thousands/decimal separator misread as its twin is put right by position.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pytesseract
from PIL import Image, ImageFilter

from parsers import labels
from parsers.payslip.images import A4_WIDTH_PT, PageImage
from parsers.payslip.model import Check, Limits, PayLine, Source

# Danish alone: it has every English letter, and with "eng" beside it Tesseract reads
# "Løn" as "Lon" often enough to lose pay lines (measured: README).
LANGUAGES = "dan"
# Sparse text: payslips are tables and boxes, not paragraphs; the layout reader orders
# the words by position itself.
TESSERACT_CONFIG = "--oem 1 --psm 11"
MAX_SKEW = 5.0
FONT_PER_INK_HEIGHT = 1.35
# Tesseract's orientation confidence above which its answer is taken as it is.
SURE_ORIENTATION = 5.0
# A CPR or CVR word, or a number on a cost line, read with less confidence than this
# (Tesseract's 0-100), or one whose digits had to be mended, makes the reading doubtful:
# it is never paid unseen. Clean digits at 150-300 dpi score 90+; misread ones mostly
# fall below 80.
MIN_DIGIT_CONFIDENCE = 80.0
# The checks that prove a component's amount by the payslip's own sums ("pension" is
# only a plausibility check, so it proves nothing).
PROOFS = {
    "salary": frozenset({"gross", "net"}),
    "am_contribution": frozenset({"am_contribution"}),
    "holiday_pay": frozenset({"holiday_pay"}),
    "special_holiday_allowance": frozenset({"special_holiday_allowance"}),
    "atp": frozenset({"atp"}),
}
# A page Tesseract reads with a mean word confidence below this is not read at all
# (a blurred photo, a text layer of glyph codes rendered as shapes): the corpus' scans
# read at 84-95, the glyph-code fixture at 45.
MIN_MEAN_CONFIDENCE = 65.0

# A token that is a number apart from look-alike letters: digits, separators, signs and
# at most as many look-alikes as digits (so "ATP", "SOS", "Bil" stay words).
_NUMERIC_TOKEN_RE = re.compile(r"^[(\-−+]?[0-9OoDlI|SB.,]+[-)%]?$")
_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1",
                             "S": "5", "B": "8"})
# "1,234,56" or "1.234.56": groups of three then two decimals, one separator throughout.
_SAME_SEPARATOR_RE = re.compile(r"^([(\-−+]?)(\d{1,3}(?:([.,])\d{3})+)\3(\d{2})([-)]?)$")


class OcrTimeout(Exception):
    """Tesseract did not finish a page within its time."""


@dataclass
class OcrPage:
    words: list[dict]  # pdfplumber-style word dicts with "conf" and "mended"
    rotation: int  # degrees turned to make the page upright
    skew: float  # degrees of skew corrected
    seconds: float


@dataclass
class OcrDocument:
    pages: list[OcrPage] = field(default_factory=list)
    total_pages: int = 0
    not_read: list[str] = field(default_factory=list)  # why pages were left unread

    @property
    def confidence(self) -> float | None:
        confs = [w["conf"] for p in self.pages for w in p.words]
        return round(sum(confs) / len(confs), 1) if confs else None


def read_pages(pages: Iterator[PageImage], total: int, limits: Limits) -> OcrDocument:
    """OCR up to ``limits.max_ocr_pages`` pages within the per-page and per-document time."""
    doc = OcrDocument(total_pages=total)
    started = time.monotonic()
    for number, page in enumerate(pages):
        if number >= limits.max_ocr_pages:
            doc.not_read.append(f"pages {number + 1}-{total} (only the first "
                                f"{limits.max_ocr_pages} pages of a scan are read)")
            break
        left = limits.ocr_seconds_per_document - (time.monotonic() - started)
        budget = min(limits.ocr_seconds_per_page, left)
        if budget < 1:
            doc.not_read.append(f"pages {number + 1}-{total} (the document's OCR time of "
                                f"{limits.ocr_seconds_per_document:g} s was used up)")
            break
        try:
            doc.pages.append(read_page(page, budget))
        except OcrTimeout:
            doc.not_read.append(f"page {number + 1} (OCR took longer than {budget:g} s)")
            doc.pages.append(OcrPage([], 0, 0.0, budget))
    return doc


def read_page(page: PageImage, timeout: float) -> OcrPage:
    started = time.monotonic()
    image = flatten_illumination(page.image)
    # Skew first: the projection profile finds it on a sideways page too, and the
    # orientation detection is surer on straight lines.
    skew = skew_angle(image)
    if abs(skew) >= 0.1:
        image = image.rotate(skew, expand=True, resample=Image.Resampling.BICUBIC,
                             fillcolor=255)
    rotation = orientation(image, timeout)
    if rotation:
        image = image.rotate(-rotation, expand=True, fillcolor=255)
    scale = page.points_per_pixel or A4_WIDTH_PT / image.width
    left = max(1.0, timeout - (time.monotonic() - started))
    words = tesseract_words(image, scale, left)
    return OcrPage(words, rotation, skew, time.monotonic() - started)


def flatten_illumination(image: Image.Image) -> Image.Image:
    """Divide the page by its own background (the paper without the ink), so a shadow or
    a lamp's fall-off becomes white paper again: a local threshold, done gently."""
    small = image.reduce(8) if min(image.size) >= 400 else image
    # Ink is dark and thin: the maximum over a window wider than a letter is the paper.
    background = small.filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.GaussianBlur(6))
    background = background.resize(image.size, Image.Resampling.BILINEAR)
    page = np.asarray(image, dtype=np.float32)
    paper = np.maximum(np.asarray(background, dtype=np.float32), 32.0)
    flat = np.clip(page / paper * 255.0, 0, 255).astype(np.uint8)
    return Image.fromarray(flat, "L")


def orientation(image: Image.Image, timeout: float) -> int:
    """Clockwise degrees (0/90/180/270) the page must turn to stand upright.

    Tesseract's orientation detection decides when it is sure; on monospaced or sparse
    pages it is not (it took an upright Courier page for upside down), and then each
    turn of a reduced middle band is read and the one with the most confident words wins.
    """
    try:
        osd = pytesseract.image_to_osd(image, config="--psm 0 -c min_characters_to_try=20",
                                       timeout=max(1.0, timeout / 4),
                                       output_type=pytesseract.Output.DICT)
        rotation, sure = int(osd.get("rotate", 0)) % 360, float(osd.get("orientation_conf", 0))
    except RuntimeError as exc:  # pytesseract's timeout
        raise OcrTimeout(str(exc)) from exc
    except pytesseract.TesseractError:
        rotation, sure = 0, 0.0  # too little text for it to tell
    if sure >= SURE_ORIENTATION:
        return rotation
    return max((0, 90, 180, 270), key=lambda turn: _reads_as(image, turn, timeout / 8))


def _reads_as(image: Image.Image, turn: int, timeout: float) -> float:
    """How well a reduced middle band of the page reads turned by ``turn`` degrees: the
    summed confidence of its words of three or more letters."""
    small = image.reduce(2).rotate(-turn, expand=True, fillcolor=255)
    band = small.crop((0, int(small.height * 0.3), small.width, int(small.height * 0.6)))
    try:
        data = pytesseract.image_to_data(band, lang=LANGUAGES, config=TESSERACT_CONFIG,
                                         timeout=max(1.0, timeout),
                                         output_type=pytesseract.Output.DICT)
    except RuntimeError as exc:
        raise OcrTimeout(str(exc)) from exc
    return sum(float(conf) for text, conf in zip(data["text"], data["conf"], strict=True)
               if sum(ch.isalpha() for ch in text) >= 3 and float(conf) > 0)


def skew_angle(image: Image.Image) -> float:
    """The angle (degrees, counter-clockwise positive) that makes text rows horizontal:
    the one at which the row sums of ink vary most (a projection profile)."""
    small = image.copy()
    small.thumbnail((900, 900))
    ink = small.point(lambda v: 255 if v < 140 else 0)

    def sharpness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST),
                          dtype=np.float32).sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    coarse = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=sharpness)
    fine = max(np.arange(coarse - 0.4, coarse + 0.41, 0.1), key=sharpness)
    return round(float(fine), 2)


def tesseract_words(image: Image.Image, scale: float, timeout: float) -> list[dict]:
    """Tesseract's words as pdfplumber-style dicts in points, each with its confidence.

    A word's top and bottom are those of its text line, as a PDF's are the font's: the
    layout reader measures column gaps in line heights, and an ink box ("a" vs "Å")
    is not one."""
    try:
        data = pytesseract.image_to_data(image, lang=LANGUAGES, config=TESSERACT_CONFIG,
                                         timeout=timeout, output_type=pytesseract.Output.DICT)
    except RuntimeError as exc:
        raise OcrTimeout(str(exc)) from exc
    rows: dict[tuple[int, int, int], list[int]] = {}
    for i, text in enumerate(data["text"]):
        if text.strip() and float(data["conf"][i]) >= 0:
            rows.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]),
                            []).append(i)
    words = []
    for indexes in rows.values():
        top = min(data["top"][i] for i in indexes)
        # A PDF word is as tall as its font; an ink box of capitals is about 0.7 of that,
        # which would make a monospaced space look like a column gap.
        middle = sorted(data["height"][i] for i in indexes)[len(indexes) // 2]
        bottom = max(max(data["top"][i] + data["height"][i] for i in indexes),
                     top + FONT_PER_INK_HEIGHT * middle)
        for i in indexes:
            text, mended = mend_number(data["text"][i].strip())
            words.append({
                "text": text, "x0": data["left"][i] * scale,
                "x1": (data["left"][i] + data["width"][i]) * scale,
                "top": top * scale, "bottom": bottom * scale,
                "conf": float(data["conf"][i]), "mended": mended,
            })
    return words


def mend_number(token: str) -> tuple[str, bool]:
    """A numeric token with look-alike letters and a twin separator put right; words are
    returned unchanged. The flag says whether anything was changed."""
    if not _NUMERIC_TOKEN_RE.match(token):
        return token, False
    digits = sum(ch.isdigit() for ch in token)
    letters = sum(ch.isalpha() or ch == "|" for ch in token)
    if digits < 2 or letters > digits:
        return token, False
    fixed = token.translate(_LOOKALIKES)
    m = _SAME_SEPARATOR_RE.match(fixed)
    if m:
        sign, whole, sep, cents, trail = m.groups()
        # The last separator is the decimal one: "1,234,56" -> "1.234,56".
        thousands = "," if sep == "." else "."
        fixed = f"{sign}{whole.replace(sep, thousands)}{sep}{cents}{trail}"
    return fixed, fixed != token


def doubtful_identities(sources: dict[str, Source], pages: list[OcrPage],
                        names: tuple[str, ...] = ("cpr", "cvr")) -> tuple[str, ...]:
    """The identity fields whose digits OCR read with low confidence or had to mend."""
    doubtful = []
    for name in names:
        source = sources.get(name)
        if source is None or source.page >= len(pages):
            continue
        digits = [w for w in pages[source.page].words
                  if any(ch.isdigit() for ch in w["text"]) and _inside(w, source)]
        if _unsure(digits):
            doubtful.append(name)
    return tuple(doubtful)


def doubtful_amounts(lines: tuple[PayLine, ...], pages: list[OcrPage],
                     checks: tuple[Check, ...] = ()) -> tuple[str, ...]:
    """The components with a number OCR was unsure of on one of their lines, unless the
    payslip's own arithmetic proved that component. The employer's pension and "other"
    lines have no printed sum to be proved by (only a stated total cost proves them), so
    their digits must be sure."""
    held = {c.check for c in checks if c.ok is True}
    proven = {kind for kind, proofs in PROOFS.items() if held & proofs}
    if "employer_cost" in held:
        proven |= set(labels.EMPLOYER_COST_COMPONENTS)
    doubtful: list[str] = []
    for line in lines:
        source = line.source
        if (line.kind not in labels.COMPONENTS or line.kind in proven or source is None
                or line.kind in doubtful):
            continue
        if source.page < len(pages) and _unsure(
                [w for w in pages[source.page].words
                 if any(ch.isdigit() for ch in w["text"]) and _inside(w, source)]):
            doubtful.append(line.kind)
    return tuple(doubtful)


def _unsure(words: list[dict]) -> bool:
    return any(w["conf"] < MIN_DIGIT_CONFIDENCE or w["mended"] for w in words)


def _inside(word: dict, box: Source) -> bool:
    cx, cy = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    return box.x0 - 1 <= cx <= box.x1 + 1 and box.top - 1 <= cy <= box.bottom + 1
