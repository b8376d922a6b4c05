"""The intake service: the chat side of the task-and-competence form, for any transport.

It implements :class:`assistant.bot.conversation.Conversations`: a transport hands it
what a person typed or pressed and shows the replies. Who may talk to it: only a chat
user bound to a workplace by an invite (``/start TOKEN``); anyone else gets one polite
refusal and nothing more. The form itself is ``handlers.intake``; every answer is
committed, so a restart (or a pause of days) resumes at the same step.
Button data is ``<intake id>:<step>:<value>``: a button from an earlier step or an
earlier form is answered with "no longer active" and the current question.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from assistant.bot.conversation import Button, Document, Outgoing, Reply
from assistant.config import Config
from assistant.intakes import IntakeStore
from assistant.logs import describe_error
from assistant.models import ChatUser, Intake
from assistant.outbox import compose
from handlers import intake as form
from handlers.i18n import Language, language, render
from handlers.intake import Context, Draft
from handlers.job_texts import consultant_mail
from handlers.locale.bot import BOT, STATUS_NAMES
from handlers.onboarding import onboarding_plan

log = logging.getLogger(__name__)
DANISH_TIME = ZoneInfo("Europe/Copenhagen")  # "today" for a start date is Danish today



def say(lang: Language, key: str, **values: object) -> str:
    """A text of the bot's catalogue section (handlers.locale.bot)."""
    return render(BOT, key, lang, **values)


def both(key: str) -> str:
    """Danish, then English: for someone whose language the bot does not know yet."""
    return f"{say('da', key)}\n{say('en', key)}"


REFUSAL = both("refusal")
INVITE_REFUSALS: dict[str, str] = {why: both(f"invite.{why}")
                                   for why in ("unknown", "used", "expired")}
SORRY = both("sorry")


def help_text(lang: Language) -> str:
    return say(lang, "help")


class IntakeService:
    def __init__(self, engine: Engine, config: Config,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.config = config
        self.store = IntakeStore(engine, config.scheme())
        self.clock = clock or (lambda: datetime.now(UTC))

    # -- the Conversations protocol -------------------------------------------------

    def on_text(self, channel: str, user_id: str, text: str) -> list[Reply]:
        try:
            return self._text(channel, user_id, (text or "").strip())
        except Exception as exc:  # noqa: BLE001 - one bad update must not stop the bot
            # Not log.exception: a database error prints its parameters (what was typed).
            log.error("intake bot: error handling a message on %s: %s", channel,
                      describe_error(exc))
            return [Reply(SORRY)]

    def on_button(self, channel: str, user_id: str, data: str) -> list[Reply]:
        try:
            return self._button(channel, user_id, data or "")
        except Exception as exc:  # noqa: BLE001
            log.error("intake bot: error handling a button on %s: %s", channel,
                      describe_error(exc))
            return [Reply(SORRY)]

    def pending_chat_messages(self, channel: str, limit: int = 50) -> list[Outgoing]:
        return [Outgoing(row.id or 0, row.channel, row.user_id, Reply(
            row.text, document=Document(row.document_name, row.document)
            if row.document_name and row.document is not None else None))
            for row in self.store.pending_chat(channel, limit)]

    def mark_chat_sent(self, message_id: int) -> None:
        self.store.mark_chat_sent(message_id)

    # -- text -------------------------------------------------------------------------

    def _text(self, channel: str, user_id: str, text: str) -> list[Reply]:
        command, _, argument = text.partition(" ")
        command = command.lower().split("@")[0] if text.startswith("/") else ""
        if command == "/start" and argument.strip():
            redeemed = self.store.redeem(channel, user_id, argument.strip(), self.clock())
            if redeemed.user is None:
                return [Reply(INVITE_REFUSALS[redeemed.refusal or "unknown"])]
            return self._welcome(redeemed.user)
        user = self.store.chat_user(channel, user_id)
        if user is None:
            return [Reply(REFUSAL)]
        lang = _lang(user)
        if command in ("/start", "/help"):
            current = self._current(user)
            return [Reply(help_text(lang))] + (self._ask(user, current) if current else [])
        if command == "/language":
            choose = f"{say('da', 'choose_language')} / {say('en', 'choose_language')}:"
            return [Reply(choose, ((
                Button("Dansk", "lang:da"), Button("English", "lang:en")),))]
        if command == "/status":
            return self._status(user)
        if command == "/new":
            return self._start_form(user)
        if command and command not in ("/cancel", "/back", "/skip"):
            return [Reply(say(lang, "unknown_command", command=command))]
        current = self._current(user)
        if current is None:
            return [Reply(say(lang, "no_form"))]
        draft = _draft(current, lang)
        if command == "/cancel":
            self.store.cancel(current.id or 0)
            self.store.switch(user, None)
            return [Reply(say(lang, "cancelled", number=current.id))]
        if command == "/back":
            form.back(draft)
            self.store.save_state(current.id or 0, draft.as_dict())
            return self._ask(user, current, draft)
        if command == "/skip":
            return self._after(user, current, form.skip(draft, self._context(user)))
        return self._after(user, current, form.answer(draft, self._context(user), text=text))

    # -- buttons ----------------------------------------------------------------------

    def _button(self, channel: str, user_id: str, data: str) -> list[Reply]:
        user = self.store.chat_user(channel, user_id)
        if user is None:
            return [Reply(REFUSAL)]
        if data in ("lang:da", "lang:en"):
            self.store.set_language(user, data[5:])
            user = self.store.chat_user(channel, user_id) or user
            current = self._current(user)
            done = say(_lang(user), "language_set")
            return [Reply(done)] + (self._ask(user, current) if current else [])
        if data.startswith("resume:"):
            return self._resume(user, data[7:])
        intake_id, _, rest = data.partition(":")
        step, _, value = rest.partition(":")
        current = self._current(user)
        if current is None or str(current.id) != intake_id or _draft(current).step != step:
            stale = Reply(say(_lang(user), "stale_button"))
            return [stale] + (self._ask(user, current) if current else [])
        draft = _draft(current, _lang(user))
        return self._after(user, current, form.answer(draft, self._context(user), choice=value))

    # -- the form -----------------------------------------------------------------------

    def _current(self, user: ChatUser) -> Intake | None:
        if user.intake_id is None:
            return None
        intake = self.store.intake(user.intake_id)
        return intake if intake is not None and intake.status == "draft" else None

    def _context(self, user: ChatUser) -> Context:
        today = self.clock().astimezone(DANISH_TIME).date()
        workplace = self.store.workplace(user.workplace_id)
        return Context(today=today, pool_left=self.store.pool_status(today).left_hours,
                       workplace_name=workplace.name if workplace else "",
                       cvr=workplace.cvr if workplace else "", manager_name=user.manager_name,
                       scheme=self.store.limits)

    def _welcome(self, user: ChatUser) -> list[Reply]:
        lang = _lang(user)
        workplace = self.store.workplace(user.workplace_id)
        hello = Reply(say(lang, "welcome", name=user.manager_name,
                          workplace=workplace.name if workplace else "")
                      + "\n\n" + help_text(lang))
        current = self._current(user)
        return [hello] + (self._ask(user, current) if current else self._start_form(user))

    def _start_form(self, user: ChatUser) -> list[Reply]:
        intake = self.store.new_intake(user, Draft(lang=_lang(user)).as_dict())
        lead = Reply(say(_lang(user), "new_form", number=intake.id))
        return [lead] + self._ask(user, intake)

    def _resume(self, user: ChatUser, raw_id: str) -> list[Reply]:
        intake = self.store.intake(int(raw_id)) if raw_id.isdigit() else None
        if intake is None or intake.chat_user_id != user.id or intake.status != "draft":
            return [Reply(say(_lang(user), "cannot_resume"))]
        self.store.switch(user, intake.id)
        return self._ask(user, intake)

    def _ask(self, user: ChatUser, intake: Intake, draft: Draft | None = None) -> list[Reply]:
        draft = draft or _draft(intake)
        draft.lang = _lang(user)
        prompt = form.prompt(draft, self._context(user))
        buttons = tuple(tuple(Button(c.label, f"{intake.id}:{prompt.step}:{c.value}")
                              for c in row) for row in prompt.choices)
        return [Reply(prompt.text, buttons)]

    def _after(self, user: ChatUser, intake: Intake, result: form.Result) -> list[Reply]:
        notes = [Reply("\n".join(result.notes))] if result.notes else []
        if result.submitted:
            return notes + self._submit(user, intake, result.draft)
        self.store.save_state(intake.id or 0, result.draft.as_dict())
        return notes + self._ask(user, intake, result.draft)

    def _submit(self, user: ChatUser, intake: Intake, draft: Draft) -> list[Reply]:
        lang = _lang(user)
        job = form.to_job(draft, self._context(user))
        mail_lang = self.config.jobcenter.language
        subject, body = consultant_mail(job, intake.id or 0, mail_lang)
        plan_name = f"onboardingplan-{intake.id}.md"
        link = self.config.jobcenter.confidentiality_url
        mail = compose(sender=self.config.jobcenter.address,
                       recipient=self.config.jobcenter.consultants, subject=subject, body=body,
                       dedup_key=f"intake:{intake.id}:submitted",
                       attachments=[(plan_name, "text/markdown",
                                     onboarding_plan(job, mail_lang, link).encode())])
        _say_utf8(mail)
        if not self.store.submit(intake.id or 0, draft.as_dict(), job, mail):
            return [Reply(say(lang, "already_sent"))]
        self.store.switch(user, None)
        plan = Document(plan_name, onboarding_plan(job, lang, link).encode())
        return [Reply(say(lang, "thanks", number=intake.id), document=plan)]

    def _status(self, user: ChatUser) -> list[Reply]:
        lang = _lang(user)
        intakes = self.store.intakes(chat_user_id=user.id)
        if not intakes:
            return [Reply(say(lang, "no_forms"))]
        lines, buttons = [say(lang, "your_forms")], []
        for intake in intakes:
            draft = _draft(intake)
            where = ""
            if intake.status == "draft":
                number, of = form.step_number(draft)
                where = say(lang, "at_question", number=number, of=of)
                if intake.id != user.intake_id:
                    buttons.append((Button(say(lang, "resume", number=intake.id),
                                           f"resume:{intake.id}"),))
            place = draft.answers.get("location") or say(lang, "no_place")
            status = render(STATUS_NAMES, intake.status, lang)
            lines.append(f"{intake.id}. {place}: {status}{where}")
        return [Reply("\n".join(lines), tuple(buttons))]


def _say_utf8(mail: EmailMessage) -> None:
    """Label text attachments ``charset=utf-8``: without it mail clients read the plan's
    UTF-8 as Latin-1 and æøå come out garbled."""
    for part in mail.iter_attachments():
        if part.get_content_maintype() == "text" and part.get_param("charset") is None:
            part.set_param("charset", "utf-8")


def _lang(user: ChatUser) -> Language:
    return language(user.language)


def _draft(intake: Intake, lang: Language | None = None) -> Draft:
    """The stored draft; ``lang`` (the person's current choice) wins over the language
    saved with it, so a refusal after /language comes in the new language."""
    draft = Draft.from_dict(intake.state) if intake.state else Draft()
    if lang is not None:
        draft.lang = lang
    return draft
