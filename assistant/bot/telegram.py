"""The Telegram adapter: python-telegram-bot (v22) around the transport-free service.

Private chats only. Text (commands included) goes to ``Conversations.on_text``, a
pressed inline button to ``on_button`` with its callback data; the replies go back as
plain text with inline keyboards, documents as files. The pressed message loses its
keyboard, so old buttons disappear (and the service ignores stale ones anyway).
Updates are handled concurrently across chats but in order within one chat (a lock
per user); the service is synchronous and touches the database, so it runs in worker
threads. Messages the service queues on its own (an approval notice) are delivered
by a small loop. ``start()`` runs it all in a thread of its own, for ``assistant run``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import warnings
from collections import defaultdict

from telegram import BotCommand, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from assistant.bot.conversation import Conversations, Reply
from handlers.i18n import LANGUAGES, Language, render
from handlers.locale.bot import BOT

log = logging.getLogger(__name__)
CHANNEL = "telegram"
MAX_TEXT = 4000  # Telegram allows 4096 characters per message
COMMAND_NAMES = ("start", "help", "back", "skip", "status", "new", "cancel", "language")


def commands(lang: Language = "da") -> list[tuple[str, str]]:
    """The command menu: (command, description) in ``lang``."""
    return [(name, render(BOT, f"command.{name}", lang)) for name in COMMAND_NAMES]


COMMANDS = commands("da")
PRIVATE_ONLY = "\n".join(render(BOT, "private_only", lang) for lang in LANGUAGES)
TEXT_ONLY = "\n".join(render(BOT, "text_only", lang) for lang in LANGUAGES)


class TelegramBot:
    def __init__(self, service: Conversations, token: str, base_url: str,
                 poll_timeout: int = 20, outbox_seconds: float = 2.0) -> None:
        # httpx logs every request's URL at INFO, and the URL holds the bot token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        self.service = service
        self.poll_timeout = poll_timeout
        self.outbox_seconds = outbox_seconds
        base = base_url.rstrip("/")
        file_url = base[:-3] + "file/bot" if base.endswith("/bot") else base + "/file"
        self.app: Application = (
            ApplicationBuilder().token(token).base_url(base).base_file_url(file_url)
            .concurrent_updates(32).connection_pool_size(64)
            .get_updates_read_timeout(poll_timeout + 10).build())
        self.app.add_handler(MessageHandler(filters.ALL & ~filters.UpdateType.EDITED,
                                            self._on_message))
        self.app.add_handler(CallbackQueryHandler(self._on_button))
        self.app.add_error_handler(self._on_error)
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self.ready = threading.Event()
        self.failed: str | None = None

    # -- running in a thread -------------------------------------------------------

    def start(self, timeout: float = 30.0) -> bool:
        """Start polling in a thread; False (and ``failed`` says why) if it could not."""
        self._thread = threading.Thread(target=self._run, name="telegram", daemon=True)
        self._thread.start()
        self.ready.wait(timeout)
        return self.failed is None and self.ready.is_set()

    def stop(self, timeout: float = 30.0) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except Exception as exc:  # noqa: BLE001 - the mail side keeps running
            self.failed = f"{type(exc).__name__}: {exc}"
            log.error("telegram bot stopped: %s", self.failed)
        finally:
            self.ready.set()

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with self.app:
            try:
                await self.app.bot.set_my_commands([BotCommand(c, d) for c, d in COMMANDS])
                await self.app.bot.set_my_commands(
                    [BotCommand(c, d) for c, d in commands("en")], language_code="en")
            except TelegramError as exc:
                log.warning("telegram: could not set the command menu: %s", exc)
            await self.app.start()
            assert self.app.updater is not None
            await self.app.updater.start_polling(
                poll_interval=0, timeout=self.poll_timeout,
                allowed_updates=["message", "callback_query"])
            outbox = asyncio.create_task(self._outbox_loop())
            log.info("telegram bot @%s polling", self.app.bot.username)
            self.ready.set()
            await self._stop.wait()
            outbox.cancel()
            await self.app.updater.stop()
            await self.app.stop()

    # -- handlers ------------------------------------------------------------------

    async def _on_message(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        chat, user, message = update.effective_chat, update.effective_user, update.message
        if chat is None or user is None or message is None:
            return
        if chat.type != ChatType.PRIVATE:
            if message.text and message.text.startswith("/start"):
                await self._send(chat.id, [Reply(PRIVATE_ONLY)])
            return  # never act on anything in groups or channels
        text = message.text
        if text is None:  # a photo, sticker, voice note...: never an answer to the form
            await self._send(chat.id, [Reply(TEXT_ONLY)])
            return
        async with self._locks[user.id]:
            replies = await asyncio.to_thread(self.service.on_text, CHANNEL, str(user.id), text)
            await self._send(chat.id, replies)

    async def _on_button(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        # Answering the query (the client stops its spinner) and removing the pressed
        # keyboard (old buttons disappear; the service ignores stale ones anyway) run
        # while the service works: three round trips to Telegram would be slower.
        answered = asyncio.ensure_future(self._answer(query))
        message = query.message
        try:
            if message is None or message.chat.type != ChatType.PRIVATE:
                return
            async with self._locks[query.from_user.id]:
                removed = asyncio.ensure_future(self._remove_keyboard(message.chat.id,
                                                                      message.message_id))
                try:
                    replies = await asyncio.to_thread(self.service.on_button, CHANNEL,
                                                      str(query.from_user.id), query.data or "")
                finally:
                    await removed
                await self._send(message.chat.id, replies)
        finally:
            await answered

    async def _answer(self, query: CallbackQuery) -> None:
        try:
            await query.answer()
        except TelegramError as exc:
            log.info("telegram: answerCallbackQuery failed: %s", exc)

    async def _remove_keyboard(self, chat_id: int, message_id: int) -> None:
        try:
            await self.app.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
        except TelegramError as exc:
            log.debug("telegram: could not remove a keyboard: %s", exc)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram: error while handling an update: %r", context.error)

    # -- sending -------------------------------------------------------------------

    async def _send(self, chat_id: int, replies: list[Reply]) -> str:
        """Send replies in order: "sent", "unreachable" (blocked bot, deleted chat) or
        "failed" (worth trying again later)."""
        for reply in replies:
            try:
                await self._send_one(chat_id, reply)
            except Forbidden as exc:
                log.warning("telegram: chat %s cannot be reached: %s", chat_id, exc)
                return "unreachable"
            except TelegramError as exc:
                log.error("telegram: sending to chat %s failed: %s", chat_id, exc)
                return "failed"
        return "sent"

    async def _send_one(self, chat_id: int, reply: Reply) -> None:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data)
                                        for b in row] for row in reply.buttons]) \
            if reply.buttons else None
        parts = [reply.text[i:i + MAX_TEXT] for i in range(0, len(reply.text), MAX_TEXT)]
        for n, part in enumerate(parts):
            last = n == len(parts) - 1
            await self._call(self.app.bot.send_message, chat_id, part,
                             reply_markup=markup if last else None)
        if reply.document is not None:
            await self._call(self.app.bot.send_document, chat_id, reply.document.content,
                             filename=reply.document.filename)

    @staticmethod
    async def _call(method, *args, **kwargs) -> None:  # noqa: ANN001 - a Bot method
        """One Bot API call, waited out and repeated once under flood control (429).
        Per call, not per reply: a long reply limited half-way does not send its first
        part twice."""
        try:
            await method(*args, **kwargs)
        except RetryAfter as exc:
            with warnings.catch_warnings():  # int now, timedelta in a later PTB: both work
                warnings.simplefilter("ignore", PTBDeprecationWarning)
                wait = exc.retry_after
            await asyncio.sleep(wait.total_seconds() if hasattr(wait, "total_seconds") else wait)
            await method(*args, **kwargs)

    async def _outbox_loop(self) -> None:
        while True:
            try:
                await self.deliver_outbox()
            except Exception:  # noqa: BLE001 - e.g. the database is briefly away
                log.exception("telegram: chat outbox error")
            await asyncio.sleep(self.outbox_seconds)

    async def deliver_outbox(self) -> int:
        pending = await asyncio.to_thread(self.service.pending_chat_messages, CHANNEL)
        for message in pending:
            if not message.user_id.lstrip("-").isdigit():
                continue
            chat_id = int(message.user_id)
            async with self._locks[chat_id]:
                outcome = await self._send(chat_id, [message.reply])
            # A blocked bot will not be unblocked by retrying every two seconds: such a
            # message is marked done (and logged); a failure is tried again next round.
            if outcome != "failed":
                await asyncio.to_thread(self.service.mark_chat_sent, message.id)
        return len(pending)
