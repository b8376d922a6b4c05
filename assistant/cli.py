"""The ``assistant`` command. Each command lives in ``assistant/commands/``."""

from __future__ import annotations

import click

from assistant.commands.claims import claims, export, reprocess
from assistant.commands.intakes import chat, intakes, invite
from assistant.commands.parse import parse
from assistant.commands.register import employments, pool, workplaces
from assistant.commands.run import run
from assistant.commands.web import staff_group, web


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="smajob-assistant")
def cli() -> None:
    """The småjob assistant: refund claims and job intake for jobs in a few paid hours."""


for command in (run, parse, workplaces, employments, pool, claims, reprocess, export,
                invite, intakes, chat, web, staff_group):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="assistant")
