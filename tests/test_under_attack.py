"""The running bot under attack: poison updates, a database that never answers, slow clients, hostile bodies.

Each test reproduces one finding of issue 10 ("Serving under attack") against the
Bot API stand-in and the real python-telegram-bot stack, uvicorn and databases.
Nothing here is timed: a test waits for the reply it expects, with a generous limit.
"""

from __future__ import annotations

import json
import logging
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine

from resource_bot.channels.telegram import webhook as webhook_module
from resource_bot.channels.telegram.serving import server_config
from resource_bot.channels.telegram.webhook import MAX_BODY, build_webhook_app
from resource_bot.db import make_engine
from resource_bot.dialog.menus import Menus
from resource_bot.runtime import open_runtime
from resource_bot.sharing import bot_username
from resource_bot.state import StateStore
from tests.postgres import fresh_schema
from tests.standin import BotApiStandin
from tests.test_telegram_bot import (
    ALICE,
    BOB,
    RunningBot,
    reply_to,
    running_bot,
    settings_for,
)

EMERGENCY_NUMBERS = ("911", "988", "1-888-373-7888")
SECRET = "right_secret-123"
STATE_SECRET = "a-test-only-state-secret-0123456789"  # 32+ characters, as settings require
#: Words and a name that must never reach the log, whatever happens to the update carrying them.
PRIVATE_WORDS, PRIVATE_NAME = "my uncle keeps my passport", "Mallory"


@pytest.fixture
def database_url(template_db: Path, tmp_path: Path) -> str:
    copy = tmp_path / "bot.sqlite3"
    shutil.copy(template_db, copy)
    return f"sqlite:///{copy}"


def says_try_again(reply: dict[str, Any], menus: Menus) -> bool:
    return reply["text"] == menus.ui("en", "try_again_later") and all(n in reply["text"] for n in EMERGENCY_NUMBERS)


# -- a poison update in polling ------------------------------------------------------------------------
def poison(api: BotApiStandin, chat_id: int, message: Any) -> dict[str, Any]:
    """An update python-telegram-bot cannot read (or reads with the wrong types), queued among good ones."""
    return api.queue_update({"update_id": 0, "message": message})


def message_with(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "message_id": 9_000,
        "date": 1_700_000_000,
        "chat": {"id": 5555, "type": "private", "first_name": PRIVATE_NAME},
        "from": {"id": 5555, "is_bot": False, "first_name": PRIVATE_NAME},
        "text": PRIVATE_WORDS,
    }
    return {**base, **fields}


POISONS = {
    "a date that is not a time": message_with(date="yesterday"),
    "a message that is a string": PRIVATE_WORDS + " " + PRIVATE_NAME,
    "a photo that is not a list": message_with(photo="x" * 20),
    "a chat id that is text": message_with(chat={"id": PRIVATE_NAME, "type": "private"}),
    "text that is a number": message_with(text=12345, caption=PRIVATE_WORDS),
}


@pytest.mark.parametrize("bad", list(POISONS.values()), ids=list(POISONS))
def test_one_update_ptb_cannot_read_is_skipped_and_everyone_else_is_answered(
    api: BotApiStandin, database_url: str, tmp_path: Path, menus: Menus, caplog: pytest.LogCaptureFixture, bad: Any
) -> None:
    with caplog.at_level(logging.INFO), running_bot(api, settings_for(api, database_url, tmp_path)):
        api.user_sends_text(ALICE, "/start")
        queued = poison(api, 5555, bad)
        api.user_sends_text(BOB, "/start")
        assert menus.ui("en", "welcome") in reply_to(api, ALICE, timeout=15)["text"]
        assert menus.ui("en", "welcome") in reply_to(api, BOB, timeout=15)["text"]
        # The poison alone, last in its batch: acknowledged too (the next poll's offset passes it).
        alone = poison(api, 5555, bad)
        api.wait_for(
            lambda c: c.method == "getUpdates" and int(c.params.get("offset") or 0) > alone["update_id"], timeout=15
        )
        api.user_sends_text(ALICE, "/help")
        assert "/exit" in reply_to(api, ALICE, timeout=15)["text"]
    assert api.pending_update_count == 0
    assert [c for c in api.calls_to("sendMessage") if c.params["chat_id"] == 5555] == [], "the poison got no answer"
    assert f"skipped update {queued['update_id']}" in caplog.text
    assert PRIVATE_WORDS not in caplog.text and PRIVATE_NAME not in caplog.text and "5555" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.CRITICAL]


# -- captions are read -----------------------------------------------------------------------------------
PHOTO = [{"file_id": "photo-1", "file_unique_id": "u1", "width": 90, "height": 90}]


@pytest.mark.parametrize("kind", ["photo", "video", "document"])
def test_a_caption_is_read_like_typed_text(
    api: BotApiStandin, database_url: str, tmp_path: Path, menus: Menus, kind: str
) -> None:
    media = {
        "photo": PHOTO,
        "video": {"file_id": "v", "file_unique_id": "v1", "width": 9, "height": 9, "duration": 3},
        "document": {"file_id": "d", "file_unique_id": "d1", "file_name": "note.pdf"},
    }[kind]
    with running_bot(api, settings_for(api, database_url, tmp_path)):
        api.queue_update(api.make_message_update(ALICE, {kind: media, "caption": "help he is going to kill me"}))
        reply = reply_to(api, ALICE, timeout=15)
        assert "911" in reply["text"], "the danger reply, not the main menu"
        api.queue_update(api.make_message_update(ALICE, {"photo": PHOTO, "caption": "i need a lawyer"}))
        assert menus.intro("en", "legal") in reply_to(api, ALICE, timeout=15)["text"]
        api.queue_update(api.make_message_update(ALICE, {"photo": PHOTO}))
        assert menus.ui("en", "main_prompt") in reply_to(api, ALICE, timeout=15)["text"], "no caption: the menu"


# -- a database that never answers -------------------------------------------------------------------------
@contextmanager
def silent_server() -> Iterator[int]:
    """A TCP server that accepts every connection and never says a word; yields its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def point_at(running: RunningBot, url: str) -> None:
    """The database moves to ``url`` (as if DATABASE_URL named it); the directory stays loaded."""
    running.runtime.db = make_engine(url)
    running.bot.store = StateStore(running.runtime.db, STATE_SECRET)


@pytest.mark.parametrize("bound", [None, 1.0], ids=["connect timeout", "per-update bound"])
def test_a_database_that_accepts_and_never_answers_still_gets_the_person_an_answer(
    api: BotApiStandin, database_url: str, tmp_path: Path, menus: Menus, bound: float | None
) -> None:
    settings = settings_for(api, database_url, tmp_path, STATE_SECRET=STATE_SECRET)
    with silent_server() as port, running_bot(api, settings) as running:
        point_at(running, f"postgresql://bot@127.0.0.1:{port}/bot")
        if bound is not None:
            running.bot.db_seconds = bound  # shorter than the connect timeout: the bound answers first
        api.user_sends_text(ALICE, "he is going to kill me")
        api.user_sends_text(BOB, "/start")
        assert says_try_again(reply_to(api, ALICE, timeout=30), menus)
        assert says_try_again(reply_to(api, BOB, timeout=30), menus)
        running.runtime.db.dispose()


def test_a_database_that_never_answers_at_start_is_one_line_not_a_hang_or_a_traceback(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from resource_bot.cli import main

    with silent_server() as port:
        env = {"DATABASE_URL": f"postgresql://bot:s3cret@127.0.0.1:{port}/bot", "RESOURCE_BOT_HOME": str(tmp_path)}
        result = CliRunner().invoke(main, ["chat"], input="hello\n", env=env)
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: The database at ") and "did not answer" in line and "DATABASE_URL" in line
    assert "s3cret" not in line


def test_a_postgresql_lock_held_forever_gets_try_again_and_the_bot_recovers(
    api: BotApiStandin, tmp_path: Path, menus: Menus
) -> None:
    with fresh_schema("attack") as url, running_bot(api, settings_for(api, url, tmp_path)) as running:
        api.user_sends_text(ALICE, "/start")
        reply_to(api, ALICE, timeout=15)
        locker = create_engine(url)
        try:
            with locker.connect() as connection:
                transaction = connection.begin()
                connection.exec_driver_sql("LOCK TABLE chat_state IN ACCESS EXCLUSIVE MODE")
                api.user_sends_text(ALICE, "he is going to kill me")
                assert says_try_again(reply_to(api, ALICE, timeout=30), menus)
                transaction.rollback()
        finally:
            locker.dispose()
        api.user_sends_text(ALICE, "/help")
        assert "/exit" in reply_to(api, ALICE, timeout=15)["text"]
        assert running.background.application.running


# -- webhook bodies and /healthz ----------------------------------------------------------------------------
@pytest.fixture
def webhook_runtime(api: BotApiStandin, database_url: str, tmp_path: Path) -> Iterator[Any]:
    settings = settings_for(
        api, database_url, tmp_path, WEBHOOK_URL="https://bot.example.org/telegram", WEBHOOK_SECRET=SECRET
    )
    runtime = open_runtime(settings, bot_username=bot_username(settings))  # as `resource-bot webhook` does
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def client(webhook_runtime: Any) -> Iterator[Any]:
    from starlette.testclient import TestClient

    with TestClient(build_webhook_app(webhook_runtime), raise_server_exceptions=False) as test_client:
        yield test_client


HOSTILE_BODIES = {
    "deeply nested JSON": b"[" * 100_000 + b"]" * 100_000,
    "nested objects": b'{"update_id": 1, "message": ' + b'{"a": ' * 5_000 + b"1" + b"}" * 5_001,
    "a top-level list": b"[1, 2, 3]",
    "a top-level string": b'"hello"',
    "a number": b"42",
    "not JSON": b"update_id=1",
    "not UTF-8": b"\xff\xfe{\x00",
    "no update_id": b'{"message": {"text": "hi"}}',
    "update_id as text": b'{"update_id": "7"}',
    "a message that is a string": b'{"update_id": 7, "message": "hi"}',
    "a chat id that is text": json.dumps(
        {"update_id": 7, "message": message_with(chat={"id": "x", "type": "p"})}
    ).encode(),
    "data that is an object": json.dumps(
        {
            "update_id": 7,
            "callback_query": {
                "id": "1",
                "from": {"id": 1, "is_bot": False, "first_name": "A"},
                "chat_instance": "1",
                "data": {"a": 1},
            },
        }
    ).encode(),
}


@pytest.mark.parametrize("body", list(HOSTILE_BODIES.values()), ids=list(HOSTILE_BODIES))
def test_a_body_that_is_not_an_update_gets_400_without_a_traceback(
    api: BotApiStandin, client: Any, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    with caplog.at_level(logging.INFO):
        answer = client.post("/telegram", content=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert answer.status_code == 400
    assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert api.calls_to("sendMessage") == []
    good = client.post(
        "/telegram", json=api.make_text_update(ALICE, "/start"), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert good.status_code == 200 and len(api.calls_to("sendMessage")) == 1, "the next real update is served"


def test_health_asks_the_database_at_most_once_per_couple_of_seconds(
    api: BotApiStandin, webhook_runtime: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.testclient import TestClient

    asked: list[object] = []
    real = webhook_module.database_answers

    def counted(runtime: Any) -> bool:
        asked.append(runtime)
        return real(runtime)

    monkeypatch.setattr(webhook_module, "database_answers", counted)
    now = [1000.0]
    with TestClient(build_webhook_app(webhook_runtime, clock=lambda: now[0])) as test_client:
        for _ in range(50):
            assert test_client.get("/healthz").json() == {"database": "ok"}
        assert len(asked) == 1
        webhook_runtime.db = create_engine("sqlite:////nonexistent-folder/bot.sqlite3")
        assert test_client.get("/healthz").status_code == 200, "the cached answer"
        now[0] += webhook_module.HEALTH_CACHE_SECONDS
        assert test_client.get("/healthz").status_code == 503
        assert len(asked) == 2


# -- a real uvicorn: body size before reading, slow clients ---------------------------------------------------
@contextmanager
def serving(app: Any, **options: Any) -> Iterator[int]:
    """The app under uvicorn, configured as `resource-bot webhook` runs it, on a free port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(server_config(app, host="127.0.0.1", port=0, **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def raw_request(port: int, head: bytes, body: bytes = b"") -> bytes:
    """Send a request head (and maybe part of a body) and read the answer; the rest is never sent."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(head + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
        return answer


def post_head(**headers: str) -> bytes:
    lines = ["POST /telegram HTTP/1.1", "Host: bot", f"X-Telegram-Bot-Api-Secret-Token: {SECRET}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_body_too_large_is_refused_before_it_is_read(api: BotApiStandin, webhook_runtime: Any) -> None:
    with serving(build_webhook_app(webhook_runtime)) as port:
        # 50 MB announced, none sent: the 413 comes anyway.
        assert raw_request(port, post_head(Content_Length=str(50 * 1024 * 1024))).startswith(b"HTTP/1.1 413")
        # No length announced (chunked): read up to the cap, then 413 without waiting for the end.
        chunk = b"%x\r\n%s\r\n" % (64 * 1024, b" " * 64 * 1024)
        body = chunk * (MAX_BODY // (64 * 1024) + 2)
        assert raw_request(port, post_head(Transfer_Encoding="chunked"), body).startswith(b"HTTP/1.1 413")
        # An absurd length is refused before the app sees it (h11 answers 400).
        assert raw_request(port, post_head(Content_Length="9" * 40)).startswith(b"HTTP/1.1 400")


def test_clients_that_never_finish_their_headers_are_cut_off_and_health_still_answers(
    api: BotApiStandin, webhook_runtime: Any
) -> None:
    slow: list[socket.socket] = []
    with serving(build_webhook_app(webhook_runtime), request_timeout=1.0) as port:
        try:
            for _ in range(300):
                connection = socket.create_connection(("127.0.0.1", port), timeout=30)
                connection.sendall(b"POST /telegram HTTP/1.1\r\nHost: bot\r\nX-Slow: ")  # and never the rest
                slow.append(connection)
            health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=30)
            assert health.status_code == 200
            for connection in slow:
                assert connection.recv(1024) == b"", "the server closed the unfinished request"
            # A body that trickles in is cut off too, and the server goes on serving.
            trickle = socket.create_connection(("127.0.0.1", port), timeout=30)
            trickle.sendall(post_head(Content_Length="1000") + b"{")
            assert trickle.recv(1024) == b"", "cut off after the request deadline"
            trickle.close()
            assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=30).status_code == 200
        finally:
            for connection in slow:
                connection.close()
