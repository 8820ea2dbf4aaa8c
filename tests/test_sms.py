"""The SMS door, end to end: texts signed as Twilio signs them, over HTTP, answered in TwiML.

A person texts the door's number; the provider stand-in (``tests/standin/sms.py``)
posts the form Twilio posts, signed with Twilio's own library, and reads back the
texts the door answers with. Every person is a fictional 555-01xx number.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine
from starlette.testclient import TestClient

from resource_bot.channels.sms import build_sms_app, routes
from resource_bot.channels.sms.door import SmsDoor
from resource_bot.channels.store import open_state_store
from resource_bot.channels.telegram.chats import ChatGate
from resource_bot.channels.telegram.serving import server_config
from resource_bot.config import ConfigError, Settings, load_settings
from resource_bot.dialog.menus import Menus
from resource_bot.runtime import Runtime, open_runtime
from tests.standin.sms import SmsProvider, person
from tests.test_privacy import every_row

PUBLIC_URL = "https://bot.example.org"
AUTH_TOKEN = "f" * 32
STATE_SECRET = "s" * 40
HOTLINE = "1-888-373-7888"
#: What an answer to STOP says, and the welcome's first words.
STOPPED = "You will get no more texts from this number. Reply START to begin again."
WELCOME = "Hello. I am here for anyone facing trafficking"


def sms_env(database_url: str, home: Path, **env: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "RESOURCE_BOT_HOME": str(home),
        "STATE_SECRET": STATE_SECRET,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_URL": PUBLIC_URL,
        **env,
    }


@pytest.fixture(scope="module")
def database_url(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    copy = tmp_path_factory.mktemp("sms") / "bot.sqlite3"
    shutil.copy(template_db, copy)
    return f"sqlite:///{copy}"


@pytest.fixture(scope="module")
def runtime(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    opened = open_runtime(load_settings(sms_env(database_url, tmp_path_factory.mktemp("home"))))
    yield opened
    opened.db.dispose()


@pytest.fixture(scope="module")
def door(runtime: Runtime) -> SmsDoor:
    # A roomy gate: these tests walk screens quickly; the flood test has a gate of its own.
    return SmsDoor(runtime, open_state_store(runtime, webhook=True), gate=ChatGate(burst=10_000))


@pytest.fixture(scope="module")
def sms(runtime: Runtime, door: SmsDoor) -> Iterator[SmsProvider]:
    with TestClient(build_sms_app(runtime, door=door), base_url=PUBLIC_URL) as client:
        yield SmsProvider(client, PUBLIC_URL, AUTH_TOKEN)


def rows_about(door: SmsDoor, database_url: str, number: str) -> dict[str, list[str]]:
    """Every row, in any table, keyed by the number's hash."""
    key = door.key_for(number)
    return {name: hits for name, rows in every_row(database_url).items() if (hits := [r for r in rows if key in r])}


def joined(messages: list[str]) -> str:
    return "\n".join(messages)


# -- the way in ----------------------------------------------------------------------------------
def test_human_trafficking_gets_the_hotline_number(sms: SmsProvider) -> None:
    texts = sms.texts(person(1), "human trafficking")
    assert HOTLINE in joined(texts)
    assert "233733" in joined(texts)


def test_over_a_real_port_too(runtime: Runtime, door: SmsDoor) -> None:
    """The same request through uvicorn on a local port, as the deployed door is served."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(server_config(build_sms_app(runtime, door=door), host="127.0.0.1", port=port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            provider = SmsProvider(client, PUBLIC_URL, AUTH_TOKEN)
            assert HOTLINE in joined(provider.texts(person(2), "human trafficking"))
            assert provider.post(person(2), "hi", signature="forged").status_code == 403
    finally:
        server.should_exit = True
        thread.join(10)


def test_hello_gets_the_welcome_with_numbered_topics_and_2_picks_the_second(sms: SmsProvider, menus: Menus) -> None:
    texts = sms.texts(person(3), "Hi!")
    assert texts[0].startswith(WELCOME)
    assert "reply EXIT" in texts[0]
    menu = joined(texts)
    assert "[1] Help right now" in menu and "[2] Trafficking" in menu
    assert "Quick exit" in menu.splitlines()[-1], "every menu ends with the way out"
    second = joined(sms.texts(person(3), "2"))
    assert menus.intro("en", "trafficking").split(".")[0] in second
    assert HOTLINE in second


def test_danger_gets_the_emergency_answer_first(sms: SmsProvider, menus: Menus) -> None:
    sms.texts(person(4), "hello")
    texts = sms.texts(person(4), "he is beating me right now")
    assert texts[0].startswith("If you are in danger now, call 911.")
    assert "Help right now" in texts[0]


def test_a_number_past_the_choices_or_a_zip_is_read_as_words(sms: SmsProvider) -> None:
    sms.texts(person(5), "hi")
    assert "Houston" in joined(sms.texts(person(5), "77002"))
    not_a_choice = joined(sms.texts(person(5), "99"))
    assert "[1]" in not_a_choice, "a calm answer with the choices again, not an error"


def test_spanish_words_come_back_in_spanish_and_in_gsm7(sms: SmsProvider) -> None:
    texts = sms.texts(person(6), "hola")
    assert texts[0].startswith("Hola. Estoy aqu")
    menu = joined(texts)
    assert "responda SALIR" in menu
    assert "¿En qué le puedo ayudar?" in menu, "é and ¿ are GSM-7 and stay"
    assert "Si esta en peligro" in menu, "á is not GSM-7: it loses its accent"
    assert "Menu principal" in joined(sms.texts(person(6), "2")), "no emoji, the words stay"


# -- what the provider sends, and what is refused ---------------------------------------------------
def test_a_bad_signature_gets_403_and_no_answer(sms: SmsProvider) -> None:
    fields = sms.fields(person(7), "human trafficking")
    right = sms.sign(fields)
    assert sms.post(person(7), "", fields=fields, signature=right).status_code == 200
    wrong_token = SmsProvider(sms.client, PUBLIC_URL, "e" * 32).sign(fields)
    other_url = sms.sign(fields, url="https://evil.example.org/sms")
    for signature in ("", "forged", wrong_token, other_url, right.lower()):
        response = sms.post(person(7), "", fields=fields, signature=signature)
        assert response.status_code == 403, signature
        assert response.content == b"", "nothing about why, and no traceback"
    tampered = {**fields, "Body": "something else"}
    assert sms.post(person(7), "", fields=tampered, signature=right).status_code == 403
    response = sms.client.post("/sms", data=fields)  # no signature header at all
    assert response.status_code == 403


def test_what_is_not_a_signed_form_gets_400_and_too_big_413(sms: SmsProvider) -> None:
    fields = sms.fields(person(8), "hi")
    signature = sms.sign(fields)
    as_json = sms.client.post("/sms", json=fields, headers={"X-Twilio-Signature": signature})
    assert as_json.status_code == 400
    no_sender = {k: v for k, v in sms.fields(person(8), "hi").items() if k != "From"}
    assert sms.post(person(8), "", fields=no_sender).status_code == 400
    huge = {**sms.fields(person(8), "hi"), "Body": "x" * 70_000}
    response = sms.post(person(8), "", fields=huge)
    assert response.status_code == 413 and response.content == b""
    broken = sms.client.post(
        "/sms",
        content=b"From=%FF%FE&Body=\xff",
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert broken.status_code in (400, 403)
    assert sms.client.get("/sms").status_code == 405


# -- STOP, START, HELP ------------------------------------------------------------------------------
def test_stop_is_confirmed_once_then_nothing_is_sent_until_start(sms: SmsProvider, door: SmsDoor) -> None:
    number = person(10)
    sms.texts(number, "hi")
    assert sms.texts(number, "STOP") == [STOPPED + " If you are in danger now, call 911."]
    for body in ("hello", "STOP", "HELP", "1", "he is beating me right now", "yes please"):
        assert sms.texts(number, body) == [], f"{body!r} got an answer after STOP"
    again = sms.texts(number, "Start")
    assert again[0] == "Welcome back. You can get texts from this number again. Reply STOP to end them."
    assert any(text.startswith(WELCOME) for text in again)
    assert "[1] Help right now" in joined(sms.texts(number, "menu"))


@pytest.mark.parametrize(
    ("n", "word", "back"),
    [
        (20, "STOPALL", "YES"),
        (21, "unsubscribe", "UNSTOP"),
        (22, "Cancel", "yes"),
        (23, "END", "START"),
        (24, "quit", "Unstop"),
        (25, "stop.", "YES!"),
    ],
)
def test_every_carrier_stop_word_stops_and_yes_or_unstop_opts_back_in(
    sms: SmsProvider, n: int, word: str, back: str
) -> None:
    number = person(n)
    sms.texts(number, "hi")
    assert sms.texts(number, word)[0].startswith(STOPPED)
    assert sms.texts(number, "Food") == []
    assert sms.texts(number, back)[0].startswith("Welcome back.")


def test_stop_inside_a_sentence_and_yes_from_anyone_else_are_just_words(sms: SmsProvider) -> None:
    number = person(30)
    sms.texts(number, "hi")
    assert not joined(sms.texts(number, "please stop the abuse")).startswith(STOPPED)
    assert "Welcome back" not in joined(sms.texts(number, "yes"))
    assert sms.texts(number, "food") != []


@pytest.mark.parametrize("word", ["HELP", "info"])
def test_help_says_who_we_are_how_to_stop_and_offers_the_topics(sms: SmsProvider, word: str) -> None:
    help_text = joined(sms.texts(person(31), word))
    assert "This number finds free hotlines and services" in help_text
    assert "STOP ends all texts" in help_text and "Msg & data rates may apply" in help_text
    assert "call 911" in help_text
    assert "[1] Help right now" in help_text, "no dead end"


def test_ayuda_answers_in_spanish(sms: SmsProvider) -> None:
    assert "Este numero busca" in joined(sms.texts(person(32), "AYUDA"))


def test_stop_deletes_the_conversation_and_keeps_only_the_hashed_opt_out(
    sms: SmsProvider, door: SmsDoor, database_url: str
) -> None:
    number = person(33)
    sms.texts(number, "hi")
    sms.texts(number, "77002")
    assert set(rows_about(door, database_url, number)) == {"chat_state", "sms_menu"}
    sms.texts(number, "STOP")
    assert rows_about(door, database_url, number) == {"sms_opt_out": [f"chat_key={door.key_for(number)}"]}
    sms.texts(number, "START")
    assert "sms_opt_out" not in rows_about(door, database_url, number)


# -- EXIT, SALIR, BORRAR ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("n", "word", "reminder"),
    [
        (40, "EXIT", "delete this thread now"),
        (41, "exit please", "delete this thread now"),
        (42, "Salir", "borre esta conversación ahora"),
        (43, "BORRAR", "borre esta conversación ahora"),
    ],
)
def test_exit_words_erase_the_conversation_and_remind_to_delete_the_thread(
    sms: SmsProvider, door: SmsDoor, database_url: str, n: int, word: str, reminder: str
) -> None:
    number = person(n)
    sms.texts(number, "hi")
    sms.texts(number, "77002")
    assert rows_about(door, database_url, number)
    (done,) = sms.texts(number, word)
    assert reminder.replace("ó", "o") in done
    assert rows_about(door, database_url, number) == {}, "nothing about the conversation is left"
    assert sms.texts(number, "hi")[0].startswith(("Hello.", "Hola.")), "the next text starts afresh"


def test_the_quick_exit_choice_does_the_same(sms: SmsProvider, door: SmsDoor, database_url: str) -> None:
    number = person(50)
    menu = joined(sms.texts(number, "hi"))
    exit_number = next(line for line in menu.splitlines() if line.endswith("] Quick exit"))[1:].split("]")[0]
    (done,) = sms.texts(number, exit_number)
    assert "delete this thread" in done
    assert rows_about(door, database_url, number) == {}


def test_without_the_database_exit_and_danger_are_still_answered(
    sms: SmsProvider, door: SmsDoor, runtime: Runtime, database_url: str, menus: Menus
) -> None:
    number = person(51)
    sms.texts(number, "hi")
    working = door.store.engine
    away = create_engine("sqlite:////nonexistent-folder/bot.sqlite3")
    door.store.engine = runtime.db = away
    try:
        assert sms.texts(number, "he is beating me right now")[0].startswith("If you are in danger now, call 911.")
        assert sms.texts(person(52), "food") == [menus.ui("en", "try_again_later")]
        assert "delete this thread" in joined(sms.texts(number, "EXIT"))
        assert rows_about(door, database_url, number) != {}, "the rows wait for the database"
    finally:
        door.store.engine = runtime.db = working
        away.dispose()
    sms.texts(person(52), "hi")  # anyone's next text, once the database is back
    assert rows_about(door, database_url, number) == {}


# -- size and characters -----------------------------------------------------------------------------
WALK = ["hi", "5", "1", "[next]", "[next]", "8", "77002", "2", "1", "borrar", "hola", "3", "2", "necesito un abogado"]


def test_every_text_is_gsm7_and_at_most_three_segments(sms: SmsProvider) -> None:
    """A long walk in both languages: topics with many services, a ZIP, cards, typed words."""
    number = person(60)
    seen: list[str] = []
    choices: dict[str, str] = {}
    for step in WALK:
        body = choices.get("Next", "1") if step == "[next]" else step
        texts = sms.texts(number, body)
        assert texts, step
        seen.extend(texts)
        choices = {
            line.split("] ", 1)[1]: line[1:].split("]")[0] for line in joined(texts).splitlines() if line[:1] == "["
        }
    for text in seen:
        septets = text.encode("gsm03.38")  # raises on any character outside GSM-7
        assert len(septets) <= 3 * 153, f"{len(septets)} septets: more than three segments\n{text}"
    assert len(seen) > len(WALK), "long answers were split into several texts"


def test_a_long_answer_is_split_between_paragraphs_in_order(sms: SmsProvider) -> None:
    texts = sms.texts(person(61), "human trafficking")
    assert len(texts) > 1
    assert texts[0].startswith("Trafficking"), "the first text is the start of the answer"
    assert all(not text.startswith(" ") and text.strip() == text for text in texts)
    assert texts[-1].splitlines()[-1].endswith("Quick exit"), "the choices come last"


# -- flood, settings ---------------------------------------------------------------------------------
def test_a_flood_from_one_number_is_slowed_like_a_telegram_chat(runtime: Runtime) -> None:
    now = [0.0]
    gate = ChatGate(clock=lambda: now[0])
    door = SmsDoor(runtime, open_state_store(runtime, webhook=True), gate=gate)
    with TestClient(build_sms_app(runtime, door=door), base_url=PUBLIC_URL) as client:
        sms = SmsProvider(client, PUBLIC_URL, AUTH_TOKEN)
        answered = [sms.texts(person(70), "food") for _ in range(8)]
        assert all(answered), "a burst of 8 is served"
        assert sms.texts(person(70), "food") == [runtime.dialog.menus.ui("en", "slow_down")]
        assert sms.texts(person(70), "food") == [], "then nothing until the bucket refills"
        assert sms.texts(person(71), "food"), "nobody else is slowed"
        assert "delete this thread" in joined(sms.texts(person(70), "EXIT")), "quick exit is never slowed"
        now[0] += 1.0
        assert sms.texts(person(70), "food"), "one more every half second"


def test_danger_in_a_flood_still_gets_the_emergency_answer(runtime: Runtime) -> None:
    """A phone back in signal can deliver a backlog at once: the gate never holds back danger."""
    gate = ChatGate(clock=lambda: 0.0)
    door = SmsDoor(runtime, open_state_store(runtime, webhook=True), gate=gate)
    with TestClient(build_sms_app(runtime, door=door), base_url=PUBLIC_URL) as client:
        sms = SmsProvider(client, PUBLIC_URL, AUTH_TOKEN)
        for _ in range(12):
            sms.texts(person(72), "food")
        assert sms.texts(person(72), "food") == [], "the flood is dropped"
        assert sms.texts(person(72), "he is going to kill me")[0].startswith("If you are in danger now, call 911.")


def test_a_bug_while_serving_still_answers_with_911_and_no_traceback(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    door = SmsDoor(runtime, open_state_store(runtime, webhook=True), gate=ChatGate(burst=10_000))

    def broken(key: str, body: str) -> None:
        raise KeyError(body)

    monkeypatch.setattr(door, "_turn", broken)
    with TestClient(build_sms_app(runtime, door=door), base_url=PUBLIC_URL) as client:
        sms = SmsProvider(client, PUBLIC_URL, AUTH_TOKEN)
        assert sms.texts(person(73), "he is going to kill me")[0].startswith("If you are in danger now, call 911.")
        assert sms.texts(person(73), "food") == [runtime.dialog.menus.ui("en", "try_again_later")]
    assert "kill" not in caplog.text and "food" not in caplog.text, "the log names the error, never the text"


def settings(tmp_path: Path, **env: str) -> Settings:
    return load_settings(sms_env(f"sqlite:///{tmp_path / 'bot.sqlite3'}", tmp_path, **env))


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"TWILIO_AUTH_TOKEN": ""}, "TWILIO_AUTH_TOKEN is not set."),
        ({"PUBLIC_URL": ""}, "PUBLIC_URL must be the public https:// address"),
        ({"PUBLIC_URL": "http://bot.example.org"}, "PUBLIC_URL must be the public https:// address"),
        ({"STATE_SECRET": ""}, "STATE_SECRET is not set"),
    ],
)
def test_routes_refuse_to_start_without_what_they_need(
    runtime: Runtime, tmp_path: Path, env: dict[str, str], says: str
) -> None:
    missing = Runtime(settings(tmp_path, **env), runtime.db, runtime.dialog)
    with pytest.raises(ConfigError, match=says):
        routes(missing)


# -- the words ----------------------------------------------------------------------------------------
def test_the_sms_words_have_no_emoji_and_keep_to_the_numbers_the_menus_allow(menus: Menus) -> None:
    """conversations/sms/*.yaml: every text survives GSM-7 with its words, and names only 911 as a number."""
    from resource_bot.channels.sms import gsm
    from resource_bot.channels.sms.words import KEYS, SmsWords

    words = SmsWords.load(menus)
    for lang in menus.codes:
        for key in KEYS:
            text = words.text(lang, key)
            kept = gsm.to_gsm7(text)
            assert len(kept) >= len(text) - 12, f"{lang} {key}: only accents may go, never words"
            assert not any(ord(char) > 0x2000 for char in text), f"{lang} {key} has an emoji or symbol"
            numbers = {token.strip(".,;:") for token in text.split() if any(c.isdigit() for c in token)}
            assert numbers <= {"911", "5-digit", "5"}, f"{lang} {key}: {numbers}"
        assert "STOP" in words.text(lang, "help") and "START" in words.text(lang, "stopped")


def test_a_text_area_prompt_asks_for_a_zip_code_not_a_location(sms: SmsProvider) -> None:
    menu = sms.texts(person(80), "hi")
    area = joined(sms.texts(person(80), next(n for n in ("15", "16", "14") if f"[{n}] Set my area" in joined(menu))))
    assert "send your 5-digit ZIP code" in area
    assert "Share my location" not in area and "tap" not in area.lower()


def test_segments_follow_gsm_03_38() -> None:
    """160 septets go whole; longer texts go in parts of 153; the extension table's characters count twice."""
    from resource_bot.channels.sms import gsm

    assert [gsm.segments("a" * n) for n in (1, 160, 161, 306, 307, 459, 460)] == [1, 1, 2, 2, 3, 3, 4]
    assert gsm.segments("€" * 80) == 1 and gsm.segments("€" * 81) == 2
    assert gsm.segments("a" * 152 + "€" + "a" * 152) == 3, "a two-septet character is never split across parts"
    assert gsm.to_gsm7("🏠 Menú principal") == "Menu principal"
    assert gsm.to_gsm7("“Rent” – ¿Qué? Niño, está (🇺🇸 Nationwide)") == '"Rent" - ¿Qué? Niño, esta (Nationwide)'
    assert gsm.pack(["x" * 400, "y" * 100]) == ["x" * 400, "y" * 100], "paragraphs that do not fit together part"
    long = " ".join(["A sentence of some length."] * 40)
    parts = gsm.pack([long])
    assert len(parts) > 1 and all(gsm.segments(p) <= 3 and p.endswith(".") for p in parts), "cut between sentences"
