"""Benchmark: the desk's pages with 10,000 claims in the database (SQLite).

    .venv/bin/python bench/web.py                  # 10,000 claims, 200 requests a page
    .venv/bin/python bench/web.py --claims 50000 --requests 100

Fills a fresh SQLite database (claims spread over twelve months and every status,
workplaces, employments, an audit trail, one claim with a real payslip PDF and one with
a phone photo of a payslip, some sick hours), starts
``assistant web`` as a subprocess on loopback, logs in as an admin and requests each
page ``--requests`` times over one keep-alive connection. Reports p50/p95/max in ms per
page; the target is p95 < 100 ms. The payslip page images are rendered on the first
request and served from the disk cache after that (the first request is reported apart;
for the photo that is its OCR).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import staff  # noqa: E402
from assistant.db import make_engine, upgrade  # noqa: E402
from assistant.models import AuditEntry, Claim, Employment, InboundMessage, Workplace  # noqa: E402
from tests.fixtures.payslips import make_case, render  # noqa: E402
from tests.fixtures.scans import Scan, scan  # noqa: E402
from tests.integration.test_pipeline import claim_mail, photo_mail  # noqa: E402

PASSWORD = "benchmark benchmark"
STATUSES = (["validated"] * 14 + ["paid"] * 2 + ["needs_review"] * 2 + ["rejected"]
            + ["incomplete"])
VALID_CVR = "29929548"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fill(url: str, claims: int, seed: int = 7) -> tuple[str, str]:
    """The database: returns the references of the claims with a real payslip PDF and with
    a photo of one."""
    rng = random.Random(seed)
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    with engine.begin() as db:
        db.execute(insert(Workplace), [{"cvr": f"{10000000 + i}", "name": f"Arbejdsplads {i}",
                                        "created_at": now} for i in range(50)])
        db.execute(insert(Employment), [{
            "cpr": f"{(i % 28) + 1:02d}0190{1000 + i}", "citizen_name": f"Borger {i}",
            "workplace_id": i % 50 + 1, "hours_per_week": Decimal(1), "reason": "afgrænset",
            "start_date": date(2026, 1, 1) + timedelta(days=5 * i),
            "end_date": date(2026, 12, 31) + timedelta(days=5 * i), "status": "approved",
            "created_at": now} for i in range(90)])
        case = make_case("private", 5)
        (photo,) = scan(case, Scan(dpi=200, shadow=True, skew=2.0, jpeg_quality=80,
                                   form="jpeg"))
        pdf = render(case)
        raws = {0: claim_mail(case, pdf=pdf), 1: photo_mail(photo, "IMG_2041.JPG")}
        parts = {0: f"pdf:0:{hashlib.sha256(pdf).hexdigest()}",
                 1: f"pdf:0:{hashlib.sha256(photo).hexdigest()}"}
        db.execute(insert(InboundMessage), [{
            "received_at": now, "channel": "smtp", "envelope_from": "lon@firma.dk",
            "envelope_to": "jobcenter@kommune.example", "sha256": f"{i:064x}",
            "raw": raws.get(i, b"From: lon@firma.dk\r\nSubject: Refusion\r\n\r\nkrav\r\n"),
            "size": 100, "status": "processed", "attempts": 0} for i in range(claims)])
        rows = []
        for i in range(claims):
            month = i % 12 + 1
            status = rng.choice(STATUSES)
            cost = Decimal(rng.randint(1500, 6000))
            problems = [{"field": "employment", "code": "no_employment",
                         "message": "no approved employment", "severity": "error",
                         "values": {"cpr": "010190-xxxx", "cvr": VALID_CVR}}] \
                if status == "needs_review" else []
            rows.append({
                "id": i + 1, "reference": f"R-2026-{i + 1:06d}", "inbound_id": i + 1,
                "source": "Lønseddel.pdf", "workplace_id": i % 50 + 1,
                "part": parts.get(i, "body"),
                "payslip_sha256": parts[i].rsplit(":", 1)[1] if i in parts else None,
                "employee_name": f"Borger {i % 900}",
                "cpr": f"{(i % 28) + 1:02d}0190{1000 + i % 9000}",
                "employer_name": f"Arbejdsplads {i % 50}", "cvr": f"{10000000 + i % 50}",
                "period_start": date(2026, month, 1),
                "period_end": date(2026, month, 28), "hours": Decimal(30),
                "sick_hours": Decimal(12 if i % 7 == 0 else 0), "salary": cost,
                "atp": Decimal("29.20"),
                "employment_id": i % 90 + 1,
                "pension": Decimal(0), "holiday_pay": Decimal(0),
                "special_holiday_allowance": Decimal(0), "other": Decimal(0),
                "am_contribution": Decimal(0), "employer_cost": cost,
                "refundable_amount": cost, "cap_hours": Decimal(40), "capped": False,
                "status": status, "missing": [], "problems": problems,
                "claimed": ["salary", "atp"], "created_at": now})
        db.execute(insert(Claim), rows)
        db.execute(insert(AuditEntry), [{
            "at": now - timedelta(minutes=i), "actor": "okonomi@kommune.example",
            "action": "paid", "claim_id": i + 1, "subject": f"R-2026-{i + 1:06d}",
            "reason": "", "details": {}} for i in range(0, claims, 10)])
    staff.add(engine, "admin@kommune.example", "Admin", "admin", PASSWORD, "bench")
    engine.dispose()
    return "R-2026-000001", "R-2026-000002"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(Path(tmp), args.claims, args.requests)


def run(tmp: Path, claims: int, requests: int) -> None:
    url = f"sqlite:///{tmp / 'bench.db'}"
    started = time.perf_counter()
    with_pdf, with_photo = fill(url, claims)
    print(f"filled {claims} claims in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    port = free_port()
    config = tmp / "bench.toml"
    config.write_text(f'[database]\nurl = "{url}"\n[web]\nport = {port}\n'
                      f'secure_cookies = false\ncache_directory = "{tmp / "cache"}"\n',
                      encoding="utf-8")
    command = Path(sys.executable).parent / "assistant"  # the venv's entry point
    server = subprocess.Popen([str(command), "web", "--config", str(config)],
                              stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/healthz")
        measure(base, with_pdf, with_photo, requests)
    finally:
        server.terminate()
        server.wait(10)


def wait_for(url: str) -> None:
    for _ in range(200):
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise SystemExit(f"the desk did not start at {url}")


def measure(base: str, with_pdf: str, with_photo: str, requests: int) -> None:
    client = httpx.Client(base_url=base, follow_redirects=False)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"email": "admin@kommune.example",
                                           "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 303, response.text
    first = time.perf_counter()
    client.get(f"/claims/{with_pdf}")
    client.get(f"/claims/{with_pdf}/page/0.png")
    cold = (time.perf_counter() - first) * 1000
    first = time.perf_counter()
    client.get(f"/claims/{with_photo}", timeout=120)
    client.get(f"/claims/{with_photo}/page/0.png")
    cold_photo = (time.perf_counter() - first) * 1000
    first = time.perf_counter()
    client.get("/export/2026-06.xlsx")
    cold_xlsx = (time.perf_counter() - first) * 1000
    rng = random.Random(3)
    pages = {
        "/ (today)": lambda: "/",
        "/claims": lambda: "/claims",
        "/claims?status=needs_review": lambda: "/claims?status=needs_review",
        "/claims?month&page": lambda: f"/claims?month=2026-{rng.randint(1, 12):02d}"
                                      f"&page={rng.randint(1, 16)}",
        "/claims/{ref} (no payslip)": lambda: f"/claims/R-2026-{rng.randint(2, 10_000):06d}",
        "/claims/{ref} (payslip, cached)": lambda: f"/claims/{with_pdf}",
        "/claims/{ref}/page/0.png (cached)": lambda: f"/claims/{with_pdf}/page/0.png",
        "/claims/{ref} (photo, cached)": lambda: f"/claims/{with_photo}",
        "/claims/{ref}/page/0.png (photo, cached)": lambda: f"/claims/{with_photo}/page/0.png",
        "/pool": lambda: "/pool",
        "/intakes": lambda: "/intakes",
        "/workplaces": lambda: "/workplaces",
        "/export?month": lambda: "/export?month=2026-06",
        "/export/{month}.csv": lambda: "/export/2026-06.csv",
        "/export/{month}.xlsx (kept)": lambda: "/export/2026-06.xlsx",
        "/audit": lambda: "/audit",
        "/followup": lambda: "/followup",
    }
    print(f"first view of a claim with its payslip (read + render + cache): {cold:.0f} ms")
    print(f"first view of a claim with a photo (OCR + render + cache): {cold_photo:.0f} ms")
    print(f"first XLSX of a month (written, then kept while its rows are the same): "
          f"{cold_xlsx:.0f} ms")
    print("| page | p50 ms | p95 ms | max ms | requests |\n|---|---:|---:|---:|---:|")
    worst = 0.0
    for name, path in pages.items():
        for _ in range(5):  # warm-up
            client.get(path())
        times = []
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(path())
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        p95 = percentile(times, 0.95)
        worst = max(worst, p95)
        print(f"| {name} | {statistics.median(times):.1f} | {p95:.1f} | {max(times):.1f} "
              f"| {requests} |")
    print(f"worst p95: {worst:.1f} ms (target < 100 ms)")


if __name__ == "__main__":
    main()
