"""Follow-up that runs by itself, the shell: each reminder is queued once across runs,
restarts, month ends and concurrent instances (SQLite and PostgreSQL). The pure rules (what
is due on a fixed day) are tested in tests/unit/handlers/test_followup.py."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal as D

import pytest
from click.testing import CliRunner
from sqlmodel import select

from assistant.cli import cli
from assistant.db import make_engine, session
from assistant.followup import run_followup
from assistant.models import Claim, InboundMessage, OutboundMessage
from assistant.store import Store
from tests.integration.helpers import database, jobcenter, outbox, written_config

CPR = "120890-1234"
CVR = "19710726"  # a valid CVR


# -- the shell: queued once -------------------------------------------------------------


@pytest.fixture
def config(tmp_path, db_url):
    """The pipeline's config without the jobcenter's own address (the default)."""
    return written_config(tmp_path / "config.toml", database(db_url), outbox(tmp_path),
                          jobcenter(address=None))


@pytest.fixture
def registered(store: Store) -> Store:
    store.add_workplace(CVR, "Café Solsikken ApS", ["lon@solsikken.dk"])
    store.add_employment(cpr=CPR, citizen_name="Mette Sørensen", cvr=CVR, hours=D(10),
                         start=date(2026, 6, 1), end=date(2027, 5, 31),
                         reason="Ansættelsen er midlertidig, fordi opgaven er afgrænset.")
    return store


def followups(store: Store) -> list[tuple[str, str]]:
    with session(store.engine) as db:
        rows = db.exec(select(OutboundMessage).where(OutboundMessage.kind == "followup")
                       .order_by(OutboundMessage.id)).all()
        return [(r.dedup_key, r.recipient) for r in rows]


def test_run_twice_and_after_a_restart_queues_each_reminder_once(registered, config) -> None:
    first = run_followup(registered.engine, config, date(2026, 7, 10))
    assert [(o.reminder.key, o.queued) for o in first] == [
        ("missing_payslip:1:2026-06", True), ("economy_month:2026-06", True)]
    again = run_followup(registered.engine, config, date(2026, 7, 20))
    assert [o.queued for o in again] == [False, False]
    restarted = make_engine(config.database.url)  # a new process: nothing in memory
    try:
        assert not any(o.queued for o in run_followup(restarted, config, date(2026, 7, 21)))
    finally:
        restarted.dispose()
    assert followups(registered) == [
        ("followup:missing_payslip:1:2026-06", "lon@solsikken.dk"),
        ("followup:economy_month:2026-06", "okonomi@kommune.example")]


def test_the_next_month_is_a_new_reminder(registered, config) -> None:
    run_followup(registered.engine, config, date(2026, 7, 10))
    run_followup(registered.engine, config, date(2026, 8, 10))
    assert [k for k, _ in followups(registered)
            if k.startswith("followup:missing")] == [
        "followup:missing_payslip:1:2026-06", "followup:missing_payslip:1:2026-07"]


def test_a_claim_for_the_month_means_no_reminder(registered, config) -> None:
    inbound_id, _ = registered.save_inbound(b"Subject: x\r\n\r\nx", "smtp", "lon@solsikken.dk",
                                            ["jobcenter@kommune.example"])
    with session(registered.engine) as db:
        db.add(Claim(inbound_id=inbound_id, source="a.pdf", part="pdf:0:x", status="validated",
                     cpr=CPR[:6] +
                     CPR[7:], workplace_id=1, period_start=date(2026, 6, 1),
                     period_end=date(2026, 6, 30), refundable_amount=D("4000.00"),
                     reference="R-1"))
        assert db.get(InboundMessage, inbound_id) is not None
    outcomes = run_followup(registered.engine, config, date(2026, 7, 10))
    assert [o.reminder.key for o in outcomes] == ["economy_month:2026-06"]
    assert "1 krav godkendt, kr. 4.000,00" in outcomes[0].reminder.subject


def test_a_paid_claim_counts_for_sick_days_and_in_the_months_summary(registered,
                                                                     config) -> None:
    inbound_id, _ = registered.save_inbound(b"Subject: x\r\n\r\nx", "smtp", "lon@solsikken.dk",
                                            ["jobcenter@kommune.example"])
    with session(registered.engine) as db:
        db.add(Claim(inbound_id=inbound_id, source="a.pdf", part="pdf:0:x", status="paid",
                     cpr=CPR[:6] + CPR[7:], workplace_id=1, period_start=date(2026, 6, 1),
                     period_end=date(2026, 6, 30), refundable_amount=D("4000.10"),
                     sick_hours=D(40), reference="R-1"))
    outcomes = run_followup(registered.engine, config, date(2026, 7, 10))
    # 40 sick hours at 10 hours a week (2 a day) are 20 sick days: the first mark.
    assert [o.reminder.key for o in outcomes] == ["sick:1:20", "economy_month:2026-06"]
    assert "1 krav godkendt, kr. 4.000,10" in outcomes[1].reminder.subject


def test_instances_running_at_once_queue_each_reminder_once(registered, config) -> None:
    engines = [make_engine(config.database.url) for _ in range(3)]
    barrier = threading.Barrier(len(engines))
    errors: list[BaseException] = []

    def instance(engine) -> None:
        try:
            barrier.wait()
            run_followup(engine, config, date(2026, 7, 10))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=instance, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for engine in engines:
        engine.dispose()
    assert errors == []
    assert len(followups(registered)) == 2


def test_the_command_shows_what_is_due_and_queues_it_once(registered, config_file) -> None:
    path = config_file()
    runner = CliRunner()
    dry = runner.invoke(cli, ["followup", "--config", str(path), "--today", "2026-07-10",
                              "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "due          missing_payslip    to lon@solsikken.dk" in dry.output
    assert "2 reminders would be queued, 0 sent before." in dry.output
    assert followups(registered) == []
    real = runner.invoke(cli, ["followup", "--config", str(path), "--today", "2026-07-10"])
    assert "2 reminders queued, 0 sent before." in real.output
    again = runner.invoke(cli, ["followup", "--config", str(path), "--today", "2026-07-10"])
    assert "0 reminders queued, 2 sent before." in again.output
    assert "1234" not in dry.output + real.output + again.output
