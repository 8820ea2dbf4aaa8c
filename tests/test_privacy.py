"""What the bot keeps about a person, read back from the database itself, not from the code.

A full conversation goes through the real python-telegram-bot Application and
the Bot API stand-in, with recognisable sentinels everywhere a person could
leave a trace: the words they type, their first name and username, their chat
id, and a shared location with many decimals. Then every column of every row
of every table is read back (the schema is reflected, so a table added later
is read too) and none of the sentinels may appear. The same on PostgreSQL in
a schema of its own when it is reachable. Logs at INFO over the whole
conversation must not hold them either.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, create_engine, select

from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.menus import Menus
from resource_bot.state import MESSAGE_TTL, STATE_TTL, StateStore
from tests.postgres import fresh_schema
from tests.standin import BotApiStandin
from tests.test_telegram_bot import (
    RunningBot,
    data_of,
    reply_to,
    running_bot,
    settings_for,
)

#: A chat id nobody would mistake for anything else (private chat: user id == chat id).
CHAT = 7_316_402_958
OTHER = 6_204_117_383
TYPED = "Quokkasentinel my boss Zebrafinch took my passport"
TYPED_WORDS = ("quokkasentinel", "zebrafinch")
FIRST_NAME = "Firstnamesentinel"
USERNAME = "usernamesentinel_42"
#: Houston, with far more precision than anyone needs to serve it.
LATITUDE, LONGITUDE = 29.76043117, -95.36981234
EXACT = ("29.7604", "95.3698", "29.760431", "95.369812")


# -- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, template_db: Path, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        copy = tmp_path / "bot.sqlite3"
        shutil.copy(template_db, copy)
        yield f"sqlite:///{copy}"
        return
    with fresh_schema("privacy") as url:
        yield url


@pytest.fixture
def bot(api: BotApiStandin, database_url: str, tmp_path: Path) -> Iterator[RunningBot]:
    with running_bot(api, settings_for(api, database_url, tmp_path)) as running:
        yield running


# -- helpers -------------------------------------------------------------------------------------
def every_row(url: str) -> dict[str, list[str]]:
    """Every row of every table in the database, as text, by table (the schema is reflected)."""
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        dump: dict[str, list[str]] = {}
        with engine.connect() as connection:
            for name, table in metadata.tables.items():
                dump[name] = [
                    " | ".join(f"{column}={value!s}" for column, value in row._mapping.items())
                    for row in connection.execute(select(table))
                ]
        return dump
    finally:
        engine.dispose()


def traces_of_the_person(text: str, chat_id: int = CHAT) -> list[str]:
    """The sentinels (case-insensitive) that ``text`` holds."""
    lowered = text.lower()
    sentinels = [*TYPED_WORDS, FIRST_NAME.lower(), USERNAME.lower(), str(chat_id), *EXACT]
    return [s for s in sentinels if s in lowered]


def talk(api: BotApiStandin, chat_id: int, menus: Menus) -> None:
    """A whole conversation: start, topic, service, report a listing, typed words, location, zip."""
    who = {"first_name": FIRST_NAME, "username": USERNAME}
    api.flood_next("sendMessage", retry_after=1)  # the warning path logs too
    api.fail_next("editMessageText", status=502)
    api.user_sends_text(chat_id, "/start", **who)
    welcome = reply_to(api, chat_id, timeout=10)
    api.user_taps(chat_id, welcome["message_id"], "t:legal")
    legal = reply_to(api, chat_id, timeout=10)
    assert menus.intro("en", "legal") in legal["text"]
    service = next(d for d in data_of(legal) if d.startswith("s:"))
    api.user_taps(chat_id, legal["message_id"], service)
    card = reply_to(api, chat_id)
    api.user_taps(chat_id, card["message_id"], f"r:{service[2:]}")
    prompt = reply_to(api, chat_id)
    api.user_taps(chat_id, prompt["message_id"], f"r:{service[2:]}:w")
    reply_to(api, chat_id)
    api.user_sends_text(chat_id, TYPED, **who)
    understood = reply_to(api, chat_id)
    assert menus.intro("en", "trafficking") in understood["text"], "the typed words were understood, then dropped"
    api.user_sends_text(chat_id, "/area", **who)
    reply_to(api, chat_id)
    reply_to(api, chat_id)  # the message with the share-location keyboard
    api.user_sends_location(chat_id, LATITUDE, LONGITUDE, **who)
    assert "Houston" in reply_to(api, chat_id)["text"]
    api.wait_for("editMessageReplyMarkup")


# -- what the database holds -----------------------------------------------------------------------
def test_after_a_whole_conversation_no_table_holds_text_names_ids_or_the_exact_place(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        talk(api, CHAT, menus)
        api.user_sends_text(CHAT, "/help")  # served after every write the location caused
        reply_to(api, CHAT)

    dump = every_row(database_url)
    assert {"chat_state", "chat_message", "daily_count", "feedback_report"} <= set(dump)
    found = {name: traces_of_the_person("\n".join(rows)) for name, rows in dump.items()}
    assert not any(found.values()), f"traces of the person in the database: {found}"

    # The conversation is there, but only as the keyed hash, the small state and message ids.
    key = bot.bot.store.key_for(CHAT)
    (state_row,) = dump["chat_state"]
    assert key in state_row
    state = bot.bot.store.load(key)
    assert (state.latitude, state.longitude) == (round(LATITUDE, 2), round(LONGITUDE, 2))
    assert state.zip is None, "a shared location keeps the rounded point only"
    assert dump["chat_message"] and all(key in row for row in dump["chat_message"])
    assert any("reason=wrong_number" in row for row in dump["feedback_report"])

    # Logs at INFO: warnings about flood control and retries, but nothing said or who said it.
    assert "flood control" in caplog.text, "the conversation went through the logged paths"
    assert traces_of_the_person(caplog.text) == []
    assert FIRST_NAME not in caplog.text and TYPED not in caplog.text


def test_message_ids_expire_after_48_hours_and_the_state_after_its_ttl(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    api.user_sends_text(CHAT, "/start legal")
    legal = reply_to(api, CHAT)
    api.user_taps(CHAT, legal["message_id"], "b")
    reply_to(api, CHAT)
    store = StateStore(create_engine(database_url))
    key = bot.bot.store.key_for(CHAT)
    assert store.key_for(CHAT) == key, "a second process derives the same key from the stored secret"
    now = dt.datetime.now(dt.UTC)

    assert store.messages(key, now=now + MESSAGE_TTL - dt.timedelta(minutes=5)), "kept while deletable"
    assert store.messages(key, now=now + MESSAGE_TTL + dt.timedelta(minutes=5)) == []
    assert store.purge_expired(now + MESSAGE_TTL + dt.timedelta(minutes=5)) >= 1
    dump = every_row(database_url)
    assert dump["chat_message"] == [], "no message id outlives 48 hours"
    assert len(dump["chat_state"]) == 1, "the state outlives the message ids"

    later = now + STATE_TTL + dt.timedelta(minutes=5)
    assert store.load(key, now=later) == ChatState(), "an expired state is not served even before a purge"
    assert store.purge_expired(later) == 1
    assert every_row(database_url)["chat_state"] == []
    store.engine.dispose()


def test_forget_leaves_only_message_ids_for_quick_exit_and_quick_exit_leaves_nothing(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    talk(api, CHAT, menus)
    api.user_sends_text(OTHER, "/start food")  # someone else, who did not ask to be forgotten
    reply_to(api, OTHER)
    key = bot.bot.store.key_for(CHAT)
    assert any(key in row for rows in every_row(database_url).values() for row in rows)

    api.user_sends_text(CHAT, "/forget")
    forgot = reply_to(api, CHAT)
    assert menus.ui("en", "forget_done") in forgot["text"]

    # The state is gone; the ids (numbers) of the chat's messages stay until they expire, so that
    # a Quick exit after /forget still deletes the messages from before it.
    dump = every_row(database_url)
    left = {name: [row for row in rows if key in row] for name, rows in dump.items()}
    assert set(name for name, rows in left.items() if rows) == {"chat_message"}, f"rows: {left}"
    assert all(row.startswith(f"chat_key={key} | message_id=") for row in left["chat_message"])

    api.user_taps(CHAT, forgot["message_id"], "x")
    assert reply_to(api, CHAT)["text"] == menus.ui("en", "exit_done")
    dump = every_row(database_url)
    left = {name: [row for row in rows if key in row] for name, rows in dump.items()}
    assert not any(left.values()), f"rows about the erased chat: {left}"
    other = bot.bot.store.key_for(OTHER)
    assert any(other in row for row in dump["chat_state"]), "the other chat is untouched"
    assert not any(traces_of_the_person("\n".join(rows)) for rows in dump.values())
