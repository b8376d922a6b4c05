"""Mutated PDFs: the reader returns a result or a clear reason, never raises or hangs."""

from __future__ import annotations

import random

import pytest

from assistant.pdf_reader import GuardedPdfReader
from parsers.payslip import Payslip, Unreadable, read
from tests.fixtures.payslips import LAYOUTS, make_case, render

MUTATIONS_PER_LAYOUT = 40


def mutate(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    kind = rng.choice(["flip", "truncate", "splice", "zero_run", "dup"])
    if kind == "flip":
        for _ in range(rng.randint(1, 30)):
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    elif kind == "truncate":
        del buf[rng.randrange(8, len(buf)):]
    elif kind == "splice":
        start = rng.randrange(len(buf))
        buf[start:start] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
    elif kind == "zero_run":
        start = rng.randrange(len(buf))
        buf[start:start + rng.randint(1, 500)] = b"\0" * rng.randint(1, 500)
    else:
        start = rng.randrange(len(buf))
        buf[start:start] = buf[start:start + rng.randint(1, 2000)]
    return bytes(buf)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_mutated_payslips_never_crash(layout):
    rng = random.Random(f"fuzz-{layout}")
    original = render(make_case(layout, 3))
    outcomes = {"read": 0, "unreadable": 0}
    for _ in range(MUTATIONS_PER_LAYOUT):
        result = read(mutate(original, rng))
        assert isinstance(result, (Payslip, Unreadable))
        if isinstance(result, Unreadable):
            assert result.reason and len(result.reason) < 300
            outcomes["unreadable"] += 1
        else:
            outcomes["read"] += 1
    # Most single mutations leave a readable document; some must break it.
    assert outcomes["read"] > 0


def test_guarded_reader_survives_a_worker_timeout():
    data = render(make_case("municipal", 1))
    with GuardedPdfReader(time_limit=0.001) as reader:
        slow = reader.read(data)
        assert isinstance(slow, Unreadable) and "longer than" in slow.reason
        reader.time_limit = 30
        again = reader.read(data)
    assert isinstance(again, Payslip) and again.cvr is not None
