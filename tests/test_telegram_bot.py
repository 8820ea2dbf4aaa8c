"""The Telegram bot end to end: the real python-telegram-bot Application, its real
polling loop and HTTP client, against the Bot API stand-in on 127.0.0.1 (never Telegram).

Each test gets its own SQLite file (a copy of one loaded directory); the main
scenario runs again on PostgreSQL at 127.0.0.1:5432 when it answers.
"""

from __future__ import annotations

import shutil
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from resource_bot.channels.telegram.app import TelegramBot, build_application, prepare_bot
from resource_bot.config import Settings, load_settings
from resource_bot.dialog.menus import Menus
from resource_bot.runtime import Runtime, open_runtime
from resource_bot.state import ChatMessageRow, ChatStateRow
from tests.standin import BotApiStandin
from tests.standin.echo_bot import BackgroundApplication

TOKEN = "123456:" + "A" * 35
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ALICE, BOB = 1001, 1002


# -- fixtures and helpers --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file with the bundled directory loaded; each test copies it."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "bot.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{path}", "RESOURCE_BOT_HOME": str(folder)}
    runtime = open_runtime(load_settings(env))
    runtime.db.dispose()
    return path


@pytest.fixture
def api() -> Iterator[BotApiStandin]:
    with BotApiStandin(token=TOKEN) as standin:
        yield standin


@pytest.fixture
def database_url(template_db: Path, tmp_path: Path) -> str:
    copy = tmp_path / "bot.sqlite3"
    shutil.copy(template_db, copy)
    return f"sqlite:///{copy}"


def settings_for(api: BotApiStandin, database_url: str, home: Path, **env: str) -> Settings:
    return load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": api.base_url,
            "DATABASE_URL": database_url,
            "RESOURCE_BOT_HOME": str(home),
            **env,
        }
    )


@dataclass
class RunningBot:
    runtime: Runtime
    bot: TelegramBot
    background: BackgroundApplication


@contextmanager
def running_bot(api: BotApiStandin, settings: Settings) -> Iterator[RunningBot]:
    runtime = open_runtime(settings)
    application = build_application(runtime, request_timeout=3.0)
    with BackgroundApplication(application) as background:
        background.run(prepare_bot(application))
        yield RunningBot(runtime, application.bot_data["resource_bot"], background)
    runtime.db.dispose()


@pytest.fixture
def bot(api: BotApiStandin, database_url: str, tmp_path: Path) -> Iterator[RunningBot]:
    with running_bot(api, settings_for(api, database_url, tmp_path, ADMIN_CHAT_IDS="999")) as running:
        yield running


@pytest.fixture(scope="module")
def menus() -> Menus:
    from resource_bot.paths import conversations_dir

    return Menus.from_dir(conversations_dir())


def buttons_of(message: dict[str, Any]) -> dict[str, str]:
    """callback_data by label, for the message's inline keyboard."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b.get("callback_data", b.get("url", "")) for row in rows for b in row}


def data_of(message: dict[str, Any]) -> list[str]:
    return list(buttons_of(message).values())


def reply_to(api: BotApiStandin, chat_id: int) -> dict[str, Any]:
    call = api.wait_for_reply(chat_id)
    result: dict[str, Any] = call.result
    result["_method"] = call.method
    return result


def state_rows(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            states = connection.execute(select(func.count()).select_from(ChatStateRow)).scalar_one()
            messages = connection.execute(select(func.count()).select_from(ChatMessageRow)).scalar_one()
    finally:
        engine.dispose()
    return states, messages


# -- the main scenario (SQLite here, PostgreSQL below) ---------------------------------------------
def walk_through_and_quick_exit(api: BotApiStandin, running: RunningBot, menus: Menus, url: str) -> None:
    # A person opens the bot: the welcome, the topics, and Quick exit.
    api.user_sends_text(ALICE, "/start")
    welcome = reply_to(api, ALICE)
    assert welcome["_method"] == "sendMessage"
    assert menus.ui("en", "welcome") in welcome["text"]
    assert "x" in data_of(welcome), "Quick exit is on the first screen"

    # They tap Legal help: the same message turns into the legal topic (no new message).
    api.user_taps(ALICE, welcome["message_id"], "t:legal")
    legal = reply_to(api, ALICE)
    assert legal["_method"] == "editMessageText"
    assert legal["message_id"] == welcome["message_id"]
    assert menus.intro("en", "legal") in legal["text"]
    assert "x" in data_of(legal)

    # They open a service: its card comes as a message of its own, to keep or forward.
    service = next(d for d in data_of(legal) if d.startswith("s:"))
    api.user_taps(ALICE, legal["message_id"], service)
    card = reply_to(api, ALICE)
    assert card["_method"] == "sendMessage"
    assert card["message_id"] != legal["message_id"]
    assert f"r:{service[2:]}" in data_of(card), "a card offers to report a problem with the listing"

    # They type what they need.
    api.user_sends_text(ALICE, "I need a lawyer")
    typed = reply_to(api, ALICE)
    assert typed["_method"] == "sendMessage"
    assert menus.ui("en", "did_you_mean") in typed["text"]
    assert "t:legal" in data_of(typed)

    # The state is in the database under a keyed hash, never the chat id.
    engine = create_engine(url)
    with engine.connect() as connection:
        keys = list(connection.execute(select(ChatStateRow.chat_key)).scalars())
    engine.dispose()
    assert len(keys) == 1 and str(ALICE) not in keys[0] and len(keys[0]) == 64

    # Quick exit from the card: every message of the chat is deleted, the state is gone.
    every_id = {m.message_id for m in api.chat_messages(ALICE)}
    api.user_taps(ALICE, card["message_id"], "x")
    done = reply_to(api, ALICE)
    assert done["text"] == menus.ui("en", "exit_done")
    asked: set[int] = set()
    for call in api.calls_to("deleteMessages"):
        asked |= set(call.params["message_ids"])
    for call in api.calls_to("deleteMessage"):
        asked.add(call.params["message_id"])
    assert every_id <= asked, f"not asked to delete: {sorted(every_id - asked)}"
    left = api.chat_messages(ALICE)
    assert [m.message_id for m in left] == [done["message_id"]], "only the neutral 'done' remains"
    assert "legal" not in done["text"].lower() and "reply_markup" not in done
    assert state_rows(url) == (0, 0)


def test_a_person_walks_to_a_service_types_and_quick_exit_erases_the_chat(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    walk_through_and_quick_exit(api, bot, menus, database_url)


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def postgres_url() -> Iterator[str]:
    if not _postgres_reachable():
        pytest.skip("PostgreSQL is not listening on 127.0.0.1:5432 (database test); start it to run this")
    schema = f"tg_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


def test_the_same_scenario_on_postgresql(
    api: BotApiStandin, postgres_url: str, tmp_path: Path, menus: Menus
) -> None:
    with running_bot(api, settings_for(api, postgres_url, tmp_path)) as running:
        walk_through_and_quick_exit(api, running, menus, postgres_url)
