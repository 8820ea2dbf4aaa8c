"""Checks on the menu files themselves (conversations/<lang>.yaml).

These read the YAML directly, with PyYAML only, so they do not depend on the
engine that loads the files. The list of `ui` keys and their placeholders is
parsed from the table in conversations/README.md, so the README stays the one
place that defines them.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

import pytest
import yaml

from resource_bot.directory import topics

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = ROOT / "conversations"
README = CONVERSATIONS / "README.md"
LANGUAGES = ("en", "es")

LABEL_MAX = 30
INTRO_MAX = 600
HELP_OTHERS_INTRO_MAX = 1200

#: The only phone numbers allowed anywhere in these files (services and their
#: numbers come from the database, never from the menus).
LONG_NUMBERS_ALLOWED = ("1-888-373-7888",)
SHORT_NUMBERS_ALLOWED = frozenset({"911", "988", "211", "233733"})

#: `ui` keys that are buttons (short, with words, not emoji alone).
BUTTON_KEYS = (
    "back",
    "main_menu",
    "quick_exit",
    "change_language",
    "set_area",
    "next_page",
    "prev_page",
    "open_now_filter",
    "show_all",
    "switch_language",
    "share_location",
    "clear_area",
    "share",
    "report_problem",
    "report_wrong_number",
    "report_closed",
    "report_moved",
    "report_other",
)

COMMANDS = ("/start", "/menu", "/language", "/area", "/exit", "/forget", "/help")
NHTH = "1-888-373-7888"


# --------------------------------------------------------------------------- helpers


def readme_ui_keys(text: str) -> dict[str, set[str]]:
    """The `ui` table of the README: key -> set of placeholder names."""
    _, _, section = text.partition("## `ui` keys")
    section = section.split("\n## ", 1)[0]
    keys: dict[str, set[str]] = {}
    for line in section.splitlines():
        m = re.match(r"^\|\s*`([a-z_]+)`\s*\|(.*)\|(.*)\|\s*$", line)
        if m:
            key, _shown, placeholders = m.groups()
            assert key not in keys, f"README lists ui key {key!r} twice"
            keys[key] = set(re.findall(r"\{(\w+)\}", placeholders))
    return keys


def placeholders(text: str) -> set[str]:
    """Field names in a str.format-style string; raises ValueError on stray braces."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(text):
        if field is not None:
            names.add(field)
    return names


def bad_numbers(text: str) -> list[str]:
    """Every run of 3+ digits that is not one of the allowed numbers."""
    for allowed in LONG_NUMBERS_ALLOWED:
        text = text.replace(allowed, " ")
    return [run for run in re.findall(r"\d{3,}", text) if run not in SHORT_NUMBERS_ALLOWED]


def letter_count(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def load(lang: str) -> dict[str, Any]:
    with (CONVERSATIONS / f"{lang}.yaml").open(encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    assert isinstance(doc, dict), f"{lang}.yaml must be a YAML mapping"
    return doc


@pytest.fixture(scope="module")
def readme_keys() -> dict[str, set[str]]:
    return readme_ui_keys(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=LANGUAGES)
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def docs() -> dict[str, dict[str, Any]]:
    return {lang: load(lang) for lang in LANGUAGES}


# ------------------------------------------------------------- the helpers can fail


def test_helpers_catch_what_they_should() -> None:
    assert bad_numbers("Call 555-0123") == ["555", "0123"]
    assert bad_numbers("Call 1-888-373-7889") == ["888", "373", "7889"]
    assert bad_numbers("Call 1-800-799-7233") == ["800", "799", "7233"]
    assert bad_numbers("Call 911, 988, 211 or 1-888-373-7888 (text 233733); open 24/7") == []
    assert bad_numbers("Text 9110") == ["9110"]
    assert placeholders("Page {page} of {pages}") == {"page", "pages"}
    with pytest.raises(ValueError):
        placeholders("a stray { brace")
    assert letter_count("⚖️") == 0
    assert letter_count("⚖️ Legal help") >= 2
    keys = readme_ui_keys("## `ui` keys\n| key | shown | placeholders |\n| `a` | x {no} | `{p}`, `{q}` |\n")
    assert keys == {"a": {"p", "q"}}


def test_readme_table_was_found(readme_keys: dict[str, set[str]]) -> None:
    # If the README's table changes shape, the other tests must not pass vacuously.
    assert len(readme_keys) >= 50
    assert readme_keys["welcome"] == set()
    assert readme_keys["page_of"] == {"page", "pages"}
    assert readme_keys["share_text"] == {"title", "link"}


# --------------------------------------------------------------------- file shape


def test_file_parses_with_the_right_shape(lang: str) -> None:
    doc = load(lang)
    assert set(doc) == {"language", "name", "ui", "topics", "flyer"}
    assert isinstance(doc["ui"], dict)
    assert isinstance(doc["topics"], dict)
    assert isinstance(doc["flyer"], dict)


def test_both_languages_have_the_same_flyer_words_with_the_same_placeholders() -> None:
    english, spanish = load("en")["flyer"], load("es")["flyer"]
    assert set(english) == set(spanish)
    for key in english:
        assert placeholders(english[key]) == placeholders(spanish[key]), key


def test_language_matches_file_name(lang: str) -> None:
    doc = load(lang)
    assert doc["language"] == lang
    assert isinstance(doc["name"], str) and letter_count(doc["name"]) >= 2


def test_both_files_have_the_same_ui_keys(docs: dict[str, dict[str, Any]]) -> None:
    assert set(docs["en"]["ui"]) == set(docs["es"]["ui"])


def test_ui_keys_are_exactly_the_readme_keys(lang: str, readme_keys: dict[str, set[str]]) -> None:
    ui = load(lang)["ui"]
    missing = sorted(set(readme_keys) - set(ui))
    extra = sorted(set(ui) - set(readme_keys))
    assert not missing and not extra, f"{lang}.yaml: missing {missing}, not in README {extra}"


def test_ui_values_are_non_empty_strings(lang: str) -> None:
    for key, value in load(lang)["ui"].items():
        assert isinstance(value, str) and value.strip(), f"{lang}.yaml ui.{key} is empty or not text"


def test_placeholders_match_the_readme(lang: str, readme_keys: dict[str, set[str]]) -> None:
    ui = load(lang)["ui"]
    for key, expected in readme_keys.items():
        got = placeholders(ui[key])
        assert got == expected, f"{lang}.yaml ui.{key}: placeholders {sorted(got)}, README says {sorted(expected)}"


def test_placeholders_are_the_same_in_both_languages(docs: dict[str, dict[str, Any]]) -> None:
    for key in docs["en"]["ui"]:
        assert placeholders(docs["en"]["ui"][key]) == placeholders(docs["es"]["ui"][key]), key


def test_topics_and_intros_have_no_placeholders_or_stray_braces(lang: str) -> None:
    for topic_id, entry in load(lang)["topics"].items():
        for field in ("label", "intro"):
            assert placeholders(entry[field]) == set(), f"{lang}.yaml {topic_id}.{field}"


# ------------------------------------------------------------------------- topics


def test_topics_are_exactly_the_taxonomy(lang: str) -> None:
    got = set(load(lang)["topics"])
    assert got == set(topics.ALL_TOPICS), (
        f"{lang}.yaml: missing {sorted(topics.ALL_TOPICS - got)}, unknown {sorted(got - topics.ALL_TOPICS)}"
    )


def test_every_topic_has_label_and_intro(lang: str) -> None:
    for topic_id, entry in load(lang)["topics"].items():
        assert isinstance(entry, dict) and set(entry) == {"label", "intro"}, f"{lang}.yaml {topic_id}"
        for field in ("label", "intro"):
            assert isinstance(entry[field], str) and entry[field].strip(), f"{lang}.yaml {topic_id}.{field}"


def test_labels_are_short_and_have_words(lang: str) -> None:
    for topic_id, entry in load(lang)["topics"].items():
        label = entry["label"]
        assert len(label) <= LABEL_MAX, f"{lang}.yaml {topic_id}.label is {len(label)} characters: {label!r}"
        assert letter_count(label) >= 2, f"{lang}.yaml {topic_id}.label needs words beside emoji: {label!r}"


def test_labels_are_unique(lang: str) -> None:
    labels = [entry["label"] for entry in load(lang)["topics"].values()]
    assert len(labels) == len(set(labels))


def test_buttons_are_short_and_have_words(lang: str) -> None:
    ui = load(lang)["ui"]
    for key in BUTTON_KEYS:
        assert len(ui[key]) <= LABEL_MAX, f"{lang}.yaml ui.{key} is too long: {ui[key]!r}"
        assert letter_count(ui[key]) >= 2, f"{lang}.yaml ui.{key} needs words, not only emoji: {ui[key]!r}"


def test_intros_are_not_too_long(lang: str) -> None:
    for topic_id, entry in load(lang)["topics"].items():
        limit = HELP_OTHERS_INTRO_MAX if topic_id == "help_others" else INTRO_MAX
        length = len(entry["intro"])
        assert length <= limit, f"{lang}.yaml {topic_id}.intro is {length} characters (limit {limit})"


# ------------------------------------------------------------------------ numbers


def test_no_made_up_numbers(lang: str) -> None:
    text = (CONVERSATIONS / f"{lang}.yaml").read_text(encoding="utf-8")
    for lineno, line in enumerate(text.splitlines(), start=1):
        bad = bad_numbers(line)
        assert not bad, f"{lang}.yaml:{lineno}: numbers {bad} are not 911, 988, 211, {NHTH} or 233733"


# ---------------------------------------------------------------- required content


def test_safety_lines_are_where_they_must_be(lang: str) -> None:
    ui = load(lang)["ui"]
    for key in ("sorry_error", "try_again_later"):
        for number in ("911", "988", NHTH):
            assert number in ui[key], f"{lang}.yaml ui.{key} must mention {number}"
    assert "211" in ui["not_sure"], f"{lang}.yaml ui.not_sure must mention 211"
    for number in ("211", NHTH, "911"):
        assert number in ui["no_services_here"], f"{lang}.yaml ui.no_services_here must mention {number}"
    for number in ("911", "988", NHTH, "233733"):
        assert number in ui["safety_line"], f"{lang}.yaml ui.safety_line must mention {number}"
    assert "\n" not in ui["safety_line"].strip(), f"{lang}.yaml ui.safety_line must be one line"
    for key in ("welcome", "help", "crisis_first"):
        assert "911" in ui[key], f"{lang}.yaml ui.{key} must mention 911"
    assert "911" in load(lang)["topics"]["emergency"]["intro"]


def test_welcome_and_help_name_the_quick_exit_button(lang: str) -> None:
    ui = load(lang)["ui"]
    button_words = ui["quick_exit"].split(maxsplit=1)[-1]  # the words beside the emoji
    assert button_words in ui["welcome"]
    assert button_words in ui["help"]


def test_help_lists_every_command(lang: str) -> None:
    help_text = load(lang)["ui"]["help"]
    for command in COMMANDS:
        assert re.search(re.escape(command) + r"\b", help_text), f"{lang}.yaml ui.help must explain {command}"


def test_not_sure_is_never_a_bare_i_dont_understand(lang: str) -> None:
    text = load(lang)["ui"]["not_sure"].lower()
    assert "don't understand" not in text and "do not understand" not in text
    assert "no entiendo" not in text
