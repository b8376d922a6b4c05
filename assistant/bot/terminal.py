"""The terminal adapter: the intake conversation on stdin/stdout (``assistant chat``).

The same service as the Telegram bot, on channel ``terminal``. Buttons are printed with
letters, ``[a] 4  [b] 6``; typing exactly a shown letter (``b``) or exactly a shown
label (``6``, ``Ja``) presses that button, anything else is sent as typed text. Letters,
not numbers, so that a typed number is always read as the number it says: at "how many
hours (1-10)?" with the buttons 4, 6, 8, 10, typing ``3`` means 3 hours, not the third
button. Works with piped input: end of input ends the session and the draft stays saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from assistant.bot.conversation import Button, Conversations, Reply
from handlers.i18n import language, render
from handlers.locale.bot import BOT

CHANNEL = "terminal"


def end_text(lang: str, user_id: str, interrupted: bool = False) -> str:
    """The last line of a terminal session, in the chat's language, with how to go on."""
    resume = f"assistant chat --user {user_id}"
    return render(BOT, "end.stopped" if interrupted else "end.input", language(lang),
                  resume=resume)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def button_key(index: int) -> str:
    """The letter shown for the ``index``-th button (0-based): a..z, then aa, ab, ..."""
    if index < len(_LETTERS):
        return _LETTERS[index]
    return button_key(index // len(_LETTERS) - 1) + _LETTERS[index % len(_LETTERS)]


class TerminalChat:
    def __init__(self, service: Conversations, user_id: str, write: Callable[[str], None],
                 documents: Path | None = None) -> None:
        self.service, self.user_id, self.write = service, user_id, write
        self.documents = documents  # where sent files are saved (None: only named)
        self.buttons: list[Button] = []

    def run(self, first: str, lines: Iterable[str], lang: str | None = None,
            known: bool = False) -> None:
        """:meth:`start`, then :meth:`feed` the lines."""
        self.start(first, lang, known)
        self.feed(lines)

    def start(self, first: str, lang: str | None = None, known: bool = False,
              bound: Callable[[], bool] = lambda: True) -> None:
        """``first`` is the opening ``/start [TOKEN]``; ``lang`` (da|en) is chosen like the
        /language buttons, before it for a ``known`` user, else right after the invite
        bound this one (when ``bound()`` says it did)."""
        choose = [] if lang is None else [f"lang:{lang}"]
        for data in choose if known else []:
            self.service.on_button(CHANNEL, self.user_id, data)
        self.show(self.service.on_text(CHANNEL, self.user_id, first))
        for data in [] if known or not bound() else choose:
            self.show(self.service.on_button(CHANNEL, self.user_id, data))

    def feed(self, lines: Iterable[str]) -> None:
        """Each line is typed text, or presses the button it names exactly."""
        for line in lines:
            text = line.rstrip("\r\n")
            self.write(f"> {text}")
            self.show(self.handle(text))

    def handle(self, text: str) -> list[Reply]:
        button = self.pressed(text)
        if button is not None:
            return self.service.on_button(CHANNEL, self.user_id, button.data)
        return self.service.on_text(CHANNEL, self.user_id, text)

    def pressed(self, text: str) -> Button | None:
        """The button ``text`` names exactly (its letter or its label), else None."""
        wanted = text.strip().casefold()
        if not wanted:
            return None
        for index, button in enumerate(self.buttons):
            if wanted == button_key(index) or wanted == button.label.strip().casefold():
                return button
        return None

    def show(self, replies: list[Reply]) -> None:
        pending = self.service.pending_chat_messages(CHANNEL)
        for message in pending:
            if message.user_id == self.user_id:
                self._print(message.reply)
                self.service.mark_chat_sent(message.id)
        self.buttons = []
        for reply in replies:
            self._print(reply)

    def _print(self, reply: Reply) -> None:
        self.write(reply.text)
        options = []
        for row in reply.buttons:
            for button in row:
                self.buttons.append(button)
                options.append(f"[{button_key(len(self.buttons) - 1)}] {button.label}")
        if options:
            self.write("  " + "  ".join(options))
        if reply.document is not None:
            where = reply.document.filename
            if self.documents is not None:
                self.documents.mkdir(parents=True, exist_ok=True)
                path = self.documents / reply.document.filename
                path.write_bytes(reply.document.content)
                where = str(path)
            self.write(f"(fil / file: {where})")
        self.write("")
