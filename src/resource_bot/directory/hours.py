"""Weekly opening hours: reading them, and saying "open until 5 PM" or "opens tomorrow 9 AM".

Hours are kept in the service's own time zone, because that is how services
publish them and how daylight saving time moves them.

A range whose end is not after its start, like ``22:00-02:00`` or
``17:00-09:00``, runs overnight into the next day: shelters and hotlines
publish hours that way. It is stored on the day it starts, with an end past
1440 minutes (``22:00-02:00`` on Monday is ``(1320, 1560)`` in Monday's slot).
``09:00-09:00`` is empty and an error; a whole day is ``00:00-24:00``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY = 1440
_ALWAYS = "24/7"


@dataclass(frozen=True)
class _Words:
    am: str
    pm: str
    tomorrow: str
    days: tuple[str, ...]
    months: tuple[str, ...]
    day_first: bool  # "7 dic" rather than "Dec 7"


#: The few words times need, per language. English is the fallback.
WORDS: dict[str, _Words] = {
    "en": _Words(
        "AM",
        "PM",
        "tomorrow",
        ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
        False,
    ),
    "es": _Words(
        "a. m.",
        "p. m.",
        "mañana",
        ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
        ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
        True,
    ),
}


class HoursError(ValueError):
    """Hours that cannot be used; the message says what to change."""


Ranges = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class WeeklyHours:
    """Opening hours per weekday, Monday first; minutes from that day's midnight."""

    timezone: str
    always_open: bool
    days: tuple[Ranges, ...] = ((),) * 7

    def to_yaml(self) -> str | dict[str, str]:
        """The data/README.md form; closed days are left out."""
        if self.always_open:
            return _ALWAYS
        out = {"timezone": self.timezone}
        for key, ranges in zip(DAY_KEYS, self.days, strict=True):
            if ranges:
                out[key] = ", ".join(f"{_hhmm(start)}-{_hhmm(end)}" for start, end in ranges)
        return out


ALWAYS_OPEN = WeeklyHours(timezone="UTC", always_open=True)


@dataclass(frozen=True)
class HoursStatus:
    kind: Literal["always", "open", "closed"]
    until: datetime | None = None
    next_open: datetime | None = None


def _hhmm(minute: int) -> str:
    """Minutes to "HH:MM"; an end at midnight is 24:00, an overnight end wraps to the next day."""
    if minute != _DAY:
        minute %= _DAY
    return f"{minute // 60:02d}:{minute % 60:02d}"


_CLOCK_RE = re.compile(r"^(\d{1,2})(?:[:h](\d{2})(?::(\d{2}))?)?\s*(?:([ap])\s*m?)?\s*(?:hrs?|h)?$", re.ASCII)
_WORD_TIMES = {
    "noon": 720,
    "midday": 720,
    "12 noon": 720,
    "mediodia": 720,
    "midnight": 0,
    "12 midnight": 0,
    "medianoche": 0,
}


def parse_clock(text: str) -> int:
    """Minute of the day from a time as people write it in imports: "9", "3:30 p.m.", "15:30", "noon".

    "24:00" and "midnight" are 0; a range ending there ends at the end of the day.
    """
    if not isinstance(text, str):
        raise HoursError(f"time {text!r} must be text like 09:00")
    plain = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").casefold().split())
    plain = plain.replace("í", "i").replace(".", "").replace("a m", "am").replace("p m", "pm")
    if plain in _WORD_TIMES:
        return _WORD_TIMES[plain]
    digits = re.fullmatch(r"([0-9]{1,2})([0-9]{2})", plain)  # "0930", "1730"
    match = _CLOCK_RE.match(f"{digits[1]}:{digits[2]}" if digits else plain)
    if not match:
        raise HoursError(f"time {text!r} is not understood: write it like 09:00 or 5:30 PM")
    hour, minute, second = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    half = match[4]
    if minute > 59 or second > 59 or (half and not 1 <= hour <= 12) or hour > 24 or (hour == 24 and minute):
        raise HoursError(f"time {text!r} does not exist: hours go 0-23 (or 1-12 with AM/PM), minutes 0-59")
    if half:
        hour = hour % 12 + (12 if half == "p" else 0)
    return (hour % 24) * 60 + minute


_STRICT_RE = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")


def _strict_clock(text: str, *, end: bool) -> int:
    match = _STRICT_RE.match(text.strip())
    if match:
        hour, minute = int(match[1]), int(match[2])
        if minute < 60 and (hour < 24 or (end and hour == 24 and minute == 0)):
            return hour * 60 + minute
    try:
        hint = f", like {_hhmm(parse_clock(text))}"
    except HoursError:
        hint = ", like 09:00 or 17:30"
    raise HoursError(f"time {text.strip()!r} is not a 24-hour HH:MM time: write it as HH:MM{hint}")


def _day_ranges(key: str, value: object) -> Ranges:
    if isinstance(value, str) and value.strip().casefold() == "closed":
        return ()
    if not isinstance(value, str) or not value.strip():
        raise HoursError(f'{key}: {value!r} is not hours: write a range like "09:00-17:00" or closed')
    ranges = []
    for part in value.split(","):
        pieces = re.split(r"\s*[-–—]\s*", part.strip())
        if len(pieces) != 2:
            raise HoursError(f"{key}: {part.strip()!r} is not a range: write it like 09:00-17:00")
        try:
            start, end = _strict_clock(pieces[0], end=False), _strict_clock(pieces[1], end=True)
        except HoursError as exc:
            raise HoursError(f"{key}: {exc}") from None
        if end == start:
            raise HoursError(f"{key}: {part.strip()!r} is empty: for the whole day write 00:00-24:00")
        if end <= start:
            end += _DAY  # overnight, into the next day
        ranges.append((start, end))
    ranges.sort()
    for (_, first_end), (second_start, _) in zip(ranges, ranges[1:], strict=False):
        if second_start < first_end:
            raise HoursError(f"{key}: {value.strip()!r} has ranges that overlap: merge them into one")
    return tuple(ranges)


def _zone(name: object) -> ZoneInfo:
    hint = "use an IANA name like America/Chicago"
    if not isinstance(name, str) or not name.strip():
        raise HoursError("hours need a timezone: add an IANA name like `timezone: America/Chicago`")
    if "/" not in name and name != "UTC":  # "CST", "EST": abbreviations, no daylight saving time
        raise HoursError(f"unknown time zone {name!r}: {hint}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise HoursError(f"unknown time zone {name!r}: {hint}") from None


def parse_hours(value: object) -> WeeklyHours:
    """Read and check a service's ``hours:`` (see data/README.md, "Hours")."""
    if isinstance(value, WeeklyHours):
        return value
    if isinstance(value, str):
        if value.strip().casefold() == _ALWAYS:
            return ALWAYS_OPEN
        raise HoursError(f'hours {value!r} are not understood: write "24/7" or a weekly schedule with a timezone')
    if not isinstance(value, dict):
        raise HoursError('hours must be "24/7" or a mapping with a timezone and days like mon: "09:00-17:00"')
    for key in value:
        if key != "timezone" and key not in DAY_KEYS:
            raise HoursError(f"unknown day {key!r}: use mon, tue, wed, thu, fri, sat or sun")
    zone = _zone(value.get("timezone"))
    days = tuple(_day_ranges(key, value[key]) if key in value else () for key in DAY_KEYS)
    if not any(days):
        raise HoursError('hours list no open day: add a day like mon: "09:00-17:00", or leave hours out')
    return WeeklyHours(timezone=zone.key, always_open=False, days=days)


def _intervals(hours: WeeklyHours, zone: ZoneInfo, around: date) -> list[tuple[datetime, datetime]]:
    """Open intervals in UTC from two days before ``around`` to nine after, merged where they touch.

    Wall-clock times go through the zone one by one, so a 09:00 opening stays at
    09:00 across a daylight-saving change.
    """
    found = []
    for offset in range(-2, 10):
        day = around + timedelta(days=offset)
        midnight = datetime(day.year, day.month, day.day)
        for start, end in hours.days[day.weekday()]:
            begin = (midnight + timedelta(minutes=start)).replace(tzinfo=zone).astimezone(UTC)
            finish = (midnight + timedelta(minutes=end)).replace(tzinfo=zone).astimezone(UTC)
            if finish > begin:
                found.append((begin, finish))
    found.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, finish in found:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], finish))
        else:
            merged.append((begin, finish))
    return merged


def status_at(hours: WeeklyHours, now: datetime) -> HoursStatus:
    """Open until when, or closed until when, at the aware moment ``now``."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("status_at needs an aware datetime, like datetime.now(UTC)")
    if hours.always_open:
        return HoursStatus("always")
    zone = ZoneInfo(hours.timezone)
    moment = now.astimezone(UTC)
    intervals = _intervals(hours, zone, moment.astimezone(zone).date())
    for begin, finish in intervals:
        if begin <= moment < finish:
            if finish - moment > timedelta(days=7):
                return HoursStatus("always")  # open every minute of the week
            return HoursStatus("open", until=finish.astimezone(zone))
        if begin > moment:
            return HoursStatus("closed", next_open=begin.astimezone(zone))
    return HoursStatus("closed")


def is_open_at(hours: WeeklyHours, now: datetime) -> bool:
    """Whether the service is open at ``now``: today's ranges and last night's that run past midnight.

    A cheap yes/no for filtering many services per tap; :func:`status_at` tells until when.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("is_open_at needs an aware datetime, like datetime.now(UTC)")
    if hours.always_open:
        return True
    local = now.astimezone(ZoneInfo(hours.timezone))
    minute = local.hour * 60 + local.minute
    day = local.weekday()
    if any(start <= minute < end for start, end in hours.days[day]):
        return True
    return any(end > _DAY and minute < end - _DAY for _, end in hours.days[(day - 1) % 7])


def _words(lang: str) -> _Words:
    return WORDS.get(lang.split("-")[0].casefold(), WORDS["en"])


def format_clock(dt: datetime, lang: str) -> str:
    """ "5 PM", "5:30 PM"; in Spanish the 12-hour form US readers expect, "5 p. m.", "5:30 p. m."."""
    words = _words(lang)
    hour = dt.hour % 12 or 12
    time = f"{hour}:{dt.minute:02d}" if dt.minute else str(hour)
    return f"{time} {words.pm if dt.hour >= 12 else words.am}"


def format_when(dt: datetime, now: datetime, lang: str) -> str:
    """ "5 PM" later today, "tomorrow 9 AM", "Mon 9 AM" within a week, else "Dec 7, 9 AM".

    "Today" is a calendar day in ``dt``'s time zone: the service's.
    """
    words = _words(lang)
    today = now.astimezone(dt.tzinfo).date() if dt.tzinfo else now.date()
    ahead = (dt.date() - today).days
    clock = format_clock(dt, lang)
    if ahead == 0:
        return clock
    if ahead == 1:
        return f"{words.tomorrow} {clock}"
    if 1 < ahead < 7:
        return f"{words.days[dt.weekday()]} {clock}"
    month = words.months[dt.month - 1]
    return f"{dt.day} {month}, {clock}" if words.day_first else f"{month} {dt.day}, {clock}"
