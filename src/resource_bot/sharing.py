"""Links and QR codes that open the bot at a topic, area and language.

Case workers hand these to clients, so a link must never be wrong: the bot's
username comes from ``BOT_USERNAME`` or from Telegram itself (getMe), and the
payload goes through the same grammar the bot parses (dialog/deeplink.py).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import segno

from resource_bot.config import ConfigError, Settings
from resource_bot.dialog.deeplink import DeepLink, PayloadError, build_payload
from resource_bot.dialog.menus import Menus
from resource_bot.directory import topics
from resource_bot.directory.zip_index import place_from_zip
from resource_bot.matching.fuzzy import did_you_mean

#: Telegram usernames: 5-32 letters, digits or underscores.
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{4,31}$")
QR_SUFFIXES = (".png", ".svg")


class SharingError(Exception):
    """A link or QR code cannot be made; the message says what to do."""


def _check_username(name: str, where: str) -> str:
    name = name.lstrip("@")
    if not _USERNAME.match(name):
        raise SharingError(
            f"{where} gave {name!r}, which is not a Telegram username (5-32 letters, digits or _). "
            "Set BOT_USERNAME to your bot's @username without the @, like resource_help_bot."
        )
    return name


def ask_telegram(settings: Settings, *, timeout: float = 10.0) -> str:
    """The bot's username from Telegram's getMe, with the configured token and base URL."""
    try:
        token = settings.require_token()
    except ConfigError as exc:
        raise SharingError(str(exc)) from None
    # The URL holds the token, so no message below repeats it.
    url = f"{settings.telegram_base_url}{token}/getMe"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own base URL
            answer: Any = json.load(response)
    except urllib.error.HTTPError as exc:
        hint = "check TELEGRAM_BOT_TOKEN with @BotFather (/token)" if exc.code in (401, 404) else "try again later"
        raise SharingError(
            f"Telegram refused getMe (HTTP {exc.code}); {hint}, or set BOT_USERNAME to skip the lookup."
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SharingError(
            f"Could not ask Telegram for the bot's username ({reason}). "
            "Check the network, or set BOT_USERNAME to your bot's @username without the @."
        ) from None
    result = answer.get("result") if isinstance(answer, dict) else None
    username = result.get("username") if isinstance(result, dict) else None
    if not answer.get("ok") or not isinstance(username, str):
        raise SharingError("Telegram's getMe answer had no username; set BOT_USERNAME instead.")
    return _check_username(username, "Telegram")


def bot_username(settings: Settings) -> str:
    """``BOT_USERNAME`` when set, else Telegram's answer when a token is set."""
    if settings.bot_username:
        return _check_username(settings.bot_username, "BOT_USERNAME")
    if settings.telegram_bot_token:
        return ask_telegram(settings)
    raise SharingError(
        "The bot's username is not known. Set BOT_USERNAME to your bot's @username without the @ "
        "(export BOT_USERNAME=resource_help_bot), or set TELEGRAM_BOT_TOKEN so it can be asked from Telegram."
    )


def deep_link(username: str, link: DeepLink) -> str:
    """``https://t.me/<bot>?start=<payload>``; raises SharingError when the payload would not work."""
    try:
        payload = build_payload(link)
    except PayloadError as exc:
        raise SharingError(f"Cannot make this link: {exc}.") from None
    base = f"https://t.me/{_check_username(username, 'The bot username')}"
    return f"{base}?start={payload}" if payload else base


def make_qr(url: str) -> segno.QRCode:
    """Medium error correction: survives a crease or a smudge on a printed page."""
    return segno.make_qr(url, error="m", boost_error=False)


def write_qr(url: str, path: Path) -> None:
    """Write the QR code for ``url`` as PNG or SVG, chosen by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix not in QR_SUFFIXES:
        raise SharingError(f"{path.name}: a QR code can be written as .png or .svg; change the file name.")
    if not path.parent.is_dir():
        raise SharingError(f"The folder {path.parent} does not exist; create it or choose another file.")
    options: dict[str, Any] = {"scale": 12, "border": 4}
    if suffix == ".svg":
        options.update(title=url, unit="mm", scale=1)
    make_qr(url).save(str(path), **options)


def _spelling(text: str) -> str:
    """Letters and digits only, lower case, words joined by one space: how a topic is compared."""
    return " ".join(re.sub(r"[^\w]+|_", " ", text.casefold()).split())


def suggest_topic(text: str, menus: Menus) -> str | None:
    """The topic id someone most likely meant by ``text``: an id written another way
    (``legal_record_relief``, ``Legal``) or a topic's name in a menu language, allowing a typo."""
    names: dict[str, str] = {}
    for topic in topics.walk():
        names[_spelling(topic)] = topic
        for lang in menus.codes:
            names.setdefault(_spelling(menus.label(lang, topic)), topic)
    wanted = _spelling(text)
    if wanted in names:
        return names[wanted]
    close = did_you_mean(wanted, names)  # a typo or two away, no more
    return names[close] if close else None


def check_topic(topic: str, menus: Menus) -> None:
    """SharingError for an unknown topic id, with a "did you mean" when one is close."""
    if topics.is_topic(topic):
        return
    if guess := suggest_topic(topic, menus):
        raise SharingError(
            f"Cannot make this link: unknown topic {topic!r}; did you mean {guess}? "
            "See every topic with: resource-bot topics"
        )
    try:
        build_payload(DeepLink(topic=topic))
    except PayloadError as exc:
        hint = "See each topic with its names: resource-bot topics"
        raise SharingError(f"Cannot make this link: {exc}. {hint}") from None


def web_chat_address(given: str | None, env: Mapping[str, str]) -> str | None:
    """``--web``'s URL; ``--web`` alone (an empty value) means PUBLIC_URL; None without ``--web``."""
    if given != "":
        return given
    if not env.get("PUBLIC_URL"):
        raise SharingError(
            "--web needs the web chat's address: give --web https://help.example.org, or set PUBLIC_URL."
        )
    return env["PUBLIC_URL"]


def web_chat_link(web: str, link: DeepLink) -> str:
    """``<web chat address>/?start=<payload>``: the web chat reads the same payloads as Telegram."""
    parts = urlsplit(web)
    local = parts.hostname in ("localhost", "127.0.0.1")
    if (parts.scheme != "https" and not (parts.scheme == "http" and local)) or not parts.netloc or parts.query:
        raise SharingError(
            f"--web {web!r} is not the web chat's address; give its https:// address, like https://help.example.org"
        )
    payload = build_payload(link)
    base = web.rstrip("/") + "/"
    return f"{base}?start={payload}" if payload else base


def share_link(settings: Settings, link: DeepLink, menus: Menus | None = None, *, web: str | None = None) -> str:
    """Check the payload first (no network needed), then find the bot's username and build the link.

    With ``web`` (the web chat's address) the link opens the web chat instead of Telegram.

    An unknown topic gets a "did you mean" from ``menus``' topic names; a ZIP code the chat
    would not accept is refused here too, so a printed link never opens on an error.
    """
    unknown_topic = link.topic is not None and not topics.is_topic(link.topic)
    if unknown_topic and menus is not None:
        check_topic(str(link.topic), menus)
    try:
        build_payload(link)
    except PayloadError as exc:
        hint = " See each topic with its names: resource-bot topics" if unknown_topic else ""
        raise SharingError(f"Cannot make this link: {exc}.{hint}") from None
    if link.zip is not None and place_from_zip(link.zip) is None:
        raise SharingError(
            f"Cannot make this link: {link.zip} is not a US ZIP code, and the chat would refuse it; "
            "give a real five-digit ZIP code, like 77002."
        )
    return web_chat_link(web, link) if web else deep_link(bot_username(settings), link)
