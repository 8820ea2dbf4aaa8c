"""Alembic environment: runs on the connection resource-bot hands in, or on the URL in the config.

resource-bot runs migrations from code (``resource_bot.migrations``), so there
is no alembic.ini; ``alembic -x`` style use still works with
``sqlalchemy.url`` set on the Config.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from resource_bot.migrations import target_metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata(),
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from resource_bot.db import make_engine

    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as fresh:
        _run(fresh)


if context.is_offline_mode():
    raise SystemExit("resource-bot migrations run against a live database; offline SQL is not supported.")
run_migrations_online()
