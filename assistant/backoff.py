"""Capped exponential backoff with jitter, shared by the outbox and the IMAP reconnects.

Jitter keeps many clients (or many queued mails) from retrying in lock-step.
"""

from __future__ import annotations

import random

_RNG = random.Random()


def delay(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (1, 2, ...): base·2^(n-1), capped, ±20 %."""
    seconds = min(cap, base * 2 ** max(0, attempt - 1))
    return seconds * (rng or _RNG).uniform(0.8, 1.2)
