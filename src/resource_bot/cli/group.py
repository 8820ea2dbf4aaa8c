"""The ``resource-bot`` group itself: the --data option, and one line for any database failure."""

from __future__ import annotations

from pathlib import Path

import click

from resource_bot.cli.context import Context, database_trouble
from resource_bot.config import load_settings
from resource_bot.db import DatabaseFileError


class _Commands(click.Group):
    """The command group; a database that fails under any command is one line, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return super().invoke(ctx)
        except (SQLAlchemyError, DatabaseFileError) as exc:
            settings = ctx.obj.settings if isinstance(ctx.obj, Context) else load_settings()
            raise database_trouble(settings.database_url, exc) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="RESOURCE_BOT_DATA",
    help="Folder of directory YAML files (default: the bundled data/).",
)
@click.version_option(package_name="resource-bot")
@click.pass_context
def main(ctx: click.Context, data: Path | None) -> None:
    """resource-bot: help people reach hotlines and local services.

    \b
    Try it without Telegram:
      resource-bot chat
    """
    if isinstance(ctx.obj, Context):  # handed in by a test, with its own clock
        ctx.obj.data = data
    else:
        ctx.obj = Context(data)
