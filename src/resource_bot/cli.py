"""The ``resource-bot`` command: thin click commands over the library.

Each command's help ends with an example; each error says what to do next.
Commands that take more than a second show progress on a terminal and stay
quiet in a pipe.
"""

from __future__ import annotations

import datetime as dt
import os
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

    def runtime(self) -> Runtime:
        """The database, directory and engine; loads the bundled directory on first run."""
        from resource_bot.dialog.danger import DangerFileError
        from resource_bot.runtime import DirectoryError, open_runtime

        try:
            runtime = open_runtime(self.settings)
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


class _Commands(click.Group):
    """The command group; a database that fails under any command is one line, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return super().invoke(ctx)
        except (SQLAlchemyError, DatabaseFileError) as exc:
            settings = ctx.obj.settings if isinstance(ctx.obj, Context) else load_settings()
            raise database_trouble(settings.database_url, exc) from None


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


@main.command()
@click.option("--lang", type=click.Choice(["en", "es"]), default="en", show_default=True, help="Language of the chat.")
@pass_context
def chat(ctx: Context, lang: str) -> None:
    """Chat with the bot in this terminal, over the directory in the database.

    Buttons show as numbers: type a number to press one, or type a few words.
    /exit or end of input leaves. Works in a pipe too. Like any channel, it
    keeps anonymous counts (see `stats`) and listing reports (see `feedback`).

    \b
    Example:
      resource-bot chat --lang es
      echo "human trafficking" | resource-bot chat
    """
    from sqlalchemy.exc import SQLAlchemyError

    from resource_bot.channels.terminal import TerminalChat
    from resource_bot.dialog.events import Outcome
    from resource_bot.feedback import session_report_token

    runtime = ctx.runtime()
    # Counts and listing reports are kept as on Telegram, so `stats` and `feedback` show them.
    token = session_report_token()

    def record(outcome: Outcome) -> None:
        try:
            runtime.record(outcome, report_token=token)
        except SQLAlchemyError as exc:  # the person still gets their answer; the maintainer hears why
            click.echo(f"(Not saved: {database_trouble(runtime.settings.database_url, exc).message})", err=True)

    chat = TerminalChat(runtime.dialog, sys.stdout, lang=lang, is_tty=sys.stdin.isatty(), record=record)
    chat.run(sys.stdin.readline)


def _telegram_runtime(ctx: Context, *, webhook: bool) -> Runtime:
    """Check the token and STATE_SECRET first (one line on how to get each), then open the database."""
    from resource_bot.logs import setup_logging

    try:
        ctx.settings.require_token()
        ctx.settings.state_secret_for(webhook=webhook)
        setup_logging()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    return ctx.runtime()


@main.command()
@pass_context
def poll(ctx: Context) -> None:
    """Run the Telegram bot with long polling (one process; no public address needed).

    Needs TELEGRAM_BOT_TOKEN; with a PostgreSQL DATABASE_URL also STATE_SECRET
    (the key that hides chat ids). TELEGRAM_BASE_URL points it at another Bot
    API server. LOG_LEVEL=DEBUG shows more (never what people wrote). Stop it
    with Ctrl-C.

    \b
    Example:
      TELEGRAM_BOT_TOKEN=123456:ABC... resource-bot poll
      DATABASE_URL=postgresql://localhost/bot STATE_SECRET=... TELEGRAM_BOT_TOKEN=... resource-bot poll
    """
    from resource_bot.channels.telegram.app import ALLOWED_UPDATES, build_application

    application = build_application(_telegram_runtime(ctx, webhook=False))
    application.run_polling(allowed_updates=ALLOWED_UPDATES)


@main.command()
@pass_context
def webhook(ctx: Context) -> None:
    """Run the Telegram bot as a webhook server on PORT (several processes may share one bot).

    Needs TELEGRAM_BOT_TOKEN, WEBHOOK_URL (the public https:// address Telegram
    calls), WEBHOOK_SECRET and STATE_SECRET (the key that hides chat ids; make
    one with: python -c "import secrets; print(secrets.token_hex(32))"). Registers WEBHOOK_URL with Telegram at start;
    GET /healthz says whether the database answers.

    \b
    Example:
      WEBHOOK_URL=https://bot.example.org/telegram WEBHOOK_SECRET=s3cret_value STATE_SECRET=... \\
        TELEGRAM_BOT_TOKEN=123456:ABC... PORT=8080 resource-bot webhook
    """
    import uvicorn

    from resource_bot.channels.telegram.serving import server_config
    from resource_bot.channels.telegram.webhook import build_webhook_app

    runtime = _telegram_runtime(ctx, webhook=True)
    try:
        app = build_webhook_app(runtime)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    # Bounded header time, keep-alive and concurrency (serving.py); run it behind a reverse proxy.
    uvicorn.Server(server_config(app, port=runtime.settings.port)).run()


# The web chat and every other door in one server; the command lives with the channel.
from resource_bot.channels.web.command import web as _web  # noqa: E402

main.add_command(_web)


def _stop_on_problems(problems: Sequence[Problem], advice: str) -> None:
    """Print each problem as file:line, then how many there were and what to do; exit 1. Nothing when none."""
    if not problems:
        return
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"{count_problems(problems)} problem(s) found{advice}", err=True)
    sys.exit(1)


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

    result = validate_paths(_paths(ctx, paths), today=ctx.today())
    _stop_on_problems(result.problems, ". Fix them and run validate again.")
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

    result = validate_paths(_paths(ctx, paths), today=ctx.today())
    _stop_on_problems(result.problems, "; the directory was not changed. Fix them and run load again.")
    engine = make_engine(ctx.settings.database_url)
    with progress(len(result.services), "Loading services") as step:
        replace_directory(engine, result.organizations, result.services, result.files, step)
    click.echo(f"Loaded {len(result.services)} services from {len(result.files)} file(s).")


@main.command()
@click.argument("text", nargs=-1)
@click.option("--lang", type=click.Choice(["en", "es"]), default="en", show_default=True, help="The asker's language.")
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


@main.group()
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


def _served_directory(ctx: Context, engine: Engine) -> None:
    """The directory the bot serves is the database's (filled from the data folder when empty),
    as for every command but `load`; a warning when the data folder differs from it."""
    from resource_bot.runtime import DirectoryError, ensure_directory

    try:
        warning = ensure_directory(ctx.settings, engine)
    except DirectoryError as exc:
        raise click.ClickException(f"{exc}\nFix these with `resource-bot validate`, then try again.") from None
    if warning:
        click.echo(f"Warning: {warning}", err=True)


def _engine(ctx: Context) -> Engine:
    """The configured database at the current schema (a failure is one line: see _Commands)."""
    from resource_bot.db import create_schema, make_engine

    engine = make_engine(ctx.settings.database_url)
    create_schema(engine)
    return engine


_TOPIC_HELP = "Topic id the link opens, like legal or legal.record_relief (see: resource-bot topics)."
_ZIP_HELP = "Five-digit ZIP code the chat opens set to (local help first where listed)."
_SOURCE_HELP = (
    "Anonymous tag counted in `resource-bot stats` once listed (resource-bot sources add), like clinic4. "
    "Never a person's name."
)


_WEB_HELP = "Open the web chat at URL instead of Telegram; --web alone uses PUBLIC_URL."


def _share_options(command: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(
        [
            click.option("--topic", required=True, help=_TOPIC_HELP),
            click.option("--lang", type=click.Choice(["en", "es"]), help="Language the chat opens in."),
            click.option("--zip", "zip_code", metavar="ZIP", help=_ZIP_HELP),
            click.option("--source", metavar="TAG", help=_SOURCE_HELP),
            click.option("--web", metavar="URL", is_flag=False, flag_value="", help=_WEB_HELP),
        ]
    ):
        command = option(command)
    return command


def _share_link(
    ctx: Context,
    topic: str,
    lang: str | None,
    zip_code: str | None,
    source: str | None,
    *,
    discreet: bool = False,
    web: str | None = None,
) -> str:
    """The link, checked; a ``discreet`` one opens the main menu, so that its printed text names no topic."""
    from resource_bot.dialog.deeplink import DeepLink
    from resource_bot.dialog.menus import Menus
    from resource_bot.paths import conversations_dir
    from resource_bot.sharing import SharingError, check_topic, share_link, web_chat_address

    menus = Menus.from_dir(conversations_dir())
    link = DeepLink(topic=None if discreet else topic, lang=lang, zip=zip_code, source=source)
    try:
        check_topic(topic, menus)
        url = share_link(ctx.settings, link, menus, web=web_chat_address(web, os.environ))
    except SharingError as exc:
        raise click.ClickException(str(exc)) from None
    if source:
        click.echo(
            f'Visits are counted as "{source}" once it is listed (resource-bot sources add {source}); '
            'until then as "other".',
            err=True,
        )
    return url


@main.command()
def topics() -> None:
    """List every topic id, with its name in each language of the menus.

    Use the id with link, flyer, and in the directory's `topics:` lists.

    \b
    Example:
      resource-bot topics
      resource-bot link --topic legal.record_relief --lang es
    """
    from resource_bot.dialog.menus import Menus
    from resource_bot.directory.topics import parent_of, walk
    from resource_bot.paths import conversations_dir

    menus = Menus.from_dir(conversations_dir())
    ids = list(walk())
    width = max(len(topic) for topic in ids) + 4
    # The menus' labels start with an emoji for the buttons; a list reads better without it.
    names = {lang: {t: re.sub(r"^\W+", "", menus.label(lang, t)) for t in ids} for lang in menus.codes}
    name_width = max(len(name) for name in names[menus.codes[0]].values()) + 2
    heading = "topic id".ljust(width) + "".join(menus.name(lang).ljust(name_width) for lang in menus.codes)
    click.echo(heading.rstrip())
    for topic in ids:
        shown = ("  " if parent_of(topic) else "") + topic
        row = shown.ljust(width) + "".join(names[lang][topic].ljust(name_width) for lang in menus.codes)
        click.echo(row.rstrip())


@main.command()
@_share_options
@click.option("--qr", type=click.Path(dir_okay=False, path_type=Path), help="Also write a QR code: FILE.png or .svg.")
@pass_context
def link(
    ctx: Context,
    topic: str,
    lang: str | None,
    zip_code: str | None,
    source: str | None,
    web: str | None,
    qr: Path | None,
) -> None:
    """Print a link that opens the bot at a topic, area and language; optionally a QR code.

    The bot's username comes from BOT_USERNAME, or from Telegram when
    TELEGRAM_BOT_TOKEN is set. Only the link goes to standard output.

    \b
    Example:
      BOT_USERNAME=resource_help_bot resource-bot link --topic legal.record_relief --lang es --zip 77002
      resource-bot link --topic trafficking --source clinic4 --qr clinic4.png
      resource-bot link --topic trafficking --lang es --web https://help.example.org
    """
    url = _share_link(ctx, topic, lang, zip_code, source, web=web)
    click.echo(url)
    if qr is not None:
        from resource_bot.sharing import SharingError, write_qr

        try:
            write_qr(url, qr)
        except SharingError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Wrote the QR code to {qr}. Print it at least 3 cm (1.2 in) wide.", err=True)


@main.command()
@_share_options
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.pdf or FILE.png.")
@click.option("--clinic-name", metavar="NAME", help='Your clinic\'s name, printed as "Questions? Talk to us: ...".')
@click.option("--clinic-phone", metavar="NUMBER", help="Your clinic's own phone number, printed at the bottom.")
@click.option("--discreet", is_flag=True, help="A headline and link that name no topic, for walls others read too.")
@pass_context
def flyer(
    ctx: Context,
    topic: str,
    lang: str | None,
    zip_code: str | None,
    source: str | None,
    web: str | None,
    out: Path,
    clinic_name: str | None,
    clinic_phone: str | None,
    discreet: bool,
) -> None:
    """Make a one-page printable flyer (US Letter): QR code, link, and hotline numbers written out.

    For a waiting room or a clinic. Numbers come from the directory the bot
    serves (the database); people who will not scan anything can still call.
    --clinic-name and --clinic-phone add your own name and number. --discreet
    gives a headline ("Need someone to talk to?") and a link (to the main menu)
    that do not name the topic; the hotlines keep their names. A PDF holds real
    text; a PNG is a 300 dpi picture.

    \b
    Example:
      resource-bot flyer --topic trafficking --lang es --source clinic4 --out flyer-es.pdf
      resource-bot flyer --topic trafficking --discreet --clinic-name "Riverside Clinic" \\
        --clinic-phone 713-555-0100 --out flyer.pdf
    """
    from resource_bot.dialog.menus import Menus
    from resource_bot.directory.catalog_db import read_catalog
    from resource_bot.flyer import FlyerError, clinic_line, flyer_content, render_flyer, save_flyer
    from resource_bot.paths import conversations_dir

    try:
        clinic = clinic_line(clinic_name, clinic_phone)
    except FlyerError as exc:
        raise click.ClickException(f"Cannot make the flyer: {exc}.") from None
    url = _share_link(ctx, topic, lang, zip_code, source, discreet=discreet, web=web)
    engine = _engine(ctx)
    _served_directory(ctx, engine)  # the numbers the bot gives are the numbers printed
    catalog = read_catalog(engine)
    menus = Menus.from_dir(conversations_dir())
    try:
        content = flyer_content(
            topic, lang or "en", url, catalog, menus, zip_code=zip_code, clinic=clinic, discreet=discreet
        )
        made = render_flyer(content, menus)
        save_flyer(made, out)
    except FlyerError as exc:
        raise click.ClickException(f"Cannot make the flyer: {exc}.") from None
    click.echo(f"Wrote {out}: {content.title}, {made.numbers_shown} numbers, link {url}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--days", type=click.IntRange(min=1), default=180, show_default=True, help="Stale after this.")
@pass_context
def stale(ctx: Context, paths: tuple[Path, ...], days: int) -> None:
    """List entries whose `verified:` date is older than --days, oldest first, as file:line.

    Exit status 1 when any is found (or a file has problems), so it can run in
    CI or a weekly cron job. With no PATH, checks the data folder.

    \b
    Example:
      resource-bot stale
      resource-bot stale --days 365 data/legal.yaml
    """
    from resource_bot.maintenance import stale_entries

    report = stale_entries(_paths(ctx, paths), days=days, today=ctx.today())
    for entry in report.entries:
        click.echo(str(entry))
    for problem in report.problems:
        click.echo(str(problem), err=True)
    if report.problems:
        click.echo(f"{count_problems(report.problems)} problem(s); run `resource-bot validate` and fix them.", err=True)
    if report.entries:
        click.echo(
            f"{len(report.entries)} {'entry' if len(report.entries) == 1 else 'entries'} not verified "
            f"in {days} days. "
            "Check each against its `source` page, update `verified:`, then run stale again.",
            err=True,
        )
    if report.entries or report.problems:
        sys.exit(1)
    click.echo(f"OK: every entry was verified in the last {days} days.")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--state", "states", multiple=True, metavar="XX", help="Only these states (repeat for more).")
@pass_context
def coverage(ctx: Context, paths: tuple[Path, ...], states: tuple[str, ...]) -> None:
    """Print a states x topics table of what the directory holds, to see the gaps.

    The first row counts national services (they show everywhere); each state's
    row counts the local services there, with "." where there are none. With
    no PATH, reads the data folder.

    \b
    Example:
      resource-bot coverage
      resource-bot coverage --state TX --state MT data/
    """
    from resource_bot.directory.catalog import listing_from_entry
    from resource_bot.directory.coverage import STATES, coverage_of, format_table
    from resource_bot.directory.validate import validate_paths

    wanted = tuple(s.strip().upper() for s in states)
    if unknown := [s for s in wanted if s not in STATES]:
        raise click.BadParameter(
            f"{', '.join(unknown)} is not a US state code; use two letters like TX.", param_hint="--state"
        )
    result = validate_paths(_paths(ctx, paths), today=ctx.today())
    _stop_on_problems(result.problems, ". Fix them with `resource-bot validate` first.")
    listings = (listing_from_entry(e) for e in result.services if e.status == "active")
    click.echo(format_table(coverage_of(listings), wanted or STATES))


@main.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "include_done", is_flag=True, help="Also list reports already marked done.")
@click.option("--done", is_flag=True, help="Mark the report IDs given as done.")
@pass_context
def feedback(ctx: Context, ids: tuple[int, ...], include_done: bool, done: bool) -> None:
    """List "report a problem" reports per listing, or mark them done.

    Each listing shows its name, file:line, and the report ids per reason.
    Fix the entry, `resource-bot load`, then mark its reports done.

    \b
    Example:
      resource-bot feedback
      resource-bot feedback --done 12 15
    """
    from resource_bot.feedback import list_reports, mark_done
    from resource_bot.maintenance import feedback_by_listing

    engine = _engine(ctx)
    if done or ids:
        if not (done and ids):
            hint = "Give --done and the report ids, like: resource-bot feedback --done 12 15"
            raise click.ClickException(hint)
        known = {report.id: report for report in list_reports(engine, include_done=True)}
        marked = mark_done(engine, ids, today=ctx.today())
        click.echo(f"Marked {marked} report(s) done.")
        if already := sorted({i for i in ids if i in known and known[i].done_on is not None}):
            click.echo(f"Already done before: {', '.join(map(str, already))}.", err=True)
        if unknown := sorted({i for i in ids if i not in known}):
            raise click.ClickException(
                f"No report has the id{'s' if len(unknown) > 1 else ''} {', '.join(map(str, unknown))}; "
                f"nothing was marked for {'them' if len(unknown) > 1 else 'it'}. "
                "See every report id with: resource-bot feedback --all"
            )
        return
    _served_directory(ctx, engine)
    groups = feedback_by_listing(engine, include_done=include_done)
    if not groups:
        click.echo("No open reports." if not include_done else "No reports.")
        return
    for group in groups:
        click.echo("\n".join(group.lines()))
    total = sum(len(g.open) for g in groups)
    click.echo(f"{total} open report(s) on {sum(1 for g in groups if g.open)} listing(s).", err=True)


@main.command()
@click.option("--days", type=click.IntRange(1, 3660), default=30, show_default=True, help="Days to cover.")
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), help="Also draw a chart: FILE.png.")
@pass_context
def stats(ctx: Context, days: int, chart: Path | None) -> None:
    """Print anonymous usage counts: totals by kind and value, then one line per day for each kind.

    Counts only: no chat ids, no text. Use --chart for a picture to share.

    \b
    Example:
      resource-bot stats
      resource-bot stats --days 90 --chart stats.png
    """
    from resource_bot.maintenance import draw_stats_chart, stats_lines, summarize

    if chart is not None and chart.suffix.lower() != ".png":
        raise click.ClickException(f"{chart.name}: the chart is a PNG image; name it like stats.png")
    summary = summarize(_engine(ctx), days=days, today=ctx.today())
    click.echo("\n".join(stats_lines(summary)))
    if chart is not None:
        try:
            draw_stats_chart(summary, chart)
        except OSError as exc:
            message = f"Could not write {chart}: {exc.strerror}; choose another file."
            raise click.ClickException(message) from None
        click.echo(f"Wrote the chart to {chart}.", err=True)


@main.group()
def sources() -> None:
    """The link source tags counted by name in `resource-bot stats`; every other tag counts as "other".

    A source tag is whatever a link says, so only tags you made for a place (a clinic's
    flyer, a shelter's poster) are counted under their own name. Kept in the database
    (DATABASE_URL), so every bot process counts the same way.

    \b
    Example:
      resource-bot sources add clinic4
      resource-bot link --topic trafficking --source clinic4 --qr clinic4.png
    """


@sources.command("add")
@click.argument("tags", nargs=-1, required=True)
@pass_context
def sources_add(ctx: Context, tags: tuple[str, ...]) -> None:
    """List source tags, so their links are counted under their own names.

    \b
    Example:
      resource-bot sources add clinic4 shelter_b
    """
    from resource_bot.sources import SourceError, add_sources

    try:
        added = add_sources(_engine(ctx), tags)
    except SourceError as exc:
        raise click.ClickException(str(exc)) from None
    if added:
        click.echo(f"Listed {', '.join(added)}: links with these tags now count under their own names.")
    already = sorted(set(tags) - set(added))
    if already:
        click.echo(f"{', '.join(already)}: already listed.")


@sources.command("list")
@pass_context
def sources_list(ctx: Context) -> None:
    """Show the listed source tags, with the day each was listed.

    \b
    Example:
      resource-bot sources list
    """
    from resource_bot.sources import list_sources

    listed = list_sources(_engine(ctx))
    if not listed:
        click.echo('No sources listed; every source tag counts as "other". Add one: resource-bot sources add clinic4')
        return
    for source in listed:
        click.echo(f"{source.tag:<20} listed {source.added_on}")


@sources.command("remove")
@click.argument("tags", nargs=-1, required=True)
@pass_context
def sources_remove(ctx: Context, tags: tuple[str, ...]) -> None:
    """Unlist source tags: their links count as "other" from now on (past counts stay).

    \b
    Example:
      resource-bot sources remove clinic4
    """
    from resource_bot.sources import remove_sources

    removed = remove_sources(_engine(ctx), tags)
    if removed:
        click.echo(f'Unlisted {", ".join(removed)}: their links now count as "other"; past counts stay.')
    missing = sorted(set(tags) - set(removed))
    if missing:
        click.echo(f"{', '.join(missing)}: not listed, nothing to do. See: resource-bot sources list", err=True)


@main.command("import-hsds")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the YAML files and import-report.txt; must hold no .yaml files yet.",
)
@click.option("--source", "source_url", help="Page to cite as `source` for records without a url of their own.")
@click.option(
    "--area",
    "default_area",
    help='Area for services whose own cannot be placed: "national", a state, "Harris County, TX".',
)
@click.option("--no-matcher", is_flag=True, help="Do not guess topics from names and descriptions.")
@pass_context
def import_hsds_command(
    ctx: Context, path: Path, out_dir: Path, source_url: str | None, default_area: str | None, no_matcher: bool
) -> None:
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
    from resource_bot.directory.hsds import REPORT_NAME, ImportOptions, PackageError, import_hsds
    from resource_bot.directory.places import NATIONAL, resolve_place_name

    if out_dir.is_dir() and any(out_dir.glob("*.yaml")):
        raise click.ClickException(f"{out_dir} already has .yaml files; choose an empty folder for the import.")
    area = None
    if default_area:
        area = NATIONAL if default_area.strip().casefold() == "national" else resolve_place_name(default_area)
        if area is None:
            raise click.ClickException(
                f"--area {default_area!r} is not a place the bot knows; "
                'try "national", "Texas", "Harris County, TX" or "Austin, TX".'
            )
    matcher = None
    if not no_matcher:
        from resource_bot.dialog.matcher import NeedMatcher
        from resource_bot.paths import conversations_dir

        matcher = NeedMatcher.from_directory(conversations_dir(), [])
    options = ImportOptions(today=ctx.today(), source=source_url, default_area=area)
    try:
        report = import_hsds(path, out_dir, options, guess_topics=matcher.guess_topics if matcher else None)
    except PackageError as exc:
        raise click.ClickException(f"{exc}\nPoint PATH at the package folder or its .json file.") from None
    click.echo(report.summary())
    click.echo(
        f"Wrote {len(report.files_written)} file(s) to {out_dir}; "
        f"read {out_dir / REPORT_NAME} before review, then `resource-bot validate {out_dir}`."
    )


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

    result = validate_paths([ctx.settings.data_dir], today=ctx.today())
    _stop_on_problems(result.problems, "; nothing exported. Fix them and try again.")
    exported = export_hsds(result, out_dir)
    for note in exported.notes:
        click.echo(note, err=True)
    click.echo(f"Exported {len(result.services)} services as HSDS to {out_dir}.")
