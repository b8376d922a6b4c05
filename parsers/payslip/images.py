"""Document bytes to page images for OCR: what kind of file it is (PDF, JPEG, PNG, TIFF,
HEIC), its pages as greyscale Pillow images, and how many PDF points one pixel is.

Phone photos carry their orientation in EXIF; it is applied here, before OCR looks
for a rotation of its own. Every image is checked against a pixel limit before it is
decoded (a small PNG can claim to be 100 000 x 100 000 pixels) and scaled down to the
OCR pixel limit, which is what bounds the memory of one page.
"""
from __future__ import annotations

import io
import math
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageOps

from parsers.payslip.model import Limits
from parsers.payslip.pdfium_lock import PDFIUM_LOCK

# A4 is 595.28 points wide. A photo has no true resolution, so its width is taken to be
# the page's: the layout reader's gaps and tolerances are in points.
A4_WIDTH_PT = 595.28

IMAGE_KINDS = ("jpeg", "png", "tiff", "heic")
# File names that name an image even when the mail says application/octet-stream.
IMAGE_SUFFIXES = {".jpg": "jpeg", ".jpeg": "jpeg", ".jfif": "jpeg", ".png": "png",
                  ".tif": "tiff", ".tiff": "tiff", ".heic": "heic", ".heif": "heic"}
_HEIC_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")


class ImageError(Exception):
    """The image cannot be decoded or is beyond a limit; the message says which."""


class NotAPage(ImageError):
    """The image is too small to be a page: a logo or a signature, not a payslip."""


# A page scanned at 150 dpi is 1240 pixels wide; a phone photo of one more. A smaller
# image is a logo, an icon or a signature in the mail, not a payslip.
MIN_PAGE_SIDE = 600


@dataclass
class PageImage:
    image: Image.Image  # greyscale ("L")
    points_per_pixel: float | None  # None: unknown (a photo), take the page as A4 wide


def kind_of(data: bytes, filename: str | None = None) -> str | None:
    """"pdf", "jpeg", "png", "tiff", "heic" by the file's first bytes, else by its name."""
    head = data[:16]
    if data.lstrip()[:5].startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
        return "heic"
    if filename:
        suffix = filename[filename.rfind("."):].lower() if "." in filename else ""
        if suffix == ".pdf":
            return "pdf"
        return IMAGE_SUFFIXES.get(suffix)
    return None


# Attachment types a payslip scan or photo comes as (besides application/pdf).
IMAGE_MIME_TYPES = frozenset({"image/jpeg", "image/jpg", "image/pjpeg", "image/png",
                              "image/tiff", "image/heic", "image/heif"})


def is_payslip_image_name(filename: str | None) -> bool:
    """Whether an attachment's file name says it is an image a payslip may be in."""
    return bool(filename) and kind_of(b"", filename) in IMAGE_KINDS


def is_payslip_image(content_type: str | None, filename: str | None) -> bool:
    """Whether a mail attachment may be a payslip scan or photo: an image type, or any
    type (application/octet-stream) with an image file name. Inline logos and
    signatures are images too: ``read_document`` answers them with
    ``Unreadable(code="not_a_page")``, which is no reason to write to the sender."""
    return (content_type or "").lower() in IMAGE_MIME_TYPES or is_payslip_image_name(filename)


def image_pages(data: bytes, kind: str, limits: Limits) -> tuple[Iterator[PageImage], int]:
    """The pages of an image file (a TIFF may have several) and how many there are."""
    if kind == "heic":
        _register_heif()
    try:
        img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ImageError(f"the image is too large to read ({exc})") from exc
    except Exception as exc:  # noqa: BLE001 - Pillow raises many types for bad bytes
        raise ImageError(f"the {kind.upper()} image is damaged and cannot be read") from exc
    if min(img.width, img.height) < MIN_PAGE_SIDE:
        raise NotAPage(f"the image is only {img.width} x {img.height} pixels: too small to "
                       "be a payslip page")
    if img.width * img.height > limits.max_image_pixels:
        raise ImageError(
            f"the image is {img.width} x {img.height} pixels; the limit is "
            f"{limits.max_image_pixels // 1_000_000} megapixels")
    frames = getattr(img, "n_frames", 1)

    def pages() -> Iterator[PageImage]:
        for index in range(frames):
            img.seek(index)
            try:
                page = ImageOps.exif_transpose(img.convert("RGB")).convert("L")
            except Exception as exc:  # noqa: BLE001 - a truncated file fails on decode
                raise ImageError(
                    f"the {kind.upper()} image is damaged and cannot be read") from exc
            yield PageImage(fit(page, limits.max_ocr_pixels), None)

    return pages(), frames


def pdf_pages(data: bytes, limits: Limits) -> tuple[Iterator[PageImage], int]:
    """The pages of a PDF rendered at ``limits.ocr_dpi`` (lower when over the pixel limit).
    PDFium is called with ``PDFIUM_LOCK`` held, page by page: not while a page is OCR'd."""
    import pypdfium2 as pdfium  # pdfplumber's own renderer

    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(data)
        count = len(pdf)

    def pages() -> Iterator[PageImage]:
        try:
            for index in range(count):
                with PDFIUM_LOCK:
                    page = pdf[index]
                    width, height = page.get_size()
                    scale = limits.ocr_dpi / 72
                    # Bound the pixels, and so the memory, of an odd-sized page.
                    scale = min(scale,
                                math.sqrt(limits.max_ocr_pixels / max(width * height, 1)))
                    bitmap = page.render(scale=scale, grayscale=True)
                    image = bitmap.to_pil().convert("L")
                    bitmap.close()
                    page.close()
                yield PageImage(image, 1 / scale)
        finally:
            with PDFIUM_LOCK:
                pdf.close()

    return pages(), count


def fit(image: Image.Image, max_pixels: int) -> Image.Image:
    """``image`` scaled down to at most ``max_pixels`` (OCR memory grows with pixels)."""
    pixels = image.width * image.height
    if pixels <= max_pixels:
        return image
    factor = math.sqrt(max_pixels / pixels)
    size = (max(1, int(image.width * factor)), max(1, int(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _register_heif() -> None:
    try:
        from pillow_heif import register_heif_opener
    except ImportError as exc:  # an optional wheel: say what to send instead
        raise ImageError("HEIC photos cannot be read here; send the photo as JPEG or "
                         "the payslip as a PDF") from exc
    register_heif_opener()
