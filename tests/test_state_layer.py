"""The state layer: each state's labor office for unpaid wages shows first for a ZIP in that state,
a state with no office listed says so plainly, flyers print only what the chat shows, and
`resource-bot coverage` shows which states have one."""

from __future__ import annotations

import re

from click.testing import CliRunner

from resource_bot.cli import main
from resource_bot.dialog import buttons
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.engine import Engine
from resource_bot.dialog.events import Press, Text
from resource_bot.dialog.menus import Menus
from resource_bot.directory.catalog import Catalog
from resource_bot.directory.states import STATE_NAMES
from resource_bot.directory.validate import validate_paths
from resource_bot.flyer import flyer_content
from resource_bot.paths import data_dir

ABSAROKEE_MT = "59001"
FRANKFORT_KY = "40601"
ANCHORAGE_AK = "99501"
RALEIGH_NC = "27601"
STATE_FILE = data_dir() / "state-labor-offices.yaml"
LINK = "https://t.me/resource_help_bot?start=work"
#: The 50 states, DC and the five inhabited territories (the freely associated states have no labor office of ours).
PLACES = set(STATE_NAMES) - {"UM", "FM", "MH", "PW"}


def test_a_person_in_montana_taps_work_and_sees_montanas_labor_office_first(engine: Engine) -> None:
    _, state = engine.handle(ChatState(), Text(ABSAROKEE_MT))
    outcome, _ = engine.handle(state, Press(buttons.topic("work")))
    text = outcome.replies[-1].text

    first = text.index("▪️")
    office = "Montana Department of Labor & Industry, Compliance and Investigations Bureau"
    assert text.startswith(f"▪️ {office} (🏛️ Serves all of Montana)", first)
    assert "Call 406-444-6543" in text
    assert text.index("Montana Department of Labor") < text.index("Nationwide")
    assert "I don't have listings near" not in text


def test_in_spanish_the_state_office_says_it_serves_all_of_the_state(engine: Engine) -> None:
    outcome, _ = engine.handle(ChatState(lang="es", zip=ABSAROKEE_MT), Press(buttons.topic("work")))
    text = outcome.replies[-1].text

    office = "Montana Department of Labor & Industry, Compliance and Investigations Bureau"
    assert f"{office} (🏛️ Atiende en todo el estado o territorio: Montana)" in text
    assert "Todavía no tengo servicios cerca" not in text


def test_in_spanish_a_state_is_named_as_spanish_names_it(engine: Engine) -> None:
    outcome, _ = engine.handle(ChatState(lang="es", zip=RALEIGH_NC), Press(buttons.topic("work")))
    text = outcome.replies[-1].text

    assert "(🏛️ Atiende en todo el estado o territorio: Carolina del Norte)" in text
    assert "North Carolina)" not in text


def test_a_spanish_work_flyer_names_the_state_in_spanish(bundled_catalog: Catalog, menus: Menus) -> None:
    content = flyer_content("work", "es", LINK, bundled_catalog, menus, zip_code=RALEIGH_NC)

    assert any("Carolina del Norte" in hotline.more for hotline in content.hotlines), content.hotlines


def test_setting_a_montana_zip_promises_local_help_only_for_work(engine: Engine) -> None:
    outcome, _ = engine.handle(ChatState(), Text(ABSAROKEE_MT))
    text = outcome.replies[-1].text

    assert "Your area is now Absarokee, MT 59001. Near there I have listings for: 👷 Work problems." in text
    assert "For other local help, call 211" in text
    assert "Help near there shows first" not in text


def test_the_other_topics_in_montana_still_say_there_is_nothing_local(engine: Engine) -> None:
    outcome, _ = engine.handle(ChatState(zip=ABSAROKEE_MT), Press(buttons.topic("safety")))
    assert "I don't have listings near Absarokee yet" in outcome.replies[-1].text


def test_a_person_in_a_state_with_no_office_listed_hears_so_plainly(engine: Engine) -> None:
    outcome, _ = engine.handle(ChatState(zip=FRANKFORT_KY), Press(buttons.topic("work")))
    text = outcome.replies[-1].text

    assert "I don't have listings near Frankfort yet. For local help, call 211" in text
    assert text.index("I don't have listings") < text.index("Wage and Hour Division")
    assert "Serves all of" not in text


def test_a_work_flyer_for_a_montana_zip_prints_the_state_office_it_promises(
    bundled_catalog: Catalog, menus: Menus
) -> None:
    content = flyer_content("work", "en", LINK, bundled_catalog, menus, zip_code=ABSAROKEE_MT)

    assert content.local
    office = next(h for h in content.hotlines if h.number == "406-444-6543")
    assert office.name.startswith("Montana Department of Labor") and office.more.startswith("Montana")


def test_a_state_office_with_only_a_website_is_printed_by_its_short_address(
    bundled_catalog: Catalog, menus: Menus
) -> None:
    content = flyer_content("work", "en", LINK, bundled_catalog, menus, zip_code=ANCHORAGE_AK)

    assert content.local
    office = next(h for h in content.hotlines if h.name.startswith("Alaska Department of Labor"))
    assert office.number == "" and office.more == "Alaska · labor.alaska.gov/lss/wagehelp.htm"


def test_a_work_flyer_for_a_state_with_no_office_makes_no_local_promise(bundled_catalog: Catalog, menus: Menus) -> None:
    content = flyer_content("work", "en", LINK, bundled_catalog, menus, zip_code=FRANKFORT_KY)

    assert not content.local


def test_coverage_shows_which_states_have_a_labor_office() -> None:
    result = CliRunner().invoke(main, ["coverage"])
    lines = result.output.splitlines()
    header = lines[0].split()
    state_lines = [line.split() for line in lines[3:] if line[:2].isupper()]
    rows = {cells[0]: dict(zip(header, cells[1:], strict=True)) for cells in state_lines}

    assert result.exit_code == 0, result.output
    assert rows["MT"]["work"] == "1" and rows["DC"]["work"] == "1"
    assert rows["KY"]["work"] == "." and rows["PR"]["work"] == "."
    assert sum(row["work"] == "1" for row in rows.values()) == 44


def test_every_state_entry_serves_one_state_under_wages_and_is_sourced() -> None:
    validation = validate_paths([STATE_FILE])
    assert not validation.problems, validation.problems

    states = []
    for entry in validation.services:
        (state,) = entry.area.states
        assert entry.id == f"labor-{state.lower()}" and not entry.area.national
        assert entry.topics == ("work.wages",)
        assert entry.source_url.startswith(("https://", "http://")) and entry.website
        states.append(state)
    assert len(states) == len(set(states)) == 44


def test_the_file_header_names_exactly_the_places_left_out() -> None:
    text = STATE_FILE.read_text(encoding="utf-8")
    header = text[: text.index("services:")]
    left_out_text = " ".join(line.lstrip("# ") for line in header[header.index("Left out") :].splitlines())
    covered = {match.upper() for match in re.findall(r"id: labor-([a-z]{2})\b", text)}
    left_out = {code for code in PLACES if STATE_NAMES[code] in left_out_text}

    assert left_out == PLACES - covered
