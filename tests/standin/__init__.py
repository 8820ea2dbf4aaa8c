"""Local stand-in for the Telegram Bot API, for end-to-end tests and benchmarks of the real PTB bot.

Typical use::

    with BotApiStandin() as api, running_in_background(build_echo_application(api)):
        api.user_sends_text(42, "hello")
        assert api.wait_for_reply(42).result["text"] == "hello"
"""

from ._api import (
    DEFAULT_BOT_USERNAME,
    DEFAULT_TOKEN,
    MAX_CALLBACK_DATA_BYTES,
    MAX_TEXT_LENGTH,
    REPLY_METHODS,
    ApiError,
    BotApiStandin,
    Call,
    CallbackQueryId,
    ChatMessage,
    SentMessageId,
    StoredFile,
    WebhookSettings,
)
from ._http import UploadedFile
from .echo_bot import BackgroundApplication, build_echo_application, running_in_background

__all__ = [
    "DEFAULT_BOT_USERNAME",
    "DEFAULT_TOKEN",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_TEXT_LENGTH",
    "REPLY_METHODS",
    "ApiError",
    "BackgroundApplication",
    "BotApiStandin",
    "Call",
    "CallbackQueryId",
    "ChatMessage",
    "SentMessageId",
    "StoredFile",
    "UploadedFile",
    "WebhookSettings",
    "build_echo_application",
    "running_in_background",
]
