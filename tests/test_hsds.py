"""Open Referral HSDS import and export: behaviour on the specification's examples and a messy package."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from resource_bot.cli import main
from resource_bot.directory.hsds import ImportOptions, ImportReport, export_hsds, import_hsds
from resource_bot.directory.hsds.taxonomy import MappingError, TaxonomyMap, Term
from resource_bot.directory.service_area import NATIONAL
from resource_bot.directory.validate import validate_paths
from resource_bot.matching.need_matcher import NeedMatcher
from resource_bot.paths import conversations_dir, data_dir

FIXTURES = Path(__file__).parent / "fixtures" / "hsds"
SCHEMAS = FIXTURES / "schema"
TODAY = dt.date(2026, 11, 28)


def _import(
    package: Path, out: Path, matcher: NeedMatcher | None = None, **options: Any
) -> tuple[ImportReport, dict[str, dict[str, Any]]]:
    guess_topics = matcher.guess_topics if matcher is not None else None
    report = import_hsds(package, out, ImportOptions(today=TODAY, **options), guess_topics=guess_topics)
    services = {}
    for path in out.glob("*.yaml"):
        for service in (yaml.safe_load(path.read_text()) or {}).get("services", []):
            services[service["name"] if isinstance(service["name"], str) else service["name"]["en"]] = service
    return report, services


def _notes(report: ImportReport, record: str) -> list[str]:
    return [f"{n.kind}: {n.subject}: {n.reason}" for n in report.notes if n.record == record]


@pytest.fixture(scope="module")
def matcher() -> NeedMatcher:
    return NeedMatcher.from_directory(conversations_dir(), [])


@pytest.fixture(scope="module")
def messy(
    tmp_path_factory: pytest.TempPathFactory, matcher: NeedMatcher
) -> tuple[ImportReport, dict[str, dict[str, Any]], Path]:
    out = tmp_path_factory.mktemp("hsds") / "tests" / "messy"  # fictional 555-01xx numbers need a tests/ path
    report, services = _import(FIXTURES / "messy", out, matcher)
    return report, services, out


# -- the messy package ---------------------------------------------------------------------------


def test_messy_import_validates(messy: tuple[ImportReport, dict[str, dict[str, Any]], Path]) -> None:
    _, services, out = messy
    result = validate_paths([out], today=TODAY)
    assert result.ok, result.problems
    assert len(result.services) == len(services) == 4


def test_times_like_3pm_become_weekly_hours_in_the_locations_zone(messy: Any) -> None:
    _, services, _ = messy
    hours = services["Safe Harbor Shelter (fictional)"]["hours"]
    assert hours == {"timezone": "America/Chicago", **{d: "09:00-15:00" for d in ("mon", "tue", "wed", "thu", "fri")}}
    assert services["Fictional Immigrant Legal Clinic"]["hours"]["thu"] == "17:30-20:00"


def test_a_bare_city_name_is_placed_in_the_state_of_its_location_and_said_so(messy: Any) -> None:
    report, services, _ = messy
    zips = services["Safe Harbor Shelter (fictional)"]["area"]["zips"]
    assert "77002" in zips and "78701" not in zips
    assert any("'Houston' read as being in TX" in n for n in _notes(report, "svc-shelter"))


def test_a_location_outside_the_stated_area_is_kept_and_reported(messy: Any) -> None:
    report, services, _ = messy
    legal = services["Fictional Immigrant Legal Clinic"]
    assert "78701" in legal["area"]["zips"] and legal["locations"][0]["address"]["city"] == "Dallas"
    assert any("outside the stated service area" in n for n in _notes(report, "svc-legal"))


def test_blank_and_bad_fields_are_dropped_with_reasons(messy: Any) -> None:
    report, services, _ = messy
    shelter = _notes(report, "svc-shelter")
    assert "email" not in services["Safe Harbor Shelter (fictional)"]
    assert any("not-an-email" in n for n in shelter)
    assert any("type fax" in n for n in shelter)
    assert any("MONTHLY" in n for n in shelter)
    assert any("blank; the name stands in" in n for n in shelter)
    pantry = _notes(report, "svc-pantry")
    assert any("ended on 2020-12-31" in n for n in pantry)
    assert any("'25:00' does not exist" in n for n in pantry)
    assert any("'temporarily closed' read as inactive" in n for n in pantry)
    assert any("'1-800-FIC-TION' has letters" in n for n in _notes(report, "svc-trafficking"))
    assert any("'ABC 1234' is not a US ZIP" in n for n in _notes(report, "svc-legal"))


def test_records_that_cannot_stand_are_skipped_with_the_reason(messy: Any) -> None:
    report, services, _ = messy
    skipped = {n.record: n.reason for n in report.of_kind("skipped")}
    assert "no usable phone and no website" in skipped["svc-unreachable"]
    assert "no service area" in skipped["svc-nowhere"]
    assert "no need topic" in skipped["svc-gala"]
    assert "not linked to any imported service" in skipped["loc-orphan"]
    assert "org-blank" in skipped
    assert not {"Fictional Drop-in Hours", "Fictional Mobile Clinic", "Annual Gala Committee"} & set(services)


def test_taxonomy_terms_map_through_the_file_and_unmapped_ones_are_reported(messy: Any) -> None:
    report, services, _ = messy
    assert services["Safe Harbor Shelter (fictional)"]["topics"] == ["housing", "safety"]
    assert services["Fictional Immigrant Legal Clinic"]["topics"] == ["legal"]
    assert services["Fictional Corner Pantry"]["topics"] == ["food", "housing"]  # keywords column, in text order
    assert any("'Unicorn Care' (local) has no mapping" in n for n in _notes(report, "svc-legal"))


def test_the_need_matcher_fills_in_topics_only_as_a_reported_guess(messy: Any, tmp_path: Path) -> None:
    report, services, _ = messy
    assert services["Fictional Freedom Line"]["topics"] == ["trafficking"]
    assert any("guessed by the need matcher" in n for n in _notes(report, "svc-trafficking"))
    without, _ = _import(FIXTURES / "messy", tmp_path / "tests" / "out")
    assert "no need topic" in {n.record: n.reason for n in without.of_kind("skipped")}["svc-trafficking"]


def test_source_and_verified_fall_back_visibly(messy: Any) -> None:
    report, services, _ = messy
    line = services["Fictional Freedom Line"]
    assert line["source"] == "https://example.org/fictional-directory"  # the package's datapackage.json
    assert line["verified"] == TODAY  # its assured_date lies in the future
    assert any("set to the import date" in n for n in _notes(report, "svc-trafficking"))
    assert services["Safe Harbor Shelter (fictional)"]["verified"] == dt.date(2026, 10, 1)  # from last_modified


def test_the_report_file_lists_columns_without_a_place(messy: Any) -> None:
    _, _, out = messy
    text = (out / "import-report.txt").read_text()
    assert "service.wait_time: not imported" in text
    assert text.startswith("Imported 4 service(s)")


# -- Open Referral's own examples -------------------------------------------------------------------


@pytest.mark.parametrize(
    "package",
    [
        "csv",
        "json/tabular.json",
        "json/service_full.json",
        "json/service_list.json",
        "json/organization_full.json",
        "json/service_at_location_full.json",
    ],
)
def test_the_specification_examples_import_into_valid_yaml(package: str, tmp_path: Path, matcher: NeedMatcher) -> None:
    out = tmp_path / "tests" / "out"
    report, services = _import(FIXTURES / "openreferral" / package, out, matcher, default_area=NATIONAL)
    assert validate_paths([out], today=TODAY).ok
    assert list(services) == ["Community Counselling"]
    counselling = services["Community Counselling"]
    assert counselling["verified"] == dt.date(2005, 1, 1)
    if package != "json/service_list.json":  # the list form leaves locations out
        assert any("'MyState' is not a US state" in n.reason for n in report.notes)
    assert any("--area" in n.reason for n in report.of_kind("assumed"))


def test_without_an_area_the_uk_example_is_skipped_not_guessed(tmp_path: Path, matcher: NeedMatcher) -> None:
    report, services = _import(FIXTURES / "openreferral" / "csv", tmp_path / "tests" / "out", matcher)
    assert services == {}
    assert any("no service area" in n.reason for n in report.of_kind("skipped"))


# -- export: schema and round trip ---------------------------------------------------------------


def _typed(table: str, row: dict[str, str], types: dict[str, str]) -> dict[str, Any]:
    """A CSV row as JSON, typed by the specification's datapackage.json, blanks left out."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value != "":
            out[key] = float(value) if types.get(key) == "number" else value
    return out


def _official_resources() -> dict[str, dict[str, Any]]:
    package = json.loads((SCHEMAS / "datapackage.json").read_text())
    return {r["name"]: r for r in package["resources"]}


def _check_against_hsds(folder: Path) -> int:
    resources = _official_resources()
    ours = json.loads((folder / "datapackage.json").read_text())
    checked = 0
    tabular: dict[str, list[dict[str, Any]]] = {}
    for resource in ours["resources"]:
        official = resources[resource["name"]]
        fields = {f["name"]: f for f in official["schema"]["fields"]}
        types = {name: f["type"] for name, f in fields.items()}
        schema = json.loads((SCHEMAS / f"{resource['name']}.json").read_text())
        with (folder / resource["path"]).open(encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            assert set(reader.fieldnames or []) <= set(fields), resource["name"]
            required = {n for n, f in fields.items() if f.get("constraints", {}).get("required")}
            for row in reader:
                record = _typed(resource["name"], row, types)
                assert required <= set(record), (resource["name"], required - set(record))
                jsonschema.validate(record, schema, format_checker=jsonschema.FormatChecker())
                tabular.setdefault(resource["name"], []).append(record)
                checked += 1
    compiled = json.loads((SCHEMAS / "compiled_tabular.json").read_text())
    jsonschema.validate(tabular, compiled, format_checker=jsonschema.FormatChecker())
    return checked


def test_the_export_of_the_bundled_directory_passes_the_hsds_schemas(tmp_path: Path) -> None:
    directory = validate_paths([data_dir()])
    export_hsds(directory, tmp_path / "hsds")
    assert _check_against_hsds(tmp_path / "hsds") > 100


def test_export_import_export_gives_the_same_package(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    original = validate_paths([data_dir()])
    # The day of the import: the bundled data's newest check, so no date lies in the future on any day.
    today = max(TODAY, *(s.last_verified for s in original.services))
    export_hsds(original, first)
    report = import_hsds(first, tmp_path / "tests" / "yaml", ImportOptions(today=today))
    assert report.notes == [] and report.unplaced_fields == {}
    again = validate_paths([tmp_path / "tests" / "yaml"], today=today)
    export_hsds(again, second)
    for path in sorted(first.iterdir()):
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name
    by_id = {s.id: s for s in again.services}
    for service in original.services:  # nothing lost on the way: ids, Spanish, keywords, hours
        copy = by_id[service.id]
        assert (copy.name, copy.topics, copy.phones, copy.hours, copy.area, copy.source_url) == (
            service.name,
            service.topics,
            service.phones,
            service.hours,
            service.area,
            service.source_url,
        )


def test_the_messy_import_exports_and_round_trips_too(messy: Any, tmp_path: Path) -> None:
    _, _, out = messy
    export_hsds(validate_paths([out], today=TODAY), tmp_path / "first")
    assert _check_against_hsds(tmp_path / "first") > 0
    import_hsds(tmp_path / "first", tmp_path / "tests" / "again", ImportOptions(today=TODAY))
    export_hsds(validate_paths([tmp_path / "tests" / "again"], today=TODAY), tmp_path / "second")
    for path in sorted((tmp_path / "first").iterdir()):
        assert path.read_bytes() == (tmp_path / "second" / path.name).read_bytes(), path.name


# -- the mapping file ------------------------------------------------------------------------------


def test_the_mapping_prefers_the_longest_airs_prefix_and_whole_segments() -> None:
    mapping = TaxonomyMap.load()
    assert mapping.topics_for(Term(code="RX-8450.1000")) == ("health.substance",)
    assert mapping.topics_for(Term(code="RP-1400")) == ("health.mental",)
    assert mapping.topics_for(Term(code="YN-5000")) == ()  # target populations: ignored, not unmapped
    assert mapping.topics_for(Term(name="Mystery")) is None


def test_a_mapping_to_an_unknown_topic_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "map.yaml"
    bad.write_text("keywords:\n  shelter: housingg\n")
    with pytest.raises(MappingError, match="unknown topic 'housingg'"):
        TaxonomyMap.load(bad)


# -- the commands ---------------------------------------------------------------------------------


def test_the_commands_import_and_export(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "tests" / "yaml"
    result = runner.invoke(main, ["import-hsds", str(FIXTURES / "messy"), "--out", str(out), "--no-matcher"])
    assert result.exit_code == 0, result.output
    assert "Imported 3 service(s)" in result.output and (out / "import-report.txt").is_file()
    result = runner.invoke(main, ["--data", str(out), "export-hsds", str(tmp_path / "hsds")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "hsds" / "datapackage.json").is_file()


def test_the_import_command_refuses_a_folder_with_yaml_and_an_unknown_area(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "old.yaml").write_text("services: []\n")
    result = runner.invoke(main, ["import-hsds", str(FIXTURES / "messy"), "--out", str(tmp_path)])
    assert result.exit_code != 0 and "choose an empty folder" in result.output
    result = runner.invoke(
        main, ["import-hsds", str(FIXTURES / "messy"), "--out", str(tmp_path / "new"), "--area", "Atlantis"]
    )
    assert result.exit_code != 0 and "not a place the bot knows" in result.output


def test_help_shows_examples() -> None:
    for command in ("import-hsds", "export-hsds"):
        assert "Example" in CliRunner().invoke(main, [command, "--help"]).output


def test_a_folder_without_hsds_files_is_refused_with_a_hint(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "openreferral" / "README.md", tmp_path / "README.md")
    result = CliRunner().invoke(main, ["import-hsds", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code != 0 and "no HSDS CSV files" in result.output
