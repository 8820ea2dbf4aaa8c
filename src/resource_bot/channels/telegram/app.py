"""The Telegram bot: python-telegram-bot's Application around the dialog engine.

One handler sees every update. For a private chat it turns the update into an
engine event (``adapter``), runs the engine and the database work in a worker
thread (the engine and SQLAlchemy are synchronous), and carries out the
outcome: menus are edited in place, service cards are sent as their own
messages. Quick exit never waits for the database: it goes to ``exiting``
first. The conversation state is in the database, so any process can answer
any chat's next tap.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from telegram import (
    BotCommand,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import HTTPXRequest

from resource_bot.channels.telegram import adapter
from resource_bot.channels.telegram.admin import Admin
from resource_bot.channels.telegram.chats import ChatGate, ChatUpdateProcessor, Urgency
from resource_bot.channels.telegram.exiting import EXIT_SECONDS, quick_exit
from resource_bot.channels.telegram.updates import UpdateSafeBot
from resource_bot.config import MAKE_STATE_SECRET
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.events import Effect, Event, Outcome, Reply, Role
from resource_bot.dialog.quickexit import is_forget, is_quick_exit
from resource_bot.feedback import purge_report_guards
from resource_bot.logs import install_private_logging
from resource_bot.runtime import Runtime
from resource_bot.state import PendingForgets, StateStore

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
T = TypeVar("T")

#: The updates the bot reads; nothing else is even delivered.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
#: Tries for one Bot API call hit by network errors, and the first pause between them.
NETWORK_TRIES = 5
FIRST_BACKOFF = 0.25
#: Longest flood wait we sit out for one call (Telegram asks for seconds, rarely more)...
MAX_FLOOD_WAIT = 60.0
#: ...and the most, in total, before the call gives up: a chat's queue is never blocked for good.
MAX_TOTAL_FLOOD_WAIT = 120.0
#: How often a process drops expired state rows.
PURGE_SECONDS = 600.0
#: Longest one update's database work may take; past it the person is told to try again (and
#: given the emergency numbers) while the stuck call gives up on its own timeouts (see db.py).
DB_TURN_SECONDS = 8.0


class DatabaseTimeout(Exception):
    """The database did not answer within DB_TURN_SECONDS."""


_DB_ERRORS = (DBAPIError, PoolTimeout, DatabaseTimeout)
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _seconds(value: int | float | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def _past(deadline: float | None, wait: float) -> bool:
    """Whether waiting ``wait`` more seconds would pass ``deadline``."""
    return deadline is not None and time.monotonic() + wait > deadline


def _log_failure(what: str, exc: BaseException) -> None:
    """Log where it broke and the exception's type, never its message (it could quote user text)."""
    frames = "".join(traceback.format_tb(exc.__traceback__)[-6:])
    log.error("%s: %s\n%s", what, type(exc).__name__, frames)


@dataclass
class Turn:
    """What one update did to the database, for the async side to carry out."""

    key: str
    before: ChatState
    after: ChatState
    outcome: Outcome


def open_state_store(runtime: Runtime, *, webhook: bool) -> StateStore:
    """The state store, keyed by STATE_SECRET where production needs it; says which key it uses.

    Raises ConfigError when STATE_SECRET is required and missing (see Settings.state_secret_for).
    """
    store = StateStore(runtime.db, runtime.settings.state_secret_for(webhook=webhook))
    if store.key_source == "STATE_SECRET":
        log.info("chat ids are hidden with the key from STATE_SECRET")
        if store.drop_stored_secret():
            log.info("deleted the key this database kept from before STATE_SECRET was set")
    else:
        log.warning(
            "chat ids are hidden with a key kept in the database itself: fine for a local trial, "
            "not for real use. Set STATE_SECRET (%s) before going live.",
            MAKE_STATE_SECRET,
        )
    return store


class TelegramBot:
    """The handler's state: the runtime, the state store, the per-chat gate."""

    def __init__(self, runtime: Runtime, *, gate: ChatGate | None = None, webhook: bool = False) -> None:
        self.runtime = runtime
        self.menus = runtime.dialog.menus
        self.store = open_state_store(runtime, webhook=webhook)
        self.gate = gate or ChatGate()
        self.admin = Admin(runtime)
        #: Chats whose rows go as soon as the database is back (Quick exit or /forget while it was away).
        self.pending = PendingForgets()
        self.exit_seconds = EXIT_SECONDS
        self._purged_at = 0.0
        self._bot: Any = None  # the Application's Bot, set by build_application
        self.db_seconds = DB_TURN_SECONDS

    async def in_db_thread(self, work: Callable[..., T], *args: Any) -> T:
        """Run database work in a worker thread, giving up on it after ``db_seconds``.

        A thread cannot be stopped: the abandoned call ends on its own connect, pool or
        statement timeout; the person's answer does not wait for it.
        """
        try:
            return await asyncio.wait_for(asyncio.to_thread(work, *args), self.db_seconds)
        except TimeoutError:
            raise DatabaseTimeout(f"no answer within {self.db_seconds:g} s") from None

    # -- Bot API calls, retried ------------------------------------------------------------------
    async def call(
        self, method: Callable[..., Awaitable[T]], *args: Any, deadline: float | None = None, **kwargs: Any
    ) -> T:
        """Call the Bot API; sit out flood waits and retry network errors with backoff.

        The call is always tried once; waiting stops at ``deadline`` (``time.monotonic()``)
        and after ``MAX_TOTAL_FLOOD_WAIT`` seconds of flood waits, when the last error is raised.
        """
        pause = FIRST_BACKOFF
        network_failures = 0
        flood_waited = 0.0
        while True:
            try:
                return await method(*args, **kwargs)
            except RetryAfter as exc:
                wait = min(_seconds(exc._retry_after), MAX_FLOOD_WAIT)
                flood_waited += wait
                if flood_waited > MAX_TOTAL_FLOOD_WAIT or _past(deadline, wait):
                    raise
                log.warning("flood control: waiting %.1f s", wait)
                await asyncio.sleep(wait)
            except BadRequest:
                raise
            except NetworkError:  # includes TimedOut
                network_failures += 1
                if network_failures >= NETWORK_TRIES or _past(deadline, pause):
                    raise
                await asyncio.sleep(pause)
                pause *= 2

    async def send(self, chat_id: int, text: str, markup: Any = None) -> Message:
        message: Message = await self.call(
            self._bot.send_message, chat_id, text, reply_markup=markup, link_preview_options=_NO_PREVIEW
        )
        self.gate.note(chat_id, [message.message_id])
        return message

    def urgency(self, update: Update) -> Urgency:
        """Quick exit and /forget in a private chat pass the flood gate (see ``chats``)."""
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return Urgency.NORMAL
        event = adapter.event_for(update)
        if event is not None and is_quick_exit(event):
            return Urgency.QUICK_EXIT
        if event is not None and is_forget(event):
            return Urgency.FORGET
        return Urgency.NORMAL

    # -- the handler -----------------------------------------------------------------------------
    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        hint = adapter.language_hint(update)
        if self.urgency(update) is Urgency.QUICK_EXIT:
            event = adapter.event_for(update)
            assert event is not None
            await quick_exit(self, update, chat.id, event, hint)  # before anything that needs the database
            return
        try:
            if update.callback_query is not None:
                await self._answer(update)
            if chat.type != ChatType.PRIVATE:
                await self._group_pointer(update, hint)
                return
            if update.message is not None and await self.admin.handles(self, update):
                return
            event = adapter.event_for(update)
            if event is not None:
                await self._serve(update, chat.id, event, hint)
        except _DB_ERRORS as exc:
            _log_failure("database unavailable", exc)
            await self._fallback(chat.id, self.menus.ui(self._lang(hint), "try_again_later"), None)
        except Forbidden:
            log.info("the user blocked the bot; nothing to answer")
        except Exception as exc:
            _log_failure("update failed", exc)
            lang = self._lang(hint)
            sorry = self.menus.ui(lang, "sorry_error")
            menu = self.runtime.dialog.screens.main(ChatState(lang=lang), prefix=sorry)
            await self._fallback(chat.id, menu.text, adapter.inline_markup(menu))

    async def on_slow_down(self, update: Update) -> None:
        """The first update over a chat's limit: one calm answer, no database."""
        chat = update.effective_chat
        if chat is None or chat.type != ChatType.PRIVATE:
            return
        try:
            if update.callback_query is not None:
                await self._answer(update)
            await self.send(chat.id, self.menus.ui(self._lang(adapter.language_hint(update)), "slow_down"))
        except TelegramError as exc:
            _log_failure("slow-down answer failed", exc)

    async def _fallback(self, chat_id: int, text: str, markup: Any) -> None:
        try:
            await self.send(chat_id, text, markup)
        except Exception as exc:
            _log_failure("could not even apologise", exc)

    def _lang(self, hint: str | None) -> str:
        code = (hint or "")[:2].lower()
        return code if code in self.menus.codes else self.menus.codes[0]

    async def _answer(self, update: Update, deadline: float | None = None) -> None:
        query = update.callback_query
        if query is None:
            return
        with contextlib.suppress(BadRequest):  # too old to answer: the tap is still served
            await self.call(query.answer, deadline=deadline)

    async def answer_quietly(self, update: Update, deadline: float) -> None:
        """Stop the button's spinner if Telegram lets us in time; nothing depends on it."""
        try:
            await self._answer(update, deadline)
        except TelegramError as exc:
            log.info("callback answer skipped: %s", type(exc).__name__)

    async def _group_pointer(self, update: Update, hint: str | None) -> None:
        chat = update.effective_chat
        assert chat is not None
        if update.message is None and update.callback_query is None:
            return
        await self.call(self._bot.send_message, chat.id, self.menus.ui(self._lang(hint), "group_pointer"))

    # -- one turn --------------------------------------------------------------------------------
    def _turn(self, chat_id: int, event: Event, hint: str | None, incoming: list[int]) -> Turn:
        """The database side of one update (runs in a worker thread): one connection, one commit.

        Reading the state in the same transaction takes no lock: SQLite starts its
        transaction at the first write, and PostgreSQL's plain SELECT locks nothing.
        """
        self.pending.drain(self.store)  # rows a Quick exit could not delete while the database was away
        self.runtime.refresh_if_changed()
        self._purge_now_and_then()
        key = self.store.key_for(chat_id)
        with self.store.begin() as connection:
            # A new chat starts in the app's language.
            new_chat = ChatState(lang=self._lang(hint))
            before = self.store.load(key, new_chat=new_chat, connection=connection)
            outcome, after = self.runtime.dialog.handle(before, event)
            # The counts first: a listing report (rare) commits on its own before this writes.
            self.runtime.record(outcome, connection, report_token=self.store.report_token(key))
            if Effect.FORGET in outcome.effects:
                # The state goes; the message ids stay (until they expire) so a later Quick exit
                # still deletes the messages from before /forget.
                self.store.forget_state(key, connection=connection)
                self.store.remember_messages(key, incoming, connection=connection)
            else:
                self.store.save_with_messages(key, after, incoming, connection=connection)
        if Effect.FORGET in outcome.effects:
            self.store.scrub_files()  # after the commit: no copy of the old state left in SQLite's log
        return Turn(key, before, after, outcome)

    def _forget_later(self, chat_id: int, event: Event, hint: str | None) -> Turn:
        """/forget while the database is away: the state goes as soon as it is back, before anything reads it."""
        key = self.store.key_for(chat_id)
        self.pending.add(key, everything=False)
        before = ChatState(lang=self._lang(hint))
        outcome, after = self.runtime.dialog.handle(before, event)
        return Turn(key, before, after, outcome)

    def _purge_now_and_then(self) -> None:
        now = time.monotonic()
        if now - self._purged_at >= PURGE_SECONDS:
            self._purged_at = now
            self.store.purge_expired()
            purge_report_guards(self.runtime.db)

    async def _serve(self, update: Update, chat_id: int, event: Event, hint: str | None) -> None:
        incoming = [update.message.message_id] if update.message is not None else []
        query = update.callback_query
        tapped = query.message if query is not None and isinstance(query.message, Message) else None
        if tapped is not None:
            incoming.append(tapped.message_id)
        try:
            turn = await self.in_db_thread(self._turn, chat_id, event, hint, incoming)
        except _DB_ERRORS as exc:
            if not is_forget(event):
                raise
            _log_failure("database unavailable for /forget", exc)
            turn = self._forget_later(chat_id, event, hint)
        sent = await self._deliver(chat_id, turn, tapped)
        if sent:
            try:
                await self.in_db_thread(self.store.remember_messages, turn.key, sent)
            except _DB_ERRORS as exc:
                # The reply has arrived: a "try again later" now would contradict it. Quick exit
                # still deletes this id: it spans every id up to the message asking for it.
                _log_failure("could not remember the ids of delivered messages", exc)

    async def _deliver(self, chat_id: int, turn: Turn, tapped: Message | None) -> list[int]:
        """Send or edit the replies; returns the ids of new messages."""
        outcome = turn.outcome
        asks_location = Effect.ASK_LOCATION in outcome.effects
        # Leaving the area screen: the location keyboard must go, which only a new message can do.
        drop_keyboard = turn.before.screen == "area" and not asks_location
        editable = tapped if tapped is not None and not adapter.is_card(tapped) else None
        sent: list[int] = []
        for reply in outcome.replies:
            markup = adapter.inline_markup(reply)
            if drop_keyboard:
                drop_keyboard = False
                sent.append(await self._send_dropping_keyboard(chat_id, reply, markup, editable))
                editable = None
                continue
            if reply.role is Role.MENU and editable is not None and await self._edit(editable, reply, markup):
                editable = None
                continue
            message = await self.send(chat_id, reply.text, markup)
            sent.append(message.message_id)
        if asks_location and turn.before.screen != "area":
            keyboard = adapter.location_keyboard(self.menus, turn.after.lang)
            message = await self.send(chat_id, self.menus.ui(turn.after.lang, "share_location"), keyboard)
            sent.append(message.message_id)
        return sent

    async def _edit(self, message: Message, reply: Reply, markup: Any) -> bool:
        """Edit a menu in place; False when Telegram will not (too old, gone) and a new one is needed."""
        try:
            await self.call(
                self._bot.edit_message_text,
                reply.text,
                chat_id=message.chat_id,
                message_id=message.message_id,
                reply_markup=markup,
                link_preview_options=_NO_PREVIEW,
            )
        except BadRequest as exc:
            # "not modified": a double tap, or a retried edit that had already landed.
            return "not modified" in str(exc).lower()
        return True

    async def _send_dropping_keyboard(self, chat_id: int, reply: Reply, markup: Any, old_menu: Message | None) -> int:
        """Send ``reply`` in a message that also removes the location keyboard, then add its buttons."""
        message = await self.send(chat_id, reply.text, ReplyKeyboardRemove())
        if markup is not None:
            await self.call(
                self._bot.edit_message_reply_markup,
                chat_id=chat_id,
                message_id=message.message_id,
                reply_markup=markup,
            )
        if old_menu is not None:
            with contextlib.suppress(BadRequest):
                await self.call(self._bot.delete_message, chat_id, old_menu.message_id)
        return message.message_id


async def _log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Last resort for anything the handler did not catch: log it, without message text."""
    if context.error is not None:
        _log_failure("unhandled error", context.error)


async def prepare_bot(application: AnyApplication) -> None:
    """At start: learn the bot's username for share links, register the command lists."""
    bot: TelegramBot = application.bot_data["resource_bot"]
    screens = bot.runtime.dialog.screens
    if not bot.runtime.settings.bot_username:
        screens.bot_username = application.bot.username
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
    bot = TelegramBot(runtime, gate=gate, webhook=not polling)

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
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        Application.builder()
        .bot(telegram_bot)
        .concurrent_updates(ChatUpdateProcessor(bot.gate, bot.on_slow_down, urgency=bot.urgency))
        .post_init(prepare_bot)
    )
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data["resource_bot"] = bot
    bot._bot = application.bot
    application.add_handler(TypeHandler(Update, bot.on_update))
    application.add_error_handler(_log_error)
    return application
