"""Pieces the integration tests share: the config files they write, and running a command.

A config is written from sections, e.g. ``written_config(tmp_path / "config.toml",
database(db_url), outbox(tmp_path), jobcenter())``, so the addresses every test asserts
on (``JOBCENTER``, ``ECONOMY``, ``CONSULTANTS``) are written in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from click.testing import CliRunner, Result
from sqlalchemy.engine import URL

from assistant.config import Config, load_config

JOBCENTER = "jobcenter@kommune.example"
ECONOMY = "okonomi@kommune.example"
CONSULTANTS = "konsulenter@kommune.example"

# Reminders depend on today's date; the test_followup.py files fix the clock.
FOLLOWUP_OFF = "[followup]\nenabled = false\n"


def database(db_url: URL) -> str:
    return f'[database]\nurl = "{db_url.render_as_string(hide_password=False)}"\n'


def outbox(tmp_path: Path) -> str:
    """Outgoing mail as .eml files in ``tmp_path / "outbox"``."""
    return f'[outbox]\ndirectory = "{tmp_path / "outbox"}"\n'


def jobcenter(address: str | None = JOBCENTER) -> str:
    """The jobcenter's addresses; ``address=None`` leaves the jobcenter's own the default."""
    own = f'address = "{address}"\n' if address else ""
    return f'[jobcenter]\n{own}economy_group = "{ECONOMY}"\nconsultants = "{CONSULTANTS}"\n'


def written_config(path: Path, *sections: str) -> Config:
    """Write the sections to ``path`` and load it as the service would (no environment)."""
    path.write_text("".join(sections), encoding="utf-8")
    return load_config(path, env={})


def invoker(group: click.Command, config_path: Path) -> Callable[..., Result]:
    """``invoke(*args)`` runs ``group ARGS... --config <config_path>`` in-process."""

    def invoke(*args: str, config_path: Path = config_path) -> Result:
        return CliRunner().invoke(group, [*args, "--config", str(config_path)])

    return invoke


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output
