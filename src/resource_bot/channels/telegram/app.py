"""The Telegram bot: python-telegram-bot's Application around the dialog engine.

``build_application`` makes the Bot, the handler (``handler.TelegramBot``) that gets
it at construction, and the Application with its per-chat update processor
(``chats``); ``prepare_bot`` registers the command lists once it has started.
What the engine needs from Telegram, the bot's username for share links, is
learned before the engine is built (``sharing.bot_username``: BOT_USERNAME, else
getMe) and handed to ``open_runtime``: nothing here changes the engine afterwards.
"""

from __future__ import annotations

from typing import Any

from telegram import BotCommand, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import HTTPXRequest

from resource_bot.channels.telegram import adapter
from resource_bot.channels.telegram.chats import ChatGate, ChatUpdateProcessor
from resource_bot.channels.telegram.handler import TelegramBot, log_failure
from resource_bot.channels.telegram.updates import UpdateSafeBot
from resource_bot.logs import install_private_logging
from resource_bot.runtime import Runtime

__all__ = ["ALLOWED_UPDATES", "AnyApplication", "TelegramBot", "build_application", "prepare_bot"]

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

#: The updates the bot reads; nothing else is even delivered.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


async def _log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Last resort for anything the handler did not catch: log it, without message text."""
    if context.error is not None:
        log_failure("unhandled error", context.error)


async def prepare_bot(application: AnyApplication) -> None:
    """At start: register the command lists in each language of the menus."""
    bot: TelegramBot = application.bot_data["resource_bot"]
    menus = bot.menus
    for index, lang in enumerate(menus.codes):
        commands = [BotCommand(name, text) for name, text in adapter.command_list(menus, lang)]
        await bot.call(application.bot.set_my_commands, commands, language_code=lang)
        if index == 0:  # the first language is also the default for everyone else
            await bot.call(application.bot.set_my_commands, commands)


def build_application(
    runtime: Runtime,
    *,
    polling: bool = True,
    request_timeout: float = 10.0,
    gate: ChatGate | None = None,
) -> AnyApplication:
    """The Application for ``runtime.settings``; call :func:`prepare_bot` once it is initialized."""
    install_private_logging()
    settings = runtime.settings

    def request(pool_size: int) -> HTTPXRequest:
        return HTTPXRequest(
            connection_pool_size=pool_size,
            connect_timeout=request_timeout,
            read_timeout=request_timeout,
            write_timeout=request_timeout,
            pool_timeout=request_timeout,
        )

    # Our own Bot, so that polling reads each update of a batch on its own (see updates.py).
    telegram_bot = UpdateSafeBot(
        settings.require_token(),
        base_url=settings.telegram_base_url,
        request=request(64),
        get_updates_request=request(1),
    )
    bot = TelegramBot(runtime, telegram_bot, gate=gate, webhook=not polling)
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        Application.builder()
        .bot(telegram_bot)
        # Its shutdown (the Application's, however it was run) commits the writes still waiting.
        .concurrent_updates(
            ChatUpdateProcessor(bot.gate, bot.on_slow_down, urgency=bot.urgency, on_shutdown=bot.committer.close)
        )
        .post_init(prepare_bot)
    )
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data["resource_bot"] = bot
    application.add_handler(TypeHandler(Update, bot.on_update))
    application.add_error_handler(_log_error)
    return application
