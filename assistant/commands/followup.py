"""``assistant followup``: the reminders due today, queued once (or shown)."""

from __future__ import annotations

from datetime import date

import click

from assistant.commands.common import DATE, App, with_app
from assistant.followup import run_followup


@click.command()
@click.option("--today", type=DATE, default=None, metavar="YYYY-MM-DD",
              help="Judge as on this day (default: today).")
@click.option("--dry-run", is_flag=True,
              help="Show what is due without queueing anything.")
@with_app
def followup(app: App, today: date | None, dry_run: bool) -> None:
    """Queue the follow-up due today: missing payslips (to the workplace), employments
    ending, sick days, months without claims, room in the pool (to the consultants),
    last month's summary (to the economy group).

    Each reminder is queued once, however often this runs and on however many
    instances; `assistant run` runs it by itself every [followup] interval_minutes.
    """
    outcomes = run_followup(app.engine, app.config, today or date.today(), dry_run=dry_run)
    if not outcomes:
        click.echo("Nothing is due.")
        return
    for outcome in outcomes:
        r = outcome.reminder
        state = ("due" if outcome.queued else "sent before") if dry_run else \
            ("queued" if outcome.queued else "sent before")
        click.echo(f"{state:<12} {r.kind:<18} to {outcome.recipient}: {r.subject}")
    new = sum(o.queued for o in outcomes)
    verb = "would be queued" if dry_run else "queued"
    click.echo(f"{new} reminder{'' if new == 1 else 's'} {verb}, "
               f"{len(outcomes) - new} sent before.")
