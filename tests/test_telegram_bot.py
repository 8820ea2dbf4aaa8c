"""The Telegram bot end to end: the real python-telegram-bot Application, its real
polling loop and HTTP client, against the Bot API stand-in on 127.0.0.1 (never Telegram).

Each test gets its own SQLite file (a copy of one loaded directory); the main
scenario runs again on PostgreSQL at 127.0.0.1:5432 when it answers.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError

from resource_bot.channels.telegram.app import TelegramBot, build_application, prepare_bot
from resource_bot.channels.telegram.chats import ChatGate
from resource_bot.config import Settings, load_settings
from resource_bot.dialog.menus import Menus
from resource_bot.feedback import list_reports
from resource_bot.runtime import Runtime, open_runtime
from resource_bot.sharing import bot_username
from resource_bot.sources import add_sources
from resource_bot.state import ChatMessageRow, ChatStateRow
from resource_bot.stats import read_counts
from tests.postgres import fresh_schema
from tests.standin import BotApiStandin
from tests.standin.echo_bot import BackgroundApplication

TOKEN = "123456:" + "A" * 35
ALICE, BOB = 1001, 1002


# -- fixtures and helpers --------------------------------------------------------------------------
@pytest.fixture
def database_url(template_db: Path, tmp_path: Path) -> str:
    copy = tmp_path / "bot.sqlite3"
    shutil.copy(template_db, copy)
    return f"sqlite:///{copy}"


#: The key that hides chat ids, as production sets it (64 hex characters, made for these tests).
STATE_SECRET = "5f1c3e0a9b7d2c4e6f8a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e"


def production_env(database_url: str, *, webhook: bool = False) -> dict[str, str]:
    """STATE_SECRET where the bot requires it: a webhook, or any database but the local SQLite file."""
    return {} if database_url.startswith("sqlite") and not webhook else {"STATE_SECRET": STATE_SECRET}


def settings_for(api: BotApiStandin, database_url: str, home: Path, **env: str) -> Settings:
    return load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": api.base_url,
            "DATABASE_URL": database_url,
            "RESOURCE_BOT_HOME": str(home),
            **production_env(database_url, webhook="WEBHOOK_URL" in env),
            **env,
        }
    )


@dataclass
class RunningBot:
    runtime: Runtime
    bot: TelegramBot
    background: BackgroundApplication


@contextmanager
def running_bot(api: BotApiStandin, settings: Settings, *, gate: ChatGate | None = None) -> Iterator[RunningBot]:
    runtime = open_runtime(settings, bot_username=bot_username(settings))  # as `resource-bot poll` does
    application = build_application(runtime, request_timeout=3.0, gate=gate)
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


def reply_to(api: BotApiStandin, chat_id: int, timeout: float = 5.0) -> dict[str, Any]:
    call = api.wait_for_reply(chat_id, timeout)
    return {**call.result, "_method": call.method}


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
    assert menus.intro("en", "legal") in typed["text"], "a clear need opens its topic at once"
    assert "x" in data_of(typed)

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


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with fresh_schema("tg") as url:
        yield url


def test_the_same_scenario_on_postgresql(api: BotApiStandin, postgres_url: str, tmp_path: Path, menus: Menus) -> None:
    with running_bot(api, settings_for(api, postgres_url, tmp_path)) as running:
        walk_through_and_quick_exit(api, running, menus, postgres_url)


# -- commands, deep links, language ----------------------------------------------------------------
def test_the_command_list_is_registered_in_english_and_spanish_without_admin_commands(
    api: BotApiStandin, bot: RunningBot
) -> None:
    english = [c["command"] for c in api.commands_for("en")]
    spanish = api.commands_for("es")
    assert english == ["start", "menu", "language", "area", "exit", "forget", "help"]
    assert [c["command"] for c in spanish] == english
    assert any("salida" in c["description"].lower() for c in spanish)
    assert api.commands_for("") == api.commands_for("en"), "English is the default for other languages"
    assert not {"stats", "feedback", "reload"} & set(english)


def test_a_deep_link_opens_legal_help_at_once(api: BotApiStandin, bot: RunningBot, menus: Menus) -> None:
    api.user_sends_text(ALICE, "/start legal")
    reply = reply_to(api, ALICE)
    assert menus.intro("en", "legal") in reply["text"]
    assert "x" in data_of(reply)


def test_a_deep_link_sets_spanish_an_area_and_counts_its_source_by_name_only_when_listed(
    api: BotApiStandin, bot: RunningBot, menus: Menus
) -> None:
    add_sources(bot.runtime.db, ["clinic4"])
    api.user_sends_text(ALICE, "/start legal_record_relief-es-z77002-sclinic4")
    reply = reply_to(api, ALICE)
    assert menus.intro("es", "legal.record_relief") in reply["text"]
    assert "Houston" in reply["text"]
    api.user_sends_text(BOB, "/start legal-sJaneDoeClient")  # anyone can put anything in a link
    assert menus.intro("en", "legal") in reply_to(api, BOB)["text"]

    sources = [r for r in read_counts(bot.runtime.db, dt.date(2000, 1, 1)) if r.kind == "source"]
    assert sorted((r.value, r.count) for r in sources) == [("clinic4", 1), ("other", 1)]


def test_a_spanish_phone_gets_spanish_and_the_person_can_switch_to_english(
    api: BotApiStandin, bot: RunningBot, menus: Menus
) -> None:
    api.user_sends_text(BOB, "/start", language_code="es")
    welcome = reply_to(api, BOB)
    assert menus.ui("es", "welcome") in welcome["text"]
    api.user_taps(BOB, welcome["message_id"], "l")
    choose = reply_to(api, BOB)
    assert choose["message_id"] == welcome["message_id"]
    api.user_taps(BOB, choose["message_id"], "l:en")
    english = reply_to(api, BOB)
    assert menus.ui("en", "language_set") in english["text"]
    # The choice sticks, even though the phone is in Spanish.
    api.user_sends_text(BOB, "/menu", language_code="es")
    assert menus.ui("en", "main_prompt") in reply_to(api, BOB)["text"]


def test_forged_button_data_leads_to_the_main_menu(api: BotApiStandin, bot: RunningBot, menus: Menus) -> None:
    api.user_sends_text(ALICE, "/start legal")
    legal = reply_to(api, ALICE)
    api.user_taps(ALICE, legal["message_id"], "s:../../etc/passwd", check_button=False)
    assert menus.ui("en", "main_prompt") in reply_to(api, ALICE)["text"]


def test_a_stale_tap_on_a_deleted_message_still_gets_an_answer(
    api: BotApiStandin, bot: RunningBot, menus: Menus
) -> None:
    api.user_sends_text(ALICE, "/start")
    welcome = reply_to(api, ALICE)
    bot.background.run(bot.background.application.bot.delete_message(ALICE, welcome["message_id"]))
    api.user_taps(ALICE, welcome["message_id"], "t:food", check_button=False)
    reply = reply_to(api, ALICE)
    assert reply["_method"] == "sendMessage" and menus.intro("en", "food") in reply["text"]


# -- area ------------------------------------------------------------------------------------------
def test_sharing_a_location_sets_the_area_and_removes_the_location_keyboard(
    api: BotApiStandin, bot: RunningBot, menus: Menus
) -> None:
    api.user_sends_text(ALICE, "/area")
    prompt = reply_to(api, ALICE)
    assert menus.ui("en", "area_prompt") in prompt["text"]
    keyboard_message = reply_to(api, ALICE)
    keyboard = api.chat_messages(ALICE)[-1].sent_reply_markup
    assert keyboard_message["text"] == menus.ui("en", "share_location")
    assert keyboard["keyboard"][0][0]["request_location"] is True
    api.user_sends_location(ALICE, 29.7604, -95.3698)
    done = reply_to(api, ALICE)
    assert "Houston" in done["text"]
    sent = next(m for m in api.chat_messages(ALICE) if m.message_id == done["message_id"])
    assert sent.sent_reply_markup == {"remove_keyboard": True}
    (added,) = api.wait_for("editMessageReplyMarkup")
    assert added.result["message_id"] == done["message_id"] and "x" in data_of(added.result)


def test_typing_a_zip_code_sets_the_area(api: BotApiStandin, bot: RunningBot, menus: Menus) -> None:
    api.user_sends_text(ALICE, "/start")
    reply_to(api, ALICE)
    api.user_sends_text(ALICE, "77002")
    assert "Houston" in reply_to(api, ALICE)["text"]


# -- groups ----------------------------------------------------------------------------------------
def test_in_a_group_the_bot_only_points_to_a_private_chat(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    api.user_sends_text(-5001, "/start legal", chat_type="group")
    reply = reply_to(api, -5001)
    assert reply["text"] == menus.ui("en", "group_pointer")
    assert "reply_markup" not in reply
    api.user_sends_text(-5001, "I need a lawyer", chat_type="group")
    assert reply_to(api, -5001)["text"] == menus.ui("en", "group_pointer")
    assert state_rows(database_url) == (0, 0)


# -- restart, forget -------------------------------------------------------------------------------
def test_after_a_restart_the_next_tap_continues_where_the_person_was(
    api: BotApiStandin, database_url: str, tmp_path: Path, menus: Menus
) -> None:
    settings = settings_for(api, database_url, tmp_path)
    with running_bot(api, settings):
        api.user_sends_text(ALICE, "/start")
        welcome = reply_to(api, ALICE)
        api.user_taps(ALICE, welcome["message_id"], "t:legal")
        legal = reply_to(api, ALICE)
        api.user_taps(ALICE, legal["message_id"], "t:legal.immigration")
        immigration = reply_to(api, ALICE)
        assert menus.intro("en", "legal.immigration") in immigration["text"]
    with running_bot(api, settings):  # a new process: nothing in memory
        api.user_taps(ALICE, immigration["message_id"], "b")
        back = reply_to(api, ALICE)
        assert menus.intro("en", "legal") in back["text"], "Back knows the person was under Legal help"
        api.user_taps(ALICE, back["message_id"], "x")
        reply_to(api, ALICE)
    assert set(range(1, welcome["message_id"] + 1)) <= set(api.deleted_message_ids(ALICE))


def test_forget_deletes_the_saved_state_and_keeps_the_message_ids_for_quick_exit(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    api.user_sends_text(ALICE, "/start legal-es-z77002")
    reply_to(api, ALICE)
    assert state_rows(database_url)[0] == 1
    api.user_sends_text(ALICE, "/forget")
    assert menus.ui("es", "forget_done") in reply_to(api, ALICE)["text"]
    states, message_ids = state_rows(database_url)
    assert states == 0 and message_ids >= 3, "the ids of /start, its reply and /forget stay for Quick exit"


# -- nothing breaks the bot ------------------------------------------------------------------------
def test_a_flood_wait_and_bad_gateways_are_retried_and_the_reply_arrives_once(
    api: BotApiStandin, bot: RunningBot, menus: Menus
) -> None:
    api.flood_next("sendMessage", retry_after=1)
    api.fail_next("sendMessage", times=2, status=502)
    api.user_sends_text(ALICE, "/start")
    reply = reply_to(api, ALICE)
    assert menus.ui("en", "welcome") in reply["text"]
    statuses = [c.status for c in api.calls if c.method == "sendMessage"]
    assert statuses == [429, 502, 502, 200]


def test_a_timed_out_edit_is_retried_without_a_second_menu(api: BotApiStandin, bot: RunningBot, menus: Menus) -> None:
    api.user_sends_text(ALICE, "/start")
    welcome = reply_to(api, ALICE)
    api.delay_next("editMessageText", seconds=3.5, apply=True)  # applied, but the answer comes too late
    api.user_taps(ALICE, welcome["message_id"], "t:food")
    api.wait_for(lambda c: c.method == "editMessageText", count=2, timeout=15)
    api.user_sends_text(ALICE, "/help")  # served only after everything the tap caused
    reply_to(api, ALICE)
    bot_messages = [m for m in api.chat_messages(ALICE) if m.from_bot]
    assert len(bot_messages) == 2, "the food menu and the help; no second copy of the menu"
    assert menus.intro("en", "food") in (bot_messages[0].text or "")


def test_an_error_in_a_handler_is_logged_without_text_and_the_person_gets_an_apology(
    api: BotApiStandin, bot: RunningBot, menus: Menus, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_state: object, event: object) -> None:
        raise ZeroDivisionError(repr(event))  # the message carries the typed text

    monkeypatch.setattr(bot.runtime.dialog, "handle", broken)
    with caplog.at_level(logging.INFO):
        api.user_sends_text(ALICE, "my boss took my passport")
        reply = reply_to(api, ALICE)
    assert menus.ui("en", "sorry_error") in reply["text"] and "t:legal" in data_of(reply)
    assert "ZeroDivisionError" in caplog.text
    assert "passport" not in caplog.text
    assert str(ALICE) not in caplog.text


def test_when_the_database_is_away_the_person_is_told_to_try_again_and_the_bot_recovers(
    api: BotApiStandin, bot: RunningBot, menus: Menus, monkeypatch: pytest.MonkeyPatch
) -> None:
    def away(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT", {}, ConnectionRefusedError("database is away"))

    with monkeypatch.context() as patch:
        patch.setattr(bot.bot.store, "load", away)
        api.user_sends_text(ALICE, "/start", language_code="es")
        assert reply_to(api, ALICE)["text"] == menus.ui("es", "try_again_later")
    api.user_sends_text(ALICE, "/start", language_code="es")
    assert menus.ui("es", "welcome") in reply_to(api, ALICE)["text"]


def test_one_chat_flooding_is_slowed_down_without_slowing_anyone_else(
    api: BotApiStandin, bot: RunningBot, menus: Menus
) -> None:
    for n in range(30):
        api.user_sends_text(ALICE, f"food {n}")
    api.user_sends_text(BOB, "/start")
    assert menus.ui("en", "welcome") in reply_to(api, BOB)["text"]
    slow = api.wait_for(
        lambda c: c.ok and c.method == "sendMessage" and c.params.get("text") == menus.ui("en", "slow_down")
    )
    assert len(slow) == 1
    answered = [c for c in api.calls_to("sendMessage") if c.params["chat_id"] == ALICE]
    assert len(answered) < 15, "most of the flood is dropped"
    slow_downs = [c for c in answered if c.params["text"] == menus.ui("en", "slow_down")]
    assert len(slow_downs) == 1, "one calm answer, not one per message"


# -- admin -----------------------------------------------------------------------------------------
def test_admin_commands_answer_admins_only(api: BotApiStandin, bot: RunningBot, menus: Menus) -> None:
    admin = 999
    api.user_sends_text(ALICE, "/start legal")
    reply_to(api, ALICE)
    api.user_sends_text(admin, "/stats")
    stats = reply_to(api, admin)["text"]
    assert "topic legal: fewer than 5 / fewer than 5" in stats, "one person's count is never shown"
    api.user_sends_text(admin, "/reload")
    assert reply_to(api, admin)["text"].startswith("Reloaded: ")
    api.user_sends_text(admin, "/feedback")
    assert reply_to(api, admin)["text"] == "No open listing reports."

    # Anyone else gets exactly what an unknown command gets.
    api.user_sends_text(BOB, "/frobnicate")
    unknown = reply_to(api, BOB)
    for command in ("/stats", "/feedback", "/reload"):
        api.user_sends_text(BOB, command)
        answer = reply_to(api, BOB)
        assert (answer["text"], answer.get("reply_markup")) == (unknown["text"], unknown.get("reply_markup"))


def test_a_listing_report_reaches_the_admin_feedback_list(api: BotApiStandin, bot: RunningBot) -> None:
    api.user_sends_text(ALICE, "/start legal")
    legal = reply_to(api, ALICE)
    service = next(d for d in data_of(legal) if d.startswith("s:"))
    api.user_taps(ALICE, legal["message_id"], service)
    card = reply_to(api, ALICE)
    api.user_taps(ALICE, card["message_id"], f"r:{service[2:]}")
    prompt = reply_to(api, ALICE)
    assert prompt["_method"] == "sendMessage", "the card itself is kept"
    api.user_taps(ALICE, prompt["message_id"], f"r:{service[2:]}:w")
    thanks = reply_to(api, ALICE)
    for reason in "wcmw":  # forged taps: the same listing again, whatever the reason
        since = len(api.calls)
        api.user_taps(ALICE, prompt["message_id"], f"r:{service[2:]}:{reason}", check_button=False)
        (edit,) = api.wait_for(lambda c: c.method == "editMessageText", since=since)
        assert edit.params["text"] == thanks["text"], "the same thanks, and nothing more"
    api.user_sends_text(999, "/feedback")
    feedback = reply_to(api, 999)["text"]
    assert "1 open listing report" in feedback and f"{service[2:]}" in feedback and "wrong_number" in feedback
    assert len(list_reports(bot.runtime.db)) == 1, "one report per listing per chat per day"


# -- webhook ---------------------------------------------------------------------------------------
SECRET = "right_secret-123"


@pytest.fixture
def webhook_client(api: BotApiStandin, database_url: str, tmp_path: Path) -> Iterator[Any]:
    from starlette.testclient import TestClient

    from resource_bot.channels.telegram.webhook import build_webhook_app

    settings = settings_for(
        api,
        database_url,
        tmp_path,
        WEBHOOK_URL="https://bot.example.org/telegram",
        WEBHOOK_SECRET=SECRET,
        STATE_SECRET=STATE_SECRET,
    )
    runtime = open_runtime(settings, bot_username=bot_username(settings))  # as `resource-bot webhook` does
    now = [0.0]  # /healthz reuses one answer for a couple of seconds of this clock
    with TestClient(build_webhook_app(runtime, clock=lambda: now[0])) as client:
        client.runtime, client.now = runtime, now
        yield client
    runtime.db.dispose()


def test_the_webhook_registers_itself_and_refuses_a_wrong_secret(
    api: BotApiStandin, webhook_client: Any, menus: Menus
) -> None:
    assert api.webhook.url == "https://bot.example.org/telegram"
    assert api.webhook.secret_token == SECRET
    update = api.make_text_update(ALICE, "/start legal")
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
        assert webhook_client.post("/telegram", json=update, headers=headers).status_code == 403
    assert api.calls_to("sendMessage") == [], "a forged update is not even read"

    answer = webhook_client.post("/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert answer.status_code == 200
    (sent,) = api.calls_to("sendMessage")  # already sent when Telegram gets its 200
    assert menus.intro("en", "legal") in sent.result["text"]


def telegram_posts(client: Any, api: BotApiStandin, update: dict[str, Any]) -> Any:
    """Telegram POSTs ``update``, then runs the one Bot API method the answer's body may carry."""
    answer = client.post("/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    api.webhook_answered(answer.status_code, answer.content)
    return answer


def test_over_the_webhook_a_tap_costs_one_request_and_its_spinner_stops_in_the_answer(
    api: BotApiStandin, webhook_client: Any, menus: Menus
) -> None:
    typed = telegram_posts(webhook_client, api, api.make_text_update(ALICE, "/start"))
    assert (typed.status_code, typed.content) == (200, b""), "a typed message needs nothing in the answer"
    welcome = api.last_bot_message(ALICE)
    assert welcome is not None

    tap = api.make_callback_update(ALICE, welcome.message_id, "t:legal")
    before = len(api.calls)
    answer = telegram_posts(webhook_client, api, tap)
    assert answer.status_code == 200
    assert answer.json() == {"method": "answerCallbackQuery", "callback_query_id": tap["callback_query"]["id"]}
    done = api.calls[before:]
    assert [c.method for c in done if not c.in_webhook_answer] == ["editMessageText"], "one request per tap"
    edit, spinner = done
    assert menus.intro("en", "legal") in edit.result["text"], "served before Telegram gets its answer"
    assert (spinner.method, spinner.ok, spinner.in_webhook_answer) == ("answerCallbackQuery", True, True)


def test_over_the_webhook_quick_exit_by_tap_erases_the_chat_and_stops_the_spinner_in_the_answer(
    api: BotApiStandin, webhook_client: Any, menus: Menus
) -> None:
    telegram_posts(webhook_client, api, api.make_text_update(ALICE, "/start"))
    welcome = api.last_bot_message(ALICE)
    assert welcome is not None
    tap = api.make_callback_update(ALICE, welcome.message_id, "x")
    answer = telegram_posts(webhook_client, api, tap)
    assert answer.json() == {"method": "answerCallbackQuery", "callback_query_id": tap["callback_query"]["id"]}
    assert [m.text for m in api.chat_messages(ALICE)] == [menus.ui("en", "exit_done")]
    assert api.callback_answers.keys() == {tap["callback_query"]["id"]}


def test_health_says_whether_the_database_answers(webhook_client: Any) -> None:
    healthy = webhook_client.get("/healthz")
    assert (healthy.status_code, healthy.json()) == (200, {"database": "ok"})
    webhook_client.runtime.db = create_engine("sqlite:////nonexistent-folder/bot.sqlite3")
    webhook_client.now[0] += 60
    sick = webhook_client.get("/healthz")
    assert (sick.status_code, sick.json()) == (503, {"database": "unavailable"})


# -- the command --------------------------------------------------------------------------------------
def test_resource_bot_poll_serves_a_bot_api_exactly_as_it_would_serve_telegram(
    api: BotApiStandin, database_url: str, tmp_path: Path, menus: Menus
) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": api.base_url,
        "DATABASE_URL": database_url,
        "RESOURCE_BOT_HOME": str(tmp_path),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "resource_bot", "poll"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        api.wait_for("setMyCommands", count=3, timeout=30)  # English, the default, Spanish; then it polls
        api.user_sends_text(ALICE, "/start")
        assert menus.ui("en", "welcome") in reply_to(api, ALICE, timeout=15)["text"]
        api.user_sends_text(ALICE, "/start legal")
        legal = reply_to(api, ALICE, timeout=15)
        assert "h:legal" in data_of(legal), "no BOT_USERNAME: the engine got the name getMe gave, for share links"
        api.user_taps(ALICE, legal["message_id"], "h:legal")
        assert "https://t.me/resource_test_bot?start=legal" in reply_to(api, ALICE, timeout=15)["text"]
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output.decode()
    assert TOKEN not in output.decode(), "the token never reaches the log"


@pytest.mark.parametrize("token", ["", "not-a-token"])
def test_a_missing_or_malformed_token_says_how_to_get_one_in_one_line(tmp_path: Path, token: str) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "RESOURCE_BOT_HOME": str(tmp_path),
        "TELEGRAM_BOT_TOKEN": token,
    }
    result = subprocess.run(
        [sys.executable, "-m", "resource_bot", "poll"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert "BotFather" in line and "resource-bot chat" in line


def test_a_bot_that_cannot_reach_telegram_for_its_username_says_so_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as unused:  # a port nothing listens on: bound, never listening
        unused.bind(("127.0.0.1", 0))
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "RESOURCE_BOT_HOME": str(tmp_path),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_BASE_URL": f"http://127.0.0.1:{unused.getsockname()[1]}/bot",
        }
        result = subprocess.run(
            [sys.executable, "-m", "resource_bot", "poll"], env=env, capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 1
    assert result.stderr == (
        "Error: Could not ask Telegram for the bot's username ([Errno 111] Connection refused). "
        "Check the network, or set BOT_USERNAME to your bot's @username without the @.\n"
    )
