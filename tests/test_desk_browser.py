"""The desk end to end in a real browser: Playwright driving Debian's Chromium against the
desk served by uvicorn on loopback, on the real database.

A consultant logs in, opens a held claim, sees the payslip with boxes, corrects a field
and approves it; approves an intake and sees the pool change; the economy group logs in
and downloads the month. Every page is photographed into ``$DESK_SCREENSHOTS`` (default:
the test's temporary directory) for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlmodel import select

from assistant.commands.common import App
from assistant.db import session
from assistant.models import Claim, Employment
from assistant.pdf_reader import GuardedPdfReader
from assistant.web.server import DeskServer
from tests.desk_data import FULL_CPR, PASSWORD, STAFF, TODAY, desk_config, seed

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="no /usr/bin/chromium (apt-get install chromium; .ci/run does)"),
]


@pytest.fixture
def served(db_url, tmp_path, store):
    config = desk_config(db_url, tmp_path, secure=False, port=1)
    with GuardedPdfReader(time_limit=30) as reader:
        seeded = seed(store, config, reader)
    server = DeskServer(App(config, store.engine, store), "127.0.0.1", 0, today=lambda: TODAY)
    server.start()
    yield server.url.rstrip("/"), seeded, store
    server.stop()


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("DESK_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_in(page, base: str, role: str) -> None:
    page.goto(f"{base}/")
    assert page.url == f"{base}/login"
    page.fill("input[name=email]", STAFF[role])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def snap(page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert not FULL_CPR.search(page.content()), name


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_consultant_and_the_economy_group_do_their_month_in_the_browser(
        served, browser, shots):
    base, seeded, store = served
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400
            else None)

    page.goto(f"{base}/login")
    snap(page, shots, "01-login")
    log_in(page, base, "consultant")
    assert page.locator("h1").inner_text() == "I dag"
    snap(page, shots, "02-today")

    # The held claim: the payslip with a box around each value read.
    page.click(f"text={seeded.held}")
    page.wait_for_url(f"{base}/claims/{seeded.held}")
    page.wait_for_function("() => [...document.querySelectorAll('svg.payslip image')]"
                           ".every(i => i.getBBox().width > 0)")
    assert page.locator("rect.box-field").count() >= 4
    assert page.locator("rect.box-line").count() >= 3
    image = page.evaluate("() => fetch(document.querySelector('svg.payslip image')"
                          ".getAttribute('href')).then(r => r.status)")
    assert image == 200
    snap(page, shots, "03-claim-held")

    page.select_option("select[name=field]", "hours")
    page.fill("input[name=value]", "7,5")
    page.click("#correct")
    page.wait_for_selector("p.notice")
    assert "Feltet er rettet" in page.locator("p.notice").inner_text()
    page.click("#approve")
    page.wait_for_selector("p.notice")
    assert page.locator("h1 .status").inner_text() == "valideret"
    snap(page, shots, "04-claim-approved")
    with session(store.engine) as db:
        row = db.exec(select(Claim).where(Claim.reference == seeded.held)).one()
    assert (row.status, row.hours) == ("validated", 7.5)

    page.goto(f"{base}/claims")
    snap(page, shots, "05-claims")

    # An intake: approving it creates the employment, and the pool shows it.
    page.goto(f"{base}/pool")
    chart_before = page.locator("svg.chart").inner_html()
    page.goto(f"{base}/intakes")
    snap(page, shots, "06-intakes")
    page.fill("input[name=cpr]", "010190-1234")
    page.fill("input[name=name]", "Mette Sørensen")
    page.fill("input[name=start]", "2027-01-04")
    page.click("text=Godkend og opret ansættelsen")
    page.wait_for_url(f"{base}/pool?done=approve_intake")
    assert "Mette Sørensen" in page.locator("table").inner_text()
    assert page.locator("svg.chart").inner_html() != chart_before
    snap(page, shots, "07-pool")
    with session(store.engine) as db:
        assert db.exec(select(Employment).where(
            Employment.citizen_name == "Mette Sørensen")).one().hours_per_week == 6
    page.click("text=Log ud")
    page.wait_for_url(f"{base}/login")

    # The economy group downloads the month.
    log_in(page, base, "economy")
    month = row.period_start.strftime("%Y-%m")
    page.goto(f"{base}/export?month={month}")
    snap(page, shots, "08-export")
    with page.expect_download() as download_info:
        page.click("#download")
    download = download_info.value
    assert download.suggested_filename == f"refusion-{month}.csv"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Reference;Status;Periode fra;Periode til")
    assert seeded.held in text
    page.goto(f"{base}/audit")
    snap(page, shots, "09-audit")
    page.goto(f"{base}/claims/{seeded.held}?lang=en")
    snap(page, shots, "10-claim-english")
    assert errors == [], errors  # no CSP violation, no script error
    context.close()
