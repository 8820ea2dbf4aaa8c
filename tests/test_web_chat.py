"""The web chat with JavaScript off, through Starlette's TestClient: what a person taps, types and sees.

Every page is read back as a browser would show it (tests/webpage.py). The real browser,
with JavaScript on and axe-core, is in tests/browser/.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from starlette.testclient import TestClient

from resource_bot.channels import doors
from resource_bot.channels.doors import OptionalDoor, build_app
from resource_bot.channels.web import session as sessions
from resource_bot.channels.web.chat import DEFAULT_EXIT_URL, redisplay
from resource_bot.channels.web.words import WEB_KEYS, WebWords, WebWordsError
from resource_bot.cli import main
from resource_bot.config import ConfigError, load_settings
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.events import Command, CommandName, Press
from resource_bot.dialog.menus import Menus
from resource_bot.paths import conversations_dir
from resource_bot.runtime import Runtime, open_runtime
from resource_bot.state_store import ChatStateRow, StateStore
from resource_bot.stats import read_counts
from tests.standin import BotApiStandin
from tests.test_telegram_bot import ALICE, SECRET, STATE_SECRET, settings_for
from tests.webpage import Person

HOTLINE = "1-888-373-7888"
EXIT_URL = "https://weather.example.org/today"


@pytest.fixture
def runtime(template_db: Path, tmp_path: Path) -> Iterator[Runtime]:
    copy = tmp_path / "bot.sqlite3"
    shutil.copy(template_db, copy)
    settings = load_settings({"DATABASE_URL": f"sqlite:///{copy}", "RESOURCE_BOT_HOME": str(tmp_path)})
    runtime = open_runtime(settings)
    yield runtime
    runtime.db.dispose()


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(build_app(runtime, {"QUICK_EXIT_URL": EXIT_URL}), base_url="https://chat.example.org") as c:
        yield c


@pytest.fixture
def person(client: TestClient) -> Person:
    return Person(client)


@pytest.fixture(scope="module")
def menus() -> Menus:
    return Menus.from_dir(conversations_dir())


def state_keys(runtime: Runtime) -> list[str]:
    with runtime.db.connect() as connection:
        return list(connection.execute(select(ChatStateRow.chat_key)).scalars())


def state_rows(runtime: Runtime) -> int:
    return len(state_keys(runtime))


# -- the conversation ------------------------------------------------------------------------------
def test_a_person_opens_the_page_taps_a_topic_and_gets_the_hotline_as_a_link_to_call(
    person: Person, menus: Menus
) -> None:
    welcome = person.open()
    assert welcome.status == 200 and welcome.lang == "en"
    assert menus.ui("en", "welcome").splitlines()[0] in welcome.text
    assert welcome.has_quick_exit
    trafficking = person.tap("Trafficking")
    assert menus.intro("en", "trafficking") in trafficking.text
    assert HOTLINE in trafficking.text
    assert trafficking.links[HOTLINE] == "tel:+18883737888"
    assert trafficking.has_quick_exit and "Back" in " ".join(trafficking.buttons)


def test_typing_human_trafficking_reaches_the_hotline(person: Person, menus: Menus) -> None:
    person.open()
    answer = person.type("human trafficking")
    assert menus.intro("en", "trafficking") in answer.text
    assert HOTLINE in answer.text


def test_a_zip_code_sets_the_area_and_the_topic_shows_again_near_it(person: Person, menus: Menus) -> None:
    person.open()
    person.tap("Legal help")
    near = person.type("77002")
    assert menus.ui("en", "area_set", place="Houston, TX 77002") in near.text or "Houston" in near.text
    assert menus.intro("en", "legal") in near.text
    assert person.type("00000").text.startswith(menus.ui("en", "area_unknown", zip="00000"))


def test_danger_typed_on_any_screen_gets_911_first(person: Person, menus: Menus) -> None:
    person.open()
    person.tap("Food")
    danger = person.type("he's going to kill me")
    assert danger.text.startswith(menus.ui("en", "crisis_first"))
    assert danger.links["911"] == "tel:911"


def test_a_deep_link_opens_the_topic_in_its_language_and_area_and_counts_the_source(
    person: Person, runtime: Runtime, menus: Menus
) -> None:
    legal = person.open("/?start=legal-es-z77002-sclinic4")
    assert legal.lang == "es"
    assert menus.intro("es", "legal") in legal.text
    assert "Houston" in legal.text
    runtime.flush_counts()  # counts wait in memory for a few seconds
    counted = {(row.kind, row.value) for row in read_counts(runtime.db, dt.date(2000, 1, 1))}
    assert ("topic", "legal") in counted and ("language", "es") in counted


def test_a_first_visit_or_a_reload_that_changes_nothing_stores_nothing(
    client: TestClient, runtime: Runtime, person: Person
) -> None:
    for _ in range(5):
        client.cookies.clear()  # a new visitor each time
        assert Person(client).open().status == 200
    assert state_rows(runtime) == 0, "visitors who only looked leave no rows"
    person.open()
    person.tap("Legal help")
    person.open()
    assert state_rows(runtime) == 1


def test_the_browser_language_picks_spanish_for_a_new_conversation(client: TestClient, menus: Menus) -> None:
    page = Person(client, lang="es-MX,es;q=0.9").open()
    assert page.lang == "es"
    assert menus.ui("es", "welcome").splitlines()[0] in page.text
    assert page.buttons, "Spanish buttons"


def test_switching_language_changes_the_page_language(person: Person, menus: Menus) -> None:
    person.open()
    person.tap("Language")
    spanish = person.tap("Español")
    assert spanish.lang == "es" and menus.ui("es", "language_set") in spanish.text


def test_reloading_shows_the_same_screen_again_without_counting_it_twice(
    person: Person, runtime: Runtime, menus: Menus
) -> None:
    person.open()
    person.tap("Legal help")
    again = person.open()
    assert menus.intro("en", "legal") in again.text
    runtime.flush_counts()  # counts wait in memory for a few seconds
    legal = [row.count for row in read_counts(runtime.db, dt.date(2000, 1, 1)) if row.value == "legal"]
    assert legal == [1]


def test_redisplay_maps_each_screen_to_the_event_that_shows_it() -> None:
    assert redisplay(ChatState(screen="topic:legal", page=2)) == Press("t:legal:2")
    assert redisplay(ChatState(screen="area")) == Command(CommandName.AREA)
    assert redisplay(ChatState(screen="report:x")) == Command(CommandName.MENU)


def test_forged_button_data_gets_the_menu_and_changes_nothing(person: Person, menus: Menus) -> None:
    person.open()
    person.tap("Legal help")
    calm = person.post({"b": "t:../../etc/passwd"})
    assert calm.status == 200 and menus.ui("en", "main_prompt") in calm.text


def test_an_empty_request_or_a_slash_command_is_answered(person: Person, menus: Menus) -> None:
    person.open()
    assert person.type("   ").status == 200
    assert menus.ui("en", "help").splitlines()[0] in person.type("/help").text


# -- quick exit --------------------------------------------------------------------------------------
def test_quick_exit_leaves_for_the_neutral_page_drops_the_cookie_and_clears_the_conversation(
    person: Person, runtime: Runtime, client: TestClient, menus: Menus
) -> None:
    person.open()
    person.tap("Legal help")
    assert state_rows(runtime) == 1
    gone = person.quick_exit()
    assert (gone.status_code, gone.headers["location"]) == (303, EXIT_URL)
    assert "Max-Age=0" in gone.headers["set-cookie"]
    assert state_rows(runtime) == 0
    fresh = person.open()
    assert menus.ui("en", "welcome").splitlines()[0] in fresh.text, "the conversation starts afresh"


def test_typing_salir_or_tapping_the_exit_button_data_leaves_too(
    person: Person, runtime: Runtime, client: TestClient
) -> None:
    person.open()
    person.type("salir")
    assert (person.response.status_code, person.response.headers["location"]) == (303, EXIT_URL)
    assert state_rows(runtime) == 0
    person.open()
    person.post({"b": "x"})
    assert person.response.headers["location"] == EXIT_URL


def test_quick_exit_works_without_a_session_a_token_or_a_database(
    client: TestClient, runtime: Runtime, person: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.post("/exit", follow_redirects=False).headers["location"] == EXIT_URL
    person.open()
    person.tap("Legal help")
    old_key = StateStore(runtime.db).key_for(sessions.chat_number(client.cookies[sessions.COOKIE]))

    def database_away(self: StateStore) -> Any:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(StateStore, "begin", database_away)
    gone = person.quick_exit()
    assert (gone.status_code, gone.headers["location"]) == (303, EXIT_URL)
    assert "Max-Age=0" in gone.headers["set-cookie"]
    monkeypatch.undo()
    assert state_keys(runtime) == [old_key], "the row waits for the database"
    Person(client).open()  # the next request to reach the database deletes it first
    assert old_key not in state_keys(runtime)


def test_every_page_has_the_quick_exit_and_the_default_goes_to_a_weather_page(runtime: Runtime) -> None:
    with TestClient(build_app(runtime, {}), base_url="https://chat.example.org") as client:
        page = Person(client).open()
        assert page.has_quick_exit
        assert f'data-to="{DEFAULT_EXIT_URL}"' in client.get("/").text
        assert "weather" in DEFAULT_EXIT_URL


def test_a_quick_exit_url_that_is_not_an_address_is_refused_in_one_line(runtime: Runtime) -> None:
    with pytest.raises(ConfigError, match="QUICK_EXIT_URL='javascript:alert' is not a web address"):
        build_app(runtime, {"QUICK_EXIT_URL": "javascript:alert"})


# -- privacy and safety of the page -------------------------------------------------------------------
def test_the_only_cookie_is_an_opaque_session_id_that_ends_with_the_browser(client: TestClient) -> None:
    response = client.get("/")
    cookie = response.headers["set-cookie"]
    name, _, rest = cookie.partition("=")
    value = rest.split(";", 1)[0]
    assert name == sessions.COOKIE and len(value) == 32 and int(value, 16) >= 0
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=strict", "path=/"} <= attributes
    assert not any(a.startswith(("expires", "max-age", "domain")) for a in attributes), "a session cookie"
    assert len(response.headers.get_list("set-cookie")) == 1


def test_every_response_is_uncached_sends_no_referrer_and_allows_only_our_own_files(client: TestClient) -> None:
    for response in (client.get("/"), client.get("/static/chat.js"), client.get("/healthz"), client.get("/nope")):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self';" in policy and "unsafe" not in policy
        assert "frame-ancestors 'none'" in policy


def test_the_page_is_small_and_loads_nothing_from_another_site(client: TestClient) -> None:
    response = client.get("/")
    page = Person(client).open()
    assert len(response.content) < 8_000
    assert page.scripts == ["/static/chat.js?v=2"] and page.styles == ["/static/chat.css?v=2"]
    script, style = client.get("/static/chat.js"), client.get("/static/chat.css")
    assert script.headers["content-type"].startswith("text/javascript") and len(script.content) < 4_000
    assert style.headers["content-type"].startswith("text/css") and len(style.content) < 4_000
    for body in (response.text, script.text, style.text):
        assert "//cdn" not in body and "fonts.googleapis" not in body and "@import" not in body


def test_a_post_without_the_page_token_or_from_another_site_is_refused(person: Person) -> None:
    token = person.open().token
    assert person.post({"t": "legal"}, token="").status == 403
    assert person.post({"t": "legal"}, token="0" * 32).status == 403
    other_site = person.client.post("/", data={"csrf": token, "t": "legal"}, headers={"origin": "https://evil.example"})
    assert other_site.status_code == 403
    fetched_from_elsewhere = person.client.post(
        "/", data={"csrf": token, "t": "legal"}, headers={"sec-fetch-site": "cross-site"}
    )
    assert fetched_from_elsewhere.status_code == 403
    assert person.post({"t": "legal"}, token=token).status == 200, "the page's own form still works"


def test_a_post_without_a_session_does_nothing_and_starts_afresh(client: TestClient, runtime: Runtime) -> None:
    answer = client.post("/", data={"csrf": "x", "t": "legal"})
    assert answer.status_code == 200
    assert "This page was old, so nothing was sent" in answer.text
    assert state_rows(runtime) == 0


def test_a_huge_form_is_refused_before_it_is_read(person: Person) -> None:
    person.open()
    assert person.post({"t": "a" * 20_000}).status == 413


@pytest.fixture
def frozen_gate_client(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app with the flood gate's clock stopped: no token comes back however slow the machine is."""
    from resource_bot.channels.telegram.chats import ChatGate
    from resource_bot.channels.web import chat as web_chat

    monkeypatch.setattr(web_chat, "ChatGate", lambda: ChatGate(clock=lambda: 0.0))
    with TestClient(build_app(runtime, {"QUICK_EXIT_URL": EXIT_URL}), base_url="https://chat.example.org") as c:
        yield c


def test_a_flooding_session_is_slowed_and_can_still_quick_exit(frozen_gate_client: TestClient, menus: Menus) -> None:
    person = Person(frozen_gate_client)
    person.open()
    statuses = [person.type("legal").status for _ in range(12)]
    assert statuses[:7] == [200] * 7 and statuses[-1] == 429, "a burst of 8 (the first visit was one), then slowed"
    assert menus.ui("en", "slow_down") in person.page.text and person.page.has_quick_exit
    assert person.page.buttons, "a way on"
    assert person.quick_exit().headers["location"] == EXIT_URL


def test_another_session_is_not_slowed_by_a_flood(frozen_gate_client: TestClient) -> None:
    flooder = Person(frozen_gate_client)
    flooder.open()
    assert 429 in [flooder.type("legal").status for _ in range(12)]
    with TestClient(frozen_gate_client.app, base_url="https://chat.example.org") as other_browser:
        assert Person(other_browser).open().status == 200


def test_nothing_is_logged_about_the_person(
    person: Person, caplog: pytest.LogCaptureFixture, client: TestClient
) -> None:
    with caplog.at_level(logging.DEBUG):
        person.headers["user-agent"] = "Useragentsentinel/1.0"
        person.headers["x-forwarded-for"] = "203.0.113.77"
        person.open()
        person.type("Quokkasentinel needs a lawyer")
        person.quick_exit()
    logged = caplog.text.lower()
    for trace in ("useragentsentinel", "203.0.113.77", "quokkasentinel", client.cookies.get(sessions.COOKIE) or "-"):
        assert trace not in logged


# -- one app for every door ----------------------------------------------------------------------------
def test_health_lists_the_doors_and_says_whether_the_database_answers(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"database": "ok", "doors": ["web"]}


def test_the_same_app_serves_telegrams_webhook_beside_the_web_chat(
    api: BotApiStandin, tmp_path: Path, template_db: Path, menus: Menus
) -> None:
    copy = tmp_path / "bot.sqlite3"
    shutil.copy(template_db, copy)
    settings = settings_for(
        api,
        f"sqlite:///{copy}",
        tmp_path,
        WEBHOOK_URL="https://bot.example.org/telegram",
        WEBHOOK_SECRET=SECRET,
        STATE_SECRET=STATE_SECRET,
    )
    runtime = open_runtime(settings)
    try:
        with TestClient(build_app(runtime, {}), base_url="https://bot.example.org") as client:
            assert api.webhook.url == "https://bot.example.org/telegram"
            update = api.make_text_update(ALICE, "/start legal")
            assert client.post("/telegram", json=update).status_code == 403
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            assert client.post("/telegram", json=update, headers=headers).status_code == 200
            (sent,) = api.calls_to("sendMessage")
            assert menus.intro("en", "legal") in sent.result["text"]
            assert Person(client).open("/?start=legal").text.count(menus.intro("en", "legal")) == 1
            assert client.get("/healthz").json() == {"database": "ok", "doors": ["web", "telegram"]}
    finally:
        runtime.db.dispose()


def test_a_configured_door_this_version_lacks_is_left_out_with_a_warning(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    missing = OptionalDoor("pager", ("PAGER_TOKEN",), "resource_bot.channels.no_such_door:routes")
    monkeypatch.setattr(doors, "OPTIONAL_DOORS", (missing,))
    with caplog.at_level(logging.WARNING):
        app = build_app(runtime, {"PAGER_TOKEN": "t"})
    assert "PAGER_TOKEN is configured, but this version has no pager door" in caplog.text
    with TestClient(app, base_url="https://chat.example.org") as client:
        assert client.get("/healthz").json()["doors"] == ["web"]


def test_an_optional_door_is_mounted_when_its_settings_are_set(runtime: Runtime, monkeypatch: Any) -> None:
    here = OptionalDoor("echo", ("ECHO_ON",), "tests.webpage:echo_routes")
    monkeypatch.setattr(doors, "OPTIONAL_DOORS", (here,))
    with TestClient(build_app(runtime, {}), base_url="https://chat.example.org") as client:
        assert client.get("/healthz").json()["doors"] == ["web"]
    with TestClient(build_app(runtime, {"ECHO_ON": "1"}), base_url="https://chat.example.org") as client:
        assert client.get("/healthz").json()["doors"] == ["web", "echo"]
        assert client.get("/echo").text == "echo"


# -- words and the command ------------------------------------------------------------------------------
def test_both_languages_have_every_web_word(menus: Menus) -> None:
    words = WebWords.from_dir(conversations_dir(), menus.codes)
    for lang in menus.codes:
        assert all(words.get(lang, key) for key in WEB_KEYS)
    assert words.get("es", "send") != words.get("en", "send")


def test_a_missing_web_word_names_the_file_and_the_key(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "en.yaml").write_text("language: en\nweb:\n  title: Hi\n", encoding="utf-8")
    with pytest.raises(WebWordsError, match=r"web/en.yaml: web is missing tagline, reply_heading"):
        WebWords.from_dir(tmp_path, ("en",))


def test_the_web_command_says_what_it_serves_with_an_example() -> None:
    result = CliRunner().invoke(main, ["web", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "PORT=8080 resource-bot web" in result.output
    assert "QUICK_EXIT_URL" in result.output


def test_procfile_web_process_serves_every_door() -> None:
    procfile = (Path(__file__).parent.parent / "Procfile").read_text(encoding="utf-8")
    assert "web: resource-bot web" in procfile.splitlines()
