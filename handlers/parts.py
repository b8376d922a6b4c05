"""What a claim was read from, and finding it again in its message.

A claim's *part* is its key in the message: ``pdf:<position>:<SHA-256>`` for a payslip
(file names repeat in one mail, or are missing, so they cannot key a claim), ``body``
for a claim written in the mail's text. The pipeline makes the key when it reads a
mail; a person's decision later finds the same attachment again by position and hash.

Pure: a message and a key in, the part out.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from handlers.claims import Claim
from parsers import email
from parsers.identifiers import mask_cprs


@dataclass(frozen=True)
class Part:
    """What a claim was read from: its key in the message, the payslip's hash and PDF."""

    key: str
    sha256: str | None
    attachment: email.Attachment | None


def part_of(message: email.MailMessage, claim: Claim) -> Part:
    """The part a freshly read claim came from."""
    if claim.position is not None and 0 <= claim.position < len(message.pdfs):
        attachment = message.pdfs[claim.position]
        digest = hashlib.sha256(attachment.data).hexdigest()
        return Part(f"pdf:{claim.position}:{digest}", digest, attachment)
    if claim.source == "body":
        return Part("body", None, None)
    return Part(f"source:{claim.source[:90]}", None, None)  # not expected: no position


def stored_part(message: email.MailMessage | None, key: str, sha256: str | None) -> Part:
    """A stored claim's part found again in its message: the attachment at the claim's
    position, if its bytes are still the ones claimed (never by file name: two payslips
    may share one)."""
    m = re.match(r"pdf:(\d+):", key)
    if message is not None and m and int(m.group(1)) < len(message.pdfs):
        attachment = message.pdfs[int(m.group(1))]
        if hashlib.sha256(attachment.data).hexdigest() == sha256:
            return Part(key, sha256, attachment)
    return Part(key, sha256, None)


def payslip_attachment(part: Part) -> list[tuple[str, str, bytes]]:
    """The claim's own PDF, under its file name with any CPR in it masked."""
    if part.attachment is None:
        return []
    name = mask_cprs(part.attachment.filename or "payslip.pdf")
    return [(name, "application/pdf", part.attachment.data)]
