"""``assistant where``: which config file, data directory, database and outbox are used."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.engine import make_url

from assistant.commands.common import config_path_given, read_config, with_config_path
from assistant.config import CONFIG_ENV, locate


@click.command()
@with_config_path
def where(config_path: Path | None) -> None:
    """Show the config file, the data directory, the database and the outbox in use."""
    config = read_config(config_path)
    found = locate(config_path_given(config_path))
    if found.config_file is None:
        click.echo(f"config file:    none: the built-in defaults (pass --config FILE or set "
                   f"{CONFIG_ENV})")
    else:
        click.echo(f"config file:    {found.config_file}")
    click.echo(f"data directory: {found.home} ({found.home_reason})")
    shown = make_url(config.database.url).render_as_string(hide_password=True)
    click.echo(f"database:       {shown}")
    if config.outbox.mode == "directory":
        click.echo(f"outbox:         {config.outbox.directory}")
    else:
        click.echo(f"outbox:         SMTP relay {config.outbox.smtp.host}:"
                   f"{config.outbox.smtp.port}")
