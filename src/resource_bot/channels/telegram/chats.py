"""Per-chat ordering and flood control.

Different chats are served at the same time; one chat's updates are served
one after another, in the order they arrived (an ``asyncio.Lock`` per chat,
which wakes its waiters first come, first served). A token bucket per chat
lets a person tap quickly but slows down one chat that floods the bot: the
first update over the limit gets a single "slow down" answer, the rest are
dropped until the bucket refills. Nobody else waits for that chat.

Quick exit and /forget never meet the bucket: a person who tapped twelve
times and then ❌ gets the exit, not "slow down". A quick exit also jumps the
chat's queue: updates that arrived before it and have not started are dropped
(their replies would only land after the exit), and it runs as soon as the
update being served finishes. A photo album counts once: its other items
(without a caption) are dropped silently instead of using up the allowance.

The gate also notes the newest message id it saw or the bot sent in each chat,
so a quick exit knows how far up to delete without asking the database.

Buckets and locks live in this process only; behind a load balancer each
webhook process keeps its own, which still bounds what one chat can cost.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

#: A chat may send this many updates in a burst...
BURST = 8
#: ...and then one every this many seconds.
SECONDS_PER_UPDATE = 0.5
#: A quick exit waits this long for the update being served, then cuts it short.
EXIT_WAIT = 1.0


class Verdict(enum.Enum):
    SERVE = "serve"
    SLOW_DOWN = "slow_down"  # the first update over the limit: answer "slow down" once
    DROP = "drop"


class Urgency(enum.Enum):
    """How an update meets the gate."""

    NORMAL = "normal"
    FORGET = "forget"  # /forget: never dropped, served in order
    QUICK_EXIT = "quick_exit"  # never dropped, and drops what waits before it


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False
    newest: int = 0  # the newest message id seen in the chat, from either side
    album: str | None = None  # the photo album being received


@dataclass
class ChatGate:
    burst: int = BURST
    seconds_per_update: float = SECONDS_PER_UPDATE
    exit_wait: float = EXIT_WAIT
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[int, _Bucket] = field(default_factory=dict)
    _locks: dict[int, _Lane] = field(default_factory=dict)

    def _bucket(self, chat_id: int, now: float) -> _Bucket:
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            bucket = self._buckets[chat_id] = _Bucket(float(self.burst), now)
            if len(self._buckets) > 10_000:
                self._prune(now)
        return bucket

    def note(self, chat_id: int, message_ids: list[int]) -> None:
        """Remember the newest message id of the chat (in memory only) for a quick exit."""
        if message_ids:
            bucket = self._bucket(chat_id, self.clock())
            bucket.newest = max(bucket.newest, *message_ids)

    def cuts(self, chat_id: int) -> int:
        """How many updates of the chat quick exits have cut short (while its lane is in use)."""
        lane = self._locks.get(chat_id)
        return lane.cuts if lane is not None else 0

    def newest(self, chat_id: int) -> int | None:
        bucket = self._buckets.get(chat_id)
        return bucket.newest if bucket is not None and bucket.newest else None

    def admit(self, chat_id: int, album: str | None = None) -> Verdict:
        """``album``: the media group id of a photo without a caption; the rest of an album is dropped."""
        now = self.clock()
        bucket = self._bucket(chat_id, now)
        if album is not None and album == bucket.album:
            return Verdict.DROP
        bucket.album = album
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.stamp) / self.seconds_per_update)
        bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return Verdict.SERVE
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.SLOW_DOWN

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled: they hold nothing a fresh one would not."""
        full = self.burst * self.seconds_per_update
        for chat_id in [c for c, b in self._buckets.items() if now - b.stamp >= full]:
            del self._buckets[chat_id]

    async def serialized(self, chat_id: int, work: Awaitable[None], *, quick_exit: bool = False) -> None:
        """Run ``work`` after every earlier update of the same chat.

        A ``quick_exit`` drops the earlier updates that are still waiting. The one being
        served may finish first (so nothing it sends lands after the exit), but only for
        ``exit_wait`` seconds: one stuck in a long flood wait or a slow database is cut short.
        """
        entry = self._locks.get(chat_id)
        if entry is None:
            entry = self._locks[chat_id] = _Lane(asyncio.Lock())
        entry.users += 1
        if quick_exit:
            entry.exits += 1
        exits_before = entry.exits
        try:
            await (self._cut_in(entry) if quick_exit else entry.lock.acquire())
            try:
                if not quick_exit and entry.exits != exits_before:
                    _close(work)  # a quick exit came after this update: it is moot
                    return
                await self._run(entry, work)
            finally:
                entry.lock.release()
        finally:
            entry.users -= 1
            if entry.users == 0 and self._locks.get(chat_id) is entry:
                del self._locks[chat_id]

    async def _cut_in(self, lane: _Lane) -> None:
        """Take the lane's lock for a quick exit, cutting short the update that holds it too long."""
        acquire = asyncio.ensure_future(lane.lock.acquire())
        try:
            done, _ = await asyncio.wait({acquire}, timeout=self.exit_wait)
            if not done and lane.running is not None:
                lane.cut_short = lane.running
                lane.cuts += 1
                lane.running.cancel()
            await acquire
        except asyncio.CancelledError:
            if acquire.done() and not acquire.cancelled() and acquire.exception() is None:
                lane.lock.release()
            acquire.cancel()
            raise

    async def _run(self, lane: _Lane, work: Awaitable[None]) -> None:
        running = lane.running = asyncio.ensure_future(work)
        try:
            await running
        except asyncio.CancelledError:
            if lane.cut_short is not running:
                raise  # cancelled from outside (shutdown): not ours to swallow
        finally:
            lane.running = None
            if lane.cut_short is running:
                lane.cut_short = None


@dataclass
class _Lane:
    """One chat's lock and how many updates hold or wait for it (so an idle chat costs nothing)."""

    lock: asyncio.Lock
    users: int = 0
    exits: int = 0  # quick exits that arrived while the lane existed
    running: asyncio.Future[None] | None = None  # the update being served
    cut_short: asyncio.Future[None] | None = None  # the one a quick exit cancelled
    cuts: int = 0  # how many were cut short


def chat_id_of(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


def message_ids_of(update: Update) -> list[int]:
    """The message ids an update carries: the person's new message, or the message a button was on."""
    ids = []
    if update.message is not None:
        ids.append(update.message.message_id)
    query = update.callback_query
    if query is not None and query.message is not None:
        ids.append(query.message.message_id)
    return ids


def album_of(update: Update) -> str | None:
    """The album id of a photo or file sent in an album without a caption of its own."""
    message = update.message
    if message is None or not message.media_group_id or message.caption:
        return None
    return message.media_group_id


class ChatUpdateProcessor(BaseUpdateProcessor):
    """PTB's hook for concurrent updates: admit, then order, per chat."""

    def __init__(
        self,
        gate: ChatGate,
        on_slow_down: Callable[[Update], Awaitable[None]],
        max_concurrent_updates: int = 64,
        *,
        urgency: Callable[[Update], Urgency] | None = None,
        on_shutdown: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.gate = gate
        self._on_slow_down = on_slow_down
        self._urgency = urgency or (lambda update: Urgency.NORMAL)
        self._on_shutdown = on_shutdown

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat_id = chat_id_of(update)
        if chat_id is None or not isinstance(update, Update):
            await coroutine
            return
        self.gate.note(chat_id, message_ids_of(update))
        urgency = self._urgency(update)
        if urgency is Urgency.QUICK_EXIT:
            await self.gate.serialized(chat_id, coroutine, quick_exit=True)
            return
        verdict = Verdict.SERVE if urgency is Urgency.FORGET else self.gate.admit(chat_id, album_of(update))
        if verdict is not Verdict.SERVE:
            _close(coroutine)
            if verdict is Verdict.SLOW_DOWN:
                await self.gate.serialized(chat_id, self._on_slow_down(update))
            return
        await self.gate.serialized(chat_id, coroutine)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        """Called by ``Application.shutdown``, once no update is being served any more."""
        if self._on_shutdown is not None:
            await self._on_shutdown()


def _close(coroutine: Awaitable[Any]) -> None:
    close = getattr(coroutine, "close", None)
    if callable(close):
        close()
