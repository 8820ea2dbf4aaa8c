"""The machine's PostgreSQL, for tests that run the same scenario on it: reachable or skipped.

Every test gets a schema of its own, dropped afterwards, because other test
runs may share the database.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine

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
