"""The one handler every update goes to, and what it holds: the state store, the per-chat gate.

For a private chat it turns the update into an engine event (``adapter``), reads the
state and runs the engine in a worker thread (``turns``), waits for its writes to be
committed with those of the other updates served meanwhile (``group_commit``), and only
then carries out the outcome (``delivery``). Quick exit never waits for the database: it
goes to ``exiting`` first. The conversation state is in the database, so any process can
answer any chat's next tap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Bot, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from resource_bot.channels.store import open_state_store
from resource_bot.channels.telegram import adapter, calls
from resource_bot.channels.telegram.admin import Admin
from resource_bot.channels.telegram.chats import ChatGate, Urgency
from resource_bot.channels.telegram.delivery import NO_PREVIEW, deliver
from resource_bot.channels.telegram.exiting import EXIT_SECONDS, quick_exit
from resource_bot.channels.telegram.turns import (
    DB_ERRORS,
    DB_TURN_SECONDS,
    DatabaseTimeout,
    forget_later,
    run_turn,
)
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.events import Event
from resource_bot.dialog.quickexit import is_forget, is_quick_exit
from resource_bot.group_commit import ChatWrite, GroupCommit
from resource_bot.pending import PendingForgets
from resource_bot.runtime import Runtime

log = logging.getLogger(__name__)

T = TypeVar("T")


def log_failure(what: str, exc: BaseException) -> None:
    """Log where it broke and the exception's type, never its message (it could quote user text)."""
    frames = "".join(traceback.format_tb(exc.__traceback__)[-6:])
    log.error("%s: %s\n%s", what, type(exc).__name__, frames)


class TelegramBot:
    """The handler's state: the runtime, the Bot it calls, the state store, the per-chat gate.

    ``webhook``: the process answers Telegram's POSTs (``webhook.py``). Then a button tap's
    ``answerCallbackQuery`` is not sent: it rides in the HTTP answer to the POST, once the tap
    is served (see :meth:`callback_answer`), so a tap costs one Bot API request instead of two.
    """

    def __init__(self, runtime: Runtime, telegram: Bot, *, gate: ChatGate | None = None, webhook: bool = False) -> None:
        self.runtime = runtime
        self.telegram = telegram
        self.menus = runtime.dialog.menus
        self.store = open_state_store(runtime, webhook=webhook)
        self.gate = gate or ChatGate()
        self.admin = Admin(runtime)
        #: Chats whose rows go as soon as the database is back (Quick exit or /forget while it was away).
        self.pending = PendingForgets()
        self.exit_seconds = EXIT_SECONDS
        self.purged_at = 0.0
        self.db_seconds = DB_TURN_SECONDS
        self.answers_in_reply = webhook
        settings = runtime.settings
        #: Every write of the chats' rows, in order, many updates to a commit (see group_commit).
        self.committer = GroupCommit(
            self.store, runtime, window=settings.group_commit_ms / 1000, max_batch=settings.group_commit_max
        )

    async def in_db_thread(self, work: Callable[..., T], *args: Any) -> T:
        """Run database work in a worker thread, giving up on it after ``db_seconds``.

        A thread cannot be stopped: the abandoned call ends on its own connect, pool or
        statement timeout; the person's answer does not wait for it.
        """
        try:
            return await asyncio.wait_for(asyncio.to_thread(work, *args), self.db_seconds)
        except TimeoutError:
            raise DatabaseTimeout(f"no answer within {self.db_seconds:g} s") from None

    async def commit(self, write: ChatWrite) -> None:
        """Wait until ``write`` is committed with its batch, giving up after ``db_seconds``.

        A write given up on stays in the line and commits in its turn (see group_commit).
        """
        try:
            await asyncio.wait_for(self.committer.write(write), self.db_seconds)
        except TimeoutError:
            raise DatabaseTimeout(f"not committed within {self.db_seconds:g} s") from None

    async def call(
        self, method: Callable[..., Awaitable[T]], *args: Any, deadline: float | None = None, **kwargs: Any
    ) -> T:
        """A Bot API call, retried (see ``calls``)."""
        return await calls.call(method, *args, deadline=deadline, **kwargs)

    async def send(self, chat_id: int, text: str, markup: Any = None, *, protect: bool = False) -> Message:
        # protect_content: Telegram lets nobody forward or save the message (a guide's screens).
        extra = {"protect_content": True} if protect else {}
        message: Message = await self.call(
            self.telegram.send_message, chat_id, text, reply_markup=markup, link_preview_options=NO_PREVIEW, **extra
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

    def lang(self, hint: str | None) -> str:
        code = (hint or "")[:2].lower()
        return code if code in self.menus.codes else self.menus.codes[0]

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
        except DB_ERRORS as exc:
            log_failure("database unavailable", exc)
            await self._fallback(chat.id, self.menus.ui(self.lang(hint), "try_again_later"), None)
        except Forbidden:
            log.info("the user blocked the bot; nothing to answer")
        except Exception as exc:
            log_failure("update failed", exc)
            lang = self.lang(hint)
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
            await self.send(chat.id, self.menus.ui(self.lang(adapter.language_hint(update)), "slow_down"))
        except TelegramError as exc:
            log_failure("slow-down answer failed", exc)

    async def _fallback(self, chat_id: int, text: str, markup: Any) -> None:
        try:
            await self.send(chat_id, text, markup)
        except Exception as exc:
            log_failure("could not even apologise", exc)

    # -- the button's spinner --------------------------------------------------------------------
    def callback_answer(self, update: Update) -> dict[str, str] | None:
        """The ``answerCallbackQuery`` to put in the webhook's HTTP answer to ``update``, if any.

        Telegram runs one Bot API method given as the body of that answer; it reports no
        result, which is fine here: nothing depends on the spinner stopping.
        """
        query = update.callback_query
        if not self.answers_in_reply or query is None:
            return None
        return {"method": "answerCallbackQuery", "callback_query_id": query.id}

    async def _answer(self, update: Update, deadline: float | None = None) -> None:
        query = update.callback_query
        if query is None or self.answers_in_reply:  # answered in the webhook's reply, once served
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
        await self.call(self.telegram.send_message, chat.id, self.menus.ui(self.lang(hint), "group_pointer"))

    # -- one turn --------------------------------------------------------------------------------
    async def _serve(self, update: Update, chat_id: int, event: Event, hint: str | None) -> None:
        incoming = [update.message.message_id] if update.message is not None else []
        query = update.callback_query
        tapped = query.message if query is not None and isinstance(query.message, Message) else None
        if tapped is not None:
            incoming.append(tapped.message_id)
        try:
            turn = await self.in_db_thread(run_turn, self, chat_id, event, hint, incoming)
            if turn.write is not None:
                await self.commit(turn.write)  # write, then reply: no reply for a state that could be lost
        except DB_ERRORS as exc:
            if not is_forget(event):
                raise
            log_failure("database unavailable for /forget", exc)
            turn = forget_later(self, chat_id, event, hint)
        sent = await deliver(self, chat_id, turn, tapped)
        if sent:
            # The reply has arrived: its ids go in the next batch, and nobody waits for them. A
            # failure is only logged (a "try again later" now would contradict the reply), and
            # Quick exit still deletes these messages: it spans every id up to the one asking for it.
            self.committer.write_later(ChatWrite(turn.key, message_ids=sent))
