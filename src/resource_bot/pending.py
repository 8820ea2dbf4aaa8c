"""Erasures that wait in memory for the database: Quick exit, /forget, EXIT and STOP while it is away.

Quick exit must not wait for a database that is away: the key (the keyed hash, never
the chat id or phone number) waits here, in this process's memory, and ``drain``
deletes its rows before the next database work. Memory, not a file: a file would be
one more place on disk that says someone used the bot. If the process dies first, the
rows still expire. Telegram and the web chat use :class:`PendingForgets`; the SMS
door its own kind (``channels.sms.door.PendingErasures``), on the same
:class:`WaitingErasures`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from sqlalchemy import Connection

if TYPE_CHECKING:
    from resource_bot.state_store import StateStore


class WaitingErasures:
    """Keys whose rows must go as soon as the database answers, each with one flag (kept once set).

    Bounded: past ``limit`` keys, new ones are not kept (their rows still expire on their own).
    Subclasses say what erasing one key means (:meth:`erase`).
    """

    def __init__(self, limit: int = 100_000) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._keys: dict[str, bool] = {}

    def _put(self, key: str, flag: bool) -> None:
        with self._lock:
            if key not in self._keys and len(self._keys) >= self.limit:
                return
            self._keys[key] = flag or self._keys.get(key, False)

    def _flag(self, key: str) -> bool:
        with self._lock:
            return self._keys.get(key, False)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._keys

    def __len__(self) -> int:
        with self._lock:
            return len(self._keys)

    def erase(self, store: StateStore, connection: Connection, key: str, flag: bool) -> None:
        raise NotImplementedError

    def drain(self, store: StateStore) -> int:
        """Erase every waiting key in one transaction; on failure they wait for the next try."""
        with self._lock:
            taken, self._keys = self._keys, {}
        if not taken:
            return 0
        try:
            with store.begin() as connection:
                for key, flag in taken.items():
                    self.erase(store, connection, key, flag)
        except BaseException:
            for key, flag in taken.items():
                self._put(key, flag)
            raise
        store.scrub_files()  # after the commit: no copy of these rows left in SQLite's log
        return len(taken)


class PendingForgets(WaitingErasures):
    """Chats whose rows must go as soon as the database answers again (Quick exit and /forget).

    :meth:`drain` runs before the next database work of any update. If the process dies
    first, the rows still expire (48 hours for message ids, 7 days for the state).
    """

    def add(self, chat_key: str, *, everything: bool = True) -> None:
        """``everything``: every row (Quick exit); otherwise only the state (/forget)."""
        self._put(chat_key, everything)

    def erase(self, store: StateStore, connection: Connection, key: str, flag: bool) -> None:
        if flag:
            store.forget(key, connection=connection)
        else:
            store.forget_state(key, connection=connection)
