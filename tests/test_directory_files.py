"""Validating and loading directory YAML: every problem with file:line, and no half-loaded directory."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from resource_bot.cli import main
from resource_bot.db import make_engine
from resource_bot.directory.catalog_db import read_catalog
from resource_bot.directory.load import load_paths
from resource_bot.directory.models import Service
from resource_bot.directory.validate import validate_paths
from resource_bot.paths import data_dir

GOOD = """\
services:
  - id: test-line
    name: Test Line
    description: A made-up line.
    topics: [food]
    phones:
      - {number: "212-555-0110"}
    area: national
    source: https://example.org/x
    verified: 2026-01-01
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / "tests" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def messages(folder: Path) -> list[str]:
    return [str(p) for p in validate_paths([folder / "tests"], today=dt.date(2026, 11, 28)).problems]


def test_bundled_directory_is_valid_and_real() -> None:
    result = validate_paths([data_dir()])
    assert result.ok, "\n".join(map(str, result.problems))
    assert len(result.services) >= 30
    for service in result.services:
        assert service.source_url.startswith(("https://", "http://"))
        for phone in service.phones:
            assert "555-01" not in phone.number


def test_good_file_has_no_problems(tmp_path: Path) -> None:
    write(tmp_path, "good.yaml", GOOD)
    assert messages(tmp_path) == []


@pytest.mark.parametrize(
    ("change", "line", "says"),
    [
        (("topics: [food]", "topics: [fod]"), 5, "did you mean 'food'"),
        (('"212-555-0110"', '"212-555-01"'), 7, "not a valid number"),
        (("https://example.org/x", "example dot org"), 9, "not a web address"),
        (("verified: 2026-01-01", "verified: 2027-01-01"), 10, "in the future"),
        (("    area: national\n", "    area: {states: [XX]}\n"), 8, "XX"),
        (("    verified: 2026-01-01\n", ""), 2, "`verified:` is missing"),
        (("    source: https://example.org/x\n", ""), 2, "no `source:`"),
        (("name: Test Line", "name: Test Line\n    nmae: typo"), 4, "did you mean 'name'"),
    ],
)
def test_each_problem_is_reported_with_its_line(tmp_path: Path, change: tuple[str, str], line: int, says: str) -> None:
    path = write(tmp_path, "bad.yaml", GOOD.replace(*change))
    found = messages(tmp_path)
    assert any(m.startswith(f"{path}:{line}:") and says in m for m in found), found


def test_short_codes_are_checked_as_short_codes(tmp_path: Path) -> None:
    text = GOOD.replace(
        '- {number: "212-555-0110"}',
        '- {number: "988"}\n      - {number: "233733", kind: sms, keyword: HELP}',
    )
    write(tmp_path, "short.yaml", text)
    assert messages(tmp_path) == []
    write(tmp_path, "short.yaml", GOOD.replace('"212-555-0110"', '"233733"'))
    assert any("kind: sms" in m for m in messages(tmp_path))


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD)
    assert any("duplicate id 'test-line'" in m and f"{first}:2" in m for m in messages(tmp_path))


def test_broken_yaml_and_hostile_yaml_are_reported_not_run(tmp_path: Path) -> None:
    broken = write(tmp_path, "broken.yaml", GOOD + "  - id: [unclosed\n")
    write(tmp_path, "tag.yaml", "services:\n  - !!python/object/apply:os.system ['echo pwned']\n")
    write(tmp_path, "bomb.yaml", "a: &a [x, x]\nb: &b [*a, *a]\nservices: [*b]\n")
    found = messages(tmp_path)
    assert any(m.startswith(f"{broken}:") for m in found)
    assert any("tags like !!python" in m for m in found)
    assert any("anchors and aliases" in m for m in found)


def test_fictional_numbers_are_refused_outside_tests(tmp_path: Path) -> None:
    real = tmp_path / "data"
    real.mkdir()
    (real / "x.yaml").write_text(GOOD, encoding="utf-8")
    problems = validate_paths([real], today=dt.date(2026, 11, 28)).problems
    assert any("fictional 555-01xx" in p.message for p in problems)


def test_failed_load_keeps_the_directory_that_was_there(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    assert load_paths(engine, [data_dir()]).ok
    before = len(read_catalog(engine))
    write(tmp_path, "broken.yaml", "services:\n  - id: [\n")
    result = load_paths(engine, [tmp_path / "tests"])
    assert not result.ok
    assert len(read_catalog(engine)) == before
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Service)).scalar() == before


def test_cli_validate_and_load_exit_1_with_file_and_line(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", GOOD.replace("topics: [food]", "topics: [fod]"))
    runner = CliRunner()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    result = runner.invoke(main, ["validate", str(bad)], env=env)
    assert result.exit_code == 1
    assert f"{bad}:5:" in result.output
    result = runner.invoke(main, ["load", str(bad)], env=env)
    assert result.exit_code == 1
    assert "the directory was not changed" in result.output
    result = runner.invoke(main, ["load"], env=env)
    assert result.exit_code == 0, result.output
    assert "Loaded" in result.output


def test_every_command_has_help_with_an_example() -> None:
    runner = CliRunner()

    def check(path: list[str], command: click.Command) -> None:
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output, " ".join(path)
        for name, sub in getattr(command, "commands", {}).items():
            check([*path, name], sub)

    for name, command in main.commands.items():
        check([name], command)
