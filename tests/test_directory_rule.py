"""The database holds the loaded directory, and only `load` replaces it: every other command serves
what is loaded, and says so when the data folder differs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import func, select

from resource_bot.cli import main
from resource_bot.db import make_engine
from resource_bot.dialog.events import Feedback
from resource_bot.directory.load import current_version
from resource_bot.directory.models import DirectoryVersion
from resource_bot.feedback import record_feedback
from resource_bot.paths import data_dir

WARNING = re.compile(
    r"^Warning: Serving the directory in the database \((\d+) services loaded [\d-]+ [\d:]+ UTC from (.+)\); "
    r"the data folder (.+) differs from it\. To serve the folder, run `resource-bot load` "
    r"\(it checks the files first\)\.$"
)


def run(home: Path, *args: str, text: str = "") -> Result:
    return CliRunner().invoke(main, list(args), input=text, env={"RESOURCE_BOT_HOME": str(home), "DATABASE_URL": ""})


def loads(home: Path) -> int:
    engine = make_engine(f"sqlite:///{home / 'resource-bot.sqlite3'}")
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(DirectoryVersion)).scalar_one())


def one_file_directory(tmp_path: Path) -> Path:
    """A smaller real directory: only the bundled crisis lines."""
    folder = tmp_path / "crisis-only"
    folder.mkdir()
    shutil.copy(data_dir() / "crisis.yaml", folder)
    return folder


def test_chat_after_loading_another_folder_serves_it_and_does_not_reload_the_bundled_data(tmp_path: Path) -> None:
    home = tmp_path / "home"
    other = one_file_directory(tmp_path)
    assert run(home, "load", str(other)).exit_code == 0

    chat = run(home, "chat", text="human trafficking\n")

    assert chat.exit_code == 0, chat.output
    assert loads(home) == 1, "the chat did not load anything"
    (warning,) = chat.stderr.splitlines()
    match = WARNING.match(warning)
    assert match and match[2].endswith("crisis.yaml") and match[3] == str(data_dir())
    version = current_version(make_engine(f"sqlite:///{home / 'resource-bot.sqlite3'}"))
    assert version is not None and int(match[1]) == version.services


def test_a_broken_data_folder_does_not_stop_a_bot_that_has_a_directory(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run(home, "load").exit_code == 0
    broken = tmp_path / "broken"
    shutil.copytree(data_dir(), broken)
    (broken / "crisis.yaml").write_text("services: [\n")

    asked = run(home, "--data", str(broken), "ask", "human trafficking")

    assert asked.exit_code == 0, asked.output
    assert "nhth" in asked.stdout, "the loaded directory answers"
    (warning,) = asked.stderr.splitlines()
    assert (match := WARNING.match(warning)) and match[3] == str(broken)
    assert loads(home) == 1


def test_the_first_start_fills_an_empty_database_quietly(tmp_path: Path) -> None:
    home = tmp_path / "home"

    first = run(home, "ask", "human trafficking")
    again = run(home, "ask", "human trafficking")

    assert first.exit_code == again.exit_code == 0
    assert first.stderr == again.stderr == ""
    assert loads(home) == 1


def test_load_is_what_replaces_the_directory(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run(home, "load", str(one_file_directory(tmp_path))).exit_code == 0

    assert run(home, "load").exit_code == 0
    chat = run(home, "chat", text="/exit\n")

    assert loads(home) == 2
    assert chat.stderr == "", "the database now holds the data folder: nothing to warn about"


def test_feedback_names_listings_where_the_loaded_directory_has_them(tmp_path: Path) -> None:
    home = tmp_path / "home"
    other = one_file_directory(tmp_path)
    assert run(home, "load", str(other)).exit_code == 0
    record_feedback(make_engine(f"sqlite:///{home / 'resource-bot.sqlite3'}"), [Feedback("nhth", "closed")])

    listed = run(home, "feedback")

    assert listed.exit_code == 0, listed.output
    first = listed.stdout.splitlines()[0]
    assert first.startswith("nhth (National Human Trafficking Hotline) at ")
    assert first.endswith(f"{other.name}/crisis.yaml:46: 1 open of 1")
