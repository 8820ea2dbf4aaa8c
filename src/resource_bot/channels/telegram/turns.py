"""The database side of one update: read the chat's state, run the engine; the write goes in a group commit.

The engine and SQLAlchemy are synchronous, so each update's reading runs in a worker
thread (``TelegramBot.in_db_thread``, bounded by ``DB_TURN_SECONDS``) and hands a
:class:`Turn` back to the async side. There its writes join the group commit
(``resource_bot.group_commit``: the writes of the updates served together, in one
transaction), and once they are committed the async side carries out the outcome
(``delivery``): write, then reply.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.events import Effect, Event, Outcome
from resource_bot.feedback import purge_report_guards
from resource_bot.group_commit import ChatWrite

if TYPE_CHECKING:
    from resource_bot.channels.telegram.handler import TelegramBot

log = logging.getLogger(__name__)

#: How often a process drops expired state rows.
PURGE_SECONDS = 600.0
#: Longest one update's database work may take; past it the person is told to try again (and
#: given the emergency numbers) while the stuck call gives up on its own timeouts (see db.py).
DB_TURN_SECONDS = 8.0


class DatabaseTimeout(Exception):
    """The database did not answer within DB_TURN_SECONDS."""


DB_ERRORS = (DBAPIError, PoolTimeout, DatabaseTimeout)


@dataclass
class Turn:
    """What one update did, for the async side to write (``write``) and carry out."""

    key: str
    before: ChatState
    after: ChatState
    outcome: Outcome
    write: ChatWrite | None = None


def run_turn(bot: TelegramBot, chat_id: int, event: Event, hint: str | None, incoming: list[int]) -> Turn:
    """The reading side of one update (runs in a worker thread): one query, then the engine.

    Nothing is written here: the new state and the ids of the incoming messages come back
    in ``Turn.write`` for the group commit. /forget's write drops the state and keeps the ids,
    so a later Quick exit still deletes the messages from before /forget.
    """
    store, runtime = bot.store, bot.runtime
    bot.pending.drain(store)  # rows a Quick exit could not delete while the database was away
    runtime.refresh_if_changed()
    _purge_now_and_then(bot)
    key = store.key_for(chat_id)
    # A new chat starts in the app's language.
    before = store.load(key, new_chat=ChatState(lang=bot.lang(hint)))
    outcome, after = runtime.dialog.handle(before, event)
    # The counts go to memory; a listing report (rare) commits on its own.
    runtime.record(outcome, report_token=store.report_token(key))
    forget = Effect.FORGET in outcome.effects
    write = ChatWrite(key, state=None if forget else after, forget_state=forget, message_ids=incoming)
    return Turn(key, before, after, outcome, write)


def forget_later(bot: TelegramBot, chat_id: int, event: Event, hint: str | None) -> Turn:
    """/forget while the database is away: the state goes as soon as it is back, before anything reads it."""
    key = bot.store.key_for(chat_id)
    bot.pending.add(key, everything=False)
    before = ChatState(lang=bot.lang(hint))
    outcome, after = bot.runtime.dialog.handle(before, event)
    return Turn(key, before, after, outcome)


def _purge_now_and_then(bot: TelegramBot) -> None:
    now = time.monotonic()
    if now - bot.purged_at >= PURGE_SECONDS:
        bot.purged_at = now
        bot.store.purge_expired()
        purge_report_guards(bot.runtime.db)
