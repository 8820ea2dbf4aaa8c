"""What the bot keeps about a person, read back from the database itself, not from the code.

The web chat is held to the same test: its words, its cookie, the browser it came from and
the address it came from appear in no table and no log line.

A full conversation goes through the real python-telegram-bot Application and
the Bot API stand-in, with recognisable sentinels everywhere a person could
leave a trace: the words they type, their first name and username, their chat
id, and a shared location with many decimals. Then every column of every row
of every table is read back (the schema is reflected, so a table added later
is read too) and none of the sentinels may appear. The same on PostgreSQL in
a schema of its own when it is reachable. Logs at INFO over the whole
conversation must not hold them either. A whole text conversation through the
SMS door is checked the same way: no phone number, no words, no message id.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import MetaData, create_engine, select
from starlette.testclient import TestClient

from resource_bot.channels.sms import build_sms_app
from resource_bot.channels.sms.door import SmsDoor
from resource_bot.channels.store import open_state_store
from resource_bot.channels.telegram.chats import ChatGate
from resource_bot.channels.web.session import COOKIE, chat_number
from resource_bot.cli import main
from resource_bot.config import ConfigError, load_settings
from resource_bot.db import create_schema, make_engine
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.menus import Menus
from resource_bot.logs import install_private_logging
from resource_bot.runtime import Runtime, open_runtime
from resource_bot.state_store import EXPIRY_STEP, MESSAGE_TTL, STATE_TTL, StateStore
from tests.postgres import fresh_schema
from tests.standin import BotApiStandin
from tests.standin.sms import SmsProvider
from tests.standin.sms import messages_of as sms_messages
from tests.test_telegram_bot import (
    STATE_SECRET,
    TOKEN,
    RunningBot,
    data_of,
    reply_to,
    running_bot,
    settings_for,
)
from tests.webpage import Person

#: A chat id nobody would mistake for anything else (private chat: user id == chat id).
CHAT = 7_316_402_958
OTHER = 6_204_117_383
TYPED = "Quokkasentinel my boss Zebrafinch took my passport"
TYPED_WORDS = ("quokkasentinel", "zebrafinch")
FIRST_NAME = "Firstnamesentinel"
USERNAME = "usernamesentinel_42"
#: Houston, with far more precision than anyone needs to serve it.
LATITUDE, LONGITUDE = 29.76043117, -95.36981234
EXACT = ("29.7604", "95.3698", "29.760431", "95.369812")


# -- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, template_db: Path, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        copy = tmp_path / "bot.sqlite3"
        shutil.copy(template_db, copy)
        yield f"sqlite:///{copy}"
        return
    with fresh_schema("privacy") as url:
        yield url


@pytest.fixture
def bot(api: BotApiStandin, database_url: str, tmp_path: Path) -> Iterator[RunningBot]:
    with running_bot(api, settings_for(api, database_url, tmp_path)) as running:
        yield running


# -- helpers -------------------------------------------------------------------------------------
def every_row(url: str) -> dict[str, list[str]]:
    """Every row of every table in the database, as text, by table (the schema is reflected)."""
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        dump: dict[str, list[str]] = {}
        with engine.connect() as connection:
            for name, table in metadata.tables.items():
                dump[name] = [
                    " | ".join(f"{column}={value!s}" for column, value in row._mapping.items())
                    for row in connection.execute(select(table))
                ]
        return dump
    finally:
        engine.dispose()


def traces_of_the_person(text: str, chat_id: int = CHAT) -> list[str]:
    """The sentinels (case-insensitive) that ``text`` holds."""
    lowered = text.lower()
    sentinels = [*TYPED_WORDS, FIRST_NAME.lower(), USERNAME.lower(), str(chat_id), *EXACT]
    return [s for s in sentinels if s in lowered]


def talk(api: BotApiStandin, chat_id: int, menus: Menus) -> None:
    """A whole conversation: start, topic, service, report a listing, typed words, location, zip."""
    who = {"first_name": FIRST_NAME, "username": USERNAME}
    api.flood_next("sendMessage", retry_after=1)  # the warning path logs too
    api.fail_next("editMessageText", status=502)
    api.user_sends_text(chat_id, "/start", **who)
    welcome = reply_to(api, chat_id, timeout=10)
    api.user_taps(chat_id, welcome["message_id"], "t:legal")
    legal = reply_to(api, chat_id, timeout=10)
    assert menus.intro("en", "legal") in legal["text"]
    service = next(d for d in data_of(legal) if d.startswith("s:"))
    api.user_taps(chat_id, legal["message_id"], service)
    card = reply_to(api, chat_id)
    api.user_taps(chat_id, card["message_id"], f"r:{service[2:]}")
    prompt = reply_to(api, chat_id)
    api.user_taps(chat_id, prompt["message_id"], f"r:{service[2:]}:w")
    reply_to(api, chat_id)
    api.user_sends_text(chat_id, TYPED, **who)
    understood = reply_to(api, chat_id)
    assert menus.intro("en", "trafficking") in understood["text"], "the typed words were understood, then dropped"
    api.user_sends_text(chat_id, "/area", **who)
    reply_to(api, chat_id)
    reply_to(api, chat_id)  # the message with the share-location keyboard
    api.user_sends_location(chat_id, LATITUDE, LONGITUDE, **who)
    assert "Houston" in reply_to(api, chat_id)["text"]
    api.wait_for("editMessageReplyMarkup")


# -- what the database holds -----------------------------------------------------------------------
@contextlib.contextmanager
def everything_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """DEBUG on the root and on every library that logs requests, as a maintainer hunting a bug would set."""
    with contextlib.ExitStack() as stack:
        for name in (None, "telegram", "httpx", "httpcore", "sqlalchemy", "resource_bot"):
            stack.enter_context(caplog.at_level(logging.DEBUG, logger=name))
        yield


def test_after_a_whole_conversation_no_table_holds_text_names_ids_or_the_exact_place(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with everything_logged(caplog):
        talk(api, CHAT, menus)
        api.user_sends_text(CHAT, "/help")  # served after every write the location caused
        reply_to(api, CHAT)
    bot.runtime.flush_counts()  # counts wait in memory for a few seconds

    dump = every_row(database_url)
    assert {"chat_state", "chat_message", "daily_count", "feedback_report"} <= set(dump)
    found = {name: traces_of_the_person("\n".join(rows)) for name, rows in dump.items()}
    assert not any(found.values()), f"traces of the person in the database: {found}"

    # The conversation is there, but only as the keyed hash, the small state and message ids.
    key = bot.bot.store.key_for(CHAT)
    (state_row,) = dump["chat_state"]
    assert key in state_row
    state = bot.bot.store.load(key)
    assert (state.latitude, state.longitude) == (round(LATITUDE, 2), round(LONGITUDE, 2))
    assert state.zip is None, "a shared location keeps the rounded point only"
    assert dump["chat_message"] and all(key in row for row in dump["chat_message"])
    assert any("reason=wrong_number" in row for row in dump["feedback_report"])

    # Logs at DEBUG, libraries included: what the bot did, but nothing said, who said it, or the token.
    assert "flood control" in caplog.text, "the conversation went through the logged paths"
    libraries = {record.name.split(".")[0] for record in caplog.records}
    assert {"telegram", "httpx", "httpcore"} <= libraries, "the libraries did log at DEBUG"
    assert "Calling Bot API endpoint" in caplog.text, "their records keep their wording"
    assert traces_of_the_person(caplog.text) == []
    assert FIRST_NAME not in caplog.text and TYPED not in caplog.text
    assert TOKEN not in caplog.text and TOKEN.split(":")[1] not in caplog.text
    assert key not in caplog.text, "no log line can be tied to the chat's rows"


def test_message_ids_expire_after_48_hours_and_the_state_after_its_ttl(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    api.user_sends_text(CHAT, "/start legal")
    legal = reply_to(api, CHAT)
    api.user_taps(CHAT, legal["message_id"], "b")
    reply_to(api, CHAT)
    store = StateStore(create_engine(database_url), bot.runtime.settings.state_secret)
    key = bot.bot.store.key_for(CHAT)
    assert store.key_for(CHAT) == key, "a second process derives the same key (STATE_SECRET or the stored one)"
    now = dt.datetime.now(dt.UTC)

    assert store.messages(key, now=now + MESSAGE_TTL - dt.timedelta(minutes=5)), "kept while deletable"
    # Expiry is kept to the whole hour, rounded up: at most one hour past the 48.
    past = now + MESSAGE_TTL + EXPIRY_STEP + dt.timedelta(minutes=5)
    assert store.messages(key, now=past) == []
    assert store.purge_expired(past) >= 1
    dump = every_row(database_url)
    assert dump["chat_message"] == [], "no message id outlives 49 hours"
    assert len(dump["chat_state"]) == 1, "the state outlives the message ids"
    stamps = [row.split("expires_at=")[1] for row in dump["chat_state"]]
    assert all(":00:00" in stamp and "." not in stamp for stamp in stamps), f"whole hours only: {stamps}"

    later = now + STATE_TTL + EXPIRY_STEP + dt.timedelta(minutes=5)
    assert store.load(key, now=later) == ChatState(), "an expired state is not served even before a purge"
    assert store.purge_expired(later) == 1
    assert every_row(database_url)["chat_state"] == []
    store.engine.dispose()


def test_forget_leaves_only_message_ids_for_quick_exit_and_quick_exit_leaves_nothing(
    api: BotApiStandin, bot: RunningBot, menus: Menus, database_url: str
) -> None:
    talk(api, CHAT, menus)
    api.user_sends_text(OTHER, "/start food")  # someone else, who did not ask to be forgotten
    reply_to(api, OTHER)
    key = bot.bot.store.key_for(CHAT)
    assert any(key in row for rows in every_row(database_url).values() for row in rows)

    api.user_sends_text(CHAT, "/forget")
    forgot = reply_to(api, CHAT)
    assert menus.ui("en", "forget_done") in forgot["text"]

    # The state is gone; the ids (numbers) of the chat's messages stay until they expire, so that
    # a Quick exit after /forget still deletes the messages from before it.
    dump = every_row(database_url)
    left = {name: [row for row in rows if key in row] for name, rows in dump.items()}
    assert set(name for name, rows in left.items() if rows) == {"chat_message"}, f"rows: {left}"
    assert all(row.startswith(f"chat_key={key} | message_id=") for row in left["chat_message"])

    api.user_taps(CHAT, forgot["message_id"], "x")
    assert reply_to(api, CHAT)["text"] == menus.ui("en", "exit_done")
    dump = every_row(database_url)
    left = {name: [row for row in rows if key in row] for name, rows in dump.items()}
    assert not any(left.values()), f"rows about the erased chat: {left}"
    other = bot.bot.store.key_for(OTHER)
    assert any(other in row for row in dump["chat_state"]), "the other chat is untouched"
    assert not any(traces_of_the_person("\n".join(rows)) for rows in dump.values())


def test_guide_answers_live_only_in_the_guide_and_never_reach_the_counts_or_the_logs(
    api: BotApiStandin, database_url: str, tmp_path: Path, menus: Menus, caplog: pytest.LogCaptureFixture
) -> None:
    """A person answers the job check (yes to two signs): while its screens are shown the state holds
    the ids of those two signs, nothing else; once they leave the guide no row, count or log line
    holds an answer, a sign's words or the tapped button data. Only "a guide was opened" is counted."""
    taps = {"start": "0", "documents": "0", "debt": "0"}  # Start, then yes to two signs and no to the rest
    settings = settings_for(api, database_url, tmp_path)
    with running_bot(api, settings, gate=ChatGate(burst=100)) as running, everything_logged(caplog):
        api.user_sends_text(CHAT, "/start gjob_check", first_name=FIRST_NAME)
        screen = reply_to(api, CHAT)
        steps = ("start", "documents", "debt", "leave", "threats", "pay", "lied", "housing", "age")
        for step in steps:
            api.user_taps(CHAT, screen["message_id"], f"g:job-check:{step}:{taps.get(step, '1')}")
            screen = reply_to(api, CHAT)
        assert "Someone else keeps your passport, ID or papers." in screen["text"]
        key = running.bot.store.key_for(CHAT)
        (during,) = every_row(database_url)["chat_state"]
        assert key in during and "documents" in during and "debt" in during and "passport" not in during
        api.user_taps(CHAT, screen["message_id"], "m")  # the person leaves the guide
        reply_to(api, CHAT)
        running.runtime.flush_counts()  # counts wait in memory for a few seconds

    dump = every_row(database_url)
    answers = ("documents", "debt", "threats", "housing", "passport", "job-check:", "g:job")
    about_chats = ("chat_state", "chat_message", "daily_count", "feedback_report", "feedback_guard")
    held = {name: [row for row in dump[name] if any(a in row for a in answers)] for name in about_chats}
    assert not any(held.values()), f"answers kept after leaving the guide: {held}"
    counts = [row for row in dump["daily_count"] if "kind=guide" in row]
    assert len(counts) == 1 and "value=job-check" in counts[0], "only the opening is counted"
    assert not any(a in caplog.text for a in answers[:-2]) and "g:job-check:" not in caplog.text
    assert traces_of_the_person(caplog.text) == []


# -- the key that hides chat ids -------------------------------------------------------------------
def production_settings(tmp_path: Path, **env: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "RESOURCE_BOT_HOME": str(tmp_path),
        "WEBHOOK_URL": "https://bot.example.org/telegram",
        "WEBHOOK_SECRET": "right_secret-123",
        **env,
    }


@pytest.mark.parametrize(
    ("command", "database"),
    [("webhook", "sqlite"), ("poll", "postgresql://bot@127.0.0.1:5432/test")],
)
def test_production_refuses_to_start_without_state_secret_and_says_how_to_make_one(
    tmp_path: Path, command: str, database: str
) -> None:
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}" if database == "sqlite" else database
    result = CliRunner().invoke(main, [command], env=production_settings(tmp_path, DATABASE_URL=url, STATE_SECRET=""))

    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert "STATE_SECRET is not set" in line
    assert 'python -c "import secrets; print(secrets.token_hex(32))"' in line
    assert not (tmp_path / "bot.sqlite3").exists(), "it stopped before opening the database"


def test_a_short_state_secret_is_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at least 32"):
        load_settings(production_settings(tmp_path, STATE_SECRET="hunter2"))


def test_only_the_local_sqlite_database_with_polling_may_keep_the_key_in_the_database(tmp_path: Path) -> None:
    local = load_settings({"RESOURCE_BOT_HOME": str(tmp_path)})
    assert local.state_secret_for(webhook=False) is None
    with pytest.raises(ConfigError):
        local.state_secret_for(webhook=True)
    server = load_settings({"RESOURCE_BOT_HOME": str(tmp_path), "DATABASE_URL": "postgres://bot@db.example/bot"})
    with pytest.raises(ConfigError, match="PostgreSQL"):
        server.state_secret_for(webhook=False)
    assert load_settings(production_settings(tmp_path, STATE_SECRET=STATE_SECRET)).state_secret_for(webhook=True)


def test_the_bot_says_at_startup_which_key_hides_chat_ids(
    api: BotApiStandin, template_db: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    copy = tmp_path / "bot.sqlite3"
    shutil.copy(template_db, copy)
    url = f"sqlite:///{copy}"
    with caplog.at_level(logging.INFO), running_bot(api, settings_for(api, url, tmp_path)) as local:
        stored = local.bot.store.key_for(CHAT)
    assert "key kept in the database itself" in caplog.text and "Set STATE_SECRET" in caplog.text
    assert every_row(url)["bot_secret"], "a local trial keeps its key in the database"

    caplog.clear()
    with (
        caplog.at_level(logging.INFO),
        running_bot(api, settings_for(api, url, tmp_path, STATE_SECRET=STATE_SECRET)) as live,
    ):
        assert live.bot.store.key_for(CHAT) != stored
    assert "the key from STATE_SECRET" in caplog.text
    assert every_row(url)["bot_secret"] == [], "the key once kept in the database is gone"


# -- what the SQLite files hold --------------------------------------------------------------------
def file_bytes(path: Path) -> bytes:
    """The database file and its write-ahead log, as the disk holds them."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_after_quick_exit_the_sqlite_files_hold_no_copy_of_the_chat_key_or_its_past_states(
    api: BotApiStandin, template_db: Path, tmp_path: Path, menus: Menus
) -> None:
    path = tmp_path / "bot.sqlite3"
    shutil.copy(template_db, path)
    with running_bot(api, settings_for(api, f"sqlite:///{path}", tmp_path)) as running:
        talk(api, CHAT, menus)
        key = running.bot.store.key_for(CHAT).encode()
        before = file_bytes(path)
        assert before.count(key) > 10, "the conversation's rows went through the files"
        assert b'"latitude": 29.76' in before and b'"screen": "topic:legal"' in before

        api.user_sends_text(CHAT, "/exit")
        assert reply_to(api, CHAT)["text"] == menus.ui("en", "exit_done")
        after = file_bytes(path)
        wal_size = path.with_name(path.name + "-wal").stat().st_size

    assert key not in after, "no page version in the database or its log still holds the chat's key"
    assert b'"latitude": 29.76' not in after and b'"screen": "topic:' not in after, "nor a past state"
    assert wal_size == 0, "the log was emptied"


def test_a_new_sqlite_database_and_its_log_are_private_and_zero_what_they_delete(tmp_path: Path) -> None:
    path = tmp_path / "home" / "bot.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    store = StateStore(engine, "a-secret")
    store.save(store.key_for(CHAT), ChatState(lang="es"))
    with engine.connect() as connection:
        # Some SQLite builds (Debian's) zero deleted rows anyway; the bot asks for it everywhere.
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    try:
        for part in (path, path.with_name("bot.sqlite3-wal"), path.with_name("bot.sqlite3-shm")):
            assert stat.S_IMODE(part.stat().st_mode) == 0o600, part.name
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    finally:
        engine.dispose()

    path.chmod(0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600, "an older, looser file is tightened"


def test_library_log_records_keep_their_wording_and_lose_every_value(caplog: pytest.LogCaptureFixture) -> None:
    install_private_logging()
    url = f"http://127.0.0.1:8081/bot{TOKEN}/sendMessage"
    with everything_logged(caplog):
        logging.getLogger("httpx").info('HTTP Request: %s %s "%s %d %s"', "POST", url, "HTTP/1.1", 200, "OK")
        try:
            raise ValueError(TYPED)
        except ValueError:
            logging.getLogger("telegram.ext.Application").exception("update from %(name)s", {"name": FIRST_NAME})
        logging.getLogger("httpcore.http11").debug(f"receive_response_body.started request=<{CHAT} {TYPED}>")
        logging.getLogger("telegram.ext.Updater").debug({"text": TYPED})
        logging.getLogger("resource_bot.example").info("the bot's own %s stays", "wording")

    assert 'HTTP Request: [hidden] [hidden] "[hidden] [hidden] [hidden]"' in caplog.text
    assert "update from [hidden]" in caplog.text and "ValueError (message hidden)" in caplog.text
    assert "in test_library_log_records_keep_their_wording" in caplog.text, "where it was raised stays"
    assert "receive_response_body.started" in caplog.text and "[hidden] dict" in caplog.text
    assert "the bot's own wording stays" in caplog.text
    assert traces_of_the_person(caplog.text) == [] and TOKEN not in caplog.text


def test_an_unknown_log_level_is_refused_in_one_line(tmp_path: Path) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "RESOURCE_BOT_HOME": str(tmp_path), "LOG_LEVEL": "loud"}
    result = CliRunner().invoke(main, ["poll"], env=env)

    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert "LOG_LEVEL='LOUD' is not a level" in line and "DEBUG" in line


# -- the web chat ---------------------------------------------------------------------------------------
USER_AGENT = "Useragentsentinel/7.1 (Mozilla compatible)"
#: An address from the documentation range, sent as a proxy would.
IP_ADDRESS = "203.0.113.217"


@contextlib.contextmanager
def web_person(database_url: str, tmp_path: Path) -> Iterator[tuple[Person, Runtime]]:
    from starlette.testclient import TestClient

    from resource_bot.channels.doors import build_app

    env = {"DATABASE_URL": database_url, "RESOURCE_BOT_HOME": str(tmp_path)}
    if not database_url.startswith("sqlite"):
        env["STATE_SECRET"] = STATE_SECRET
    runtime = open_runtime(load_settings(env))
    try:
        with TestClient(build_app(runtime, {}), base_url="https://chat.example.org") as client:
            person = Person(client)
            person.headers.update({"user-agent": USER_AGENT, "x-forwarded-for": IP_ADDRESS, "x-real-ip": IP_ADDRESS})
            yield person, runtime
    finally:
        runtime.db.dispose()


def web_talk(person: Person, menus: Menus) -> None:
    """A whole web conversation: start, topic, service, report a listing, typed words, a ZIP code."""
    person.open()
    legal = person.tap("Legal help")
    assert menus.intro("en", "legal") in legal.text
    service = next(data for data in legal.buttons.values() if data.startswith("s:"))
    person.post({"b": service})
    person.post({"b": f"r:{service[2:]}"})
    person.post({"b": f"r:{service[2:]}:w"})
    understood = person.type(TYPED)
    assert menus.intro("en", "trafficking") in understood.text, "the typed words were understood, then dropped"
    assert "Houston" in person.type("77002").text


def test_after_a_web_conversation_no_table_or_log_holds_its_words_cookie_address_or_browser(
    database_url: str, tmp_path: Path, menus: Menus, caplog: pytest.LogCaptureFixture
) -> None:
    with web_person(database_url, tmp_path) as (person, runtime):
        with everything_logged(caplog):
            web_talk(person, menus)
        session = person.client.cookies[COOKIE]
        key = StateStore(runtime.db, STATE_SECRET if "postgresql" in database_url else None).key_for(
            chat_number(session)
        )
        dump = every_row(database_url)  # read outside the logged part: this reading logs every row
        with everything_logged(caplog):
            person.quick_exit()
        after_exit = every_row(database_url)

    everything = "\n".join(row for rows in dump.values() for row in rows)
    web_traces = (session, USER_AGENT.split("/")[0].lower(), IP_ADDRESS, "testclient")
    assert traces_of_the_person(everything, chat_id=CHAT) == []
    assert [trace for trace in web_traces if trace in everything.lower()] == []
    (state_row,) = dump["chat_state"]
    assert key in state_row, "the conversation is kept only under the keyed hash of the session"
    assert any("reason=wrong_number" in row for row in dump["feedback_report"])
    assert after_exit["chat_state"] == [] and not any(key in row for rows in after_exit.values() for row in rows)

    logged = caplog.text.lower()
    assert traces_of_the_person(logged, chat_id=CHAT) == []
    assert [trace for trace in (*web_traces, key) if trace in logged] == []


# -- the SMS door ------------------------------------------------------------------------------------
#: A fictional number (555-01xx), in the forms it could leave a trace in.
PHONE = "+15550107316"
PHONE_FORMS = ("5550107316", "555-010-7316", "555) 010", "0107316")
#: The provider's id of one incoming text (Twilio's MessageSid): it must not be kept either.
MESSAGE_SID = "SMquokkasid0123456789abcdef01234567"


def sms_traces(text: str) -> list[str]:
    return traces_of_the_person(text, chat_id=int(PHONE[1:])) + [p for p in PHONE_FORMS if p in text]


def choose(sms: SmsProvider, texts: list[str], label: str) -> list[str]:
    """Reply with the number of the choice whose label starts with ``label``."""
    choices = [line[1:].split("] ", 1) for text in texts for line in text.splitlines() if line.startswith("[")]
    number = next(number for number, shown in choices if shown.startswith(label))
    return sms.texts(PHONE, number)


def text_by_sms(sms: SmsProvider, menus: Menus) -> None:
    """A whole text conversation: hello, a topic, a card, a listing report, typed words, a ZIP, STOP, START."""
    welcome = sms.texts(PHONE, "Hi")
    topic = choose(sms, welcome, "Trafficking")
    assert menus.intro("en", "trafficking").split(".")[0] in "\n".join(topic)
    card = choose(sms, topic, "National Human Trafficking Hotline")
    prompt = choose(sms, card, "Report a problem")
    choose(sms, prompt, "Wrong phone number")
    fields = {**sms.fields(PHONE, TYPED), "MessageSid": MESSAGE_SID, "SmsSid": MESSAGE_SID}
    understood = sms_messages(sms.post(PHONE, TYPED, fields=fields))
    assert menus.intro("en", "trafficking").split(".")[0] in "\n".join(understood), "understood, then dropped"
    assert "Houston" in "\n".join(sms.texts(PHONE, "77002"))
    assert sms.texts(PHONE, "STOP")
    assert sms.texts(PHONE, TYPED) == []
    assert sms.texts(PHONE, "START")
    sms.texts(PHONE, "STOP")  # and stays opted out: the row the carriers require


@contextlib.contextmanager
def sms_conversations(database_url: str, home: Path) -> Iterator[tuple[SmsProvider, SmsDoor]]:
    """The SMS door alone over ``database_url``, and the provider stand-in that texts it."""
    settings = load_settings(
        {
            "DATABASE_URL": database_url,
            "RESOURCE_BOT_HOME": str(home),
            "STATE_SECRET": STATE_SECRET,
            "TWILIO_AUTH_TOKEN": "t" * 32,
            "PUBLIC_URL": "https://bot.example.org",
        }
    )
    runtime = open_runtime(settings)
    door = SmsDoor(runtime, open_state_store(runtime, webhook=True))
    try:
        with TestClient(build_sms_app(runtime, door=door), base_url="https://bot.example.org") as client:
            yield SmsProvider(client, "https://bot.example.org", "t" * 32), door
    finally:
        runtime.db.dispose()


@pytest.fixture
def sms_door(database_url: str, tmp_path: Path) -> Iterator[tuple[SmsProvider, SmsDoor]]:
    with sms_conversations(database_url, tmp_path) as both:
        yield both


def test_after_a_whole_text_conversation_no_table_or_log_line_holds_the_number_or_the_words(
    sms_door: tuple[SmsProvider, SmsDoor], menus: Menus, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    sms, door = sms_door
    with everything_logged(caplog), caplog.at_level(logging.DEBUG, logger="twilio"):
        text_by_sms(sms, menus)
    door.runtime.flush_counts()  # counts wait in memory for a few seconds

    dump = every_row(database_url)
    assert {"chat_state", "sms_menu", "sms_opt_out", "daily_count", "feedback_report"} <= set(dump)
    found = {name: sms_traces("\n".join(rows)) for name, rows in dump.items()}
    assert not any(found.values()), f"traces of the person in the database: {found}"
    assert not any(MESSAGE_SID in row for rows in dump.values() for row in rows)
    key = door.key_for(PHONE)
    assert dump["sms_opt_out"] == [f"chat_key={key}"], "the opt-out is the keyed hash alone"
    assert not any(key in row for row in dump["chat_state"] + dump["sms_menu"]), "STOP deleted the conversation"
    assert any("reason=wrong_number" in row for row in dump["feedback_report"])
    assert any("kind=typed_topic" in row for row in dump["daily_count"]), "the anonymous counts are kept"

    assert caplog.records, "the conversation was logged at DEBUG"
    assert sms_traces(caplog.text) == [] and PHONE not in caplog.text and MESSAGE_SID not in caplog.text
    assert key not in caplog.text, "no log line can be tied to the number's rows"


def test_after_exit_the_sqlite_files_hold_no_copy_of_the_numbers_key(
    template_db: Path, tmp_path: Path, menus: Menus
) -> None:
    path = tmp_path / "bot.sqlite3"
    shutil.copy(template_db, path)
    with sms_conversations(f"sqlite:///{path}", tmp_path) as (sms, door):
        sms.texts(PHONE, "Hi")
        sms.texts(PHONE, "77002")
        key = door.key_for(PHONE).encode()
        assert file_bytes(path).count(key) > 1, "the conversation's rows went through the files"
        (done,) = sms.texts(PHONE, "EXIT")
        assert "delete this thread" in done
        after = file_bytes(path)
    assert key not in after, "no page version in the database or its log still holds the number's key"
    assert b'"zip": "77002"' not in after
