"""Follow-up that runs by itself, the pure rules: what is due on a fixed day (the shell
that queues each reminder once is tested in tests/integration/test_followup.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from handlers.followup import (
    EmploymentFacts,
    FollowupRules,
    MonthFacts,
    QueuedIntake,
    due,
)
from handlers.review import sick_days


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

