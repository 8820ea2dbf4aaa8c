"""The words of the web page around the replies, read from ``conversations/web/<lang>.yaml``.

The replies are the engine's, from the menus every channel shares; these are only
the page's own labels (the text box, the Send button, the quick-exit note). Loading
checks that every language has every key, and says which file to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

#: Every key a web words file must have.
WEB_KEYS: tuple[str, ...] = (
    "title",
    "tagline",
    "reply_heading",
    "choices_heading",
    "links_heading",
    "type_label",
    "type_hint",
    "send",
    "quick_exit",
    "quick_exit_hint",
    "slow_down_back",
    "expired",
    "privacy",
)


class WebWordsError(Exception):
    """A web words file is missing or incomplete; the message names the file and the keys."""


@dataclass(frozen=True)
class WebWords:
    by_lang: dict[str, dict[str, str]]

    @classmethod
    def from_dir(cls, conversations: Path, codes: tuple[str, ...]) -> WebWords:
        """The words for each language code of the menus, from ``conversations/web/``."""
        found: dict[str, dict[str, str]] = {}
        for code in codes:
            path = conversations / "web" / f"{code}.yaml"
            try:
                raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
                raise WebWordsError(f"{path}: cannot be read ({exc}); every menu language needs one") from None
            words = raw.get("web") if isinstance(raw, dict) else None
            missing = [k for k in WEB_KEYS if not isinstance(words, dict) or not isinstance(words.get(k), str)]
            if missing:
                raise WebWordsError(f"{path}: web is missing {', '.join(missing)}; add them")
            assert isinstance(words, dict)
            found[code] = {key: str(words[key]).strip() for key in WEB_KEYS}
        return cls(found)

    def get(self, lang: str, key: str) -> str:
        return (self.by_lang.get(lang) or self.by_lang["en"])[key]
