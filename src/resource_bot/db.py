"""Database engines: SQLite by default, PostgreSQL in production.

Hosting platforms hand out ``postgres://`` URLs; SQLAlchemy wants
``postgresql+psycopg://``. We accept both so that a pasted URL just works.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker

#: Seconds to open a PostgreSQL connection, to wait for a free pooled one, and for one statement
#: of a chat's turn. A person waits for all of them; past them the bot says "try again".
CONNECT_TIMEOUT = 5
POOL_TIMEOUT = 5.0
STATEMENT_TIMEOUT = 5.0


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
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite files get their parent folder created.

    Nothing waits without end: opening a connection gives up after CONNECT_TIMEOUT
    seconds and waiting for a free one in the pool after POOL_TIMEOUT (SQLite waits
    out a lock for its busy timeout). Statements get their bound per transaction
    (:func:`limit_statements`): a maintainer's ``load`` may run long ones.
    """
    url = normalize_url(url)
    kwargs.setdefault("pool_timeout", POOL_TIMEOUT)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1] if "///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        if not path or path == ":memory:":
            kwargs.pop("pool_timeout")  # one shared in-memory connection, no pool to wait for
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    connect_args = kwargs.setdefault("connect_args", {})
    connect_args.setdefault("connect_timeout", CONNECT_TIMEOUT)
    return create_engine(url, **kwargs)


def limit_statements(connection: Connection, seconds: float = STATEMENT_TIMEOUT) -> None:
    """Bound every statement of the open transaction (PostgreSQL: a lock waited on counts too).

    SQLite has no statement timeout; its busy timeout bounds the wait for a lock, the
    only thing that makes its statements wait.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(seconds * 1000)}")


def make_sessionmaker(engine: Engine) -> sessionmaker[Any]:
    return sessionmaker(engine, expire_on_commit=False)


def create_schema(engine: Engine) -> None:
    """Bring the database to the current schema; run at every start, so it is quick when current.

    A fresh database is created and stamped at the head migration; an older one
    is upgraded by Alembic without losing data (see resource_bot.migrations).
    """
    from resource_bot.migrations import ensure_current

    ensure_current(engine)
