"""Carrying out an outcome on Telegram: menus edited in place, cards and the rest as new messages."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from telegram import LinkPreviewOptions, Message, ReplyKeyboardRemove
from telegram.error import BadRequest

from resource_bot.channels.telegram import adapter
from resource_bot.channels.telegram.turns import Turn
from resource_bot.dialog.events import Effect, Reply, Role

if TYPE_CHECKING:
    from resource_bot.channels.telegram.handler import TelegramBot

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def deliver(bot: TelegramBot, chat_id: int, turn: Turn, tapped: Message | None) -> list[int]:
    """Send or edit the replies; returns the ids of new messages."""
    outcome = turn.outcome
    asks_location = Effect.ASK_LOCATION in outcome.effects
    # Leaving the area screen: the location keyboard must go, which only a new message can do.
    drop_keyboard = turn.before.screen == "area" and not asks_location
    editable = tapped if tapped is not None and not adapter.is_card(tapped) else None
    sent: list[int] = []
    for reply in outcome.replies:
        markup = adapter.inline_markup(reply)
        if drop_keyboard:
            drop_keyboard = False
            sent.append(await _send_dropping_keyboard(bot, chat_id, reply, markup, editable))
            editable = None
            continue
        if reply.protect and editable is not None and not editable.has_protected_content:
            # An edit cannot add protection: the screen comes as a new, protected message instead.
            old_menu, editable = editable, None
            sent.append((await bot.send(chat_id, reply.text, markup, protect=True)).message_id)
            with contextlib.suppress(BadRequest):
                await bot.call(bot.telegram.delete_message, chat_id, old_menu.message_id)
            continue
        if reply.role is Role.MENU and editable is not None and await _edit(bot, editable, reply, markup):
            editable = None
            continue
        message = await bot.send(chat_id, reply.text, markup, protect=reply.protect)
        sent.append(message.message_id)
    if asks_location and turn.before.screen != "area":
        keyboard = adapter.location_keyboard(bot.menus, turn.after.lang)
        message = await bot.send(chat_id, bot.menus.ui(turn.after.lang, "share_location"), keyboard)
        sent.append(message.message_id)
    return sent


async def _edit(bot: TelegramBot, message: Message, reply: Reply, markup: Any) -> bool:
    """Edit a menu in place; False when Telegram will not (too old, gone) and a new one is needed."""
    try:
        await bot.call(
            bot.telegram.edit_message_text,
            reply.text,
            chat_id=message.chat_id,
            message_id=message.message_id,
            reply_markup=markup,
            link_preview_options=NO_PREVIEW,
        )
    except BadRequest as exc:
        # "not modified": a double tap, or a retried edit that had already landed.
        return "not modified" in str(exc).lower()
    return True


async def _send_dropping_keyboard(
    bot: TelegramBot, chat_id: int, reply: Reply, markup: Any, old_menu: Message | None
) -> int:
    """Send ``reply`` in a message that also removes the location keyboard, then add its buttons."""
    message = await bot.send(chat_id, reply.text, ReplyKeyboardRemove())
    if markup is not None:
        await bot.call(
            bot.telegram.edit_message_reply_markup,
            chat_id=chat_id,
            message_id=message.message_id,
            reply_markup=markup,
        )
    if old_menu is not None:
        with contextlib.suppress(BadRequest):
            await bot.call(bot.telegram.delete_message, chat_id, old_menu.message_id)
    return message.message_id
