"""The ``assistant`` command. Each command lives in ``assistant/commands/``."""

from __future__ import annotations

from pathlib import Path

import click

from assistant.commands.claims import claims, export, reprocess
from assistant.commands.common import CONFIG_HELP, GROUP_CONFIG
from assistant.commands.followup import followup
from assistant.commands.intakes import chat, intakes, invite
from assistant.commands.parse import parse
from assistant.commands.register import employments, pool, workplaces
from assistant.commands.run import run
from assistant.commands.web import staff_group, web
from assistant.commands.where import where


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="smajob-assistant")
@click.option("--config", "config_path", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path), default=None, help=CONFIG_HELP)
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """The småjob assistant: refund claims and job intake for jobs in a few paid hours.

    `assistant where` shows the config file, database and outbox in use.
    """
    ctx.meta[GROUP_CONFIG] = config_path


for command in (run, parse, workplaces, employments, pool, claims, reprocess, export,
                invite, intakes, chat, where, followup, web, staff_group):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="assistant")
