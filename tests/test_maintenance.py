"""Maintainers' commands: stale entries by file:line, listing reports per listing, anonymous counts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image
from sqlalchemy import select

from resource_bot.cli import main
from resource_bot.db import create_schema, make_engine
from resource_bot.dialog.events import Feedback
from resource_bot.feedback import ReportGuard, list_reports, purge_report_guards, record_feedback
from resource_bot.maintenance import sparkline, stale_entries, stats_lines, summarize
from resource_bot.sources import add_sources
from resource_bot.state_store import StateStore
from resource_bot.stats import record_counts

TODAY = dt.datetime.now(dt.UTC).date()


def service(service_id: str, verified: dt.date) -> str:
    return f"""  - id: {service_id}
    name: Fictional {service_id}
    description: A service made up for tests.
    topics: [legal]
    website: https://example.org/{service_id}
    area: national
    source: https://example.org/{service_id}
    verified: {verified.isoformat()}
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        "services:\n" + service("fresh", TODAY - dt.timedelta(days=10)) + service("old", TODAY - dt.timedelta(days=200))
    )
    (folder / "b.yaml").write_text("services:\n" + service("oldest", TODAY - dt.timedelta(days=400)))
    return folder


@pytest.fixture
def db_env(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}"}


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


# --- stale -----------------------------------------------------------------------------------


def test_stale_lists_old_entries_worst_first_with_file_and_line_and_fails(data: Path) -> None:
    result = run("stale", "--days", "180", str(data))

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert re.match(r".*b\.yaml:2: oldest \(Fictional oldest\) last verified .*, 400 days ago$", lines[0])
    assert re.match(r".*a\.yaml:10: old \(Fictional old\) last verified .*, 200 days ago$", lines[1])
    assert "2 entries not verified in 180 days" in result.stderr


def test_stale_passes_when_everything_was_checked_recently(data: Path) -> None:
    result = run("stale", "--days", "500", str(data))

    assert result.exit_code == 0
    assert result.stdout.startswith("OK")


def test_stale_fails_on_a_file_it_cannot_read_rather_than_passing_quietly(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("services:\n" + service("undated", TODAY).replace("verified:", "checked:"))

    result = run("stale", str(broken))

    assert result.exit_code == 1
    assert "resource-bot validate" in result.stderr


def test_the_bundled_directory_reports_its_real_entries_with_lines() -> None:
    report = stale_entries([Path(__file__).parents[1] / "data"], days=0, today=TODAY + dt.timedelta(days=1))

    assert report.entries and not report.problems
    nhth = next(e for e in report.entries if e.service_id == "nhth")
    text = (nhth.path.read_text().splitlines())[nhth.line - 1]
    assert "id: nhth" in text


# --- feedback --------------------------------------------------------------------------------


def test_feedback_groups_open_reports_per_listing_then_marks_them_done(db_env: dict[str, str]) -> None:
    engine = make_engine(db_env["DATABASE_URL"])
    create_schema(engine)
    record_feedback(engine, [Feedback("nhth", "wrong_number"), Feedback("nhth", "wrong_number")])
    record_feedback(engine, [Feedback("nhth", "closed"), Feedback("us-211", "moved"), Feedback("gone", "other")])

    listed = run("feedback", env=db_env)

    assert listed.exit_code == 0, listed.output
    blocks = listed.stdout.split("\n")
    assert re.match(r"nhth \(National Human Trafficking Hotline\) at .*crisis\.yaml:46: 3 open of 3", blocks[0])
    assert blocks[1] == "  wrong_number x2: #1, #2"
    assert blocks[2] == "  closed x1: #3"
    assert "gone (no longer in the directory) at -: 1 open" in listed.stdout
    assert "5 open report(s) on 3 listing(s)." in listed.stderr

    done = run("feedback", "--done", "1", "2", "3", env=db_env)

    assert done.exit_code == 0 and "Marked 3 report(s) done." in done.stdout
    assert "nhth" not in run("feedback", env=db_env).stdout
    everything = run("feedback", "--all", env=db_env).stdout
    assert "nhth (National Human Trafficking Hotline)" in everything and "#1 done" in everything
    assert [r.id for r in list_reports(engine)] == [5, 4]  # gone, us-211: ordered by listing id


def test_one_chat_files_at_most_one_report_per_listing_per_day(db_env: dict[str, str]) -> None:
    engine = make_engine(db_env["DATABASE_URL"])
    create_schema(engine)
    store = StateStore(engine, "a-secret")
    alice, bob = store.report_token(store.key_for(1)), store.report_token(store.key_for(2))
    yesterday = TODAY - dt.timedelta(days=1)

    assert record_feedback(engine, [Feedback("nhth", "closed")], yesterday, token=alice) == 1
    assert record_feedback(engine, [Feedback("nhth", "closed")] * 3, TODAY, token=alice) == 1
    assert record_feedback(engine, [Feedback("nhth", "moved")], TODAY, token=alice) == 0, "any reason"
    assert record_feedback(engine, [Feedback("us-211", "moved")], TODAY, token=alice) == 1, "another listing"
    assert record_feedback(engine, [Feedback("nhth", "moved")], TODAY, token=bob) == 1, "another chat"

    assert len(list_reports(engine)) == 4
    assert purge_report_guards(engine, TODAY) == 1
    with engine.connect() as connection:
        days = connection.execute(select(ReportGuard.day)).scalars().all()
    assert sorted(days) == [TODAY] * 3, "yesterday's guard row is gone, today's stay"


def test_feedback_done_with_an_unknown_id_marks_the_rest_and_fails_naming_it(db_env: dict[str, str]) -> None:
    engine = make_engine(db_env["DATABASE_URL"])
    create_schema(engine)
    record_feedback(engine, [Feedback("nhth", "closed")])

    result = run("feedback", "--done", "1", "99", env=db_env)

    assert result.exit_code == 1
    assert result.stdout == "Marked 1 report(s) done.\n"
    assert result.stderr == (
        "Error: No report has the id 99; nothing was marked for it. "
        "See every report id with: resource-bot feedback --all\n"
    )


def test_feedback_done_again_is_not_a_failure_and_says_so(db_env: dict[str, str]) -> None:
    engine = make_engine(db_env["DATABASE_URL"])
    create_schema(engine)
    record_feedback(engine, [Feedback("nhth", "closed"), Feedback("nhth", "wrong_number")])
    run("feedback", "--done", "1", env=db_env)

    result = run("feedback", "--done", "1", "2", env=db_env)

    assert result.exit_code == 0
    assert result.stdout == "Marked 1 report(s) done.\n"
    assert result.stderr == "Already done before: 1.\n"


def test_feedback_on_a_new_database_has_nothing_open(db_env: dict[str, str]) -> None:
    result = run("feedback", env=db_env)
    assert result.exit_code == 0 and result.stdout.strip() == "No open reports."


# --- stats -----------------------------------------------------------------------------------


def _counts(db_env: dict[str, str]) -> None:
    engine = make_engine(db_env["DATABASE_URL"])
    create_schema(engine)
    add_sources(engine, ["clinic4"])
    for days_ago, pairs in {
        0: [("topic", "legal")] * 6 + [("topic", "food"), ("language", "es"), ("quick_exit", "1")],
        3: [("topic", "legal"), ("language", "en")] + [("source", "clinic4")] * 5 + [("source", "JaneDoe")],
        29: [("topic", "work")],
        40: [("topic", "housing")],  # outside the 30 days
    }.items():
        record_counts(engine, pairs, today=TODAY - dt.timedelta(days=days_ago))


def test_stats_prints_totals_by_kind_then_value_and_a_line_per_day(db_env: dict[str, str], tmp_path: Path) -> None:
    _counts(db_env)
    chart = tmp_path / "stats.png"

    result = run("stats", "--days", "30", "--chart", str(chart), env=db_env)

    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()]
    assert ["topic", "legal", "7"] in rows and ["source", "clinic4", "5"] in rows
    assert not any("housing" in line for line in result.stdout.splitlines())
    assert rows.index(["topic", "legal", "7"]) < rows.index(["source", "clinic4", "5"])  # kinds in a fixed order
    per_day = next(line for line in result.stdout.splitlines() if line.startswith("topic ") and "busiest" in line)
    assert per_day.endswith(f"busiest {TODAY} (7)")
    image = Image.open(chart)
    assert image.format == "PNG" and image.width == 1800 and image.height > 600


def test_counts_under_five_show_as_fewer_than_five_and_never_as_a_day(db_env: dict[str, str]) -> None:
    _counts(db_env)

    out = run("stats", "--days", "30", env=db_env).stdout
    rows = [line.split() for line in out.splitlines()]

    assert ["food", "fewer", "than", "5"] in rows and ["work", "fewer", "than", "5"] in rows
    assert ["total", "about", "10"] in rows, "an exact total (9) would give away the hidden counts"
    assert ["quick_exit", "1", "fewer", "than", "5"] in rows
    quick_exit_days = next(line for line in out.splitlines() if line.startswith("quick_exit ") and "day" in line)
    assert quick_exit_days.endswith("no day with 5+"), "the day someone used Quick exit is not shown"


def test_only_listed_source_tags_are_counted_by_name(db_env: dict[str, str]) -> None:
    _counts(db_env)

    totals = summarize(make_engine(db_env["DATABASE_URL"]), days=30).totals
    assert totals["source"] == [("clinic4", 5), ("other", 1)], "JaneDoe from a made-up link counts as other"


def test_sources_add_list_and_remove_say_what_changed(db_env: dict[str, str]) -> None:
    added = run("sources", "add", "clinic4", "shelter_b", env=db_env)
    assert added.exit_code == 0, added.output
    assert "Listed clinic4, shelter_b" in added.stdout

    again = run("sources", "add", "clinic4", env=db_env)
    assert again.exit_code == 0 and "already listed" in again.stdout

    listed = run("sources", "list", env=db_env)
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ["clinic4", "shelter_b"]

    removed = run("sources", "remove", "shelter_b", "nosuch", env=db_env)
    assert removed.exit_code == 0 and "Unlisted shelter_b" in removed.stdout and "nosuch" in removed.stderr
    assert run("sources", "list", env=db_env).stdout.split()[0] == "clinic4"


@pytest.mark.parametrize("tag", ["Jane Doe", "other", "a" * 21, "clinic-4"])
def test_a_tag_that_cannot_be_listed_says_why_in_one_line(db_env: dict[str, str], tag: str) -> None:
    result = run("sources", "add", tag, env=db_env)

    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "clinic4" in result.output


def test_daily_series_cover_every_day_including_quiet_ones(db_env: dict[str, str]) -> None:
    _counts(db_env)
    summary = summarize(make_engine(db_env["DATABASE_URL"]), days=30)

    assert len(summary.days) == 30 and summary.last == TODAY
    assert summary.daily["topic"][-1] == 7 and summary.daily["topic"][-4] == 1 and summary.daily["topic"][0] == 1
    assert sum(summary.daily["topic"]) == 9
    assert sparkline([0, 1, 8]) == " ▁█"


def test_stats_without_counts_says_so_and_still_draws(db_env: dict[str, str], tmp_path: Path) -> None:
    result = run("stats", "--chart", str(tmp_path / "empty.png"), env=db_env)

    assert result.exit_code == 0
    assert result.stdout.startswith("No counts from")
    assert (tmp_path / "empty.png").exists()
    assert stats_lines(summarize(make_engine(db_env["DATABASE_URL"]), days=7))[0].endswith("(7 days).")
