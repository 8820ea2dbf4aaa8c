"""The folders' rules, pinned: the dialog engine is pure, directory/ does not reach up into dialog/,
and matching/ (typed words to topics and services) stands on its own, used by both.

Each check imports every module of one package in a fresh interpreter (so
nothing the test run already loaded counts) and looks at what ended up in
``sys.modules``. A new module is covered as soon as it exists.
"""

from __future__ import annotations

import json
import subprocess
import sys

#: What the engine must never load: the database, Telegram, the web server and HTTP clients.
NOT_IN_THE_ENGINE = ("sqlalchemy", "psycopg", "telegram", "starlette", "uvicorn", "httpx")

_LOAD_EVERY_MODULE = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(module.name)
print(json.dumps(sorted(sys.modules)))
"""


def loaded_by(package: str) -> list[str]:
    """Every module in sys.modules after a fresh interpreter imports all of ``package``."""
    done = subprocess.run(
        [sys.executable, "-c", _LOAD_EVERY_MODULE, package], capture_output=True, text=True, check=True
    )
    modules: list[str] = json.loads(done.stdout)
    return modules


def within(modules: list[str], *packages: str) -> list[str]:
    """Which of ``packages`` (or modules) were loaded, themselves or any module under them."""
    return [p for p in packages if any(m == p or m.startswith(p + ".") for m in modules)]


def test_the_dialog_package_loads_no_database_telegram_or_web_code() -> None:
    modules = loaded_by("resource_bot.dialog")
    assert "resource_bot.dialog.engine" in modules  # the walk really imported the engine
    assert "resource_bot.matching.need_matcher" in modules  # and the matching it reads typed words with
    assert within(modules, *NOT_IN_THE_ENGINE) == []
    assert within(modules, "resource_bot.db", "resource_bot.directory.models", "resource_bot.channels") == []


def test_the_directory_package_imports_nothing_from_dialog_or_channels() -> None:
    modules = loaded_by("resource_bot.directory")
    assert "resource_bot.directory.hsds.importer" in modules  # the HSDS importer, which once imported the matcher
    assert within(modules, "resource_bot.dialog", "resource_bot.channels") == []


def test_the_matching_package_imports_no_engine_channel_database_or_web_code() -> None:
    modules = loaded_by("resource_bot.matching")
    assert "resource_bot.matching.need_matcher" in modules
    assert within(modules, *NOT_IN_THE_ENGINE) == []
    assert within(modules, "resource_bot.dialog", "resource_bot.channels", "resource_bot.db") == []


def test_matching_takes_only_the_topic_list_from_directory() -> None:
    """The topic ids are what matching scores; the catalog, places and loaders stay out of it."""
    modules = loaded_by("resource_bot.matching")
    from_directory = [m for m in modules if m.startswith("resource_bot.directory.")]
    assert from_directory == ["resource_bot.directory.topics"]
