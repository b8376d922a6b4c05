"""``assistant run``: the main job."""

from __future__ import annotations

import os

import click

from assistant import logs, runtime
from assistant.commands.common import App, with_app
from assistant.instance import AlreadyRunning, InstanceLock
from parsers.payslip import words


@click.command()
@with_app
def run(app: App) -> None:
    """Run the service: inbox, claims, outbox and chat bot (Ctrl-C stops it)."""
    # A belt: the database, outbox and exports set their modes explicitly; anything
    # else the service writes (temp files of libraries) is owner-only too.
    os.umask(0o077)
    logs.setup(app.config.logging.level)
    config = app.config

    def ready(service: runtime.Service) -> None:
        if service.smtp is not None:
            where = f"SMTP on {config.inbox.smtp.host}:{service.smtp.port}"
        else:
            where = f"IMAP {config.inbox.imap.username}@{config.inbox.imap.host}"
        outbox = (f"directory {config.outbox.directory}" if config.outbox.mode == "directory"
                  else f"SMTP relay {config.outbox.smtp.host}:{config.outbox.smtp.port}")
        bot = (f"; chat bot @{service.bot.app.bot.username}" if service.bot is not None
               else "; chat bot off (no [telegram] token)" if not config.telegram.token
               else "; chat bot FAILED to start (see the log)")
        desk = (f"; desk on {service.desk.url}" if service.desk is not None
                else f"; desk NOT started: {service.desk_error}" if service.desk_error
                else "; desk off ([web] enabled = false)")
        click.echo(f"assistant running: claims to {config.jobcenter.address} via {where} "
                   f"({service.workers} readers); "
                   f"outbox: {outbox}{bot}{desk}. Ctrl-C stops.", err=True)
        if not words.compiled():
            click.echo("warning: the reader's C part (parsers/payslip/_glyphs.c) was not "
                       "built, so payslips are read about 1.8x slower; install a C compiler "
                       "(Debian: apt-get install gcc) and run pip install -e . again", err=True)

    try:
        lock = InstanceLock(config.database.url)
        lock.acquire()
    except AlreadyRunning as exc:
        raise click.ClickException(str(exc)) from None
    try:
        runtime.run(app, ready)
    except runtime.StartError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        lock.release()
