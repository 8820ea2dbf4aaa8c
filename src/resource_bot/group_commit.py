"""Group commit: the writes of updates served together go to the database in one transaction.

Each update used to commit on its own (its chat's state and the ids of the messages it
carried, then the ids of the replies sent). Now a :class:`GroupCommit` collects the writes
of the updates served meanwhile and writes them all in one transaction: one commit for the
lot. "Meanwhile" is while the previous commit runs, plus a window (``GROUP_COMMIT_MS``,
0 ms by default) that the first write waiting may wait for others; at most
``GROUP_COMMIT_MAX`` share one commit. With no window, an update served alone commits at
once, and under load the batches form by themselves (about 20 updates a commit with 64
served at once): the same CPU per update as with a 2-5 ms window in the benchmarks, and no
wait added to a reply. The anonymous counts
kept in memory ride along when their flush is due (:meth:`Runtime.counts_due`).

The order is **write, then reply**: an update's reply waits for the commit of its batch
(:meth:`GroupCommit.write`), so a reply is never sent for a state that could still be
lost; no reply waits longer than the window, the commit under way and its own batch's
commit (unless more than ``GROUP_COMMIT_MAX`` writes wait: the rest go in the next). If
the process dies, what is lost is the states of the updates in the open window, and none
of them got a reply: the person sees no answer and sends again (and on a webhook Telegram
sends the update again by itself). If the batch's commit fails (the
database is away), every update in it fails as it would have alone, and gets the same
calm answer with the emergency numbers.

The ids of replies, known only once they are sent, are written in the next batch without
anyone waiting for them (:meth:`GroupCommit.write_later`); a crash may lose them, and Quick
exit still deletes those messages (it deletes a window of ids below the newest it knows).

One writer, in order: batches commit one after the other, and within a batch in the order
the writes came. Quick exit's erasure goes through the same line (:meth:`GroupCommit.run`),
so a write of the chat queued before it lands before it, never after: a batched older state
cannot bring back a chat that was just erased. A chat's next update starts only once its
previous one is answered (``chats.ChatGate``), hence after its state is committed: it
always reads the state its previous update left.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection

from resource_bot.dialog.chatstate import ChatState
from resource_bot.state_store import MESSAGE_TTL, STATE_TTL, StateStore, expiry_after

if TYPE_CHECKING:
    from resource_bot.runtime import Runtime

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How long the first write of a batch waits for others, in seconds (``GROUP_COMMIT_MS``).
WINDOW_SECONDS = 0.0
#: Most writes in one batch (``GROUP_COMMIT_MAX``); more wait for the next one.
MAX_BATCH = 64


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ChatWrite:
    """What one update writes about a chat: its new state (or that /forget dropped it) and message ids."""

    key: str
    state: ChatState | None = None
    forget_state: bool = False  # /forget: the state goes, the message ids stay for Quick exit
    message_ids: Sequence[int] = ()
    at: dt.datetime = field(default_factory=_now)


Work = Callable[[Connection], Any]


@dataclass
class _Entry:
    item: ChatWrite | Work
    waiter: asyncio.Future[Any] | None


class GroupCommit:
    """One ordered writer that commits the waiting writes together (see the module doc).

    Lives on one event loop: call its coroutines from there. The transaction runs in a worker
    thread. ``store.engine`` is read at each commit, so the engine can be swapped (tests do).
    """

    def __init__(
        self,
        store: StateStore,
        runtime: Runtime | None = None,
        *,
        window: float = WINDOW_SECONDS,
        max_batch: int = MAX_BATCH,
        after_forget: Callable[[], object] | None = None,
    ) -> None:
        self.store = store
        self.runtime = runtime
        self.window = max(0.0, window)
        self.max_batch = max(1, max_batch)
        self._after_forget = after_forget or store.scrub_files
        self._queue: list[_Entry] = []
        self._arrived: asyncio.Event | None = None
        self._full: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._opened = 0.0  # when the first write now waiting was queued (the event loop's clock)
        #: Batches committed and writes in them, for the logs and benchmarks.
        self.batches = 0
        self.writes = 0

    # -- what callers use ------------------------------------------------------------------------
    async def write(self, write: ChatWrite) -> None:
        """Queue ``write`` and wait until its batch is committed; raises the batch's database error."""
        await self._submit(write)

    def write_later(self, write: ChatWrite) -> None:
        """Queue ``write`` for the next batch; nobody waits, a failure is only logged."""
        if self._closed:
            asyncio.get_running_loop().run_in_executor(None, self._commit_now, [_Entry(write, None)])
            return
        self._enqueue(_Entry(write, None))

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in the next batch's transaction, after every write queued before it."""
        result: T = await self._submit(work)
        return result

    async def close(self) -> None:
        """Commit what waits and stop; later writes commit at once, each on its own."""
        self._closed = True
        if self._arrived is not None and self._full is not None:
            self._arrived.set()
            self._full.set()  # ends the window under way: nothing more is coming
        task = self._task
        if task is not None:
            await task
        if self._queue:  # queued after the loop ended
            batch, self._queue = self._queue, []
            await asyncio.to_thread(self._commit_now, batch)

    # -- the line --------------------------------------------------------------------------------
    async def _submit(self, item: ChatWrite | Work) -> Any:
        waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        entry = _Entry(item, waiter)
        if self._closed:
            await asyncio.to_thread(self._commit_now, [entry])
        else:
            self._enqueue(entry)
        # Shielded: a caller that stops waiting (a timeout, a Quick exit cutting in) leaves its
        # write in the line; it commits in its turn, before anything queued after it.
        return await asyncio.shield(waiter)

    def _enqueue(self, entry: _Entry) -> None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            # The first write, or the first on this event loop (a test may run several in turn).
            self._arrived, self._full = asyncio.Event(), asyncio.Event()
            self._task = loop.create_task(self._loop(), name="group-commit")
        assert self._arrived is not None and self._full is not None
        if not self._queue:
            self._opened = loop.time()  # the window opens with the first write waiting
        self._queue.append(entry)
        self._arrived.set()
        if len(self._queue) >= self.max_batch:
            self._full.set()

    async def _loop(self) -> None:
        assert self._arrived is not None and self._full is not None
        while True:
            if not self._queue:
                if self._closed:
                    return
                self._arrived.clear()
                await self._arrived.wait()
                continue
            left = self._opened + self.window - asyncio.get_running_loop().time()
            if left > 0 and not self._closed and len(self._queue) < self.max_batch:
                # The window: the first write waits a little for others (less if it already waited
                # while the previous batch was being committed).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), left)
            batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            if len(self._queue) < self.max_batch:
                self._full.clear()
            await self._commit_batch(batch)

    async def _commit_batch(self, batch: list[_Entry]) -> None:
        try:
            results = await asyncio.to_thread(self._commit, batch)
        except Exception as exc:
            if any(entry.waiter is None for entry in batch):
                log.warning("group commit failed: %s", type(exc).__name__)
            for entry in batch:
                if entry.waiter is not None and not entry.waiter.done():
                    entry.waiter.set_exception(exc)
                    entry.waiter.exception()  # read here: a waiter that gave up must not log it again
            return
        for entry, result in zip(batch, results, strict=True):
            if entry.waiter is not None and not entry.waiter.done():
                entry.waiter.set_result(result)

    def _commit_now(self, batch: list[_Entry]) -> None:
        """After :meth:`close`: commit at once (in the caller's thread), handing results to the waiters."""
        try:
            results = self._commit(batch)
        except Exception as exc:
            for entry in batch:
                if entry.waiter is not None:
                    entry.waiter.get_loop().call_soon_threadsafe(_settle, entry.waiter, exc, None)
                else:
                    log.warning("write after close failed: %s", type(exc).__name__)
            return
        for entry, result in zip(batch, results, strict=True):
            if entry.waiter is not None:
                entry.waiter.get_loop().call_soon_threadsafe(_settle, entry.waiter, None, result)

    # -- the transaction (a worker thread) -------------------------------------------------------
    def _commit(self, batch: list[_Entry]) -> list[Any]:
        """Every write of ``batch`` in one transaction, in order; the results of the work items."""
        store, runtime = self.store, self.runtime
        results: list[Any] = []
        forgot = False
        counts = None
        states: dict[str, dict[str, Any]] = {}
        ids: dict[tuple[str, int], dict[str, Any]] = {}
        try:
            with store.begin() as connection:
                if runtime is not None:
                    counts = runtime.counts_due(connection)
                for entry in batch:
                    item = entry.item
                    if isinstance(item, ChatWrite) and not item.forget_state:
                        _collect(item, states, ids)
                        results.append(None)
                        continue
                    # A forget (or Quick exit's work) after what came before it, never before.
                    _write(store, connection, states, ids)
                    forgot = True
                    if isinstance(item, ChatWrite):
                        store.forget_state(item.key, connection=connection)
                        _collect(item, states, ids)
                        results.append(None)
                    else:
                        results.append(item(connection))
                _write(store, connection, states, ids)
        except BaseException:
            if counts and runtime is not None:
                runtime.counts_back(counts)
            raise
        self.batches += 1
        self.writes += len(batch)
        if forgot:
            self._after_forget()  # after the commit: no copy of the old rows left in SQLite's log
        return results


def _collect(item: ChatWrite, states: dict[str, dict[str, Any]], ids: dict[tuple[str, int], dict[str, Any]]) -> None:
    if item.state is not None:
        # One row per chat and statement (PostgreSQL refuses to upsert a row twice in one).
        states[item.key] = {
            "chat_key": item.key,
            "state": item.state.to_dict(),
            "expires_at": expiry_after(item.at, STATE_TTL),
        }
    expires = expiry_after(item.at, MESSAGE_TTL)
    for message_id in item.message_ids:
        ids.setdefault(
            (item.key, int(message_id)), {"chat_key": item.key, "message_id": int(message_id), "expires_at": expires}
        )


def _write(
    store: StateStore,
    connection: Connection,
    states: dict[str, dict[str, Any]],
    ids: dict[tuple[str, int], dict[str, Any]],
) -> None:
    """The collected states and ids: at most two statements, however many chats."""
    if states:
        store.save_rows(list(states.values()), connection=connection)
        states.clear()
    if ids:
        store.remember_rows([ids[k] for k in sorted(ids)], connection=connection)
        ids.clear()


def _settle(waiter: asyncio.Future[Any], exc: BaseException | None, result: Any) -> None:
    if waiter.done():
        return
    if exc is not None:
        waiter.set_exception(exc)
        waiter.exception()
    else:
        waiter.set_result(result)
