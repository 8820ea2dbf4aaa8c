"""Per-chat ordering and flood control.

Different chats are served at the same time; one chat's updates are served
one after another, in the order they arrived (an ``asyncio.Lock`` per chat,
which wakes its waiters first come, first served). A token bucket per chat
lets a person tap quickly but slows down one chat that floods the bot: the
first update over the limit gets a single "slow down" answer, the rest are
dropped until the bucket refills. Nobody else waits for that chat.

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


class Verdict(enum.Enum):
    SERVE = "serve"
    SLOW_DOWN = "slow_down"  # the first update over the limit: answer "slow down" once
    DROP = "drop"


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False


@dataclass
class ChatGate:
    burst: int = BURST
    seconds_per_update: float = SECONDS_PER_UPDATE
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[int, _Bucket] = field(default_factory=dict)
    _locks: dict[int, _Lane] = field(default_factory=dict)

    def admit(self, chat_id: int) -> Verdict:
        now = self.clock()
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            bucket = self._buckets[chat_id] = _Bucket(float(self.burst), now)
            if len(self._buckets) > 10_000:
                self._prune(now)
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

    async def serialized(self, chat_id: int, work: Awaitable[None]) -> None:
        """Run ``work`` after every earlier update of the same chat."""
        entry = self._locks.get(chat_id)
        if entry is None:
            entry = self._locks[chat_id] = _Lane(asyncio.Lock())
        entry.users += 1
        try:
            async with entry.lock:
                await work
        finally:
            entry.users -= 1
            if entry.users == 0 and self._locks.get(chat_id) is entry:
                del self._locks[chat_id]


@dataclass
class _Lane:
    """One chat's lock and how many updates hold or wait for it (so an idle chat costs nothing)."""

    lock: asyncio.Lock
    users: int = 0


def chat_id_of(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


class ChatUpdateProcessor(BaseUpdateProcessor):
    """PTB's hook for concurrent updates: admit, then order, per chat."""

    def __init__(
        self,
        gate: ChatGate,
        on_slow_down: Callable[[Update], Awaitable[None]],
        max_concurrent_updates: int = 64,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.gate = gate
        self._on_slow_down = on_slow_down

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat_id = chat_id_of(update)
        if chat_id is None:
            await coroutine
            return
        verdict = self.gate.admit(chat_id)
        if verdict is not Verdict.SERVE:
            _close(coroutine)
            if verdict is Verdict.SLOW_DOWN and isinstance(update, Update):
                await self.gate.serialized(chat_id, self._on_slow_down(update))
            return
        await self.gate.serialized(chat_id, coroutine)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _close(coroutine: Awaitable[Any]) -> None:
    close = getattr(coroutine, "close", None)
    if callable(close):
        close()
