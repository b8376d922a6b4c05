"""The register commands end to end: config file -> database -> output (both backends)."""

import json
from datetime import date, timedelta

import click
import pytest
from click.testing import CliRunner

from assistant.commands.register import employments, pool, workplaces
from tests.integration.helpers import invoker, ok

CPR = "010190-1234"
CVR = "12345674"


@click.group()
def cli() -> None:
    """Test harness: the register commands as assistant/cli.py wires them."""


cli.add_command(workplaces)
cli.add_command(employments)
cli.add_command(pool)


@pytest.fixture
def run(config_file):
    """Run ``assistant ARGS... --config <a config for the test database>``."""
    return invoker(cli, config_file())


def refused(result) -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.stderr


def add_workplace(run):
    return run("workplaces", "add", "--cvr", CVR, "--name", "Firma ApS",
               "--sender", "lon@firma.dk", "--sender", "@Bureau.DK")


def add_employment(run, cpr=CPR, hours="4", start="2026-01-01", end="2026-12-31", cvr=CVR):
    return run("employments", "add", "--cpr", cpr, "--name", "Anna Andersen", "--cvr", cvr,
               "--hours", hours, "--start", start, "--end", end,
               "--reason", "Opgaven er afgrænset til scanning af arkivet",
               "--today", "2025-12-01")  # the dates above are ahead of this day


def test_round_trip(run):
    assert "Added workplace 12345674 Firma ApS" in ok(add_workplace(run))
    assert "senders: bureau.dk, lon@firma.dk" in ok(add_workplace(run))  # idempotent
    listed = json.loads(ok(run("workplaces", "list", "--json")))
    assert [(w["cvr"], w["name"], w["senders"]) for w in listed] == [
        (CVR, "Firma ApS", ["bureau.dk", "lon@firma.dk"])]
    assert set(listed[0]) == {"id", "cvr", "name", "senders", "created_at"}

    output = ok(add_employment(run))
    assert "Approved employment 1: 010190-xxxx Anna Andersen at 12345674 Firma ApS" in output
    assert "4 hours/week, 2026-01-01 to 2026-12-31" in output
    assert "96 of 100 hours/week left" in output

    table = ok(run("employments", "list", "--all"))
    as_json = ok(run("employments", "list", "--all", "--json"))
    for text in (output, table, as_json):
        assert "0101901234" not in text and "010190-1234" not in text
    assert "010190-xxxx" in table and "Anna Andersen" in table
    (row,) = json.loads(as_json)
    assert row["cpr"] == "010190-xxxx" and row["hours_per_week"] == 4
    assert (row["cvr"], row["workplace"], row["start"], row["end"], row["status"]) == (
        CVR, "Firma ApS", "2026-01-01", "2026-12-31", "approved")
    assert set(row) == {"id", "cpr", "citizen_name", "workplace_id", "cvr", "workplace",
                        "hours_per_week", "start", "end", "last_day", "status", "ended_on",
                        "reason", "intake_id", "created_at"}

    status = json.loads(ok(run("pool", "--on", "2026-06-01", "--json")))
    assert status == {"on": "2026-06-01", "pool_hours": 100, "approved_hours": 4,
                      "left_hours": 96, "employments": 1}
    assert ok(run("pool", "--on", "2026-06-01")) == (
        "Pool on 2026-06-01: 4 of 100 hours/week approved (1 employment), 96 left\n")
    assert json.loads(ok(run("pool", "--on", "2027-01-01", "--json")))["left_hours"] == 100


def test_pool_full_is_refused_with_hours_left(run):
    ok(add_workplace(run))
    for n in range(9):
        ok(add_employment(run, cpr=f"01019{n:05d}", hours="10"))
    ok(add_employment(run, cpr="0202851234", hours="5"))
    message = refused(add_employment(run, hours="10"))
    assert "refused: the pool has 5 hours left per week" in message
    assert "95 of 100 approved" in message
    assert json.loads(ok(run("pool", "--on", "2026-03-01", "--json")))["left_hours"] == 5


@pytest.mark.parametrize("args,expected", [
    ({"hours": "11"}, "at most 10 hours per week (got 11)"),
    ({"hours": "0"}, "more than 0"),
    ({"end": "2027-01-01"}, "may end 2026-12-31 at the latest"),
    ({"cvr": "65113015"}, "no workplace with CVR 65113015"),
    ({"cpr": "320190-1234"}, "are not a real date"),
    ({"cpr": "12345"}, "a CPR number has 10 digits"),
])
def test_employment_refusals(run, args, expected):
    ok(add_workplace(run))
    message = refused(add_employment(run, **args))
    assert message.startswith("Error: refused: ") and expected in message
    assert "1234" not in message.replace(CVR, "")


def test_several_reasons_are_listed(run):
    ok(add_workplace(run))
    message = refused(add_employment(run, hours="12", end="2027-06-30"))
    assert "refused:\n  - an employment may have at most 10" in message
    assert "\n  - an employment may last at most 12 months" in message


def test_bad_cvr_and_sender(run):
    message = refused(run("workplaces", "add", "--cvr", "12345675", "--name", "X"))
    assert "CVR '12345675': CVR 12345675 fails the modulus-11 check" in message
    assert "neither an e-mail address" in refused(
        run("workplaces", "add", "--cvr", CVR, "--name", "X", "--sender", "firma"))


def test_bad_dates_and_numbers_are_usage_errors(run):
    result = add_employment(run, start="01-01-2026")
    assert result.exit_code == 2 and "'01-01-2026' is not a date like 2026-01-31" in result.stderr
    result = add_employment(run, hours="four")
    assert result.exit_code == 2 and "not a number" in result.stderr


def test_end_and_default_listing(run):
    ok(add_workplace(run))
    today = date.today()
    ok(add_employment(run, start=str(today - timedelta(days=60)), end=str(today + timedelta(60))))
    ok(add_employment(run, cpr="0202851234", start=str(today - timedelta(days=30)),
                      end=str(today + timedelta(days=30))))
    output = ok(run("employments", "end", "1", "--on", str(today - timedelta(days=1))))
    assert f"Ended employment 1 (010190-xxxx): last day {today - timedelta(days=1)}" in output
    current = json.loads(ok(run("employments", "list", "--json")))
    assert [e["id"] for e in current] == [2]
    everything = json.loads(ok(run("employments", "list", "--json", "--all")))
    assert [(e["id"], e["status"]) for e in everything] == [(1, "ended"), (2, "approved")]
    assert everything[0]["ended_on"] == str(today - timedelta(days=1))
    assert json.loads(ok(run("pool", "--json")))["approved_hours"] == 4
    assert "already ended" in refused(run("employments", "end", "1"))
    assert "no employment with id 9" in refused(run("employments", "end", "9"))


def test_empty_lists(run):
    assert "No workplaces" in ok(run("workplaces", "list"))
    assert ok(run("employments", "list", "--json")) == "[]\n"
    assert "No current or future employments" in ok(run("employments", "list"))


def test_config_problems_are_clean_errors(run, tmp_path):
    missing = tmp_path / "missing.toml"
    message = refused(run("pool", config_path=missing))
    assert message.startswith(f"Error: config error in {missing}: the file does not exist")
    bad = tmp_path / "bad.toml"
    bad.write_text("[database]\nurl = 5\n")
    assert "[database] url: Input should be a valid string" in refused(run("pool", config_path=bad))
    unreachable = tmp_path / "unreachable.toml"
    unreachable.write_text('[database]\nurl = "postgresql+psycopg://nobody:secret@127.0.0.1:1/x"\n')
    message = refused(run("pool", config_path=unreachable))
    assert "cannot open the database postgresql+psycopg://nobody:***@127.0.0.1:1/x" in message
    assert "secret" not in message


def test_every_command_has_one_line_help():
    commands = [workplaces, employments, pool, *workplaces.commands.values(),
                *employments.commands.values()]
    for command in commands:
        summary = command.get_short_help_str()  # what `--help` of the group shows
        assert summary and not summary.endswith("..."), command.name
    result = CliRunner().invoke(cli, ["employments", "add", "--help"])
    assert result.exit_code == 0 and "--config FILE" in result.output


def test_a_start_in_the_past_is_refused_naming_start(run):
    ok(add_workplace(run))
    err = refused(run("employments", "add", "--cpr", CPR, "--name", "Anna Andersen", "--cvr",
                      CVR, "--hours", "4", "--start", "2026-01-05", "--end", "2026-06-30",
                      "--reason", "Opgaven er afgrænset til scanning af arkivet",
                      "--today", "2026-12-01"))
    assert "--start: the start date 2026-01-05 is in the past (today is 2026-12-01)" in err
    assert "--past-start" in err
    assert json.loads(ok(run("employments", "list", "--all", "--json"))) == []
    # Said on purpose: an employment that began before the assistant was used.
    ok(run("employments", "add", "--cpr", CPR, "--name", "Anna Andersen", "--cvr", CVR,
           "--hours", "4", "--start", "2026-01-05", "--end", "2026-06-30", "--reason",
           "Opgaven er afgrænset til scanning af arkivet", "--past-start",
           "--today", "2026-12-01"))
