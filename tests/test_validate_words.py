"""A maintainer who breaks a data file's YAML is told the likely mistake in plain words, at its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from resource_bot.cli import main
from resource_bot.directory.yamlsource import SourceError, load_text

ENTRY = "services:\n  - id: fictional\n    name: Fictional help\n"

MISTAKES = [
    pytest.param(
        ENTRY + "   website: https://example.org\n",
        4,
        "this line is indented differently from the lines above it; the keys of one entry "
        "must start at the same column (the same number of spaces)",
        id="key indented one space too little",
    ),
    pytest.param(
        "services:\n  - id: fictional\n    name: Help: 24/7\n",
        3,
        "there is a colon (:) where a new `key: value` cannot start. If the value has a colon in it, "
        'put the value in quotes, like name: "Help: 24/7"; if it is a key, line it up with the keys above it',
        id="colon in an unquoted value",
    ),
    pytest.param(
        "services:\n  - id: fictional\n\tname: Fictional help\n",
        3,
        "a tab is used here; YAML needs spaces to indent (and after a colon). Replace the tab with spaces",
        id="tab",
    ),
    pytest.param(
        'services:\n  - id: fictional\n    name: "Fictional help\n    website: https://example.org\n',
        3,
        "a quote mark opened on this line is never closed; end the value with the same quote mark",
        id="unclosed quote, shown where it opened",
    ),
    pytest.param(
        "services:\n  - id: fictional\n    name: 'Maria's place'\n",
        3,
        "there is more text after a quoted value on this line (or a quote mark inside it). "
        "Put the whole value in one pair of quotes; inside single quotes write ' as ''",
        id="apostrophe inside single quotes",
    ),
    pytest.param(
        ENTRY + "    topics: [legal, food\n    website: https://example.org\n",
        4,
        "the list in [ ] that starts on this line is not closed with ], or a comma is missing; "
        "write it like [legal, food]",
        id="unclosed list, shown where it opened",
    ),
    pytest.param(
        ENTRY + "    website https://example.org\n    area: national\n",
        4,
        "this line has no colon after its key (write it as key: value), or a value runs on "
        "to the next line where a key was expected; check this line and the next",
        id="missing colon",
    ),
    pytest.param(
        ENTRY + "   - id: other\n",
        4,
        "this list item (the line starting with -) does not line up with the items above it; "
        "start every `- ` of one list at the same column",
        id="list item out of line",
    ),
    pytest.param(
        "services:\n  - id: fictional\n  name: Fictional help\n",
        3,
        "this key does not line up with the keys of the entry above it (it is indented too little, "
        "or sits in a list of plain values); line it up under the keys after that entry's `- `",
        id="key outside its entry",
    ),
    pytest.param(
        ENTRY + "    note: @home\n",
        4,
        "a value starts with @, which YAML keeps for itself; put the whole value in quotes",
        id="reserved first character",
    ),
]


@pytest.mark.parametrize(("text", "line", "words"), MISTAKES)
def test_validate_says_what_is_wrong_in_plain_words_at_the_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(text)

    result = CliRunner().invoke(main, ["validate", str(broken)])

    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{broken}:{line}: {words}"


@pytest.mark.parametrize(("text", "line", "words"), MISTAKES)
def test_the_yaml_reader_gives_the_plain_words(text: str, line: int, words: str) -> None:
    with pytest.raises(SourceError) as refused:
        load_text(text, Path("x.yaml"))
    assert (refused.value.line, refused.value.message) == (line, words)


def test_an_empty_folder_is_named_not_shown_as_dot_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    expected = f"{empty}: this folder has no .yaml files; name the folder that holds the directory's files"

    named = CliRunner().invoke(main, ["validate", str(empty)])
    monkeypatch.chdir(empty)
    here = CliRunner().invoke(main, ["validate", "."])

    for result in (named, here):
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [expected, "1 problem(s) found. Fix them and run validate again."]
