"""The desk end to end in a real browser: Playwright driving Debian's Chromium against the
desk served by uvicorn on loopback, on the real database.

A consultant logs in, opens a held claim, sees the payslip with boxes, corrects a field
and approves it; approves an intake and sees the pool change; ends one employment and
extends another and sees the pool change; declines an intake; looks at a photographed
payslip and the workplaces. The economy group logs in and downloads the month as CSV and
XLSX. Every page is photographed into ``$DESK_SCREENSHOTS`` (default: the test's
temporary directory) for a person to look at, and copied to ``$DESK_SCREENSHOTS_COPY``
when that is set.
"""

from __future__ import annotations

import io
import os
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from assistant.commands.common import App
from assistant.db import session
from assistant.models import Claim, Employment, Intake
from assistant.pdf_reader import GuardedPdfReader
from assistant.pipeline import Pipeline
from assistant.web.server import DeskServer
from tests.fixtures.payslips import make_case
from tests.fixtures.scans import Scan, scan
from tests.integration.desk_data import (
    FULL_CPR,
    PASSWORD,
    STAFF,
    TODAY,
    desk_config,
    seed,
    submitted_intake,
)
from tests.integration.test_pipeline import photo_mail

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="no /usr/bin/chromium (apt-get install chromium; .ci/run does)"),
]


@pytest.fixture
def served(db_url, tmp_path, store):
    config = desk_config(db_url, tmp_path, secure=False, port=1)
    with GuardedPdfReader(time_limit=60) as reader:
        seeded = seed(store, config, reader)
        # A payslip photographed with a phone, held for review.
        (photo,) = scan(make_case("private", 0),
                        Scan(dpi=200, shadow=True, skew=2.0, jpeg_quality=80, form="jpeg"))
        inbound_id, _ = store.save_inbound(photo_mail(photo, "IMG_2041.JPG"), "smtp",
                                           "lon@firma.dk", ["jobcenter@kommune.example"])
        Pipeline(store.engine, config, reader, today=lambda: TODAY).process(inbound_id)
    with session(store.engine) as db:  # sick days nearing the limit on the Today page
        row = db.exec(select(Claim).where(Claim.reference == seeded.validated)).one()
        row.sick_hours = Decimal(52)
        db.add(row)
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
    path = shots / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert not FULL_CPR.search(page.content()), name
    if os.environ.get("DESK_SCREENSHOTS_COPY"):
        copy = Path(os.environ["DESK_SCREENSHOTS_COPY"])
        copy.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, copy / path.name)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_consultant_and_the_economy_group_do_their_month_in_the_browser(
        served, browser, shots):
    base, seeded, store = served
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True,
                                  locale="da-DK")  # date fields as a Danish desk shows them
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

    # A photographed payslip: the page as the OCR read it, with the boxes.
    with session(store.engine) as db:
        photo = db.exec(select(Claim).where(Claim.source == "IMG_2041.JPG")).one()
    page.goto(f"{base}/claims/{photo.reference}")
    page.wait_for_function("() => [...document.querySelectorAll('svg.payslip image')]"
                           ".every(i => i.getBBox().width > 0)")
    assert page.locator("rect.box-field").count() >= 4
    snap(page, shots, "05b-claim-photo")

    # An intake: approving it creates the employment, and the pool shows it.
    second = submitted_intake(store)  # a second form, to decline
    page.goto(f"{base}/pool")
    chart_before = page.locator("svg.chart").inner_html()
    page.goto(f"{base}/intakes")
    snap(page, shots, "06-intakes")
    first = page.locator(f"#intake-{seeded.intake_id}")
    first.locator("input[name=cpr]").fill("010190-1234")
    first.locator("input[name=name]").fill("Mette Sørensen")
    first.locator("input[name=start]").fill("2027-01-04")
    first.locator("text=Godkend og opret ansættelsen").click()
    page.wait_for_url(f"{base}/pool?done=approve_intake")
    assert "Mette Sørensen" in page.locator("table.employments").inner_text()
    assert page.locator("svg.chart").inner_html() != chart_before
    snap(page, shots, "07-pool")
    with session(store.engine) as db:
        mette = db.exec(select(Employment).where(Employment.citizen_name == "Mette Sørensen")
                        ).one()
    assert mette.hours_per_week == 6

    # End Bo Ending's employment early, and extend Mette's: the pool changes.
    chart_before = page.locator("svg.chart").inner_html()
    bo = page.locator(f"#employment-{seeded.ending_id}")
    bo.locator("summary").click()
    bo.locator("input[name=on]").fill("2026-11-22")
    snap(page, shots, "07b-pool-change-open")
    bo.locator("text=Afslut ansættelsen").click()
    page.wait_for_url(f"{base}/pool?done=end_employment")
    assert "Ansættelsen er afsluttet" in page.locator("p.notice").inner_text()
    # His 4 hours are free from tomorrow on: next week's bar is lower.
    assert page.locator("svg.chart").inner_html() != chart_before
    assert page.locator("svg.chart rect.bar title").nth(1).text_content().endswith(": 10,00")
    line = page.locator(f"#employment-{mette.id}")
    line.locator("summary").click()
    line.locator("form.extend input[name=end]").fill("2027-09-30")
    line.locator("form.extend input[name=reason]").fill("Biblioteket flytter i sommer.")
    line.locator("text=Forlæng (tillæg)").click()
    page.wait_for_url(f"{base}/pool?done=extend_employment")
    assert "30.09.2027" in page.locator(f"#employment-{mette.id}").inner_text()
    snap(page, shots, "07c-pool-changed")
    # Refused: a second extension beyond 12 months, told in Danish in the page.
    line = page.locator(f"#employment-{mette.id}")
    line.locator("summary").click()
    line.locator("form.extend input[name=end]").fill("2028-02-01")
    line.locator("form.extend input[name=reason]").fill("Endnu længere.")
    line.locator("text=Forlæng (tillæg)").click()
    page.wait_for_selector("p.error")
    assert "må højst vare 12 måneder" in page.locator("p.error").inner_text()
    snap(page, shots, "07d-pool-refused")
    # The refusal's status (409) is no error of the page; nothing else may be.
    assert errors and all("409" in e for e in errors), errors
    errors.clear()

    # Decline the second intake with a reason.
    page.goto(f"{base}/intakes")
    form = page.locator(f"#intake-{second} form.decline")
    form.locator("textarea[name=reason]").fill("Opgaven hører til en fast stilling.")
    form.locator("button").click()
    page.wait_for_url(f"{base}/intakes?done=decline_intake")
    assert page.locator(f"#intake-{second}").count() == 0
    snap(page, shots, "06b-intakes-declined")
    with session(store.engine) as db:
        assert db.get(Intake, second).status == "cancelled"

    page.goto(f"{base}/workplaces")
    assert "albertslund.dk" in page.locator("table.workplaces").inner_text()
    snap(page, shots, "11-workplaces")

    # The follow-up: what is due today, run by hand once.
    page.click("nav >> text=Opfølgning")
    page.wait_for_url(f"{base}/followup")
    assert "sendes" in page.locator("section", has_text="Forfalden i dag").inner_text()
    page.click("text=Kør opfølgningen nu")
    page.wait_for_selector("p.notice")
    assert "påmindelse(r) sat i kø" in page.locator("p.notice").inner_text()
    assert page.locator("section", has_text="Sendte påmindelser").locator("tbody tr").count() > 0
    snap(page, shots, "12-followup")
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
    with page.expect_download() as download_info:
        page.click("#download-xlsx")
    download = download_info.value
    assert download.suggested_filename == f"refusion-{month}.xlsx"
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Reference", "Status")
    assert seeded.held in [r[0] for r in rows[1:]]
    assert all(isinstance(r[rows[0].index("Refusionsberettiget beløb")], float)
               for r in rows[1:])
    page.goto(f"{base}/audit")
    snap(page, shots, "09-audit")
    page.goto(f"{base}/claims/{seeded.held}?lang=en")
    snap(page, shots, "10-claim-english")
    assert errors == [], errors  # no CSP violation, no script error
    context.close()
