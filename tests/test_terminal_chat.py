"""The terminal chat, run as a person would run it: the real command, stdin piped in."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from resource_bot.channels.terminal import TerminalChat
from resource_bot.cli import main
from resource_bot.clock import utc_today
from resource_bot.db import make_engine
from resource_bot.dialog.engine import Engine
from resource_bot.dialog.menus import Menus
from resource_bot.stats import read_counts


def chat(tmp_path: Path, text: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "resource_bot", "chat", *args],
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
        env={"RESOURCE_BOT_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


def test_piping_human_trafficking_shows_the_hotline_and_its_text_option(home: Path) -> None:
    out = chat(home, "human trafficking\n")
    assert "National Human Trafficking Hotline" in out
    assert "1-888-373-7888" in out
    assert "233733" in out
    assert (home / "resource-bot.sqlite3").exists()


def test_credit_repair_leads_to_the_cfpb(home: Path) -> None:
    out = chat(home, "credit repair\n")
    assert "Consumer Financial Protection Bureau" in out or "CFPB" in out


def test_spanish_lawyer_request_answers_in_spanish_with_legal_help(home: Path) -> None:
    out = chat(home, "necesito un abogado\n", "--lang", "es")
    assert "Ayuda legal" in out or "legal" in out.lower()
    assert "Salida rápida" in out


def test_numbers_press_buttons_and_slash_exit_leaves(engine: Engine) -> None:
    out = io.StringIO()
    lines = iter(["2\n", "/exit\n", "t:never-read\n"])
    TerminalChat(engine, out).run(lambda: next(lines, ""))
    text = out.getvalue()
    assert "[1]" in text
    assert engine.menus.intro("en", "trafficking") in text
    assert engine.menus.ui("en", "exit_done") in text
    assert "never-read" not in text


def test_a_report_from_the_terminal_chat_is_kept_for_feedback_and_its_visits_are_counted(
    tmp_path: Path, menus: Menus
) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}"}
    # Open the hotline's card by its link, press Report a problem, then Wrong phone number;
    # a second report on the same listing in the same chat is thanked but not kept twice.
    session = "/start vnhth\n1\n1\n1\n1\n1\n2\n"

    chat_result = CliRunner().invoke(main, ["chat"], input=session, env=env)

    assert chat_result.exit_code == 0, chat_result.output
    assert chat_result.stdout.count(menus.ui("en", "report_thanks")) == 2
    feedback = CliRunner().invoke(main, ["feedback"], env=env)
    listing, reports = feedback.stdout.splitlines()[:2]
    assert listing.startswith("nhth (National Human Trafficking Hotline) at ") and listing.endswith(": 1 open of 1")
    assert reports == "  wrong_number x1: #1"
    since = utc_today() - dt.timedelta(days=1)  # the chat may have run just before midnight
    counts = read_counts(make_engine(env["DATABASE_URL"]), since)
    assert sum(row.count for row in counts if (row.kind, row.value) == ("service", "nhth")) == 2, "opened twice"


def test_the_terminal_chat_keeps_no_text_and_no_id_in_the_database(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}"}

    CliRunner().invoke(main, ["chat"], input="/start vnhth\n1\n1\nmy name is Maria Lopez\n", env=env)

    raw = (tmp_path / "bot.sqlite3").read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("bot.sqlite3-*"))
    assert b"Maria" not in raw
