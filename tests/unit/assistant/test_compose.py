"""Composing outgoing mail with headers parsed and folded once per process
(``outbox.COMPOSE_POLICY``) gives the bytes the stdlib's own ``policy.default`` gives,
for mail after mail that share some headers and differ in others."""

from __future__ import annotations

import email.policy
import re
from datetime import UTC, datetime

import pytest

from assistant import outbox

FIXED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
BOUNDARY = re.compile(rb"={15}\d+==")  # the generator's random MIME boundary


def same_boundary(raw: bytes) -> bytes:
    return BOUNDARY.sub(b"=====BOUNDARY==", raw)


class FixedClock(datetime):
    @classmethod
    def now(cls, tz=None):  # noqa: ANN001, ANN206 - datetime's own signature
        return FIXED


CASES = [
    dict(sender="jobcenter@kommune.example", recipient="okonomi@kommune.example",
         subject="Refusion R-2026-000001: Silkeborg Kommune - Oliver Hansen", body="Beløb\n",
         dedup_key="summary:1:a", attachments=[("lon-1.pdf", "application/pdf", b"%PDF-1")]),
    dict(sender="jobcenter@kommune.example", recipient="okonomi@kommune.example",
         subject="Refusion R-2026-000002: Ærø Kommune - Søren Ørsted Åberg " * 4,
         body="Æ" * 3000 + "\n" + "lang linje " * 200 + "\n", dedup_key="summary:2:b",
         attachments=[("lønseddel for Søren Ørsted Åberg, januar 2026 (kopi).pdf",
                       "application/pdf", bytes(range(256)) * 40)]),
    dict(sender="Jobcenter Silkeborg <jobcenter@kommune.example>",
         recipient="Løn <lon@firma.dk>, kopi@firma.dk", subject="Re: Løn januar",
         body="Tak\n", dedup_key="reply:3:c", in_reply_to="<abc.123@firma.dk>"),
    dict(sender="jobcenter@kommune.example", recipient="konsulenter@kommune.example",
         subject="", body="", dedup_key="enquiry:4:d",
         attachments=[("besked.eml", "message/rfc822", b"From: a@b\n\nhej\n"),
                      ("data", "", b"\x00\x01")], auto_submitted="auto-generated"),
]


@pytest.mark.parametrize("repeat", [1, 3])
def test_the_same_bytes_as_the_stdlib_policy(monkeypatch: pytest.MonkeyPatch,
                                              repeat: int) -> None:
    monkeypatch.setattr(outbox, "datetime", FixedClock)
    for _ in range(repeat):  # later rounds take headers from the cache
        for case in CASES:
            ours = same_boundary(outbox.compose(**case).as_bytes())
            monkeypatch.setattr(outbox, "COMPOSE_POLICY", email.policy.default)
            reference = same_boundary(outbox.compose(**case).as_bytes())
            monkeypatch.undo()
            monkeypatch.setattr(outbox, "datetime", FixedClock)
            assert ours == reference
            assert b"Date: Sun, 01 Mar 2026 09:30:00 +0000" in ours


def test_the_cache_is_bounded() -> None:
    headers = outbox.COMPOSE_POLICY.header_factory
    for n in range(3 * outbox.MAX_COMPOSED_HEADERS):
        assert str(headers("Subject", f"Refusion {n}")) == f"Refusion {n}"
    assert len(headers._parsed) <= outbox.MAX_COMPOSED_HEADERS
    assert headers("To", "a@b.dk") is headers("To", "a@b.dk")
