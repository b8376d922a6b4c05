"""The contract between the chat transports (Telegram, terminal) and the intake service.

A transport turns what a person did into one call and shows the replies it gets back:
- a text message (commands like ``/start TOKEN`` or ``/back`` included) -> ``on_text``;
- a pressed inline button -> ``on_button`` with the button's ``data``.
Replies are plain text (no Markdown: nothing to escape) with optional button rows.
Button ``data`` is at most 64 bytes (Telegram's limit) and names the intake and the
step it belongs to, so a stale button cannot act on a later step; transports pass it
back unchanged and never interpret it.

Messages the service wants to send on its own (the manager is told that a job was
approved, the onboarding plan) wait in the ``chat_outbox`` table; the transport that
owns the channel delivers them (``pending_chat_messages`` / ``mark_chat_sent``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

MAX_BUTTON_DATA = 64


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Document:
    """A file sent with a reply (the onboarding plan as Markdown)."""

    filename: str
    content: bytes
    mime_type: str = "text/markdown"


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()  # rows of buttons
    document: Document | None = None


@dataclass(frozen=True)
class Outgoing:
    """A message the service sends on its own initiative (from ``chat_outbox``)."""

    id: int
    channel: str  # "telegram" | "terminal"
    user_id: str  # the Telegram user id (== private chat id) as text
    reply: Reply = field(default_factory=lambda: Reply(""))


class Conversations(Protocol):
    """What every transport talks to. ``channel`` is "telegram" or "terminal";
    ``user_id`` identifies the person on that channel (for Telegram: the user id,
    which is also the private chat's id). Never raises for bad input: a person who
    typed something wrong gets a reply saying what to fix."""

    def on_text(self, channel: str, user_id: str, text: str) -> list[Reply]: ...

    def on_button(self, channel: str, user_id: str, data: str) -> list[Reply]: ...

    def pending_chat_messages(self, channel: str, limit: int = 50) -> list[Outgoing]: ...

    def mark_chat_sent(self, message_id: int) -> None: ...
