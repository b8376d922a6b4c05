"""Register rules (pure) and the register in the store (both backends)."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.register import (
    RegisterError,
    Span,
    check_new_employment,
    latest_end,
    normalize_sender,
    peak_hours,
    pool_status,
    sender_allowed,
)

D = Decimal
CPR_A, CPR_B = "0101901234", "0202851234"
CVR_A, CVR_B = "12345674", "65113015"
JAN1 = date(2026, 1, 1)


def span(hours, start=JAN1, end=date(2026, 12, 31), cpr=CPR_B, cvr=CVR_B, id=None):
    return Span(cpr=cpr, cvr=cvr, hours=D(hours), start=start, end=end, id=id)


def check(hours, start=JAN1, end=date(2026, 12, 31), spans=(), **kw):
    return check_new_employment(D(hours), start, end, list(spans), D(100), D(10), 12, **kw)


# -- hours ------------------------------------------------------------------------------

@pytest.mark.parametrize("hours", ["0.01", "4", "7.5", "10", "10.00"])
def test_hours_allowed(hours):
    assert check(hours) == []


@pytest.mark.parametrize("hours,expected", [
    ("0", "hours per week must be more than 0 (got 0)"),
    ("-2", "hours per week must be more than 0 (got -2)"),
    ("10.01", "an employment may have at most 10 hours per week (got 10.01)"),
    ("12", "an employment may have at most 10 hours per week (got 12)"),
    ("7.333", "hours per week have at most two decimals (got 7.333)"),
])
def test_hours_refused(hours, expected):
    assert check(hours) == [expected]


# -- the 12-month limit -----------------------------------------------------------------

@pytest.mark.parametrize("start,latest", [
    (date(2026, 1, 1), date(2026, 12, 31)),
    (date(2026, 3, 15), date(2027, 3, 14)),
    (date(2026, 1, 31), date(2027, 1, 30)),
    (date(2027, 3, 1), date(2028, 2, 29)),  # across a leap day: still 12 months
    (date(2028, 2, 29), date(2029, 2, 28)),  # no 29 Feb next year: the month's last day
])
def test_latest_end_exact_days(start, latest):
    assert latest_end(start, 12) == latest
    assert check(4, start, latest) == []
    (reason,) = check(4, start, latest + timedelta(days=1))
    assert reason == (
        f"an employment may last at most 12 months: one starting {start} may end {latest} "
        f"at the latest (got {latest + timedelta(days=1)})")


def test_latest_end_for_shorter_limits():
    assert latest_end(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert latest_end(date(2026, 1, 15), 1) == date(2026, 2, 14)
    assert latest_end(date(2026, 1, 1), 6) == date(2026, 6, 30)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_twelve_months_is_364_or_365_days_on(start):
    assert 364 <= (latest_end(start, 12) - start).days <= 365


def test_period_order():
    assert check(4, JAN1, JAN1) == []  # a single day is a period
    assert check(4, JAN1, date(2025, 12, 31)) == [
        "the employment ends (2025-12-31) before it starts (2026-01-01)"]


# -- the pool ---------------------------------------------------------------------------

def test_a_4_hour_employment_leaves_96():
    status = pool_status([span(4)], date(2026, 6, 1), D(100))
    assert (status.approved_hours, status.pool_hours, status.left_hours) == (4, 100, 96)
    assert status.employments == 1
    assert pool_status([span(4)], date(2027, 1, 1), D(100)).left_hours == 100


def test_pool_first_come_first_served():
    used = [span(10, cpr=f"01019{n:05d}") for n in range(9)] + [span(5)]  # 95 hours
    (reason,) = check(10, spans=used)
    assert "5 hours left" in reason
    assert reason == ("the pool has 5 hours left per week in 2026-01-01 to 2026-12-31 "
                      "(95 of 100 approved); 10 hours were asked for")
    assert check(5, spans=used) == []
    assert "0 hours left" in check("0.01", spans=[*used, span(5)])[0]


def test_pool_counts_the_busiest_day_not_every_overlap():
    january = span(90, JAN1, date(2026, 1, 31))
    february = span(90, date(2026, 2, 1), date(2026, 2, 28))
    spans = [january, february]
    assert peak_hours(spans, JAN1, date(2026, 2, 28)) == 90  # not 180
    assert check(10, JAN1, date(2026, 2, 28), spans) == []
    assert "9 hours left" in check(10, JAN1, date(2026, 2, 28), [*spans, span(1)])[0]
    # A period after both employments has the whole pool.
    assert check(10, date(2026, 3, 1), date(2026, 3, 31), spans) == []
    # The last day counts; the day after does not.
    one = [span(95, JAN1, date(2026, 1, 31))]
    assert peak_hours(one, date(2026, 1, 31), date(2026, 2, 5)) == 95
    assert peak_hours(one, date(2026, 2, 1), date(2026, 2, 5)) == 0


spans_strategy = st.lists(st.builds(
    lambda start, length, hours: span(hours, start, start + timedelta(days=length)),
    st.dates(min_value=JAN1, max_value=date(2026, 3, 31)),
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=1, max_value=10),
), max_size=12)


@given(spans_strategy, st.dates(min_value=JAN1, max_value=date(2026, 3, 31)),
       st.integers(min_value=0, max_value=40))
def test_peak_hours_is_the_busiest_day(spans, start, length):
    end = start + timedelta(days=length)
    days = [start + timedelta(days=n) for n in range(length + 1)]
    brute = max(sum((s.hours for s in spans if s.start <= d <= s.end), D(0)) for d in days)
    assert peak_hours(spans, start, end) == brute


def test_same_citizen_twice_at_one_workplace_is_refused():
    existing = [span(4, cpr=CPR_A, cvr=CVR_A, id=7)]
    (reason,) = check(4, spans=existing, cpr=CPR_A, cvr=CVR_A)
    assert reason == ("CPR 010190-xxxx already has an employment at CVR 12345674 "
                      "from 2026-01-01 to 2026-12-31 (employment 7)")
    assert CPR_A not in reason and "-1234" not in reason
    assert check(4, spans=existing, cpr="010190-1234", cvr=CVR_A) != []  # hyphen or not
    assert check(4, spans=existing, cpr=CPR_A, cvr=CVR_B) == []  # another workplace
    assert check(4, date(2027, 1, 1), date(2027, 6, 30), existing, cpr=CPR_A, cvr=CVR_A) == []


def test_all_reasons_at_once():
    reasons = check(11, JAN1, date(2027, 6, 1))
    assert len(reasons) == 2  # hours and period; the pool is not judged on invalid hours


# -- senders ----------------------------------------------------------------------------

@pytest.mark.parametrize("sender,patterns,allowed", [
    ("lon@firma.dk", ["lon@firma.dk"], True),
    ("LON@Firma.DK", ["lon@firma.dk"], True),
    ("lon@firma.dk", ["LON@FIRMA.DK"], True),
    ("Løn <lon@firma.dk>", ["lon@firma.dk"], True),
    ("anden@firma.dk", ["lon@firma.dk"], False),
    ("anden@firma.dk", ["firma.dk"], True),
    ("anden@firma.dk", ["@firma.dk"], True),
    ("anden@FIRMA.dk", ["@Firma.dk"], True),
    ("x@mail.firma.dk", ["firma.dk"], False),  # subdomains are not implied
    ("x@mail.firma.dk", ["mail.firma.dk"], True),
    ("x@firma.dk.evil.com", ["firma.dk"], False),
    ("x@notfirma.dk", ["firma.dk"], False),
    ("lon@firma.dk", [], False),
    ("", ["firma.dk"], False),
    ("firma.dk", ["firma.dk"], False),  # not an address
    ("lon@firma.dk", ["not a pattern", "firma.dk"], True),  # a bad pattern is skipped
])
def test_sender_allowed(sender, patterns, allowed):
    assert sender_allowed(sender, patterns) is allowed


def test_normalize_sender():
    assert normalize_sender(" @Firma.DK ") == "firma.dk"
    assert normalize_sender("Lon@Firma.dk") == "lon@firma.dk"
    assert normalize_sender("mølle.dk") == "mølle.dk"
    for bad in ("firma", "lon@", "a@b@c.dk", "x y.dk", "", "@"):
        with pytest.raises(ValueError):
            normalize_sender(bad)


# -- the register in the store (SQLite and PostgreSQL) ------------------------------------

def add_employment(store, cpr=CPR_A, cvr=CVR_A, hours="4", start=JAN1, end=date(2026, 12, 31)):
    return store.add_employment(cpr, "Anna Andersen", cvr, D(hours), start, end,
                                "Ansættelsen er midlertidig, fordi opgaven er afgrænset")


def test_workplaces_add_update_and_find(store):
    record = store.add_workplace("12 34 56 74", "Firma ApS", ["@Firma.dk", "lon@bureau.dk"])
    assert (record.cvr, record.name, record.senders) == (
        CVR_A, "Firma ApS", ("firma.dk", "lon@bureau.dk"))
    again = store.add_workplace(CVR_A, "Firma A/S", ["firma.dk", "hr@firma.dk"])
    assert again.id == record.id and again.name == "Firma A/S"
    assert again.senders == ("firma.dk", "hr@firma.dk", "lon@bureau.dk")
    assert [w.cvr for w in store.workplaces()] == [CVR_A]
    assert store.workplace_by_cvr(CVR_A) == again
    assert store.workplace_by_cvr(CVR_B) is None


def test_workplace_refusals(store):
    with pytest.raises(RegisterError, match="modulus-11"):
        store.add_workplace("12345675", "X", [])
    with pytest.raises(RegisterError, match="8 digits"):
        store.add_workplace("1234", "X", [])
    with pytest.raises(RegisterError, match="neither an e-mail address"):
        store.add_workplace(CVR_A, "X", ["firma"])
    with pytest.raises(RegisterError, match="name"):
        store.add_workplace(CVR_A, "  ", [])
    assert store.workplaces() == []


def usage(store, on):
    """(hours approved on ``on``, the pool's size)."""
    status = store.pool_status(on)
    return status.approved_hours, status.pool_hours


def test_employment_pool_and_end(store):
    store.add_workplace(CVR_A, "Firma ApS", ["firma.dk"])
    employment = add_employment(store)
    assert employment.id is not None and employment.status == "approved"
    assert employment.hours_per_week == D("4.00")
    assert usage(store, date(2026, 6, 1)) == (D(4), D(100))
    assert usage(store, date(2025, 12, 31)) == (D(0), D(100))
    assert [e.id for e in store.employments(active_on=date(2026, 6, 1))] == [employment.id]

    ended = store.end_employment(employment.id, date(2026, 6, 30))
    assert (ended.status, ended.ended_on, ended.last_day) == ("ended", date(2026, 6, 30),
                                                               date(2026, 6, 30))
    assert usage(store, date(2026, 6, 30)) == (D(4), D(100))  # its last day still counts
    assert usage(store, date(2026, 7, 1)) == (D(0), D(100))
    assert store.employments(active_on=date(2026, 7, 1)) == []
    assert [e.id for e in store.employments()] == [employment.id]
    with pytest.raises(RegisterError, match="already ended on 2026-06-30"):
        store.end_employment(employment.id, date(2026, 7, 1))
    with pytest.raises(RegisterError, match="no employment with id 999"):
        store.end_employment(999, date(2026, 7, 1))


def test_ending_later_than_planned_is_refused_and_before_start_cancels(store):
    store.add_workplace(CVR_A, "Firma ApS", [])
    employment = add_employment(store)
    with pytest.raises(RegisterError, match="cannot be ended later"):
        store.end_employment(employment.id, date(2027, 1, 1))
    store.end_employment(employment.id, date(2025, 12, 31))
    assert usage(store, JAN1) == (D(0), D(100))


def test_pool_refusal_in_the_store(store):
    store.add_workplace(CVR_A, "Firma ApS", [])
    for n in range(9):
        add_employment(store, cpr=f"01019{n:05d}", hours="10")
    add_employment(store, cpr="0101909999", hours="5")
    assert usage(store, date(2026, 6, 1)) == (D(95), D(100))
    with pytest.raises(RegisterError) as info:
        add_employment(store, cpr=CPR_B, hours="10")
    assert "5 hours left" in str(info.value)
    # After one employment ends, its hours are free again for a later period.
    first = store.employments()[0]
    store.end_employment(first.id, date(2026, 5, 31))
    add_employment(store, cpr=CPR_B, hours="10", start=date(2026, 6, 1))
    assert usage(store, date(2026, 6, 1)) == (D(95), D(100))


def test_employment_refusals_in_the_store(store):
    store.add_workplace(CVR_A, "Firma ApS", [])
    with pytest.raises(RegisterError, match="no workplace with CVR 65113015"):
        add_employment(store, cvr=CVR_B)
    with pytest.raises(RegisterError, match="at most 10 hours"):
        add_employment(store, hours="10.5")
    with pytest.raises(RegisterError, match="2026-12-31 at the latest"):
        add_employment(store, end=date(2027, 1, 1))
    with pytest.raises(RegisterError, match="not a real date") as info:
        add_employment(store, cpr="3201901234")
    assert "1234" not in str(info.value)
    add_employment(store)
    with pytest.raises(RegisterError, match="already has an employment") as info:
        add_employment(store, start=date(2026, 6, 1))
    assert CPR_A not in str(info.value)
    with pytest.raises(RegisterError, match="reason"):
        store.add_employment(CPR_B, "B", CVR_A, D(4), JAN1, JAN1, " ")
    assert len(store.employments()) == 1


def test_concurrent_approvals_are_first_come_first_served(store):
    # 90 hours used; two consultants approve 10 hours at the same moment: one wins.
    store.add_workplace(CVR_A, "Firma ApS", [])
    for n in range(9):
        add_employment(store, cpr=f"01019{n:05d}", hours="10")
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(cpr):
        barrier.wait()
        try:
            add_employment(store, cpr=cpr, hours="10")
            outcomes.append("approved")
        except RegisterError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=approve, args=(c,)) for c in (CPR_B, "0303801234")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[0] == "approved"
    assert "0 hours left" in sorted(outcomes)[1]
    assert usage(store, date(2026, 6, 1)) == (D(100), D(100))
