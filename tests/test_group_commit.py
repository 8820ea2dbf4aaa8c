"""Group commit: the writes of updates served together go to the database in one transaction, in order.

Each test queues the writes of a few updates at once, as the Telegram handler does when
several people are served together, and reads what the database holds afterwards. Run on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine
from sqlalchemy.exc import OperationalError

from resource_bot.clock import utc_today
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.engine import Engine
from resource_bot.group_commit import ChatWrite, GroupCommit
from resource_bot.runtime import COUNT_FLUSH_SECONDS, Runtime
from resource_bot.state_store import StateStore
from resource_bot.stats import read_counts
from tests.postgres import runtime_on

ALICE, BOB, CAROL = "alice-key", "bob-key", "carol-key"
LEGAL = ChatState(screen="topic:legal", topic="legal")
FOOD = ChatState(lang="es", screen="topic:food", topic="food")


@pytest.fixture(params=["sqlite", "postgresql"])
def runtime(request: pytest.FixtureRequest, tmp_path: Path, engine: Engine) -> Iterator[Runtime]:
    with runtime_on(request.param, tmp_path, engine, "group_commit") as served:
        yield served


@pytest.fixture
def store(runtime: Runtime) -> StateStore:
    return StateStore(runtime.db, "k" * 40)


def together(*work: Any) -> list[Any]:
    """Run the coroutines as updates served at the same moment: all queued before the first commit."""

    async def main() -> list[Any]:
        return await asyncio.gather(*work, return_exceptions=True)

    return asyncio.run(main())


def forget(store: StateStore, key: str) -> Any:
    def work(connection: Connection) -> list[int]:
        ids = store.messages(key, connection=connection)
        store.forget(key, connection=connection)
        return ids

    return work


def test_three_people_served_together_are_written_in_one_commit(store: StateStore) -> None:
    committer = GroupCommit(store, window=0)

    results = together(
        committer.write(ChatWrite(ALICE, LEGAL, message_ids=[10, 11])),
        committer.write(ChatWrite(BOB, FOOD, message_ids=[20])),
        committer.write(ChatWrite(CAROL, ChatState(), message_ids=[30])),
    )

    assert results == [None, None, None]
    assert committer.batches == 1 and committer.writes == 3, "one transaction for the three"
    assert store.load(ALICE) == LEGAL and store.messages(ALICE) == [10, 11]
    assert store.load(BOB) == FOOD and store.messages(BOB) == [20]
    assert store.messages(CAROL) == [30]


def test_a_full_batch_is_committed_and_the_rest_go_in_the_next(store: StateStore) -> None:
    committer = GroupCommit(store, window=0, max_batch=2)

    together(*(committer.write(ChatWrite(key, LEGAL)) for key in (ALICE, BOB, CAROL)))

    assert (committer.batches, committer.writes) == (2, 3)
    assert all(store.load(key) == LEGAL for key in (ALICE, BOB, CAROL))


def test_quick_exit_queued_after_a_chats_write_erases_it_and_a_write_queued_after_the_exit_stays(
    store: StateStore,
) -> None:
    store.remember_messages(ALICE, [1, 2])
    committer = GroupCommit(store, window=0)

    results = together(
        committer.write(ChatWrite(ALICE, LEGAL, message_ids=[3])),  # served before the exit, not yet written
        committer.write(ChatWrite(BOB, FOOD)),
        committer.run(forget(store, ALICE)),
        committer.write(ChatWrite(ALICE, ChatState(), message_ids=[9])),  # the person starts again
    )

    assert committer.batches == 1
    assert results[2] == [1, 2, 3], "the exit saw the ids written just before it, and deleted them"
    assert store.load(ALICE, new_chat=ChatState(screen="help")) == ChatState(), "the new start's state"
    assert store.messages(ALICE) == [9]
    assert store.load(BOB) == FOOD, "nobody else's rows were touched"


def test_forget_drops_the_state_written_before_it_in_the_same_batch_and_keeps_the_message_ids(
    store: StateStore,
) -> None:
    committer = GroupCommit(store, window=0)

    together(
        committer.write(ChatWrite(ALICE, LEGAL, message_ids=[5])),
        committer.write(ChatWrite(ALICE, forget_state=True, message_ids=[6])),
    )

    assert store.load(ALICE, new_chat=ChatState(screen="help")) == ChatState(screen="help"), "no state row"
    assert store.messages(ALICE) == [5, 6], "Quick exit still reaches the messages from before /forget"


def test_when_the_commit_fails_every_update_in_it_gets_the_error_and_none_of_it_is_written(
    store: StateStore,
) -> None:
    committer = GroupCommit(store, window=0)
    working = store.engine
    store.engine = create_engine("sqlite:////nonexistent-folder/bot.sqlite3")
    try:
        results = together(committer.write(ChatWrite(ALICE, LEGAL)), committer.write(ChatWrite(BOB, FOOD)))
    finally:
        store.engine.dispose()
        store.engine = working

    assert [type(r) for r in results] == [OperationalError, OperationalError]
    assert store.load(ALICE) == ChatState() and store.load(BOB) == ChatState()
    together(committer.write(ChatWrite(ALICE, LEGAL)))
    assert store.load(ALICE) == LEGAL, "the next batch is written once the database is back"


def test_ids_written_without_waiting_are_committed_before_the_bot_stops(store: StateStore) -> None:
    committer = GroupCommit(store, window=60)  # a window nothing ends but the stop

    async def serve() -> None:
        committer.write_later(ChatWrite(ALICE, message_ids=[41, 42]))
        await asyncio.sleep(0)  # the window opens
        await committer.close()

    asyncio.run(serve())

    assert store.messages(ALICE) == [41, 42]


def test_counts_due_for_their_flush_ride_in_the_next_batch_and_wait_again_if_it_fails(
    runtime: Runtime, store: StateStore
) -> None:
    runtime._tally.add([("topic", "legal"), ("topic", "legal")])
    runtime._flushed_at -= COUNT_FLUSH_SECONDS  # due now
    committer = GroupCommit(store, runtime, window=0)

    def dropped(connection: Connection) -> None:
        raise OperationalError("DELETE", {}, ConnectionResetError("server closed the connection"))

    results = together(committer.write(ChatWrite(ALICE, LEGAL)), committer.run(dropped))

    assert [type(r) for r in results] == [OperationalError, OperationalError]
    assert len(runtime._tally) == 1, "the counts wait in memory for the next try"

    runtime._flushed_at -= COUNT_FLUSH_SECONDS
    together(committer.write(ChatWrite(ALICE, LEGAL)))

    rows = read_counts(runtime.db, utc_today() - dt.timedelta(days=1))
    assert [(r.kind, r.value, r.count) for r in rows] == [("topic", "legal", 2)]
    assert len(runtime._tally) == 0
