"""A service's card-only text (description, cost, eligibility, how to apply) stays in the database
until a person opens its card; typed search reads every description once, when the bot starts, and a card opens
even when that text cannot be read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine as Database
from sqlalchemy import update

from resource_bot.db import create_schema, make_engine
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.engine import Engine, service_texts
from resource_bot.dialog.events import Start
from resource_bot.directory.catalog import Catalog
from resource_bot.directory.catalog_db import read_catalog
from resource_bot.directory.load import replace_directory
from resource_bot.directory.models import Service
from resource_bot.directory.validate import validate_paths
from resource_bot.paths import data_dir

NHTH = "nhth"  # the National Human Trafficking Hotline: its deep link `vnhth` opens its card


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    validation = validate_paths([data_dir()])
    assert validation.ok
    db = make_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    create_schema(db)
    replace_directory(db, validation.organizations, validation.services, validation.files)
    yield db
    db.dispose()


def open_card(engine: Engine) -> str:
    outcome, state = engine.handle(ChatState(), Start("v" + NHTH))
    assert state.screen == f"service:{NHTH}"
    return outcome.replies[0].text


def test_the_card_shows_the_description_and_cost_the_bundled_file_gives(
    database: Database, bundled_catalog: Catalog, make_engine: Callable[..., Engine]
) -> None:
    in_file = bundled_catalog.card_text(NHTH)

    text = open_card(make_engine(read_catalog(database)))

    assert in_file.description["en"] in text and in_file.cost["en"] in text


def test_the_description_is_read_when_the_card_opens_not_when_the_bot_starts(
    database: Database, make_engine: Callable[..., Engine]
) -> None:
    engine = make_engine(read_catalog(database))
    with database.begin() as connection:
        connection.execute(
            update(Service).where(Service.id == NHTH).values(description={"en": "Fictional words for this test."})
        )

    assert "Fictional words for this test." in open_card(engine)


def test_the_matcher_reads_every_description_from_the_database_as_from_the_files(
    database: Database, bundled_catalog: Catalog
) -> None:
    from_database = list(service_texts(read_catalog(database)))

    assert from_database == list(service_texts(bundled_catalog))
    assert bundled_catalog.card_text(NHTH).description["en"] in next(s for s in from_database if s.id == NHTH).texts


def test_a_card_opens_with_its_phone_when_the_database_is_away(
    database: Database, make_engine: Callable[..., Engine]
) -> None:
    engine = make_engine(read_catalog(database))
    with database.begin() as connection:
        connection.exec_driver_sql("DROP TABLE phone")
        connection.exec_driver_sql("ALTER TABLE service RENAME TO service_gone")

    text = open_card(engine)

    assert "1-888-373-7888" in text
