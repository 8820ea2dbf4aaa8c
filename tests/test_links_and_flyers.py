"""Case workers' links, QR codes and flyers: the link opens the right screen, the QR holds the
link, the flyer prints on one Letter page with real numbers from the directory."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner, Result
from PIL import Image, ImageFont
from pypdf import PdfReader

from resource_bot.cli import main
from resource_bot.dialog.deeplink import DeepLink, parse_payload
from resource_bot.dialog.menus import Menus
from resource_bot.directory.catalog import Catalog
from resource_bot.directory.topics import walk
from resource_bot.flyer import DPI, PAGE, flyer_content, font, render_flyer
from resource_bot.sharing import make_qr

TOKEN = "123456:" + "A" * 35
#: Keeps a developer's own settings out of the tests.
NO_BOT = {"BOT_USERNAME": "", "TELEGRAM_BOT_TOKEN": "", "TELEGRAM_BASE_URL": ""}
LINK = "https://t.me/resource_help_bot?start=legal_record_relief-es-z77002-sclinic4"


@pytest.fixture(autouse=True, scope="module")
def own_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Flyers print the numbers of the directory in the database: a fresh one here, filled at first use."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RESOURCE_BOT_HOME", str(tmp_path_factory.mktemp("home")))
        patch.delenv("DATABASE_URL", raising=False)
        yield


def run(*args: str, **env: str) -> Result:
    return CliRunner().invoke(main, list(args), env={**NO_BOT, **env})


class GetMeStub:
    """A local Bot API that answers getMe, so no test ever talks to Telegram."""

    def __init__(self, status: int, body: dict[str, object]) -> None:
        self.paths: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                stub.paths.append(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/bot"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> GetMeStub:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def getme_ok() -> Iterator[GetMeStub]:
    with GetMeStub(200, {"ok": True, "result": {"id": 1, "is_bot": True, "username": "stub_help_bot"}}) as stub:
        yield stub


def qr_modules(image: Image.Image, origin: tuple[int, int], module_px: int, size: int) -> list[list[bool]]:
    """Read a QR code's modules back from pixels: dark where the module's centre is dark."""
    gray = image.convert("L")
    x0, y0 = origin
    half = module_px // 2
    return [
        [gray.getpixel((x0 + c * module_px + half, y0 + r * module_px + half)) < 128 for c in range(size)]  # type: ignore[operator]  # Pillow types getpixel for every mode; "L" gives an int
        for r in range(size)
    ]


def expected_modules(url: str) -> list[list[bool]]:
    return [[bool(bit) for bit in row] for row in make_qr(url).matrix_iter(scale=1, border=4)]


def try_decoders(image: Image.Image) -> str | None:
    """A real decoder when one is installed; the module comparison above stands in otherwise."""
    try:
        import zxingcpp

        return str(zxingcpp.read_barcodes(image)[0].text)
    except ImportError:
        pass
    try:
        from pyzbar.pyzbar import decode

        return str(decode(image)[0].data.decode())
    except ImportError:
        return None


# --- link ------------------------------------------------------------------------------------


def test_link_opens_the_bot_at_topic_language_area_and_source() -> None:
    result = run(
        "link", "--topic", "legal.record_relief", "--lang", "es", "--zip", "77002", "--source", "clinic4",
        BOT_USERNAME="@resource_help_bot",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == LINK
    payload = parse_qs(urlsplit(result.stdout.strip()).query)["start"][0]
    assert parse_payload(payload) == DeepLink(topic="legal.record_relief", lang="es", zip="77002", source="clinic4")


def test_link_asks_telegram_for_the_username_when_only_a_token_is_set(getme_ok: GetMeStub) -> None:
    result = run("link", "--topic", "trafficking", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=getme_ok.base_url)

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "https://t.me/stub_help_bot?start=trafficking"
    assert getme_ok.paths == [f"/bot{TOKEN}/getMe"]


def test_bot_username_wins_over_asking_telegram(getme_ok: GetMeStub) -> None:
    result = run(
        "link", "--topic", "food", BOT_USERNAME="resource_help_bot", TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=getme_ok.base_url,
    )  # fmt: skip

    assert result.stdout.strip() == "https://t.me/resource_help_bot?start=food"
    assert getme_ok.paths == []


def test_without_username_or_token_the_error_says_to_set_bot_username() -> None:
    result = run("link", "--topic", "legal")

    assert result.exit_code == 1
    assert "Set BOT_USERNAME" in result.output


def test_a_refused_token_is_reported_without_repeating_the_token() -> None:
    with GetMeStub(401, {"ok": False, "description": "Unauthorized"}) as stub:
        result = run("link", "--topic", "legal", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=stub.base_url)

    assert result.exit_code == 1
    assert "HTTP 401" in result.output and "BOT_USERNAME" in result.output
    assert TOKEN not in result.output


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--topic", "lawyer", "unknown topic 'lawyer'; use one of: emergency"),
        ("--zip", "7700", "must be five digits"),
        ("--source", "Maria Lopez", "no names, please"),
        ("--source", "x" * 21, "1-20 letters"),
    ],
)
def test_a_payload_that_would_not_work_is_refused_before_asking_anyone(option: str, value: str, message: str) -> None:
    args = ["link", "--topic", "legal", option, value] if option != "--topic" else ["link", option, value]

    result = run(*args)  # no username set: the payload is checked first

    assert result.exit_code == 1
    assert message in result.output


@pytest.mark.parametrize("command", ["link", "flyer"])
@pytest.mark.parametrize("zip_code", ["00000", "99999"])
def test_a_zip_code_the_chat_would_refuse_is_refused_for_a_link_or_flyer(
    command: str, zip_code: str, tmp_path: Path
) -> None:
    out = ["--out", str(tmp_path / "f.pdf")] if command == "flyer" else []

    result = run(command, "--topic", "legal", "--zip", zip_code, *out, BOT_USERNAME="resource_help_bot")

    assert result.exit_code == 1
    assert result.output == (
        f"Error: Cannot make this link: {zip_code} is not a US ZIP code, and the chat would refuse it; "
        "give a real five-digit ZIP code, like 77002.\n"
    )
    assert not (tmp_path / "f.pdf").exists()


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("legal_record_relief", "legal.record_relief"),
        ("Legal", "legal"),
        ("Clear your record", "legal.record_relief"),
        ("ayuda legal", "legal"),
        ("trafficing", "trafficking"),
    ],
)
def test_a_topic_written_another_way_gets_a_did_you_mean(typed: str, meant: str) -> None:
    result = run("link", "--topic", typed, BOT_USERNAME="resource_help_bot")

    assert result.exit_code == 1
    assert result.output == (
        f"Error: Cannot make this link: unknown topic {typed!r}; did you mean {meant}? "
        "See every topic with: resource-bot topics\n"
    )


def test_a_topic_like_none_lists_them_and_points_at_the_topics_command() -> None:
    result = run("link", "--topic", "lawyer", BOT_USERNAME="resource_help_bot")

    assert result.exit_code == 1
    assert result.output.startswith("Error: Cannot make this link: unknown topic 'lawyer'; use one of: emergency, ")
    assert result.output.endswith(", help_others. See each topic with its names: resource-bot topics\n")


def test_topics_lists_every_topic_id_with_its_english_and_spanish_names() -> None:
    result = run("topics")

    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["topic", "id", "English", "Español"]
    assert "legal                     Legal help                Ayuda legal" in lines
    assert "  legal.record_relief     Clear your record         Limpiar antecedentes" in lines
    ids = [line.split()[0] for line in lines[1:]]
    assert ids == list(walk())


def test_qr_png_holds_exactly_the_link(tmp_path: Path) -> None:
    out = tmp_path / "clinic4.png"

    result = run("link", "--topic", "legal.record_relief", "--lang", "es", "--zip", "77002", "--source", "clinic4",
                 "--qr", str(out), BOT_USERNAME="resource_help_bot")  # fmt: skip

    assert result.exit_code == 0, result.output
    image = Image.open(out)
    expected = expected_modules(LINK)
    assert image.size == (len(expected) * 12, len(expected) * 12)
    assert qr_modules(image, (0, 0), 12, len(expected)) == expected
    assert try_decoders(image) in (None, LINK)


def test_qr_svg_is_written_and_other_formats_are_refused(tmp_path: Path) -> None:
    svg = tmp_path / "code.svg"
    assert run("link", "--topic", "food", "--qr", str(svg), BOT_USERNAME="resource_help_bot").exit_code == 0
    assert svg.read_text().lstrip().startswith(("<?xml", "<svg"))

    result = run("link", "--topic", "food", "--qr", str(tmp_path / "code.jpg"), BOT_USERNAME="resource_help_bot")
    assert result.exit_code == 1
    assert ".png or .svg" in result.output


# --- flyer -----------------------------------------------------------------------------------


def test_flyer_png_is_a_letter_page_at_300_dpi_whose_qr_is_the_link(
    tmp_path: Path, bundled_catalog: Catalog, menus: Menus
) -> None:
    out = tmp_path / "flyer.png"

    result = run("flyer", "--topic", "legal.record_relief", "--lang", "es", "--zip", "77002", "--source", "clinic4",
                 "--out", str(out), BOT_USERNAME="resource_help_bot")  # fmt: skip

    assert result.exit_code == 0, result.output
    image = Image.open(out)
    assert image.size == (int(8.5 * DPI), 11 * DPI) == PAGE
    assert round(image.info["dpi"][0]) == DPI
    layout = render_flyer(
        flyer_content("legal.record_relief", "es", LINK, bundled_catalog, menus, zip_code="77002"), menus
    )
    expected = expected_modules(LINK)
    assert qr_modules(image, layout.qr_origin, layout.module_px, len(expected)) == expected
    assert layout.module_px * len(expected) >= 2 * DPI, "the code must print at least two inches wide"


def test_flyer_pdf_is_one_us_letter_page(tmp_path: Path) -> None:
    out = tmp_path / "flyer.pdf"

    result = run("flyer", "--topic", "trafficking", "--out", str(out), BOT_USERNAME="resource_help_bot")

    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", data)) == 1
    assert re.search(rb"/MediaBox\s*\[\s*0\s+0\s+612(\.0+)?\s+792(\.0+)?\s*\]", data)


def test_flyer_pdf_is_real_text_not_a_picture(tmp_path: Path) -> None:
    out = tmp_path / "flyer.pdf"

    result = run("flyer", "--topic", "trafficking", "--lang", "es", "--out", str(out), BOT_USERNAME="resource_help_bot")

    assert result.exit_code == 0, result.output
    (page,) = PdfReader(out).pages
    text = pdf_text(out)
    assert "Trata de personas" in text
    assert "1-888-373-7888" in text and "Si está en peligro ahora, llame al 911." in text
    assert "https://t.me/resource_help_bot?start=trafficking-es" in text
    assert not page.images, "the QR code and the boxes are drawn as shapes, not pasted as a picture"


def pdf_text(path: Path) -> str:
    (page,) = PdfReader(path).pages
    return page.extract_text()


@pytest.mark.parametrize(
    ("lang", "headline"), [("en", "Need someone to talk to?"), ("es", "¿Necesita hablar con alguien?")]
)
def test_a_discreet_flyer_names_no_topic_in_its_headline_or_link(tmp_path: Path, lang: str, headline: str) -> None:
    out = tmp_path / "discreet.pdf"

    result = run("flyer", "--topic", "trafficking", "--lang", lang, "--discreet", "--out", str(out),
                 BOT_USERNAME="resource_help_bot")  # fmt: skip

    assert result.exit_code == 0, result.output
    text = pdf_text(out)
    assert text.splitlines()[1] == headline, "the line under the kicker"
    assert f"https://t.me/resource_help_bot?start={lang}" in text, "the link opens the main menu"
    before_the_numbers = text.split("1-888-373-7888")[0].casefold()
    assert "traffick" not in before_the_numbers and "trata" not in before_the_numbers
    assert "1-888-373-7888" in text, "the hotline is still on the page"


def test_a_flyer_carries_the_clinics_own_name_and_number(tmp_path: Path) -> None:
    out = tmp_path / "clinic.pdf"

    result = run("flyer", "--topic", "legal", "--clinic-name", "Test Clinic", "--clinic-phone", "713-555-0100",
                 "--out", str(out), BOT_USERNAME="resource_help_bot")  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "Questions? Talk to us: Test Clinic · 713-555-0100" in pdf_text(out).splitlines()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--clinic-phone", "call us", "--clinic-phone 'call us' is not a phone number; write it like 713-555-0100"),
        ("--clinic-phone", "12", "--clinic-phone '12' is not a phone number; write it like 713-555-0100"),
        ("--clinic-name", "x" * 61, '--clinic-name must be 1-60 characters, like "Riverside Clinic"'),
    ],
)
def test_a_clinic_detail_that_would_not_print_well_is_refused(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    out = tmp_path / "clinic.pdf"

    result = run("flyer", "--topic", "legal", option, value, "--out", str(out), BOT_USERNAME="resource_help_bot")

    assert result.exit_code == 1
    assert result.output == f"Error: Cannot make the flyer: {message}.\n"
    assert not out.exists()


def test_flyer_numbers_are_the_key_hotlines_then_the_topics_own_all_from_the_directory(
    bundled_catalog: Catalog, menus: Menus
) -> None:
    content = flyer_content("work", "en", LINK, bundled_catalog, menus)

    numbers = [h.number for h in content.hotlines]
    assert numbers[:3] == ["911", "988", "1-888-373-7888"]
    assert "Text BEFREE to 233733" in content.hotlines[2].more
    assert content.hotlines[1].more == "Text 988 · Text AYUDA to 988", "both ways to text 988, Spanish included"
    assert len(numbers) > 3, "the work topic has national phone lines of its own"
    in_directory = {p.number for s in bundled_catalog.services.values() for p in s.phones}
    assert set(numbers) <= in_directory
    assert render_flyer(content, menus).numbers_shown == len(numbers), "every number fits on the page"


def test_call_or_text_now_lists_only_lines_for_the_flyers_topic_or_open_day_and_night(
    bundled_catalog: Catalog, menus: Menus
) -> None:
    def numbers(topic: str) -> list[str]:
        return [h.number for h in flyer_content(topic, "en", LINK, bundled_catalog, menus).hotlines]

    trafficking, childcare, emergency = numbers("trafficking"), numbers("childcare"), numbers("emergency")

    assert "833-982-4057" not in trafficking, "TransUnion's identity-check line is a step, not a line to call now"
    assert "1-800-843-5678" not in trafficking, "the CyberTipline belongs on the online-safety flyer"
    assert "1-800-843-5678" in numbers("online")
    assert "1-800-422-4453" not in childcare, "the child abuse hotline is not about finding child care"
    assert "1-800-799-7233" in emergency, "a 24/7 hotline tagged for emergencies stays on that flyer"


def test_flyer_words_follow_the_language_and_never_mention_buttons(bundled_catalog: Catalog, menus: Menus) -> None:
    english = flyer_content("legal", "en", LINK, bundled_catalog, menus)
    spanish = flyer_content("legal", "es", LINK, bundled_catalog, menus)

    assert english.title == "Legal help" and "below" not in english.intro
    assert spanish.hotlines[2].name == "Línea Nacional contra la Trata de Personas"
    assert "abajo" not in spanish.intro and spanish.intro


def test_flyer_to_an_unknown_format_or_missing_folder_says_what_to_do(tmp_path: Path) -> None:
    bad = run("flyer", "--topic", "food", "--out", str(tmp_path / "f.docx"), BOT_USERNAME="resource_help_bot")
    missing = run("flyer", "--topic", "food", "--out", str(tmp_path / "no" / "f.pdf"), BOT_USERNAME="resource_help_bot")

    assert bad.exit_code == 1 and ".pdf or .png" in bad.output
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_flyer_text_is_drawn_with_a_real_truetype_font() -> None:
    face = font("regular", 40)
    assert isinstance(face, ImageFont.FreeTypeFont)
    assert face.getlength("Línea ¿Qué?") > 100
