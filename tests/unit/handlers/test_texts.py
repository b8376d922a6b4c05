"""Texts people read: dates inside Danish text are written the Danish way."""

from handlers.problems import Problem
from handlers.texts import problem_text


def test_dates_in_a_danish_reply_are_danish() -> None:
    problem = Problem("period", "outside_employment", "the period lies outside",
                      values={"start": "2026-10-01", "end": "2026-10-31",
                              "employment_start": "2026-11-01", "employment_end": "2027-10-31"})
    danish = problem_text(problem, "da")
    assert "01.10.2026 - 31.10.2026" in danish and "2026-10-01" not in danish
    assert "01.11.2026" in danish
    assert "2026-10-01 - 2026-10-31" in problem_text(problem, "en")
