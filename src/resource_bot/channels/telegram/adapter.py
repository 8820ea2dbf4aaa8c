"""Telegram Updates in, engine events out; engine Replies in, Telegram markup out.

Nothing here decides what to say: every word comes from the engine and the
menus. This module only translates between the two vocabularies, and it is
pure (no network, no database), so it is tested without a bot.
"""

from __future__ import annotations

import re

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    Update,
)

from resource_bot.dialog import buttons
from resource_bot.dialog.events import Command, CommandName, Event, Press, Reply, SharedLocation, Start, Text
from resource_bot.dialog.menus import Menus

_COMMANDS = {name.value: name for name in CommandName}
#: A line of the ``help`` text that documents a command: "/menu – show the topics".
_HELP_LINE = re.compile(r"^/([a-z0-9_]{1,32})\s+[–-]\s+(.{1,256})$")
#: What an update that carries nothing the bot reads (a sticker, a photo without caption) becomes: the main menu.
NOTHING_TO_READ = Press("")


def command_of(message: Message) -> tuple[str, str] | None:
    """``("start", "legal")`` for "/start legal" or "/start@bot legal"; None when not a command."""
    text = message.text or ""
    if not text.startswith("/"):
        return None
    word, _, rest = text[1:].partition(" ")
    name = word.split("@", 1)[0].lower()
    if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
        return None
    return name, rest.strip()


def language_hint(update: Update) -> str | None:
    user = update.effective_user
    return user.language_code if user is not None else None


def event_for(update: Update) -> Event | None:
    """The engine event an update stands for; None for updates the bot does not answer."""
    query = update.callback_query
    if query is not None:
        return Press(query.data or "")
    message = update.message
    if message is None:
        return None  # edited messages, channel posts, reactions: nothing to answer
    if message.location is not None:
        return SharedLocation(message.location.latitude, message.location.longitude)
    if message.text is None:
        # A photo, video or document with a caption: the caption is what the person wrote.
        # (Telegram reads no commands in captions, and neither do we.)
        return Text(message.caption) if message.caption and message.caption.strip() else NOTHING_TO_READ
    command = command_of(message)
    if command is not None:
        name, rest = command
        if name == "start":
            return Start(rest or None, language_hint(update))
        if name in _COMMANDS:
            return Command(_COMMANDS[name])
    # Unknown commands read as typed words, exactly as the terminal does.
    return Text(message.text)


def inline_markup(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard (location buttons cannot be inline; they are left out)."""
    rows = []
    for row in reply.buttons:
        cells = []
        for button in row:
            if button.data is not None:
                cells.append(InlineKeyboardButton(button.label, callback_data=button.data))
            elif button.url is not None:
                cells.append(InlineKeyboardButton(button.label, url=button.url))
        if cells:
            rows.append(cells)
    return InlineKeyboardMarkup(rows) if rows else None


def location_keyboard(menus: Menus, lang: str) -> ReplyKeyboardMarkup:
    """The reply keyboard whose one button shares the location (Telegram asks before sending it)."""
    button = KeyboardButton(menus.ui(lang, "share_location"), request_location=True)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)


def is_card(message: Message | None) -> bool:
    """Whether a bot message is a service card (it has the bare "report a problem" button).

    Cards are meant to be kept or forwarded, so navigation from a card sends a
    new menu message instead of editing the card away.
    """
    markup = message.reply_markup if message is not None else None
    if markup is None:
        return False
    for row in markup.inline_keyboard:
        for button in row:
            data = button.callback_data
            parsed = buttons.parse(data) if isinstance(data, str) else None
            if parsed is not None and parsed.kind == "report" and parsed.reason is None:
                return True
    return False


def command_list(menus: Menus, lang: str) -> list[tuple[str, str]]:
    """The (command, description) pairs for Telegram's command menu, read from the ``help`` text."""
    pairs = []
    for line in menus.ui(lang, "help").splitlines():
        match = _HELP_LINE.match(line.strip())
        if match and (match[1] == "start" or match[1] in _COMMANDS):
            pairs.append((match[1], match[2].strip()))
    return pairs
