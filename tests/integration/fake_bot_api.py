"""A fake Telegram Bot API server on loopback, for the real python-telegram-bot library.

It answers the methods the bot uses (getMe, getUpdates with long polling, sendMessage,
sendDocument, editMessageReplyMarkup, editMessageText, answerCallbackQuery,
setMyCommands, deleteWebhook) in Telegram's JSON shapes, and lets a test play users:
``user_says`` / ``user_presses`` queue updates, ``wait_for`` returns what the bot sent.
Every wait is bounded. Point the bot at ``base_url`` (``http://127.0.0.1:PORT/bot``).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "Småjob", "username": "smajob_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False,
            "supports_inline_queries": False}
JSON_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "reply_markup",
               "allowed_updates", "commands", "show_alert"}


@dataclass
class Sent:
    """A message the bot sent."""

    message_id: int
    chat_id: int
    text: str
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)
    document: tuple[str, bytes] | None = None
    at: float = 0.0  # time.monotonic() when it arrived


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default 5 resets connections when 50 chats are busy


class FakeBotApi:
    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.updates: list[dict[str, Any]] = []
        self.made_at: dict[int, float] = {}  # update_id -> when it was queued
        self.sent: list[Sent] = []
        self.answered: list[str] = []  # callback query ids
        self.edits: list[tuple[int, int, Any]] = []  # (chat, message, new markup)
        self.calls: list[str] = []
        self.fail_sends_to: dict[int, int] = {}  # chat id -> HTTP error code to answer
        self.fail_once: dict[int, int] = {}  # the same, for the next send only
        # chat id -> (sends to let through first, error code for the one after them)
        self.fail_later: dict[int, tuple[int, int]] = {}
        self.failed: list[tuple[int, int]] = []  # (chat id, error code) answered
        self._next_update = 1
        self._next_message = 1000
        self._next_query = 1
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    def __enter__(self) -> FakeBotApi:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- playing users ---------------------------------------------------------------

    def _queue(self, update: dict[str, Any]) -> int:
        with self.lock:
            update_id = self._next_update
            self._next_update += 1
            update["update_id"] = update_id
            self.updates.append(update)
            self.made_at[update_id] = time.monotonic()
            self.lock.notify_all()
            return update_id

    def user_says(self, user_id: int, text: str, chat_type: str = "private",
                  chat_id: int | None = None) -> int:
        user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        chat = {"id": chat_id or user_id, "type": chat_type}
        if chat_type != "private":
            chat["title"] = "A group"
        with self.lock:
            self._next_message += 1
            message_id = self._next_message
        entities = ([{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
                    if text.startswith("/") else [])
        return self._queue({"message": {"message_id": message_id, "date": int(time.time()),
                                        "chat": chat, "from": user, "text": text,
                                        "entities": entities}})

    def user_sends_photo(self, user_id: int, caption: str = "") -> int:
        user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        with self.lock:
            self._next_message += 1
            message_id = self._next_message
        message: dict[str, Any] = {
            "message_id": message_id, "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"}, "from": user,
            "photo": [{"file_id": "p1", "file_unique_id": "p1", "width": 90, "height": 90}]}
        if caption:
            message["caption"] = caption
        return self._queue({"message": message})

    def user_presses(self, user_id: int, sent: Sent, data: str) -> int:
        user = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        with self.lock:
            query_id = str(self._next_query)
            self._next_query += 1
        message = {"message_id": sent.message_id, "date": int(time.time()),
                   "chat": {"id": sent.chat_id, "type": "private"}, "from": BOT_USER,
                   "text": sent.text}
        return self._queue({"callback_query": {"id": query_id, "from": user, "message": message,
                                               "chat_instance": "1", "data": data}})

    def wait_for(self, chat_id: int, count: int, timeout: float = 10.0) -> list[Sent]:
        """The first ``count`` messages sent to ``chat_id`` (waits for them)."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                mine = [s for s in self.sent if s.chat_id == chat_id]
                if len(mine) >= count:
                    return mine[:count]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"chat {chat_id}: {len(mine)} of {count} messages "
                                         f"after {timeout}s: {[s.text[:60] for s in mine]}")
                self.lock.wait(left)

    def to(self, chat_id: int) -> list[Sent]:
        with self.lock:
            return [s for s in self.sent if s.chat_id == chat_id]

    # -- the HTTP side ----------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like Telegram: no connect per call
            disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms stall

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                method = self.path.rsplit("/", 1)[-1]
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                params, files = _parse(self.headers.get("Content-Type", ""), body)
                status, payload = api._call(method, params, files)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the bot stopped polling while we waited for updates

            do_GET = do_POST  # noqa: N815

        return Handler

    def _call(self, method: str, p: dict[str, Any],
              files: dict[str, tuple[str, bytes]]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.calls.append(method)
        if method in ("sendMessage", "sendDocument"):
            chat_id = int(p["chat_id"])
            with self.lock:
                code = self.fail_once.pop(chat_id, None) or self.fail_sends_to.get(chat_id)
                if not code and chat_id in self.fail_later:
                    skip, later = self.fail_later[chat_id]
                    if skip:
                        self.fail_later[chat_id] = (skip - 1, later)
                    else:
                        code = self.fail_later.pop(chat_id)[1]
                if code:
                    self.failed.append((chat_id, code))
                    self.lock.notify_all()
            if code == 429:
                return code, {"ok": False, "error_code": code, "parameters": {"retry_after": 1},
                              "description": "Too Many Requests: retry after 1"}
            if code:
                return code, {"ok": False, "error_code": code,
                              "description": "Forbidden: bot was blocked by the user"}
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return 200, {"ok": True, "result": True}
        return 200, {"ok": True, "result": handler(p, files)}

    def _m_getMe(self, p: dict[str, Any], files: Any) -> Any:  # noqa: N802
        return BOT_USER

    def _m_getUpdates(self, p: dict[str, Any], files: Any) -> Any:  # noqa: N802
        offset = int(p.get("offset") or 0)
        with self.lock:  # an offset confirms every earlier update, as Telegram does
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        deadline = time.monotonic() + min(float(p.get("timeout") or 0), 5.0)
        with self.lock:
            while True:
                ready = [u for u in self.updates if u["update_id"] >= offset]
                if ready or time.monotonic() >= deadline:
                    return ready[: int(p.get("limit") or 100)]
                self.lock.wait(max(0.0, deadline - time.monotonic()))

    def _message(self, chat_id: int, text: str, markup: Any = None,
                 document: tuple[str, bytes] | None = None) -> dict[str, Any]:
        buttons = [[(b["text"], b["callback_data"]) for b in row]
                   for row in (markup or {}).get("inline_keyboard", [])]
        with self.lock:
            self._next_message += 1
            sent = Sent(self._next_message, chat_id, text, buttons, document, time.monotonic())
            self.sent.append(sent)
            self.lock.notify_all()
        result: dict[str, Any] = {"message_id": sent.message_id, "date": int(time.time()),
                                  "chat": {"id": chat_id, "type": "private"}, "from": BOT_USER}
        if document:
            result["document"] = {"file_id": f"f{sent.message_id}", "file_unique_id": "u",
                                  "file_name": document[0]}
            if text:
                result["caption"] = text
        else:
            result["text"] = text
        if markup:
            result["reply_markup"] = markup
        return result

    def _m_sendMessage(self, p: dict[str, Any], files: Any) -> Any:  # noqa: N802
        return self._message(int(p["chat_id"]), str(p["text"]), p.get("reply_markup"))

    def _m_sendDocument(self, p: dict[str, Any], files: Any) -> Any:  # noqa: N802
        name, content = files.get("document", ("?", b""))
        return self._message(int(p["chat_id"]), str(p.get("caption", "")), None, (name, content))

    def _m_editMessageReplyMarkup(self, p: dict[str, Any], files: Any) -> Any:  # noqa: N802
        with self.lock:
            self.edits.append((int(p["chat_id"]), int(p["message_id"]), p.get("reply_markup")))
        return True

    _m_editMessageText = _m_editMessageReplyMarkup

    def _m_answerCallbackQuery(self, p: dict[str, Any], files: Any) -> Any:  # noqa: N802
        with self.lock:
            self.answered.append(str(p["callback_query_id"]))
        return True


def _parse(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    params: dict[str, Any] = {}
    files: dict[str, tuple[str, bytes]] = {}
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            if part.get_filename():
                files[name] = (part.get_filename(), payload)
            else:
                params[name] = payload.decode()
    elif content_type.startswith("application/json"):
        params = json.loads(body or b"{}")
    else:
        params = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    for key in JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            with contextlib.suppress(ValueError):
                params[key] = json.loads(params[key])
    return params, files
