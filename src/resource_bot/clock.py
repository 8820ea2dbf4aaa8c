"""What time it is, asked in one place, so every date the bot and its commands use can be set from outside.

Library functions take ``today`` or ``now`` as arguments. Only the edges (the ``resource-bot``
commands, the channels, the engine's constructor) ask a :data:`Clock`, and tests hand them a fixed one,
so the suite passes on any day. Days are UTC days everywhere, so a date never depends on the
machine's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

#: Returns the current moment as an aware UTC datetime.
Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fixed_clock(at: dt.datetime | dt.date) -> Clock:
    """A clock stopped at ``at`` (a date means noon UTC that day)."""
    if not isinstance(at, dt.datetime):
        at = dt.datetime.combine(at, dt.time(12), dt.UTC)
    elif at.tzinfo is None:
        raise ValueError("fixed_clock needs an aware datetime, like datetime(2026, 1, 1, tzinfo=UTC)")
    moment = at.astimezone(dt.UTC)
    return lambda: moment


def utc_today(clock: Clock = system_clock) -> dt.date:
    return clock().date()
