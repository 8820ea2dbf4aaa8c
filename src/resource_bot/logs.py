"""Logging that never writes down what a person said, who they are, or the bot token.

python-telegram-bot, httpx and httpcore log freely at DEBUG: the parameters of
every Bot API call (message text, names, coordinates), whole updates, request
URLs (which hold the token) and exception messages that quote them; SQLAlchemy
logs every statement's parameters (chat keys, states). The bot's own code logs
no such thing, so only those libraries' records are rewritten.

The rewrite happens where each record is made (a wrapped log-record factory),
not in one handler: every handler sees the cleaned record, whether it is the
bot's stderr handler, a platform's log shipper or pytest's capture. What is
kept: the logger's name, the level, the wording of the message with each
value replaced by ``[hidden]``, and for an exception its type and where it was
raised (the frames), never its message. That is enough to follow what the
library did, at every level including DEBUG.
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from typing import Any

from resource_bot.config import ConfigError

#: Loggers whose records may carry a person's words or the token (and their children). SQLAlchemy
#: logs statements with their parameters at INFO: chat keys and states, with a timestamp each.
LIBRARY_LOGGERS = ("telegram", "httpx", "httpcore", "sqlalchemy")
HIDDEN = "[hidden]"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: A printf-style placeholder (``%s``, ``%d``, ``%(name)s``, ``%-5.2f``) or an escaped ``%%``.
_PLACEHOLDER = re.compile(r"%(?:%|(?:\([^)]*\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa])")
#: Belt and braces for text a library formatted itself: bot tokens, and ids (six or more digits).
_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
_LONG_NUMBER = re.compile(r"\d{6,}")


def _is_library(name: str) -> bool:
    return any(name == root or name.startswith(root + ".") for root in LIBRARY_LOGGERS)


def _scrub_text(text: str) -> str:
    return _LONG_NUMBER.sub(HIDDEN, _TOKEN.sub(HIDDEN, text))


def _without_values(template: str) -> str:
    return _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else HIDDEN, template)


def _exception_summary(exc_info: Any) -> str:
    kind, _value, tb = exc_info
    name = kind.__name__ if isinstance(kind, type) else "Exception"
    frames = "".join(traceback.format_tb(tb)[-8:]) if tb is not None else ""
    return f"{name} (message hidden)\n{frames}".rstrip()


class PrivateLibraryRecords(logging.Filter):
    """Rewrite python-telegram-bot, httpx, httpcore and SQLAlchemy records so that no value in them survives."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not _is_library(record.name):
            return True
        if isinstance(record.msg, str):
            if record.args:
                text = _without_values(record.msg)
            elif record.name.startswith("httpcore"):
                # httpcore formats its own trace lines: "event.started request=<...> ...": keep the event.
                text = record.msg.split(" ", 1)[0]
            else:
                text = record.msg
            record.msg = _scrub_text(text)
        else:
            record.msg = f"{HIDDEN} {type(record.msg).__name__}"
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = _exception_summary(record.exc_info)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = HIDDEN
        return True


_INSTALLED = "_resource_bot_private"


def install_private_logging() -> None:
    """Clean library records as they are made, for every handler; safe to call more than once."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, _INSTALLED, False):
        return
    scrub = PrivateLibraryRecords()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        scrub.filter(record)
        return record

    setattr(factory, _INSTALLED, True)
    logging.setLogRecordFactory(factory)


def setup_logging(level: str | None = None) -> None:
    """The bot's logging: one line per record on stderr at LOG_LEVEL (default INFO), libraries cleaned."""
    install_private_logging()
    chosen = (level or os.environ.get("LOG_LEVEL") or "INFO").upper()
    if chosen not in LEVELS:
        raise ConfigError(f"LOG_LEVEL={chosen!r} is not a level; use one of {', '.join(LEVELS)} (default INFO).")
    logging.basicConfig(level=chosen, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # SQL echo is not a bot feature: even cleaned, a line per statement would be a timeline.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    if chosen != "DEBUG":
        # One line per Bot API request is noise at INFO; at DEBUG it shows, cleaned like the rest.
        logging.getLogger("httpx").setLevel(logging.WARNING)
