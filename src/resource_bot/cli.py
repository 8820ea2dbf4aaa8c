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


@main.command("import-hsds")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the YAML files and import-report.txt; must hold no .yaml files yet.")
@click.option("--source", "source_url", help="Page to cite as `source` for records without a url of their own.")
@click.option("--area", "default_area",
              help='Area for services whose own cannot be placed: "national", a state, "Harris County, TX".')
@click.option("--no-matcher", is_flag=True, help="Do not guess topics from names and descriptions.")
def import_hsds_command(path: Path, out_dir: Path, source_url: str | None, default_area: str | None,
                        no_matcher: bool) -> None:
    """Import an Open Referral HSDS 3 package into YAML files that `validate` accepts.

    PATH is a folder of HSDS CSV files (with datapackage.json or without) or an
    HSDS JSON file. Taxonomy terms become topics through taxonomy_map.yaml;
    everything that could not be mapped is listed, with the reason, in
    OUT/import-report.txt. Review the files before moving them into data/.

    \b
    Example:
      resource-bot import-hsds hsds-export/ --out imported/
      resource-bot import-hsds services.json --out imported/ --area "Harris County, TX"
    """
    import datetime as dt

    from resource_bot.directory.hsds import REPORT_NAME, ImportOptions, PackageError, import_hsds
    from resource_bot.directory.places import NATIONAL, resolve_place_name

    if out_dir.is_dir() and any(out_dir.glob("*.yaml")):
        raise click.ClickException(f"{out_dir} already has .yaml files; choose an empty folder for the import.")
    area = None
    if default_area:
        area = NATIONAL if default_area.strip().casefold() == "national" else resolve_place_name(default_area)
        if area is None:
            raise click.ClickException(f"--area {default_area!r} is not a place the bot knows; "
                                       'try "national", "Texas", "Harris County, TX" or "Austin, TX".')
    matcher = None
    if not no_matcher:
        from resource_bot.dialog.matcher import NeedMatcher
        from resource_bot.paths import conversations_dir

        matcher = NeedMatcher.from_directory(conversations_dir(), [])
    options = ImportOptions(today=dt.date.today(), source=source_url, default_area=area)
    try:
        report = import_hsds(path, out_dir, options, matcher=matcher)
    except PackageError as exc:
        raise click.ClickException(f"{exc}\nPoint PATH at the package folder or its .json file.") from None
    click.echo(report.summary())
    click.echo(f"Wrote {len(report.files_written)} file(s) to {out_dir}; "
               f"read {out_dir / REPORT_NAME} before review, then `resource-bot validate {out_dir}`.")


@main.command("export-hsds")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@pass_context
def export_hsds_command(ctx: Context, out_dir: Path) -> None:
    """Write the directory as an Open Referral HSDS 3 data package (CSV files + datapackage.json).

    Exports the data folder (or --data). Fields HSDS has no column for, like
    topics, Spanish text and SMS keywords, travel as `resource-bot` attributes,
    so `import-hsds` reads the package back unchanged.

    \b
    Example:
      resource-bot export-hsds hsds-export/
      resource-bot --data tests/fixtures export-hsds /tmp/hsds
    """
    from resource_bot.directory.hsds import export_hsds
    from resource_bot.directory.validate import validate_paths

    result = validate_paths([ctx.settings.data_dir])
    for problem in result.problems:
        click.echo(str(problem), err=True)
    if result.problems:
        click.echo(f"{len(result.problems)} problem(s) found; nothing exported. Fix them and try again.", err=True)
        sys.exit(1)
    exported = export_hsds(result, out_dir)
    for note in exported.notes:
        click.echo(note, err=True)
    click.echo(f"Exported {len(result.services)} services as HSDS to {out_dir}.")
