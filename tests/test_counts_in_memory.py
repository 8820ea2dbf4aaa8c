"""The anonymous daily counts are kept in memory and written every few seconds and at shutdown.

No write per message: what a crash can lose is the counts of the last few seconds, never a reply
or a chat's state (PRIVACY.md says so in its list of what is kept).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from resource_bot import runtime as runtime_module
from resource_bot.clock import utc_today
from resource_bot.db import create_schema, make_engine
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.engine import Engine
from resource_bot.dialog.events import Press
from resource_bot.runtime import Runtime
from resource_bot.stats import Tally, read_counts
from tests.postgres import runtime_on

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(params=["sqlite", "postgresql"])
def runtime(request: pytest.FixtureRequest, tmp_path: Path, engine: Engine) -> Iterator[Runtime]:
    with runtime_on(request.param, tmp_path, engine, "counts") as served:
        yield served


def tap_legal(runtime: Runtime, times: int) -> None:
    for _ in range(times):
        outcome, _ = runtime.dialog.handle(ChatState(), Press("t:legal"))
        runtime.record(outcome)


def legal_count(runtime: Runtime) -> int:
    since = utc_today() - dt.timedelta(days=1)  # the test may run across midnight
    rows = read_counts(runtime.db, since)
    return sum(row.count for row in rows if (row.kind, row.value) == ("topic", "legal"))


def test_taps_are_counted_in_memory_and_reach_the_database_at_the_flush(runtime: Runtime) -> None:
    tap_legal(runtime, 3)
    assert legal_count(runtime) == 0, "no write per message"

    assert runtime.flush_counts() == 1, "three taps, one count to add"
    assert legal_count(runtime) == 3
    tap_legal(runtime, 2)
    runtime.flush_counts()
    assert legal_count(runtime) == 5, "added to the day's count, not replacing it"
    assert runtime.flush_counts() == 0, "nothing waits: nothing written"


def test_shutdown_writes_the_counts_still_in_memory(runtime: Runtime) -> None:
    tap_legal(runtime, 2)

    runtime.close()

    assert legal_count(runtime) == 2


def test_a_running_runtime_writes_its_counts_within_a_few_seconds_on_its_own(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime_module, "COUNT_FLUSH_SECONDS", 0.05)
    tap_legal(runtime, 4)

    waited = 0
    while legal_count(runtime) == 0 and waited < 200:  # bounded: ten seconds at most
        time.sleep(0.05)
        waited += 1

    assert legal_count(runtime) == 4


def test_counts_wait_in_memory_while_the_database_is_away_and_are_written_once_it_is_back(
    tmp_path: Path,
) -> None:
    tally = Tally()
    tally.add([("topic", "legal"), ("language", "es"), ("bogus", "x"), ("topic", "no spaces allowed")], TODAY)
    tally.add([("topic", "legal")], TODAY)
    away = make_engine(f"sqlite:///{tmp_path / 'no such folder' / 'bot.sqlite3'}")
    back = make_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    create_schema(back)

    with pytest.raises(OperationalError):
        tally.flush(away)
    assert len(tally) == 2, "kept for the next try; unknown kinds and odd values were dropped"
    tally.add([("topic", "legal")], TODAY)
    assert tally.flush(back) == 2

    assert [(r.kind, r.value, r.count) for r in read_counts(back, TODAY)] == [
        ("language", "es", 1),
        ("topic", "legal", 3),
    ]
    assert tally.flush(back) == 0, "written once, not again"
    away.dispose()
    back.dispose()


def test_memory_is_bounded_while_the_database_is_away() -> None:
    tally = Tally(limit=2)
    tally.add([("source", "clinic1"), ("source", "clinic2")], TODAY)
    tally.add([("source", "clinic3"), ("source", "clinic1")], TODAY)

    assert len(tally) == 2, "a third kind of count is dropped; the ones kept still add up"
