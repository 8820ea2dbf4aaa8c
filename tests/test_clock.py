"""Dates come from one clock that the commands are handed, so the suite passes on any day.

A maintainer who runs a command on some day gets that day's answer: the import stamps it, validate
and stale compare against it. Tests hand in a fixed clock instead of reading the machine's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from resource_bot.cli import Context, main
from resource_bot.clock import fixed_clock, system_clock, utc_today
from resource_bot.directory.validate import validate_paths
from resource_bot.paths import data_dir

BUNDLED = validate_paths([data_dir()]).services
LAST_CHECKED = max(s.last_verified for s in BUNDLED)


def run_on(day: dt.date, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), obj=Context(clock=fixed_clock(day)))


def test_an_import_stamps_the_day_the_maintainer_ran_it(tmp_path: Path) -> None:
    # Exported with their real `verified` dates as HSDS assured dates, then imported on a day before
    # them: an assured date after the import day cannot be true, so each record gets the import day.
    day = LAST_CHECKED - dt.timedelta(days=400)
    assert run_on(LAST_CHECKED, "export-hsds", str(tmp_path / "package")).exit_code == 0
    out = tmp_path / "imported"

    result = run_on(day, "import-hsds", str(tmp_path / "package"), "--out", str(out), "--no-matcher")

    assert result.exit_code == 0, result.output
    stamped = {line.strip() for f in out.glob("*.yaml") for line in f.read_text().splitlines() if "verified:" in line}
    assert stamped == {f"verified: {day.isoformat()}"}
    assert run_on(day, "validate", str(out)).exit_code == 0


def test_validate_refuses_a_date_after_the_day_it_runs() -> None:
    result = run_on(LAST_CHECKED - dt.timedelta(days=1), "validate")

    assert result.exit_code == 1
    assert "is in the future; write the day you checked the source" in result.output


def test_stale_is_quiet_the_day_after_a_check_and_lists_everything_two_years_on() -> None:
    fresh = run_on(LAST_CHECKED + dt.timedelta(days=1), "stale", "--days", "100000")
    aged = run_on(LAST_CHECKED + dt.timedelta(days=730), "stale")

    assert fresh.exit_code == 0, fresh.output
    assert aged.exit_code == 1
    assert f"{len(BUNDLED)} entries not verified in 180 days" in aged.output


def test_the_bundled_directory_still_validates_years_from_now() -> None:
    assert run_on(LAST_CHECKED + dt.timedelta(days=3650), "validate").exit_code == 0


def test_a_fixed_clock_is_aware_and_a_naive_moment_is_refused() -> None:
    assert fixed_clock(dt.date(2030, 1, 2))() == dt.datetime(2030, 1, 2, 12, tzinfo=dt.UTC)
    assert utc_today(fixed_clock(dt.date(2030, 1, 2))) == dt.date(2030, 1, 2)
    assert system_clock().tzinfo is dt.UTC
    with pytest.raises(ValueError, match="aware datetime"):
        fixed_clock(dt.datetime(2030, 1, 2))
