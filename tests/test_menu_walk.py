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
from resource_bot.directory.zip_index import city_zips

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
    """National services from /start; a local one (a state's office) from a ZIP in its state."""
    reached = {screen for screen, _ in walk(engine, "en")}
    services = engine.catalog.services
    missing = [s for s, listing in services.items() if listing.national and f"service:{s}" not in reached]
    assert not missing
    zips = {state: min(z) for (state, _), z in city_zips().items()}
    for sid, listing in engine.catalog.services.items():
        if listing.national:
            continue
        (state,) = listing.area.states
        start = ChatState(zip=zips[state])
        outcome, after = engine.handle(start, Press(buttons.topic(listing.topics[0])))
        assert any(b.data == buttons.service(sid) for b in outcome.replies[-1].all_buttons()), sid
        outcome, _ = engine.handle(after, Press(buttons.service(sid)))
        assert outcome.replies[-1].text.startswith(listing.name["en"]), sid


@pytest.mark.parametrize("lang", ["en", "es"])
def test_screens_speak_the_chosen_language(engine: Engine, lang: str) -> None:
    outcome, state = engine.handle(ChatState(lang=lang), Press("t:legal"))
    assert engine.menus.intro(lang, "legal") in outcome.replies[0].text
    assert engine.menus.ui(lang, "quick_exit") in [b.label for b in outcome.replies[0].all_buttons()]


def test_translations_keep_every_placeholder(engine: Engine) -> None:
    assert check_placeholders(engine.menus) == []
