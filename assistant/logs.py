"""Logging for the service: one line per event, no personal data.

pdfminer logs every oddity of a malformed PDF at WARNING; those are the sender's
problem and reach them as a reply, so they are kept out of the service log.
"""

from __future__ import annotations

import logging


def setup(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        force=True,
    )
    for noisy in ("pdfminer", "pdfplumber", "mail.log", "aiosmtpd"):
        logging.getLogger(noisy).setLevel(logging.ERROR if noisy.startswith("pdf") else "WARNING")
