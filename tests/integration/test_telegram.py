"""The real python-telegram-bot Application against a fake Bot API server on loopback.

First the adapter's mechanics with a tiny scripted service, then managers' whole
conversations through the real intake service and database.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
import time
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from assistant.bot.conversation import Button, Document, Outgoing, Reply
from assistant.bot.service import IntakeService
from assistant.bot.telegram import TelegramBot
from assistant.config import Config
from assistant.db import make_engine
from assistant.models import Intake
from tests.integration.fake_bot_api import FakeBotApi, Sent
from tests.integration.intake_script import FULL_FORM, NOW, full_form, invite, setup_workplace
from tests.integration.intake_script import Manager as IntakeManager
from tests.integration.net import free_port
from tests.integration.test_reliability import ASSISTANT, start

TOKEN = "123456:TEST"


@pytest.fixture
def api():
    with FakeBotApi() as server:
        yield server


def running(service, api: FakeBotApi) -> TelegramBot:
    bot = TelegramBot(service, TOKEN, api.base_url, poll_timeout=1, outbox_seconds=0.2)
    assert bot.start(), bot.failed
    return bot


class Scripted:
    """A stand-in service that records calls and answers predictably."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.outgoing: list[Outgoing] = []
        self.sent: list[int] = []

    def on_text(self, channel: str, user_id: str, text: str) -> list[Reply]:
        self.calls.append(("text", user_id, text))
        if text == "boom":
            raise RuntimeError("the service failed")
        if text == "buttons":
            return [Reply("Vælg", ((Button("Ja", "1:q:ja"), Button("Nej", "1:q:nej")),))]
        if text == "long":
            return [Reply("a" * 4000 + "b" * 1000)]
        if text == "file":
            return [Reply("Her er planen", document=Document("plan.md", b"# Plan\n"))]
        return [Reply(f"echo {text}")]

    def on_button(self, channel: str, user_id: str, data: str) -> list[Reply]:
        self.calls.append(("button", user_id, data))
        return [Reply(f"pressed {data}")]

    def pending_chat_messages(self, channel: str, limit: int = 50) -> list[Outgoing]:
        return [m for m in self.outgoing if m.id not in self.sent]

    def mark_chat_sent(self, message_id: int) -> None:
        self.sent.append(message_id)


def test_adapter_mechanics(api) -> None:
    service = Scripted()
    bot = running(service, api)
    try:
        api.user_says(7, "hej")
        assert api.wait_for(7, 1)[0].text == "echo hej"
        api.user_says(7, "buttons")
        shown = api.wait_for(7, 2)[1]
        assert shown.buttons == [[("Ja", "1:q:ja"), ("Nej", "1:q:nej")]]
        api.user_presses(7, shown, "1:q:nej")
        assert api.wait_for(7, 3)[2].text == "pressed 1:q:nej"
        assert ("button", "7", "1:q:nej") in service.calls
        assert api.answered == ["1"]  # the callback query was answered
        assert api.edits == [(7, shown.message_id, None)]  # and its keyboard removed
        api.user_says(7, "file")
        texts = api.wait_for(7, 5)
        assert texts[3].text == "Her er planen" and texts[4].document == ("plan.md", b"# Plan\n")
        # A failing service does not stop the bot.
        api.user_says(7, "boom")
        api.user_says(7, "still there?")
        assert api.wait_for(7, 6)[5].text == "echo still there?"
        # Groups are never acted on; /start there gets one line pointing to a private chat.
        api.user_says(8, "hej", chat_type="group", chat_id=-100)
        api.user_says(8, "/start", chat_type="group", chat_id=-100)
        assert "privat chat" in api.wait_for(-100, 1)[0].text
        time.sleep(0.3)
        assert len(api.to(-100)) == 1 and not [c for c in service.calls if c[1] == "8"]
        # Chat outbox: delivered and marked sent; a blocked chat is marked and skipped.
        api.fail_sends_to[9] = 403
        service.outgoing += [Outgoing(1, "telegram", "7", Reply("Godkendt")),
                             Outgoing(2, "telegram", "9", Reply("Til en blokeret chat"))]
        assert api.wait_for(7, 7)[6].text == "Godkendt"
        deadline = time.monotonic() + 5
        while sorted(service.sent) != [1, 2] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(service.sent) == [1, 2]
        assert api.calls.count("setMyCommands") == 2 and "getMe" in api.calls  # da, en
    finally:
        bot.stop()


def test_blocked_user_flood_control_and_long_text_are_survived(api, caplog) -> None:
    caplog.set_level(logging.INFO)  # the service's level (PTB's DEBUG shows the API URL)
    service = Scripted()
    bot = running(service, api)
    try:
        api.fail_sends_to[20] = 403  # the user blocked the bot: logged, nothing retried
        api.user_says(20, "hej")
        deadline = time.monotonic() + 10
        while (20, 403) not in api.failed and time.monotonic() < deadline:
            time.sleep(0.02)
        assert api.failed == [(20, 403)]
        del api.fail_sends_to[20]
        api.user_says(20, "igen")  # unblocked: the bot still runs and answers
        assert [s.text for s in api.wait_for(20, 1)] == ["echo igen"]
        api.fail_once[21] = 429  # flood control: wait retry_after, then send once more
        api.user_says(21, "vent")
        assert [s.text for s in api.wait_for(21, 1, timeout=15)] == ["echo vent"]
        assert (21, 429) in api.failed
        api.user_sends_photo(23, caption="Per Jensen")  # not text: never a form answer
        assert "kun læse tekst" in api.wait_for(23, 1)[0].text
        assert not [c for c in service.calls if c[1] == "23"]
        api.user_says(22, "long")  # over Telegram's 4096 characters: split, nothing lost
        long = api.wait_for(22, 2)
        assert [s.text for s in long] == ["a" * 4000, "b" * 1000]
        api.fail_later[24] = (1, 429)  # flood control on the second part of a long reply:
        api.user_says(24, "long")  # only that part is repeated, the first is not sent twice
        assert [s.text for s in api.wait_for(24, 2, timeout=15)] == ["a" * 4000, "b" * 1000]
        assert (24, 429) in api.failed
        time.sleep(0.3)
        assert [s.text for s in api.to(24)] == ["a" * 4000, "b" * 1000]
        assert api.to(20) and len(api.to(20)) == 1
    finally:
        bot.stop()
    assert "blocked" in caplog.text and TOKEN not in caplog.text  # logged, the token never


def test_a_bot_that_cannot_reach_the_api_says_why() -> None:
    bot = TelegramBot(Scripted(), TOKEN, "http://127.0.0.1:9/bot", poll_timeout=1)
    assert not bot.start(timeout=30)
    assert bot.failed and "NetworkError" in bot.failed


# -- managers' conversations through the real service ------------------------------


class CountingBot(TelegramBot):
    """The real bot, counting the updates it has completely handled per user, so a test
    knows when every reply to what it sent is out."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.handled: dict[int, int] = {}
        self.changed = threading.Condition()

    def _count(self, user_id: int) -> None:
        with self.changed:
            self.handled[user_id] = self.handled.get(user_id, 0) + 1
            self.changed.notify_all()

    async def _on_message(self, update, context) -> None:
        await super()._on_message(update, context)
        self._count(update.effective_user.id)

    async def _on_button(self, update, context) -> None:
        await super()._on_button(update, context)
        self._count(update.callback_query.from_user.id)


def counting(service, api: FakeBotApi) -> CountingBot:
    bot = CountingBot(service, TOKEN, api.base_url, poll_timeout=1, outbox_seconds=0.2)
    assert bot.start(), bot.failed
    return bot


class Person:
    """A Telegram user: types, or presses a button of the last message with buttons."""

    def __init__(self, api: FakeBotApi, user_id: int, bot: CountingBot) -> None:
        self.api, self.user_id, self.seen = api, user_id, 0
        self.use(bot)

    def use(self, bot: CountingBot) -> None:
        """Talk to a (restarted) bot from now on."""
        self.bot, self.updates = bot, 0

    def answer(self) -> list[Sent]:
        """Wait until the bot has handled every update sent; the messages since last time."""
        self.updates += 1
        with self.bot.changed:
            assert self.bot.changed.wait_for(
                lambda: self.bot.handled.get(self.user_id, 0) >= self.updates, timeout=10)
        got = self.api.to(self.user_id)
        new, self.seen = got[self.seen:], len(got)
        return new

    def says(self, text: str) -> list[Sent]:
        self.api.user_says(self.user_id, text)
        return self.answer()

    def presses(self, value: str) -> list[Sent]:
        for sent in reversed(self.api.to(self.user_id)):
            for row in sent.buttons:
                for _label, data in row:
                    if data.endswith(f":{value}"):
                        self.api.user_presses(self.user_id, sent, data)
                        return self.answer()
        raise AssertionError(f"no button {value}")

    def fill(self, steps: list[tuple[str, str]]) -> list[Sent]:
        last: list[Sent] = []
        for kind, value in steps:
            last = self.says(value) if kind == "text" else self.presses(value)
        return last


@pytest.fixture
def service(store):
    setup_workplace(store)
    return IntakeService(store.engine, Config(), clock=lambda: NOW)


def test_full_form_in_telegram_with_mistakes_back_and_review(api, service, store) -> None:
    bot = counting(service, api)
    try:
        manager = Person(api, 501, bot)
        first = manager.says(f"/start {invite(store)}")
        assert "Velkommen, Lone Hansen" in first[0].text
        manager.fill(FULL_FORM[:14])
        refused = manager.says("14")
        assert "1 til 10 (du skrev 14)" in refused[0].text
        assert refused[-1].text.startswith("Hvor mange timer om ugen")
        manager.fill(FULL_FORM[14:16])
        assert "overstået" in manager.says("01.01.2020")[0].text
        manager.fill(FULL_FORM[16:17])
        assert "1 til 12" in manager.says("18")[0].text
        back = manager.says("/back")
        assert back[-1].text.startswith("Hvornår forventer I opstart?")
        manager.fill(FULL_FORM[16:])
        manager.presses("edit:hours")
        review = manager.says("10")
        assert "6. Timer pr. uge: 10" in review[-1].text
        done = manager.presses("submit")
        assert "er sendt til jobcentret" in done[0].text
        assert done[1].document[0] == "onboardingplan-1.md"
    finally:
        bot.stop()
    with Session(store.engine) as db:
        assert db.exec(select(Intake)).one().job["hours_per_week"] == "10"


def test_restart_stale_button_uninvited_and_two_at_once(api, service, store) -> None:
    bot = counting(service, api)
    one, two = Person(api, 601, bot), Person(api, 602, bot)
    try:
        one.says(f"/start {invite(store)}")
        two.says(f"/start {invite(store, 'Ib Holm')}")
        one.fill(FULL_FORM[:4])
        stale = next(s for s in reversed(api.to(601)) if s.buttons)
        two.fill(FULL_FORM[:2])
        one.fill(FULL_FORM[4:6])
        # An uninvited user: one polite refusal, nothing else, no form.
        stranger = Person(api, 603, bot)
        assert "inviteret" in stranger.says("hej")[0].text
    finally:
        bot.stop()
    # The bot restarts with a new service on the same database: both resume.
    bot = counting(IntakeService(store.engine, Config(), clock=lambda: NOW), api)
    one.use(bot)
    two.use(bot)
    try:
        assert one.says("/start")[-1].text.startswith("Vil du tilføje en opgave mere?")
        assert two.says("/start")[-1].text.startswith("Hvordan kontakter vi Per Jensen?")
        api.user_presses(601, stale, stale.buttons[0][0][1])  # a button from before
        answer = one.answer()
        assert "virker ikke længere" in answer[0].text
        threads = [threading.Thread(target=p.fill, args=(steps,)) for p, steps in
                   ((one, FULL_FORM[6:12]), (two, FULL_FORM[2:8]))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        bot.stop()
    with Session(store.engine) as db:
        steps = {i.manager_name: i.state["step"] for i in db.exec(select(Intake)).all()}
    assert steps == {"Lone Hansen": "competences", "Ib Holm": "crit_recurring"}


def test_assistant_run_starts_the_bot_and_approval_reaches_the_chat(api, tmp_path) -> None:
    """`assistant run` with a token runs the bot; a consultant approves on the command
    line (another process) and the bot tells the manager in Telegram."""
    db = tmp_path / "assistant.db"
    port = free_port()
    config = tmp_path / "assistant.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{db}"\n[inbox.smtp]\nport = {port}\n'
        f'[outbox]\ndirectory = "{tmp_path / "outbox"}"\n'
        '[followup]\nenabled = false\n'  # reminders depend on today's date
        f'[telegram]\ntoken = "{TOKEN}"\nbase_url = "{api.base_url}"\n', encoding="utf-8")
    assert subprocess.run([*ASSISTANT, "workplaces", "add", "--cvr", "65113015", "--name",
                           "Albertslund Kommune", "--config", str(config)],
                          capture_output=True).returncode == 0
    token = subprocess.run([*ASSISTANT, "invite", "--cvr", "65113015", "--name", "Lone Hansen",
                            "--config", str(config)], capture_output=True, text=True).stdout
    token = token.split("Token: ")[1].split()[0]
    log = tmp_path / "run.log"
    proc = start(config, port, log)
    try:
        deadline = time.monotonic() + 30
        while "getUpdates" not in api.calls and time.monotonic() < deadline:
            time.sleep(0.05)
        api.user_says(701, f"/start {token}")
        assert "Velkommen, Lone Hansen" in api.wait_for(701, 1, timeout=20)[0].text
        # The rest of the form is filled in through the service on the same database
        # (the Telegram path is covered above); the bot process must pick up the result.
        filler = IntakeManager(IntakeService(make_engine(f"sqlite:///{db}"), Config()), "701")
        filler.says("/start")
        start_day = date.today() + timedelta(days=42)  # this service runs on the real clock
        filler.fill(full_form(start_day))
        assert "er sendt til jobcentret" in filler.presses("submit")[0].text
        approved = subprocess.run([*ASSISTANT, "intakes", "approve", "1", "--cpr",
                                   "010190-1234", "--name", "Mette",
                                   "--start", start_day.isoformat(),
                                   "--config", str(config)], capture_output=True, text=True)
        assert approved.returncode == 0, approved.stderr
        deadline = time.monotonic() + 20
        while not any("Godt nyt" in s.text for s in api.to(701)):
            assert time.monotonic() < deadline, [s.text[:40] for s in api.to(701)]
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    assert "chat bot @smajob_test_bot" in log.read_text()
    assert "010190" not in log.read_text()
