"""What can happen in a chat, and what the bot answers: frozen, channel-neutral values.

Channels (terminal, Telegram) turn their own updates into these events and
turn replies back into their own messages; the engine sees nothing else.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Start:
    """/start, perhaps from a deep link; ``language_hint`` is the app's language, if known."""

    payload: str | None = None
    language_hint: str | None = None


@dataclass(frozen=True)
class Press:
    """A button was pressed; ``data`` is the button's data as the channel received it."""

    data: str


@dataclass(frozen=True)
class Text:
    """Typed text that is not a command."""

    text: str


@dataclass(frozen=True)
class SharedLocation:
    latitude: float
    longitude: float


class CommandName(enum.StrEnum):
    MENU = "menu"
    HELP = "help"
    LANGUAGE = "language"
    AREA = "area"
    EXIT = "exit"
    FORGET = "forget"


@dataclass(frozen=True)
class Command:
    name: CommandName


Event = Start | Press | Text | SharedLocation | Command


@dataclass(frozen=True)
class Button:
    """A button: it sends ``data`` back when pressed, or opens ``url``, or asks for the location."""

    label: str
    data: str | None = None
    url: str | None = None
    request_location: bool = False


class Role(enum.Enum):
    #: The navigation message: edited in place where the channel can.
    MENU = "menu"
    #: A message of its own that the person may keep or forward (a service card, a share message).
    CARD = "card"


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    role: Role = Role.MENU
    #: Shows what the person chose (a guide's screens): a channel that can, stops it being
    #: forwarded or saved (Telegram's protect_content).
    protect: bool = False

    def all_buttons(self) -> list[Button]:
        return [button for row in self.buttons for button in row]


class Effect(enum.Enum):
    """Things a channel must do beyond sending replies."""

    #: Delete every message of the chat that can still be deleted, and clear the chat's state.
    QUICK_EXIT = "quick_exit"
    #: Delete everything stored about the chat.
    FORGET = "forget"
    #: Show a keyboard whose button shares the location.
    ASK_LOCATION = "ask_location"


@dataclass(frozen=True)
class Feedback:
    """A report that a listing is wrong; nothing about the person is in it."""

    service_id: str
    reason: str


@dataclass(frozen=True)
class Outcome:
    replies: tuple[Reply, ...]
    effects: frozenset[Effect] = frozenset()
    #: Anonymous counters, e.g. ("topic", "legal"), ("service", "nhth"), ("source", "clinic4").
    stats: tuple[tuple[str, str], ...] = ()
    feedback: tuple[Feedback, ...] = field(default=())
