"""The bot answers through faults: Telegram's errors, a killed process, a database that goes away.

Everything runs the real python-telegram-bot Application against the Bot API
stand-in. Single faults (one 429 then two 502s on a send; one timed-out edit)
are proven in test_telegram_bot.py; here they come at random through a long
conversation. The restart there is a clean shutdown; here the process is
killed with SIGKILL. The "database away" test there patches the store; here
the SQLite file is really locked, and the PostgreSQL role is really refused.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from resource_bot.dialog.menus import Menus
from tests.postgres import PG_SERVER, postgres_reachable
from tests.standin import REPLY_METHODS, BotApiStandin, Call
from tests.test_telegram_bot import (
    TOKEN,
    RunningBot,
    data_of,
    production_env,
    reply_to,
    running_bot,
    settings_for,
)

CHAT, OTHER = 4401, 4402
#: What the "database away" answer must offer, whatever the wording around it.
EMERGENCY_NUMBERS = ("911", "988", "1-888-373-7888")


@pytest.fixture
def sqlite_path(template_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "bot.sqlite3"
    shutil.copy(template_db, copy)
    return copy


def successful_replies(api: BotApiStandin, chat_id: int, start: int, end: int | None = None) -> list[Call]:
    return [
        c
        for c in api.calls[start:end]
        if c.ok
        and c.method in REPLY_METHODS
        and isinstance(c.result, dict)
        and c.result.get("chat", {}).get("id") == chat_id
    ]


# -- Telegram's faults at random ---------------------------------------------------------------------
@dataclass
class Step:
    """One thing the person does, what it makes the bot call, and what its one reply must say."""

    what: str
    act: Callable[[dict[str, Any]], object]  # gets the last reply
    methods: tuple[str, ...]
    expect: Callable[[dict[str, Any]], bool]


def inject_random_fault(api: BotApiStandin, rng: random.Random, methods: tuple[str, ...]) -> str:
    """Queue one fault on a method this step calls; returns what was injected, for the failure message."""
    method = rng.choice(methods)
    kind = rng.choices(["none", "502", "502x2", "429", "timeout"], weights=[3, 4, 2, 2, 1])[0]
    if kind == "502":
        api.fail_next(method, status=502)
    elif kind == "502x2":
        api.fail_next(method, times=2, status=502)
    elif kind == "429":
        api.flood_next(method, retry_after=1)
    elif kind == "timeout":
        # A send that timed out was not delivered (else a retry duplicates it; Telegram has no
        # idempotency key). Edits, deletions and callback answers are safe to repeat, so for them
        # the timed-out call did take effect and only its answer was lost.
        api.delay_next(method, seconds=3.5, apply=method != "sendMessage")
    return f"{kind} on {method}"


def test_through_random_502s_timeouts_and_flood_waits_every_reply_arrives_exactly_once(
    api: BotApiStandin, sqlite_path: Path, tmp_path: Path, menus: Menus
) -> None:
    rng = random.Random(20261128)
    url = f"sqlite:///{sqlite_path}"
    answer, edit, send, delete = "answerCallbackQuery", "editMessageText", "sendMessage", "deleteMessages"

    def tap(data: str | Callable[[dict[str, Any]], str]) -> Callable[[dict[str, Any]], object]:
        return lambda last: api.user_taps(CHAT, last["message_id"], data if isinstance(data, str) else data(last))

    def first_service(last: dict[str, Any]) -> str:
        return next(d for d in data_of(last) if d.startswith("s:"))

    def says(*parts: str) -> Callable[[dict[str, Any]], bool]:
        return lambda reply: all(part in reply["text"] for part in parts)

    def typed(text: str) -> Callable[[dict[str, Any]], object]:
        return lambda last: api.user_sends_text(CHAT, text)

    steps = [Step("/start", typed("/start"), (send,), says(menus.ui("en", "welcome")))]
    for topic in ("legal", "food", "work", "safety", "health"):
        steps += [
            Step(f"tap {topic}", tap(f"t:{topic}"), (answer, edit), says(menus.intro("en", topic))),
            Step(f"open a {topic} service", tap(first_service), (answer, send), lambda r: "r:" in str(data_of(r))),
            Step("main menu from the card", tap("m"), (answer, send), says(menus.ui("en", "main_prompt"))),
        ]
    steps += [
        Step("typed need", typed("i need a lawyer"), (send,), says(menus.intro("en", "legal"))),
        Step("typed zip", typed("77002"), (send,), says("Houston")),
        Step("typed danger", typed("he is going to kill me"), (send,), says("911")),
        Step("/help", typed("/help"), (send,), lambda r: "/exit" in r["text"]),
        Step("tap legal from the help", tap("t:legal"), (answer, edit), says(menus.intro("en", "legal"))),
        Step("next page", tap("t:legal:1"), (answer, edit), lambda r: "t:legal:1" not in data_of(r)),
    ]

    injected: list[str] = []
    starts: list[int] = []  # where each step's calls begin in the stand-in's call log
    expected_messages = 0
    with running_bot(api, settings_for(api, url, tmp_path)):
        last: dict[str, Any] = {}
        for step in steps:
            injected.append(f"{step.what}: {inject_random_fault(api, rng, step.methods)}")
            starts.append(len(api.calls))
            step.act(last)
            reply = reply_to(api, CHAT, timeout=20)
            assert step.expect(reply), f"{step.what}: unexpected reply {reply['text'][:200]!r}\n{injected}"
            # The next action in the same chat is served only after this one is done, so every
            # reply this step caused lies between here and the next action's own reply.
            last = reply
            expected_messages += reply["_method"] == "sendMessage"

        # Quick exit, with a fault on the deletion: still every message goes.
        injected.append(f"quick exit: {inject_random_fault(api, rng, (delete,))}")
        every_id = {m.message_id for m in api.chat_messages(CHAT)}
        starts.append(len(api.calls))
        api.user_taps(CHAT, last["message_id"], "x")
        done = reply_to(api, CHAT, timeout=20)
        assert done["text"] == menus.ui("en", "exit_done")

    for step, begin, end in zip(steps, starts, starts[1:], strict=False):
        replies = successful_replies(api, CHAT, begin, end)
        assert len(replies) == 1, f"{step.what}: {len(replies)} replies {replies}\nfaults: {injected}"
    sends = [c for c in api.calls_to("sendMessage") if c.ok and c.params["chat_id"] == CHAT]
    assert len(sends) == expected_messages + 1, "no message was sent twice (the +1 is the Quick exit 'done')"
    assert every_id <= set(api.deleted_message_ids(CHAT)), f"left after Quick exit; faults: {injected}"
    failed = [c for c in api.calls if c.status != 200 and c.method != "getUpdates"]
    assert len(failed) >= len(steps) // 2, f"the faults did happen: {injected}"


# -- the process killed mid-conversation -------------------------------------------------------------
def start_poll(api: BotApiStandin, database_url: str, home: Path, **extra: str) -> subprocess.Popen[bytes]:
    """``resource-bot poll`` in a process of its own (``extra``: more settings, e.g. GROUP_COMMIT_MS)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": api.base_url,
        "DATABASE_URL": database_url,
        "RESOURCE_BOT_HOME": str(home),
        **production_env(database_url),
        **extra,
    }
    since = len(api.calls)
    process = subprocess.Popen(
        [sys.executable, "-m", "resource_bot", "poll"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        # English, the default, Spanish: then it polls.
        api.wait_for(lambda c: c.ok and c.method == "setMyCommands", count=3, timeout=40, since=since)
    except BaseException:
        process.kill()
        process.communicate(timeout=20)
        raise
    return process


def test_after_sigkill_the_next_tap_continues_on_the_same_page(
    api: BotApiStandin, sqlite_path: Path, tmp_path: Path, menus: Menus
) -> None:
    url = f"sqlite:///{sqlite_path}"
    first = start_poll(api, url, tmp_path)
    try:
        api.user_sends_text(CHAT, "/start")
        welcome = reply_to(api, CHAT, timeout=15)
        api.user_taps(CHAT, welcome["message_id"], "t:legal")
        legal = reply_to(api, CHAT, timeout=15)
        api.user_taps(CHAT, legal["message_id"], "t:legal:1")
        page_two = reply_to(api, CHAT, timeout=15)
        assert page_two["message_id"] == legal["message_id"] and page_two["text"] != legal["text"]
        service = next(d for d in data_of(page_two) if d.startswith("s:"))
        api.user_taps(CHAT, page_two["message_id"], service)
        card = reply_to(api, CHAT, timeout=15)
        assert card["_method"] == "sendMessage"
    finally:
        first.send_signal(signal.SIGKILL)  # no shutdown, no flush, no goodbye
        first.communicate(timeout=20)
    assert first.returncode == -signal.SIGKILL

    second = start_poll(api, url, tmp_path)
    try:
        api.user_taps(CHAT, card["message_id"], "b")
        back = reply_to(api, CHAT, timeout=15)
        assert back["_method"] == "sendMessage", "the card is kept; the menu comes as a new message"
        assert data_of(back) == data_of(page_two), "Back from the card lands on page 2 of Legal help"
        api.user_taps(CHAT, back["message_id"], "t:legal")
        assert reply_to(api, CHAT, timeout=15)["text"] == legal["text"]
    finally:
        second.send_signal(signal.SIGINT)
        output, _ = second.communicate(timeout=30)
    assert second.returncode == 0, output.decode()[-3000:]


# -- the database goes away ----------------------------------------------------------------------------
def wait_until_remembered(running: RunningBot, chat_id: int, message_id: int, timeout: float = 10.0) -> None:
    """Wait until the bot has finished its last turn in the chat (the reply's id is written last)."""
    store, deadline = running.bot.store, time.monotonic() + timeout
    while message_id not in store.messages(store.key_for(chat_id)):
        assert time.monotonic() < deadline, f"message {message_id} was never remembered"
        time.sleep(0.02)


def assert_try_again_later(reply: dict[str, Any], menus: Menus) -> None:
    assert reply["text"] == menus.ui("en", "try_again_later")
    assert all(number in reply["text"] for number in EMERGENCY_NUMBERS)
    assert len(reply["text"]) < 400, "short"


def test_a_locked_sqlite_file_gets_try_again_later_and_the_bot_recovers_by_itself(
    api: BotApiStandin, sqlite_path: Path, tmp_path: Path, menus: Menus
) -> None:
    with running_bot(api, settings_for(api, f"sqlite:///{sqlite_path}", tmp_path)) as running:
        api.user_sends_text(CHAT, "/start")
        welcome = reply_to(api, CHAT)
        wait_until_remembered(running, CHAT, welcome["message_id"])

        locker = sqlite3.connect(sqlite_path, isolation_level=None, timeout=0)
        locker.execute("BEGIN EXCLUSIVE")  # held well past the bot's 5 s busy timeout
        try:
            api.user_taps(CHAT, welcome["message_id"], "t:legal")
            api.user_sends_text(OTHER, "/start")
            assert_try_again_later(reply_to(api, CHAT, timeout=20), menus)
            assert_try_again_later(reply_to(api, OTHER, timeout=20), menus)
        finally:
            locker.execute("ROLLBACK")
            locker.close()

        api.user_taps(CHAT, welcome["message_id"], "t:legal")
        assert menus.intro("en", "legal") in reply_to(api, CHAT)["text"]
        api.user_sends_text(OTHER, "/start")
        assert menus.ui("en", "welcome") in reply_to(api, OTHER)["text"]
        assert running.background.application.running, "the bot never stopped"


@dataclass
class PostgresRole:
    url: str
    role: str
    admin: Any

    def refuse(self) -> None:
        """The database goes away for the bot: its role may not log in, its sessions are ended."""
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'ALTER ROLE "{self.role}" NOLOGIN')
            connection.exec_driver_sql(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{self.role}'"
            )

    def allow(self) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'ALTER ROLE "{self.role}" LOGIN')


@pytest.fixture
def postgres_role() -> Iterator[PostgresRole]:
    """A role and a schema of their own, so the outage touches this test's sessions only."""
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not listening on 127.0.0.1:5432 (database test); start it to run this")
    name = f"faults_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE ROLE "{name}" LOGIN')
        connection.exec_driver_sql(f'CREATE SCHEMA "{name}" AUTHORIZATION "{name}"')
    url = f"postgresql+psycopg://{name}@127.0.0.1:5432/test?options=-csearch_path%3D{name}"
    try:
        yield PostgresRole(url, name, admin)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{name}'"
            )
            connection.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
            connection.exec_driver_sql(f'DROP ROLE "{name}"')
        admin.dispose()


def test_when_postgresql_refuses_the_bot_people_are_told_to_try_again_and_it_recovers(
    api: BotApiStandin, postgres_role: PostgresRole, tmp_path: Path, menus: Menus
) -> None:
    with running_bot(api, settings_for(api, postgres_role.url, tmp_path)) as running:
        api.user_sends_text(CHAT, "/start")
        welcome = reply_to(api, CHAT)
        wait_until_remembered(running, CHAT, welcome["message_id"])

        postgres_role.refuse()
        try:
            api.user_taps(CHAT, welcome["message_id"], "t:legal")
            assert_try_again_later(reply_to(api, CHAT, timeout=20), menus)
            api.user_sends_text(OTHER, "/start")
            assert_try_again_later(reply_to(api, OTHER, timeout=20), menus)
        finally:
            postgres_role.allow()

        api.user_taps(CHAT, welcome["message_id"], "t:legal")
        assert menus.intro("en", "legal") in reply_to(api, CHAT)["text"]
        api.user_sends_text(OTHER, "/start")
        assert menus.ui("en", "welcome") in reply_to(api, OTHER)["text"]
        assert running.background.application.running


def test_a_database_failure_after_the_reply_arrived_sends_no_apology_after_it(
    api: BotApiStandin, sqlite_path: Path, tmp_path: Path, menus: Menus, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database dropped between sending the reply and writing its id: one reply, not two."""
    with running_bot(api, settings_for(api, f"sqlite:///{sqlite_path}", tmp_path)) as running:
        remember = running.bot.store.remember_rows
        failed: list[object] = []

        def flaky(rows: list[dict[str, Any]], **kwargs: Any) -> None:
            sent = {m.message_id for m in api.bot_messages(CHAT)}
            if not failed and any(row["message_id"] in sent for row in rows):  # the reply's id
                failed.append(rows)
                raise OperationalError("INSERT", {}, ConnectionResetError("server closed the connection"))
            remember(rows, **kwargs)

        monkeypatch.setattr(running.bot.store, "remember_rows", flaky)
        api.user_sends_text(CHAT, "/start")
        assert menus.ui("en", "welcome") in reply_to(api, CHAT)["text"]
        deadline = time.monotonic() + 10
        while not failed:  # the reply's id is written after the reply, in the next group commit
            assert time.monotonic() < deadline, "the write of the reply's id was never tried"
            time.sleep(0.02)
        api.user_sends_text(CHAT, "/help")
        assert "/exit" in reply_to(api, CHAT)["text"], "the next reply is the help, not an apology"
        assert len(api.bot_messages(CHAT)) == 2
