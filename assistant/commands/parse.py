"""``assistant parse FILE...``: read payslip PDFs, scans and photos (JPEG/PNG/TIFF/HEIC)
and claim e-mails, print JSON lines."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click

from assistant.claim_json import claim_dict, payslip_dict, problem_dicts
from assistant.commands.common import with_config
from assistant.config import Config
from assistant.pdf_reader import GuardedPdfReader
from handlers.claims import Evaluation, PdfResult, evaluate
from handlers.problems import Problem
from handlers.scheme import Scheme
from parsers import claim_text, email
from parsers.identifiers import IdentifierError, mask_cprs, parse_cpr
from parsers.identifiers import mask_cpr as mask_cpr_text
from parsers.payslip import Payslip, Unreadable
from parsers.payslip.images import kind_of


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Judge periods as of this date (default: today).")
@click.option("--mask-cpr", is_flag=True,
              help="Print CPR numbers as DDMMYY-xxxx everywhere: fields, line labels, "
                   "problems, and amounts that are really a CPR number.")
@click.option("--time-limit", type=float, default=10.0, show_default=True,
              help="Seconds allowed to read one PDF.")
@with_config
def parse(files: tuple[Path, ...], today: Any, mask_cpr: bool, time_limit: float,
          config: Config) -> None:
    """Read payslip PDFs, scans, photos and claim e-mails (.eml); print one JSON object per
    file. Scans and photos are read by OCR ("ocr": true, with the mean word confidence).

    The refund cap follows [jobcenter] max_hours_per_week of the config.
    """
    day = Judging(today.date() if today else date.today(), config.scheme())
    with GuardedPdfReader(time_limit=time_limit) as reader:
        for path in files:
            try:
                result = _parse_one(path, reader, day, mask_cpr)
            except OSError as exc:
                result = {"file": str(path), "ok": False,
                          "error": f"cannot open the file: {exc.strerror or exc}"}
            if mask_cpr:
                result = masked(result)
            click.echo(json.dumps(result, ensure_ascii=False))
            sys.stdout.flush()


@dataclass(frozen=True)
class Judging:
    """What a claim is judged against: the day and the scheme's limits."""

    today: date
    scheme: Scheme


def _parse_one(path: Path, reader: GuardedPdfReader, today: Judging,
               mask: bool) -> dict[str, Any]:
    data = path.read_bytes()
    kind = kind_of(data, path.name)
    if path.suffix.lower() == ".eml" or kind is None:
        return _parse_eml(path, data, reader, today, mask)
    return _parse_pdf(path, data, reader, today, mask)


def _read(path: Path, data: bytes, reader: GuardedPdfReader) -> Payslip | Unreadable:
    """In the guarded worker, as the inbox reads it: a PDF's text layer, or OCR for a
    scan, a photo or a PDF without usable text."""
    return reader.read_document(data, path.name)


def _parse_pdf(
    path: Path, data: bytes, reader: GuardedPdfReader, today: Judging, mask: bool
) -> dict[str, Any]:
    result = _read(path, data, reader)
    if isinstance(result, Unreadable):
        return {"file": str(path), "ok": False, "error": result.reason}
    evaluation = evaluate([PdfResult(path.name, result)], claim_text.ClaimText(), today.today,
                          today.scheme)
    claim = evaluation.claims[0]
    # What the payslip alone lacks; "claimed" is a matter for the e-mail, not the PDF.
    missing = [Problem(name, "missing", f"the payslip does not show {name.replace('_', ' ')}")
               for name in claim.missing if name != "claimed"]
    out: dict[str, Any] = {"file": str(path), "ok": True}
    out.update(payslip_dict(claim, result, mask))
    if result.ocr:
        out.update({"ocr": True, "ocr_confidence": result.ocr_confidence,
                    "ocr_pages_not_read": list(result.ocr_pages_not_read),
                    "ocr_doubtful": list(result.ocr_doubtful)})
    out["problems"] = problem_dicts(claim.problems + missing)
    return out


def _parse_eml(
    path: Path, data: bytes, reader: GuardedPdfReader, today: Judging, mask: bool
) -> dict[str, Any]:
    message = email.read(data)
    if isinstance(message, email.UnreadableMail):
        return {"file": str(path), "ok": False, "error": message.reason}
    evaluation = evaluate_message(message, reader, today)
    return {
        "file": str(path),
        "ok": True,
        "message_id": message.message_id,
        "sender": message.sender,
        "subject": message.subject,
        "status": evaluation.status,
        "missing": evaluation.missing,
        "problems": problem_dicts(evaluation.problems),
        "claims": [claim_dict(c, mask) for c in evaluation.claims],
    }


def masked(value: Any) -> Any:
    """``value`` (parsed JSON) with every CPR masked: in any text, and a number that is
    a CPR read as an amount (9-10 digits, the first six a date) becomes ``DDMMYY-xxxx``."""
    if isinstance(value, str):
        return mask_cprs(value)
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A CPR read as a number: 10 digits, or 9 when it began with 0 (010190-1234).
        digits = f"{abs(value):.2f}".split(".")[0].zfill(10)
        if len(digits) == 10:
            try:
                parse_cpr(digits)
            except IdentifierError:
                return value
            return mask_cpr_text(digits)
    return value


def evaluate_message(
    message: email.MailMessage, reader: GuardedPdfReader, today: Judging
) -> Evaluation:
    """Read the message's payslips as the inbox does (time-limited; OCR for scans and
    photos) and judge the claim."""
    pdfs = [PdfResult(a.filename or "attachment.pdf", reader.read_document(a.data, a.filename))
            for a in message.pdfs]
    return evaluate(pdfs, claim_text.read(message.body_text), today.today, today.scheme)
