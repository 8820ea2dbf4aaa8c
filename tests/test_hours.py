"""Weekly opening hours. Services here are fictional."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resource_bot.directory.hours import (
    ALWAYS_OPEN,
    HoursError,
    HoursStatus,
    WeeklyHours,
    format_clock,
    format_when,
    is_open_at,
    parse_clock,
    parse_hours,
    status_at,
)

CHICAGO = ZoneInfo("America/Chicago")
NEW_YORK = ZoneInfo("America/New_York")

# "Test Legal Clinic": weekdays with a lunch break on Tuesday, closed weekends.
CLINIC = parse_hours(
    {
        "timezone": "America/Chicago",
        "mon": "09:00-17:00",
        "tue": "09:00-12:00, 13:00-17:00",
        "wed": "09:00-17:00",
        "thu": "09:00-17:00",
        "fri": "09:00-17:00",
        "sat": "closed",
    }
)
# "Test Shelter" intake desk: open every night, 22:00 to 02:00.
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NIGHTS = parse_hours({"timezone": "America/Chicago", **{day: "22:00-02:00" for day in WEEK}})


def at(year: int, month: int, day: int, hour: int, minute: int, zone: ZoneInfo = CHICAGO) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


# ---------------------------------------------------------------- reading hours


def test_24_7_is_always_open() -> None:
    assert parse_hours("24/7") == ALWAYS_OPEN and ALWAYS_OPEN.always_open
    assert ALWAYS_OPEN.to_yaml() == "24/7"
    assert status_at(ALWAYS_OPEN, datetime.now(UTC)) == HoursStatus("always")


def test_a_weekly_schedule_reads_into_minutes_monday_first() -> None:
    assert CLINIC.timezone == "America/Chicago" and not CLINIC.always_open
    assert CLINIC.days[0] == ((540, 1020),)
    assert CLINIC.days[1] == ((540, 720), (780, 1020))
    assert CLINIC.days[5] == () and CLINIC.days[6] == ()  # sat: closed, sun: missing


def test_a_range_past_midnight_runs_into_the_next_day() -> None:
    assert NIGHTS.days[0] == ((1320, 1560),)
    assert parse_hours({"timezone": "America/Chicago", "fri": "17:00-09:00"}).days[4] == ((1020, 1980),)


def test_a_whole_day_is_00_to_24() -> None:
    assert parse_hours({"timezone": "UTC", "sun": "00:00-24:00"}).days[6] == ((0, 1440),)


def test_hours_written_out_read_back_the_same() -> None:
    for hours in (CLINIC, NIGHTS, ALWAYS_OPEN, parse_hours({"timezone": "UTC", "sun": "00:00-24:00"})):
        assert parse_hours(hours.to_yaml()) == hours
    assert CLINIC.to_yaml() == {
        "timezone": "America/Chicago",
        "mon": "09:00-17:00",
        "tue": "09:00-12:00, 13:00-17:00",
        "wed": "09:00-17:00",
        "thu": "09:00-17:00",
        "fri": "09:00-17:00",
    }


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        (
            {"timezone": "Central", "mon": "09:00-17:00"},
            "unknown time zone 'Central': use an IANA name like America/Chicago",
        ),
        ({"timezone": "CST", "mon": "09:00-17:00"}, "use an IANA name like America/Chicago"),
        ({"timezone": "America/Gotham", "mon": "09:00-17:00"}, "unknown time zone 'America/Gotham'"),
        ({"mon": "09:00-17:00"}, "hours need a timezone"),
        ({"timezone": "America/Chicago", "mon": "25:00-26:00"}, "mon: time '25:00' is not a 24-hour HH:MM time"),
        ({"timezone": "America/Chicago", "mon": "9am-5pm"}, "write it as HH:MM, like 09:00"),
        ({"timezone": "America/Chicago", "mon": "09:00-09:00"}, "mon: '09:00-09:00' is empty"),
        ({"timezone": "America/Chicago", "monday": "09:00-17:00"}, "unknown day 'monday': use mon, tue, wed"),
        ({"timezone": "America/Chicago", "mon": "09:00-13:00, 12:00-17:00"}, "ranges that overlap"),
        ({"timezone": "America/Chicago", "mon": "9 to 5"}, "is not a range"),
        ({"timezone": "America/Chicago", "sun": False}, "sun: False is not hours"),
        ({"timezone": "America/Chicago"}, "no open day"),
        ("always", 'write "24/7"'),
        (7, 'hours must be "24/7" or a mapping'),
    ],
)
def test_bad_hours_say_what_is_wrong_and_how_to_fix_it(hours: object, message: str) -> None:
    with pytest.raises(HoursError, match=message):
        parse_hours(hours)


def test_hours_errors_are_value_errors() -> None:
    assert issubclass(HoursError, ValueError)


def test_this_machine_knows_the_time_zones_the_directory_uses() -> None:
    for name in (
        "America/Chicago",
        "America/New_York",
        "America/Los_Angeles",
        "Pacific/Honolulu",
        "America/Anchorage",
        "America/Puerto_Rico",
        "America/Phoenix",
    ):
        assert parse_hours({"timezone": name, "mon": "09:00-17:00"}).timezone == name


# ---------------------------------------------------------------- clock times from imports


@pytest.mark.parametrize(
    ("text", "minute"),
    [
        ("9", 540),
        ("9am", 540),
        ("9 AM", 540),
        ("3pm", 900),
        ("3:30 p.m.", 930),
        ("15:30", 930),
        ("noon", 720),
        ("midnight", 0),
        ("9 a. m.", 540),
        ("5 p.\u00a0m.", 1020),
        ("12 AM", 0),
        ("12 PM", 720),
        ("09:00:00", 540),
        ("0930", 570),
        ("17h", 1020),
        ("24:00", 0),
        ("Mediodía", 720),
    ],
)
def test_clock_times_are_read_the_way_people_write_them(text: str, minute: int) -> None:
    assert parse_clock(text) == minute


@pytest.mark.parametrize("text", ["25:00", "13pm", "0 am", "9:60", "", "soon", "9-5", "24:30"])
def test_clock_times_that_do_not_exist_are_errors(text: str) -> None:
    with pytest.raises(HoursError):
        parse_clock(text)


@given(st.text(max_size=30))
def test_any_text_is_a_minute_of_the_day_or_an_hours_error(text: str) -> None:
    try:
        minute = parse_clock(text)
    except HoursError:
        return
    assert 0 <= minute <= 1439


# ---------------------------------------------------------------- open or closed now


def test_the_clinic_is_open_until_5_on_a_monday_morning() -> None:
    status = status_at(CLINIC, at(2026, 11, 30, 10, 0))
    assert status == HoursStatus("open", until=at(2026, 11, 30, 17, 0))
    assert status.until is not None and status.until.tzinfo == CHICAGO


def test_after_hours_the_clinic_opens_tomorrow_morning() -> None:
    status = status_at(CLINIC, at(2026, 11, 30, 17, 0))
    assert status == HoursStatus("closed", next_open=at(2026, 12, 1, 9, 0))


def test_over_lunch_the_clinic_opens_again_at_1() -> None:
    assert status_at(CLINIC, at(2026, 12, 1, 12, 30)).next_open == at(2026, 12, 1, 13, 0)


def test_on_friday_evening_the_clinic_opens_again_on_monday() -> None:
    assert status_at(CLINIC, at(2026, 12, 4, 18, 0)).next_open == at(2026, 12, 7, 9, 0)


def test_the_time_is_read_in_the_services_time_zone() -> None:
    # 9:30 in New York is 8:30 in Chicago: not yet open.
    status = status_at(CLINIC, at(2026, 11, 30, 9, 30, zone=NEW_YORK))
    assert status.kind == "closed" and status.next_open == at(2026, 11, 30, 9, 0)


def test_an_overnight_desk_is_open_after_midnight_until_2() -> None:
    assert status_at(NIGHTS, at(2026, 12, 1, 1, 0)) == HoursStatus("open", until=at(2026, 12, 1, 2, 0))
    assert status_at(NIGHTS, at(2026, 12, 1, 12, 0)).next_open == at(2026, 12, 1, 22, 0)


def test_sunday_nights_hours_carry_into_monday_morning() -> None:
    sunday_night = parse_hours({"timezone": "America/Chicago", "sun": "20:00-06:00"})
    assert status_at(sunday_night, at(2026, 11, 30, 5, 0)).until == at(2026, 11, 30, 6, 0)  # a Monday


def test_open_every_minute_of_the_week_counts_as_always() -> None:
    every_day = parse_hours({"timezone": "America/Chicago", **{day: "00:00-24:00" for day in WEEK}})
    assert status_at(every_day, at(2026, 12, 2, 3, 0)).kind == "always"


def test_opening_time_stays_9_across_the_spring_daylight_saving_change() -> None:
    # 2027-03-14 is the US spring-forward Sunday; Monday 9:00 is CDT.
    status = status_at(CLINIC, at(2027, 3, 13, 12, 0))
    assert status.next_open == at(2027, 3, 15, 9, 0)
    assert status.next_open is not None and status.next_open.utcoffset() == timedelta(hours=-5)


def test_a_range_on_the_fall_back_night_lasts_an_hour_longer() -> None:
    # 2026-11-01 01:00-02:00 happens twice in Chicago; 00:00-04:00 is five real hours.
    night = parse_hours({"timezone": "America/Chicago", "sun": "00:00-04:00"})
    status = status_at(night, datetime(2026, 11, 1, 5, 30, tzinfo=UTC))  # 00:30 CDT
    assert status.kind == "open" and status.until is not None
    assert status.until.astimezone(UTC) - datetime(2026, 11, 1, 5, 0, tzinfo=UTC) == timedelta(hours=5)


def test_a_naive_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        status_at(CLINIC, datetime(2026, 11, 30, 10, 0))


@st.composite
def schedules(draw: st.DrawFn) -> WeeklyHours:
    days = []
    for _ in range(7):
        starts = sorted(draw(st.sets(st.integers(0, 47), max_size=3)))
        ranges = []
        for i, slot in enumerate(starts):
            limit = starts[i + 1] if i + 1 < len(starts) else slot + 48
            end = draw(st.integers(slot + 1, min(limit, slot + 47)))
            ranges.append((slot * 30, end * 30))
        days.append(tuple(r for r in ranges if r[1] <= 2880))
    zone = draw(st.sampled_from(["America/Chicago", "America/New_York", "Pacific/Honolulu", "UTC"]))
    return WeeklyHours(timezone=zone, always_open=False, days=tuple(days))


@settings(max_examples=300, deadline=None)
@given(
    schedules(), st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC))
)
def test_status_is_consistent_at_any_moment(hours: WeeklyHours, now: datetime) -> None:
    status = status_at(hours, now)
    if status.kind == "open":
        assert status.until is not None and status.until > now
        assert status.until.tzinfo == ZoneInfo(hours.timezone)
    elif status.kind == "closed":
        assert status.next_open is None or status.next_open > now
        assert (status.next_open is None) == (not any(hours.days))
        if status.next_open is not None:
            assert status_at(hours, status.next_open).kind in ("open", "always")


@settings(max_examples=100, deadline=None)
@given(schedules())
def test_any_schedule_written_out_reads_back_the_same(hours: WeeklyHours) -> None:
    if any(hours.days):
        assert parse_hours(hours.to_yaml()) == hours


# ---------------------------------------------------------------- saying when


def test_clock_times_are_said_the_usual_way_in_english_and_spanish() -> None:
    assert format_clock(at(2026, 11, 30, 17, 0), "en") == "5 PM"
    assert format_clock(at(2026, 11, 30, 17, 30), "en") == "5:30 PM"
    assert format_clock(at(2026, 11, 30, 0, 0), "en") == "12 AM"
    assert format_clock(at(2026, 11, 30, 12, 5), "en") == "12:05 PM"
    assert format_clock(at(2026, 11, 30, 17, 0), "es") == "5 p. m."
    assert format_clock(at(2026, 11, 30, 9, 30), "es") == "9:30 a. m."
    assert format_clock(at(2026, 11, 30, 9, 0), "fr") == "9 AM"  # unknown languages fall back to English


def test_when_is_said_relative_to_today() -> None:
    now = at(2026, 11, 30, 10, 0)  # a Monday
    assert format_when(at(2026, 11, 30, 17, 0), now, "en") == "5 PM"
    assert format_when(at(2026, 12, 1, 9, 0), now, "en") == "tomorrow 9 AM"
    assert format_when(at(2026, 12, 1, 9, 0), now, "es") == "mañana 9 a. m."
    assert format_when(at(2026, 12, 3, 9, 0), now, "en") == "Thu 9 AM"
    assert format_when(at(2026, 12, 3, 9, 0), now, "es") == "jue 9 a. m."
    assert format_when(at(2026, 12, 9, 9, 0), now, "en") == "Dec 9, 9 AM"
    assert format_when(at(2026, 12, 9, 9, 0), now, "es") == "9 dic, 9 a. m."


def test_today_means_today_where_the_service_is() -> None:
    # 11 PM in Chicago on Monday is already Tuesday in UTC; 9 AM Tuesday is still "tomorrow".
    now = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    assert format_when(at(2026, 12, 1, 9, 0), now, "en") == "tomorrow 9 AM"


@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)))
@settings(max_examples=300, deadline=None)
def test_the_quick_open_check_agrees_with_the_full_status(now: datetime) -> None:
    hours = parse_hours(
        {"timezone": "America/Chicago", "mon": "09:00-17:00", "tue": "09:00-12:00, 13:00-17:00", "fri": "22:00-02:00"}
    )
    assert is_open_at(hours, now) == (status_at(hours, now).kind in ("open", "always"))
