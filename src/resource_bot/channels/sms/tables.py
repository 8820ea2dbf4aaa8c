"""What the SMS door keeps beside the chat state: the last numbered choices, and who sent STOP.

Both are keyed like every chat row: by the keyed hash of the phone number
(:meth:`StateStore.key_for_address`), never the number. The chat's language,
screen and area are in ``chat_state`` as for Telegram chats.

- ``sms_menu``: the button data behind "[1] ... [2] ..." of the last answer, so
  that a reply of "2" means what the person saw. It expires with the state
  (7 days without use, kept to the whole hour) and goes with it on EXIT.
- ``sms_opt_out``: carriers require that a number that sent STOP gets nothing
  more until it sends START, however long that takes, so this row has no
  expiry: it holds the keyed hash alone (no date, no text) and goes on START.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Connection, DateTime, String, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from resource_bot.db import Base
from resource_bot.state import STATE_TTL, _aware, expiry_after

#: The most choices kept for one answer (a paged topic screen has about a dozen).
MAX_CHOICES = 60


class SmsMenuRow(Base):
    __tablename__ = "sms_menu"

    chat_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    choices: Mapped[list[str]] = mapped_column(JSON)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class SmsOptOutRow(Base):
    __tablename__ = "sms_opt_out"

    chat_key: Mapped[str] = mapped_column(String(64), primary_key=True)


_LOAD_MENU = select(SmsMenuRow.choices, SmsMenuRow.expires_at).where(SmsMenuRow.chat_key == bindparam("chat_key"))
_OPTED_OUT = select(SmsOptOutRow.chat_key).where(SmsOptOutRow.chat_key == bindparam("chat_key"))
_FORGET_MENU = delete(SmsMenuRow).where(SmsMenuRow.chat_key == bindparam("chat_key"))
_OPT_IN = delete(SmsOptOutRow).where(SmsOptOutRow.chat_key == bindparam("chat_key"))


def _insert(connection: Connection) -> Any:
    return postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert


def load_menu(connection: Connection, chat_key: str, now: dt.datetime) -> list[str] | None:
    """The choices of the last answer; None when the number has no conversation (new, or expired)."""
    row = connection.execute(_LOAD_MENU, {"chat_key": chat_key}).first()
    if row is None or _aware(row.expires_at) <= now or not isinstance(row.choices, list):
        return None
    return [str(choice) for choice in row.choices[:MAX_CHOICES]]


def save_menu(connection: Connection, chat_key: str, choices: list[str], now: dt.datetime) -> None:
    upsert = _insert(connection)(SmsMenuRow)
    statement = upsert.on_conflict_do_update(
        index_elements=["chat_key"],
        set_={"choices": upsert.excluded.choices, "expires_at": upsert.excluded.expires_at},
    )
    values = {"chat_key": chat_key, "choices": choices[:MAX_CHOICES], "expires_at": expiry_after(now, STATE_TTL)}
    connection.execute(statement, values)


def forget_menu(connection: Connection, chat_key: str) -> None:
    connection.execute(_FORGET_MENU, {"chat_key": chat_key})


def is_opted_out(connection: Connection, chat_key: str) -> bool:
    return connection.execute(_OPTED_OUT, {"chat_key": chat_key}).first() is not None


def opt_out(connection: Connection, chat_key: str) -> None:
    statement = _insert(connection)(SmsOptOutRow).on_conflict_do_nothing(index_elements=["chat_key"])
    connection.execute(statement, {"chat_key": chat_key})


def opt_in(connection: Connection, chat_key: str) -> None:
    connection.execute(_OPT_IN, {"chat_key": chat_key})


def purge_expired_menus(connection: Connection, now: dt.datetime) -> int:
    return int(connection.execute(delete(SmsMenuRow).where(SmsMenuRow.expires_at <= now)).rowcount or 0)
