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
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from pathlib import Path
from typing import Any, get_args

import click
from sqlmodel import Session, col, select

from assistant import logs
from assistant.claim_json import number
from assistant.commands.common import App, echo_json, with_app
from assistant.db import session
from assistant.decisions import ClaimDecisions, DecisionError
from assistant.export import PAYABLE_STATUSES, csv_text, month_rows, xlsx_bytes
from assistant.models import Claim, InboundMessage, OutboundMessage
from assistant.pdf_reader import GuardedReader, ReadFailed
from assistant.pipeline import Pipeline
from handlers.decisions import CORRECTABLE
from handlers.review import ReviewStatus
from parsers.identifiers import mask_cpr, mask_cprs
from parsers.labels import COMPONENTS

# The statuses a stored claim can have (a mail that is not a claim stores no claim): as
# judged, and after a person's decision.
STATUSES: tuple[str, ...] = (*get_args(ReviewStatus), "rejected", "paid")


def _month(value: str | None) -> tuple[date, date] | None:
    if value is None:
        return None
    try:
        year, month = (int(part) for part in value.split("-"))
        start = date(year, month, 1)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a month; use YYYY-MM, e.g. 2026-10") from None
    end = date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def _claims(db: Session, month: tuple[date, date] | None, status: str | None) -> list[Claim]:
    query = select(Claim).order_by(col(Claim.id))
    if month:
        query = query.where(col(Claim.period_start) >= month[0],
                            col(Claim.period_start) < month[1])
    if status:
        query = query.where(Claim.status == status)
    return list(db.exec(query).all())


def one_line(text: str) -> str:
    """A header as people read it: the spaces and line breaks left by header folding
    (" Refusion  november") collapsed to single spaces."""
    return " ".join(text.split())


def claim_json(claim: Claim) -> dict[str, Any]:
    return {
        "reference": claim.reference,
        "status": claim.status,
        "employer_name": claim.employer_name,
        "cvr": claim.cvr,
        "employee_name": claim.employee_name,
        "cpr": mask_cpr(claim.cpr) if claim.cpr else None,
        "period_start": claim.period_start.isoformat() if claim.period_start else None,
        "period_end": claim.period_end.isoformat() if claim.period_end else None,
        "hours": number(claim.hours),
        "sick_hours": number(claim.sick_hours),
        "components": {k: number(getattr(claim, k)) for k in COMPONENTS},
        "employer_cost": number(claim.employer_cost),
        "refundable_amount": number(claim.refundable_amount),
        "cap_hours": number(claim.cap_hours),
        "capped": claim.capped,
        "claimed": claim.claimed,
        "missing": claim.missing,
        "problems": claim.problems,
        "inbound_id": claim.inbound_id,
        "created_at": claim.created_at.isoformat(),
    }


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
        rows = _claims(db, _month(month), status)
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
        claim = db.exec(select(Claim).where(
            Claim.reference == reference.strip().upper())).first()
        if claim is None:
            raise click.ClickException(
                f"no claim {reference!r}; `assistant claims list` shows the references")
        inbound = db.get(InboundMessage, claim.inbound_id)
        outbox = db.exec(select(OutboundMessage).where(
            OutboundMessage.claim_id == claim.id)).all()
        headers = BytesHeaderParser(policy=default_policy).parsebytes(inbound.raw[:65536]) \
            if inbound else {}
        data = claim_json(claim)
        # The inbound headers are the sender's own words: a CPR typed into the subject is
        # masked here like everywhere else outside the database and the export.
        data["sender"] = mask_cprs(str(headers.get("From", ""))) if inbound else None
        data["subject"] = (mask_cprs(one_line(str(headers.get("Subject", ""))))
                           if inbound else None)
        data["outbox"] = [{"kind": m.kind, "recipient": m.recipient,
                           "subject": mask_cprs(one_line(m.subject)),
                           "status": m.status, "attempts": m.attempts} for m in outbox]
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
        query = select(InboundMessage.id)
        if message_id.isdigit():
            query = query.where(InboundMessage.id == int(message_id))
        else:
            wanted = message_id.strip()
            wanted = wanted if wanted.startswith("<") else f"<{wanted}>"
            query = query.where(InboundMessage.message_id == wanted)
        found = db.exec(query.order_by(col(InboundMessage.id).desc())).first()
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


