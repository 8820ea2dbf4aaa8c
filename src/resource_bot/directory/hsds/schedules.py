"""Weekly hours to and from HSDS schedule rows (iCal-style: freq, byday, opens_at, closes_at).

HSDS times carry a UTC offset, the directory an IANA zone (daylight saving
time moves hours by the zone's rules, not by a fixed offset). The export
writes both: the standard offset as HSDS asks, and the zone as an attribute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from resource_bot.directory.hours import DAY_KEYS, HoursError, WeeklyHours, parse_hours
from resource_bot.directory.hsds.fields import OFFSET_ZONES, clock_minutes, date_of, utc_offset_hours
from resource_bot.directory.hsds.report import Kind
from resource_bot.directory.hsds.tables import Row

DAY_CODES: tuple[str, ...] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FULL_DAY = (0, 1440)
_ALWAYS_WORDS = ("24/7", "24 hours", "24hrs", "24 hrs", "always open")
ALWAYS_DESCRIPTION = "Open 24 hours a day, 7 days a week."

#: (kind, subject, reason) -> None; the importer's way of adding a report note.
Notify = Callable[[Kind, str, str], None]


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _hhmm(minute: int) -> str:
    minute = minute if minute <= 1440 else minute - 1440
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _days(row: Row, notify: Notify) -> list[int] | None:
    raw = str(row.get("byday") or "").replace(" ", "").upper()
    if not raw:
        notify("assumed", f"schedule {row.get('id', '')}", "no byday: read as every day of the week")
        return list(range(7))
    days = []
    for token in raw.split(","):
        if token not in DAY_CODES:
            notify(
                "dropped",
                f"schedule {row.get('id', '')}",
                f"byday {raw!r} is not weekly days like MO,TU (monthly rules are not supported)",
            )
            return None
        days.append(DAY_CODES.index(token))
    return days


def _row_ranges(row: Row, today: dt.date, notify: Notify) -> tuple[list[int], tuple[int, int]] | None:
    subject = f"schedule {row.get('id', '')}"
    freq = str(row.get("freq") or "WEEKLY").upper()
    if freq != "WEEKLY" or str(row.get("interval") or "1") not in ("1", "1.0"):
        notify("dropped", subject, f"freq {freq} every {row.get('interval') or 1}: only weekly hours are supported")
        return None
    ends = date_of(row.get("valid_to"))
    if ends is not None and ends < today:
        notify("dropped", subject, f"ended on {ends} (valid_to)")
        return None
    words = f"{row.get('description') or ''} {row.get('notes') or ''}".casefold()
    if not row.get("opens_at") and not row.get("closes_at") and any(w in words for w in _ALWAYS_WORDS):
        return list(range(7)), _FULL_DAY
    if not row.get("opens_at") or not row.get("closes_at"):
        said = f" (description: {row.get('description')!r})" if row.get("description") else ""
        notify("dropped", subject, f"no opens_at and closes_at, so no hours to show{said}")
        return None
    try:
        start = clock_minutes(row["opens_at"], closing=False)
        end = clock_minutes(row["closes_at"], closing=True)
    except HoursError as exc:
        notify("dropped", subject, str(exc))
        return None
    days = _days(row, notify)
    if days is None:
        return None
    if end == start:
        notify("dropped", subject, f"opens and closes at the same time ({row['opens_at']})")
        return None
    return days, (start, end if end > start else end + 1440)


def hours_from_rows(rows: list[Row], zone: str | None, today: dt.date, notify: Notify) -> Any:
    """The data/README.md ``hours`` value for a service's schedule rows, or None when none is usable.

    ``zone`` is the IANA zone known from elsewhere (our attribute, the location's ZIP);
    without one, the rows' UTC offset picks the usual US zone for it, noted for review.
    """
    days: list[list[tuple[int, int]]] = [[] for _ in DAY_CODES]
    for row in rows:
        found = _row_ranges(row, today, notify)
        if found is not None:
            for day in found[0]:
                days[day].append(found[1])
    if not any(days):
        return None
    merged = [_merge(ranges) for ranges in days]
    if all(ranges == [_FULL_DAY] for ranges in merged):
        return "24/7"
    if zone is None:
        offsets = {offset for row in rows if (offset := utc_offset_hours(row.get("timezone"))) is not None}
        zone = OFFSET_ZONES.get(offsets.pop()) if len(offsets) == 1 else None
        if zone is None:
            notify("dropped", "hours", "no time zone: give the location a US ZIP or the schedule a US UTC offset")
            return None
        notify("assumed", "hours", f"time zone {zone} chosen from the UTC offset; check it (e.g. Arizona)")
    value: dict[str, str] = {"timezone": zone}
    for key, ranges in zip(DAY_KEYS, merged, strict=True):
        if ranges:
            value[key] = ", ".join(f"{_hhmm(start)}-{_hhmm(end)}" for start, end in ranges)
    try:
        return parse_hours(value).to_yaml()
    except HoursError as exc:
        notify("dropped", "hours", str(exc))
        return None


def standard_offset(zone: str) -> float:
    """The zone's UTC offset in January, in hours: what HSDS's numeric ``timezone`` can hold."""
    offset = dt.datetime(2026, 1, 15, 12, tzinfo=ZoneInfo(zone)).utcoffset() or dt.timedelta()
    return offset.total_seconds() / 3600


def _clock(minute: int) -> str:
    if minute == 1440:
        return "23:59:00"  # HSDS times are time-of-day; 24:00 does not exist there
    return f"{_hhmm(minute)}:00"


def rows_from_hours(hours: Any) -> list[tuple[Row, str | None]]:
    """Schedule rows (without ids) for a service's hours, each with the IANA zone to attach."""
    weekly = parse_hours(hours)
    if weekly.always_open or all(ranges == (_FULL_DAY,) for ranges in weekly.days):
        return [
            (
                {
                    "freq": "WEEKLY",
                    "wkst": "MO",
                    "byday": ",".join(DAY_CODES),
                    "opens_at": "00:00:00",
                    "closes_at": "23:59:00",
                    "description": ALWAYS_DESCRIPTION,
                },
                None,
            )
        ]
    return [(row, weekly.timezone) for row in _weekly_rows(weekly)]


def _weekly_rows(weekly: WeeklyHours) -> list[Row]:
    by_range: dict[tuple[int, int], list[int]] = {}
    for day, ranges in enumerate(weekly.days):
        for span in ranges:
            by_range.setdefault(span, []).append(day)
    rows = []
    for (start, end), days in sorted(by_range.items(), key=lambda item: (item[1][0], item[0])):
        rows.append(
            {
                "freq": "WEEKLY",
                "wkst": "MO",
                "byday": ",".join(DAY_CODES[d] for d in days),
                "opens_at": _clock(start),
                "closes_at": _clock(end),
                "timezone": standard_offset(weekly.timezone),
            }
        )
    return rows
