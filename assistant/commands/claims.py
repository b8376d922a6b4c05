"""``assistant claims list|show``, ``assistant reprocess`` and ``assistant export``.

``claims list --json`` prints one JSON array; each claim is an object with the keys
``reference, status, employer_name, cvr, employee_name, cpr`` (masked DDMMYY-xxxx),
``period_start, period_end`` (ISO dates), ``hours, sick_hours, components`` (object of
the seven cost items), ``employer_cost, refundable_amount, cap_hours`` (numbers or
null), ``capped`` (bool), ``claimed, missing`` (lists of names), ``problems`` (list of
``{field, code, message, severity}``), ``inbound_id, created_at``. ``claims show REF
--json`` prints one such object plus ``sender``, ``subject`` and ``outbox`` (the mail
queued for it). Keys are only ever added, never renamed.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import click

from assistant import logs
from assistant.commands.common import App, echo_json, with_app
from assistant.db import session
from assistant.decisions import ClaimDecisions, DecisionError
from assistant.export import PAYABLE_STATUSES, csv_text, month_rows, xlsx_bytes
from assistant.pdf_reader import GuardedReader, ReadFailed
from assistant.pipeline import Pipeline
from assistant.read_models import (
    claim_json,
    claim_page,
    claim_rows,
    claim_show_json,
    month_span,
)
from assistant.repository import Repository
from handlers.claim_status import CLAIM_STATUSES
from handlers.decisions import CORRECTABLE
from parsers.identifiers import mask_cpr, mask_cprs

# The statuses a stored claim can have (a mail that is not a claim stores no claim): as
# judged, and after a person's decision.
STATUSES: tuple[str, ...] = CLAIM_STATUSES


def _month(value: str | None) -> tuple[date, date] | None:
    if value is None:
        return None
    span = month_span(value)
    if span is None:
        raise click.BadParameter(f"{value!r} is not a month; use YYYY-MM, e.g. 2026-10")
    return span


@click.group()
def claims() -> None:
    """List and show refund claims.

    `claims list --json` gives a list of objects with the keys reference, status
    (validated, needs_review, incomplete, invalid), employer_name, cvr, employee_name,
    cpr (masked DDMMYY-xxxx), period_start, period_end (ISO dates), hours, sick_hours,
    components (the seven cost items), employer_cost, refundable_amount, cap_hours
    (numbers or null), capped, claimed, missing (lists), problems ({field, code,
    message, severity}), inbound_id, created_at; `claims show REF --json` adds sender,
    subject and outbox.
    """


@claims.command("list")
@click.option("--month", metavar="YYYY-MM", help="Only claims whose period starts in this month.")
@click.option("--status", type=click.Choice(STATUSES), help="Only claims with this status.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (keys: see --help of claims).")
@with_app
def list_claims(app: App, month: str | None, status: str | None, as_json: bool) -> None:
    """List claims, newest last (CPR numbers masked)."""
    with session(app.engine) as db:
        rows = claim_rows(db, _month(month), status)
    if as_json:
        echo_json([claim_json(c) for c in rows])
        return
    if not rows:
        click.echo("no claims")
        return
    click.echo(f"{'REFERENCE':<14} {'STATUS':<12} {'PERIOD':<22} {'REFUNDABLE':>10} "
               f"{'EMPLOYER':<28} {'EMPLOYEE':<24} CPR")
    for c in rows:
        period = f"{c.period_start or '?'}..{c.period_end or '?'}"
        amount = f"{c.refundable_amount:>10.2f}" if c.refundable_amount is not None else " " * 10
        click.echo(f"{c.reference:<14} {c.status:<12} {period:<22} {amount} "
                   f"{(c.employer_name or '?')[:28]:<28} {(c.employee_name or '?')[:24]:<24} "
                   f"{mask_cpr(c.cpr) if c.cpr else '?'}")


@claims.command("show")
@click.argument("reference")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@with_app
def show_claim(app: App, reference: str, as_json: bool) -> None:
    """Show one claim by its reference, like R-2026-000042 (any case)."""
    with session(app.engine) as db:
        page = claim_page(db, reference, app.config.inbox.max_message_bytes)
    if page is None:
        raise click.ClickException(
            f"no claim {reference!r}; `assistant claims list` shows the references")
    data = claim_show_json(page)
    if as_json:
        echo_json(data)
        return
    for key in ("reference", "status", "employer_name", "cvr", "employee_name", "cpr",
                "period_start", "period_end", "hours", "sick_hours", "sender", "subject"):
        click.echo(f"{key:<20}{data[key] if data[key] is not None else '-'}")
    click.echo("cost items:")
    for key, value in data["components"].items():
        click.echo(f"  {key:<28}{value if value is not None else '-':>12}")
    for key in ("employer_cost", "cap_hours", "capped", "refundable_amount", "claimed",
                "missing"):
        click.echo(f"{key:<20}{data[key]}")
    for problem in data["problems"]:
        click.echo(f"problem: [{problem['field']}/{problem['code']}] {problem['message']}")
    for mail in data["outbox"]:
        click.echo(f"mail: {mail['kind']} to {mail['recipient']} ({mail['status']}): "
                   f"{mail['subject']}")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers): still say something
        return "unknown"


_by_option = click.option("--by", default=None, metavar="NAME",
                          help="Who decides (default: the OS user); written to the audit log.")


@contextmanager
def _decided() -> Iterator[None]:
    try:
        yield
    except DecisionError as exc:
        raise click.ClickException(f"refused: {mask_cprs(str(exc))}") from None


@claims.command("approve")
@click.argument("reference")
@click.option("--note", default="", help="Why (written to the audit log).")
@_by_option
@with_app
def approve_claim(app: App, reference: str, note: str, by: str | None) -> None:
    """Approve a claim held for review: it is validated and the economy group gets the
    summary with the payslip."""
    with _decided():
        done = ClaimDecisions(app.engine, app.config).approve(reference, by or _os_user(), note)
    click.echo(done.message)


@claims.command("reject")
@click.argument("reference")
@click.option("--reason", required=True, help="Why; the sender is told this text.")
@_by_option
@with_app
def reject_claim(app: App, reference: str, reason: str, by: str | None) -> None:
    """Reject a claim; the sender is told the reason in their language."""
    with _decided():
        done = ClaimDecisions(app.engine, app.config).reject(reference, reason,
                                                             by or _os_user())
    click.echo(done.message)


@claims.command("correct")
@click.argument("reference")
@click.option("--field", "field_name", required=True, type=click.Choice(CORRECTABLE),
              help="The field to fix.")
@click.option("--value", required=True,
              help="The right value (period: 2026-10-01..2026-10-31; amounts: 1234,56).")
@_by_option
@with_app
def correct_claim(app: App, reference: str, field_name: str, value: str,
                  by: str | None) -> None:
    """Correct a misread field; the claim is judged again and stays held until approved."""
    with _decided():
        done = ClaimDecisions(app.engine, app.config).correct(reference, field_name, value,
                                                              by or _os_user())
    click.echo(done.message)


@claims.command("paid")
@click.argument("reference")
@_by_option
@with_app
def paid_claim(app: App, reference: str, by: str | None) -> None:
    """Mark a validated claim paid (the economy group's step)."""
    with _decided():
        done = ClaimDecisions(app.engine, app.config).mark_paid(reference, by or _os_user())
    click.echo(done.message)


@click.command()
@click.argument("message_id")
@with_app
def reprocess(app: App, message_id: str) -> None:
    """Read a stored message again (after a fix); MESSAGE_ID is its Message-ID or number."""
    logs.setup("WARNING")
    with session(app.engine) as db:
        found = Repository(db).find_inbound(message_id)
    if found is None:
        raise click.ClickException(f"no stored message {message_id!r}")
    with GuardedReader.from_config(app.config.inbox) as reader:
        try:
            outcome = Pipeline(app.engine, app.config, reader).process(found, force=True)
        except ReadFailed as exc:
            raise click.ClickException(
                f"message {found} could not be read: {exc}; raise the [inbox] limit named "
                "there in the config if the mail is genuine") from None
    assert outcome is not None
    click.echo(f"message {found}: {outcome.status}; claims: "
               f"{', '.join(outcome.references) or 'none'}")


@click.command()
@click.option("--month", required=True, metavar="YYYY-MM", help="The month to export.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="The file (default: refusion-YYYY-MM.csv or .xlsx).")
@click.option("--all", "all_statuses", is_flag=True,
              help="Include every claim of the month (default: validated and paid ones).")
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True, help="CSV for Danish Excel, or an Excel workbook.")
@with_app
def export(app: App, month: str, output: Path | None, all_statuses: bool,
           file_format: str) -> None:
    """Write the month's claims as CSV or XLSX for the economy group (full CPR;
    owner-only file).

    The CSV opens in Danish Excel as it is: semicolons, decimal comma, UTF-8 with a
    byte order mark, Danish headers, Ja/Nej, dates dd-mm-yyyy, times in Danish time.
    The XLSX has the same rows and headers, amounts as numbers and dates as dates.
    """
    span = _month(month)
    path = output or Path(f"refusion-{month}.{file_format}")
    with session(app.engine) as db:
        rows = month_rows(db, *span, statuses=None if all_statuses else PAYABLE_STATUSES)
    # Created owner-only from the start: the file holds full CPR numbers.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    if file_format == "xlsx":
        with os.fdopen(fd, "wb") as binary:
            binary.write(xlsx_bytes(rows, month))
    else:
        with os.fdopen(fd, "w", newline="", encoding="utf-8-sig") as handle:
            handle.write(csv_text(rows))
    total = sum((r["refundable_amount"] or Decimal(0) for r in rows), Decimal(0))
    click.echo(f"wrote {_count(len(rows), 'claim')} (refundable total {total:.2f}) to {path}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


