"""The small, serialisable state of one chat.

It holds only what the next reply needs: language, the screen, the page, the
open-now filter and the user's area (a ZIP code, or coordinates rounded to
about a kilometre). No message text, no names, no chat ids. Inside a guide it
also holds the guide's screen and the ids of the items the answers so far add
to the guide's end list; they go as soon as the person leaves the guide.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

LANGUAGES = ("en", "es")
_SCREEN = re.compile(r"^(main|language|area|help|guide|safe_check|(topic|service|report):[a-z0-9_.-]{1,40})$")
_ZIP = re.compile(r"^\d{5}$")
_GUIDE = re.compile(r"^[a-z0-9-]{1,24}$")
_STEP = re.compile(r"^[a-z0-9_]{1,24}$")
MAX_GUIDE_ITEMS = 30


@dataclass(frozen=True)
class GuideState:
    """Where a person is in a guide: its id, its screen, its language and the end list's item ids so far."""

    guide: str
    step: str
    lang: str = "en"
    items: tuple[str, ...] = ()

    @classmethod
    def from_raw(cls, raw: object) -> GuideState | None:
        if not isinstance(raw, dict):
            return None
        items = raw.get("items", ())
        if not isinstance(items, list | tuple):
            return None
        found = cls(raw.get("guide"), raw.get("step"), raw.get("lang", "en"), tuple(items))  # type: ignore[arg-type]
        return found if found.is_valid() else None

    def is_valid(self) -> bool:
        return (
            isinstance(self.guide, str)
            and bool(_GUIDE.match(self.guide))
            and isinstance(self.step, str)
            and bool(_STEP.match(self.step))
            and self.lang in LANGUAGES
            and len(self.items) <= MAX_GUIDE_ITEMS
            and all(isinstance(item, str) and _STEP.match(item) for item in self.items)
        )


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
    #: Set only while ``screen`` is "guide".
    guide: GuideState | None = None

    def evolve(self, **changes: Any) -> ChatState:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value not in (None, False, 0) or key == "lang"}

    @classmethod
    def from_dict(cls, raw: object) -> ChatState:
        """Rebuild a state; anything unreadable (an older version, a damaged row) gives a fresh state."""
        if not isinstance(raw, dict):
            return cls()
        values = {key: raw[key] for key in cls.__dataclass_fields__ if key in raw}
        if "guide" in values and (guide := GuideState.from_raw(values["guide"])) is None:
            values.pop("guide")
            values["screen"] = "main"  # an unreadable guide step: back to the menu, keeping the rest
        elif "guide" in values:
            values["guide"] = guide
        try:
            state = cls(**values)
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
            and (self.guide is None or (isinstance(self.guide, GuideState) and self.guide.is_valid()))
            and (self.screen == "guide") == (self.guide is not None)
        )
