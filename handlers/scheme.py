"""The scheme (ordningen): the limits of jobs in a few paid hours, in one object.

Built once from ``[jobcenter]`` in the config (``assistant.config.Config.scheme``) and
passed to every rule that needs a limit: the refund cap (``handlers.refund``,
``handlers.claims``), the review against the register (``handlers.review``), the job
form (``handlers.intake``) and the register (``handlers.register``). The defaults are
the municipality's published rules (see /work/shared/domain.md):

- at most 10 hours a week per employment, and refund for at most that;
- employments of at most 12 months;
- a pool of 100 hours a week across all employments (first come, first served);
- sick pay refunded for at most 30 days per employment;
- an employer cost per paid hour between 100 and 600 kr is plausible; outside that a
  reading is suspect (a misread amount or hours figure).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Scheme:
    """The scheme's limits. ``max_hours`` is per week, ``pool_hours`` per week."""

    pool_hours: Decimal = Decimal(100)
    max_hours: Decimal = Decimal(10)
    max_months: int = 12
    max_sick_days: int = 30
    min_cost_per_hour: Decimal = Decimal(100)
    max_cost_per_hour: Decimal = Decimal(600)

    def plausible_cost_per_hour(self, cost: Decimal, hours: Decimal) -> bool:
        """Whether ``cost`` for ``hours`` paid hours lies in the plausible range."""
        if hours <= 0:
            return False
        return self.min_cost_per_hour <= cost / hours <= self.max_cost_per_hour


DEFAULT_SCHEME = Scheme()
