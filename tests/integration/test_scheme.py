"""One scheme object from the config: set [jobcenter] max_hours_per_week = 8 and the
refund cap (`assistant parse`), the form (`assistant chat`) and the register
(`employments add`) all follow it, through their real entry points."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.config import Config, ConfigError, load_config
from handlers.intake import Context, Draft, prompt
from handlers.scheme import DEFAULT_SCHEME, Scheme
from tests.fixtures.payslips import make_case
from tests.integration.test_parse_cli import CLAIM, TODAY, eml, mail

EIGHT = """[jobcenter]
max_hours_per_week = 8
max_employment_months = 6
max_sick_days = 20
min_cost_per_hour = 120
max_cost_per_hour = 500
"""


@pytest.fixture
def run(config_file):
    config = config_file(EIGHT)

    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(cli, [*args, "--config", str(config)], input=input)

    return invoke


def test_the_config_builds_the_scheme(tmp_path) -> None:
    path = tmp_path / "a.toml"
    path.write_text(EIGHT, encoding="utf-8")
    assert load_config(path, env={}).scheme() == Scheme(
        pool_hours=Decimal(100), max_hours=Decimal(8), max_months=6, max_sick_days=20,
        min_cost_per_hour=Decimal(120), max_cost_per_hour=Decimal(500))
    assert Config().scheme() == DEFAULT_SCHEME


def test_the_cap_follows_the_config(run, tmp_path) -> None:
    case = make_case("municipal", 3)
    days = (case.period_end - case.period_start).days + 1
    path = eml(tmp_path, "claim", mail(case, CLAIM))
    result = run("parse", "--today", TODAY, path)
    assert result.exit_code == 0, result.output
    (claim,) = json.loads(result.output)["claims"]
    assert Decimal(str(claim["cap_hours"])) == (Decimal(8) * days / 7).quantize(
        Decimal("0.01"))


def test_the_register_follows_the_config(run) -> None:
    run("workplaces", "add", "--cvr", "65113015", "--name", "Albertslund Kommune")
    refused = run("employments", "add", "--cpr", "010190-1234", "--name", "Anna",
                  "--cvr", "65113015", "--hours", "9", "--start", "2027-01-04",
                  "--end", "2027-02-28", "--reason", "afgrænset", "--today", "2026-12-01")
    assert refused.exit_code == 1
    assert "at most 8 hours per week (got 9)" in refused.output


def test_the_form_follows_the_config(run) -> None:
    run("workplaces", "add", "--cvr", "65113015", "--name", "Albertslund Kommune")
    token = re.search(r"Token: (\S+)", run("invite", "--cvr", "65113015", "--name",
                                           "Lone Hansen").output).group(1)
    answers = ["Hovedbiblioteket", "Per Jensen", "per@example.dk", "e", "a", "a", "b",
               "a", "a", "b", "a", "a", "b", "i", "9", "8", "/skip",
               (date.today() + timedelta(days=42)).strftime("%d.%m.%Y"), "7"]
    chat = run("chat", "--invite", token, input="\n".join(answers) + "\n")
    assert chat.exit_code == 0, chat.output
    assert "Hvor mange timer om ugen (1-8)?" in chat.output
    assert "[a] 2  [b] 4  [c] 6  [d] 8" in chat.output
    assert "Timer pr. uge skal være et tal fra 1 til 8 (du skrev 9)" in chat.output
    assert "Hvor mange måneder skal ansættelsen vare (1-6)?" in chat.output
    assert "Varigheden skal være 1 til 6 måneder (du skrev 7)" in chat.output


def test_the_form_defaults_are_the_published_rules() -> None:
    ctx = Context(today=date(2026, 12, 1), pool_left=Decimal(100))
    asked = prompt(Draft(step="hours"), ctx)
    assert "(1-10)" in asked.text
    assert [c.label for c in asked.choices[0]] == ["4", "6", "8", "10"]
    assert [c.label for c in prompt(Draft(step="duration"), ctx).choices[0]] == [
        "3", "6", "9", "12"]


def test_plausible_cost_per_hour() -> None:
    scheme = Scheme(min_cost_per_hour=Decimal(100), max_cost_per_hour=Decimal(600))
    assert scheme.plausible_cost_per_hour(Decimal("6000"), Decimal(40))  # 150 kr/h
    assert not scheme.plausible_cost_per_hour(Decimal("60000"), Decimal(40))  # 1,500 kr/h
    assert not scheme.plausible_cost_per_hour(Decimal("2000"), Decimal(40))  # 50 kr/h
    assert not scheme.plausible_cost_per_hour(Decimal("2000"), Decimal(0))


def test_a_reversed_cost_range_is_a_config_error(tmp_path) -> None:
    path = tmp_path / "a.toml"
    path.write_text("[jobcenter]\nmin_cost_per_hour = 700\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"min_cost_per_hour \(700\) is above "
                                          r"max_cost_per_hour \(600\)"):
        load_config(path, env={})
