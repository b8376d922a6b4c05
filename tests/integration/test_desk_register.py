"""The use cases the desk shares with the command line: extending an employment (the
rule, pure), and the commands for ending and extending employments, removing a sender,
asking about and declining an intake, and the export as XLSX (both backends)."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlmodel import select

from assistant.cli import cli
from assistant.db import session
from assistant.models import AuditEntry, ChatMessage, Employment, Intake
from handlers.register import Span, check_extension
from tests.integration.desk_data import submitted_intake

CVR = "12345674"
MINE = Span(cpr="0101901234", cvr=CVR, hours=Decimal(6), start=date(2027, 1, 1),
            end=date(2027, 3, 31), id=1)


def test_an_extension_must_fit_the_pool_in_the_added_weeks_only():
    # 96 hours of others end with MINE's current end: the added weeks are free.
    before = Span("0202021234", "87654321", Decimal(96), date(2027, 1, 1), date(2027, 3, 31), 2)
    assert check_extension(MINE, date(2027, 6, 30), [MINE, before], "Mere arbejde.") == []
    # ... but 96 hours from April leave 4 of the 6 needed.
    after = Span("0202021234", "87654321", Decimal(96), date(2027, 4, 1), date(2027, 9, 30), 3)
    (reason,) = check_extension(MINE, date(2027, 6, 30), [MINE, after], "Mere arbejde.")
    assert reason.startswith("the pool has 4 hours left per week in 2027-04-01 to 2027-06-30")


def test_an_extension_keeps_the_twelve_months_and_needs_a_reason_and_a_later_end():
    (reason,) = check_extension(MINE, date(2028, 1, 1), [], "Mere arbejde.")
    assert "may end 2027-12-31 at the latest (got 2028-01-01)" in reason
    assert check_extension(MINE, date(2027, 12, 31), [], "Mere arbejde.") == []
    assert check_extension(MINE, date(2027, 3, 31), [], " ") == [
        "the addendum's reason (why the employment is extended) is missing",
        "the new end 2027-03-31 is not after the current end 2027-03-31"]


def test_an_extension_may_not_overlap_the_same_citizens_next_employment_there():
    next_one = Span(MINE.cpr, CVR, Decimal(2), date(2027, 5, 1), date(2027, 8, 31), 4)
    (reason,) = check_extension(MINE, date(2027, 6, 30), [next_one], "Mere arbejde.")
    assert reason.startswith("CPR 010190-xxxx already has an employment at CVR 12345674")


@pytest.fixture
def run(config_file):
    path = config_file('[jobcenter]\nconsultants = "konsulenter@kommune.example"\n')

    def invoke(*args: str):
        return CliRunner().invoke(cli, [*args, "--config", str(path)])

    return invoke


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def audit_of(store, action: str) -> list[AuditEntry]:
    with session(store.engine) as db:
        return list(db.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_employments_extend_and_end_on_the_command_line_are_audited(run, store):
    ok(run("workplaces", "add", "--cvr", CVR, "--name", "Firma ApS", "--sender", "firma.dk"))
    ok(run("employments", "add", "--cpr", "010190-1234", "--name", "Anna", "--cvr", CVR,
           "--hours", "6", "--start", "2027-01-01", "--end", "2027-03-31",
           "--reason", "Opgaven er afgrænset.", "--today", "2026-12-01", "--by", "karin"))
    out = ok(run("employments", "extend", "1", "--to", "2027-06-30", "--reason",
                 "Arkivet er større end ventet.", "--by", "karin"))
    assert "Extended employment 1 (010190-xxxx) to 2027-06-30" in out
    too_long = run("employments", "extend", "1", "--to", "2028-01-01", "--reason", "Mere.")
    assert too_long.exit_code == 1 and "may end 2027-12-31 at the latest" in too_long.output
    ok(run("employments", "end", "1", "--on", "2027-05-15", "--reason", "Stoppede selv.",
           "--by", "karin"))
    ended = run("employments", "extend", "1", "--to", "2027-07-31", "--reason", "Mere.")
    assert ended.exit_code == 1 and "an ended employment cannot be extended" in ended.output
    assert [(a.actor, a.reason) for a in audit_of(store, "add_employment")] == [
        ("karin", "Opgaven er afgrænset.")]
    (extended,) = audit_of(store, "extend_employment")
    assert (extended.details["old_end"], extended.details["new_end"]) == \
        ("2027-03-31", "2027-06-30")
    (end,) = audit_of(store, "end_employment")
    assert (end.reason, end.details["last_day"]) == ("Stoppede selv.", "2027-05-15")


def test_workplaces_remove_sender(run, store):
    ok(run("workplaces", "add", "--cvr", CVR, "--name", "Firma ApS", "--sender", "firma.dk",
           "--sender", "lon@andet.dk"))
    out = ok(run("workplaces", "remove-sender", "--cvr", CVR, "--sender", "@Firma.DK"))
    assert "senders: lon@andet.dk" in out
    again = run("workplaces", "remove-sender", "--cvr", CVR, "--sender", "firma.dk")
    assert again.exit_code == 1 and "firma.dk is not a sender of CVR 12345674" in again.output
    assert [a.details for a in audit_of(store, "remove_sender")] == [{"sender": "firma.dk"}]


def test_intakes_ask_and_decline_tell_the_manager_in_the_chat(run, store):
    intake_id = submitted_intake(store)
    out = ok(run("intakes", "ask", str(intake_id), "--question", "Hvornår er der frokost?"))
    assert f"Asked the manager about intake {intake_id}" in out
    ok(run("intakes", "decline", str(intake_id), "--reason", "Det er en fast stilling."))
    twice = run("intakes", "decline", str(intake_id), "--reason", "Igen.")
    assert twice.exit_code == 1 and "is cancelled; only a submitted intake" in twice.output
    with session(store.engine) as db:
        texts = [m.text for m in db.exec(select(ChatMessage).order_by(ChatMessage.id)).all()]
        assert db.get(Intake, intake_id).status == "cancelled"
        assert db.exec(select(Employment)).all() == []
    assert len(texts) == 2
    assert "Hvornår er der frokost?" in texts[0] and "konsulenter@kommune.example" in texts[0]
    assert "kan ikke godkende" in texts[1] and "Det er en fast stilling." in texts[1]
    assert [a.subject for a in audit_of(store, "decline_intake")] == [f"intake {intake_id}"]


def test_export_as_xlsx_on_the_command_line(run, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    target = tmp_path / "oktober.xlsx"
    out = ok(run("export", "--month", "2026-10", "--format", "xlsx", "-o", str(target)))
    assert "wrote 0 claims" in out
    assert (target.stat().st_mode & 0o777) == 0o600  # full CPR numbers: owner-only
    sheet = openpyxl.load_workbook(io.BytesIO(target.read_bytes())).active
    header = next(sheet.iter_rows(values_only=True))
    assert header[:4] == ("Reference", "Status", "Periode fra", "Periode til")
