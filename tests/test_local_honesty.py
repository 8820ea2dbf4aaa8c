"""Local help, honestly: where the directory has nothing near a person, the bot and its flyers say
so and point to 211 and the national lines, and `resource-bot coverage` shows maintainers the gaps."""

from __future__ import annotations

from click.testing import CliRunner

from resource_bot.cli import main
from resource_bot.dialog import buttons
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.engine import Engine
from resource_bot.dialog.events import Press, Start, Text
from resource_bot.dialog.menus import Menus
from resource_bot.directory.catalog import Catalog
from resource_bot.flyer import flyer_content
from resource_bot.paths import data_dir
from tests.conftest import FIXTURES

ABSAROKEE = "59001"  # Absarokee, MT: only Montana's labor office (Work) is listed there
FRANKFORT = "40601"  # Frankfort, KY: no listing of any kind for Kentucky in the bundled directory
LINK = "https://t.me/resource_help_bot?start=housing-z59001"


def test_setting_a_zip_with_no_local_listing_says_so_and_points_to_211(engine: Engine) -> None:
    outcome, state = engine.handle(ChatState(), Text(FRANKFORT))
    text = outcome.replies[-1].text

    assert state.zip == FRANKFORT
    assert "I don't have listings near Frankfort yet" in text and "call 211" in text
    assert "Help near there shows first" not in text


def test_in_spanish_too(engine: Engine) -> None:
    outcome, _ = engine.handle(ChatState(lang="es"), Text(FRANKFORT))
    text = outcome.replies[-1].text

    assert "Todavía no tengo servicios cerca de Frankfort" in text and "llame al 211" in text
    assert "Primero verá la ayuda cercana" not in text


def test_a_topic_screen_with_nothing_local_says_so_then_lists_the_national_lines(engine: Engine) -> None:
    outcome, _ = engine.handle(ChatState(zip=ABSAROKEE), Press(buttons.topic("legal")))
    text = outcome.replies[-1].text

    assert "I don't have listings near Absarokee yet" in text
    assert text.index("I don't have listings") < text.index("Legal Services Corporation")
    assert "Nationwide" in text


def test_changing_the_area_on_a_topic_screen_does_not_repeat_the_gap(engine: Engine) -> None:
    _, state = engine.handle(ChatState(), Press(buttons.topic("food")))
    outcome, _ = engine.handle(state, Text(ABSAROKEE))
    text = outcome.replies[-1].text

    assert text.count("I don't have listings near Absarokee yet") == 1
    assert "Your area is now Absarokee, MT 59001." in text


def test_the_emergency_screen_stays_short(engine: Engine) -> None:
    outcome, _ = engine.handle(ChatState(zip=ABSAROKEE), Press(buttons.topic("emergency")))
    assert "I don't have listings" not in outcome.replies[-1].text


def test_where_there_is_local_help_it_is_promised_and_shown_first(local_engine: Engine) -> None:
    outcome, _ = local_engine.handle(ChatState(), Start("housing-z77002"))
    text = outcome.replies[-1].text

    assert "Help near there shows first" in text and "I don't have listings" not in text
    assert text.index("Test Harris Shelter") < text.index("Nationwide")


def test_a_deep_link_with_a_zip_and_no_local_help_makes_no_promise(engine: Engine) -> None:
    outcome, _ = engine.handle(ChatState(), Start(f"housing-z{ABSAROKEE}"))
    text = outcome.replies[-1].text

    assert "Help near there shows first" not in text
    assert "I don't have listings near Absarokee yet" in text


def test_a_flyer_promises_local_help_only_where_the_directory_has_some(
    bundled_catalog: Catalog, mixed_catalog: Catalog, menus: Menus
) -> None:
    nothing_near = flyer_content("housing", "en", LINK, bundled_catalog, menus, zip_code=ABSAROKEE)
    houston = flyer_content("housing", "en", LINK, mixed_catalog, menus, zip_code="77002")

    assert not nothing_near.local and nothing_near.words["area_none"].format(zip=ABSAROKEE) == (
        "The chat shows national lines. For help near ZIP code 59001, call 211."
    )
    assert houston.local
    shelter = next(h for h in houston.hotlines if h.number == "713-555-0101")
    assert shelter.more.startswith("Houston, TX") and "1 Test St" not in shelter.more
    assert [h.number for h in houston.hotlines][:4] == ["911", "988", "1-888-373-7888", "713-555-0101"]


def test_coverage_prints_national_counts_and_local_ones_per_state() -> None:
    result = CliRunner().invoke(
        main, ["coverage", "--state", "TX", "--state", "mt", str(data_dir()), str(FIXTURES / "directory")]
    )
    lines = result.output.splitlines()
    header = lines[0].split()
    tx = dict(zip(header, lines[3].split()[1:], strict=True))
    mt = dict(zip(header, lines[4].split()[1:], strict=True))

    assert result.exit_code == 0, result.output
    assert header[:3] == ["emergency", "trafficking", "safety"] and lines[1].startswith("national")
    assert lines[3].startswith("TX") and tx["housing"] == "1" and tx["legal"] == "1" and tx["food"] == "."
    assert lines[4].startswith("MT") and mt["work"] == "1" and {v for k, v in mt.items() if k != "work"} == {"."}
    assert "of 26 state-topic cells have no local listing" in result.output


def test_coverage_covers_every_state_dc_and_the_territories_by_default() -> None:
    result = CliRunner().invoke(main, ["coverage"])
    rows = {line.split()[0] for line in result.output.splitlines()[3:] if line.strip() and len(line.split()[0]) == 2}

    assert result.exit_code == 0
    assert {"AL", "WY", "DC", "PR", "GU", "VI", "AS", "MP"} <= rows


def test_coverage_with_an_unknown_state_says_what_to_type() -> None:
    result = CliRunner().invoke(main, ["coverage", "--state", "ZZ"])

    assert result.exit_code == 2
    assert "ZZ is not a US state code; use two letters like TX." in result.output
