"""The blind scan set (issue 13): scans and phone photos made without reading the OCR reader.

``tests/fixtures/scan_blind.py`` degrades 16 digitally well-read payslips into 24 images
(flatbed 200 dpi, cheap 150 dpi skewed scan, sideways phone photo, screenshot PNG). The
safety rule is absolute: an image read with a wrong employer cost is never ``verified``.
The field score is a regression guard on the figure measured when the set was made.
"""

from __future__ import annotations

import pytest

from parsers.payslip import read
from tests.fixtures import scan_blind

# Before: 75.5-84.9 % of fields right on the `ocr` branch before any change made for this
# set (the runs differed only where the reader gave up on a slow page of a loaded
# machine). After the reader's fixes and with time limits that measure accuracy, not
# speed (`read_all`): 89.3 % (the digital originals of the same images: 100 %). The guard
# is that figure less 2 points.
MEASURED_FIELD_SHARE = 0.893
GUARD = MEASURED_FIELD_SHARE - 0.02


@pytest.fixture(scope="session")
def readings() -> list[scan_blind.Reading]:
    return scan_blind.read_all()


def test_the_set_covers_every_kind_from_both_corpora() -> None:
    cases = scan_blind.cases()
    kinds = {k: sum(c.kind == k for c in cases) for k in scan_blind.KINDS}
    assert kinds == {"a": 6, "b": 6, "c": 6, "d": 6}
    assert {c.source.producer for c in cases} == {"reportlab", "chromium", "libreoffice"}
    assert any(c.source.name.startswith("spreadsheet_final/") for c in cases)  # blind corpus


def test_every_digital_original_is_read_with_the_right_employer_cost() -> None:
    # Otherwise a scan's miss would be the layout's fault, not the OCR's.
    for case in {c.source.name: c.source for c in scan_blind.cases()}.values():
        assert read(case.pdf()).employer_cost == case.truth.employer_cost, case.name


def test_images_are_deterministic() -> None:
    source = scan_blind.cases()[0].source
    assert scan_blind.make_a(source.pdf(), "x") == scan_blind.make_a(source.pdf(), "x")
    assert scan_blind.make_d(source.pdf(), "x") == scan_blind.make_d(source.pdf(), "x")


@pytest.mark.slow
def test_no_image_with_a_wrong_employer_cost_is_verified(readings) -> None:
    unsafe = [r.case.name for r in readings if r.wrong_cost and r.verified]
    assert unsafe == [], scan_blind.report(readings)


@pytest.mark.slow
def test_field_score_does_not_fall_below_the_measured_figure(readings) -> None:
    assert scan_blind.field_share(readings) >= GUARD, scan_blind.report(readings)
