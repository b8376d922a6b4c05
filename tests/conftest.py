"""Shared by every test: the log guard, and the markers taken from what a test uses.

Every test runs under ``no_cpr_in_logs``: a CPR number in full in any log line
(message or traceback, at INFO and above, from any thread) fails the test.

``postgres`` is put on every test that runs on the real PostgreSQL (the ``postgresql``
case of ``db_url``, or ``postgres_url`` itself), ``imap`` on every test that starts
Dovecot (the ``dovecot`` fixture), so ``pytest -m "not postgres and not imap"`` leaves
them out. The database fixtures are in ``tests/integration/conftest.py``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

from assistant.logs import logged_in_production

# Helper modules whose asserts should explain themselves like a test's own.
pytest.register_assert_rewrite("tests.integration.helpers")

# A full CPR number as it could appear in a log line; the masked DDMMYY-xxxx form does
# not match. The first six digits must be a day (01-31, or 61-91 for a substitute
# number) and a month, so that IMAP UIDVALIDITYs and other 10-digit counters are not
# taken for one.
FULL_CPR_RE = re.compile(r"\b(?:[0-2]\d|3[01]|[6-8]\d|9[01])(?:0[1-9]|1[0-2])\d{2}-?\d{4}\b")


class _LogLines(logging.Handler):
    """Keeps every record as its formatted line (traceback included)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not logged_in_production(record):
            return  # e.g. pdfminer's WARNINGs about a mutated PDF's xref offsets
        try:
            self.lines.append(self.format(record))
        except Exception:  # noqa: BLE001 - a broken record is the logging module's report
            self.handleError(record)


@pytest.fixture(autouse=True)
def no_cpr_in_logs() -> Iterator[_LogLines]:
    """Fail the test if a full CPR number appears in any log line it caused."""
    handler = _LogLines()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)  # the service's level: what production would log
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    leaks = [line for line in handler.lines if FULL_CPR_RE.search(line)]
    if leaks:
        pytest.fail(f"{len(leaks)} log line(s) with a full CPR number, e.g.: "
                    f"{FULL_CPR_RE.sub('<CPR>', leaks[0])[:500]}", pytrace=False)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec else {}
        if params.get("db_url") == "postgresql" or "postgres_url" in item.fixturenames:
            item.add_marker(pytest.mark.postgres)
        if "dovecot" in item.fixturenames:
            item.add_marker(pytest.mark.imap)
