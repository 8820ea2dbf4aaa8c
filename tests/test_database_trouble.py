"""A maintainer with a wrong or unreachable DATABASE_URL gets one line saying what to fix, from every command."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from resource_bot.cli import main

#: Every command that opens the database, with what it needs to get that far.
DATABASE_COMMANDS = [
    ["load"],
    ["chat"],
    ["ask", "lawyer"],
    ["poll"],
    ["webhook"],
    ["stats"],
    ["feedback"],
    ["feedback", "--done", "3"],
    ["sources", "list"],
    ["sources", "add", "clinic4"],
    ["sources", "remove", "clinic4"],
    ["db", "upgrade"],
    ["flyer", "--topic", "legal", "--out", "flyer.pdf"],
]
TELEGRAM_ENV = {
    "TELEGRAM_BOT_TOKEN": "123456:" + "A" * 35,
    "STATE_SECRET": "s" * 40,
    "WEBHOOK_URL": "https://bot.example.org/telegram",
    "WEBHOOK_SECRET": "s3cret_value",
    "BOT_USERNAME": "resource_help_bot",  # a link is made without asking Telegram
}


def one_error_line(args: list[str], database_url: str, tmp_path: Path) -> str:
    env = {"DATABASE_URL": database_url, "RESOURCE_BOT_HOME": str(tmp_path), **TELEGRAM_ENV}
    args = [str(tmp_path / arg) if arg.endswith(".pdf") else arg for arg in args]
    result = CliRunner().invoke(main, args, input="hello\n", env=env)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    (line,) = result.output.strip().splitlines()
    return line


@pytest.mark.parametrize("args", DATABASE_COMMANDS, ids=" ".join)
def test_a_database_url_that_is_not_one_says_what_one_looks_like(args: list[str], tmp_path: Path) -> None:
    assert one_error_line(args, "notaurl", tmp_path) == (
        "Error: DATABASE_URL is not a database address; it should look like "
        "postgresql://user:password@host:5432/dbname or sqlite:////path/to/bot.sqlite3. "
        "Fix it, or unset it to use the embedded SQLite file."
    )


def test_a_database_the_bot_cannot_use_is_named_by_its_kind(tmp_path: Path) -> None:
    assert one_error_line(["load"], "mysql://bot@localhost/bot", tmp_path) == (
        'Error: DATABASE_URL is a "mysql" address; the bot works with PostgreSQL or SQLite, like '
        "postgresql://user:password@host:5432/dbname or sqlite:////path/to/bot.sqlite3."
    )


@pytest.mark.parametrize("args", DATABASE_COMMANDS, ids=" ".join)
def test_an_unreachable_postgresql_is_one_line_without_the_password(args: list[str], tmp_path: Path) -> None:
    line = one_error_line(args, "postgresql://bot:s3cret@127.0.0.1:1/bot", tmp_path)
    assert line == (
        "Error: The database at postgresql+psycopg://bot:***@127.0.0.1:1/bot did not answer (Connection refused); "
        "check that it is running and that DATABASE_URL is right, then try again."
    )


def test_an_sqlite_file_that_cannot_be_made_names_the_file_and_why(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    line = one_error_line(["load"], f"sqlite:///{not_a_folder}/bot.sqlite3", tmp_path)
    assert line == (
        f"Error: Cannot make the SQLite database {not_a_folder}/bot.sqlite3: Not a directory; "
        "point DATABASE_URL at a folder this user may write, then try again."
    )
