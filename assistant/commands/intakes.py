"""The intake bot on the command line: ``invite``, ``intakes list|show|approve``, ``chat``.

Intakes are job descriptions (the task-and-competence form) that managers fill in with
the chat bot. They never hold a CPR number; ``approve`` takes the citizen's CPR and
creates the employment, which is where the CPR is stored.
"""

from __future__ import annotations

import hashlib
import sys
from datetime import date, timedelta
from pathlib import Path

import click

from assistant.bot.service import STATUS_NAMES, IntakeService
from assistant.bot.terminal import CHANNEL, TerminalChat, end_text
from assistant.commands.common import (
    DATE,
    App,
    by_option,
    echo_json,
    os_user,
    refusals,
    refuse_past_start,
    today_option,
    with_app,
)
from assistant.db import session
from assistant.decisions import audit
from assistant.intakes import IntakeStore
from assistant.read_models import intake_job, intake_json, intake_rows
from handlers.job_texts import job_description_text
from handlers.register import RegisterError

STATUSES = tuple(STATUS_NAMES)


@click.command()
@click.option("--cvr", required=True, help="The workplace's CVR number (add it first).")
@click.option("--name", required=True, help="The manager's name.")
@click.option("--valid-hours", default=72, show_default=True, type=click.IntRange(1, 24 * 60),
              help="How long the invite can be used.")
@with_app
def invite(app: App, cvr: str, name: str, valid_hours: int) -> None:
    """Invite a manager to the intake bot (single use, expiring)."""
    with refusals():
        token = _intakes(app).create_invite(
            cvr, name, timedelta(hours=valid_hours))
    bot = app.config.telegram.bot_username.lstrip("@")
    if bot:
        click.echo(f"Link for {name}: https://t.me/{bot}?start={token}")
    else:
        click.echo("(no [telegram] bot_username in the config: no t.me link)")
    click.echo(f"Token: {token}")
    click.echo(f"Valid for {valid_hours} hours, once. Without Telegram: "
               f"assistant chat --invite {token}")


@click.group()
def intakes() -> None:
    """Job descriptions from the intake bot: list, show, approve, ask, decline."""


def _intakes(app: App) -> IntakeStore:
    return IntakeStore(app.engine, app.config.scheme())


@intakes.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only intakes with this status.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per intake).")
@with_app
def list_intakes(app: App, status: str | None, as_json: bool) -> None:
    """List intakes, first submitted first (the order of first come, first served).

    JSON keys: id, status, workplace_id, manager_name, created_at, submitted_at,
    employment_id, step (the form step of a draft), job (the completed form or null).
    """
    with session(app.engine) as db:
        rows = intake_rows(db, status)
    if as_json:
        echo_json([intake_json(row) for row in rows])
        return
    if not rows:
        click.echo("No intakes. Invite a manager with: assistant invite")
        return
    click.echo(f"{'ID':>4}  {'STATUS':<10}  {'SUBMITTED':<16}  {'H/WEEK':>6}  JOB")
    for row in rows:
        job = intake_job(row)
        submitted = row.submitted_at.strftime("%Y-%m-%d %H:%M") if row.submitted_at else "-"
        hours = str(job.hours_per_week) if job else "-"
        what = (f"{job.location} ({job.workplace_name})" if job
                else f"step {(row.state or {}).get('step', '-')}")
        click.echo(f"{row.id:>4}  {row.status:<10}  {submitted:<16}  {hours:>6}  {what}")


@intakes.command("show")
@click.argument("intake_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--lang", type=click.Choice(["da", "en"]), default="da", show_default=True,
              help="Language of the job description.")
@with_app
def show_intake(app: App, intake_id: int, as_json: bool, lang: str) -> None:
    """Show one intake: the whole job description."""
    row = _intakes(app).intake(intake_id)
    if row is None:
        raise click.ClickException(f"no intake with id {intake_id} (see: assistant intakes list)")
    if as_json:
        echo_json(intake_json(row))
        return
    click.echo(f"Intake {row.id}: {row.status}, manager {row.manager_name}")
    job = intake_job(row)
    click.echo(job_description_text(job, lang) if job else  # type: ignore[arg-type]
               f"(not submitted yet; the form is at step {(row.state or {}).get('step')})")


@intakes.command("approve")
@click.argument("intake_id", type=int)
@click.option("--cpr", required=True, help="The citizen's CPR number (DDMMYY-SSSS).")
@click.option("--name", required=True, help="The citizen's name.")
@click.option("--start", required=True, type=DATE,
              help="First day of the employment (today or later).")
@today_option
@with_app
def approve_intake(app: App, intake_id: int, cpr: str, name: str, start: date,
                   today: date | None) -> None:
    """Approve an intake: create the employment if the pool has room."""
    refuse_past_start(start, today, "; nothing was approved")
    with refusals():
        employment = _intakes(app).approve(intake_id, cpr, name, start)
    click.echo(f"Approved intake {intake_id}: employment {employment.id}, "
               f"{employment.hours_per_week} h/week, {employment.start_date} to "
               f"{employment.end_date}. The manager is told in the chat.")


@intakes.command("ask")
@click.argument("intake_id", type=int)
@click.option("--question", required=True, help="What the manager is asked (in the chat).")
@by_option
@with_app
def ask_intake(app: App, intake_id: int, question: str, by: str | None) -> None:
    """Ask the manager about a submitted intake.

    The question goes to the chat the form came from; the form keeps its place in the
    queue.
    """
    with refusals():
        _intakes(app).ask(intake_id, question,
                          app.config.jobcenter.consultants)
    audit(app.engine, by or os_user(), "ask_intake", f"intake {intake_id}", question)
    click.echo(f"Asked the manager about intake {intake_id}; the question goes to the chat "
               "the form came from.")


@intakes.command("decline")
@click.argument("intake_id", type=int)
@click.option("--reason", required=True, help="Why; the manager is told this text.")
@by_option
@with_app
def decline_intake(app: App, intake_id: int, reason: str, by: str | None) -> None:
    """Decline an intake; the manager is told why.

    The reason goes to the chat the form came from; the form is cancelled.
    """
    with refusals():
        _intakes(app).decline(intake_id, reason,
                              app.config.jobcenter.consultants)
    audit(app.engine, by or os_user(), "decline_intake", f"intake {intake_id}", reason)
    click.echo(f"Declined intake {intake_id}; the manager is told in the chat.")


@click.command()
@click.option("--invite", "token", metavar="TOKEN", help="An invite token (first time only).")
@click.option("--user", default=None, help="Who you are in the terminal (default: from the "
              "token, else 'local').")
@click.option("--files", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Where files the bot sends (the onboarding plan) go.")
@click.option("--lang", type=click.Choice(["da", "en"]), default=None,
              help="The bot's language (default: Danish, or what you chose last time).")
@with_app
def chat(app: App, token: str | None, user: str | None, files: Path,
         lang: str | None) -> None:
    """Fill in the job form in the terminal: the chat bot on stdin/stdout."""
    user_id = user or (hashlib.sha256(token.encode()).hexdigest()[:16] if token else "local")
    service = IntakeService(app.engine, app.config)
    users = _intakes(app)
    known = users.chat_user(CHANNEL, user_id) is not None
    if token is None and not known:
        raise click.ClickException("no invite: run 'assistant invite --cvr CVR --name NAME' "
                                   "and pass the token with --invite TOKEN")
    session = TerminalChat(service, user_id, click.echo, documents=files)
    interrupted = False
    try:
        session.start(f"/start {token}" if token else "/start", lang=lang, known=known,
                      bound=lambda: users.chat_user(CHANNEL, user_id) is not None)
        if users.chat_user(CHANNEL, user_id) is None:
            raise click.ClickException(
                "the invite token was not accepted (mistyped, already used or expired); "
                "ask the jobcenter's consultant for a new invite (assistant invite)")
        session.feed(sys.stdin)
    except KeyboardInterrupt:
        interrupted = True
        click.echo("")
    except RegisterError as exc:  # pragma: no cover - the service answers instead
        raise click.ClickException(str(exc)) from None
    user_row = users.chat_user(CHANNEL, user_id)
    click.echo(end_text(user_row.language if user_row else "da", user_id, interrupted))
