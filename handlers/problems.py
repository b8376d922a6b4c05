"""What is wrong or missing in a claim, in a form every channel can render.

``code`` is stable (tests, JSON, the Danish/English reply texts key on it);
``message`` is an English explanation for logs and the command line. Messages
never hold a full CPR number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# error: the claim is wrong and the sender must fix it (invalid); warning: told, not
# blocking; review: nothing for the sender to fix, but a person must decide before any
# payment (a reading that does not reconcile with the payslip's own arithmetic).
Severity = Literal["error", "warning", "review"]


@dataclass(frozen=True)
class Problem:
    field: str  # the claim field it concerns: cpr, cvr, period, amount, hours, payslip, ...
    code: str
    message: str
    severity: Severity = "error"
    # The values the message quotes (already masked), for the Danish/English texts.
    values: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def as_dict(self) -> dict[str, object]:
        # ``values`` is stored too, so a page or a later mail can say it in Danish or
        # English (handlers.texts.problem_text) and not only in the English ``message``.
        return {
            "field": self.field,
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
            "values": dict(self.values),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Problem:
        values = data.get("values")
        return cls(str(data.get("field", "")), str(data.get("code", "")),
                   str(data.get("message", "")),
                   str(data.get("severity", "error")),  # type: ignore[arg-type]
                   values={str(k): str(v) for k, v in values.items()}
                   if isinstance(values, dict) else {})
