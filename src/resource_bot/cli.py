"""The ``resource-bot`` command: thin click commands over the library.

Each command's help ends with an example; each error says what to do next.
Commands that take more than a second show progress on a terminal and stay
quiet in a pipe.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from resource_bot.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from resource_bot.runtime import Runtime


class Context:
    def __init__(self, data: Path | None) -> None:
        self.data = data
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(data=self.data)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
        return self._settings

    def runtime(self) -> Runtime:
        """The database, directory and engine; loads the bundled directory on first run."""
        from resource_bot.runtime import DirectoryError, open_runtime

        try:
            return open_runtime(self.settings)
        except DirectoryError as exc:
            hint = "Fix these with `resource-bot validate`, then try again."
            raise click.ClickException(f"{exc}\n{hint}") from None


pass_context = click.make_pass_decorator(Context)


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on a terminal's stderr; nothing at all in a pipe."""
    if not sys.stderr.isatty():
        yield lambda _n: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    ctx.obj = Context(data)


@main.command()
@click.option(
    "--lang", type=click.Choice(["en", "es"]), default="en", show_default=True, help="Language of the chat."
)
@pass_context
def chat(ctx: Context, lang: str) -> None:
    """Chat with the bot in this terminal, over the bundled directory.

    Buttons show as numbers: type a number to press one, or type a few words.
    /exit or end of input leaves. Works in a pipe too.

    \b
    Example:
      resource-bot chat --lang es
      echo "human trafficking" | resource-bot chat
    """
    from resource_bot.channels.terminal import TerminalChat

    runtime = ctx.runtime()
    TerminalChat(runtime.dialog, sys.stdout, lang=lang, is_tty=sys.stdin.isatty()).run(sys.stdin.readline)


def _telegram_runtime(ctx: Context) -> Runtime:
    """Check the token first (one line on how to get one), then open the database and directory."""
    import logging

    try:
        ctx.settings.require_token()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines would show the token
    return ctx.runtime()


@main.command()
@pass_context
def poll(ctx: Context) -> None:
    """Run the Telegram bot with long polling (one process; no public address needed).

    Needs TELEGRAM_BOT_TOKEN. TELEGRAM_BASE_URL points it at another Bot API
    server. Stop it with Ctrl-C.

    \b
    Example:
      TELEGRAM_BOT_TOKEN=123456:ABC... resource-bot poll
      DATABASE_URL=postgresql://localhost/bot TELEGRAM_BOT_TOKEN=... resource-bot poll
    """
    from resource_bot.channels.telegram.app import ALLOWED_UPDATES, build_application

    application = build_application(_telegram_runtime(ctx))
    application.run_polling(allowed_updates=ALLOWED_UPDATES)


@main.command()
@pass_context
def webhook(ctx: Context) -> None:
    """Run the Telegram bot as a webhook server on PORT (several processes may share one bot).

    Needs TELEGRAM_BOT_TOKEN, WEBHOOK_URL (the public https:// address Telegram
    calls) and WEBHOOK_SECRET. Registers WEBHOOK_URL with Telegram at start;
    GET /healthz says whether the database answers.

    \b
    Example:
      WEBHOOK_URL=https://bot.example.org/telegram WEBHOOK_SECRET=s3cret_value \\
        TELEGRAM_BOT_TOKEN=123456:ABC... PORT=8080 resource-bot webhook
    """
    import uvicorn

    from resource_bot.channels.telegram.webhook import build_webhook_app

    runtime = _telegram_runtime(ctx)
    try:
        app = build_webhook_app(runtime)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    uvicorn.run(app, host="0.0.0.0", port=runtime.settings.port, access_log=False, log_level="info")


def _paths(ctx: Context, paths: tuple[Path, ...]) -> list[Path]:
    return list(paths) or [ctx.settings.data_dir]


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@pass_context
def validate(ctx: Context, paths: tuple[Path, ...]) -> None:
    """Check directory YAML files; print every problem as file:line.

    Exit status 1 when any problem is found. With no PATH, checks the data folder.

    \b
    Example:
      resource-bot validate data/
      resource-bot validate data/legal.yaml
    """
    from resource_bot.directory.validate import validate_paths

    result = validate_paths(_paths(ctx, paths))
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if result.problems:
        click.echo(f"{len(result.problems)} problem(s) found. Fix them and run validate again.", err=True)
        sys.exit(1)
    click.echo(f"OK: {len(result.services)} services in {len(result.files)} file(s).")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@pass_context
def load(ctx: Context, paths: tuple[Path, ...]) -> None:
    """Validate, then replace the whole directory in the database in one step.

    If any file has a problem, nothing changes: the bot keeps serving the
    directory it had. Uses DATABASE_URL (default: the embedded SQLite file).

    \b
    Example:
      resource-bot load
      DATABASE_URL=postgresql://localhost/bot resource-bot load data/
    """
    from resource_bot.db import make_engine
    from resource_bot.directory.load import replace_directory
    from resource_bot.directory.validate import validate_paths

    result = validate_paths(_paths(ctx, paths))
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if result.problems:
        click.echo(
            f"{len(result.problems)} problem(s) found; the directory was not changed. "
            "Fix them and run load again.",
            err=True,
        )
        sys.exit(1)
    engine = make_engine(ctx.settings.database_url)
    with progress(len(result.services), "Loading services") as step:
        replace_directory(engine, result.organizations, result.services, result.files, step)
    click.echo(f"Loaded {len(result.services)} services from {len(result.files)} file(s).")


@main.command()
@click.argument("text", nargs=-1)
@click.option(
    "--lang", type=click.Choice(["en", "es"]), default="en", show_default=True, help="The asker's language."
)
@click.option("--zip", "zip_code", metavar="ZIP", help="Only services serving this ZIP code (or nationwide).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per request, one per line.")
@pass_context
def ask(ctx: Context, text: tuple[str, ...], lang: str, zip_code: str | None, as_json: bool) -> None:
    """Show what the bot's need matcher makes of a typed request.

    For maintainers tuning the keyword files in conversations/keywords/.
    With no TEXT, reads one request per line from standard input.

    \b
    Example:
      resource-bot ask need lawer
      resource-bot ask --lang es --zip 77002 mi jefe no me paga
      printf 'wage theft\\nfoood\\n' | resource-bot ask --json
    """
    from resource_bot.asking import answer, format_answer
    from resource_bot.directory.places import place_from_zip

    place = None
    if zip_code is not None:
        place = place_from_zip(zip_code)
        if place is None:
            raise click.BadParameter(
                f"{zip_code!r} is not a US ZIP code; give five digits like 77002.", param_hint="--zip"
            )
    runtime = ctx.runtime()
    requests = [" ".join(text)] if text else (line.rstrip("\n") for line in sys.stdin)
    for request in requests:
        if not request.strip():
            continue
        result = answer(runtime.dialog, request, lang, place)
        click.echo(format_answer(result, as_json=as_json))
