"""Hostile maintainer inputs: HSDS paths outside the package, spreadsheet formulas, huge files, endless problems.

Each test reproduces one "Maintainer inputs" finding of issue 10 and pins the
answer: one clear line naming the file (and line and field where there is one),
never a traceback, never a byte read from outside the package or past a limit.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from resource_bot.cli import main
from resource_bot.directory.entries import MAX_PROBLEMS, MoreProblems, count_problems
from resource_bot.directory.hsds import export_hsds
from resource_bot.directory.hsds.reader import MAX_FILE_BYTES as MAX_HSDS_BYTES
from resource_bot.directory.validate import validate_paths
from resource_bot.directory.yamlsource import MAX_FILE_BYTES as MAX_YAML_BYTES
from tests.test_directory_files import GOOD
from tests.test_hostile_input import MESSY, assert_refused_cleanly, import_cli

#: The day the checks run; the tests' data is verified before it.
TODAY = dt.date(2026, 11, 28)


def messy_copy(folder: Path) -> Path:
    package = folder / "package"
    shutil.copytree(MESSY, package)
    return package


def point_resource_at(package: Path, table: str, path: str) -> None:
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == table:
            resource["path"] = path
    (package / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


# -- HSDS resource paths -----------------------------------------------------------------------------------
@pytest.fixture
def private_file(tmp_path: Path) -> Path:
    """Rows that must never reach an import: a case worker's client list next to the package."""
    private = tmp_path / "private" / "clients.csv"
    private.parent.mkdir()
    private.write_text("id,name,description\nc1,Jane Client,lives at 12 Elm St\n", encoding="utf-8")
    return private


@pytest.mark.parametrize("path", ["../private/clients.csv", "PRIVATE_ABSOLUTE", "/etc/passwd", "sub/../../x.csv"])
def test_an_hsds_resource_outside_the_package_is_refused(tmp_path: Path, private_file: Path, path: str) -> None:
    package = messy_copy(tmp_path)
    point_resource_at(package, "service", str(private_file) if path == "PRIVATE_ABSOLUTE" else path)
    assert_refused_cleanly(package, tmp_path / "tests" / "out", "points outside the package folder")


def test_a_csv_symlink_out_of_the_package_is_refused(tmp_path: Path, private_file: Path) -> None:
    package = messy_copy(tmp_path)
    (package / "services.csv").unlink()
    (package / "services.csv").symlink_to(private_file)
    assert_refused_cleanly(package, tmp_path / "tests" / "out", "points outside the package folder")
    (package / "datapackage.json").unlink()  # found by the folder scan, not the descriptor: refused too
    assert_refused_cleanly(package, tmp_path / "tests" / "out2", "points outside the package folder")


def test_a_resource_in_a_subfolder_of_the_package_is_still_read(tmp_path: Path) -> None:
    package = messy_copy(tmp_path)
    (package / "tables").mkdir()
    (package / "services.csv").rename(package / "tables" / "services.csv")
    point_resource_at(package, "service", "tables/services.csv")
    result = import_cli(package, tmp_path / "tests" / "out")
    assert result.exit_code == 0, result.output


# -- spreadsheet formulas ------------------------------------------------------------------------------------
def write_yaml(folder: Path, text: str) -> Path:
    path = folder / "tests" / "formulas.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("find", "replace", "line", "field"),
    [
        ("name: Test Line", 'name: "=HYPERLINK(\\"http://evil.example\\",\\"Call\\")"', 3, "name"),
        ("description: A made-up line.", 'description: "@SUM(A1:A9)"', 4, "description"),
        ("description: A made-up line.", "description: {en: Fine., es: '+1+2'}", 4, "description"),
        ("description: A made-up line.", "description: '-3+4 cmd'", 4, "description"),
        (
            '      - {number: "212-555-0110"}',
            '      - {number: "212-555-0110", note: "=cmd|\' /C calc\'!A0"}',
            7,
            "note",
        ),
    ],
    ids=["name", "description", "spanish", "minus", "phone note"],
)
def test_validate_refuses_text_a_spreadsheet_would_run(
    tmp_path: Path, find: str, replace: str, line: int, field: str
) -> None:
    path = write_yaml(tmp_path, GOOD.replace(find, replace))
    (problem,) = validate_paths([path], today=TODAY).problems
    assert (problem.path, problem.line) == (path, line)
    assert f"{field!r} starts with" in problem.message and "formula" in problem.message
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1 and f"{path}:{line}: '{field}' starts with" in result.output


def test_phone_numbers_and_ordinary_text_starting_with_a_digit_pass(tmp_path: Path) -> None:
    text = GOOD.replace('{number: "212-555-0110"}', '{number: "+1 212-555-0110"}').replace(
        "description: A made-up line.", "description: 24/7 line, free."
    )
    assert validate_paths([write_yaml(tmp_path, text)], today=TODAY).ok


def test_the_hsds_export_neutralises_formulas_and_leaves_numbers_alone(tmp_path: Path) -> None:
    directory = validate_paths([write_yaml(tmp_path, GOOD)], today=TODAY)
    assert directory.ok
    # Validation refuses formulas; the export still must not trust that nothing else wrote one.
    (service,) = directory.services
    directory.services[0] = dataclasses.replace(
        service, name={"en": '=HYPERLINK("http://evil.example","Call")'}, description={"en": "@SUM(A1:A9)"}
    )
    export_hsds(directory, tmp_path / "hsds")
    with (tmp_path / "hsds" / "services.csv").open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["name"] == '\'=HYPERLINK("http://evil.example","Call")'
    assert row["description"] == "'@SUM(A1:A9)"
    with (tmp_path / "hsds" / "phones.csv").open(encoding="utf-8", newline="") as handle:
        numbers = [r["number"] for r in csv.DictReader(handle)]
    assert numbers and not any(n.startswith("'") for n in numbers)


# -- huge files --------------------------------------------------------------------------------------------------
def sparse(path: Path, size: int) -> Path:
    """A file that says it is ``size`` bytes long and takes no disk (and would take ``size`` of memory to read)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


THREE_GB = 3 * 1024**3


def test_a_3_gb_yaml_file_is_refused_before_a_byte_is_read(tmp_path: Path) -> None:
    path = sparse(tmp_path / "tests" / "huge.yaml", THREE_GB)
    (problem,) = validate_paths([path], today=TODAY).problems
    assert problem.message == f"the file is larger than {MAX_YAML_BYTES // (1024 * 1024)} MB; split it"


def test_a_3_gb_hsds_csv_or_json_is_refused_before_a_byte_is_read(tmp_path: Path) -> None:
    package = messy_copy(tmp_path)
    sparse(package / "services.csv", THREE_GB)
    limit = f"larger than {MAX_HSDS_BYTES // (1024 * 1024)} MB"
    assert_refused_cleanly(package, tmp_path / "tests" / "out", limit)
    assert_refused_cleanly(sparse(tmp_path / "package.json", THREE_GB), tmp_path / "tests" / "out2", limit)
    (package / "services.csv").unlink()
    sparse(package / "datapackage.json", THREE_GB)
    assert_refused_cleanly(package, tmp_path / "tests" / "out3", limit)


# -- endless problems --------------------------------------------------------------------------------------------
def test_a_file_with_thousands_of_problems_lists_the_first_thousand_and_counts_the_rest(tmp_path: Path) -> None:
    items = 12_000
    path = write_yaml(tmp_path, "services:\n" + "  - 5\n" * items)
    problems = validate_paths([path], today=TODAY).problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert isinstance(problems[-1], MoreProblems) and count_problems(problems) == items
    assert str(problems[-1]).startswith(f"... and {items - MAX_PROBLEMS:,} more problem(s)")

    result = CliRunner().invoke(main, ["validate", str(path)])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == MAX_PROBLEMS + 2
    assert lines[-2].startswith("... and 11,000 more") and lines[-1].startswith(f"{items} problem(s) found")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe")
def test_a_yaml_pipe_is_read_only_up_to_the_limit(tmp_path: Path) -> None:
    """A file whose size the folder does not tell is read one byte past the limit, no further."""
    import threading

    path = tmp_path / "tests" / "pipe.yaml"
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    written: list[int] = []

    def feed() -> None:
        chunk = b"# " + b"x" * (1024 * 1024 - 3) + b"\n"
        try:
            with path.open("wb") as pipe:
                for _ in range(MAX_YAML_BYTES // len(chunk) + 50):
                    pipe.write(chunk)
                    written.append(len(chunk))
        except BrokenPipeError:
            pass  # the reader stopped: what this test wants

    feeder = threading.Thread(target=feed)
    feeder.start()
    (problem,) = validate_paths([path], today=TODAY).problems
    feeder.join(timeout=60)
    assert "larger than" in problem.message
    assert sum(written) < MAX_YAML_BYTES + 40 * 1024 * 1024, "the writer was cut off, not read to the end"
