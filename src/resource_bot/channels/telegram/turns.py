"""The database side of one update: one connection, one commit, in a worker thread.

The engine and SQLAlchemy are synchronous, so each update's database work runs in a
worker thread (``TelegramBot.in_db_thread``, bounded by ``DB_TURN_SECONDS``) and hands
a :class:`Turn` back to the async side, which carries it out (``delivery``).
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
    """What one update did to the database, for the async side to carry out."""

    key: str
    before: ChatState
    after: ChatState
    outcome: Outcome


def run_turn(bot: TelegramBot, chat_id: int, event: Event, hint: str | None, incoming: list[int]) -> Turn:
    """The database side of one update (runs in a worker thread): one connection, one commit.

    Reading the state in the same transaction takes no lock: SQLite starts its
    transaction at the first write, and PostgreSQL's plain SELECT locks nothing.
    """
    store, runtime = bot.store, bot.runtime
    bot.pending.drain(store)  # rows a Quick exit could not delete while the database was away
    runtime.refresh_if_changed()
    _purge_now_and_then(bot)
    key = store.key_for(chat_id)
    with store.begin() as connection:
        # A new chat starts in the app's language.
        new_chat = ChatState(lang=bot.lang(hint))
        before = store.load(key, new_chat=new_chat, connection=connection)
        outcome, after = runtime.dialog.handle(before, event)
        # The counts first: a listing report (rare) commits on its own before this writes.
        runtime.record(outcome, connection, report_token=store.report_token(key))
        if Effect.FORGET in outcome.effects:
            # The state goes; the message ids stay (until they expire) so a later Quick exit
            # still deletes the messages from before /forget.
            store.forget_state(key, connection=connection)
        else:
            store.save(key, after, connection=connection)
        store.remember_messages(key, incoming, connection=connection)
    if Effect.FORGET in outcome.effects:
        store.scrub_files()  # after the commit: no copy of the old state left in SQLite's log
    return Turn(key, before, after, outcome)


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
