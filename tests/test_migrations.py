"""Migrations: a database made by any earlier schema reaches the current one with its rows intact.

Runs on SQLite, and on PostgreSQL when 127.0.0.1:5432 answers (trust auth,
database ``test``), each run in a fresh schema that is dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import Connection, Engine, insert, inspect, select, text

from resource_bot import migrations
from resource_bot.cli import main
from resource_bot.db import create_schema, make_engine
from resource_bot.dialog.events import Feedback
from resource_bot.directory.load import current_version
from resource_bot.directory.models import DirectoryVersion
from resource_bot.feedback import list_reports, record_feedback
from resource_bot.state_store import ChatMessageRow, ChatStateRow
from resource_bot.stats import read_counts, record_counts
from tests.postgres import fresh_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Engine, str]]:
    """An empty database and the URL a CLI run would use to reach the same place."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
        engine = make_engine(url)
        yield engine, url
        engine.dispose()
        return
    with fresh_schema("test_migrations") as url:
        engine = make_engine(url)
        try:
            yield engine, url
        finally:
            engine.dispose()


def _insert(connection: Connection, table: str, **values: object) -> None:
    """Raw SQL on purpose: the models describe today's schema, not revision 0001's."""
    columns = ", ".join(values)
    params = ", ".join(f":{name}" for name in values)
    connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({params})"), values)


def _fill_first_schema(engine: Engine) -> None:
    """Rows as the bot kept them under revision 0001."""
    empty, hotline = json.dumps({}), json.dumps({"en": "National Human Trafficking Hotline"})
    with engine.begin() as connection:
        _insert(connection, "organization", id="polaris", name=json.dumps({"en": "Polaris"}), description=empty)
        _insert(
            connection, "service", id="nhth", organization_id="polaris", name=hotline, description=hotline,
            eligibility=empty, cost=empty, application_process=empty, languages="[]", status="active",
            confidential=True, area=json.dumps("national"), source_url="https://humantraffickinghotline.org/",
            last_verified=dt.date(2026, 11, 1), source_file="data/crisis.yaml", source_line=46, position=0,
        )  # fmt: skip
        _insert(
            connection, "phone", service_id="nhth", number="1-888-373-7888", kind="voice", always_open=True,
            languages="[]", note=empty, position=0,
        )  # fmt: skip
        _insert(
            connection, "directory_version", loaded_at=dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC), services=1,
            files="data/crisis.yaml",
        )  # fmt: skip
        _insert(
            connection, "chat_state", chat_key="k1", state=json.dumps({"lang": "es"}),
            expires_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        )  # fmt: skip
        _insert(connection, "bot_secret", name="chat_key", value="abc123")


def _assert_first_rows_survive(engine: Engine) -> None:
    with engine.connect() as connection:
        assert (
            connection.execute(text("SELECT number FROM phone WHERE service_id = 'nhth'")).scalar() == "1-888-373-7888"
        )
        assert connection.execute(text("SELECT value FROM bot_secret")).scalar() == "abc123"
        assert connection.execute(text("SELECT chat_key FROM chat_state")).scalar() == "k1"
        assert connection.execute(text("SELECT organization_id FROM service")).scalar() == "polaris"
    version = current_version(engine)
    assert version is not None and version.services == 1 and version.digest == ""


def _assert_new_tables_work(engine: Engine) -> None:
    record_counts(engine, [("topic", "legal")], today=dt.date(2026, 11, 28))
    record_feedback(engine, [Feedback("nhth", "closed")], today=dt.date(2026, 11, 28))
    assert [(r.kind, r.value, r.count) for r in read_counts(engine, dt.date(2026, 11, 1))] == [("topic", "legal", 1)]
    assert [r.service_id for r in list_reports(engine)] == ["nhth"]


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return migrations.current(connection)


def test_db_upgrade_brings_a_first_schema_database_to_head_and_keeps_its_rows(db: tuple[Engine, str]) -> None:
    engine, url = db
    migrations.upgrade_to(engine, "0001")
    assert "digest" not in {c["name"] for c in inspect(engine).get_columns("directory_version")}
    _fill_first_schema(engine)

    result = CliRunner().invoke(main, ["db", "upgrade"], env={"DATABASE_URL": url})

    assert result.exit_code == 0, result.output
    assert "0001" in result.output and migrations.head() in result.output
    assert _revision(engine) == migrations.head()
    _assert_first_rows_survive(engine)
    _assert_new_tables_work(engine)


def test_the_upgrade_rounds_expiry_times_written_before_up_to_the_whole_hour(db: tuple[Engine, str]) -> None:
    engine, _ = db
    migrations.upgrade_to(engine, "0003")
    precise = dt.datetime(2026, 12, 1, 9, 41, 27, 318204, tzinfo=dt.UTC)
    on_the_hour = dt.datetime(2026, 12, 1, 7, tzinfo=dt.UTC)
    with engine.begin() as connection:  # written as the bot wrote them, through the models' column types
        connection.execute(insert(ChatStateRow).values(chat_key="k1", state={"lang": "es"}, expires_at=precise))
        connection.execute(
            insert(ChatMessageRow),
            [
                {"chat_key": "k1", "message_id": m, "expires_at": at}
                for m, at in ((1, precise), (2, precise), (3, on_the_hour))
            ],
        )

    create_schema(engine)

    with engine.connect() as connection:
        (state,) = connection.execute(select(ChatStateRow.expires_at)).scalars()
        messages = connection.execute(select(ChatMessageRow.message_id, ChatMessageRow.expires_at)).all()
    rounded = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
    assert _utc(state) == rounded
    assert sorted((m, _utc(at)) for m, at in messages) == [(1, rounded), (2, rounded), (3, on_the_hour)]


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive UTC times, PostgreSQL aware ones."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def test_db_upgrade_on_a_current_database_says_so_and_changes_nothing(db: tuple[Engine, str]) -> None:
    engine, url = db
    create_schema(engine)

    result = CliRunner().invoke(main, ["db", "upgrade"], env={"DATABASE_URL": url})

    assert result.exit_code == 0, result.output
    assert "already" in result.output
    assert _revision(engine) == migrations.head()


def test_startup_adopts_a_database_made_by_create_all_before_migrations(db: tuple[Engine, str]) -> None:
    engine, _ = db
    migrations.upgrade_to(engine, "0001")
    _fill_first_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))

    create_schema(engine)

    assert _revision(engine) == migrations.head()
    _assert_first_rows_survive(engine)
    _assert_new_tables_work(engine)


def test_startup_adopts_a_create_all_database_that_already_had_some_later_tables(
    db: tuple[Engine, str],
) -> None:
    """The digest column came before migrations did: 0002 must skip what exists."""
    engine, _ = db
    metadata = migrations.target_metadata()
    metadata.create_all(engine, tables=[t for name, t in metadata.tables.items() if name != "feedback_report"])
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO bot_secret (name, value) VALUES ('chat_key', 'abc123')"))

    create_schema(engine)

    assert _revision(engine) == migrations.head()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT value FROM bot_secret")).scalar() == "abc123"
    _assert_new_tables_work(engine)


def test_a_fresh_database_is_created_at_head_in_one_step(db: tuple[Engine, str]) -> None:
    engine, _ = db
    create_schema(engine)
    create_schema(engine)  # the second start finds it current

    assert _revision(engine) == migrations.head()
    with engine.connect() as connection:
        assert connection.execute(select(DirectoryVersion)).first() is None


def test_migrations_build_exactly_the_schema_the_models_describe(db: tuple[Engine, str]) -> None:
    """If a model changes without a migration, this fails: write the migration."""
    engine, _ = db
    migrations.upgrade_to(engine, "head")
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), migrations.target_metadata())
    assert diff == []
