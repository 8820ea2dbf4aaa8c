"""Shared fixtures: engines over the bundled directory and over fictional test services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from resource_bot.dialog.danger import DangerDetector
from resource_bot.dialog.engine import Engine, service_texts
from resource_bot.dialog.menus import Menus
from resource_bot.directory.catalog import Catalog
from resource_bot.directory.validate import validate_paths
from resource_bot.matching.need_matcher import NeedMatcher
from resource_bot.paths import conversations_dir, data_dir
from tests.standin import BotApiStandin

FIXTURES = Path(__file__).parent / "fixtures"
#: A token of the shape the bot's settings accept (digits, a colon, 30+ characters).
TOKEN = "123456:" + "A" * 35
#: A Tuesday, 10:30 in Houston and Austin (America/Chicago).
TUESDAY_MORNING = dt.datetime(2026, 11, 24, 16, 30, tzinfo=dt.UTC)


def catalog_from(*paths: Path) -> Catalog:
    validation = validate_paths(list(paths))
    assert validation.ok, "\n".join(map(str, validation.problems))
    return Catalog.from_entries(entry for entry in validation.services if entry.status == "active")


@pytest.fixture(scope="session")
def menus() -> Menus:
    return Menus.from_dir(conversations_dir())


@pytest.fixture(scope="session")
def danger() -> DangerDetector:
    return DangerDetector.from_directory(conversations_dir())


@pytest.fixture(scope="session")
def bundled_catalog() -> Catalog:
    return catalog_from(data_dir())


@pytest.fixture(scope="session")
def mixed_catalog() -> Catalog:
    """The real national directory plus fictional local services."""
    return catalog_from(data_dir(), FIXTURES / "directory")


@pytest.fixture(scope="session")
def make_engine(menus: Menus, danger: DangerDetector) -> Callable[..., Engine]:
    def build(catalog: Catalog, **kwargs: Any) -> Engine:
        kwargs.setdefault("clock", lambda: TUESDAY_MORNING)
        matcher = NeedMatcher.from_directory(conversations_dir(), service_texts(catalog))
        return Engine(menus, catalog, matcher, danger, **kwargs)

    return build


@pytest.fixture(scope="session")
def engine(make_engine: Callable[..., Engine], bundled_catalog: Catalog) -> Engine:
    return make_engine(bundled_catalog, bot_username="resource_test_bot")


@pytest.fixture(scope="session")
def local_engine(make_engine: Callable[..., Engine], mixed_catalog: Catalog) -> Engine:
    return make_engine(mixed_catalog, bot_username="resource_test_bot")


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file with the bundled directory loaded; each Telegram test copies it."""
    from resource_bot.config import load_settings
    from resource_bot.runtime import open_runtime

    folder = tmp_path_factory.mktemp("template")
    path = folder / "bot.sqlite3"
    runtime = open_runtime(load_settings({"DATABASE_URL": f"sqlite:///{path}", "RESOURCE_BOT_HOME": str(folder)}))
    runtime.db.dispose()
    return path


@pytest.fixture
def api() -> Iterator[BotApiStandin]:
    """The local Telegram Bot API stand-in, with the token the bot's settings accept."""
    with BotApiStandin(token=TOKEN) as standin:
        yield standin
