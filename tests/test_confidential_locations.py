"""A shelter's secret address: the data file holds only its town, and no screen, link, flyer or
export ever gives more than the town and the phone. Distances are measured from the ZIP's centre."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from resource_bot.db import create_schema, make_engine
from resource_bot.dialog import buttons
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.engine import Engine
from resource_bot.dialog.events import Press, Start, Text
from resource_bot.dialog.menus import Menus
from resource_bot.directory.catalog import Catalog
from resource_bot.directory.catalog_db import read_catalog
from resource_bot.directory.geo import miles_between
from resource_bot.directory.hsds import ImportOptions, export_hsds, import_hsds
from resource_bot.directory.load import replace_directory
from resource_bot.directory.validate import validate_paths
from resource_bot.directory.zip_index import place_from_zip
from resource_bot.flyer import flyer_content
from resource_bot.paths import data_dir
from tests.conftest import FIXTURES, catalog_from

SHELTER = FIXTURES / "confidential"
SECRET_ZIP = "77004"  # the shelter's ZIP: never shown; the person's own ZIP below is 77002
PHONE = "713-555-0142"
LINK = "https://t.me/resource_help_bot?start=housing-z77002"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return catalog_from(data_dir(), SHELTER)


@pytest.fixture(scope="module")
def engine(make_engine: Callable[..., Engine], catalog: Catalog) -> Engine:
    return make_engine(catalog, bot_username="resource_test_bot")


def _write(folder: Path, location: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = (
        (SHELTER / "shelter.yaml")
        .read_text()
        .replace(
            "      - name: {en: Safe house, es: Casa segura}\n"
            '        address: {city: Houston, state: TX, zip: "77004"}\n'
            "        confidential: true\n",
            location,
        )
    )
    path = folder / "shelter.yaml"
    path.write_text(text)
    return path


def test_a_data_file_may_not_hold_the_street_or_coordinates_of_a_confidential_location(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "tests",
        '      - address: {street: "9 Hidden Rd", city: Houston, state: TX, zip: "77004"}\n'
        "        latitude: 29.73\n"
        "        longitude: -95.36\n"
        "        confidential: true\n",
    )
    messages = [p.message for p in validate_paths([path]).problems]

    assert any("street must not be in the data file" in m for m in messages)
    assert any("latitude must not be in the data file" in m for m in messages)
    assert any("longitude must not be in the data file" in m for m in messages)


def test_a_confidential_location_needs_its_zip_to_be_placed(tmp_path: Path) -> None:
    path = _write(tmp_path / "tests", "      - address: {city: Houston, state: TX}\n        confidential: true\n")
    problems = validate_paths([path]).problems

    assert [p.line for p in problems] and "needs its ZIP code" in problems[0].message


def test_the_location_sits_at_its_zip_centre_and_the_database_keeps_the_flag(tmp_path: Path) -> None:
    validation = validate_paths([data_dir(), SHELTER])
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    create_schema(engine)
    replace_directory(engine, validation.organizations, validation.services, validation.files)
    location = read_catalog(engine).services["test-secret-shelter"].locations[0]
    engine.dispose()

    centre = place_from_zip(SECRET_ZIP)
    assert centre is not None
    assert location.confidential and location.street is None
    assert (location.latitude, location.longitude) == (centre.latitude, centre.longitude)


def test_the_topic_list_shows_the_town_and_phone_sorted_by_the_zip_centre(engine: Engine, catalog: Catalog) -> None:
    outcome, state = engine.handle(ChatState(zip="77002"), Press(buttons.topic("housing")))
    text = outcome.replies[-1].text

    assert "Test Safe House" in text and PHONE in text
    assert "In Houston, TX. The address is kept private for safety" in text
    assert SECRET_ZIP not in text and "Address:" not in text
    here, there = place_from_zip("77002"), place_from_zip(SECRET_ZIP)
    assert here and there
    miles = miles_between(here.latitude, here.longitude, there.latitude, there.longitude)
    assert f"About {miles:.1f} miles away" in text


def test_the_card_and_a_deep_link_to_it_give_only_the_town(engine: Engine) -> None:
    for state, event in (
        (ChatState(zip="77002", lang="es"), Press(buttons.service("test-secret-shelter"))),
        (ChatState(), Start("vtest_secret_shelter")),
    ):
        outcome, _ = engine.handle(state, event)
        card = outcome.replies[-1].text
        assert PHONE in card and "Houston, TX" in card
        assert SECRET_ZIP not in card
        assert "privado por seguridad" in card or "kept private for safety" in card


def test_sharing_the_shelter_passes_on_its_name_and_link_only(engine: Engine) -> None:
    outcome, _ = engine.handle(ChatState(zip="77002"), Press(buttons.share_service("test-secret-shelter")))
    shared = outcome.replies[-1]

    assert "Test Safe House" in shared.text and "vtest_secret_shelter" in shared.text
    assert SECRET_ZIP not in shared.text and "Houston" not in shared.text
    assert all(SECRET_ZIP not in (b.url or "") for b in shared.all_buttons())


def test_typing_the_shelters_name_leads_to_the_same_private_card(engine: Engine) -> None:
    outcome, _ = engine.handle(ChatState(), Text("safe house"))
    assert all(SECRET_ZIP not in reply.text for reply in outcome.replies)


def test_a_flyer_for_the_area_prints_the_shelters_number_and_town_only(catalog: Catalog, menus: Menus) -> None:
    content = flyer_content("housing", "en", LINK, catalog, menus, zip_code="77002")
    shelter = next(h for h in content.hotlines if h.number == PHONE)

    assert shelter.more.startswith("Houston, TX")
    assert all(SECRET_ZIP not in f"{h.name} {h.number} {h.more}" for h in content.hotlines)


def test_hsds_export_leaves_the_confidential_location_out(tmp_path: Path) -> None:
    exported = export_hsds(validate_paths([data_dir(), SHELTER]), tmp_path / "hsds")

    assert any("test-secret-shelter" in note and "confidential" in note for note in exported.notes)
    for path in (tmp_path / "hsds").iterdir():
        text = path.read_text()
        assert SECRET_ZIP not in text, path.name
    services = list(csv.DictReader((tmp_path / "hsds" / "services.csv").open()))
    assert any(row["name"] == "Test Safe House" for row in services), "the service itself is still exported"


@pytest.mark.parametrize("mark", ["location_type", "attribute"])
def test_hsds_import_keeps_only_town_state_and_zip_where_the_source_marks_a_secret_address(
    tmp_path: Path, mark: str
) -> None:
    package = tmp_path / "package"
    export_hsds(validate_paths([FIXTURES / "directory"]), package)
    rows = list(csv.DictReader((package / "locations.csv").open()))
    houston = next(r for r in rows if r["latitude"] and abs(float(r["latitude"]) - 29.75) < 0.1)
    if mark == "location_type":
        houston["location_type"] = "confidential"
        with (package / "locations.csv").open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        _add_confidential_attribute(package, houston["id"])

    out = tmp_path / "tests" / "imported"
    import_hsds(package, out, ImportOptions(today=validate_paths([FIXTURES / "directory"]).services[0].last_verified))
    text = "".join(p.read_text() for p in out.glob("*.yaml"))
    services = [s for p in out.glob("*.yaml") for s in (yaml.safe_load(p.read_text()) or {}).get("services", [])]
    shelter = next(s for s in services if "Harris" in str(s["name"]))

    town_only = {"city": "Houston", "state": "TX", "zip": "77002"}
    assert shelter["locations"] == [{"address": town_only, "confidential": True}]
    assert "1 Test St" not in text
    assert validate_paths([out]).ok
    assert "confidential: only its city, state and ZIP are kept" in (out / "import-report.txt").read_text()


def _add_confidential_attribute(package: Path, location_id: str) -> None:
    """Mark a location with our own attribute, as a package exported by another resource-bot might."""
    terms = list(csv.DictReader((package / "taxonomy_terms.csv").open()))
    term = next(t for t in terms if t["code"] == "resource-bot/field/confidential")
    path = package / "attributes.csv"
    rows = list(csv.DictReader(path.open()))
    rows.append(
        {
            **{k: "" for k in rows[0]},
            "id": "secret-1",
            "link_id": location_id,
            "taxonomy_term_id": term["id"],
            "link_type": "field",
            "link_entity": "location",
            "value": "true",
        }
    )
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
