"""Follow-up that runs by itself: what is due on a fixed day (pure rules), and that each
reminder is queued once across runs, restarts, month ends and concurrent instances
(SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal as D

import pytest
from click.testing import CliRunner
from sqlmodel import select

from assistant.cli import cli
from assistant.config import load_config
from assistant.db import make_engine, session
from assistant.followup import run_followup
from assistant.models import Claim, InboundMessage, OutboundMessage
from assistant.store import Store
from handlers.followup import (
    EmploymentFacts,
    FollowupRules,
    MonthFacts,
    QueuedIntake,
    due,
)
from handlers.review import sick_days

CPR = "120890-1234"
CVR = "19710726"  # a valid CVR


def facts(**changes) -> EmploymentFacts:
    base = dict(id=7, workplace="Café Solsikken ApS", employee_name="Mette Sørensen",
                cpr_masked="120890-xxxx", hours_per_week=D(10), start=date(2026, 6, 1),
                last_day=date(2027, 5, 31), active=True, contact="lon@solsikken.dk",
                claimed=((date(2026, 6, 1), date(2026, 6, 30)),
                         (date(2026, 7, 1), date(2026, 7, 31))),
                sick_hours=D(0))
    base.update(changes)
    return EmploymentFacts(**base)


def keys(reminders) -> list[str]:
    return sorted(r.key for r in reminders)


def test_a_missing_payslip_is_asked_for_from_day_10_of_the_next_month() -> None:
    employment = facts()  # claimed June and July; August is missing
    assert keys(due(date(2026, 9, 9), [employment], [], D(0), None)) == []
    (reminder,) = due(date(2026, 9, 10), [employment], [], D(0), None)
    assert (reminder.key, reminder.recipient, reminder.address) == (
        "missing_payslip:7:2026-08", "workplace", "lon@solsikken.dk")
    assert "Mette (120890-xxxx)" in reminder.subject
    assert "01.08.2026 - 31.08.2026" in reminder.body and "1234" not in reminder.body


def test_a_claimed_month_or_a_month_outside_the_employment_is_not_asked_for() -> None:
    august = ((date(2026, 8, 1), date(2026, 8, 31)),)
    assert due(date(2026, 9, 12), [facts(claimed=august)], [], D(0), None) == []
    later = facts(start=date(2026, 9, 1), claimed=())
    assert due(date(2026, 9, 12), [later], [], D(0), None) == []


def test_across_the_year_end_the_reminder_names_december() -> None:
    employment = facts(claimed=((date(2026, 11, 1), date(2026, 11, 30)),))
    assert keys(due(date(2027, 1, 15), [employment], [], D(0), None)) == [
        "missing_payslip:7:2026-12"]


def test_an_employment_ending_within_30_days_is_put_to_the_consultants() -> None:
    employment = facts(last_day=date(2026, 10, 9), claimed=(
        (date(2026, 8, 1), date(2026, 8, 31)),))
    assert keys(due(date(2026, 9, 8), [employment], [], D(0), None)) == []
    (reminder,) = due(date(2026, 9, 9), [employment], [], D(0), None)
    assert (reminder.key, reminder.recipient) == ("ending:7:2026-10-09", "consultants")
    assert "09.10.2026 (om 30 dage)" in reminder.body


def test_sick_days_are_counted_from_hours_and_told_at_20_and_30() -> None:
    assert sick_days(D(40), D(10)) == 20  # 10 h a week = 2 h a day
    assert sick_days(D("39.5"), D(10)) == 20
    claimed = ((date(2026, 8, 1), date(2026, 8, 31)),)
    assert keys(due(date(2026, 9, 1), [facts(sick_hours=D(38), claimed=claimed)],
                    [], D(0), None)) == []
    assert keys(due(date(2026, 9, 1), [facts(sick_hours=D(60), claimed=claimed)],
                    [], D(0), None)) == ["sick:7:20", "sick:7:30"]


def test_two_months_without_claims_are_put_to_the_consultants() -> None:
    employment = facts(claimed=((date(2026, 6, 1), date(2026, 6, 30)),))
    assert keys(due(date(2026, 9, 10), [employment], [], D(0), None)) == [
        "missing_payslip:7:2026-08", "no_claims:7:2026-08"]


def test_room_in_the_pool_is_told_for_the_first_intake_in_the_queue_only() -> None:
    queue = [QueuedIntake(3, "Bogcaféen ApS", D(8)), QueuedIntake(4, "Holm ApS", D(4))]
    assert due(date(2026, 9, 1), [], queue, D(6), None) == []  # first come, first served
    (reminder,) = due(date(2026, 9, 1), [], queue, D(8), None)
    assert (reminder.key, reminder.recipient) == ("pool_room:3", "consultants")


def test_the_economy_group_gets_last_months_summary_from_day_5_without_cpr() -> None:
    month = MonthFacts(date(2026, 8, 1), 4, D("31234.50"), 1, 2)
    assert due(date(2026, 9, 4), [], [], D(0), month) == []
    (reminder,) = due(date(2026, 9, 5), [], [], D(0), month)
    assert (reminder.key, reminder.recipient) == ("economy_month:2026-08", "economy")
    assert "4 krav godkendt, kr. 31.234,50" in reminder.subject
    assert "Til vurdering (åbne)         1" in reminder.body
    assert due(date(2026, 9, 5), [], [], D(0), month, FollowupRules(economy_summary_day=6)) \
        == []


def test_english_when_the_installation_is_english() -> None:
    (reminder,) = due(date(2026, 9, 10), [facts()], [], D(0), None, lang="en")
    assert reminder.subject == "Reminder: payslip for Mette (120890-xxxx) missing"


# -- the shell: queued once -------------------------------------------------------------


@pytest.fixture
def config(tmp_path, db_url):
    path = tmp_path / "config.toml"
    path.write_text(f"""
[database]
url = "{db_url.render_as_string(hide_password=False)}"
[outbox]
directory = "{tmp_path / 'outbox'}"
[jobcenter]
economy_group = "okonomi@kommune.example"
consultants = "konsulenter@kommune.example"
""")
    return load_config(path, env={})


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
