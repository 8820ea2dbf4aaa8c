"""The SMS door's own words, read from ``conversations/sms/<lang>.yaml``.

The replies come from the engine and ``conversations/<lang>.yaml`` as in every
channel; these few take the place of the texts that speak of tapping buttons or
of Telegram (:data:`REPLACES`), and say what only text messages need.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from resource_bot.dialog.menus import MenuError, Menus
from resource_bot.matching.textnorm import normalize
from resource_bot.paths import conversations_dir

#: Every text key of the ``sms`` section.
KEYS = ("welcome", "main_prompt", "area_prompt", "help", "exit_done", "stopped", "started")
#: The menus' ``ui`` texts that the SMS words replace, wherever a reply holds them whole.
REPLACES = {
    "welcome": "welcome",
    "main_prompt": "main_prompt",
    "area_prompt": "area_prompt",
    "help": "help",
    "exit_done": "exit_done",
}


@dataclass(frozen=True)
class SmsWords:
    #: language -> key -> text
    texts: dict[str, dict[str, str]]
    #: normalized greeting -> its language
    greetings: dict[str, str]

    @classmethod
    def load(cls, menus: Menus, folder: Path | None = None) -> SmsWords:
        folder = folder or conversations_dir() / "sms"
        texts: dict[str, dict[str, str]] = {}
        greetings: dict[str, str] = {}
        for code in menus.codes:
            path = folder / f"{code}.yaml"
            try:
                raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
                raise MenuError(f"{path}: cannot be read ({exc}); fix it (see conversations/sms/en.yaml)") from None
            section = raw.get("sms") if isinstance(raw, dict) else None
            if not isinstance(section, dict) or raw.get("language") != code:
                raise MenuError(f"{path}: needs `language: {code}` and an `sms` section like conversations/sms/en.yaml")
            missing = [key for key in KEYS if not isinstance(section.get(key), str) or not section[key].strip()]
            if missing:
                raise MenuError(f"{path}: sms is missing {', '.join(missing)}; add them like conversations/sms/en.yaml")
            texts[code] = {key: str(section[key]).strip() for key in KEYS}
            for word in section.get("greetings") or ():
                greetings.setdefault(normalize(str(word)), code)
        return cls(texts, greetings)

    def text(self, lang: str, key: str) -> str:
        return (self.texts.get(lang) or self.texts["en"])[key]

    def greeting_language(self, body: str) -> str | None:
        """The language of a message that only says hello ("Hi!", "hola"); None for anything else."""
        return self.greetings.get(normalize(body)) if len(body) <= 40 else None

    def for_sms(self, menus: Menus, text: str) -> str:
        """``text`` with each whole menu text that speaks of buttons or Telegram swapped for the SMS one.

        Every language is tried: a reply may be in the language typed rather than the chat's.
        """
        for lang in menus.codes:
            for key, ui_key in REPLACES.items():
                original = menus.ui(lang, ui_key)
                if original in text:
                    text = text.replace(original, self.text(lang, key))
        return text
