"""Truncated, malformed and hostile input to the YAML loader and the HSDS importer.

Whatever the file holds, the answer is a list of problems with file and line
(YAML) or one clear error or report entry (HSDS): never a traceback, never
code run, never a directory or an --out folder changed half-way.
test_directory_files.py already proves one unclosed bracket, one
!!python/object/apply tag and a small alias bomb; here the input is random,
truncated, mis-encoded, huge or deep.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resource_bot.cli import Context, main
from resource_bot.clock import fixed_clock
from resource_bot.db import make_engine
from resource_bot.directory.catalog_db import read_catalog
from resource_bot.directory.hsds import ImportOptions, PackageError, import_hsds
from resource_bot.directory.load import current_version, load_paths
from resource_bot.directory.validate import data_files, validate_paths
from resource_bot.directory.yamlsource import MAX_FILE_BYTES
from resource_bot.paths import data_dir
from tests.postgres import fresh_schema
from tests.test_directory_files import GOOD

TODAY = dt.date(2026, 11, 28)
MESSY = Path(__file__).parent / "fixtures" / "hsds" / "messy"
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# -- the YAML loader ---------------------------------------------------------------------------------
def problems_of(path: Path) -> list[str]:
    """Validate one file; every problem must name that file and a line in it."""
    result = validate_paths([path], today=TODAY)
    for problem in result.problems:
        assert problem.path == path, problem
        assert problem.line >= 1, problem
        assert problem.message.strip(), problem
    return [f"{p.line}: {p.message}" for p in result.problems]


def write(folder: Path, content: bytes | str, name: str = "fuzz.yaml") -> Path:
    path = folder / "tests" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


yaml_syntax = st.text(alphabet="-:[]{}!&*?|>'\"#%@`,.\\ \n\t\r~0123456789abcdefnstuxyz\u00e9\ufeff\u2028", max_size=300)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30), st.dates(), st.binary(max_size=8)
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
service_fields = st.sampled_from(
    [
        "id",
        "organization",
        "name",
        "description",
        "topics",
        "phones",
        "website",
        "email",
        "languages",
        "cost",
        "confidential",
        "status",
        "area",
        "hours",
        "locations",
        "source",
        "verified",
        "nmae",
    ]
)


@FUZZ
@given(content=st.binary(max_size=600))
def test_random_bytes_give_problems_with_file_and_line(tmp_path: Path, content: bytes) -> None:
    problems_of(write(tmp_path, content))


@FUZZ
@given(text=yaml_syntax)
def test_random_yaml_punctuation_gives_problems_with_file_and_line(tmp_path: Path, text: str) -> None:
    problems_of(write(tmp_path, text))


@FUZZ
@given(service=st.dictionaries(service_fields, values, max_size=8))
def test_a_service_with_any_values_in_any_field_is_checked_not_crashed_on(
    tmp_path: Path, service: dict[str, Any]
) -> None:
    text = yaml.safe_dump({"services": [service], "organizations": [{"id": "x", "name": service.get("name")}]})
    problems_of(write(tmp_path, text))


@pytest.mark.parametrize("name", [p.name for p in data_files([data_dir()])])
def test_every_truncation_of_a_real_data_file_is_reported_or_valid(tmp_path: Path, name: str) -> None:
    whole = (data_dir() / name).read_bytes()
    lines = whole.count(b"\n") + 1
    for cut in range(0, len(whole), 211):
        found = problems_of(write(tmp_path, whole[:cut], name))
        assert all(int(p.split(":")[0]) <= lines for p in found), found


@pytest.mark.parametrize(("encoding", "line"), [("utf-16", 1), ("utf-16-le", 3), ("latin-1", 3), ("cp1252", 3)])
def test_a_file_in_another_encoding_says_so_and_where(tmp_path: Path, encoding: str, line: int) -> None:
    text = GOOD.replace("name: Test Line", "name: Línea de prueba")
    assert problems_of(write(tmp_path, text.encode(encoding))) == [
        f"{line}: this file is not UTF-8 text; save it as UTF-8 in your editor"
    ]


def test_a_30_mb_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    big = GOOD + "# " + "x" * 100 + "\n"
    path = write(tmp_path, big * (30 * 1024 * 1024 // len(big)))
    assert path.stat().st_size > MAX_FILE_BYTES
    assert problems_of(path) == ["1: the file is larger than 20 MB; split it"]


@pytest.mark.parametrize(
    "text",
    [
        "services: " + "[" * 50_000 + "]" * 50_000,
        "services:\n  - name: " + "{a: " * 50_000 + "1" + "}" * 50_000,
        "services:\n" + "".join(" " * i + "-\n" for i in range(1, 3000)),
    ],
    ids=["flow lists", "flow mappings", "block lists"],
)
def test_deeply_nested_structures_are_a_problem_not_a_crash(tmp_path: Path, text: str) -> None:
    (problem,) = problems_of(write(tmp_path, text))
    assert "nested too deeply" in problem


@pytest.mark.parametrize(
    "value",
    ["9" * 5000, "2026-13-45", "2026-02-30 10:00:00"],
    ids=["5,000-digit number", "month 13", "February 30"],
)
def test_values_yaml_cannot_construct_are_a_problem_on_their_line(tmp_path: Path, value: str) -> None:
    found = problems_of(write(tmp_path, GOOD.replace("verified: 2026-01-01", f"verified: {value}")))
    assert found and found[0].startswith("10: ") and "cannot be read" in found[0], found


def test_tags_that_construct_objects_run_no_code(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    tags = [
        f"!!python/object/apply:os.system ['touch {marker}']",
        f"!!python/object/new:subprocess.check_call [['touch', '{marker}']]",
        "!!python/name:os.system",
        "!!python/module:os",
        f"!!python/object/apply:pathlib.Path.touch [!!python/object/apply:pathlib.Path ['{marker}']]",
        "!custom {a: 1}",
    ]
    for n, tag in enumerate(tags):
        found = problems_of(write(tmp_path, f"services:\n  - {tag}\n", f"tag{n}.yaml"))
        assert found and found[0].startswith("2: ") and "tags like" in found[0], (tag, found)
    assert not marker.exists()


def test_a_billion_laughs_is_refused_at_the_first_alias(tmp_path: Path) -> None:
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    found = problems_of(write(tmp_path, "\n".join(levels) + "\nservices: [*a9]\n"))
    assert found == [
        "2: anchors and aliases (*name) are not allowed in data files; write the value out in full; "
        "check the indentation and quoting near here"
    ]


@pytest.mark.parametrize(
    ("change", "line", "field"),
    [
        (("source: https://example.org/x", "source: https://example.org/" + "x" * 600), 9, "source"),
        (
            ("    area: national\n", "    area: national\n    website: https://example.org/" + "w" * 500 + "\n"),
            9,
            "website",
        ),
        (("    area: national\n", "    area: national\n    email: " + "e" * 260 + "@example.org\n"), 9, "email"),
        (('- {number: "212-555-0110"}', '- {number: "233733", kind: sms, keyword: ' + "K" * 41 + "}"), 7, "keyword"),
        (
            (
                "    area: national\n",
                "    area: national\n    locations:\n      - address: {street: " + "s" * 301 + ", zip: '77002'}\n",
            ),
            10,
            "street",
        ),
        (
            (
                "    area: national\n",
                "    area: national\n    locations:\n      - address: {city: " + "c" * 121 + ", zip: '77002'}\n",
            ),
            10,
            "city",
        ),
        (
            ("    area: national\n", "    area: national\n    locations:\n      - address: {state: Texas}\n"),
            10,
            "state",
        ),
    ],
)
def test_a_value_longer_than_its_column_is_a_problem_not_a_postgresql_crash(
    tmp_path: Path, change: tuple[str, str], line: int, field: str
) -> None:
    found = problems_of(write(tmp_path, GOOD.replace(*change)))
    assert f"{line}: {field!r} is " in "\n".join(found) and "fit" in "\n".join(found), found


@pytest.fixture(scope="module")
def loaded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('loaded') / 'bot.sqlite3'}")
    assert load_paths(engine, [data_dir()]).ok
    yield engine
    engine.dispose()


@pytest.fixture
def loaded_postgres() -> Iterator[Any]:
    with fresh_schema("hostile") as url:
        engine = make_engine(url)
        try:
            assert load_paths(engine, [data_dir()]).ok
            yield engine
        finally:
            engine.dispose()


def assert_failed_load_changes_nothing(engine: Any, folder: Path) -> None:
    before = (current_version(engine).id, sorted(read_catalog(engine).services))  # type: ignore[union-attr]
    result = load_paths(engine, [folder], today=TODAY)
    assert not result.ok and all(p.line >= 1 for p in result.problems)
    after = (current_version(engine).id, sorted(read_catalog(engine).services))  # type: ignore[union-attr]
    assert after == before


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(st.binary(max_size=300), yaml_syntax), cut=st.integers(0, 4000))
def test_a_failed_load_leaves_the_directory_as_it_was(
    loaded_sqlite: Any, tmp_path_factory: pytest.TempPathFactory, content: bytes | str, cut: int
) -> None:
    folder = tmp_path_factory.mktemp("failing") / "tests"
    write(folder.parent, GOOD, "good.yaml")  # a good file next to a broken one: still nothing loads
    write(folder.parent, (data_dir() / "legal.yaml").read_bytes()[:cut] + b"\n  - id: [", "cut.yaml")
    write(folder.parent, content if isinstance(content, bytes) else content + "\n- [", "fuzz.yaml")
    assert_failed_load_changes_nothing(loaded_sqlite, folder)


def test_on_postgresql_too_long_values_fail_the_load_cleanly(loaded_postgres: Any, tmp_path: Path) -> None:
    write(tmp_path, GOOD.replace("source: https://example.org/x", "source: https://example.org/" + "x" * 600))
    assert_failed_load_changes_nothing(loaded_postgres, tmp_path / "tests")


# -- the HSDS importer -------------------------------------------------------------------------------
def messy_copy(folder: Path) -> Path:
    package = folder / "package"
    shutil.copytree(MESSY, package)
    return package


def import_cli(package: Path, out: Path) -> Any:
    args = ["import-hsds", str(package), "--out", str(out), "--no-matcher"]
    # The importer stamps `verified` with the command's day; the files are then validated on TODAY.
    result = CliRunner().invoke(main, args, obj=Context(clock=fixed_clock(TODAY)))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def assert_refused_cleanly(package: Path, out: Path, says: str) -> None:
    result = import_cli(package, out)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ") and says in result.output, result.output
    assert not out.exists() or not any(out.iterdir()), "nothing is written to --out"


def mutate(package: Path, name: str, content: bytes) -> Path:
    (package / name).write_bytes(content)
    return package


SERVICES_CSV = (MESSY / "services.csv").read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("services.csv", SERVICES_CSV.decode().replace("Safe", "Säfe").encode("latin-1"), "services.csv:2: not UTF-8"),
        ("services.csv", SERVICES_CSV.decode().encode("utf-16"), "services.csv:1: not UTF-8"),
        ("datapackage.json", b"[1, 2, 3]", 'expected {"resources": [...]}'),
        ("datapackage.json", b'{"resources": 5, "sources": 7}', 'expected {"resources": [...]}'),
        ("datapackage.json", b'{"resources": [{"path": "serv', "is not readable JSON"),
        ("datapackage.json", b"\xff\xfe{\x00", "is not readable JSON"),
        ("datapackage.json", b"[" * 100_000 + b"]" * 100_000, "nests too deeply"),
    ],
    ids=[
        "latin-1 csv",
        "utf-16 csv",
        "descriptor list",
        "descriptor wrong types",
        "truncated descriptor",
        "descriptor bytes",
        "descriptor nesting bomb",
    ],
)
def test_a_malformed_csv_package_gets_one_clear_error_and_an_empty_out_folder(
    tmp_path: Path, name: str, content: bytes, says: str
) -> None:
    package = mutate(messy_copy(tmp_path), name, content)
    assert_refused_cleanly(package, tmp_path / "tests" / "out", says)


def nested_cycle(depth: int) -> dict[str, Any]:
    """A service whose service_at_location holds a service whose ... (the API form, self-similar)."""
    record: dict[str, Any] = {"id": "s-end", "name": "End"}
    for n in range(depth):
        record = {
            "id": f"s{n}",
            "name": "x",
            "service_at_locations": [{"id": f"sal{n}", "location": {"id": f"l{n}"}, "service": record}],
        }
    return record


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nests too deeply"),
        (b"\xff\xfe\x00garbage", "is not readable JSON"),
        (b'{"services": [', "is not readable JSON"),
        (b"42", "is not HSDS JSON"),
        (b'"just a string"', "is not HSDS JSON"),
        (b"[1, 2]", "is not HSDS JSON"),
    ],
    ids=["nesting bomb", "binary", "truncated", "a number", "a string", "a list of numbers"],
)
def test_malformed_json_gets_one_clear_error(tmp_path: Path, content: bytes, says: str) -> None:
    package = tmp_path / "package.json"
    package.write_bytes(content)
    assert_refused_cleanly(package, tmp_path / "tests" / "out", says)


def test_records_nested_thousands_deep_get_a_clear_error(tmp_path: Path) -> None:
    package = tmp_path / "package.json"
    encoder = json.JSONEncoder(check_circular=False)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(50_000)
    try:
        package.write_text(encoder.encode(nested_cycle(2000)))
    finally:
        sys.setrecursionlimit(limit)
    assert_refused_cleanly(package, tmp_path / "tests" / "out", "nests")


@pytest.mark.parametrize("name", sorted(p.name for p in MESSY.glob("*.csv")))
def test_every_truncation_of_a_csv_imports_or_is_refused_cleanly(tmp_path: Path, name: str) -> None:
    whole = (MESSY / name).read_bytes()
    package = messy_copy(tmp_path)
    for n, cut in enumerate(sorted({len(whole) // 3, len(whole) // 2, len(whole) - 7, 1})):
        mutate(package, name, whole[:cut])
        out = tmp_path / "tests" / f"out{n}"
        result = import_cli(package, out)
        if result.exit_code == 0:
            assert validate_paths([out], today=TODAY).ok or not list(out.glob("*.yaml"))
        else:
            assert result.output.startswith("Error: ") and not out.exists(), result.output


def test_nul_bytes_in_csv_cells_do_not_break_the_import(tmp_path: Path) -> None:
    package = mutate(messy_copy(tmp_path), "services.csv", SERVICES_CSV.replace(b"Groceries", b"Groc\x00eries\x00"))
    out = tmp_path / "tests" / "out"
    result = import_cli(package, out)
    assert result.exit_code == 0, result.output
    assert validate_paths([out], today=TODAY).ok


FORMULAS = ['=HYPERLINK("http://evil.example","Call")', "+1+2", "-3+4", "@SUM(A1:A9)", "=cmd|' /C calc'!A0"]


def test_formula_looking_cells_are_left_out_and_reported_with_file_line_and_field(tmp_path: Path) -> None:
    package = messy_copy(tmp_path)
    rows = list(csv.DictReader((package / "services.csv").open(encoding="utf-8")))
    for row, formula in zip(rows, FORMULAS, strict=False):
        row["description"] = formula
    with (package / "services.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    phones = (package / "phones.csv").read_text(encoding="utf-8").splitlines()
    header = phones[0].split(",")
    bad_phone = {column: "" for column in header} | {"id": "ph-formula", "service_id": "svc-legal", "number": "=1+2"}
    (package / "phones.csv").write_text("\n".join([*phones, ",".join(bad_phone[c] for c in header)]) + "\n")

    out = tmp_path / "tests" / "out"
    report = import_hsds(package, out, ImportOptions(today=TODAY))
    assert validate_paths([out], today=TODAY).ok
    descriptions = [
        service.get("description")
        for path in out.glob("*.yaml")
        for service in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("services", [])
    ]
    assert not [d for d in descriptions if d in FORMULAS], "a spreadsheet would run them: left out"
    assert all(isinstance(d, str) for d in descriptions if d is not None)
    dropped = [n.reason for n in report.notes if n.kind == "dropped" and n.subject == "description"]
    assert len(dropped) == len(FORMULAS)
    assert all(reason.startswith("services.csv:") and "'description'" in reason for reason in dropped), dropped
    assert any(n.record == "svc-legal" and "=1+2" in n.reason for n in report.notes), "the bad number is reported"


cells = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    st.sampled_from(["", " ", '""', "=1+1", "\x00", "9" * 400, "https://", "1e999", "-1", "NaN", "77002", "TX"]),
)


@pytest.fixture(scope="module")
def messy_tables() -> dict[str, list[dict[str, str]]]:
    return {path.name: list(csv.DictReader(path.open(encoding="utf-8"))) for path in MESSY.glob("*.csv")}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_value_in_any_cell_of_tabular_json_is_imported_or_reported(
    tmp_path_factory: pytest.TempPathFactory, messy_tables: dict[str, list[dict[str, str]]], data: st.DataObject
) -> None:
    tables = json.loads(json.dumps(messy_tables))
    for _ in range(data.draw(st.integers(1, 12))):
        table = data.draw(st.sampled_from(sorted(tables)))
        if not tables[table]:
            continue
        row = data.draw(st.sampled_from(tables[table]))
        row[data.draw(st.sampled_from(sorted(row)))] = data.draw(cells)
    folder = tmp_path_factory.mktemp("tabular")
    package = folder / "package.json"
    package.write_text(json.dumps(tables))
    out = folder / "tests" / "out"
    try:
        import_hsds(package, out, ImportOptions(today=TODAY))
    except PackageError:
        assert not out.exists()
        return
    assert validate_paths([out], today=TODAY).ok or not list(out.glob("*.yaml"))


def test_an_import_that_fails_half_way_writes_nothing_to_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from resource_bot.directory.hsds import writer

    real = validate_paths  # the function writer.py imports

    def fails_after_writing(paths: Any, **kwargs: Any) -> Any:
        assert list(paths), "the YAML files are written by now"
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "validate_paths", fails_after_writing)
    out = tmp_path / "tests" / "out"
    with pytest.raises(OSError, match="No space"):
        import_hsds(MESSY, out, ImportOptions(today=TODAY))
    assert not out.exists()
    assert [p.name for p in out.parent.iterdir()] == [], "no staging folder is left behind either"
    monkeypatch.setattr(writer, "validate_paths", real)
    import_hsds(MESSY, out, ImportOptions(today=TODAY))
    assert validate_paths([out], today=TODAY).ok and (out / "import-report.txt").is_file()
