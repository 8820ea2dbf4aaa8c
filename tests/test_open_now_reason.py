""" "Open now only" that leaves nothing says why: the places list no hours, or none is open at this hour."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from resource_bot.dialog import buttons
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.engine import Engine
from resource_bot.dialog.events import Press
from resource_bot.dialog.menus import Menus
from tests.conftest import catalog_from

NO_HOURS = """services:
  - id: test-business-help
    name: {en: Test Business Help, es: Ayuda de Prueba para Negocios}
    description: A made-up small business helper with no hours listed.
    topics: [money.business]
    website: https://example.org/test-business
    area: national
    source: https://example.org/test-business
    verified: 2026-06-01
"""
SATURDAYS_ONLY = '    hours:\n      timezone: America/New_York\n      sat: "10:00-14:00"\n'
SATURDAYS = NO_HOURS.replace("    area: national\n", "    area: national\n" + SATURDAYS_ONLY)


def engine_over(yaml_text: str, tmp_path: Path, make_engine: Callable[..., Engine]) -> Engine:
    (tmp_path / "business.yaml").write_text(yaml_text)
    return make_engine(catalog_from(tmp_path))  # the clock: a Tuesday morning


@pytest.mark.parametrize("lang", ["en", "es"])
def test_open_now_over_places_with_no_hours_says_their_hours_are_not_listed(
    lang: str, tmp_path: Path, make_engine: Callable[..., Engine], menus: Menus
) -> None:
    engine = engine_over(NO_HOURS, tmp_path, make_engine)

    outcome, _ = engine.handle(ChatState(lang=lang), Press(buttons.open_filter("money.business", True)))

    text = outcome.replies[0].text
    assert menus.ui(lang, "open_now_no_hours") in text
    assert menus.ui(lang, "no_services_here") not in text
    assert buttons.open_filter("money.business", False) in [b.data for b in outcome.replies[0].all_buttons()]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_open_now_over_places_closed_at_this_hour_says_none_is_open(
    lang: str, tmp_path: Path, make_engine: Callable[..., Engine], menus: Menus
) -> None:
    engine = engine_over(SATURDAYS, tmp_path, make_engine)

    outcome, _ = engine.handle(ChatState(lang=lang), Press(buttons.open_filter("money.business", True)))

    assert menus.ui(lang, "none_open_now") in outcome.replies[0].text


def test_a_topic_with_nothing_listed_still_says_so_with_the_filter_on(
    tmp_path: Path, make_engine: Callable[..., Engine], menus: Menus
) -> None:
    engine = engine_over(NO_HOURS, tmp_path, make_engine)

    outcome, _ = engine.handle(ChatState(), Press(buttons.open_filter("childcare", True)))

    assert menus.ui("en", "no_services_here") in outcome.replies[0].text
