"""The database schema: ``db upgrade``."""

from __future__ import annotations

import click

from resource_bot.cli.context import Context, pass_context


@click.group()
def db() -> None:
    """Look after the database schema (DATABASE_URL, default: the embedded SQLite file).

    \b
    Example:
      resource-bot db upgrade
    """


@db.command("upgrade")
@pass_context
def db_upgrade(ctx: Context) -> None:
    """Bring the database to the current schema, keeping every row.

    Safe to run any time: a current database is left alone. The bot also does
    this at startup, so you need it only to upgrade before a deploy.

    \b
    Example:
      DATABASE_URL=postgresql://localhost/bot resource-bot db upgrade
    """
    from resource_bot.db import make_engine
    from resource_bot.migrations import ensure_current

    done = ensure_current(make_engine(ctx.settings.database_url))
    messages = {
        "current": f"The database is already at revision {done.after} (current); nothing to do.",
        "upgraded": f"Upgraded the database from revision {done.before} to {done.after}.",
        "created": f"Created the database at revision {done.after}.",
        "adopted": f"Adopted a database made before migrations and brought it to revision {done.after}.",
    }
    click.echo(messages[done.how])
