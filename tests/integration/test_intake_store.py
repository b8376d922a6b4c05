"""IntakeStore on both backends (SQLite and PostgreSQL): hashed single-use invites, drafts
saved per answer, submit with its e-mail in one step, first come first served, the chat
outbox."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage

import pytest
from sqlmodel import Session, select

from assistant.intakes import IntakeStore
from assistant.models import ChatMessage, ChatUser, Employment, Invite, OutboundMessage
from assistant.outbox import compose
from handlers.job import CRITERIA, JobDescription, Task
from handlers.register import RegisterError

CVR = "65113015"
NOW = datetime.now(UTC)


def job(hours: str = "6") -> JobDescription:
    return JobDescription(
        workplace_name="Albertslund Kommune", cvr=CVR, manager_name="Lone Hansen",
        location="Hovedbiblioteket", contact_name="Per Jensen", contact="per@example.dk",
        tasks=(Task("Sætte bøger på plads", "Dagligt", "library"),),
        criteria=dict.fromkeys(CRITERIA, True), competences=("Mødestabil",),
        hours_per_week=Decimal(hours), working_times="", start=date(2027, 1, 4),
        duration_months=6, temporary_reason="Ansættelsen er midlertidig, fordi opgaven er "
        "afgrænset til oprydning", internship_weeks=0)


def mail(intake_id: int) -> EmailMessage:
    return compose(sender="jobcenter@kommune.example",
                   recipient="konsulenter@kommune.example", subject=f"Job {intake_id}",
                   body="...", dedup_key=f"intake:{intake_id}:submitted")


@pytest.fixture
def intakes(store) -> IntakeStore:
    store.add_workplace(CVR, "Albertslund Kommune", ["albertslund.dk"])
    return IntakeStore(store.engine, store.limits)


def bound(intakes: IntakeStore, user_id: str):
    token = intakes.create_invite(CVR, f"Leder {user_id}", timedelta(hours=1))
    user = intakes.redeem("telegram", user_id, token, NOW).user
    assert user is not None
    return user


def submitted(intakes: IntakeStore, user_id: str, hours: str = "6") -> int:
    intake = intakes.new_intake(bound(intakes, user_id), {"step": "review"})
    assert intakes.submit(intake.id, {"step": "review"}, job(hours), mail(intake.id))
    return intake.id


def test_invites_are_stored_hashed_and_single_use(intakes, store) -> None:
    token = intakes.create_invite(f" {CVR}", " Lone Hansen ", timedelta(hours=2))
    with Session(store.engine) as db:
        row = db.exec(select(Invite)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(row) and row.manager_name == "Lone Hansen"
    assert intakes.redeem("telegram", "1", "wrong", NOW).refusal == "unknown"
    first = intakes.redeem("telegram", "1", token, NOW)
    assert first.refusal is None and first.user.manager_name == "Lone Hansen"
    # The same person opening the link again is welcome; anyone else is not.
    assert intakes.redeem("telegram", "1", token, NOW).user.id == first.user.id
    assert intakes.redeem("telegram", "2", token, NOW).refusal == "used"
    assert intakes.redeem("terminal", "1", token, NOW).refusal == "used"
    assert intakes.chat_user("telegram", "2") is None


def _at_once(count: int, redeem) -> list:
    """``redeem(n)`` in ``count`` threads released at the same moment by a barrier."""
    barrier = threading.Barrier(count)

    def one(n: int):
        barrier.wait()
        return redeem(n)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def test_concurrent_redemptions_of_one_invite_bind_exactly_one_user(intakes, store) -> None:
    token = intakes.create_invite(CVR, "Lone Hansen", timedelta(hours=2))
    results = _at_once(8, lambda n: intakes.redeem("telegram", str(100 + n), token, NOW))
    winners = [r for r in results if r.user is not None]
    assert len(winners) == 1
    assert sorted(r.refusal for r in results if r.user is None) == ["used"] * 7
    with Session(store.engine) as db:
        (user,) = db.exec(select(ChatUser)).all()
        invite = db.exec(select(Invite)).one()
    assert invite.used_by == f"telegram:{user.user_id}" == f"telegram:{winners[0].user.user_id}"


def test_the_same_user_redeeming_twice_at_once_is_bound_once(intakes, store) -> None:
    token = intakes.create_invite(CVR, "Lone Hansen", timedelta(hours=2))
    results = _at_once(5, lambda n: intakes.redeem("telegram", "42", token, NOW))
    assert {r.refusal for r in results} == {None}
    with Session(store.engine) as db:
        (user,) = db.exec(select(ChatUser)).all()
    assert {r.user.id for r in results} == {user.id}


def test_an_expired_invite_binds_no_one(intakes) -> None:
    token = intakes.create_invite(CVR, "Lone Hansen", timedelta(hours=2))
    late = intakes.redeem("telegram", "1", token, NOW + timedelta(hours=3))
    assert late.user is None and late.refusal == "expired"
    assert intakes.chat_user("telegram", "1") is None


@pytest.mark.parametrize(("cvr", "name", "hours", "says"), [
    ("12345674", "Lone", 1, "no workplace with CVR 12345674"),
    (CVR, "  ", 1, "manager's name is missing"),
    (CVR, "Lone", 0, "valid for some time"),
])
def test_create_invite_refusals(intakes, cvr, name, hours, says) -> None:
    with pytest.raises(RegisterError, match=says):
        intakes.create_invite(cvr, name, timedelta(hours=hours))


def test_a_draft_is_saved_per_answer_until_submitted_or_cancelled(intakes, store) -> None:
    user = bound(intakes, "1")
    intake = intakes.new_intake(user, {"step": "location"})
    assert intakes.chat_user("telegram", "1").intake_id == intake.id
    intakes.save_state(intake.id, {"step": "contact", "answers": {"location": "Biblioteket"}})
    assert intakes.intake(intake.id).state["answers"] == {"location": "Biblioteket"}
    assert intakes.submit(intake.id, {"step": "review"}, job(), mail(intake.id)) is True
    assert intakes.submit(intake.id, {"step": "review"}, job(), mail(intake.id)) is False
    intakes.save_state(intake.id, {"step": "location"})  # too late: ignored
    intakes.cancel(intake.id)  # a submitted form is not cancelled from the chat
    row = intakes.intake(intake.id)
    assert row.status == "submitted" and row.state == {"step": "review"}
    assert row.job["hours_per_week"] == "6" and row.submitted_at is not None
    with Session(store.engine) as db:
        sent = db.exec(select(OutboundMessage)).all()
    assert [(m.kind, m.recipient, m.subject) for m in sent] == [
        ("intake", "konsulenter@kommune.example", f"Job {intake.id}")]
    other = intakes.new_intake(user, {"step": "location"})
    intakes.cancel(other.id)
    assert intakes.intake(other.id).status == "cancelled"


def test_list_is_first_submitted_first_with_drafts_last(intakes) -> None:
    draft = intakes.new_intake(bound(intakes, "9"), {"step": "hours"}).id
    one, two = submitted(intakes, "1"), submitted(intakes, "2")
    assert [i.id for i in intakes.intakes()] == [one, two, draft]
    assert [i.id for i in intakes.intakes(status="submitted")] == [one, two]
    user = intakes.chat_user("telegram", "9")
    assert [i.id for i in intakes.intakes(chat_user_id=user.id)] == [draft]


def fill_pool(store, left: int) -> None:
    """Approved employments until ``left`` hours a week are left in the 100-hour pool."""
    for n in range((100 - left) // 10):
        store.add_employment(f"01019{n:03d}00"[:10], f"Borger {n}", CVR, Decimal(10),
                             date(2027, 1, 1), date(2027, 12, 31), "midlertidig opgave")


def test_approve_is_first_come_first_served_and_tells_the_manager(intakes, store) -> None:
    first, second = submitted(intakes, "1", "8"), submitted(intakes, "2", "4")
    fill_pool(store, 10)
    with pytest.raises(RegisterError, match=rf"intake\(s\) {first} were submitted earlier"):
        intakes.approve(second, "0101901234", "Mette", date(2027, 1, 4))
    assert intakes.intake(second).status == "submitted"
    employment = intakes.approve(first, "0101901234", "Mette", date(2027, 1, 4))
    assert (employment.hours_per_week, employment.end_date) == (Decimal(8), date(2027, 7, 3))
    row = intakes.intake(first)
    assert row.status == "approved" and row.employment_id == employment.id
    with pytest.raises(RegisterError, match="pool"):  # 2 hours left, 4 asked
        intakes.approve(second, "0202901234", "Ib", date(2027, 1, 4))
    messages = intakes.pending_chat("telegram")
    assert [(m.user_id, m.dedup_key) for m in messages] == [("1", f"intake:{first}:approved")]
    assert "0101901234" not in messages[0].text and "Mette" not in messages[0].text
    assert "8 timer om ugen fra 04.01.2027 til 03.07.2027" in messages[0].text
    assert intakes.pending_chat("terminal") == []
    intakes.mark_chat_sent(messages[0].id)
    intakes.mark_chat_sent(messages[0].id)  # twice: still sent once
    assert intakes.pending_chat("telegram") == []


def test_a_refused_approval_changes_nothing(intakes, store) -> None:
    intake = submitted(intakes, "1")
    with pytest.raises(RegisterError, match="CPR"):
        intakes.approve(intake, "not a cpr", "Mette", date(2027, 1, 4))
    with pytest.raises(RegisterError, match="no intake with id 999"):
        intakes.approve(999, "0101901234", "Mette", date(2027, 1, 4))
    assert intakes.intake(intake).status == "submitted"
    with Session(store.engine) as db:
        assert db.exec(select(Employment)).all() == []
        assert db.exec(select(ChatMessage)).all() == []


def test_two_consultants_approving_one_form_at_once_make_one_employment(intakes,
                                                                        store) -> None:
    intake = submitted(intakes, "1")

    def approve(cpr: str) -> str:
        try:
            return f"ok {intakes.approve(intake, cpr, 'Mette', date(2027, 1, 4)).id}"
        except RegisterError as exc:
            return str(exc)

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(approve, ["0101901234", "0202901234"]))
    assert sum(o.startswith("ok") for o in outcomes) == 1, outcomes
    assert any("is approved" in o for o in outcomes), outcomes
    with Session(store.engine) as db:
        assert len(db.exec(select(Employment)).all()) == 1
        assert len(db.exec(select(ChatMessage)).all()) == 1
