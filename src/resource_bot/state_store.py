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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Engine,
    Executable,
    Integer,
    String,
    bindparam,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from resource_bot.db import Base
from resource_bot.dialog.chatstate import ChatState

#: Telegram lets a bot delete messages younger than this, so we keep their ids no longer.
MESSAGE_TTL = dt.timedelta(hours=48)
#: A chat's state (language, screen, area) is dropped after this long without use.
STATE_TTL = dt.timedelta(days=7)
#: Expiry times are kept to the whole hour: enough to expire rows, too coarse to be a timeline.
EXPIRY_STEP = dt.timedelta(hours=1)


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


def expiry_after(moment: dt.datetime, ttl: dt.timedelta) -> dt.datetime:
    """``moment + ttl`` rounded up to the whole hour, so a row keeps no finer trace of when it was written.

    Rounded up, not down: a message id is then kept for at least the 48 hours in which
    Telegram lets the bot delete the message (and at most one hour more).
    """
    due = moment + ttl
    hour = due.replace(minute=0, second=0, microsecond=0)
    return hour if hour == due else hour + EXPIRY_STEP


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; we always store UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _dialect_insert(engine: Engine) -> Any:
    """``INSERT`` with ``ON CONFLICT`` for the engine's database (PostgreSQL or SQLite)."""
    return postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert


# Built once: SQLAlchemy memoizes a statement object's cache key, so reusing one skips
# rebuilding it and finds its compiled form at once.
_LOAD = select(ChatStateRow.state, ChatStateRow.expires_at).where(ChatStateRow.chat_key == bindparam("chat_key"))
_MESSAGES = select(ChatMessageRow.message_id).where(
    ChatMessageRow.chat_key == bindparam("chat_key"), ChatMessageRow.expires_at > bindparam("now")
)
_FORGET = (
    delete(ChatStateRow).where(ChatStateRow.chat_key == bindparam("chat_key")),
    delete(ChatMessageRow).where(ChatMessageRow.chat_key == bindparam("chat_key")),
)


def _save_and_remember() -> Any:
    """PostgreSQL: save the state and keep the message ids in one statement (one round trip).

    ``WITH saved AS (INSERT INTO chat_state ... ON CONFLICT DO UPDATE)
    INSERT INTO chat_message SELECT :chat_key, unnest(:message_ids), :messages_expire ON CONFLICT DO NOTHING``
    """
    saved = postgresql.insert(ChatStateRow).values(
        chat_key=bindparam("chat_key"), state=bindparam("state"), expires_at=bindparam("expires_at")
    )
    saved = saved.on_conflict_do_update(
        index_elements=["chat_key"], set_={"state": saved.excluded.state, "expires_at": saved.excluded.expires_at}
    )
    ids = func.unnest(bindparam("message_ids", type_=postgresql.ARRAY(Integer)))
    rows = select(
        bindparam("chat_key", type_=String()), ids, bindparam("messages_expire", type_=DateTime(timezone=True))
    )
    remembered = postgresql.insert(ChatMessageRow).from_select(["chat_key", "message_id", "expires_at"], rows)
    return remembered.on_conflict_do_nothing(index_elements=["chat_key", "message_id"]).add_cte(saved.cte("saved"))


class StateStore:
    """Chat state in the database, so any process can answer any chat's next tap.

    Each method opens its own transaction, or runs in the caller's when given
    ``connection`` (see :meth:`begin`), so one update's writes can share one commit.
    """

    def __init__(self, engine: Engine, secret: str | None = None) -> None:
        self.engine = engine
        self._from_environment = bool(secret)
        self._secret = (secret or self._stored_secret()).encode()
        # The keyed hash's key schedule, done once; key_for copies it for each chat id.
        self._hmac = hmac.new(self._secret, digestmod=hashlib.sha256)
        dialect_insert = _dialect_insert(engine)
        upsert = dialect_insert(ChatStateRow)
        self._save = upsert.on_conflict_do_update(
            index_elements=["chat_key"],
            set_={"state": upsert.excluded.state, "expires_at": upsert.excluded.expires_at},
        )
        # An id already kept keeps its first expiry, as before: it was sent no later.
        self._remember = dialect_insert(ChatMessageRow).on_conflict_do_nothing(
            index_elements=["chat_key", "message_id"]
        )
        self._save_and_remember = _save_and_remember() if engine.dialect.name == "postgresql" else None

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

    @property
    def key_source(self) -> str:
        """Where the key comes from, for the startup log: "STATE_SECRET" or "database"."""
        return "STATE_SECRET" if self._from_environment else "database"

    def drop_stored_secret(self) -> bool:
        """Delete a key the database kept from before STATE_SECRET was set; True when there was one.

        Rows hashed with it can no longer be found, so they only wait for their expiry;
        without the key nobody can tell whose they were.
        """
        with self.engine.begin() as connection:
            gone = connection.execute(delete(BotSecret).where(BotSecret.name == "chat_key")).rowcount
        return bool(gone)

    def key_for(self, chat_id: int) -> str:
        """The keyed hash that stands for a chat id in every table."""
        keyed = self._hmac.copy()
        keyed.update(str(chat_id).encode())
        return keyed.hexdigest()

    def key_for_address(self, kind: str, address: str) -> str:
        """The keyed hash that stands for an address of another channel (``"sms"``, a phone number).

        The kind goes into the hash, so an address never collides with a Telegram chat id
        (those hash their digits alone).
        """
        keyed = self._hmac.copy()
        keyed.update(f"{kind}\x1f{address}".encode())
        return keyed.hexdigest()

    def report_token(self, chat_key: str) -> Callable[[str, dt.date], str]:
        """Tokens for "this chat reported this listing on this day" (one report each, see feedback).

        A keyed hash again, so a token cannot be matched to the chat's rows without the key.
        """

        def token(service_id: str, day: dt.date) -> str:
            keyed = self._hmac.copy()
            keyed.update(f"report\x1f{chat_key}\x1f{service_id}\x1f{day.isoformat()}".encode())
            return keyed.hexdigest()

        return token

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction for several writes: committed at the end, rolled back on an exception."""
        with self.engine.begin() as connection:
            yield connection

    def _write(self, connection: Connection | None, statement: Executable, params: Any) -> None:
        if connection is not None:
            connection.execute(statement, params)
            return
        with self.engine.begin() as own:
            own.execute(statement, params)

    def load(
        self,
        chat_key: str,
        now: dt.datetime | None = None,
        *,
        new_chat: ChatState | None = None,
        connection: Connection | None = None,
    ) -> ChatState:
        """The chat's state; a fresh one when it expired, ``new_chat`` (or a fresh one) when it has no row.

        One query. A row that expired but is not purged yet says the chat is not new.
        """
        if connection is None:
            with self.engine.connect() as own:
                row = own.execute(_LOAD, {"chat_key": chat_key}).first()
        else:
            row = connection.execute(_LOAD, {"chat_key": chat_key}).first()
        if row is None:
            return new_chat or ChatState()
        if _aware(row.expires_at) <= (now or _now()):
            return ChatState()
        return ChatState.from_dict(row.state)

    def save(
        self,
        chat_key: str,
        state: ChatState,
        now: dt.datetime | None = None,
        *,
        connection: Connection | None = None,
    ) -> None:
        expires = expiry_after(now or _now(), STATE_TTL)
        self._write(connection, self._save, {"chat_key": chat_key, "state": state.to_dict(), "expires_at": expires})

    def save_with_messages(
        self,
        chat_key: str,
        state: ChatState,
        message_ids: Iterable[int],
        now: dt.datetime | None = None,
        *,
        connection: Connection,
    ) -> None:
        """:meth:`save` and :meth:`remember_messages` in the caller's transaction, in one statement
        where the database allows it: PostgreSQL runs both inserts in one round trip (a writable
        ``WITH``); SQLite, which has none, runs the two statements (in-process, no round trip).
        """
        now = now or _now()
        ids = sorted({int(m) for m in message_ids})
        if self._save_and_remember is None or not ids:
            self.save(chat_key, state, now, connection=connection)
            self.remember_messages(chat_key, ids, now, connection=connection)
            return
        params = {
            "chat_key": chat_key,
            "state": state.to_dict(),
            "expires_at": expiry_after(now, STATE_TTL),
            "message_ids": ids,
            "messages_expire": expiry_after(now, MESSAGE_TTL),
        }
        connection.execute(self._save_and_remember, params)

    def save_rows(self, rows: list[dict[str, Any]], *, connection: Connection) -> None:
        """Many chats' states in one statement, in the caller's transaction (a group commit).

        Each row is ``{"chat_key", "state" (ChatState.to_dict()), "expires_at"}``, one per chat.
        """
        connection.execute(self._save, rows)

    def remember_rows(self, rows: list[dict[str, Any]], *, connection: Connection) -> None:
        """Many chats' message ids in one statement: rows ``{"chat_key", "message_id", "expires_at"}``."""
        connection.execute(self._remember, rows)

    def remember_messages(
        self,
        chat_key: str,
        message_ids: Iterable[int],
        now: dt.datetime | None = None,
        *,
        connection: Connection | None = None,
    ) -> None:
        """Keep message ids for Quick exit; one ``INSERT ... ON CONFLICT DO NOTHING``."""
        expires = expiry_after(now or _now(), MESSAGE_TTL)
        rows = [
            {"chat_key": chat_key, "message_id": m, "expires_at": expires}
            for m in sorted({int(m) for m in message_ids})
        ]
        if rows:
            self._write(connection, self._remember, rows)

    def messages(
        self, chat_key: str, now: dt.datetime | None = None, *, connection: Connection | None = None
    ) -> list[int]:
        """Ids of the chat's messages that Telegram may still let us delete, oldest first."""
        params = {"chat_key": chat_key, "now": now or _now()}
        if connection is not None:
            return sorted(connection.execute(_MESSAGES, params).scalars())
        with self.engine.connect() as own:
            return sorted(own.execute(_MESSAGES, params).scalars())

    def forget(self, chat_key: str, *, connection: Connection | None = None) -> None:
        """Delete every row about this chat (Quick exit and /forget).

        In the caller's ``connection``, call :meth:`scrub_files` once that transaction commits.
        """
        if connection is None:
            with self.engine.begin() as own:
                self.forget(chat_key, connection=own)
            self.scrub_files()
            return
        for statement in _FORGET:
            connection.execute(statement, {"chat_key": chat_key})

    def forget_state(self, chat_key: str, *, connection: Connection | None = None) -> None:
        """Delete the chat's state (/forget), keeping its message ids so Quick exit still reaches them."""
        self._write(connection, _FORGET[0], {"chat_key": chat_key})
        if connection is None:
            self.scrub_files()

    def purge_expired(self, now: dt.datetime | None = None) -> int:
        """Drop expired rows; returns how many went."""
        now = now or _now()
        with self.engine.begin() as connection:
            gone = connection.execute(delete(ChatStateRow).where(ChatStateRow.expires_at <= now)).rowcount
            gone += connection.execute(delete(ChatMessageRow).where(ChatMessageRow.expires_at <= now)).rowcount
        if gone:
            self.scrub_files()
        return int(gone or 0)

    def scrub_files(self) -> bool:
        """SQLite: copy the write-ahead log into the database file and empty it.

        Until then the ``-wal`` file still holds every version of the pages a deleted row
        lived on (its key, its past states); ``secure_delete`` has already zeroed the row
        in the current version. False when another connection was writing for longer than
        the busy timeout, so the log could not be emptied now (the next scrub does it).
        PostgreSQL: nothing to do here (it reuses the space of deleted rows on VACUUM).
        """
        if self.engine.dialect.name != "sqlite":
            return True
        with self.engine.connect() as connection:
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
        return not busy


# Kept importable from here, where it lived first.
from resource_bot.pending import PendingForgets as PendingForgets  # noqa: E402
