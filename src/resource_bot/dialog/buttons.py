"""Button data: short, stable strings (Telegram allows 64 bytes).

Every button says where it goes in absolute terms (``t:legal:2`` is page 3 of
legal help), so a stale button from an old message still does the right thing,
and anything that does not parse leads to the main menu.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from resource_bot.directory import topics

MAIN = "m"
BACK = "b"
QUICK_EXIT = "x"
LANGUAGE = "l"
AREA = "a"
CLEAR_AREA = "a:x"
#: The "Are you safe right now?" check: call 911 now, talk to someone now (24/7 lines), show me help.
SAFE_CALL = "k:c"
SAFE_TALK = "k:t"
REPORT_REASONS = ("wrong_number", "closed", "moved", "other")
_REASON_CODES = {"wrong_number": "w", "closed": "c", "moved": "m", "other": "o"}
_REASONS_BY_CODE = {code: reason for reason, code in _REASON_CODES.items()}

_ID = r"[a-z0-9_-]{1,32}"
_TOPIC = r"[a-z_.]{1,40}"
_PATTERNS = {
    "topic": re.compile(rf"^t:({_TOPIC})(?::(\d{{1,4}}))?$"),
    "open": re.compile(rf"^o([01]):({_TOPIC})$"),
    "service": re.compile(rf"^s:({_ID})$"),
    "language": re.compile(r"^l:([a-z]{2})$"),
    "report": re.compile(rf"^r:({_ID})(?::([wcmo]))?$"),
    "share_topic": re.compile(rf"^h:({_TOPIC})$"),
    "share_service": re.compile(rf"^hs:({_ID})$"),
    "safe_help": re.compile(rf"^k:h(?::({_TOPIC}))?$"),
    "bridge": re.compile(r"^i:([a-z]{2,3})$"),
    # A guide: ``g:<guide>`` opens it; ``g:<guide>:<screen>:<n>`` is answer n there, ``...:b`` is Back.
    "guide": re.compile(r"^g:([a-z0-9-]{1,24})(?::([a-z0-9_]{1,24}):(b|\d{1,2}))?$"),
}


def topic(topic_id: str, page: int = 0) -> str:
    return f"t:{topic_id}:{page}" if page else f"t:{topic_id}"


def open_filter(topic_id: str, on: bool) -> str:
    return f"o{int(on)}:{topic_id}"


def service(service_id: str) -> str:
    return f"s:{service_id}"


def set_language(code: str) -> str:
    return f"l:{code}"


def bridge(code: str) -> str:
    """The interpreter bridge's screen in language ``code``."""
    return f"i:{code}"


def report(service_id: str, reason: str | None = None) -> str:
    return f"r:{service_id}:{_REASON_CODES[reason]}" if reason else f"r:{service_id}"


def share_topic(topic_id: str) -> str:
    return f"h:{topic_id}"


def share_service(service_id: str) -> str:
    return f"hs:{service_id}"


def safe_help(topic_id: str | None = None) -> str:
    """The safety check's "show me help": the topic the message matched, or the main menu."""
    return f"k:h:{topic_id}" if topic_id else "k:h"


def guide(guide_id: str) -> str:
    """Open a guide at its first screen."""
    return f"g:{guide_id}"


def guide_step(guide_id: str, step_id: str, choice: str) -> str:
    """On a guide's screen: answer ``choice`` (its index), or ``"b"`` for Back."""
    return f"g:{guide_id}:{step_id}:{choice}"


@dataclass(frozen=True)
class Parsed:
    """What a button asks for; ``kind`` is one of the constants above or a pattern's name."""

    kind: str
    target: str = ""
    page: int = 0
    flag: bool = False
    reason: str | None = None
    #: A guide's screen the button was on (its answer is ``page``; Back when ``flag``).
    step: str | None = None


def parse(raw: str) -> Parsed | None:
    """Read button data; None for anything forged, stale beyond use, or oversized."""
    if not isinstance(raw, str) or len(raw.encode("utf-8", "replace")) > 64:
        return None
    if raw in (MAIN, BACK, QUICK_EXIT, LANGUAGE, AREA, CLEAR_AREA, SAFE_CALL, SAFE_TALK):
        return Parsed(raw)
    for kind, pattern in _PATTERNS.items():
        match = pattern.match(raw)
        if not match:
            continue
        if kind == "topic":
            if not topics.is_topic(match[1]):
                return None
            return Parsed(kind, match[1], page=int(match[2] or 0))
        if kind == "open":
            return Parsed(kind, match[2], flag=match[1] == "1") if topics.is_topic(match[2]) else None
        if kind in ("share_topic", "safe_help") and match[1] is not None and not topics.is_topic(match[1]):
            return None
        if kind == "safe_help":
            return Parsed(kind, match[1] or "")
        if kind == "guide":
            back = match[3] == "b"
            return Parsed(kind, match[1], page=0 if back or not match[3] else int(match[3]), flag=back, step=match[2])
        if kind == "report":
            return Parsed(kind, match[1], reason=_REASONS_BY_CODE.get(match[2] or ""))
        return Parsed(kind, match[1])
    return None
