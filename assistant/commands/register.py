"""The register on the command line: ``workplaces``, ``employments`` and ``pool``.

CPR numbers are printed masked (``DDMMYY-xxxx``) in every output, JSON included.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import click

from assistant.commands.common import (
    DATE,
    DECIMAL,
    App,
    by_option,
    echo_json,
    os_user,
    refusals,
    refuse_past_start,
    today_option,
    with_app,
)
from assistant.read_models import employment_json, pool_json, workplace_json
from assistant.register_changes import RegisterChanges
from handlers.register import hours_text, peak_hours
from parsers.identifiers import mask_cpr

# -- workplaces ---------------------------------------------------------------------


@click.group()
def workplaces() -> None:
    """Workplaces (employers) and their senders."""


@workplaces.command("add")
@click.option("--cvr", required=True, help="The workplace's CVR number (8 digits).")
@click.option("--name", required=True, help="The workplace's name.")
@click.option("--sender", "senders", multiple=True, metavar="ADDRESS_OR_DOMAIN",
              help="An address (lon@firma.dk) or domain (firma.dk) it sends from; repeatable.")
@with_app
def add_workplace(app: App, cvr: str, name: str, senders: tuple[str, ...]) -> None:
    """Add a workplace, or update a known one.

    A known CVR gets the new name and the new senders (existing ones are kept).
    """
    with refusals():
        known = app.store.workplace_by_cvr(cvr)
        record = app.store.add_workplace(cvr, name, senders)
    verb = "Updated" if known else "Added"
    click.echo(f"{verb} workplace {record.cvr} {record.name}")
    click.echo(f"  senders: {', '.join(record.senders) or '(none: claims cannot be matched)'}")


@workplaces.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@with_app
def list_workplaces(app: App, as_json: bool) -> None:
    """List the workplaces and their senders.

    JSON: a list of objects with keys id, cvr, name, senders (list of patterns),
    created_at (ISO 8601, UTC).
    """
    records = app.store.workplaces()
    if as_json:
        echo_json([workplace_json(record) for record in records])
        return
    if not records:
        click.echo("No workplaces. Add one with: assistant workplaces add")
        return
    click.echo(f"{'CVR':<8}  {'NAME':<30}  SENDERS")
    for record in records:
        click.echo(f"{record.cvr:<8}  {record.name:<30}  {', '.join(record.senders)}")


@workplaces.command("remove-sender")
@click.option("--cvr", required=True, help="The workplace's CVR number.")
@click.option("--sender", required=True, metavar="ADDRESS_OR_DOMAIN",
              help="The address or domain to stop accepting claims from.")
@by_option
@with_app
def remove_sender(app: App, cvr: str, sender: str, by: str | None) -> None:
    """Remove a sender (address or domain).

    Claims from it are no longer matched to the workplace.
    """
    with refusals():
        record = RegisterChanges(app.store).remove_sender(by or os_user(), cvr, sender)
    click.echo(f"Removed {sender.strip().lower()} from {record.cvr} {record.name}")
    click.echo(f"  senders: {', '.join(record.senders) or '(none: claims cannot be matched)'}")


# -- employments --------------------------------------------------------------------


@click.group()
def employments() -> None:
    """Approved employments (ansættelser)."""


@employments.command("add")
@click.option("--cpr", required=True, help="The citizen's CPR number (DDMMYY-SSSS).")
@click.option("--name", required=True, help="The citizen's name.")
@click.option("--cvr", required=True, help="CVR of the workplace (added beforehand).")
@click.option("--hours", required=True, type=DECIMAL, help="Hours per week (more than 0, max 10).")
@click.option("--start", required=True, type=DATE, help="First day (today or later).")
@click.option("--end", required=True, type=DATE, help="Last day (at most 12 months on).")
@click.option("--reason", required=True, help="Why the employment is temporary.")
@click.option("--past-start", is_flag=True,
              help="Register an employment that already began (one approved before the "
                   "assistant was used); without it a start in the past is refused.")
@today_option
@by_option
@with_app
def add_employment(
    app: App, cpr: str, name: str, cvr: str, hours: Decimal, start: date, end: date, reason: str,
    past_start: bool, today: date | None, by: str | None,
) -> None:
    """Approve an employment if the pool has room.

    Refused (exit code 1) when the hours, the period or the pool do not allow it,
    the start is in the past (unless --past-start), the workplace is unknown or the
    CPR number is wrong. First come, first served.
    """
    if not past_start:
        refuse_past_start(start, today, "; an employment that already began is "
                          "registered with --past-start")
    with refusals():
        employment = RegisterChanges(app.store).add_employment(
            by or os_user(), cpr, name, cvr, hours, start, end, reason, past_start=True)
    record = app.store.workplace_by_cvr(cvr)
    workplace = f"{record.cvr} {record.name}" if record else cvr
    click.echo(
        f"Approved employment {employment.id}: {mask_cpr(employment.cpr)} "
        f"{employment.citizen_name} at {workplace}, "
        f"{hours_text(employment.hours_per_week)} hours/week, {start} to {end}"
    )
    pool = app.store.limits.pool_hours
    used = peak_hours(app.store.spans(start, end), start, end)
    click.echo(f"  pool: {hours_text(pool - used)} of {hours_text(pool)} hours/week "
               "left at the busiest point of that period")


@employments.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--all", "show_all", is_flag=True,
              help="Include employments that are over (default: current and future ones).")
@with_app
def list_employments(app: App, as_json: bool, show_all: bool) -> None:
    """List employments (CPR numbers masked).

    JSON: a list of objects with keys id, cpr (DDMMYY-xxxx), citizen_name,
    workplace_id, cvr, workplace (name), hours_per_week (number), start, end,
    last_day (the last day it uses the pool), status (approved|ended), ended_on,
    reason, intake_id, created_at; dates are ISO 8601.
    """
    today = date.today()
    rows = [e for e in app.store.employments() if show_all or e.last_day >= today]
    places = {record.id: record for record in app.store.workplaces()}
    if as_json:
        echo_json([employment_json(e, places.get(e.workplace_id)) for e in rows])
        return
    if not rows:
        click.echo("No employments." if show_all else "No current or future employments.")
        return
    click.echo(f"{'ID':>4}  {'CPR':<11}  {'NAME':<24}  {'CVR':<8}  {'HOURS':>5}  "
               f"{'START':<10}  {'LAST DAY':<10}  STATUS")
    for e in rows:
        place = places.get(e.workplace_id)
        click.echo(f"{e.id:>4}  {mask_cpr(e.cpr):<11}  {e.citizen_name[:24]:<24}  "
                   f"{place.cvr if place else '?':<8}  {hours_text(e.hours_per_week):>5}  "
                   f"{e.start_date}  {e.last_day}  {e.status}")


@employments.command("end")
@click.argument("employment_id", metavar="ID", type=int)
@click.option("--on", "on", type=DATE, default=None,
              help="Its last day (default: today). Before the start: cancelled.")
@click.option("--reason", default="", help="Why (written to the audit log).")
@by_option
@with_app
def end_employment(app: App, employment_id: int, on: date | None, reason: str,
                   by: str | None) -> None:
    """End an employment early (its last day).

    Its hours return to the pool the day after; a last day before the start cancels it.
    """
    last_day = on or date.today()
    with refusals():
        employment = RegisterChanges(app.store).end_employment(
            by or os_user(), employment_id, last_day, reason)
    if last_day < employment.start_date:
        click.echo(f"Cancelled employment {employment.id} before its start "
                   f"({employment.start_date}); it never used the pool")
        return
    click.echo(f"Ended employment {employment.id} ({mask_cpr(employment.cpr)}): last day "
               f"{last_day}; {hours_text(employment.hours_per_week)} hours/week return "
               "to the pool the day after")


@employments.command("extend")
@click.argument("employment_id", metavar="ID", type=int)
@click.option("--to", "new_end", required=True, type=DATE,
              help="The new last day (at most 12 months after the start).")
@click.option("--reason", required=True,
              help="The addendum's reason: why the employment is extended (audit log).")
@by_option
@with_app
def extend_employment(app: App, employment_id: int, new_end: date, reason: str,
                      by: str | None) -> None:
    """Extend an employment (an addendum, tillæg).

    Refused (exit code 1) when the whole employment would last more than 12 months, the
    pool has no room for its hours in the added weeks, or it has ended.
    """
    with refusals():
        employment = RegisterChanges(app.store).extend_employment(
            by or os_user(), employment_id, new_end, reason)
    click.echo(f"Extended employment {employment.id} ({mask_cpr(employment.cpr)}) to "
               f"{employment.end_date}")


# -- pool ---------------------------------------------------------------------------


@click.command()
@click.option("--on", "on", type=DATE, default=None, help="The day to look at (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_app
def pool(app: App, on: date | None, as_json: bool) -> None:
    """Show the pool: hours approved and left.

    JSON: an object with keys on (ISO date), pool_hours, approved_hours, left_hours
    (numbers; left_hours is negative if more is approved than the pool holds) and
    employments (how many are active that day).
    """
    status = app.store.pool_status(on or date.today())
    if as_json:
        echo_json(pool_json(status))
        return
    plural = "" if status.employments == 1 else "s"
    click.echo(
        f"Pool on {status.on}: {hours_text(status.approved_hours)} of "
        f"{hours_text(status.pool_hours)} hours/week approved "
        f"({status.employments} employment{plural}), {hours_text(status.left_hours)} left"
    )
