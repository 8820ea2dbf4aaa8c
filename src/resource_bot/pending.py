"""Erasures that wait in memory for the database: Quick exit and /forget while it is away."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from resource_bot.state_store import StateStore


class PendingForgets:
    """Chats whose rows must go as soon as the database answers again.

    Quick exit (and /forget) must not wait for a database that is away: the
    chat's key (the keyed hash, never the chat id) waits here, in this process's
    memory, and :meth:`drain` deletes its rows before the next database work of
    any update. Memory, not a file: a file would be one more place on disk that
    says a chat used the bot. If the process dies first, the rows still expire
    (48 hours for message ids, 7 days for the state).
    """

    def __init__(self, limit: int = 100_000) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._keys: dict[str, bool] = {}  # chat key -> every row (True) or only the state (False)

    def add(self, chat_key: str, *, everything: bool = True) -> None:
        with self._lock:
            if chat_key not in self._keys and len(self._keys) >= self.limit:
                return  # bounded; these rows still expire on their own
            self._keys[chat_key] = everything or self._keys.get(chat_key, False)

    def __contains__(self, chat_key: object) -> bool:
        with self._lock:
            return chat_key in self._keys

    def __len__(self) -> int:
        with self._lock:
            return len(self._keys)

    def drain(self, store: StateStore) -> int:
        """Forget every waiting chat in one transaction; on failure they wait for the next try."""
        with self._lock:
            taken, self._keys = self._keys, {}
        if not taken:
            return 0
        try:
            with store.begin() as connection:
                for chat_key, everything in taken.items():
                    if everything:
                        store.forget(chat_key, connection=connection)
                    else:
                        store.forget_state(chat_key, connection=connection)
        except BaseException:
            for chat_key, everything in taken.items():
                self.add(chat_key, everything=everything)
            raise
        store.scrub_files()  # after the commit: no copy of these rows left in SQLite's log
        return len(taken)
