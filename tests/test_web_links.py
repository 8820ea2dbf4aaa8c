"""Links, QR codes and flyers that open the web chat instead of Telegram (``--web URL`` or PUBLIC_URL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader

from resource_bot.cli import main
from resource_bot.dialog.deeplink import parse_payload

#: Keeps a developer's own settings out of the tests.
NO_BOT = {"BOT_USERNAME": "", "TELEGRAM_BOT_TOKEN": "", "TELEGRAM_BASE_URL": "", "PUBLIC_URL": ""}


@pytest.fixture(autouse=True, scope="module")
def own_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RESOURCE_BOT_HOME", str(tmp_path_factory.mktemp("home")))
        patch.delenv("DATABASE_URL", raising=False)
        yield


def run(*args: str, **env: str) -> Result:
    return CliRunner().invoke(main, list(args), env={**NO_BOT, **env})


def test_link_with_web_opens_the_web_chat_with_the_same_payload_and_needs_no_bot_username() -> None:
    result = run("link", "--topic", "legal.record_relief", "--lang", "es", "--zip", "77002", "--web",
                 "https://help.example.org")  # fmt: skip
    assert result.exit_code == 0, result.output
    url = result.stdout.strip()
    assert url == "https://help.example.org/?start=legal_record_relief-es-z77002"
    link = parse_payload(url.split("start=", 1)[1])
    assert (link.topic, link.lang, link.zip) == ("legal.record_relief", "es", "77002")


def test_web_alone_uses_public_url_and_says_what_to_do_without_it() -> None:
    assert run("link", "--topic", "legal", "--web", PUBLIC_URL="https://help.example.org/").stdout.strip() == (
        "https://help.example.org/?start=legal"
    )
    missing = run("link", "--topic", "legal", "--web")
    assert missing.exit_code == 1
    assert missing.output == (
        "Error: --web needs the web chat's address: give --web https://help.example.org, or set PUBLIC_URL.\n"
    )


def test_a_web_address_that_is_not_https_is_refused_in_one_line() -> None:
    result = run("link", "--topic", "legal", "--web", "http://help.example.org")
    assert result.exit_code == 1
    assert result.output == (
        "Error: --web 'http://help.example.org' is not the web chat's address; give its https:// address, "
        "like https://help.example.org\n"
    )
    assert run("link", "--topic", "legal", "--web", "http://localhost:8080").stdout.strip() == (
        "http://localhost:8080/?start=legal"
    ), "a local trial may use plain http"


def test_a_web_flyer_prints_the_web_link_and_says_it_opens_in_the_browser(tmp_path: Path) -> None:
    out = tmp_path / "flyer.pdf"
    result = run("flyer", "--topic", "trafficking", "--lang", "es", "--web", "https://help.example.org",
                 "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    (page,) = PdfReader(out).pages
    text = " ".join(page.extract_text().split())  # lines wrap where the page is narrow
    assert "https://help.example.org/?start=trafficking-es" in text
    assert "El chat se abre en su navegador web." in text and "Telegram" not in text
    assert "1-888-373-7888" in text
