"""Links and flyers: ``topics``, ``link`` and ``flyer``, which share the link options and checks."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

import click

from resource_bot.cli.context import Context, open_database, pass_context, served_directory

_TOPIC_HELP = "Topic id the link opens, like legal or legal.record_relief (see: resource-bot topics)."
_ZIP_HELP = "Five-digit ZIP code the chat opens set to (local help first where listed)."
_SOURCE_HELP = (
    "Anonymous tag counted in `resource-bot stats` once listed (resource-bot sources add), like clinic4. "
    "Never a person's name."
)


def _share_options(command: Callable[..., None], *, topic_required: bool = True) -> Callable[..., None]:
    for option in reversed(
        [
            click.option("--topic", required=topic_required, help=_TOPIC_HELP),
            click.option("--lang", type=click.Choice(["en", "es"]), help="Language the chat opens in."),
            click.option("--zip", "zip_code", metavar="ZIP", help=_ZIP_HELP),
            click.option("--source", metavar="TAG", help=_SOURCE_HELP),
        ]
    ):
        command = option(command)
    return command


def _share_link(
    ctx: Context, topic: str, lang: str | None, zip_code: str | None, source: str | None, *, discreet: bool = False
) -> str:
    """The link, checked; a ``discreet`` one opens the main menu, so that its printed text names no topic."""
    from resource_bot.dialog.deeplink import DeepLink
    from resource_bot.dialog.menus import Menus
    from resource_bot.paths import conversations_dir
    from resource_bot.sharing import SharingError, check_topic, share_link

    menus = Menus.from_dir(conversations_dir())
    link = DeepLink(topic=None if discreet else topic, lang=lang, zip=zip_code, source=source)
    try:
        check_topic(topic, menus)
        url = share_link(ctx.settings, link, menus)
    except SharingError as exc:
        raise click.ClickException(str(exc)) from None
    if source:
        click.echo(
            f'Visits are counted as "{source}" once it is listed (resource-bot sources add {source}); '
            'until then as "other".',
            err=True,
        )
    return url


@click.command()
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


def _guide_link(
    ctx: Context, guide: str, topic: str | None, lang: str | None, zip_code: str | None, source: str | None
) -> str:
    from resource_bot.dialog.menus import Menus
    from resource_bot.guidelinks import guide_link
    from resource_bot.paths import conversations_dir
    from resource_bot.sharing import SharingError

    if topic is not None or zip_code is not None:
        raise click.UsageError("A guide link opens the guide only: leave out --topic and --zip.")
    try:
        return guide_link(ctx.settings, Menus.from_dir(conversations_dir()), guide, lang, source)
    except SharingError as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@functools.partial(_share_options, topic_required=False)
@click.option("--guide", metavar="ID", help="Open a guide instead of a topic, like job-check or safety-plan.")
@click.option("--qr", type=click.Path(dir_okay=False, path_type=Path), help="Also write a QR code: FILE.png or .svg.")
@pass_context
def link(
    ctx: Context,
    topic: str | None,
    lang: str | None,
    zip_code: str | None,
    source: str | None,
    guide: str | None,
    qr: Path | None,
) -> None:
    """Print a link that opens the bot at a topic (or a guide), area and language; optionally a QR code.

    The bot's username comes from BOT_USERNAME, or from Telegram when
    TELEGRAM_BOT_TOKEN is set. Only the link goes to standard output.

    \b
    Example:
      BOT_USERNAME=resource_help_bot resource-bot link --topic legal.record_relief --lang es --zip 77002
      resource-bot link --topic trafficking --source clinic4 --qr clinic4.png
      resource-bot link --guide safety-plan --lang es
    """
    if guide is not None:
        url = _guide_link(ctx, guide, topic, lang, zip_code, source)
    elif topic is None:
        raise click.UsageError("Missing option '--topic' (or '--guide' for a guide).")
    else:
        url = _share_link(ctx, topic, lang, zip_code, source)
    click.echo(url)
    if qr is not None:
        from resource_bot.sharing import SharingError, write_qr

        try:
            write_qr(url, qr)
        except SharingError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Wrote the QR code to {qr}. Print it at least 3 cm (1.2 in) wide.", err=True)


@click.command()
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
    url = _share_link(ctx, topic, lang, zip_code, source, discreet=discreet)
    engine = open_database(ctx)
    served_directory(ctx, engine)  # the numbers the bot gives are the numbers printed
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
