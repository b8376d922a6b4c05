"""``assistant parse``: the corpus read right, JSON lines, and clear errors per file."""

from __future__ import annotations

import json
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from parsers.labels import COMPONENTS
from tests.fixtures.payslips import LAYOUTS, PayslipCase, make_case, render

TODAY = "2026-11-22"


def parse(*args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["parse", "--today", TODAY, *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def money(value) -> float:
    return float(round(value, 2))


def cases() -> list[PayslipCase]:
    return [make_case(layout, seed) for layout in LAYOUTS for seed in (3, 4)]


def test_corpus_every_field_right(tmp_path: Path):
    corpus = cases()
    paths = []
    for i, case in enumerate(corpus):
        path = tmp_path / f"{i:02d}-{case.layout}.pdf"
        path.write_bytes(render(case))
        paths.append(str(path))
    results = parse(*paths)
    assert [r["file"] for r in results] == paths
    for case, got in zip(corpus, results, strict=True):
        expected = {
            "ok": True,
            "employee_name": case.employee_name,
            "cpr": f"{case.cpr.replace('-', '')[:6]}-{case.cpr.replace('-', '')[6:]}",
            "employer_name": case.employer_name,
            "cvr": case.cvr,
            "period_start": case.period_start.isoformat(),
            "period_end": case.period_end.isoformat(),
            "hours": money(case.hours),
            "components": {k: money(case.expected_components().get(k, 0)) for k in COMPONENTS},
            "employer_cost": money(case.expected_employer_cost()),
        }
        assert {k: got[k] for k in expected} == expected, got["file"]
        assert all(p["code"] != "missing" for p in got["problems"])


def test_mask_cpr(tmp_path: Path):
    case = make_case("private", 3)
    path = tmp_path / "slip.pdf"
    path.write_bytes(render(case))
    (got,) = parse("--mask-cpr", str(path))
    digits = case.cpr.replace("-", "")
    assert got["cpr"] == f"{digits[:6]}-xxxx"


def test_unreadable_files_are_reported_and_the_run_goes_on(tmp_path: Path):
    good = tmp_path / "good.pdf"
    good.write_bytes(render(make_case("card", 3)))
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"This is a Word document, not a PDF\n" * 20)
    truncated = tmp_path / "cut.pdf"
    truncated.write_bytes(render(make_case("legacy", 3))[:700])
    missing = tmp_path / "nowhere.pdf"
    results = parse(str(fake), str(truncated), str(missing), str(good))
    assert [r["ok"] for r in results] == [False, False, False, True]
    assert "not a PDF" in results[0]["error"]
    assert results[1]["error"]
    assert results[2]["error"].startswith("cannot open the file")
    assert results[3]["employer_name"] == make_case("card", 3).employer_name


def mail(case: PayslipCase | None, body: str, attach: bytes | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"] = "Løn <lon@firma.dk>", "jobcenter@kommune.example"
    msg["Subject"], msg["Message-ID"] = "Refusion oktober", "<abc.123@firma.dk>"
    msg.set_content(body)
    data = attach if attach is not None else (render(case) if case else None)
    if data is not None:
        msg.add_attachment(data, maintype="application", subtype="octet-stream",
                           filename="Lønseddel oktober.pdf")
    return msg.as_bytes()


CLAIM = "Vi søger refusion for løn, ATP, pension og feriepenge.\n"


@pytest.fixture
def case() -> PayslipCase:
    found = make_case("municipal", 3)
    assert found.period_end < date.fromisoformat(TODAY)
    return found


def eml(tmp_path: Path, name: str, raw: bytes) -> str:
    path = tmp_path / f"{name}.eml"
    path.write_bytes(raw)
    return str(path)


def test_eml_statuses(tmp_path: Path, case: PayslipCase):
    digits = case.cpr.replace("-", "")
    wrong_cpr = f"{digits[:6]}-{(int(digits[6:]) + 1) % 10000:04d}"
    files = [
        eml(tmp_path, "complete", mail(case, CLAIM)),
        eml(tmp_path, "incomplete", mail(case, "Hermed lønseddel.\n")),
        eml(tmp_path, "invalid", mail(case, CLAIM + f"CPR-nr.: {wrong_cpr}\n")),
        eml(tmp_path, "enquiry", mail(None, "Hej, hvordan ansætter vi en småjobber?\n")),
        eml(tmp_path, "scan", mail(None, CLAIM + f"Navn: {case.employee_name}\n",
                                   attach=b"%PDF-1.4\n%broken")),
    ]
    complete, incomplete, invalid, enquiry, scan = parse(*files)

    assert (complete["status"], complete["missing"]) == ("complete", [])
    assert complete["message_id"] == "<abc.123@firma.dk>"
    assert complete["sender"] == "lon@firma.dk"
    (claim,) = complete["claims"]
    assert claim["source"] == "Lønseddel oktober.pdf"
    assert claim["claimed"] == ["salary", "atp", "pension", "holiday_pay"]
    assert claim["employer_cost"] == money(case.expected_employer_cost())
    assert claim["refundable_amount"] is not None and claim["capped"] in (True, False)

    assert incomplete["status"] == "incomplete" and "claimed" in incomplete["claims"][0]["missing"]
    assert invalid["status"] == "invalid"
    assert any(p["field"] == "cpr" for p in invalid["claims"][0]["problems"])
    assert (enquiry["status"], enquiry["claims"]) == ("not_a_claim", [])
    assert scan["status"] == "incomplete" and "payslip" in scan["missing"]


def test_unreadable_mail_is_reported(tmp_path: Path):
    (got,) = parse(eml(tmp_path, "binary", bytes(range(256)) * 8))
    assert got["ok"] is False and got["error"]


def test_parse_shows_the_checks_and_where_each_field_stands(tmp_path: Path):
    case = make_case("municipal", 3)
    path = tmp_path / "slip.pdf"
    path.write_bytes(render(case))
    (got,) = parse("--mask-cpr", str(path))
    assert got["verified"] is True
    by_name = {c["check"]: c["ok"] for c in got["checks"]}
    assert by_name["gross"] is True and by_name["net"] is True
    assert by_name["cost_per_hour"] is True
    assert set(by_name) >= {"am_contribution", "holiday_pay", "atp", "pension", "hours",
                            "employer_cost"}
    cpr = got["sources"]["cpr"]
    assert cpr["page"] == 0 and len(cpr["bbox"]) == 4
    assert cpr["bbox"][0] < cpr["bbox"][2] and cpr["bbox"][1] < cpr["bbox"][3]
    digits = case.cpr.replace("-", "")
    assert f"{digits[:6]}-xxxx" in cpr["text"] and digits[6:] not in cpr["text"]
    assert got["sources"]["employee_name"]["text"] == case.employee_name
    assert all(line["source"]["page"] == 0 for line in got["lines"])


def test_parse_does_not_verify_a_payslip_whose_sums_do_not_hold(tmp_path: Path):
    from dataclasses import replace
    case = make_case("municipal", 3)
    lines = tuple(replace(ln, amount=ln.amount * 10) if ln.kind == "salary" and
                  ln.section == "pay" else ln for ln in case.lines)
    path = tmp_path / "slip.pdf"
    path.write_bytes(render(replace(case, lines=lines)))
    (got,) = parse(str(path))
    assert got["verified"] is False
    assert {c["check"]: c["ok"] for c in got["checks"]}["gross"] is False
    assert "check_gross" in [p["code"] for p in got["problems"]]


def test_parse_says_a_glyph_id_text_layer_has_no_readable_text(tmp_path: Path):
    from tests.fixtures.bad_pdfs import glyph_id_pdf
    path = tmp_path / "cid.pdf"
    path.write_bytes(glyph_id_pdf())
    (got,) = parse(str(path))
    assert got["ok"] is False and "no readable text" in got["error"]
