"""Per-chat state and privacy: keyed hashes, expiry, forget.

What we keep about a chat is the least the bot needs to answer the next tap:
the small :class:`ChatState` and, for Quick exit, the ids of messages sent in
the last 48 hours. Rows are keyed by an HMAC of the chat id, never the id
itself, and the key for that HMAC is either ``STATE_SECRET`` or a random one
kept in the database. Everything expires; ``/forget`` deletes it at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from sqlalchemy import JSON, DateTime, Engine, Integer, String, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from resource_bot.db import Base
from resource_bot.dialog.chatstate import ChatState

#: Telegram lets a bot delete messages younger than this, so we keep their ids no longer.
MESSAGE_TTL = dt.timedelta(hours=48)
#: A chat's state (language, screen, area) is dropped after this long without use.
STATE_TTL = dt.timedelta(days=7)


class ChatStateRow(Base):
    __tablename__ = "chat_state"

    chat_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[dict[str, object]] = mapped_column(JSON)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class ChatMessageRow(Base):
    """A message id that Quick exit may need to delete; nothing about its content."""

    __tablename__ = "chat_message"

    chat_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class BotSecret(Base):
    __tablename__ = "bot_secret"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; we always store UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _upsert(engine: Engine, values: dict[str, object]) -> object:
    dialect = engine.dialect.name
    if dialect == "postgresql":
        pg = postgresql.insert(ChatStateRow).values(values)
        return pg.on_conflict_do_update(
            index_elements=["chat_key"],
            set_={"state": pg.excluded.state, "expires_at": pg.excluded.expires_at},
        )
    lite = sqlite.insert(ChatStateRow).values(values)
    return lite.on_conflict_do_update(
        index_elements=["chat_key"],
        set_={"state": lite.excluded.state, "expires_at": lite.excluded.expires_at},
    )


class StateStore:
    """Chat state in the database, so any process can answer any chat's next tap."""

    def __init__(self, engine: Engine, secret: str | None = None) -> None:
        self.engine = engine
        self._secret = (secret or self._stored_secret()).encode()

    def _stored_secret(self) -> str:
        query = select(BotSecret.value).where(BotSecret.name == "chat_key")
        with self.engine.connect() as connection:
            found = connection.execute(query).scalar()
        if found:
            return str(found)
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(BotSecret).values(name="chat_key", value=secrets.token_hex(32)))
        except IntegrityError:
            pass  # another process made it first; read theirs
        with self.engine.connect() as connection:
            return str(connection.execute(query).scalar_one())

    def key_for(self, chat_id: int) -> str:
        """The keyed hash that stands for a chat id in every table."""
        return hmac.new(self._secret, str(chat_id).encode(), hashlib.sha256).hexdigest()

    def load(self, chat_key: str, now: dt.datetime | None = None) -> ChatState:
        now = now or _now()
        with self.engine.connect() as connection:
            row = connection.execute(
                select(ChatStateRow.state, ChatStateRow.expires_at).where(ChatStateRow.chat_key == chat_key)
            ).first()
        if row is None or _aware(row.expires_at) <= now:
            return ChatState()
        return ChatState.from_dict(row.state)

    def save(self, chat_key: str, state: ChatState, now: dt.datetime | None = None) -> None:
        now = now or _now()
        statement = _upsert(
            self.engine, {"chat_key": chat_key, "state": state.to_dict(), "expires_at": now + STATE_TTL}
        )
        with self.engine.begin() as connection:
            connection.execute(statement)  # type: ignore[call-overload]

    def remember_messages(
        self, chat_key: str, message_ids: Iterable[int], now: dt.datetime | None = None
    ) -> None:
        expires = (now or _now()) + MESSAGE_TTL
        rows = [{"chat_key": chat_key, "message_id": int(m), "expires_at": expires} for m in set(message_ids)]
        if not rows:
            return
        with self.engine.begin() as connection:
            existing = set(
                connection.execute(
                    select(ChatMessageRow.message_id).where(
                        ChatMessageRow.chat_key == chat_key,
                        ChatMessageRow.message_id.in_([r["message_id"] for r in rows]),
                    )
                ).scalars()
            )
            fresh = [r for r in rows if r["message_id"] not in existing]
            if fresh:
                connection.execute(insert(ChatMessageRow), fresh)

    def messages(self, chat_key: str, now: dt.datetime | None = None) -> list[int]:
        """Ids of the chat's messages that Telegram may still let us delete, oldest first."""
        now = now or _now()
        with self.engine.connect() as connection:
            return sorted(
                connection.execute(
                    select(ChatMessageRow.message_id).where(
                        ChatMessageRow.chat_key == chat_key, ChatMessageRow.expires_at > now
                    )
                ).scalars()
            )

    def forget(self, chat_key: str) -> None:
        """Delete every row about this chat (Quick exit and /forget)."""
        with self.engine.begin() as connection:
            connection.execute(delete(ChatStateRow).where(ChatStateRow.chat_key == chat_key))
            connection.execute(delete(ChatMessageRow).where(ChatMessageRow.chat_key == chat_key))

    def purge_expired(self, now: dt.datetime | None = None) -> int:
        """Drop expired rows; returns how many went."""
        now = now or _now()
        with self.engine.begin() as connection:
            gone = connection.execute(delete(ChatStateRow).where(ChatStateRow.expires_at <= now)).rowcount
            gone += connection.execute(
                delete(ChatMessageRow).where(ChatMessageRow.expires_at <= now)
            ).rowcount
        return int(gone or 0)
