"""The bot killed (SIGKILL) inside a group-commit window loses what the README says, and nothing more.

The README: the writes of updates served together are committed together, and a reply
goes out only once its update's writes are committed. So a crash loses the states of the
updates in the open window, and none of those updates got a reply; every state whose
reply was sent survives. Here the window is made long (``GROUP_COMMIT_MS``) so that the
kill surely lands inside it.
"""

from __future__ import annotations

import shutil
import signal
import time
from pathlib import Path

import pytest

from resource_bot.db import make_engine
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.menus import Menus
from resource_bot.state_store import StateStore
from tests.standin import BotApiStandin
from tests.test_faults import start_poll, successful_replies
from tests.test_telegram_bot import reply_to

ALICE, BOB = 4601, 4602
#: The window, long enough that the kill lands in it however slow the machine.
LONG_WINDOW_MS = "5000"


@pytest.fixture
def database_url(template_db: Path, tmp_path: Path) -> str:
    copy = tmp_path / "bot.sqlite3"
    shutil.copy(template_db, copy)
    return f"sqlite:///{copy}"


def saved(url: str, chat_id: int) -> tuple[ChatState | None, list[int]]:
    """What the database holds about a chat: its state (None: no row) and its message ids."""
    engine = make_engine(url)
    try:
        store = StateStore(engine)
        key = store.key_for(chat_id)
        missing = ChatState(screen="no row")
        state = store.load(key, new_chat=missing)
        return (None if state == missing else state), store.messages(key)
    finally:
        engine.dispose()


def wait_until_saved(url: str, chat_id: int, message_id: int, timeout: float = 30.0) -> None:
    """Wait until the id of the bot's reply is written (in the group commit after the reply)."""
    deadline = time.monotonic() + timeout
    while message_id not in saved(url, chat_id)[1]:
        assert time.monotonic() < deadline, f"message {message_id} was never remembered"
        time.sleep(0.05)


def test_killed_inside_the_window_it_loses_the_unanswered_states_and_nothing_else(
    api: BotApiStandin, database_url: str, tmp_path: Path, menus: Menus
) -> None:
    first = start_poll(api, database_url, tmp_path, GROUP_COMMIT_MS=LONG_WINDOW_MS)
    try:
        # Answered: each reply came once its state was committed.
        api.user_sends_text(ALICE, "/start")
        alice_welcome = reply_to(api, ALICE, timeout=30)
        api.user_sends_text(BOB, "/start")
        bob_welcome = reply_to(api, BOB, timeout=30)
        api.user_taps(ALICE, alice_welcome["message_id"], "t:legal")
        alice_legal = reply_to(api, ALICE, timeout=30)
        assert menus.intro("en", "legal") in alice_legal["text"]
        wait_until_saved(database_url, BOB, bob_welcome["message_id"])  # nothing of it waits any more
        alice_before, alice_ids = saved(database_url, ALICE)
        bob_before, bob_ids = saved(database_url, BOB)
        assert alice_before is not None and alice_before.screen == "topic:legal"
        assert bob_before is not None and bob_before.screen == "main"

        # Served, not yet committed: both taps are in the open window when the process dies.
        since = len(api.calls)
        api.user_taps(ALICE, alice_legal["message_id"], "m")
        api.user_taps(BOB, bob_welcome["message_id"], "t:food")
        api.wait_for("answerCallbackQuery", count=2, timeout=30, since=since)  # the bot is serving both
        deadline = time.monotonic() + 30
        while api.pending_update_count:  # acknowledged: Telegram would not send them again
            assert time.monotonic() < deadline, "the bot never asked for the next updates"
            time.sleep(0.01)
        time.sleep(0.3)  # a moment to read the states and queue the writes; well inside the window
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=20)
    assert first.returncode == -signal.SIGKILL

    assert successful_replies(api, ALICE, since) == [], "no reply was sent for a state that was lost"
    assert successful_replies(api, BOB, since) == []
    assert saved(database_url, ALICE) == (alice_before, alice_ids), "Alice's last answered state survives"
    assert saved(database_url, BOB) == (bob_before, bob_ids), "so does Bob's"

    # The person taps again: served from the state their last answer left.
    second = start_poll(api, database_url, tmp_path)
    try:
        api.user_taps(ALICE, alice_legal["message_id"], "m")
        main_menu = reply_to(api, ALICE, timeout=30)
        assert menus.ui("en", "main_prompt") in main_menu["text"]
        api.user_taps(BOB, bob_welcome["message_id"], "t:food")
        assert menus.intro("en", "food") in reply_to(api, BOB, timeout=30)["text"]
        after, _ = saved(database_url, ALICE)
        assert after is not None and after.screen == "main", "this time the tap's state was written before the reply"
    finally:
        second.send_signal(signal.SIGINT)
        output, _ = second.communicate(timeout=30)
    assert second.returncode == 0, output.decode()[-3000:]
