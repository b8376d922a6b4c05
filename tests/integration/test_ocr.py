"""Scanned and photographed payslips read by OCR (Tesseract), against the digital truth.

The OCR cases are a representative subset (every layout straight at 200 dpi and skewed
at 150 dpi with blur and JPEG noise, the three rotations, a photo in uneven light, a
300 dpi PNG, a HEIC): about twenty pages, each read once and cached. The full corpus
score is ``python -m tests.fixtures.scans --score`` (figures in the README).
"""
from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from assistant.cli import cli
from parsers.payslip import Check, Limits, Payslip, Unreadable, read_document
from parsers.payslip.images import is_payslip_image, is_payslip_image_name, kind_of
from parsers.payslip.ocr import flatten_illumination, mend_number, skew_angle
from tests.fixtures.payslips import make_case
from tests.fixtures.scans import SKEWED_150, STRAIGHT_200, Scan, pages, scan, truth_of
from tests.fixtures.truth import wrong_fields

_cache: dict[tuple[str, int, Scan], Payslip | Unreadable] = {}
# OCR time limits far above any page's time, so no test depends on the machine's speed.
UNHURRIED = Limits(ocr_seconds_per_page=600, ocr_seconds_per_document=1200)


def read_scan(layout: str, seed: int, how: Scan) -> Payslip | Unreadable:
    key = (layout, seed, how)
    if key not in _cache:
        _cache[key] = read_document(scan(make_case(layout, seed), how)[0], None, UNHURRIED)
    return _cache[key]


def assert_read_right(layout: str, seed: int, how: Scan) -> Payslip:
    slip = read_scan(layout, seed, how)
    assert isinstance(slip, Payslip), slip
    assert slip.ocr is True and slip.ocr_confidence is not None and slip.ocr_confidence > 60
    assert wrong_fields(truth_of(make_case(layout, seed)), slip) == []
    return slip


# --------------------------------------------------------------------------- the corpus


# One seed per layout; the full corpus (README) has its few misses: a card footer's
# employer name read with its address, one 150 dpi name and CVR.
STRAIGHT = [("municipal", 0), ("private", 0), ("english", 1), ("card", 1), ("legacy", 0)]
SKEWED = [("municipal", 1), ("private", 2), ("english", 1), ("card", 1), ("legacy", 1)]


@pytest.mark.parametrize("layout,seed", STRAIGHT)
def test_a_straight_200_dpi_scan_reads_every_field(layout: str, seed: int) -> None:
    slip = assert_read_right(layout, seed, STRAIGHT_200)
    assert slip.verified, [c.as_dict() for c in slip.checks] + [slip.ocr_doubtful]


@pytest.mark.parametrize("layout,seed", SKEWED)
def test_a_skewed_noisy_150_dpi_jpeg_scan_reads_every_field(layout: str, seed: int) -> None:
    assert_read_right(layout, seed, SKEWED_150)


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_page_scanned_sideways_or_upside_down_is_turned_upright(rotation: int) -> None:
    assert_read_right("municipal", 2, Scan(dpi=200, rotation=rotation, skew=-2.0,
                                           form="png"))


def test_a_photo_in_uneven_light_is_read() -> None:
    assert_read_right("private", 0, Scan(dpi=200, shadow=True, skew=4.0, noise=16,
                                      jpeg_quality=75, form="jpeg"))


def test_a_300_dpi_png_is_read() -> None:
    assert_read_right("private", 2, Scan(dpi=300, form="png"))


def test_no_wrong_employer_cost_is_ever_verified() -> None:
    for layout, seed in STRAIGHT + SKEWED:
        for how in (STRAIGHT_200, SKEWED_150):
            slip = read_scan(layout, seed, how)
            if isinstance(slip, Payslip) and slip.verified:
                assert slip.employer_cost == make_case(layout, seed).expected_employer_cost()


# --------------------------------------------------------------------------- trust


def test_an_ocr_reading_with_unsure_identity_digits_is_never_verified() -> None:
    proven = (Check("gross", True, "ok"), Check("net", True, "ok"))
    slip = Payslip(None, "0101901234", None, "12345678", None, None, None, None, None, (), 1,
                   checks=proven, ocr=True)
    assert slip.verified
    assert not Payslip(**{**slip.__dict__, "ocr_doubtful": ("cpr",)}).verified
    assert not Payslip(**{**slip.__dict__, "ocr_pages_not_read": ("page 5",)}).verified
    # The same doubt means nothing for a digital text layer (there is no OCR doubt).
    assert Payslip(**{**slip.__dict__, "ocr": False, "ocr_doubtful": ("cpr",)}).verified


def test_pages_beyond_the_ocr_limit_are_not_read_and_the_reading_says_so() -> None:
    data = scan(make_case("english", 0), STRAIGHT_200)[0]
    slip = read_document(data, "scan.pdf", Limits(max_ocr_pages=1, ocr_seconds_per_page=600,
                                                  ocr_seconds_per_document=1200))
    assert isinstance(slip, Payslip) and slip.pages == 2
    assert slip.ocr_pages_not_read == ("pages 2-2 (only the first 1 pages of a scan are read)",)
    assert not slip.verified


def test_an_ocr_time_limit_leaves_the_page_unread() -> None:
    data = scan(make_case("card", 0), Scan(dpi=150, form="png"))[0]
    slip = read_document(data, "slip.png", Limits(ocr_seconds_per_document=0.5))
    assert isinstance(slip, Unreadable) and slip.code == "ocr_failed"
    assert "OCR time of 0.5 s was used up" in slip.reason
    assert "send the payslip as the PDF exported from the payroll system" in slip.reason


# --------------------------------------------------------------------------- pieces


@pytest.mark.parametrize("token,mended", [
    ("1O.234,5O", "10.234,50"),
    ("2O26", "2026"),
    ("l23,45", "123,45"),
    ("-3S9,B0", "-359,80"),
    ("1,234,56", "1.234,56"),  # Danish: the last separator is the decimal comma
    ("1.234.56", "1,234.56"),  # English
    ("12.345,67", "12.345,67"),
    ("01.10.2026", "01.10.2026"),
])
def test_look_alike_letters_are_mended_inside_numbers(token: str, mended: str) -> None:
    assert mend_number(token)[0] == mended


@pytest.mark.parametrize("word", ["ATP", "SOS", "Bil", "kr.", "B1", "Ol", "Løn", "I/S"])
def test_words_are_never_mended(word: str) -> None:
    assert mend_number(word) == (word, False)


def test_file_kinds_by_bytes_and_by_name() -> None:
    png = io.BytesIO()
    Image.new("L", (4, 4), 255).save(png, "PNG")
    assert kind_of(png.getvalue(), "lonseddel.pdf") == "png"  # the bytes decide
    assert kind_of(b"%PDF-1.7\n", None) == "pdf"
    assert kind_of(b"\xff\xd8\xff\xe0", None) == "jpeg"
    assert kind_of(b"II*\x00rest", None) == "tiff"
    assert kind_of(b"\x00\x00\x00\x18ftypheic", None) == "heic"
    assert kind_of(b"???", "IMG_0412.HEIC") == "heic"
    assert kind_of(b"???", "notes.txt") is None
    assert is_payslip_image_name("Lønseddel marts.JPG")
    assert not is_payslip_image_name("Lønseddel marts.pdf") and not is_payslip_image_name(None)
    assert is_payslip_image("image/HEIC", None)
    assert is_payslip_image("application/octet-stream", "scan0001.TIFF")
    assert not is_payslip_image("application/octet-stream", "data.bin")


def test_skew_is_measured_to_a_few_tenths_of_a_degree() -> None:
    for angle in (-4.0, 3.0):
        (img,) = pages(make_case("municipal", 0), Scan(dpi=100, skew=angle))
        assert abs(skew_angle(img) + angle) <= 0.3


def test_uneven_light_becomes_white_paper() -> None:
    (img,) = pages(make_case("card", 0), Scan(dpi=100, shadow=True))
    box = (img.width - 40, img.height - 40, img.width, img.height)  # blank paper, darkest
    assert img.crop(box).getextrema()[1] < 150
    assert flatten_illumination(img).crop(box).getextrema()[0] > 230


def test_a_logo_is_not_a_page() -> None:
    png = io.BytesIO()
    Image.new("L", (320, 90), 255).save(png, "PNG")
    result = read_document(png.getvalue(), "logo.png")
    assert isinstance(result, Unreadable) and result.code == "not_a_page"
    assert "320 x 90 pixels" in result.reason


def test_a_damaged_image_gets_a_clear_reason() -> None:
    png = io.BytesIO()
    Image.new("L", (1200, 1600), 255).save(png, "PNG")
    result = read_document(png.getvalue()[:120], "photo.png")
    assert isinstance(result, Unreadable) and result.code == "ocr_failed"
    assert "PNG image is damaged" in result.reason


def test_an_image_over_the_pixel_limit_is_refused_before_decoding() -> None:
    png = io.BytesIO()
    Image.new("L", (3000, 3000), 255).save(png, "PNG")
    result = read_document(png.getvalue(), "photo.png", Limits(max_image_pixels=5_000_000))
    assert isinstance(result, Unreadable)
    assert "3000 x 3000 pixels" in result.reason and "5 megapixels" in result.reason


def test_a_heic_photo_from_an_iphone_is_read() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    (img,) = pages(make_case("legacy", 0), Scan(dpi=200))
    heic = io.BytesIO()
    img.convert("RGB").save(heic, "HEIF", quality=90)
    assert kind_of(heic.getvalue(), None) == "heic"
    slip = read_document(heic.getvalue(), "IMG_0412.HEIC", UNHURRIED)
    assert isinstance(slip, Payslip) and slip.ocr
    assert slip.cvr == make_case("legacy", 0).cvr


def test_a_digital_pdf_is_not_ocred() -> None:
    from tests.fixtures.payslips import render
    slip = read_document(render(make_case("private", 0)), "slip.pdf")
    assert isinstance(slip, Payslip) and slip.ocr is False and slip.ocr_confidence is None


# --------------------------------------------------------------------------- the CLI


def test_parse_takes_a_photo_and_says_it_was_read_by_ocr(tmp_path: Path) -> None:
    case = make_case("private", 0)
    path = tmp_path / "IMG_0412.jpg"
    path.write_bytes(scan(case, Scan(dpi=200, form="jpeg", jpeg_quality=85))[0])
    result = CliRunner().invoke(cli, ["parse", "--today", "2027-01-15", "--mask-cpr",
                                      str(path)])
    got = json.loads(result.output)
    assert got["ok"] is True and got["ocr"] is True
    assert isinstance(got["ocr_confidence"], float) and 60 < got["ocr_confidence"] <= 100
    assert got["cpr"] == case.cpr[:6] + "-xxxx"
    assert Decimal(str(got["employer_cost"])) == case.expected_employer_cost()
    assert date.fromisoformat(got["period_start"]) == case.period_start
