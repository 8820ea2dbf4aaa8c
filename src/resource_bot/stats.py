"""Anonymous statistics: how many times per day each topic, service, link source, language
and quick exit was used. No chat ids, no text, no per-person trail: only counts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Date, Engine, Integer, String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from resource_bot.clock import utc_today
from resource_bot.db import Base

#: The kinds of counts kept; anything else a channel hands in is dropped.
KINDS = ("topic", "service", "source", "language", "quick_exit", "crisis", "typed_topic")
_VALUE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class DailyCount(Base):
    __tablename__ = "daily_count"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True)
class CountRow:
    day: dt.date
    kind: str
    value: str
    count: int


#: The counting statement for each dialect, built once.
_COUNTING: dict[str, Any] = {}


def _counting(dialect: str) -> Any:
    """``INSERT ... ON CONFLICT`` adding to the day's count; built once per dialect."""
    statement = _COUNTING.get(dialect)
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        upsert = insert(DailyCount)
        statement = _COUNTING[dialect] = upsert.on_conflict_do_update(
            index_elements=["day", "kind", "value"], set_={"count": DailyCount.count + upsert.excluded.count}
        )
    return statement


def record_counts(
    db: Engine | Connection, pairs: Iterable[tuple[str, str]], today: dt.date | None = None
) -> None:
    """Add one to each (kind, value) for today; unknown kinds and odd values are dropped.

    ``db`` is an engine (its own transaction) or a connection in the caller's transaction.
    """
    counts = Counter((kind, value) for kind, value in pairs if kind in KINDS and _VALUE.match(value))
    if not counts:
        return
    day = today or utc_today()
    rows = [{"day": day, "kind": k, "value": v, "count": n} for (k, v), n in sorted(counts.items())]
    statement = _counting(db.dialect.name)
    if isinstance(db, Connection):
        db.execute(statement, rows)
        return
    with db.begin() as connection:
        connection.execute(statement, rows)


def read_counts(engine: Engine, since: dt.date) -> list[CountRow]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(DailyCount)
            .where(DailyCount.day >= since)
            .order_by(DailyCount.day, DailyCount.kind, DailyCount.value)
        )
        return [CountRow(r.day, r.kind, r.value, r._mapping["count"]) for r in rows]
