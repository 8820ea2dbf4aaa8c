"""One text message in, the texts to send back out: the SMS door around the dialog engine.

The person is known by the keyed hash of their number (as Telegram chats are by
the hash of their id): the number itself is never stored or logged, and the
words they send are read, answered, and dropped.

Order of things for each message:

1. STOP (and its synonyms) and quick exit (EXIT, SALIR, BORRAR...) are never
   slowed. Anything else meets the same per-person flood gate as a Telegram
   chat (a burst of 8, then one every half second; the first message over it
   gets one "slow down", the rest nothing).
2. In one database transaction: a number that sent STOP gets nothing until
   START; STOP deletes the conversation and keeps only the opt-out; otherwise
   the engine answers (danger first, as everywhere), the anonymous daily counts
   are kept, and the state and the numbered choices are saved, or deleted on
   quick exit.
3. When the database is away: a quick exit or STOP is remembered in memory and
   carried out as soon as it is back, and still answered; a danger message still
   gets the emergency answer (the engine needs no database); anything else gets
   "try again in a minute", with the emergency numbers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from resource_bot.channels.sms import keywords, render, tables
from resource_bot.channels.sms.keywords import Keyword
from resource_bot.channels.sms.words import SmsWords
from resource_bot.channels.telegram.chats import ChatGate, Verdict
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.events import Effect, Event, Outcome, Start, Text
from resource_bot.dialog.quickexit import typed_exit_language
from resource_bot.feedback import purge_report_guards
from resource_bot.pending import WaitingErasures
from resource_bot.runtime import Runtime
from resource_bot.state_store import StateStore

log = logging.getLogger(__name__)

#: The longest text read; a longer one (a provider joins long texts up to 1,600 characters) is cut.
MAX_BODY_CHARS = 1600
#: Longest one message's database work may take before the person is answered without it.
DB_TURN_SECONDS = 8.0
#: How often expired rows are dropped.
PURGE_SECONDS = 600.0
#: Numbers whose EXIT or STOP waits in memory for the database (bounded, like PendingForgets).
MAX_PENDING = 100_000


class DatabaseTimeout(Exception):
    """The database did not answer within DB_TURN_SECONDS."""


_DB_ERRORS = (DBAPIError, PoolTimeout, DatabaseTimeout)


def _log_failure(what: str, exc: BaseException) -> None:
    """Where it broke and the exception's type, never its message (it could quote the text or number)."""
    frames = "".join(traceback.format_tb(exc.__traceback__)[-6:])
    log.error("%s: %s\n%s", what, type(exc).__name__, frames)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Answer:
    """What to send back: the texts, in order (none at all after STOP)."""

    messages: tuple[str, ...]
    outcome: Outcome | None = None


NOTHING = Answer(())


class SmsDoor:
    """The state store, the flood gate and the words; one per process, shared by all requests."""

    def __init__(self, runtime: Runtime, store: StateStore, *, gate: ChatGate | None = None) -> None:
        self.runtime = runtime
        self.menus = runtime.dialog.menus
        self.words = SmsWords.load(self.menus)
        self.store = store
        self.gate = gate or ChatGate()
        self.pending = PendingErasures()
        self._lanes: dict[str, tuple[asyncio.Lock, list[int]]] = {}
        self._purged_at = 0.0
        self.db_seconds = DB_TURN_SECONDS
        self.clock: Callable[[], dt.datetime] = _now

    def key_for(self, number: str) -> str:
        return self.store.key_for_address("sms", number.strip())

    # -- the async side --------------------------------------------------------------------------
    async def answer(self, number: str, body: str) -> Answer:
        """The answer to one text from ``number``; texts from one number are answered one at a time."""
        body = body[:MAX_BODY_CHARS]
        key = self.key_for(number)
        async with self._lane(key):
            return await self._answer(key, body)

    async def _answer(self, key: str, body: str) -> Answer:
        keyword = keywords.classify(body)
        exit_lang = typed_exit_language(body)
        urgent = keyword in (Keyword.STOP, Keyword.START) or exit_lang is not None
        verdict = Verdict.SERVE if urgent else self.gate.admit(int(key[:15], 16))
        if verdict is not Verdict.SERVE and (danger := self._danger_answer(body)) is not None:
            return danger  # a flood never holds back the emergency answer (a backlog arriving at once)
        if verdict is Verdict.DROP:
            return NOTHING
        try:
            if verdict is Verdict.SLOW_DOWN:
                return await self._in_db_thread(self._slow_down, key, body)
            return await self._in_db_thread(self._turn, key, body)
        except _DB_ERRORS as exc:
            _log_failure("database unavailable", exc)
            return self._without_database(key, body, keyword, exit_lang)
        except Exception as exc:  # a bug must not leave a person without an answer: the outage answer
            _log_failure("could not serve a text", exc)
            return self._without_database(key, body, keyword, exit_lang)

    async def _in_db_thread(self, work: Callable[[str, str], Answer], key: str, body: str) -> Answer:
        """Database work in a worker thread, given up on after ``db_seconds`` (the thread ends on its own)."""
        try:
            return await asyncio.wait_for(asyncio.to_thread(work, key, body), self.db_seconds)
        except TimeoutError:
            raise DatabaseTimeout(f"no answer within {self.db_seconds:g} s") from None

    def _lane(self, key: str) -> _Lane:
        return _Lane(self._lanes, key)

    # -- without the database --------------------------------------------------------------------
    def _without_database(self, key: str, body: str, keyword: Keyword | None, exit_lang: str | None) -> Answer:
        if keyword is Keyword.STOP:
            self.pending.add(key, stop=True)
            return Answer(render.plain(self.words.text(self._lang_of(body), "stopped")))
        if self.pending.stopped(key):
            return NOTHING
        if exit_lang is not None:
            self.pending.add(key, stop=False)
            return Answer(render.plain(self.words.text(exit_lang, "exit_done")))
        danger = self._danger_answer(body)  # the emergency answer needs no database
        return danger or Answer(render.plain(self.menus.ui(self._lang_of(body), "try_again_later")))

    def _danger_answer(self, body: str) -> Answer | None:
        """The emergency answer when ``body`` says danger now; None otherwise. Pure: no database."""
        try:
            outcome, _ = self.runtime.dialog.handle(ChatState(lang=self._lang_of(body)), Text(body))
        except Exception as exc:  # the engine itself failing: the caller's plain answer still goes out
            _log_failure("could not check a text for danger", exc)
            return None
        if any(count[0] == "crisis" and count[1] != "maybe" for count in outcome.stats):
            return self._rendered(outcome)
        return None

    def _lang_of(self, body: str) -> str:
        typed = self.runtime.dialog.matcher.typed_language(body, self.menus.codes[0])
        return typed if typed in self.menus.codes else self.menus.codes[0]

    def _rendered(self, outcome: Outcome) -> Answer:
        return Answer(render.render(outcome.replies, self.menus, self.words).messages, outcome)

    # -- the database side (worker threads) ------------------------------------------------------
    def _housekeeping(self) -> None:
        self.pending.drain(self.store)
        self.runtime.refresh_if_changed()
        now = time.monotonic()
        if now - self._purged_at >= PURGE_SECONDS:
            self._purged_at = now
            self.store.purge_expired()
            with self.store.begin() as connection:
                tables.purge_expired_menus(connection, self.clock())
            purge_report_guards(self.runtime.db)

    def _slow_down(self, key: str, body: str) -> Answer:
        """The first text over the limit: one calm answer, unless the number sent STOP."""
        with self.store.begin() as connection:
            if tables.is_opted_out(connection, key):
                return NOTHING
            lang = self.store.load(key, connection=connection).lang
        return Answer(render.plain(self.menus.ui(lang, "slow_down")))

    def _turn(self, key: str, body: str) -> Answer:
        """One text's database work: one connection, one commit."""
        self._housekeeping()
        now = self.clock()
        with self.store.begin() as connection:
            opted_out = tables.is_opted_out(connection, key)
            keyword = keywords.classify(body, opted_out=opted_out)
            if keyword is Keyword.STOP:
                if opted_out:
                    return NOTHING  # confirmed once already
                lang = self.store.load(key, connection=connection).lang
                self.store.forget(key, connection=connection)
                tables.forget_menu(connection, key)
                tables.opt_out(connection, key)
                answer = Answer(render.plain(self.words.text(lang, "stopped")))
            elif opted_out and keyword is not Keyword.START:
                return NOTHING
            else:
                answer = self._engine_turn(connection, key, body, keyword, opted_out, now)
        if answer.outcome is None or Effect.QUICK_EXIT in answer.outcome.effects:
            self.store.scrub_files()  # after the commit: no copy of the deleted rows left in SQLite's log
        return answer

    def _engine_turn(
        self, connection: Connection, key: str, body: str, keyword: Keyword | None, opted_out: bool, now: dt.datetime
    ) -> Answer:
        choices = tables.load_menu(connection, key, now)
        state = self.store.load(key, connection=connection)
        if keyword is Keyword.HELP and (asked := keywords.help_language(body)):
            state = state.evolve(lang=asked)  # AYUDA: help, and the chat, in Spanish
        outcome, after = self.runtime.dialog.handle(state, self._event(body, keyword, choices))
        # The counts first: a listing report (rare) commits on its own before this transaction writes.
        self.runtime.record(outcome, connection, report_token=self.store.report_token(key))
        prefix: tuple[str, ...] = ()
        if keyword is Keyword.START and opted_out:
            tables.opt_in(connection, key)
            prefix = render.plain(self.words.text(after.lang, "started"))
        if Effect.QUICK_EXIT in outcome.effects:
            self.store.forget(key, connection=connection)
            tables.forget_menu(connection, key)
            lang = typed_exit_language(body) or state.lang
            return Answer(render.plain(self.words.text(lang, "exit_done")), outcome)
        shown = render.render(outcome.replies, self.menus, self.words)
        if Effect.FORGET in outcome.effects:
            self.store.forget_state(key, connection=connection)
        else:
            self.store.save(key, after, connection=connection)
        tables.save_menu(connection, key, list(shown.choices), now)
        return Answer(prefix + shown.messages, outcome)

    def _event(self, body: str, keyword: Keyword | None, choices: list[str] | None) -> Event:
        if keyword is Keyword.START:
            return Start()
        if keyword in (Keyword.HELP, Keyword.MENU):
            return keywords.command_for(keyword)
        # Hello (or a picture without words) gets the welcome in a new conversation, the topics in
        # one under way; anything else is read at once: a request, a number, danger words.
        greeting = self.words.greeting_language(body)
        if greeting is not None or not body.strip():
            return Start(None, greeting) if choices is None else keywords.command_for(Keyword.MENU)
        return keywords.event_for(body, choices or [])


class PendingErasures(WaitingErasures):
    """Numbers whose EXIT or STOP came while the database was away, carried out as soon as it is back.

    Memory, not a file (a file would be one more place that says a number texted us),
    bounded; if the process dies first, the rows still expire (the opt-out is then lost,
    and the provider's own STOP list still holds: see the README).
    """

    def __init__(self, limit: int = MAX_PENDING) -> None:
        super().__init__(limit)

    def add(self, key: str, *, stop: bool) -> None:
        self._put(key, stop)

    def stopped(self, key: str) -> bool:
        return self._flag(key)

    def erase(self, store: StateStore, connection: Connection, key: str, flag: bool) -> None:
        """Erase the number's rows and menu, and keep its STOP."""
        store.forget(key, connection=connection)
        tables.forget_menu(connection, key)
        if flag:
            tables.opt_out(connection, key)


class _Lane:
    """One number's texts, one at a time (an asyncio lock per number, dropped when nobody waits)."""

    def __init__(self, lanes: dict[str, tuple[asyncio.Lock, list[int]]], key: str) -> None:
        self.lanes = lanes
        self.key = key

    async def __aenter__(self) -> None:
        lock, users = self.lanes.setdefault(self.key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            await lock.acquire()
        except BaseException:
            self._leave(users)
            raise

    async def __aexit__(self, *exc: object) -> None:
        lock, users = self.lanes[self.key]
        lock.release()
        self._leave(users)

    def _leave(self, users: list[int]) -> None:
        users[0] -= 1
        if users[0] == 0:
            del self.lanes[self.key]
