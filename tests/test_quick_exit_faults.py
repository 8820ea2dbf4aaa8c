"""Quick exit when things go wrong: Telegram refuses, floods, the database is away, the person taps fast.

Each test is a person's view: they tap ❌ (or type /exit), and see what is left of
the chat in the Bot API stand-in, while the database holds no row about the chat.
The last line is never a menu and never an apology; it says "cleared" only when
every message is gone, and otherwise tells the person to delete the chat in Telegram.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError

from resource_bot.channels.telegram.chats import ChatGate
from resource_bot.dialog.menus import Menus
from resource_bot.runtime import open_runtime
from resource_bot.sharing import bot_username
from resource_bot.state import ChatMessageRow, ChatStateRow
from tests.standin import BotApiStandin
from tests.test_faults import PostgresRole, postgres_role  # noqa: F401  (a fixture)
from tests.test_telegram_bot import (
    STATE_SECRET,
    TOKEN,
    RunningBot,
    data_of,
    reply_to,
    running_bot,
    settings_for,
)

ALICE, BOB = 5101, 5102
NOT_A_MENU = (None, {"remove_keyboard": True})


# -- the bot, the chat and what is left of it --------------------------------------------------------
@pytest.fixture
def database_url(template_db: Path, tmp_path: Path) -> str:
    copy = tmp_path / "bot.sqlite3"
    shutil.copy(template_db, copy)
    return f"sqlite:///{copy}"


@contextmanager
def bot_on(api: BotApiStandin, url: str, home: Path, *, burst: int | None = None) -> Iterator[RunningBot]:
    with running_bot(api, settings_for(api, url, home), gate=ChatGate(burst=burst) if burst else None) as running:
        yield running


@pytest.fixture
def bot(api: BotApiStandin, database_url: str, tmp_path: Path) -> Iterator[RunningBot]:
    with bot_on(api, database_url, tmp_path) as running:
        yield running


def last_line(api: BotApiStandin, chat_id: int, menus: Menus, timeout: float = 30.0) -> dict[str, Any]:
    """The message Quick exit ends with (it waits for it)."""
    endings = {menus.ui(lang, key) for lang in menus.codes for key in ("exit_done", "exit_not_cleared")}
    (call,) = api.wait_for(
        lambda c: (
            c.ok and c.method == "sendMessage" and c.params["chat_id"] == chat_id and c.params.get("text") in endings
        ),
        timeout=timeout,
    )
    assert isinstance(call.result, dict)
    return call.result


def visible(api: BotApiStandin, chat_id: int) -> list[int]:
    return [m.message_id for m in api.chat_messages(chat_id)]


def rows_about(running: RunningBot, url: str, chat_id: int) -> tuple[int, int]:
    key = running.bot.store.key_for(chat_id)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            states = connection.execute(
                select(func.count()).select_from(ChatStateRow).where(ChatStateRow.chat_key == key)
            ).scalar_one()
            ids = connection.execute(
                select(func.count()).select_from(ChatMessageRow).where(ChatMessageRow.chat_key == key)
            ).scalar_one()
    finally:
        engine.dispose()
    return states, ids


def converse(api: BotApiStandin, chat_id: int, menus: Menus) -> dict[str, Any]:
    """A short conversation: /start, a typed need, a service card. Returns the card."""
    api.user_sends_text(chat_id, "/start")
    welcome = reply_to(api, chat_id)
    api.user_sends_text(chat_id, "my boss took my passport")
    typed = reply_to(api, chat_id)
    service = next(d for d in data_of(typed) if d.startswith("s:"))
    api.user_taps(chat_id, typed["message_id"], service)
    card = reply_to(api, chat_id)
    assert menus.ui("en", "welcome") in welcome["text"] and card["_method"] == "sendMessage"
    return card


def assert_only(api: BotApiStandin, chat_id: int, done: dict[str, Any], kept: Sequence[int] = ()) -> None:
    assert visible(api, chat_id) == [*kept, done["message_id"]], "only the last line (and what Telegram kept) is left"
    assert done.get("reply_markup") in NOT_A_MENU


# -- Telegram refuses ------------------------------------------------------------------------------------
def test_when_deletemessages_answers_500_every_time_the_person_is_told_to_delete_the_chat(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    card = converse(api, ALICE, menus)
    before = visible(api, ALICE)
    api.fail_next("deleteMessages", times=1000, status=500)
    api.user_taps(ALICE, card["message_id"], "x")
    done = last_line(api, ALICE, menus)
    assert done["text"] == menus.ui("en", "exit_not_cleared")
    assert "sorry" not in done["text"].lower() and "cleared." not in done["text"]
    assert_only(api, ALICE, done, kept=before)  # nothing could go, and no menu came after it
    assert rows_about(bot, database_url, ALICE) == (0, 0), "the chat's rows are gone all the same"
    assert not [c for c in api.calls_to("sendMessage") if c.params.get("text", "").startswith("Sorry")]


def test_when_the_second_batch_fails_the_first_is_deleted_and_the_rest_still_tried(
    api: BotApiStandin, database_url: str, tmp_path: Path, menus: Menus
) -> None:
    with bot_on(api, database_url, tmp_path, burst=10_000) as running:
        api.user_sends_text(ALICE, "/start")
        reply_to(api, ALICE)
        for n in range(60):  # a long conversation: more than 100 messages, two deleteMessages batches
            api.user_sends_text(ALICE, f"food {n}")
            reply_to(api, ALICE)
        api.fail_next("deleteMessages", times=1000, status=500, after=1)
        exit_id = api.user_sends_text(ALICE, "/exit")
        done = last_line(api, ALICE, menus)
        assert exit_id > 100
        assert done["text"] == menus.ui("en", "exit_not_cleared")
        oldest = set(range(1, exit_id - 99))
        assert set(visible(api, ALICE)) == oldest | {done["message_id"]}, "the newest hundred went"
        batches = [c for c in api.calls_to("deleteMessages") if c.params["chat_id"] == ALICE]
        assert {min(c.params["message_ids"]) for c in batches} == {exit_id - 99, 1}, "every batch was tried"
        assert rows_about(running, database_url, ALICE) == (0, 0)


def test_when_single_deletes_fail_the_rest_go_and_the_last_line_does_not_say_cleared(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    converse(api, ALICE, menus)
    api.fail_next("deleteMessages", times=10, status=400)  # the batch is refused: one by one
    api.fail_next("deleteMessage", times=2, status=400)  # and Telegram keeps two of them
    exit_id = api.user_sends_text(ALICE, "/exit")
    done = last_line(api, ALICE, menus)
    assert done["text"] == menus.ui("en", "exit_not_cleared")
    assert_only(api, ALICE, done, kept=[exit_id - 1, exit_id])  # one by one, newest first
    assert rows_about(bot, database_url, ALICE) == (0, 0)


def test_when_the_person_blocked_the_bot_403_still_forgets_the_chat(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    card = converse(api, ALICE, menus)
    for method in ("deleteMessages", "deleteMessage"):
        api.fail_next(method, times=10, status=403)
    for method in ("answerCallbackQuery", "sendMessage"):
        api.fail_next(method, status=403)
    api.user_taps(ALICE, card["message_id"], "x")
    api.wait_for(lambda c: c.method == "sendMessage" and c.status == 403, timeout=20)
    assert rows_about(bot, database_url, ALICE) == (0, 0)
    api.user_sends_text(BOB, "/start")
    assert menus.ui("en", "welcome") in reply_to(api, BOB)["text"], "the bot goes on for everyone else"


def test_a_flood_wait_loop_gives_up_in_time_and_the_chat_is_not_blocked(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    bot.bot.exit_seconds = 3.0  # 15 s in production; the test need not wait that long
    card = converse(api, ALICE, menus)
    api.flood_next("deleteMessages", times=1000, retry_after=1)
    api.user_taps(ALICE, card["message_id"], "x")
    done = last_line(api, ALICE, menus)
    assert done["text"] == menus.ui("en", "exit_not_cleared")
    floods = [c for c in api.calls_to("deleteMessages") if c.status == 429]
    assert 3 <= len(floods) <= 8, f"retried for about three seconds, then gave up: {len(floods)} tries"
    assert rows_about(bot, database_url, ALICE) == (0, 0)
    api.user_sends_text(ALICE, "/start")
    assert menus.ui("en", "welcome") in reply_to(api, ALICE)["text"], "the next message is served"


# -- the database is away ----------------------------------------------------------------------------------
def test_without_the_database_quick_exit_still_deletes_and_the_rows_go_when_it_is_back(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    card = converse(api, ALICE, menus)
    before = set(visible(api, ALICE))
    store, runtime = bot.bot.store, bot.runtime
    working = store.engine
    away = create_engine("sqlite:////nonexistent-folder/bot.sqlite3")
    store.engine = runtime.db = away
    try:
        api.user_taps(ALICE, card["message_id"], "x")
        done = last_line(api, ALICE, menus)
        assert done["text"] == menus.ui("en", "exit_done"), "the window reached the chat's first message"
        assert before <= set(api.deleted_message_ids(ALICE))
        assert_only(api, ALICE, done)
        api.user_sends_text(BOB, "/start")
        assert reply_to(api, BOB)["text"] == menus.ui("en", "try_again_later"), "the database is away"
        assert rows_about(bot, database_url, ALICE) != (0, 0), "the rows wait for the database"
    finally:
        store.engine = runtime.db = working
        away.dispose()
    api.user_sends_text(BOB, "/start")  # anyone's next update, once the database is back
    assert menus.ui("en", "welcome") in reply_to(api, BOB)["text"]
    assert rows_about(bot, database_url, ALICE) == (0, 0)


def test_without_postgresql_typed_salir_erases_the_chat_in_spanish(
    api: BotApiStandin,
    postgres_role: PostgresRole,  # noqa: F811
    tmp_path: Path,
    menus: Menus,
) -> None:
    with bot_on(api, postgres_role.url, tmp_path) as running:
        converse(api, ALICE, menus)
        postgres_role.refuse()
        try:
            api.user_sends_text(ALICE, "Salir por favor")
            done = last_line(api, ALICE, menus)
            assert done["text"] == menus.ui("es", "exit_done")
            assert_only(api, ALICE, done)
        finally:
            postgres_role.allow()
        api.user_sends_text(BOB, "/start")
        assert menus.ui("en", "welcome") in reply_to(api, BOB, timeout=20)["text"]
        assert rows_about(running, postgres_role.url, ALICE) == (0, 0)


# -- fast taps, albums, /forget ----------------------------------------------------------------------------
def test_twelve_fast_messages_then_quick_exit_erases_everything(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    api.user_sends_text(ALICE, "/start")
    welcome = reply_to(api, ALICE)
    for n in range(12):
        api.user_sends_text(ALICE, f"food {n}")
    api.user_taps(ALICE, welcome["message_id"], "x")
    done = last_line(api, ALICE, menus)
    assert done["text"] == menus.ui("en", "exit_done")
    api.user_sends_text(BOB, "/start")  # served after everything the burst caused
    reply_to(api, BOB)
    assert_only(api, ALICE, done)
    assert [c for c in api.calls_to("sendMessage") if c.params["chat_id"] == ALICE][-1].result == done
    assert rows_about(bot, database_url, ALICE) == (0, 0)


def test_a_reply_stuck_in_a_long_flood_wait_does_not_hold_quick_exit_back(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    card = converse(api, ALICE, menus)
    api.flood_next("sendMessage", retry_after=60)  # Telegram asks the bot to wait a minute
    api.user_sends_text(ALICE, "food")
    api.wait_for(lambda c: c.method == "sendMessage" and c.status == 429)
    api.user_taps(ALICE, card["message_id"], "x")
    done = last_line(api, ALICE, menus, timeout=20)  # well before the minute is over
    assert done["text"] == menus.ui("en", "exit_done")
    api.user_sends_text(BOB, "/start")
    reply_to(api, BOB)
    assert_only(api, ALICE, done)
    answers = [c for c in api.calls_to("sendMessage") if c.params["chat_id"] == ALICE and c.ok]
    assert answers[-1].result == done, "the reply that was waiting never arrives after the exit"
    assert rows_about(bot, database_url, ALICE) == (0, 0)


def test_a_ten_photo_album_then_quick_exit_erases_every_photo(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    api.user_sends_text(ALICE, "/start")
    reply_to(api, ALICE)
    for n in range(10):
        photo = [{"file_id": f"photo{n}", "file_unique_id": f"u{n}", "width": 90, "height": 90}]
        api.queue_update(api.make_message_update(ALICE, {"photo": photo, "media_group_id": "album1"}))
    menu = reply_to(api, ALICE)
    api.user_taps(ALICE, menu["message_id"], "x")
    done = last_line(api, ALICE, menus)
    assert done["text"] == menus.ui("en", "exit_done")
    assert_only(api, ALICE, done)
    answers = [c for c in api.calls_to("sendMessage") if c.params["chat_id"] == ALICE]
    assert len(answers) == 3, "the welcome, one menu for the whole album, the last line"
    assert rows_about(bot, database_url, ALICE) == (0, 0)


def test_forget_then_exit_still_erases_the_messages_from_before_forget(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    converse(api, ALICE, menus)
    api.user_sends_text(ALICE, "/forget")
    assert menus.ui("en", "forget_done") in reply_to(api, ALICE)["text"]
    api.user_sends_text(ALICE, "food")
    reply_to(api, ALICE)
    every_id = set(visible(api, ALICE))
    api.user_sends_text(ALICE, "/exit")
    done = last_line(api, ALICE, menus)
    assert done["text"] == menus.ui("en", "exit_done")
    assert every_id <= set(api.deleted_message_ids(ALICE))
    assert_only(api, ALICE, done)
    assert rows_about(bot, database_url, ALICE) == (0, 0)


def test_forget_when_the_database_is_away_takes_effect_when_it_is_back(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    api.user_sends_text(ALICE, "/start legal-es-z77002")
    reply_to(api, ALICE)
    store, runtime = bot.bot.store, bot.runtime
    working, away = store.engine, create_engine("sqlite:////nonexistent-folder/bot.sqlite3")
    store.engine = runtime.db = away
    try:
        api.user_sends_text(ALICE, "/forget")
        assert menus.ui("en", "forget_done") in reply_to(api, ALICE)["text"]
    finally:
        store.engine = runtime.db = working
        away.dispose()
    api.user_sends_text(ALICE, "/menu")
    menu = reply_to(api, ALICE)
    assert menus.ui("en", "main_prompt") in menu["text"], "the saved Spanish and ZIP code are gone"
    assert "77002" not in menu["text"]


def test_what_quick_exit_logs_names_no_chat_and_no_words(
    api: BotApiStandin, bot: RunningBot, menus: Menus, caplog: pytest.LogCaptureFixture
) -> None:
    api.fail_next("deleteMessages", times=1000, status=500)
    with caplog.at_level("INFO"):
        api.user_sends_text(ALICE, "borrar todo por favor")
        last_line(api, ALICE, menus)
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("resource_bot")]
    assert any("deleteMessages failed: NetworkError" in line for line in ours)
    assert not any(str(ALICE) in line or "borrar" in line or TOKEN in line for line in ours)


def test_slash_salir_is_quick_exit_in_spanish_on_an_english_phone(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    converse(api, ALICE, menus)
    api.user_sends_text(ALICE, "/salir")
    done = last_line(api, ALICE, menus)
    assert done["text"] == menus.ui("es", "exit_done")
    assert_only(api, ALICE, done)
    assert rows_about(bot, database_url, ALICE) == (0, 0)


def test_a_forget_that_cannot_reach_the_database_waits_for_the_next_try(database_url: str) -> None:
    from resource_bot.state import PendingForgets, StateStore

    working = create_engine(database_url)
    store = StateStore(working)
    key = store.key_for(ALICE)
    store.remember_messages(key, [1, 2, 3])
    pending = PendingForgets()
    pending.add(key)
    store.engine = create_engine("sqlite:////nonexistent-folder/bot.sqlite3")
    with pytest.raises(OperationalError):
        pending.drain(store)
    assert key in pending, "still waiting"
    store.engine = working
    assert pending.drain(store) == 1 and len(pending) == 0
    assert store.messages(key) == []
    working.dispose()


def test_through_the_webhook_quick_exit_is_done_before_telegram_gets_its_answer(
    api: BotApiStandin, database_url: str, tmp_path: Path, menus: Menus
) -> None:
    from starlette.testclient import TestClient

    from resource_bot.channels.telegram.webhook import build_webhook_app

    secret = {"X-Telegram-Bot-Api-Secret-Token": "right_secret-123"}
    settings = settings_for(
        api,
        database_url,
        tmp_path,
        WEBHOOK_URL="https://bot.example.org/telegram",
        WEBHOOK_SECRET="right_secret-123",
        STATE_SECRET=STATE_SECRET,
    )
    runtime = open_runtime(settings, bot_username=bot_username(settings))  # as `resource-bot webhook` does
    try:
        with TestClient(build_webhook_app(runtime)) as client:
            assert (
                client.post("/telegram", json=api.make_text_update(ALICE, "/start"), headers=secret).status_code == 200
            )
            api.fail_next("deleteMessages", times=1000, status=500)
            exit_update = api.make_text_update(ALICE, "quick exit")
            assert client.post("/telegram", json=exit_update, headers=secret).status_code == 200
            done = api.last_bot_message(ALICE)
            assert done is not None and done.text == menus.ui("en", "exit_not_cleared")
            assert done.reply_markup is None
    finally:
        runtime.db.dispose()
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(ChatStateRow)).scalar_one() == 0
        assert connection.execute(select(func.count()).select_from(ChatMessageRow)).scalar_one() == 0
    engine.dispose()


def test_after_a_restart_a_tap_on_an_old_menu_still_erases_the_newer_messages(
    api: BotApiStandin, database_url: str, tmp_path: Path, menus: Menus
) -> None:
    with bot_on(api, database_url, tmp_path, burst=10_000):
        api.user_sends_text(ALICE, "/start")
        welcome = reply_to(api, ALICE)
        for n in range(70):  # well past the 100 ids above a tapped message
            api.user_sends_text(ALICE, f"food {n}")
            reply_to(api, ALICE)
    with bot_on(api, database_url, tmp_path) as running:  # a new process: it remembers nothing in memory
        api.user_taps(ALICE, welcome["message_id"], "x")
        done = last_line(api, ALICE, menus)
        assert done["text"] == menus.ui("en", "exit_done")
        assert_only(api, ALICE, done)
        assert rows_about(running, database_url, ALICE) == (0, 0)
