"""PDFium is not thread-safe: every call into it holds ``PDFIUM_LOCK``. The desk OCRs
scans from several request threads; rendering their pages must not run beside another
thread's reading or rendering."""
from __future__ import annotations

import io
import threading

import pypdfium2
from PIL import Image

from parsers.payslip import DEFAULT_LIMITS, images
from parsers.payslip.pdfium_lock import PDFIUM_LOCK


def held_by_another_thread() -> bool:
    """Whether some thread other than a new one holds the lock (it cannot take it)."""
    free: list[bool] = []

    def probe() -> None:
        got = PDFIUM_LOCK.acquire(blocking=False)
        free.append(got)
        if got:
            PDFIUM_LOCK.release()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return not free[0]


def scanned_pdf(pages: int) -> bytes:
    """A PDF of page images only, as a scanner makes it."""
    shots = [Image.new("L", (120, 170), 255) for _ in range(pages)]
    out = io.BytesIO()
    shots[0].save(out, format="PDF", save_all=True, append_images=shots[1:])
    return out.getvalue()


def test_a_scanned_pdf_is_opened_rendered_and_closed_with_pdfium_locked(monkeypatch):
    calls: list[tuple[str, bool]] = []

    def watched(cls: type, name: str) -> None:
        real = getattr(cls, name)

        def call(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
            calls.append((name, held_by_another_thread()))
            return real(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, call)

    watched(pypdfium2.PdfDocument, "__init__")
    watched(pypdfium2.PdfDocument, "close")
    watched(pypdfium2.PdfPage, "render")
    pages, count = images.pdf_pages(scanned_pdf(2), DEFAULT_LIMITS)
    assert count == 2
    first = next(pages)
    assert first.image.size[0] > 0
    # Between pages (while a page is OCR'd) PDFium is free for the other threads.
    assert not held_by_another_thread()
    rest = list(pages)
    assert len(rest) == 1
    assert [name for name, _ in calls] == ["__init__", "render", "render", "close"]
    assert all(locked for _, locked in calls), calls
