"""The one lock around PDFium in a process.

PDFium is not thread-safe: one call into it at a time in a process. The reader workers
read one document at a time, but the desk reads, renders and OCRs payslips from several
request threads of the service, so every use of PDFium (pdfplumber's rendering,
pypdfium2's documents, pages and bitmaps) holds this lock.
"""
from __future__ import annotations

import threading

# Re-entrant: a holder may call code that takes it again (rendering inside a read).
PDFIUM_LOCK = threading.RLock()
