"""The small, serialisable state of one chat.

It holds only what the next reply needs: language, the screen, the page, the
open-now filter and the user's area (a ZIP code, or coordinates rounded to
about a kilometre). No message text, no names, no chat ids.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

LANGUAGES = ("en", "es")
_SCREEN = re.compile(r"^(main|language|area|help|(topic|service|report):[a-z0-9_.-]{1,40})$")
_ZIP = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class ChatState:
    lang: str = "en"
    screen: str = "main"
    #: The topic screen to go back to from a service card.
    topic: str | None = None
    page: int = 0
    open_now: bool = False
    zip: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    def evolve(self, **changes: Any) -> ChatState:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value not in (None, False, 0) or key == "lang"}

    @classmethod
    def from_dict(cls, raw: object) -> ChatState:
        """Rebuild a state; anything unreadable (an older version, a damaged row) gives a fresh state."""
        if not isinstance(raw, dict):
            return cls()
        try:
            state = cls(**{key: raw[key] for key in cls.__dataclass_fields__ if key in raw})
        except TypeError:
            return cls()
        return state if state.is_valid() else cls()

    def is_valid(self) -> bool:
        coords_ok = (self.latitude is None) == (self.longitude is None) and all(
            isinstance(v, int | float) and -180 <= v <= 180 for v in (self.latitude, self.longitude) if v is not None
        )
        return (
            self.lang in LANGUAGES
            and isinstance(self.screen, str)
            and bool(_SCREEN.match(self.screen))
            and (self.topic is None or (isinstance(self.topic, str) and len(self.topic) <= 40))
            and isinstance(self.page, int)
            and 0 <= self.page < 10_000
            and isinstance(self.open_now, bool)
            and (self.zip is None or (isinstance(self.zip, str) and bool(_ZIP.match(self.zip))))
            and coords_ok
        )
