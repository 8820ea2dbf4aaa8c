"""Database engines: SQLite by default, PostgreSQL in production.

Hosting platforms hand out ``postgres://`` URLs; SQLAlchemy wants
``postgresql+psycopg://``. We accept both so that a pasted URL just works.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker

#: Seconds to open a PostgreSQL connection, to wait for a free pooled one, and (on the bot's
#: engine) for one statement. A person waits for all of them; past them the bot says "try again".
CONNECT_TIMEOUT = 5
POOL_TIMEOUT = 5.0
STATEMENT_TIMEOUT = 5.0


class DatabaseFileError(Exception):
    """The SQLite file (or its folder) cannot be made or reached; the message names it and why."""


class Base(DeclarativeBase):
    """The one metadata every table of the bot belongs to."""


def normalize_url(url: str) -> str:
    """Turn the URL forms people paste into the one SQLAlchemy understands."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
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


def make_engine(url: str, *, statement_timeout: float | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite files get their parent folder created.

    Nothing waits without end: opening a PostgreSQL connection gives up after
    CONNECT_TIMEOUT seconds and waiting for a free one in the pool after
    POOL_TIMEOUT (SQLite waits out a lock for its busy timeout). With
    ``statement_timeout`` (the bot's engine), each PostgreSQL statement, a lock
    waited on included, is cancelled past that many seconds; the few long
    maintainer steps on that engine lift it for their transaction
    (:func:`lift_statement_limit`).
    """
    url = normalize_url(url)
    kwargs.setdefault("pool_timeout", POOL_TIMEOUT)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if not path or path == ":memory:":
            kwargs.pop("pool_timeout")  # one shared in-memory connection, no pool to wait for
        elif not path.startswith("file:"):
            try:
                private_file(Path(path))
            except OSError as exc:
                raise DatabaseFileError(f"Cannot make the SQLite database {path}: {exc.strerror}") from None
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", CONNECT_TIMEOUT)
    engine = create_engine(url, **kwargs)
    if statement_timeout is not None:
        milliseconds = int(statement_timeout * 1000)

        def limit_statements(dbapi_connection: Any, _record: Any) -> None:
            # Set once per connection, so a person's update pays no extra round trip for it.
            cursor = dbapi_connection.cursor()
            cursor.execute(f"SET statement_timeout = {milliseconds}")
            cursor.close()
            dbapi_connection.commit()  # else the pool's first rollback undoes the SET

        event.listen(engine, "connect", limit_statements)
    return engine


def lift_statement_limit(connection: Connection) -> None:
    """No statement limit for the rest of this transaction: loading a directory or migrating may take long."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL statement_timeout = 0")


def make_sessionmaker(engine: Engine) -> sessionmaker[Any]:
    return sessionmaker(engine, expire_on_commit=False)


def create_schema(engine: Engine) -> None:
    """Bring the database to the current schema; run at every start, so it is quick when current.

    A fresh database is created and stamped at the head migration; an older one
    is upgraded by Alembic without losing data (see resource_bot.migrations).
    """
    from resource_bot.migrations import ensure_current

    ensure_current(engine)
