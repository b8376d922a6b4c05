"""``assistant web`` (the desk alone) and ``assistant staff ...`` (who may use it)."""

from __future__ import annotations

import getpass
import sys

import click

from assistant import logs, staff
from assistant.commands.common import App, echo_json, with_app
from handlers.desk import ROLES


@click.command()
@click.option("--host", default=None, help="Listen address (default: [web] host).")
@click.option("--port", type=int, default=None, help="Port (default: [web] port).")
@with_app
def web(app: App, host: str | None, port: int | None) -> None:
    """Run the jobcenter desk (the web app) alone; Ctrl-C stops it."""
    from assistant.web.server import DeskServer, PortTaken

    logs.setup(app.config.logging.level)
    try:
        server = DeskServer(app, host, port)
    except PortTaken as exc:
        raise click.ClickException(str(exc)) from None
    if not staff.members(app.engine):
        click.echo("No staff yet: add the first with `assistant staff add EMAIL --name NAME "
                   "--role admin --password-stdin`.", err=True)
    click.echo(f"desk on {server.url} (Ctrl-C stops)", err=True)
    server.run()


def _actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = click.prompt("Password", hide_input=True)
    if click.prompt("Again", hide_input=True) != first:
        raise click.ClickException("the two passwords differ; nothing changed")
    return first


def _refused(exc: staff.StaffError) -> click.ClickException:
    return click.ClickException(f"refused: {exc}")


@click.group("staff")
def staff_group() -> None:
    """Staff of the desk: consultants, the economy group, admins."""


@staff_group.command("add")
@click.argument("email")
@click.option("--name", required=True, help="The person's name.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What they may do.")
@click.option("--lang", type=click.Choice(["da", "en"]), default="da", show_default=True,
              help="The desk's language for them.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from the first line of stdin (else asked twice).")
@with_app
def add_staff(app: App, email: str, name: str, role: str, lang: str,
              password_stdin: bool) -> None:
    """Add a staff member who can log in to the desk."""
    try:
        member = staff.add(app.engine, email, name, role, _password(password_stdin),
                           _actor(), lang)
    except staff.StaffError as exc:
        raise _refused(exc) from None
    click.echo(f"Added {member.email} ({member.name}, {member.role}).")


@staff_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_app
def list_staff(app: App, as_json: bool) -> None:
    """List staff members."""
    members = staff.members(app.engine)
    if as_json:
        echo_json([{"email": m.email, "name": m.name, "role": m.role, "active": m.active,
                    "language": m.language} for m in members])
        return
    if not members:
        click.echo("No staff. Add one with: assistant staff add EMAIL --name NAME --role admin "
                   "--password-stdin")
        return
    click.echo(f"{'EMAIL':<32} {'ROLE':<11} {'ACTIVE':<7} NAME")
    for m in members:
        click.echo(f"{m.email:<32} {m.role:<11} {'yes' if m.active else 'no':<7} {m.name}")


@staff_group.command("disable")
@click.argument("email")
@with_app
def disable_staff(app: App, email: str) -> None:
    """Stop a member from logging in; their open sessions end now."""
    try:
        member = staff.disable(app.engine, email, _actor())
    except staff.StaffError as exc:
        raise _refused(exc) from None
    click.echo(f"Disabled {member.email}; their sessions are ended.")


@staff_group.command("reset")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from stdin.")
@with_app
def reset_staff(app: App, email: str, password_stdin: bool) -> None:
    """Set a new password (and enable the member again); open sessions end."""
    try:
        member = staff.reset(app.engine, email, _password(password_stdin), _actor())
    except staff.StaffError as exc:
        raise _refused(exc) from None
    click.echo(f"New password set for {member.email}; their old sessions are ended.")
