"""Anonymous statistics: how many times per day each topic, service, link source, language
and quick exit was used. No chat ids, no text, no per-person trail: only counts.

Link sources are counted under their own name only when a maintainer listed them
(resource_bot.sources); counts too small to be anonymous are shown as "fewer than
5" (:func:`shown`).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
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
    day = today or utc_today()
    _write(connection, Counter({(day, kind, value): n for (kind, value), n in counts.items()}))


def _write(connection: Connection, counts: Counter[tuple[dt.date, str, str]]) -> None:
    """Add each (day, kind, value) count in one statement."""
    # A source tag is whatever a link says: only tags the maintainers listed keep their name.
    names = counted_as(connection, sorted({value for _, kind, value in counts if kind == "source"}))
    if names:
        renamed: Counter[tuple[dt.date, str, str]] = Counter()
        for (day, kind, value), n in counts.items():
            renamed[(day, kind, names[value] if kind == "source" else value)] += n
        counts = renamed
    rows = [{"day": d, "kind": k, "value": v, "count": n} for (d, k, v), n in sorted(counts.items())]
    connection.execute(_counting(connection.dialect.name), rows)


class Tally:
    """Today's counts in this process's memory, written to the database now and then (:meth:`flush`).

    Counting needs no write per message: the counts of many updates go in one statement.
    What a crash loses is the counts not yet flushed (the runtime flushes every few
    seconds and at shutdown); never a reply or a chat's state. Thread-safe: the counter
    is swapped whole under a lock. Bounded: past ``limit`` distinct counts waiting (a
    long database outage and many odd link tags), new kinds of count are dropped.
    """

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._counts: Counter[tuple[dt.date, str, str]] = Counter()

    def add(self, pairs: Iterable[tuple[str, str]], today: dt.date | None = None) -> None:
        """Count one of each (kind, value) for ``today``; unknown kinds and odd values are dropped."""
        kept = [(kind, value) for kind, value in pairs if kind in KINDS and _VALUE.match(value)]
        if not kept:
            return
        day = today or utc_today()
        with self._lock:
            self._merge([((day, kind, value), 1) for kind, value in kept])

    def _merge(self, items: Iterable[tuple[tuple[dt.date, str, str], int]]) -> None:
        counts = self._counts
        for key, n in items:
            if key in counts or len(counts) < self.limit:
                counts[key] += n

    def __len__(self) -> int:
        """How many distinct counts wait for the next flush."""
        with self._lock:
            return len(self._counts)

    def flush(self, db: Engine) -> int:
        """Write the waiting counts in one transaction; returns how many distinct counts went.

        On failure (the database is away) they wait for the next flush, and the error is raised.
        """
        taken = self.take()
        if not taken:
            return 0
        try:
            with db.begin() as connection:
                _write(connection, taken)
        except BaseException:
            self.put_back(taken)
            raise
        return len(taken)

    def take(self) -> Counter[tuple[dt.date, str, str]]:
        """The waiting counts, now out of memory: write them (:meth:`write`), or :meth:`put_back` on failure."""
        with self._lock:
            taken, self._counts = self._counts, Counter()
        return taken

    def put_back(self, taken: Counter[tuple[dt.date, str, str]]) -> None:
        """Counts whose transaction rolled back wait again for the next flush."""
        with self._lock:
            self._merge(taken.items())

    @staticmethod
    def write(connection: Connection, taken: Counter[tuple[dt.date, str, str]]) -> None:
        """Add taken counts in the caller's transaction (one statement)."""
        if taken:
            _write(connection, taken)


def read_counts(engine: Engine, since: dt.date) -> list[CountRow]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(DailyCount)
            .where(DailyCount.day >= since)
            .order_by(DailyCount.day, DailyCount.kind, DailyCount.value)
        )
        return [CountRow(r.day, r.kind, r.value, r._mapping["count"]) for r in rows]
