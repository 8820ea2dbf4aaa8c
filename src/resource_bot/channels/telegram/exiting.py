"""Quick exit on Telegram: erase the chat even when Telegram or the database misbehaves.

The ❌ button, /exit, /salir and typed exit words come here straight from the
handler, past the flood gate (``chats``) and before anything that needs the
database. In order:

1. The ids the update carries (the person's /exit, or the message ❌ was on),
   the newest id this process saw in the chat, and a window of ``WINDOW`` ids
   below them (plus ``WINDOW_ABOVE`` above a tapped message, which may not be
   the newest) are deleted at once. No database is needed: in a private chat
   both sides share one sequence of ids, and Telegram skips ids that are gone.
2. Meanwhile, in the group commit's line (``group_commit``: after every write of
   the chat queued before it, so none of them can land after it), the chat's
   remembered ids are read and all its rows deleted in one transaction. If the
   database does not answer within
   ``DB_SECONDS``, the chat's key waits in ``bot.pending`` and its rows go
   before the next database work of any update.
3. Remembered ids outside the window (older ones; newer ones another process
   sent) are deleted too.
4. The last line: ``exit_done`` ("cleared") only when every delete succeeded
   and nothing older can be left (the database answered, or the window reached
   the chat's first message); otherwise ``exit_not_cleared``, which tells the
   person, as neutrally, to delete the chat in Telegram. Never a menu, never
   an apology.

Every batch is tried; a failed batch (500s past their retries, 403, a flood
wait past the time limit) is logged by type only and the others still go. A
batch Telegram refuses as a bad request is retried one message at a time, so
one undeletable message spares no other. Waiting (flood waits, retry pauses)
stops at ``bot.exit_seconds`` in total.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import Connection
from telegram import ReplyKeyboardRemove, Update
from telegram.error import BadRequest

from resource_bot.channels.telegram.chats import message_ids_of
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.events import Event, Outcome, Text
from resource_bot.dialog.quickexit import typed_exit_language

if TYPE_CHECKING:
    from resource_bot.channels.telegram.handler import TelegramBot

log = logging.getLogger(__name__)

#: Without the database, this many ids below the newest known are deleted (three deleteMessages calls).
WINDOW = 300
#: A tapped message may not be the newest: this many ids above it go too (Telegram skips ids not in use).
WINDOW_ABOVE = 100
#: Total seconds the deletes may spend waiting (flood waits and retry pauses); each batch is still tried.
EXIT_SECONDS = 15.0
#: Seconds the exit waits for the database before going on without it.
DB_SECONDS = 5.0
#: Seconds the last line may spend waiting.
LAST_LINE_SECONDS = 5.0
#: deleteMessages takes at most this many ids.
DELETE_BATCH = 100
#: Remembered ids are deleted as one span (gaps included) unless it is wider than this.
MAX_DELETE_SPAN = 3000


def deletion_ids(known: list[int]) -> list[int]:
    """Every id between the oldest and the newest known (gaps are messages we may have missed), newest first."""
    ids = {i for i in known if i > 0}
    if not ids:
        return []
    low, high = min(ids), max(ids)
    if high - low < MAX_DELETE_SPAN:
        ids = set(range(low, high + 1))
    return sorted(ids, reverse=True)


def _failed(what: str, exc: BaseException) -> None:
    log.warning("quick exit: %s failed: %s", what, type(exc).__name__)


async def _delete_one(bot: TelegramBot, chat_id: int, message_id: int, deadline: float) -> bool:
    try:
        await bot.call(bot.telegram.delete_message, chat_id, message_id, deadline=deadline)
    except BadRequest as exc:
        return "not found" in str(exc).lower()  # already gone, or an id nobody used: nothing left to see
    except Exception as exc:
        _failed("deleteMessage", exc)
        return False
    return True


async def delete_all(bot: TelegramBot, chat_id: int, ids: list[int], deadline: float) -> bool:
    """Ask Telegram to delete ``ids`` (newest first), batch by batch; True only when every one went."""
    every_one = True
    for start in range(0, len(ids), DELETE_BATCH):
        batch = ids[start : start + DELETE_BATCH]
        try:
            await bot.call(bot.telegram.delete_messages, chat_id, batch, deadline=deadline)
        except BadRequest:
            for message_id in batch:
                every_one &= await _delete_one(bot, chat_id, message_id, deadline)
        except Exception as exc:
            _failed("deleteMessages", exc)
            every_one = False
    return every_one


def _forget_now(
    bot: TelegramBot, key: str, event: Event, new_chat: ChatState
) -> Callable[[Connection], tuple[list[int], Outcome, str]]:
    """The database side, run in the group commit's transaction (a worker thread): read the
    chat's ids and state, count the exit, delete every row. The group commit empties SQLite's
    log once it is committed.

    Its result: the remembered ids, the engine's outcome and the chat's language.
    """
    store = bot.store

    def work(connection: Connection) -> tuple[list[int], Outcome, str]:
        state = store.load(key, new_chat=new_chat, connection=connection)
        outcome, _ = bot.runtime.dialog.handle(state, event)
        bot.runtime.record(outcome, connection)
        remembered = store.messages(key, connection=connection)
        store.forget(key, connection=connection)
        return remembered, outcome, state.lang

    return work


async def quick_exit(bot: TelegramBot, update: Update, chat_id: int, event: Event, hint: str | None) -> None:
    """Erase the chat; never raises, never shows a menu."""
    try:
        await _quick_exit(bot, update, chat_id, event, hint)
    except Exception as exc:  # the last resort: still no apology and no menu
        _failed("quick exit", exc)
        bot.pending.add(bot.store.key_for(chat_id))
        typed = typed_exit_language(event.text) if isinstance(event, Text) else None
        await _last_line(bot, chat_id, bot.menus.ui(typed or bot.lang(hint), "exit_not_cleared"))


async def _quick_exit(bot: TelegramBot, update: Update, chat_id: int, event: Event, hint: str | None) -> None:
    deadline = time.monotonic() + bot.exit_seconds
    key = bot.store.key_for(chat_id)  # a keyed hash computed in memory: no database
    typed = typed_exit_language(event.text) if isinstance(event, Text) else None
    new_chat = ChatState(lang=typed or bot.lang(hint))
    database = asyncio.create_task(
        asyncio.wait_for(bot.committer.run(_forget_now(bot, key, event, new_chat)), DB_SECONDS)
    )
    database.add_done_callback(lambda task: task.cancelled() or task.exception())  # read below, or dropped
    if update.callback_query is not None:
        await bot.answer_quietly(update, deadline)

    carried = message_ids_of(update)
    top = max([*carried, bot.gate.newest(chat_id) or 0])
    low = max(1, top - WINDOW + 1)
    high = top + (WINDOW_ABOVE if update.message is None else 0)
    window = list(range(high, low - 1, -1)) if top else []
    every_one = await delete_all(bot, chat_id, window, deadline)

    try:
        remembered, outcome, stored_lang = await database
        rest = [i for i in deletion_ids([*remembered, top]) if not low <= i <= high]
        every_one &= await delete_all(bot, chat_id, rest, deadline)
        top = max([top, *remembered])
        reached_all = True
    except Exception as exc:  # the database is away or too slow: forget as soon as it is back
        _failed("forgetting the chat's rows", exc)
        bot.pending.add(key)
        outcome, _ = bot.runtime.dialog.handle(new_chat, event)
        stored_lang = new_chat.lang
        reached_all = low == 1  # the window went down to the chat's first message
    if outcome.replies and every_one and reached_all:
        text = outcome.replies[0].text  # the engine's neutral "done", in the language typed or the chat's
    else:
        text = bot.menus.ui(typed or stored_lang, "exit_not_cleared")
    last = await _last_line(bot, chat_id, text)
    # An update this exit cut short wrote nothing after it: its writes, if it got as far, were
    # queued in the group commit's line before the exit's, and the exit deleted them.
    if last is not None and last - 1 > top:
        # Messages that landed while the exit ran (a reply cut short, a message typed meanwhile).
        await delete_all(bot, chat_id, list(range(last - 1, top, -1)), deadline)


async def _last_line(bot: TelegramBot, chat_id: int, text: str) -> int | None:
    """Send the last line; its message id, or None when it could not be sent."""
    try:
        message = await bot.call(
            bot.telegram.send_message,
            chat_id,
            text,
            reply_markup=ReplyKeyboardRemove(),
            deadline=time.monotonic() + LAST_LINE_SECONDS,
        )
        bot.gate.note(chat_id, [message.message_id])
    except Exception as exc:
        _failed("the last line", exc)
        return None
    return int(message.message_id)
