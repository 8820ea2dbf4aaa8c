"""`resource-bot ask`: the need matcher from the command line, for maintainers tuning keywords."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from resource_bot.cli import main
from resource_bot.directory import topics


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"RESOURCE_BOT_HOME": str(tmp_path), "DATABASE_URL": ""}


def test_json_lines_follow_the_documented_format(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["ask", "--json"], input="wage theft\n\nhuman trafficking\n", env=env)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["text"] for line in lines] == ["wage theft", "human trafficking"]
    for line in lines:
        assert set(line) == {"text", "crisis", "danger", "topics", "services"}
        assert line["crisis"] is False
        assert all(topics.is_topic(t["id"]) for t in line["topics"])
        scores = [t["score"] for t in line["topics"]]
        assert scores == sorted(scores, reverse=True)
        assert all({"id", "name", "score"} == set(s) for s in line["services"])
    assert lines[0]["topics"][0]["id"].split(".")[0] == "work"
    assert "nhth" in [s["id"] for s in lines[1]["services"]]


def test_words_on_the_command_line_are_one_request(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["ask", "--lang", "es", "--json", "estoy", "en", "peligro"], env=env)
    line = json.loads(result.output)
    assert line["text"] == "estoy en peligro"
    assert line["crisis"] is True
    assert line["topics"][0]["id"] == "emergency"


def test_json_shows_the_danger_level_and_kind(env: dict[str, str]) -> None:
    typed = "i want to die\nhelp me please\nhe has a gun\nfood bank\n"
    result = CliRunner().invoke(main, ["ask", "--json"], input=typed, env=env)
    dangers = [json.loads(line)["danger"] for line in result.output.splitlines()]
    assert dangers == [
        {"level": "now", "kind": "self_harm"},
        {"level": "maybe", "kind": None},
        {"level": "now", "kind": "weapon"},
        {"level": "none", "kind": None},
    ]


def test_plain_output_is_readable(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["ask", "credit", "repair"], env=env)
    assert "crisis: no" in result.output
    assert "credit" in result.output


def test_zip_filters_services_and_a_bad_zip_says_how_to_fix_it(env: dict[str, str]) -> None:
    good = CliRunner().invoke(main, ["ask", "--zip", "77002", "--json", "food"], env=env)
    assert good.exit_code == 0 and json.loads(good.output)["services"]
    bad = CliRunner().invoke(main, ["ask", "--zip", "0000", "food"], env=env)
    assert bad.exit_code == 2
    assert "five digits" in bad.output


def test_a_broken_danger_file_stops_ask_with_one_clear_line(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import resource_bot.runtime
    from resource_bot.paths import conversations_dir

    folder = tmp_path / "conversations"
    shutil.copytree(conversations_dir(), folder)
    (folder / "danger" / "es.yaml").write_text("language: es\nnow:\n  violence: ['{nadie} me mata']\n", "utf-8")
    monkeypatch.setattr(resource_bot.runtime, "conversations_dir", lambda: folder)
    result = CliRunner().invoke(main, ["ask", "food"], env=env)
    assert result.exit_code == 1
    assert "es.yaml" in result.output and "{nadie}" in result.output and "explains the format" in result.output
    assert "Traceback" not in result.output
