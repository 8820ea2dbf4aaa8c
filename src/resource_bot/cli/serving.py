"""Running the bot: ``chat`` in a terminal, ``poll`` and ``webhook`` on Telegram."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from resource_bot.cli.context import Context, database_trouble, pass_context
from resource_bot.config import ConfigError

if TYPE_CHECKING:
    from resource_bot.runtime import Runtime


@click.command()
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
    """Check the token and STATE_SECRET first (one line on how to get each), learn the bot's
    username for share links (BOT_USERNAME, else Telegram's getMe), then open the database."""
    from resource_bot.logs import setup_logging
    from resource_bot.sharing import SharingError, bot_username

    try:
        ctx.settings.require_token()
        ctx.settings.state_secret_for(webhook=webhook)
        setup_logging()
        username = bot_username(ctx.settings)
    except (ConfigError, SharingError) as exc:
        raise click.ClickException(str(exc)) from None
    return ctx.runtime(bot_username=username)


@click.command()
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


@click.command()
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
