"""The interpreter bridge: one screen in each of 15 more languages, from the language menu and by deep link.

A person who reads Vietnamese (or Arabic, or Amharic...) opens the language menu, taps their
language's own name, and reads in it how to call the trafficking hotline or 911 and ask for
an interpreter; then they go on in English or Spanish, or leave by Quick exit.
"""

from __future__ import annotations

import io
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from resource_bot.channels.terminal import TerminalChat
from resource_bot.cli import Context, main
from resource_bot.dialog.bridge import BRIDGE_FILE, LINES, read_bridge
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.engine import Engine
from resource_bot.dialog.events import Command, CommandName, Effect, Press, Reply, Start
from resource_bot.dialog.menus import Menus
from resource_bot.paths import conversations_dir
from tests.standin import BotApiStandin
from tests.test_telegram_bot import ALICE, RunningBot, data_of, reply_to, running_bot, settings_for

#: The languages the issue names; the file may hold more.
NAMED = ("zh", "vi", "tl", "ko", "ru", "uk", "ar", "ht", "fr", "pt", "hi", "am", "so", "ne", "my")


def labels(reply: Reply) -> dict[str, str]:
    return {b.label: b.data or "" for row in reply.buttons for b in row}


def open_language_menu(engine: Engine) -> tuple[Reply, ChatState]:
    outcome, state = engine.handle(ChatState(), Command(CommandName.LANGUAGE))
    return outcome.replies[0], state


def test_the_language_menu_offers_fifteen_more_languages_by_their_own_names(engine: Engine) -> None:
    menu, _ = open_language_menu(engine)
    buttons = labels(menu)
    for code in NAMED:
        name = engine.menus.bridge.languages[code].name
        assert buttons[name] == f"i:{code}"
    assert {"Tiếng Việt", "العربية", "中文", "አማርኛ", "မြန်မာ"} <= set(buttons)
    assert buttons["❌ Quick exit"] == "x"


@pytest.mark.parametrize("code", NAMED)
def test_tapping_a_language_shows_its_one_screen_with_the_hotline_911_and_the_word_to_say(
    engine: Engine, code: str
) -> None:
    menu, state = open_language_menu(engine)
    outcome, after = engine.handle(state, Press(labels(menu)[engine.menus.bridge.languages[code].name]))
    screen = outcome.replies[0]
    language = engine.menus.bridge.languages[code]
    assert "📞 1-888-373-7888" in screen.text
    assert "🚨 911" in screen.text
    assert f"🗣 {language.english}" in screen.text
    for key in ("call", "say", "danger", "bot"):
        assert language.lines[key] in screen.text
    assert labels(screen) == {"English": "l:en", "Español": "l:es", f"❌ {language.lines['exit']}": "x"}
    assert after.lang == "en", "the chat's language stays until the person picks English or Spanish"


def test_from_the_vietnamese_screen_a_person_goes_on_in_spanish(engine: Engine) -> None:
    outcome, state = engine.handle(ChatState(), Press("i:vi"))
    outcome, state = engine.handle(state, Press("l:es"))
    assert state.lang == "es"
    assert engine.menus.ui("es", "language_set") in outcome.replies[0].text


def test_quick_exit_from_a_bridge_screen_erases_the_chat(engine: Engine) -> None:
    _, state = engine.handle(ChatState(), Press("i:ar"))
    outcome, state = engine.handle(state, Press("x"))
    assert Effect.QUICK_EXIT in outcome.effects
    assert state == ChatState()


@pytest.mark.parametrize("payload", ["vi", "so", "ar", "my"])
def test_a_deep_link_opens_the_language_screen(engine: Engine, payload: str) -> None:
    outcome, _ = engine.handle(ChatState(), Start(payload))
    assert engine.menus.bridge.text(payload) == outcome.replies[0].text


def test_an_unknown_language_code_is_not_a_bridge(engine: Engine) -> None:
    outcome, state = engine.handle(ChatState(), Press("i:xx"))
    assert state == ChatState()
    assert engine.menus.ui("en", "main_prompt") in outcome.replies[0].text


def test_arabic_reads_right_to_left_paragraph_by_paragraph(menus: Menus) -> None:
    """Each paragraph has one direction: Arabic lines start with an Arabic letter, the number and word stand alone."""
    arabic = menus.bridge.languages["ar"]
    assert arabic.rtl
    for key in LINES:
        first_letter = next(ch for ch in arabic.lines[key] if ch.isalpha())
        assert unicodedata.bidirectional(first_letter) == "AL", key
    text = menus.bridge.text("ar")
    for line in ("📞 1-888-373-7888", "🗣 Arabic", "🚨 911"):
        assert line in text.splitlines(), "LTR parts stand on lines of their own"
    assert not any(unicodedata.category(ch) == "Cf" for ch in text), "no invisible direction marks to garble a terminal"


def test_the_terminal_chat_shows_the_arabic_screen_and_its_buttons(engine: Engine) -> None:
    out = io.StringIO()
    lines = iter(["/start ar\n", "3\n"])
    TerminalChat(engine, out).run(lambda: next(lines, ""))
    text = out.getvalue()
    assert "اتصل بالخط الساخن" in text and "1-888-373-7888" in text
    assert "[3] ❌ خروج سريع" in text
    assert engine.menus.ui("en", "exit_done") in text


def test_the_file_says_who_checked_each_translation_and_how() -> None:
    raw = yaml.safe_load((conversations_dir() / BRIDGE_FILE).read_text(encoding="utf-8"))
    for code, entry in raw["languages"].items():
        assert "Back-translated by the author" in entry["checked"], code
        assert "Not checked by a native speaker" in entry["checked"], code
    head = (conversations_dir() / BRIDGE_FILE).read_text(encoding="utf-8").split("service:")[0]
    assert "NO NATIVE SPEAKER HAS CHECKED ANY OF THEM" in head


def copy_conversations(tmp_path: Path) -> Path:
    folder = tmp_path / "conversations"
    shutil.copytree(conversations_dir(), folder)
    return folder


def test_validate_passes_the_bundled_bridge_file() -> None:
    result = CliRunner().invoke(main, ["validate"], obj=Context())
    assert result.exit_code == 0, result.output


def test_validate_names_a_language_missing_a_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = copy_conversations(tmp_path)
    path = folder / BRIDGE_FILE
    path.write_text(path.read_text(encoding="utf-8").replace('    exit: "Thoát nhanh"\n', ""), encoding="utf-8")
    monkeypatch.setattr("resource_bot.paths.conversations_dir", lambda: folder)
    result = CliRunner().invoke(main, ["validate"], obj=Context())
    assert result.exit_code == 1
    assert f"{path}: language 'vi' is missing exit; add them" in result.output


def test_validate_refuses_a_number_that_is_not_the_hotlines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = copy_conversations(tmp_path)
    path = folder / BRIDGE_FILE
    path.write_text(path.read_text(encoding="utf-8").replace('"1-888-373-7888"', '"1-800-555-0199"'), encoding="utf-8")
    monkeypatch.setattr("resource_bot.paths.conversations_dir", lambda: folder)
    result = CliRunner().invoke(main, ["validate"], obj=Context())
    assert result.exit_code == 1
    assert "number 1-800-555-0199 is not a voice number of nhth (it has 1-888-373-7888)" in result.output
    assert read_bridge(path).number == "1-800-555-0199"


# -- Telegram, through the Bot API stand-in -------------------------------------------------------
@pytest.fixture
def bot(api: BotApiStandin, template_db: Path, tmp_path: Path) -> Iterator[RunningBot]:
    copy = tmp_path / "bot.sqlite3"
    shutil.copy(template_db, copy)
    with running_bot(api, settings_for(api, f"sqlite:///{copy}", tmp_path)) as running:
        yield running


def test_on_telegram_the_menu_and_a_deep_link_open_the_screen_and_quick_exit_erases_it(
    api: BotApiStandin, bot: RunningBot, menus: Menus
) -> None:
    api.user_sends_text(ALICE, "/language")
    menu = reply_to(api, ALICE)
    assert "i:vi" in data_of(menu) and "i:ar" in data_of(menu)
    api.user_taps(ALICE, menu["message_id"], "i:ar")
    arabic = reply_to(api, ALICE)
    assert menus.bridge.languages["ar"].lines["call"] in arabic["text"]
    assert data_of(arabic) == ["l:en", "l:es", "x"]

    api.user_sends_text(ALICE, "/start vi")
    vietnamese = reply_to(api, ALICE)
    assert menus.bridge.languages["vi"].lines["say"] in vietnamese["text"]
    api.user_taps(ALICE, vietnamese["message_id"], "x")
    done = reply_to(api, ALICE)
    assert done["text"] == menus.ui("en", "exit_done")
    assert [m.message_id for m in api.chat_messages(ALICE)] == [done["message_id"]]
