"""The guides on Telegram: the real python-telegram-bot Application against the Bot API stand-in.

Every guide screen goes out with protect_content (Telegram then lets nobody forward or save
it); a guide opened from a topic screen comes as a new protected message, the old menu goes,
and the guide's next screens edit that protected message in place.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from resource_bot.channels.telegram.chats import ChatGate
from resource_bot.dialog import buttons
from resource_bot.dialog.guides import Guide, key_of
from resource_bot.dialog.menus import Menus
from resource_bot.stats import read_counts
from tests.standin import BotApiStandin
from tests.test_telegram_bot import ALICE, RunningBot, data_of, reply_to, running_bot, settings_for, state_rows

GUIDES = ("safety-plan", "disaster-plan", "job-check", "record-relief", "credit-block")
WALKS = [(guide, lang) for guide in GUIDES for lang in ("en", "es")]


@pytest.fixture
def database_url(template_db: Path, tmp_path: Path) -> str:
    copy = tmp_path / "bot.sqlite3"
    shutil.copy(template_db, copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def bot(api: BotApiStandin, database_url: str, tmp_path: Path) -> Iterator[RunningBot]:
    # A test taps faster than a person: a gate that lets a whole guide through without "slow down".
    gate = ChatGate(burst=100)
    with running_bot(api, settings_for(api, database_url, tmp_path), gate=gate) as running:
        yield running


@pytest.fixture(scope="module")
def menus() -> Menus:
    from resource_bot.paths import conversations_dir

    return Menus.from_dir(conversations_dir())


def last_send(api: BotApiStandin) -> dict[str, Any]:
    return api.calls_to("sendMessage")[-1].params


def guide_of(menus: Menus, guide_id: str, lang: str) -> Guide:
    guide = menus.guides.get(guide_id, lang)
    assert guide is not None
    return guide


@pytest.mark.parametrize(("guide_id", "lang"), WALKS)
def test_each_guide_is_walked_screen_by_screen_in_a_protected_message(
    api: BotApiStandin, bot: RunningBot, menus: Menus, guide_id: str, lang: str
) -> None:
    guide = guide_of(menus, guide_id, lang)
    api.user_sends_text(ALICE, f"/start g{key_of(guide_id)}-{lang}")
    screen = reply_to(api, ALICE)
    assert screen["_method"] == "sendMessage" and last_send(api).get("protect_content") is True
    assert screen.get("has_protected_content") is True
    step = guide.steps[guide.start]
    assert step.text in screen["text"] and "x" in data_of(screen)
    while not step.end:
        api.user_taps(ALICE, screen["message_id"], buttons.guide_step(guide_id, step.id, "0"))
        reply = reply_to(api, ALICE)
        assert reply["_method"] == "editMessageText", "the protected message is edited in place"
        assert reply["message_id"] == screen["message_id"]
        step = guide.steps[step.answers[0].go]
        assert step.text in reply["text"]
        assert {"x", "m", buttons.guide_step(guide_id, step.id, "b")} <= set(data_of(reply))
        screen = reply
    for item in (i for s in guide.steps.values() for a in s.answers[:1] for i in a.add):
        assert guide.items[item] in screen["text"]
    bot.runtime.flush_counts()  # counts wait in memory for a few seconds
    counts = {(r.kind, r.value) for r in read_counts(bot.runtime.db, dt.date(2000, 1, 1))}
    assert ("guide", guide_id) in counts
    assert not any(r[0] == "guide" and r[1] != guide_id for r in counts)


def test_a_guide_opened_from_its_topic_comes_as_a_new_protected_message_and_the_menu_goes(
    api: BotApiStandin, bot: RunningBot, menus: Menus
) -> None:
    api.user_sends_text(ALICE, "/start work")
    topic = reply_to(api, ALICE)
    assert "protect_content" not in last_send(api), "a topic screen may be forwarded"
    api.user_taps(ALICE, topic["message_id"], buttons.guide("job-check"))
    guide = reply_to(api, ALICE)
    assert guide["_method"] == "sendMessage" and last_send(api).get("protect_content") is True
    assert guide_of(menus, "job-check", "en").title in guide["text"]
    api.wait_for("deleteMessage")
    alive = [m.message_id for m in api.chat_messages(ALICE) if m.from_bot and not m.deleted]
    assert alive == [guide["message_id"]], "the old topic menu was deleted"

    # Back from the first screen: the topic again, in the same (protected) message.
    api.user_taps(ALICE, guide["message_id"], buttons.guide_step("job-check", "start", "b"))
    back = reply_to(api, ALICE)
    assert back["_method"] == "editMessageText" and menus.intro("en", "work") in back["text"]


def test_typed_spanish_words_open_the_spanish_guide_protected(
    api: BotApiStandin, bot: RunningBot, menus: Menus
) -> None:
    api.user_sends_text(ALICE, "plan de seguridad")
    reply = reply_to(api, ALICE)
    assert reply["text"].startswith(guide_of(menus, "safety-plan", "es").title)
    assert last_send(api).get("protect_content") is True


def test_quick_exit_in_the_middle_of_a_guide_deletes_it_all_and_keeps_nothing(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    api.user_sends_text(ALICE, "/start gjob_check")
    screen = reply_to(api, ALICE)
    for step, answer in (("start", "0"), ("documents", "0"), ("debt", "0")):
        api.user_taps(ALICE, screen["message_id"], buttons.guide_step("job-check", step, answer))
        screen = reply_to(api, ALICE)
    state = bot.bot.store.load(bot.bot.store.key_for(ALICE))
    assert state.guide is not None and state.guide.items == ("documents", "debt")
    api.user_taps(ALICE, screen["message_id"], "x")
    done = reply_to(api, ALICE)
    assert done["text"] == menus.ui("en", "exit_done")
    assert [m.message_id for m in api.chat_messages(ALICE)] == [done["message_id"]]
    assert state_rows(database_url) == (0, 0)
