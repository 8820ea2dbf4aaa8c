"""What every command shares: the Context (data folder, settings, clock) and the one-line errors.

A command takes ``ctx: Context`` through ``@pass_context``; for the database it calls
``open_database(ctx)``, and for the directory the bot serves ``served_directory(ctx, engine)``.
A database failure under any command becomes one line through ``database_trouble`` (group.py).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from resource_bot.clock import Clock, system_clock, utc_today
from resource_bot.config import ConfigError, Settings, load_settings
from resource_bot.db import DatabaseFileError
from resource_bot.directory.entries import Problem, count_problems

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from resource_bot.runtime import Runtime


class Context:
    """What every command shares: the data folder, settings read once, and the clock.

    Tests pass their own as ``CliRunner().invoke(main, args, obj=Context(clock=fixed_clock(day)))``;
    the dates commands stamp and compare then come from that clock, so results hold on any day.
    """

    def __init__(self, data: Path | None = None, *, clock: Clock = system_clock) -> None:
        self.data = data
        self.clock = clock
        self._settings: Settings | None = None

    def today(self) -> dt.date:
        return utc_today(self.clock)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(data=self.data)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
        return self._settings

    def runtime(self, *, bot_username: str | None = None) -> Runtime:
        """The database, directory and engine; loads the bundled directory on first run.

        ``bot_username``: the Telegram bot's, for share links (default: BOT_USERNAME, if set).
        """
        from resource_bot.dialog.danger import DangerFileError
        from resource_bot.runtime import DirectoryError, open_runtime

        try:
            runtime = open_runtime(self.settings, bot_username=bot_username)
        except DirectoryError as exc:
            hint = "Fix these with `resource-bot validate`, then try again."
            raise click.ClickException(f"{exc}\n{hint}") from None
        except DangerFileError as exc:  # the bot never starts without its danger rules
            hint = "The comment at the top of that file explains the format; fix it, then try again."
            raise click.ClickException(f"{exc}\n{hint}") from None
        for warning in runtime.warnings:
            click.echo(f"Warning: {warning}", err=True)
        return runtime


def database_trouble(url: str, exc: Exception) -> click.ClickException:
    """One line for a database that cannot be reached or used: where (no password), why, what to do."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, DatabaseFileError):
        return click.ClickException(f"{exc}; point DATABASE_URL at a folder this user may write, then try again.")
    where = make_url(url).render_as_string(hide_password=True)
    if isinstance(exc, PoolTimeout):
        reason = "no free connection"
    else:
        cause = exc.orig if isinstance(exc, DBAPIError) else exc
        first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        # The address is in the line already; keep the driver's reason only.
        reason = _DRIVER_PREFIX.sub("", " ".join(first.split()))
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeout)):
        return click.ClickException(
            f"The database at {where} did not answer ({reason}); check that it is running and that "
            "DATABASE_URL is right, then try again."
        )
    return click.ClickException(
        f"The database at {where} refused the work ({reason}); check that DATABASE_URL's user may "
        "create and change tables there, or run `resource-bot db upgrade`, then try again."
    )


pass_context = click.make_pass_decorator(Context)

#: psycopg's "connection failed: connection to server at "h", port p failed: FATAL: " before the reason.
_DRIVER_PREFIX = re.compile(r"^(connection failed: )?(connection to server at .*? failed: )?(FATAL: )?")


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal's stderr; nothing at all in a pipe."""
    if not sys.stderr.isatty():
        yield lambda _n: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


def stop_on_problems(problems: Sequence[Problem], advice: str) -> None:
    """Print each problem as file:line, then how many there were and what to do; exit 1. Nothing when none."""
    if not problems:
        return
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"{count_problems(problems)} problem(s) found{advice}", err=True)
    sys.exit(1)


def data_paths(ctx: Context, paths: tuple[Path, ...]) -> list[Path]:
    return list(paths) or [ctx.settings.data_dir]


def served_directory(ctx: Context, engine: Engine) -> None:
    """The directory the bot serves is the database's (filled from the data folder when empty),
    as for every command but `load`; a warning when the data folder differs from it."""
    from resource_bot.runtime import DirectoryError, ensure_directory

    try:
        warning = ensure_directory(ctx.settings, engine)
    except DirectoryError as exc:
        raise click.ClickException(f"{exc}\nFix these with `resource-bot validate`, then try again.") from None
    if warning:
        click.echo(f"Warning: {warning}", err=True)


def open_database(ctx: Context) -> Engine:
    """The configured database at the current schema (a failure is one line: see group.py)."""
    from resource_bot.db import create_schema, make_engine

    engine = make_engine(ctx.settings.database_url)
    create_schema(engine)
    return engine
