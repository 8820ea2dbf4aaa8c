"""The interpreter bridge: one screen in a language the bot does not speak.

The words live in ``conversations/bridge/interpreters.yaml`` (see
conversations/README.md): for each language, a few lines that say to call the
trafficking hotline and ask for an interpreter by saying the language's name in
English, and to do the same with 911 in danger. The screen's buttons go on in
English or Spanish, or leave by Quick exit.

Right-to-left languages: every paragraph of the screen is in one direction only.
The translated lines hold that language's words (and at most "911"), and the
number and the English word stand on lines of their own, so Telegram aligns each
paragraph by its first letter and a terminal without bidi support still shows the
number and the word to say in reading order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

#: The lines every language has, in the order the screen shows them.
LINES: tuple[str, ...] = ("call", "say", "danger", "bot", "exit")
#: Where the file lives under ``conversations/``.
BRIDGE_FILE = Path("bridge") / "interpreters.yaml"


class BridgeError(Exception):
    """The bridge file is missing something; the message names the file and key."""


@dataclass(frozen=True)
class BridgeLanguage:
    code: str
    #: The language's name in its own script (the language menu's button).
    name: str
    #: Its name in English: the word to say to the hotline or 911.
    english: str
    rtl: bool
    lines: dict[str, str]


@dataclass(frozen=True)
class Bridge:
    """All bridge languages, the hotline's number and the directory service it belongs to."""

    service: str
    number: str
    languages: dict[str, BridgeLanguage]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.languages)

    def text(self, code: str) -> str:
        """The screen's words in ``code``: its lines, with the number and the word on lines of their own."""
        language = self.languages[code]
        line = language.lines
        return "\n\n".join(
            (
                f"🌐 {language.name}",
                f"{line['call']}\n📞 {self.number}",
                f"{line['say']}\n🗣 {language.english}",
                f"{line['danger']}\n🚨 911",
                line["bot"],
            )
        )


EMPTY = Bridge("", "", {})


def read_bridge(path: Path) -> Bridge:
    """Read and check the bridge file; raises :class:`BridgeError` saying what to fix."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BridgeError(f"{path}: cannot be read ({exc}); fix the YAML and try again") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("languages"), dict):
        raise BridgeError(f"{path}: needs `service`, `number` and `languages` (see conversations/README.md)")
    service, number = raw.get("service"), raw.get("number")
    if not isinstance(service, str) or not isinstance(number, str):
        raise BridgeError(f"{path}: `service` and `number` must be text, like `service: nhth`")
    languages = {}
    for code, entry in raw["languages"].items():
        if not isinstance(entry, dict):
            raise BridgeError(f"{path}: language {code!r} must be a mapping of its lines")
        missing = [key for key in ("name", "english", "checked", *LINES) if not str(entry.get(key) or "").strip()]
        if missing:
            raise BridgeError(f"{path}: language {code!r} is missing {', '.join(missing)}; add them")
        if code in ("en", "es"):
            raise BridgeError(f"{path}: {code!r} is a language the bot speaks; the bridge is for the others")
        lines = {key: str(entry[key]).strip() for key in LINES}
        languages[str(code)] = BridgeLanguage(
            str(code), str(entry["name"]).strip(), str(entry["english"]).strip(), bool(entry.get("rtl")), lines
        )
    return Bridge(service, number, languages)


def check_number(bridge: Bridge, voice_numbers: dict[str, tuple[str, ...]]) -> list[str]:
    """Problems with the bridge's number against the directory (service id to its voice numbers)."""
    if bridge.service not in voice_numbers:
        return [f"{BRIDGE_FILE}: service {bridge.service!r} is not in the directory; name the hotline's id"]
    if bridge.number not in voice_numbers[bridge.service]:
        numbers = ", ".join(voice_numbers[bridge.service]) or "none"
        return [f"{BRIDGE_FILE}: number {bridge.number} is not a voice number of {bridge.service} (it has {numbers})"]
    return []
