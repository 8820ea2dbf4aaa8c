"""Database engines: SQLite by default, PostgreSQL in production.

Hosting platforms hand out ``postgres://`` URLs; SQLAlchemy wants
``postgresql+psycopg://``. We accept both so that a pasted URL just works.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker


class Base(DeclarativeBase):
    """The one metadata every table of the bot belongs to."""


def normalize_url(url: str) -> str:
    """Turn the URL forms people paste into the one SQLAlchemy understands."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def default_sqlite_url(state_dir: Path) -> str:
    return f"sqlite:///{state_dir / 'resource-bot.sqlite3'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while `load` writes a new directory; busy_timeout
    # waits out a short lock instead of failing the user's tap.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Deleted rows (a forgotten chat, expired state) are overwritten with zeros, not just unlinked.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def private_file(path: Path) -> None:
    """Make the SQLite file (and its folder) readable by this user only, before SQLite opens it.

    SQLite gives the ``-wal`` and ``-shm`` files the mode of the database file, so a
    database created here as 0600 keeps all three private. An older, looser file is tightened.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if part.exists() and part.stat().st_mode & 0o077:
                part.chmod(0o600)
        except OSError:
            pass  # not ours to change (another user's file); SQLite still opens it


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite files get their parent folder created."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:" and not path.startswith("file:"):
            private_file(Path(path))
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Any]:
    return sessionmaker(engine, expire_on_commit=False)


def create_schema(engine: Engine) -> None:
    """Bring the database to the current schema; run at every start, so it is quick when current.

    A fresh database is created and stamped at the head migration; an older one
    is upgraded by Alembic without losing data (see resource_bot.migrations).
    """
    from resource_bot.migrations import ensure_current

    ensure_current(engine)
