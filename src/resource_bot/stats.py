"""Anonymous statistics: how many times per day each topic, service, link source, language
and quick exit was used. No chat ids, no text, no per-person trail: only counts.

Link sources are counted under their own name only when a maintainer listed them
(resource_bot.sources); counts too small to be anonymous are shown as "fewer than
5" (:func:`shown`).
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
from resource_bot.sources import counted_as

#: The kinds of counts kept; anything else a channel hands in is dropped.
KINDS = ("topic", "service", "source", "language", "quick_exit", "crisis", "typed_topic", "guide")
_VALUE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
#: Counts below this are too small to be anonymous (on a quiet day, one count can be one person):
#: reports show them as "fewer than 5", never the number.
MIN_SHOWN = 5
FEWER = f"fewer than {MIN_SHOWN}"


def shown(count: int) -> str:
    """A count as reports may print it: the number, or "fewer than 5" (zero is shown: it is nobody)."""
    return FEWER if 0 < count < MIN_SHOWN else str(count)


def shown_total(total: int, parts: Iterable[int]) -> str:
    """A sum whose exact value would give away a hidden part: "about N" (to the nearest 5) then."""
    if any(0 < part < MIN_SHOWN for part in parts) and total >= MIN_SHOWN:
        return f"about {MIN_SHOWN * round(total / MIN_SHOWN)}"
    return shown(total)


def visible(series: Iterable[int]) -> list[int]:
    """A series for charts: counts too small to show are drawn as nothing."""
    return [count if count >= MIN_SHOWN else 0 for count in series]


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


def record_counts(db: Engine | Connection, pairs: Iterable[tuple[str, str]], today: dt.date | None = None) -> None:
    """Add one to each (kind, value) for today; unknown kinds and odd values are dropped.

    ``db`` is an engine (its own transaction) or a connection in the caller's transaction.
    """
    counts = Counter((kind, value) for kind, value in pairs if kind in KINDS and _VALUE.match(value))
    if not counts:
        return
    if isinstance(db, Connection):
        _add(db, counts, today)
        return
    with db.begin() as connection:
        _add(connection, counts, today)


def _add(connection: Connection, counts: Counter[tuple[str, str]], today: dt.date | None) -> None:
    # A source tag is whatever a link says: only tags the maintainers listed keep their name.
    names = counted_as(connection, [value for kind, value in counts if kind == "source"])
    if names:
        renamed: Counter[tuple[str, str]] = Counter()
        for (kind, value), n in counts.items():
            renamed[(kind, names[value] if kind == "source" else value)] += n
        counts = renamed
    day = today or utc_today()
    rows = [{"day": day, "kind": k, "value": v, "count": n} for (k, v), n in sorted(counts.items())]
    connection.execute(_counting(connection.dialect.name), rows)


def read_counts(engine: Engine, since: dt.date) -> list[CountRow]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(DailyCount)
            .where(DailyCount.day >= since)
            .order_by(DailyCount.day, DailyCount.kind, DailyCount.value)
        )
        return [CountRow(r.day, r.kind, r.value, r._mapping["count"]) for r in rows]
