"""The ``assistant`` command. Each command lives in ``assistant/commands/``."""

from __future__ import annotations

import click

from assistant.commands.parse import parse


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="smajob-assistant")
def cli() -> None:
    """The småjob assistant: reads refund claims for jobs in a few paid hours."""


cli.add_command(parse)


def main() -> None:
    cli(prog_name="assistant")
