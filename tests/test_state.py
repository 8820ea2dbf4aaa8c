"""The state store's writes on SQLite and PostgreSQL: one transaction per update, same rows as before."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError

from resource_bot.db import create_schema, make_engine
from resource_bot.dialog.chatstate import ChatState
from resource_bot.state_store import MESSAGE_TTL, STATE_TTL, ChatMessageRow, ChatStateRow, StateStore
from resource_bot.stats import DailyCount, read_counts, record_counts
from tests.postgres import fresh_schema

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'state.sqlite3'}")
        create_schema(engine)
        yield engine
        engine.dispose()
        return
    with fresh_schema("state") as url:
        engine = make_engine(url)
        create_schema(engine)
        yield engine
        engine.dispose()


def expiries(engine: Engine, key: str) -> dict[int, dt.datetime]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(ChatMessageRow.message_id, ChatMessageRow.expires_at).where(ChatMessageRow.chat_key == key)
        )
        return {r.message_id: r.expires_at.replace(tzinfo=dt.UTC) for r in rows}


def test_the_key_is_the_hmac_of_the_chat_id_with_the_secret(db: Engine) -> None:
    store = StateStore(db, "a-secret")
    expected = hmac.new(b"a-secret", b"12345", hashlib.sha256).hexdigest()
    assert store.key_for(12345) == expected
    assert store.key_for(12345) == expected, "the same key every time"
    assert store.key_for(-100) == hmac.new(b"a-secret", b"-100", hashlib.sha256).hexdigest()
    assert StateStore(db).key_for(1) == StateStore(db).key_for(1), "the stored secret is shared"
    assert StateStore(db).key_for(1) != store.key_for(1)


def test_remembering_an_id_twice_keeps_one_row_with_its_first_expiry(db: Engine) -> None:
    store = StateStore(db, "s")
    key = store.key_for(1)
    store.remember_messages(key, [7, 3, 7], now=NOW)
    store.remember_messages(key, [7, 8], now=NOW + dt.timedelta(hours=1))
    store.remember_messages(key, [], now=NOW)
    assert expiries(db, key) == {
        3: NOW + MESSAGE_TTL,
        7: NOW + MESSAGE_TTL,
        8: NOW + dt.timedelta(hours=1) + MESSAGE_TTL,
    }
    assert store.messages(key, now=NOW) == [3, 7, 8]
    assert store.messages(key, now=NOW + MESSAGE_TTL + dt.timedelta(minutes=30)) == [8]


def test_expiry_times_are_whole_hours_so_they_trace_no_minute_of_anyones_day(db: Engine) -> None:
    store = StateStore(db, "s")
    key = store.key_for(1)
    sent_at = NOW + dt.timedelta(minutes=17, seconds=3, microseconds=411)
    store.remember_messages(key, [5], now=sent_at)
    store.remember_messages(key, [6], now=sent_at + dt.timedelta(minutes=20))
    store.save(key, ChatState(lang="es"), now=sent_at)

    kept = expiries(db, key)
    assert kept == {5: NOW + dt.timedelta(hours=1) + MESSAGE_TTL, 6: NOW + dt.timedelta(hours=1) + MESSAGE_TTL}
    with db.connect() as connection:
        state_expiry = connection.execute(select(ChatStateRow.expires_at)).scalar_one().replace(tzinfo=dt.UTC)
    assert state_expiry == NOW + dt.timedelta(hours=1) + STATE_TTL
    assert store.messages(key, now=sent_at + MESSAGE_TTL) == [5, 6], "kept for all 48 deletable hours"
    assert store.load(key, now=sent_at + STATE_TTL) == ChatState(lang="es")


def test_load_tells_a_new_chat_from_one_whose_state_expired(db: Engine) -> None:
    store = StateStore(db, "s")
    key = store.key_for(1)
    spanish = ChatState(lang="es")
    assert store.load(key, now=NOW, new_chat=spanish) == spanish, "no row: the new chat's state"
    assert store.load(key, now=NOW) == ChatState()
    state = ChatState(lang="es", screen="topic:legal", page=2, zip="10001")
    store.save(key, state, now=NOW)
    assert store.load(key, now=NOW + STATE_TTL - dt.timedelta(minutes=1), new_chat=spanish) == state
    expired = NOW + STATE_TTL + dt.timedelta(minutes=1)
    assert store.load(key, now=expired, new_chat=spanish) == ChatState(), "expired, not new"
    store.save(key, ChatState(lang="en"), now=NOW)
    assert store.load(key, now=NOW) == ChatState(lang="en"), "saving again replaces the state"


def test_one_transaction_writes_state_ids_and_counts_together(db: Engine) -> None:
    store = StateStore(db, "s")
    key = store.key_for(1)
    state = ChatState(screen="topic:food")
    with store.begin() as connection:
        assert store.load(key, now=NOW, connection=connection) == ChatState()
        record_counts(connection, [("topic", "food"), ("topic", "food"), ("bogus", "x")], today=TODAY)
        store.save(key, state, now=NOW, connection=connection)
        store.remember_messages(key, [10, 11], now=NOW, connection=connection)
    assert store.load(key, now=NOW) == state
    assert store.messages(key, now=NOW) == [10, 11]
    assert [(r.kind, r.value, r.count) for r in read_counts(db, TODAY)] == [("topic", "food", 2)]
    record_counts(db, [("topic", "food")], today=TODAY)
    assert [r.count for r in read_counts(db, TODAY)] == [3]


def test_the_state_and_the_new_message_ids_are_written_together_in_one_transaction(db: Engine) -> None:
    store = StateStore(db, "s")
    key, other = store.key_for(1), store.key_for(2)
    store.remember_messages(key, [10], now=NOW - dt.timedelta(hours=1))
    store.save(other, ChatState(screen="topic:legal"), now=NOW)
    with store.begin() as connection:
        store.save_with_messages(key, ChatState(screen="topic:food"), [11, 10, 11], now=NOW, connection=connection)
    with store.begin() as connection:
        store.save_with_messages(other, ChatState(lang="es"), [], now=NOW, connection=connection)

    assert store.load(key, now=NOW) == ChatState(screen="topic:food")
    assert store.messages(key, now=NOW) == [10, 11], "an id already kept stays once"
    assert store.load(other, now=NOW) == ChatState(lang="es"), "no new ids: the state alone"
    assert store.messages(other, now=NOW) == []
    with pytest.raises(OperationalError), store.begin() as connection:
        store.save_with_messages(key, ChatState(screen="home"), [12], now=NOW, connection=connection)
        raise OperationalError("COMMIT", {}, ConnectionResetError("gone"))
    assert store.load(key, now=NOW) == ChatState(screen="topic:food"), "a failed commit writes neither"
    assert store.messages(key, now=NOW) == [10, 11]


def test_a_failed_update_leaves_nothing_behind(db: Engine) -> None:
    store = StateStore(db, "s")
    key = store.key_for(1)
    with pytest.raises(OperationalError), store.begin() as connection:
        record_counts(connection, [("topic", "food")], today=TODAY)
        store.save(key, ChatState(screen="topic:food"), now=NOW, connection=connection)
        store.remember_messages(key, [10], now=NOW, connection=connection)
        raise OperationalError("COMMIT", {}, ConnectionResetError("gone"))
    with db.connect() as connection:
        for table in (ChatStateRow, ChatMessageRow, DailyCount):
            assert connection.execute(select(func.count()).select_from(table)).scalar() == 0


def test_forget_in_a_transaction_deletes_every_row_of_the_chat_only(db: Engine) -> None:
    store = StateStore(db, "s")
    mine, other = store.key_for(1), store.key_for(2)
    for key in (mine, other):
        store.save(key, ChatState(lang="es"), now=NOW)
        store.remember_messages(key, [1, 2], now=NOW)
    with store.begin() as connection:
        store.forget(mine, connection=connection)
    assert store.load(mine, now=NOW, new_chat=ChatState(screen="help")) == ChatState(screen="help")
    assert store.messages(mine, now=NOW) == []
    assert store.load(other, now=NOW) == ChatState(lang="es")
    assert store.messages(other, now=NOW) == [1, 2]
    store.forget(other)
    assert store.messages(other, now=NOW) == []
