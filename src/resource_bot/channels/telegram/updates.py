"""Telegram's JSON to Updates, one at a time: one update the bot cannot read stops nothing else.

python-telegram-bot parses a whole ``getUpdates`` batch at once; one update it
cannot parse fails the batch, the polling loop retries it forever, and PTB logs
the raw batch (other people's words, names and ids). :class:`UpdateSafeBot`
reads each update of a batch on its own and hands the polling loop a bare
``Update(update_id)`` in place of one it cannot read, so the loop acknowledges
it (the next ``offset`` passes it) and the handler ignores it (it has no chat).
The webhook reads its one update with the same :func:`update_from`.

PTB does not check field types (``"chat": {"id": "abc"}`` parses), so
:func:`update_from` also checks the fields the bot reads. Nothing here logs
an update's contents: only its ``update_id`` and the kind of error.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from telegram import Bot, Message, Update
from telegram.ext import ExtBot

log = logging.getLogger(__name__)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _optional(value: object, kind: type | tuple[type, ...]) -> bool:
    return value is None or isinstance(value, kind)


def _message_ok(message: object) -> bool:
    if message is None:
        return True
    if not isinstance(message, Message):
        return False  # an inaccessible message of a callback query: nothing the bot reads
    location = message.location
    return (
        _is_int(message.message_id)
        and _is_int(message.chat.id)
        and isinstance(message.chat.type, str)
        and _optional(message.text, str)
        and _optional(message.caption, str)
        and (
            location is None
            or (isinstance(location.latitude, int | float) and isinstance(location.longitude, int | float))
        )
    )


def _well_typed(update: Update) -> bool:
    """Whether the fields the bot reads have the types Telegram documents."""
    if not _is_int(update.update_id):
        return False
    user = update.effective_user
    if user is not None and not (_is_int(user.id) and _optional(user.language_code, str)):
        return False
    query = update.callback_query
    if query is not None:
        if not (isinstance(query.id, str) and _optional(query.data, str)):
            return False
        if query.message is not None and not isinstance(query.message, Message):
            return _is_int(query.message.message_id) and _is_int(query.message.chat.id)
        return _message_ok(query.message)
    return _message_ok(update.message) and _message_ok(update.edited_message)


def update_from(data: object, bot: Bot | None) -> Update | None:
    """The Update ``data`` stands for, or None when it is not one the bot can read."""
    if not isinstance(data, Mapping) or not _is_int(data.get("update_id")):
        return None
    try:
        update = Update.de_json(dict(data), bot)
    # PTB raises whatever its constructors do on a wrong shape (AttributeError, TypeError,
    # KeyError, ValueError, RecursionError...); any of them means "not an Update".
    except Exception:
        return None
    return update if _well_typed(update) else None


def readable_batch(items: object, bot: Bot | None) -> list[dict[str, Any]]:
    """A getUpdates result where every update the bot cannot read is only its ``update_id``.

    An item without a whole-number ``update_id`` cannot be acknowledged alone; it is left out
    (Telegram always sends one, and the ``offset`` after any later update passes it too).
    """
    if not isinstance(items, list):
        return []
    readable: list[dict[str, Any]] = []
    for item in items:
        update_id = item.get("update_id") if isinstance(item, Mapping) else None
        if not _is_int(update_id):
            log.warning("skipped an update without an update_id")
            continue
        if update_from(item, bot) is None:
            log.warning("skipped update %d: python-telegram-bot cannot read it", update_id)
            readable.append({"update_id": update_id})
        else:
            readable.append(dict(item))
    return readable


class UpdateSafeBot(ExtBot[None]):
    """ExtBot whose getUpdates never fails a batch because of one update (see the module doc)."""

    async def _post(self, endpoint: str, data: Any = None, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, data, **kwargs)
        if endpoint == "getUpdates":
            return readable_batch(result, self)
        return result
