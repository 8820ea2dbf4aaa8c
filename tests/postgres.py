"""The machine's PostgreSQL, for tests that run the same scenario on it: reachable or skipped.

Every test gets a schema of its own, dropped afterwards, because other test
runs may share the database.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from resource_bot.config import load_settings
from resource_bot.db import create_schema, make_engine
from resource_bot.dialog.engine import Engine
from resource_bot.runtime import Runtime

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SKIP_REASON = "PostgreSQL is not listening on 127.0.0.1:5432 (database test); start it to run this"


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def fresh_schema(prefix: str) -> Iterator[str]:
    """A database URL whose tables land in a new schema; skips the test when PostgreSQL is away."""
    if not postgres_reachable():
        pytest.skip(SKIP_REASON)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_SERVER}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@contextmanager
def runtime_on(database: str, tmp_path: Path, engine: Engine, prefix: str) -> Iterator[Runtime]:
    """A Runtime over a new SQLite file (``database="sqlite"``) or a fresh PostgreSQL schema; closed after."""
    sqlite = nullcontext(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    with sqlite if database == "sqlite" else fresh_schema(prefix) as url:
        served = opened(url, tmp_path, engine)
        try:
            yield served
        finally:
            served.close()
            served.db.dispose()


def opened(url: str, tmp_path: Path, engine: Engine) -> Runtime:
    database = make_engine(url)
    create_schema(database)
    return Runtime(load_settings({"DATABASE_URL": url, "RESOURCE_BOT_HOME": str(tmp_path)}), database, engine)
