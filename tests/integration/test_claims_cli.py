"""``assistant claims`` and ``export`` through the real ``assistant`` group, on claims the
pipeline stored (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import os
import stat
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlmodel import select

from assistant.cli import cli
from assistant.db import session
from assistant.models import Claim
from tests.integration.test_pipeline import (  # noqa: F401  (pipeline is a fixture)
    case_in_2026,
    claim_mail,
    deliver,
    pipeline,
    register,
)


@pytest.fixture
def run(config, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "config.toml"

    def invoke(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(cli, ["--config", str(path), *args])
        assert result.exit_code == code, result.output
        return result.output

    return invoke


@pytest.fixture
def validated(pipeline, store):  # noqa: F811
    case = case_in_2026()
    register(store, case)
    deliver(pipeline, store, claim_mail(case, subject=" Refusion  november   2026"))
    with session(store.engine) as db:
        (claim,) = db.exec(select(Claim)).all()
        # A fixed time to read back: 23:30 UTC on 30 November is 00:30 Danish time.
        claim.created_at = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
        db.add(claim)
    assert claim.status == "validated"
    return case, claim


def test_the_export_opens_in_danish_excel(run, validated, tmp_path) -> None:
    case, claim = validated
    month = case.period_start.strftime("%Y-%m")
    assert run("export", "--month", month).startswith("wrote 1 claim (")
    path = tmp_path / f"refusion-{month}.csv"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8, æøå survive
    header, row = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    values = dict(zip(header, row, strict=True))
    assert header[:4] == ["Reference", "Status", "Periode fra", "Periode til"]
    assert values["Status"] == "valideret"
    assert values["Periode fra"] == case.period_start.strftime("%d-%m-%Y")
    digits = case.cpr.replace("-", "")
    assert values["CPR-nr."] == f"{digits[:6]}-{digits[6:]}"
    assert values["Refusionsberettiget beløb"] == f"{claim.refundable_amount:.2f}".replace(
        ".", ",")
    assert values["Nedsat til timeloftet"] in ("Ja", "Nej")
    assert values["Modtaget"] == "01-12-2026 00:30:00"
    assert "Løn (inkl. sygeløn)" in values["Søgt dækning af"]
    assert ZoneInfo("Europe/Copenhagen")  # the zone data is there


def test_export_says_claims_in_the_plural(run, validated) -> None:
    assert run("export", "--month", "2020-01").startswith("wrote 0 claims (")


def test_claims_list_has_a_header_and_real_statuses(run, validated) -> None:
    _case, claim = validated
    lines = run("claims", "list").splitlines()
    assert lines[0].split() == ["REFERENCE", "STATUS", "PERIOD", "REFUNDABLE", "EMPLOYER",
                                "EMPLOYEE", "CPR"]
    assert lines[1].split()[:2] == [claim.reference, "validated"]
    assert run("claims", "list", "--status", "needs_review") == "no claims\n"
    refused = run("claims", "list", "--status", "complete", code=2)
    assert "'complete' is not one of 'needs_review', 'validated', 'paid', 'rejected', " \
           "'incomplete', 'invalid'" in refused


def test_claims_show_any_case_and_one_line_subject(run, validated) -> None:
    _case, claim = validated
    shown = run("claims", "show", claim.reference.lower())
    assert f"reference           {claim.reference}" in shown
    assert "subject             Refusion november 2026\n" in shown
    assert "mail: summary to okonomi@kommune.example" in shown


def test_claims_help_is_whole() -> None:
    shown = CliRunner().invoke(cli, ["claims", "--help"]).output
    # The column width follows the longest command name; the help text is what matters.
    assert "show Show one claim by its reference, like R-2026-000042 (any case)." in \
        " ".join(shown.split())
    assert "keys reference, status" in shown
