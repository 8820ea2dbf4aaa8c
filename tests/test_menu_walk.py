"""Walk every screen the buttons lead to, in both languages, as a person tapping would."""

from __future__ import annotations

from collections import deque

import pytest

from resource_bot.dialog import buttons
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.engine import Engine
from resource_bot.dialog.events import Press, Reply, Start
from resource_bot.dialog.menus import check_placeholders
from resource_bot.directory import topics

MAX_SCREENS = 5000


def walk(engine: Engine, lang: str) -> dict[tuple[str, str], Reply]:
    """Breadth-first over every (state, button) the bot offers, from /start."""
    seen: dict[tuple[str, str], Reply] = {}
    outcome, state = engine.handle(ChatState(), Start(f"-{lang}"))
    queue = deque([(state, reply) for reply in outcome.replies])
    pressed: set[tuple[str, str]] = set()
    while queue and len(seen) < MAX_SCREENS:
        state, reply = queue.popleft()
        seen[(state.screen, reply.text[:80])] = reply
        for button in reply.all_buttons():
            if not button.data or button.data == buttons.QUICK_EXIT:
                continue
            key = (state.screen + str(state.page), button.data)
            if key in pressed:
                continue
            pressed.add(key)
            outcome, after = engine.handle(state, Press(button.data))
            queue.extend((after, r) for r in outcome.replies)
    return seen


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_screen_fits_telegram_and_offers_a_way_on(engine: Engine, lang: str) -> None:
    screens = walk(engine, lang)
    assert len(screens) > 40
    for (screen, _), reply in screens.items():
        assert len(reply.text) <= 4096, screen
        assert reply.text.strip(), screen
        data = [b.data for b in reply.all_buttons() if b.data]
        for item in data:
            assert len(item.encode()) <= 64, item
        if reply.role.value == "menu":
            assert buttons.QUICK_EXIT in data, f"{screen} has no Quick exit"
        assert data or any(b.url for b in reply.all_buttons()), f"{screen} is a dead end"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_topic_is_reachable_and_lists_a_real_service(engine: Engine, lang: str) -> None:
    reached = {screen for screen, _ in walk(engine, lang)}
    for topic in topics.walk():
        assert f"topic:{topic}" in reached, f"no button leads to {topic}"
        assert engine.catalog.for_topic(topic, None), f"{topic} lists no service"


def test_every_service_card_is_reachable(engine: Engine) -> None:
    reached = {screen for screen, _ in walk(engine, "en")}
    missing = [s for s in engine.catalog.services if f"service:{s}" not in reached]
    assert not missing


@pytest.mark.parametrize("lang", ["en", "es"])
def test_screens_speak_the_chosen_language(engine: Engine, lang: str) -> None:
    outcome, state = engine.handle(ChatState(lang=lang), Press("t:legal"))
    assert engine.menus.intro(lang, "legal") in outcome.replies[0].text
    assert engine.menus.ui(lang, "quick_exit") in [b.label for b in outcome.replies[0].all_buttons()]


def test_translations_keep_every_placeholder(engine: Engine) -> None:
    assert check_placeholders(engine.menus) == []
