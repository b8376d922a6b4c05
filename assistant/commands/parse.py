"""``assistant parse FILE...``: read payslip PDFs, scans and photos (JPEG/PNG/TIFF/HEIC)
and claim e-mails, print JSON lines."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from assistant.claim_json import claim_dict, payslip_dict, problem_dicts
from assistant.pdf_reader import GuardedPdfReader
from handlers.claims import Evaluation, PdfResult, evaluate
from handlers.problems import Problem
from parsers import claim_text, email
from parsers.payslip import Payslip, Unreadable, read_document
from parsers.payslip.images import IMAGE_KINDS, kind_of


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Judge periods as of this date (default: today).")
@click.option("--mask-cpr", is_flag=True, help="Print CPR numbers as DDMMYY-xxxx.")
@click.option("--time-limit", type=float, default=10.0, show_default=True,
              help="Seconds allowed to read one PDF.")
def parse(files: tuple[Path, ...], today: Any, mask_cpr: bool, time_limit: float) -> None:
    """Read payslip PDFs, scans, photos and claim e-mails (.eml); print one JSON object per
    file. Scans and photos are read by OCR ("ocr": true, with the mean word confidence)."""
    day = today.date() if today else date.today()
    with GuardedPdfReader(time_limit=time_limit) as reader:
        for path in files:
            try:
                result = _parse_one(path, reader, day, mask_cpr)
            except OSError as exc:
                result = {"file": str(path), "ok": False,
                          "error": f"cannot open the file: {exc.strerror or exc}"}
            click.echo(json.dumps(result, ensure_ascii=False))
            sys.stdout.flush()


def _parse_one(path: Path, reader: GuardedPdfReader, today: date, mask: bool) -> dict[str, Any]:
    data = path.read_bytes()
    kind = kind_of(data, path.name)
    if path.suffix.lower() == ".eml" or kind is None:
        return _parse_eml(path, data, reader, today, mask)
    return _parse_pdf(path, data, reader, today, mask)


def _read(path: Path, data: bytes, reader: GuardedPdfReader) -> Payslip | Unreadable:
    """A PDF's text layer in the guarded worker; scans and photos by OCR, whose Tesseract
    runs are stopped by their own per-page and per-document limits."""
    if kind_of(data, path.name) in IMAGE_KINDS:
        return read_document(data, path.name, reader.limits)
    result = reader.read(data)
    if isinstance(result, Unreadable) and result.code == "no_text":
        return read_document(data, path.name, reader.limits)
    return result


def _parse_pdf(
    path: Path, data: bytes, reader: GuardedPdfReader, today: date, mask: bool
) -> dict[str, Any]:
    result = _read(path, data, reader)
    if isinstance(result, Unreadable):
        return {"file": str(path), "ok": False, "error": result.reason}
    evaluation = evaluate([PdfResult(path.name, result)], claim_text.ClaimText(), today)
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
    path: Path, data: bytes, reader: GuardedPdfReader, today: date, mask: bool
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


def evaluate_message(
    message: email.MailMessage, reader: GuardedPdfReader, today: date
) -> Evaluation:
    """Read the message's PDFs (time-limited) and judge the claim."""
    pdfs = [PdfResult(a.filename or "attachment.pdf", reader.read(a.data)) for a in message.pdfs]
    return evaluate(pdfs, claim_text.read(message.body_text), today)
