"""The intake service end to end on a real database (SQLite and PostgreSQL), no transport."""

from __future__ import annotations

import email
import email.policy
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from assistant.bot.service import IntakeService
from assistant.config import Config
from assistant.intakes import IntakeStore
from assistant.models import ChatMessage, Intake, OutboundMessage
from handlers.register import RegisterError
from tests.integration.intake_script import FULL_FORM, NOW, Manager, invite, setup_workplace


@pytest.fixture
def service(store):
    setup_workplace(store)
    return IntakeService(store.engine, Config(), clock=lambda: NOW)


def started(service, store, user_id="1001") -> Manager:
    manager = Manager(service, user_id)
    manager.says(f"/start {invite(store)}")
    return manager


def test_full_form_from_invite_to_submit(service, store) -> None:
    manager = started(service, store)
    assert "Velkommen, Lone Hansen" in manager.last[0].text
    assert manager.last[-1].text.startswith("Hvor skal jobbet være?")
    manager.fill(FULL_FORM)
    assert "Tjek svarene" in manager.text() and "6. Timer pr. uge: 7,5" in manager.text()
    manager.presses("submit")
    assert "er sendt til jobcentret" in manager.text()
    plan = manager.last[-1].document
    assert plan is not None and plan.filename.startswith("onboardingplan-")
    assert "# Onboardingplan: Hovedbiblioteket" in plan.content.decode()
    with Session(store.engine) as db:
        intake = db.exec(select(Intake)).one()
        assert intake.status == "submitted" and intake.job["hours_per_week"] == "7.5"
        assert intake.job["tasks"][0]["title"] == "Sætte bøger på plads"
        mail = db.exec(select(OutboundMessage)).one()
    assert mail.kind == "intake" and mail.recipient == "konsulenter@kommune.example"
    parsed = email.message_from_bytes(mail.raw)
    names = [part.get_filename() for part in parsed.walk() if part.get_filename()]
    assert names == [f"onboardingplan-{intake.id}.md"]
    body = email.message_from_bytes(mail.raw, policy=email.policy.default).get_body(("plain",))
    assert "Lokal arbejdsplads: Hovedbiblioteket" in body.get_content()
    assert "assistant intakes approve" in body.get_content()


def test_uninvited_users_get_a_polite_refusal_and_nothing_else(service, store) -> None:
    stranger = Manager(service, "666")
    for text in ("/start", "hej", "/new", "/status"):
        assert [r.text for r in stranger.says(text)] == [
            r.text for r in stranger.says("/help")]
        assert "inviteret" in stranger.text() and stranger.last[0].buttons == ()
    assert service.on_button("telegram", "666", "1:location:x")[0].text.startswith("Denne bot")
    assert "kendes ikke" in stranger.says("/start not-a-token")[0].text
    with Session(store.engine) as db:
        assert db.exec(select(Intake)).all() == []


def test_invite_is_single_use_and_expires(service, store) -> None:
    token = invite(store)
    Manager(service, "1").says(f"/start {token}")
    assert "allerede brugt" in Manager(service, "2").says(f"/start {token}")[0].text
    old = IntakeStore(store.engine).create_invite("65113015", "Ole", timedelta(hours=1),
                                                  now=NOW)
    later = IntakeService(store.engine, Config(), clock=lambda: NOW + timedelta(days=1))
    # Valid for an hour from NOW; the service's clock is a day on.
    assert "udløbet" in Manager(later, "3").says(f"/start {old}")[0].text
    with pytest.raises(RegisterError, match="no workplace with CVR 12345674"):
        IntakeStore(store.engine).create_invite("12345674", "Ole", timedelta(hours=1))


@pytest.mark.parametrize(("prefix", "wrong", "says"), [
    (3, ("press", "own"), None),  # then an empty task below
    (14, ("text", "14"), "1 til 10"),
    (16, ("text", "01.01.2020"), "overstået"),
    (17, ("text", "18"), "1 til 12"),
])
def test_wrong_inputs_are_re_asked(service, store, prefix, wrong, says) -> None:
    manager = started(service, store)
    manager.fill(FULL_FORM[:prefix])
    manager.fill([wrong])
    if says is None:
        manager.says("   ")
        says = "tomt"
    assert says in manager.last[0].text
    assert len(manager.last) == 2  # the reason, then the same question again


def test_back_and_change_at_review(service, store) -> None:
    manager = started(service, store)
    manager.fill(FULL_FORM[:2])
    manager.says("/back")
    assert manager.last[-1].text.startswith("Hvem bliver fast kontaktperson")
    manager.says("Anne Holm")
    manager.fill(FULL_FORM[2:])
    manager.presses("edit:duration")
    assert "Hvor mange måneder" in manager.text()
    manager.presses("12")
    assert "9. Varighed: 12 måneder" in manager.text()
    assert "2. Kontaktperson: Anne Holm" in manager.text()


def test_restart_resumes_at_the_same_step(service, store) -> None:
    manager = started(service, store)
    manager.fill(FULL_FORM[:15])
    question = manager.last[-1].text
    restarted = Manager(IntakeService(store.engine, Config(), clock=lambda: NOW), "1001")
    assert restarted.says("/start")[-1].text == question
    restarted.says("tirsdag 9-13")
    assert restarted.last[-1].text.startswith("Hvornår forventer I opstart?")


def test_stale_button_changes_nothing(service, store) -> None:
    manager = started(service, store)
    manager.fill(FULL_FORM[:3])
    old = manager.button("library")
    manager.presses("library")
    manager.presses("ex:0")
    replies = service.on_button("telegram", "1001", old)
    assert "virker ikke længere" in replies[0].text
    assert replies[-1].text.startswith("Hvornår eller hvor ofte")
    with Session(store.engine) as db:
        state = db.exec(select(Intake)).one().state
    assert state["step"] == "task_frequency" and state["answers"]["_task"]["area"] == "library"


def test_two_managers_at_once(service, store) -> None:
    one, two = started(service, store, "1"), started(service, store, "2")
    for step_one, step_two in zip(FULL_FORM, FULL_FORM[:10], strict=False):
        one.fill([step_one])
        two.fill([step_two])
    one.fill(FULL_FORM[10:])
    one.presses("submit")
    with Session(store.engine) as db:
        rows = {i.chat_user_id: i for i in db.exec(select(Intake)).all()}
    assert sorted(i.status for i in rows.values()) == ["draft", "submitted"]
    drafts = [i.state["step"] for i in rows.values() if i.status == "draft"]
    assert drafts == ["crit_can_be_taken_over"]


def test_commands_status_new_cancel_language(service, store) -> None:
    manager = started(service, store)
    manager.fill(FULL_FORM[:1])
    manager.says("/new")
    assert manager.last[0].text.startswith("Nyt skema (nr. 2)")
    status = manager.says("/status")[0]
    assert "1. Hovedbiblioteket: i gang, spørgsmål 2 af" in status.text
    assert status.buttons[0][0].data == "resume:1"
    manager.presses("resume:1")
    assert manager.last[-1].text.startswith("Hvem bliver fast kontaktperson")
    manager.says("/cancel")
    assert "Skema 1 er annulleret" in manager.text()
    assert "ikke et skema i gang" in manager.says("hej")[0].text
    manager.says("/language")
    manager.presses("lang:en")
    assert manager.last[0].text == "The language is now English."
    assert "/back - previous question" in manager.says("/help")[0].text
    assert "I do not know /foo" in manager.says("/foo")[0].text
    manager.says("/new")
    assert "cannot be skipped" in manager.says("/skip")[0].text


def test_approve_first_come_first_served_and_tell_the_manager(service, store) -> None:
    first, second = started(service, store, "1"), started(service, store, "2")
    big = [s if s != ("text", "7,5") else ("text", "10") for s in FULL_FORM]
    first.fill(big)
    first.presses("submit")
    second.fill(big)
    second.presses("submit")
    # Fill the pool so only 10 hours are left: room for one of the two.
    for n in range(9):
        store.add_employment(f"0101900{n:02d}0"[:10], f"Borger {n}", "65113015", Decimal(10),
                             date(2027, 1, 1), date(2027, 12, 31), "midlertidig opgave")
    intakes = IntakeStore(store.engine, store.limits)
    with pytest.raises(RegisterError, match="first come, first served: intake"):
        intakes.approve(2, "0101901234", "Mette Sørensen", date(2027, 1, 4))
    employment = intakes.approve(1, "0101901234", "Mette Sørensen", date(2027, 1, 4))
    assert employment.intake_id == 1 and employment.hours_per_week == Decimal(10)
    assert employment.end_date == date(2027, 7, 3)
    with pytest.raises(RegisterError, match="is approved"):
        intakes.approve(1, "0101901234", "Mette Sørensen", date(2027, 1, 4))
    with pytest.raises(RegisterError, match="pool has 0 hours left"):
        intakes.approve(2, "0202901234", "Ib Holm", date(2027, 1, 4))
    pending = service.pending_chat_messages("telegram")
    assert [(m.user_id, m.reply.text[:40]) for m in pending] == [
        ("1", 'Godt nyt: jobbet "Hovedbiblioteket" (ske')]
    assert "010190" not in pending[0].reply.text and "Mette" not in pending[0].reply.text
    service.mark_chat_sent(pending[0].id)
    assert service.pending_chat_messages("telegram") == []
    with Session(store.engine) as db:
        assert db.get(Intake, 1).status == "approved"
        assert db.exec(select(ChatMessage)).one().status == "sent"


def test_a_refusal_after_language_switch_comes_in_the_new_language(service, store) -> None:
    manager = started(service, store)
    manager.fill(FULL_FORM[:14])
    manager.says("/language")
    manager.presses("lang:en")
    assert manager.last[-1].text.startswith("How many hours a week (1-10)?")
    assert "from 1 to 10" in manager.says("14")[0].text


def test_forged_button_data_is_a_stale_button_not_an_error(service, store) -> None:
    manager = started(service, store)
    for data in ("", "x", "1:location", "999:location:x", "1:task_area:../../etc",
                 "resume:abc", "resume:999", "lang:xx"):
        replies = service.on_button("telegram", "1001", data)
        assert replies and not replies[0].text.startswith("Beklager"), data
    assert manager.says("Hovedbiblioteket")[-1].text.startswith("Hvem bliver fast")
