"""Schema migrations with Alembic, run from code: no alembic.ini needed.

:func:`ensure_current` is what the bot runs at startup. It is fast when the
database is already current (one small query), creates and stamps a fresh
database in one go, and adopts databases that ``create_all`` made before
migrations existed: it stamps the first revision and upgrades from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect, text

from resource_bot.db import lift_statement_limit

HERE = Path(__file__).resolve().parent
#: The tables revision 0001 made; a database with some of these and no alembic_version predates migrations.
FIRST_TABLES = frozenset(
    {
        "organization",
        "service",
        "service_topic",
        "phone",
        "location",
        "directory_version",
        "chat_state",
        "chat_message",
        "bot_secret",
    }
)


@dataclass(frozen=True)
class Upgrade:
    """What :func:`ensure_current` did, for ``resource-bot db upgrade`` to say."""

    before: str | None
    after: str
    how: str  # "current" | "upgraded" | "created" | "adopted"


def target_metadata() -> MetaData:
    """The models' metadata, with every module that defines a table imported."""
    from resource_bot import feedback, sources, state, stats  # noqa: F401
    from resource_bot.channels.sms import tables  # noqa: F401
    from resource_bot.db import Base
    from resource_bot.directory import models  # noqa: F401

    return Base.metadata


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None, "resource_bot/migrations/versions is empty"
    return revision


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _lock(connection: Connection) -> None:
    """Two bot processes starting at once on PostgreSQL take turns instead of racing."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(74110001)"))


def ensure_current(engine: Engine) -> Upgrade:
    """Bring the database to the head revision without losing data."""
    target = head()
    with engine.begin() as connection:
        lift_statement_limit(connection)  # waiting for another process's migration may take long
        _lock(connection)
        tables = set(inspect(connection).get_table_names())
        if "alembic_version" in tables:
            before = current(connection)
            if before == target:
                return Upgrade(before, target, "current")
            command.upgrade(alembic_config(connection), "head")
            return Upgrade(before, target, "upgraded")
        if not tables & FIRST_TABLES:
            target_metadata().create_all(connection)
            command.stamp(alembic_config(connection), "head")
            return Upgrade(None, target, "created")
        # Made by create_all before migrations: fill in any first-schema table it lacks,
        # call it 0001, and let 0002 (which checks before each step) do the rest.
        metadata = target_metadata()
        missing = [metadata.tables[name] for name in sorted(FIRST_TABLES - tables)]
        metadata.create_all(connection, tables=missing)
        command.stamp(alembic_config(connection), "0001")
        command.upgrade(alembic_config(connection), "head")
        return Upgrade(None, target, "adopted")


def upgrade_to(engine: Engine, revision: str) -> None:
    """Run migrations up to ``revision``; tests use it to make old databases."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
