"""The web chat in a real browser: Debian's headless Chromium driven by Selenium, with axe-core.

A person clicks a topic, types a need, sets a ZIP code, opens a deep link and gets
from "human trafficking" to the hotline; quick exit (Esc, or the button) replaces the
page with the neutral site and leaves no history entry to go back to. axe-core runs
inside each page: no serious or critical accessibility violation. The same walk with
JavaScript off goes through plain form posts.

Nothing is downloaded: the browser and its driver are the system's (/usr/bin/chromium,
/usr/bin/chromedriver; Debian packages chromium and chromium-driver) and axe-core comes
from ``npm ci`` in this folder. The tests skip, saying which is missing, when one is.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select

from resource_bot.channels.doors import build_app
from resource_bot.channels.telegram.serving import server_config
from resource_bot.channels.web import session as sessions
from resource_bot.config import load_settings
from resource_bot.runtime import Runtime, open_runtime
from resource_bot.state_store import ChatStateRow, StateStore

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
HOTLINE = "1-888-373-7888"
WEATHER_TITLE = "Weather for your area"

# Selenium Manager is never to look anything up: the browser and driver are named below.
os.environ.setdefault("SE_OFFLINE", "true")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed: pip install -e '.[test]'")
if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip(
        f"no {CHROMIUM} or {CHROMEDRIVER}: install Debian's chromium and chromium-driver (apt-get install chromium "
        "chromium-driver) to run the browser tests",
        allow_module_level=True,
    )
if not AXE.exists():
    pytest.skip(f"no {AXE}: run `npm ci` in tests/browser to run the browser tests", allow_module_level=True)

from selenium.common.exceptions import (  # noqa: E402
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


# -- the servers -------------------------------------------------------------------------------------
class _Weather(BaseHTTPRequestHandler):
    """The neutral site quick exit goes to (a stand-in for the weather page: no network in tests)."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        body = f'<!doctype html><html lang="en"><title>{WEATHER_TITLE}</title><h1>Sunny</h1></html>'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@contextmanager
def weather_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Weather)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/forecast"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serving(app: Any) -> Iterator[int]:
    """The app under uvicorn, configured as `resource-bot web` runs it, on a free port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(server_config(app, host="127.0.0.1", port=0))
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


@pytest.fixture(scope="module")
def runtime(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    folder = tmp_path_factory.mktemp("browser")
    shutil.copy(template_db, folder / "bot.sqlite3")
    settings = load_settings({"DATABASE_URL": f"sqlite:///{folder / 'bot.sqlite3'}", "RESOURCE_BOT_HOME": str(folder)})
    runtime = open_runtime(settings)
    yield runtime
    runtime.db.dispose()


@pytest.fixture(scope="module")
def site(runtime: Runtime) -> Iterator[tuple[str, str]]:
    """(the chat's address, the neutral site's address)."""
    with weather_site() as weather, serving(build_app(runtime, {"QUICK_EXIT_URL": weather})) as port:
        yield f"http://127.0.0.1:{port}", weather


def chromium(*, javascript: bool = True) -> WebDriver:
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=en-US"):
        options.add_argument(flag)
    options.add_argument("--window-size=1024,900")
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    # The system's driver, named: Selenium Manager then has nothing to look up or download.
    driver: WebDriver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    return driver


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    driver = chromium()
    yield driver
    driver.quit()


@pytest.fixture
def tab(browser: WebDriver) -> Iterator[WebDriver]:
    """A new tab, so that its history holds only what the test does, and no session from before."""
    browser.switch_to.new_window("tab")
    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})
    yield browser
    browser.close()
    browser.switch_to.window(browser.window_handles[0])


# -- helpers -------------------------------------------------------------------------------------------
def wait_for_text(driver: WebDriver, text: str, timeout: float = 15) -> None:
    wait = WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException))
    try:
        wait.until(lambda d: text in d.find_element(By.ID, "said").text)
    except TimeoutException:
        raise AssertionError(f"{text!r} did not appear; the page is: {driver.page_source[:3000]}") from None


def click_button(driver: WebDriver, label: str) -> None:
    buttons = [b for b in driver.find_elements(By.CSS_SELECTOR, "#said button") if label in b.text]
    assert buttons, f"no button {label!r}"
    # As a person would: scroll it clear of the quick-exit button that floats over the page.
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", buttons[0])
    buttons[0].click()


def type_request(driver: WebDriver, text: str) -> None:
    box = driver.find_element(By.ID, "typed")
    box.clear()
    box.send_keys(text, Keys.ENTER)


def serious_violations(driver: WebDriver) -> list[str]:
    """axe-core's violations of impact serious or critical on the page as it is now."""
    if not driver.execute_script("return typeof window.axe !== 'undefined'"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => [v.id, v.impact, v.nodes.length, v.help])))"
        ".catch(e => done([['axe-error', 'critical', 0, String(e)]]));"
    )
    serious = [row for row in found if row[1] in {"serious", "critical"}]
    return [f"{rule} ({impact}, {nodes} nodes): {why}" for rule, impact, nodes, why in serious]


def history_length(driver: WebDriver) -> int:
    return int(driver.execute_script("return window.history.length"))


# -- the walk --------------------------------------------------------------------------------------------
def test_a_person_clicks_a_topic_types_a_need_and_sets_a_zip_without_adding_history(
    tab: WebDriver, site: tuple[str, str]
) -> None:
    chat, _ = site
    tab.get(chat + "/")
    assert tab.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert serious_violations(tab) == []
    entries = history_length(tab)

    click_button(tab, "Trafficking")
    wait_for_text(tab, HOTLINE)
    call = tab.find_element(By.CSS_SELECTOR, '#said a[href="tel:+18883737888"]')
    assert call.text == HOTLINE
    assert serious_violations(tab) == []

    click_button(tab, "Main menu")
    wait_for_text(tab, "What can I help you find?")
    type_request(tab, "human trafficking")
    wait_for_text(tab, HOTLINE)

    type_request(tab, "77002")
    wait_for_text(tab, "Houston")
    assert serious_violations(tab) == []
    assert history_length(tab) == entries, "the conversation added no history entries"


def test_each_reply_lands_in_the_same_live_region_so_screen_readers_read_it(
    tab: WebDriver, site: tuple[str, str]
) -> None:
    chat, _ = site
    tab.get(chat + "/")
    live = tab.find_element(By.ID, "said")
    assert live.get_attribute("aria-live") == "polite"
    tab.execute_script("window.liveRegion = document.getElementById('said')")
    click_button(tab, "Legal help")
    wait_for_text(tab, "Legal help")
    assert tab.execute_script("return window.liveRegion === document.getElementById('said')"), "kept, not replaced"
    assert tab.switch_to.active_element.get_attribute("id") == "chat", "focus moves to the chat, not lost"


def test_switching_to_spanish_changes_the_page_language_and_its_words(tab: WebDriver, site: tuple[str, str]) -> None:
    chat, _ = site
    tab.get(chat + "/")
    click_button(tab, "Language")
    wait_for_text(tab, "Español")
    click_button(tab, "Español")
    WebDriverWait(tab, 15).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es")
    assert tab.find_element(By.ID, "quick-exit").text == "❌ Salida rápida"
    assert tab.find_element(By.CSS_SELECTOR, "label[for=typed]").text.startswith("Escriba")
    assert serious_violations(tab) == []


def test_a_deep_link_opens_spanish_legal_help_near_houston(tab: WebDriver, site: tuple[str, str]) -> None:
    chat, _ = site
    tab.get(chat + "/?start=legal-es-z77002-sclinic4")
    assert tab.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    wait_for_text(tab, "Houston")
    assert "Ayuda legal" in tab.find_element(By.ID, "said").text
    assert tab.find_element(By.ID, "quick-exit").text == "❌ Salida rápida"
    assert serious_violations(tab) == []


def test_danger_typed_gets_911_first(tab: WebDriver, site: tuple[str, str]) -> None:
    chat, _ = site
    tab.get(chat + "/")
    type_request(tab, "he's going to kill me")
    wait_for_text(tab, "call 911")
    first = tab.find_element(By.CSS_SELECTOR, "#said .text").text
    assert first.startswith("🚨 If you are in danger now, call 911"), first
    assert serious_violations(tab) == []


def test_axe_does_report_a_violation_when_a_page_has_one(tab: WebDriver, site: tuple[str, str]) -> None:
    chat, _ = site
    tab.get(chat + "/")
    tab.execute_script("document.getElementById('said').appendChild(document.createElement('button'))")
    assert any(v.startswith("button-name (critical") for v in serious_violations(tab)), "the checker is awake"


# -- quick exit ----------------------------------------------------------------------------------------
def quick_exit_leaves_nothing_to_go_back_to(tab: WebDriver, site: tuple[str, str], runtime: Runtime, how: str) -> None:
    chat, weather = site
    tab.get(chat + "/")
    click_button(tab, "Trafficking")
    wait_for_text(tab, HOTLINE)
    before = history_length(tab)  # the new tab's blank page, then the chat
    key = session_key(tab, runtime)
    assert key in state_rows(runtime)
    if how == "esc":
        tab.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    else:
        tab.find_element(By.ID, "quick-exit").click()
    WebDriverWait(tab, 15).until(lambda d: d.title == WEATHER_TITLE)
    assert tab.current_url == weather
    assert history_length(tab) == before, "the chat's entry was replaced, not added to"
    tab.back()
    time.sleep(0.5)
    assert chat not in tab.current_url, "Back does not return to the chat"
    WebDriverWait(tab, 15).until(lambda d: key not in state_rows(runtime), "the server cleared the conversation")
    assert session_key(tab, runtime) is None, "the session cookie is gone"


def session_key(driver: WebDriver, runtime: Runtime) -> str | None:
    """The state store's key for the browser's session (the cookie is HttpOnly: read it as the browser keeps it)."""
    cookies = driver.execute_cdp_cmd("Network.getAllCookies", {})["cookies"]
    found = [c["value"] for c in cookies if c["name"] == sessions.COOKIE]
    return StateStore(runtime.db).key_for(sessions.chat_number(found[0])) if found else None


def state_rows(runtime: Runtime) -> list[str]:
    with runtime.db.connect() as connection:
        return list(connection.execute(select(ChatStateRow.chat_key)).scalars())


def test_escape_is_a_quick_exit_that_leaves_no_history_entry(
    tab: WebDriver, site: tuple[str, str], runtime: Runtime
) -> None:
    quick_exit_leaves_nothing_to_go_back_to(tab, site, runtime, "esc")


def test_the_quick_exit_button_leaves_no_history_entry(tab: WebDriver, site: tuple[str, str], runtime: Runtime) -> None:
    quick_exit_leaves_nothing_to_go_back_to(tab, site, runtime, "button")


# -- zoom, focus, and JavaScript off --------------------------------------------------------------------------
def test_at_200_percent_zoom_on_a_phone_nothing_scrolls_sideways_and_quick_exit_is_in_reach(
    tab: WebDriver, site: tuple[str, str]
) -> None:
    chat, _ = site
    # A 360-pixel phone at 200% zoom lays the page out 180 CSS pixels wide.
    tab.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 180, "height": 400, "deviceScaleFactor": 2, "mobile": True}
    )
    try:
        tab.get(chat + "/")
        click_button(tab, "Trafficking")
        wait_for_text(tab, HOTLINE)
        overflow = tab.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow} px"
        box = tab.execute_script(
            "const r = document.getElementById('quick-exit').getBoundingClientRect();"
            "return [r.left, r.top, r.right, r.bottom, window.innerWidth, window.innerHeight];"
        )
        left, top, right, bottom, width, height = box
        assert left >= 0 and right <= width and top >= 0 and bottom <= height, "quick exit is on screen"
        assert bottom > height / 2, "quick exit sits in the lower half, where a thumb reaches"
    finally:
        tab.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_keyboard_focus_is_visible(tab: WebDriver, site: tuple[str, str]) -> None:
    chat, _ = site
    tab.get(chat + "/")
    tab.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    style = tab.execute_script(
        "const s = getComputedStyle(document.activeElement); return [document.activeElement.tagName, s.outlineStyle,"
        " s.outlineWidth]"
    )
    assert style[0] in ("BUTTON", "A", "INPUT") and style[1] != "none" and style[2] != "0px", style


def test_with_javascript_off_the_same_walk_works_through_plain_forms(site: tuple[str, str]) -> None:
    chat, weather = site
    driver = chromium(javascript=False)
    try:
        driver.get(chat + "/")
        click_button(driver, "Trafficking")
        wait_for_text(driver, HOTLINE)
        type_request(driver, "77002")
        wait_for_text(driver, "Houston")
        driver.find_element(By.ID, "quick-exit").click()
        WebDriverWait(driver, 15).until(lambda d: d.title == WEATHER_TITLE)
        assert driver.current_url == weather
        assert driver.get_cookies() == [], "the session cookie is gone"
    finally:
        driver.quit()
