"""The terminal chat, run as a person would run it: the real command, stdin piped in."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from resource_bot.channels.terminal import TerminalChat
from resource_bot.dialog.engine import Engine


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
