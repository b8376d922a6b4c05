"""Driving the intake service like a manager would: helpers shared by the service,
terminal and Telegram tests (and the bot benchmark)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from assistant.bot.conversation import Conversations, Reply
from assistant.intakes import IntakeStore
from assistant.store import Store

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CVR = "65113015"

# A complete form: ("text", value) is typed, ("press", value) presses the button of
# the current prompt whose data ends with ":<value>".
def full_form(start: date = date(2027, 1, 4)) -> list[tuple[str, str]]:
    """The whole form, the job starting on ``start`` (must not be before the service's
    clock: tests on the real clock pass a date relative to today)."""
    return [
        ("text", "Hovedbiblioteket"), ("text", "Per Jensen"), ("text", "per@example.dk"),
        ("press", "library"), ("press", "ex:0"), ("press", "f:0"), ("press", "nej"),
        ("press", "ja"), ("press", "ja"), ("press", "nej"), ("press", "ja"), ("press", "ja"),
        ("press", "c:1"), ("press", "done"), ("text", "7,5"),
        ("text", "tirsdag og torsdag 9-13"), ("text", start.strftime("%d.%m.%Y")),
        ("press", "6"),
        ("text", "Ansættelsen er midlertidig, fordi opgaven er afgrænset til oprydning efter "
                 "ombygningen"),
        ("press", "2"), ("press", "r:gdpr_course"), ("press", "done"),
    ]


FULL_FORM = full_form()  # for a service on the fixed clock NOW


def setup_workplace(store: Store) -> None:
    store.add_workplace(CVR, "Albertslund Kommune", ["albertslund.dk"])


def invite(store: Store, name: str = "Lone Hansen", hours: int = 72) -> str:
    """An invite valid for ``hours`` from NOW (the clock of the services under test)."""
    return IntakeStore(store.engine, store.limits).create_invite(CVR, name, timedelta(hours=hours),
                                                          now=NOW)


class Manager:
    """One person in a chat: remembers the last buttons shown, like a chat client."""

    def __init__(self, service: Conversations, user_id: str, channel: str = "telegram") -> None:
        self.service, self.user_id, self.channel = service, user_id, channel
        self.last: list[Reply] = []

    def says(self, text: str) -> list[Reply]:
        self.last = self.service.on_text(self.channel, self.user_id, text)
        return self.last

    def presses(self, value: str) -> list[Reply]:
        data = self.button(value)
        self.last = self.service.on_button(self.channel, self.user_id, data)
        return self.last

    def button(self, value: str) -> str:
        for reply in reversed(self.last):
            for row in reply.buttons:
                for button in row:
                    if button.data.endswith(f":{value}") or button.data == value:
                        return button.data
        raise AssertionError(f"no button {value!r} in {[r.text for r in self.last]}")

    def text(self) -> str:
        return "\n".join(reply.text for reply in self.last)

    def fill(self, steps: list[tuple[str, str]]) -> None:
        for kind, value in steps:
            self.says(value) if kind == "text" else self.presses(value)
