"""Bot API calls, retried: flood waits sat out (bounded), network errors retried with backoff.

Hand-written rather than python-telegram-bot's ``AIORateLimiter``: that limiter also
throttles every call to a global rate and retries a flood wait a fixed number of times
with no deadline, while Quick exit needs each call bounded by the time it has left
(``deadline``), and network errors retried too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Tries for one Bot API call hit by network errors, and the first pause between them.
NETWORK_TRIES = 5
FIRST_BACKOFF = 0.25
#: Longest flood wait we sit out for one call (Telegram asks for seconds, rarely more)...
MAX_FLOOD_WAIT = 60.0
#: ...and the most, in total, before the call gives up: a chat's queue is never blocked for good.
MAX_TOTAL_FLOOD_WAIT = 120.0


def flood_wait(exc: RetryAfter) -> float:
    """The seconds Telegram asked for (``retry_after`` is an int today, a timedelta from PTB 23 on)."""
    value: int | float | dt.timedelta = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


def _past(deadline: float | None, wait: float) -> bool:
    """Whether waiting ``wait`` more seconds would pass ``deadline``."""
    return deadline is not None and time.monotonic() + wait > deadline


async def call(method: Callable[..., Awaitable[T]], *args: Any, deadline: float | None = None, **kwargs: Any) -> T:
    """Call the Bot API; sit out flood waits and retry network errors with backoff.

    The call is always tried once; waiting stops at ``deadline`` (``time.monotonic()``)
    and after ``MAX_TOTAL_FLOOD_WAIT`` seconds of flood waits, when the last error is raised.
    """
    pause = FIRST_BACKOFF
    network_failures = 0
    flood_waited = 0.0
    while True:
        try:
            return await method(*args, **kwargs)
        except RetryAfter as exc:
            wait = min(flood_wait(exc), MAX_FLOOD_WAIT)
            flood_waited += wait
            if flood_waited > MAX_TOTAL_FLOOD_WAIT or _past(deadline, wait):
                raise
            log.warning("flood control: waiting %.1f s", wait)
            await asyncio.sleep(wait)
        except BadRequest:
            raise
        except NetworkError:  # includes TimedOut
            network_failures += 1
            if network_failures >= NETWORK_TRIES or _past(deadline, pause):
                raise
            await asyncio.sleep(pause)
            pause *= 2
