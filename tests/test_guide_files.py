"""The guide files: the bundled ones pass every check, and `resource-bot validate` names what is
wrong with a broken one (a screen nobody reaches, a dead end, a button too long, a language that
differs, no sources) as file:line, like the directory's problems. `link --guide` makes their links."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from resource_bot.cli import main
from resource_bot.dialog.guidecheck import check_folder
from resource_bot.dialog.menus import MenuError, Menus
from resource_bot.directory.validate import validate_paths
from resource_bot.paths import conversations_dir, data_dir

BUNDLED = conversations_dir() / "guides"
NO_BOT = {"BOT_USERNAME": "", "TELEGRAM_BOT_TOKEN": "", "TELEGRAM_BASE_URL": ""}


def run(*args: str, **env: str) -> Result:
    return CliRunner().invoke(main, list(args), env={**NO_BOT, **env})


@pytest.fixture
def guides(tmp_path: Path) -> Path:
    """A copy of the job check in both languages, to break."""
    folder = tmp_path / "guides"
    folder.mkdir()
    for lang in ("en", "es"):
        shutil.copy(BUNDLED / f"job-check.{lang}.yaml", folder)
    return folder


def edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` once; returns the line ``new`` starts on."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def line_of(path: Path, text: str) -> int:
    content = path.read_text(encoding="utf-8")
    return content[: content.index(text)].count("\n") + 1


def test_the_bundled_guides_pass_every_check_and_end_on_services_of_the_directory() -> None:
    services = {service.id for service in validate_paths([data_dir()]).services}
    found, problems = check_folder(BUNDLED, services)
    assert problems == []
    assert sorted({g.id for g in found}) == [
        "credit-block",
        "disaster-plan",
        "job-check",
        "record-relief",
        "safety-plan",
    ]
    for guide in found:
        assert guide.sources and all(s.startswith("https://") for s in guide.sources)
        assert "nhth" in {line for s in guide.steps.values() for line in s.lines} or guide.id == "disaster-plan"


def test_validate_checks_the_bundled_guides_by_default() -> None:
    result = run("validate")
    assert result.exit_code == 0, result.output


def test_validate_finds_a_screen_nobody_reaches(guides: Path) -> None:
    path = guides / "job-check.en.yaml"
    line = edit(
        path,
        "  result:\n",
        "  orphan:\n    text: Nobody comes here.\n    answers:\n      - {label: Go, go: result}\n  result:\n",
    )
    result = run("validate", "--guides", str(guides))
    assert result.exit_code == 1
    assert f"{path}:{line}: screen 'orphan' cannot be reached from the first" in result.output
    assert f"{guides / 'job-check.es.yaml'}:1: screens, answers, items or topics differ from job-check.en.yaml" in (
        result.output
    )


def test_validate_finds_a_dead_end(guides: Path) -> None:
    path = guides / "job-check.en.yaml"
    edit(path, '      - {label: "No", go: result}\n', "")
    edit(path, '      - {label: "Yes", add: [age], go: result}\n', "")
    result = run("validate", "--guides", str(guides))
    assert result.exit_code == 1
    line = line_of(path, "  age:")
    assert f"{path}:{line}: screen 'age' is a dead end: give it answers, or mark it `end: true`" in result.output


def test_validate_finds_a_button_too_long_for_a_phone(guides: Path) -> None:
    path = guides / "job-check.es.yaml"
    long = "Sí, mi jefe se queda con mi pasaporte y mis papeles"
    edit(
        path,
        '      - {label: "Sí", add: [documents], go: debt}',
        f'      - {{label: "{long}", add: [documents], go: debt}}',
    )
    result = run("validate", "--guides", str(guides))
    assert result.exit_code == 1
    line = line_of(path, "  documents:\n    text:")
    assert f"{path}:{line}: screen 'documents': the button '{long}' is over 40 characters" in result.output


def test_validate_finds_a_guide_without_sources_or_without_its_spanish(guides: Path) -> None:
    path = guides / "job-check.en.yaml"
    edit(path, "sources:\n  - https://polarisproject.org/labor-trafficking/\n", "sources:\n  - polarisproject.org\n")
    (guides / "job-check.es.yaml").unlink()
    result = run("validate", "--guides", str(guides))
    assert result.exit_code == 1
    assert f"{path}:{line_of(path, 'sources:')}: `sources` must list the https:// pages" in result.output
    assert f"{guides / 'job-check.es.yaml'}: guide 'job-check' has no es file" in result.output


def test_a_broken_guides_folder_stops_the_bot_from_starting_and_says_to_run_validate(tmp_path: Path) -> None:
    folder = tmp_path / "conversations"
    shutil.copytree(conversations_dir(), folder)
    edit(folder / "guides" / "job-check.en.yaml", 'go: debt}\n      - {label: "No", go: debt}', "go: debt}")
    with pytest.raises(MenuError, match="run `resource-bot validate`"):
        Menus.from_dir(folder)


def test_link_makes_a_guide_link_with_its_language() -> None:
    result = run("link", "--guide", "safety-plan", "--lang", "es", BOT_USERNAME="resource_help_bot")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "https://t.me/resource_help_bot?start=gsafety_plan-es"


def test_link_names_the_guides_when_one_is_misspelled() -> None:
    result = run("link", "--guide", "job_chek", BOT_USERNAME="resource_help_bot")
    assert result.exit_code == 1
    assert result.output == (
        "Error: There is no guide 'job_chek'. Did you mean \"job-check\"? "
        "The guides are: credit-block, disaster-plan, job-check, record-relief, safety-plan.\n"
    )


def test_link_needs_a_topic_or_a_guide_and_not_both() -> None:
    assert "Missing option '--topic' (or '--guide' for a guide)." in run("link", BOT_USERNAME="x_help_bot").output
    both = run("link", "--guide", "job-check", "--topic", "work", BOT_USERNAME="x_help_bot")
    assert both.exit_code == 2 and "A guide link opens the guide only: leave out --topic and --zip." in both.output
