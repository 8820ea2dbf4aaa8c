"""What privacy at rest costs on SQLite: the checkpoint after a forget, and secure_delete on a reload.

    PYTHONPATH=src:bench python bench/bench_privacy.py [--chats 300] [--services 20000]

1. ``StateStore.forget`` with and without the ``wal_checkpoint(TRUNCATE)`` that now
   follows it (Quick exit and /forget pay this once), over chats of 20 message ids
   each, with another chat's write between two forgets so the log is never empty.
2. Replacing a loaded directory of synthetic services (``replace_directory``, what
   ``resource-bot load`` does) with ``secure_delete`` ON and OFF. Debian's SQLite is
   built with it ON, so there the pragma changes nothing; elsewhere it is the cost.

Each figure is the better of two rounds. No assertion: it reports, people judge.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from resource_bot.db import create_schema, make_engine
from resource_bot.dialog.chatstate import ChatState
from resource_bot.state_store import StateStore


def forget_ms(chats: int, checkpoint: bool) -> tuple[float, float]:
    """Median and 95th percentile of one forget, in milliseconds."""
    engine = make_engine(f"sqlite:///{Path(tempfile.mkdtemp()) / 'forget.sqlite3'}")
    create_schema(engine)
    store = StateStore(engine, "bench-" * 6)
    if not checkpoint:
        store.scrub_files = lambda: True  # type: ignore[method-assign]  # the benchmark skips the checkpoint on purpose
    keys = [store.key_for(chat) for chat in range(chats + 1)]
    for chat, key in enumerate(keys):
        store.save(key, ChatState(screen="topic:legal", zip="77002"))
        store.remember_messages(key, range(chat * 20, chat * 20 + 20))
    times = []
    for key in keys[:chats]:
        store.save(keys[-1], ChatState(screen="topic:food"))
        begin = time.perf_counter()
        store.forget(key)
        times.append((time.perf_counter() - begin) * 1000)
    engine.dispose()
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


def reload_s(directory: Any, secure_delete: bool) -> float:
    engine = make_engine(f"sqlite:///{Path(tempfile.mkdtemp()) / 'reload.sqlite3'}")
    mode = "ON" if secure_delete else "OFF"

    def pragma(connection: Any, _record: Any) -> None:
        connection.execute(f"PRAGMA secure_delete={mode}")

    event.listen(engine, "connect", pragma)  # after the bot's own pragmas
    create_schema(engine)
    from resource_bot.directory.load import replace_directory

    replace_directory(engine, *directory)
    begin = time.perf_counter()
    replace_directory(engine, *directory)
    took = time.perf_counter() - begin
    engine.dispose()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--services", type=int, default=20000)
    args = parser.parse_args()
    for checkpoint in (False, True):
        median, p95 = min(forget_ms(args.chats, checkpoint) for _ in range(2))
        label = "with" if checkpoint else "without"
        print(f"forget {label} the TRUNCATE checkpoint: median {median:.2f} ms, p95 {p95:.2f} ms")
    import synthetic

    directory = synthetic.entries(args.services)
    for secure in (False, True):
        took = min(reload_s(directory, secure) for _ in range(2))
        print(f"reload of {args.services:,} services, secure_delete {'ON' if secure else 'OFF'}: {took:.2f} s")


if __name__ == "__main__":
    main()
