"""Engine replies as text messages: numbered choices, GSM-7 only, at most three segments each.

A reply's buttons become numbered lines, as the terminal shows them: "[2] Food"
(a person replies "2"); link buttons are shown as "label: address". The
numbers run on across the replies of one answer, so each number means one
thing, and the choices are kept (as button data) for the person's next text.
Buttons a text message cannot carry are left out: sharing the location (the
ZIP code does that) and the share buttons (their links lead into Telegram).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from resource_bot.channels.sms import gsm
from resource_bot.channels.sms.words import SmsWords
from resource_bot.dialog import buttons
from resource_bot.dialog.events import Button, Reply
from resource_bot.dialog.menus import Menus

#: Button kinds an SMS does not offer (see the module's docstring).
_LEFT_OUT = frozenset({"share_topic", "share_service"})


@dataclass(frozen=True)
class Rendered:
    messages: tuple[str, ...]
    #: The data of each numbered choice, in order: "1" is the first.
    choices: tuple[str, ...]


def _offered(button: Button) -> bool:
    if button.request_location:
        return False
    if button.data is not None:
        parsed = buttons.parse(button.data)
        return parsed is None or parsed.kind not in _LEFT_OUT
    return button.url is not None


def render(replies: Sequence[Reply], menus: Menus, words: SmsWords) -> Rendered:
    """The messages for ``replies``, in order, and the choices their numbers stand for."""
    messages: list[str] = []
    choices: list[str] = []
    for reply in replies:
        blocks = [gsm.to_gsm7(part) for part in words.for_sms(menus, reply.text).split("\n\n")]
        lines = []
        for button in reply.all_buttons():
            if not _offered(button):
                continue
            label = gsm.to_gsm7(button.label)
            if button.data is not None:
                choices.append(button.data)
                lines.append(f"[{len(choices)}] {label}")
            else:
                lines.append(f"{label}: {gsm.to_gsm7(button.url or '')}")
        if lines:
            blocks.append("\n".join(lines))
        messages.extend(gsm.pack(blocks))
    return Rendered(tuple(messages), tuple(choices))


def plain(text: str) -> tuple[str, ...]:
    """One text of our own (STOP's answer, "slow down") as messages."""
    return tuple(gsm.pack([gsm.to_gsm7(part) for part in text.split("\n\n")]))
