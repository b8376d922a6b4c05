"""The log guard: the autouse ``no_cpr_in_logs`` fixture fails a test whose logs hold a
full CPR number, from any thread and in tracebacks too, and lets masked ones pass."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ("pytester",)

CONFTEST = (Path(__file__).parents[1] / "conftest.py").read_text(encoding="utf-8")


@pytest.fixture
def run_tests(pytester):
    pytester.makeconftest(CONFTEST)

    def run(body: str):
        pytester.makepyfile(test_guarded=body)
        # A subprocess: in-process, the inner test's log lines would reach this test's
        # own guard.
        return pytester.runpytest_subprocess("-q", "-p", "no:randomly", "-p", "no:cacheprovider")

    return run


def test_a_full_cpr_in_a_log_line_fails_the_test(run_tests):
    result = run_tests("""
import logging, threading

def test_message():
    logging.getLogger("assistant.x").info("claim for 250889-2325 stored")

def test_traceback_from_a_thread():
    def work():
        try:
            raise ValueError("parameters: ('2508892325',)")
        except ValueError:
            logging.getLogger("assistant.y").exception("failed")
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()

def test_masked_is_fine():
    logging.getLogger("assistant.z").warning("claim for 250889-xxxx stored")
""")
    result.assert_outcomes(passed=3, errors=2)
    output = result.stdout.str()
    assert "1 log line(s) with a full CPR number" in output
    # The guard's own message never repeats the number (pytest's captured-log section
    # of the inner run does; that is the test report, not the service log).
    assert "claim for <CPR> stored" in output
