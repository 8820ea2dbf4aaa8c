"""The YAML reader: libyaml's safe loader, with the line of every key and item, refusing aliases and object tags.

What it reads equals what PyYAML's safe loader reads (libyaml's, which it
builds on; real data files read the same with the pure-Python one); every line it gives is
the line the key or item is written on; whatever it refuses comes back as one
SourceError naming the file and line, never as another exception.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resource_bot.directory import yamlsource
from resource_bot.directory.validate import data_files
from resource_bot.directory.yamlsource import LineDict, LineList, SourceError, load_file, load_text
from resource_bot.paths import data_dir

FIXTURES = Path(__file__).parent / "fixtures"


def same_value(ours: Any, safe: Any) -> bool:
    """Equal to what yaml.safe_load reads (NaN equal to NaN), all the way down."""
    if isinstance(safe, dict):
        return isinstance(ours, dict) and list(ours) == list(safe) and all(same_value(ours[k], safe[k]) for k in safe)
    if isinstance(safe, list):
        return (
            isinstance(ours, list)
            and len(ours) == len(safe)
            and all(same_value(a, b) for a, b in zip(ours, safe, strict=True))
        )
    if isinstance(safe, float) and math.isnan(safe):
        return isinstance(ours, float) and math.isnan(ours)
    return type(ours) is type(safe) and bool(ours == safe)


def lines_point_at_their_text(value: Any, lines: list[str]) -> None:
    """Each key's line holds that key; each item's line is within its list; all the way down."""
    if isinstance(value, LineDict):
        for key, item in value.items():
            assert str(key) in lines[value.key_lines[key] - 1], (key, value.key_lines[key])
            lines_point_at_their_text(item, lines)
    elif isinstance(value, LineList):
        assert len(value.item_lines) == len(value)
        assert all(line >= value.line for line in value.item_lines)
        for item in value:
            lines_point_at_their_text(item, lines)


def outcome(text: str) -> tuple[str, Any]:
    """What load_text does with ``text``: a value, or a SourceError; any other exception fails the test."""
    try:
        return "value", load_text(text, Path("x.yaml"))
    except SourceError as exc:
        assert exc.line >= 1 and exc.message, exc
        return "refused", str(exc)


def safe_load(text: str) -> tuple[str, Any]:
    try:
        return "value", yaml.load(text, Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError):
        return "refused", None


def assert_reads_as_safe_load(text: str) -> tuple[str, Any]:
    """Whatever both readers accept reads the same; aliases are refused even where safe_load expands them."""
    ours, safe = outcome(text), safe_load(text)
    if ours[0] == "value" and safe[0] == "value":
        assert same_value(ours[1], safe[1]), (text[:200], ours, safe)
    return ours


REAL_FILES = [*data_files([data_dir()]), *data_files([FIXTURES / "directory"])]


@pytest.mark.parametrize("path", REAL_FILES, ids=[p.name for p in REAL_FILES])
def test_every_bundled_file_reads_as_safe_load_with_the_line_of_every_key(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    value = load_file(path)
    assert same_value(value, yaml.safe_load(text))
    assert isinstance(value, LineDict)
    lines_point_at_their_text(value, text.splitlines())


TRICKY = [
    "",
    "# only a comment\n",
    "---\n",
    "--- \n...\n",
    "%YAML 1.1\n---\na: 1\n",
    "%YAML 1.3\n---\na: 1\n",
    "verified: 2026-01-01\nzip: \"77002\"\nn: 77002\nq: '77002'\n",
    "b: [yes, no, on, off, y, n, Yes, NO, True, FALSE, 'yes', \"no\"]\n",
    "n: [~, null, Null, NULL, '', \"\"]\ne:\nf: \n",
    "i: [0o17, 0x1F, 017, 1_000, 1:20, -0, +5, 0b101, 190:20:30, 08, 09]\n",
    "f: [1.5, .inf, -.Inf, .NaN, 1e3, 1.0e3, 6.8523015e+5, 685.230_15e+03, 190:20:30.15, '1.5']\n",
    "t: [2026-01-01 10:00:00, 2026-01-01T10:00:00Z, 2026-01-01t10:00:00.5+05:30, 2026-1-1, 2026-01-01 1:2:3 -5]\n",
    "text: |\n  line one\n  line two\nfolded: >\n  a\n  b\n\n  c\nstrip: |-\n  x\nkeep: |+\n  y\n\n",
    "plain: a multi\n  line plain\n  scalar\nnext: 1\n",
    "[a, {b: c}, [d, [e]]]\n",
    "- a\n- - b\n  - c\n- d: e\n  f: g\n-\n- ''\n",
    "a:\n- 1\n- 2\nb:\n  - 3\n",
    "a:\n  b:\n    c:\n      d: [1, {e: f}]\n",
    "? a\n: b\n",
    "- ? a\n  : b\n",
    "a: &x 1\nb: 2\n",
    "a: 1\r\nb: [2,\r\n 3]\r\nc: 'x\r\n  y'\r\n",
    "a: 1\rb: 2\r",
    "a: x\u2028b: y\n",
    "a: x\x85b: y\n",
    'ñ: ü\n\'quoted key\': 1\n"dq": "\\u00e9\\x41\\N\\_"\n',
    "a: 'it''s'\nb: \"tab\\tx\"\n",
    "a: [http://x.org/a:b, x?y]\nb: Need help? Call.\n",
    "a: 'tab\there'\nb: |\n  tab\there\n",
    "\ufeffa: 1\n",
    "a: 1\n\ufeffb: 2\n",
    "a: |# comment\n  x\n",
    "! 12\n",
    "!\n",
    "a: ! 12\nb: ! '12'\nc: ! [1]\nd: ! {x: 1}\n",
    "a: !!str 12\nb: !!int '12'\nc: !!binary aGVsbG8=\nd: !!set {x, y}\ne: !!omap [x: 1]\nf: !!float 1\n",
    "<<: {a: 1}\nb: 2\n",
    "a: =\n",
    "{1: a, true: b}\n",
    "{1: a, 1.0: b}\n",
    "a: 1\nb: 2\na: 3\n",
    "? [a, b]\n: c\n",
    "a: 1\nb: [1, 2\nc: {d: 1}: 2\n",
    "a: &x 1\nb: &x 2\n",
    "a: &x 1\nb: *x\n",
    "a: *nope\n",
    "a: &x [*x]\n",
    "a: 1\n---\nb: 2\n",
    "a: 1\nb: 1\nb: 2\n--- x\n",
    "a: 2026-13-45\n",
    "a: 2026-02-30 10:00:00\n",
    "a: " + "9" * 5000 + "\n",
    "a: [1, 2\n",
    "a: b: c\n",
    "a: 'unclosed\n",
    "a:\n  - b\n c: d\n",
    "a: @x\n",
    "a: x\x01y\n",
    "a: \ufffe\n",
    "x" * 1100 + ": 1\n",
    "a: " + "[" * 60 + "]" * 60 + "\n",
    "a: " + "[" * 70 + "]" * 70 + "\n",
    "services: " + "[" * 5000 + "]" * 5000,
    "services:\n" + "".join(" " * i + "-\n" for i in range(1, 3000)),
]


@pytest.mark.parametrize("text", TRICKY, ids=range(len(TRICKY)))
def test_tricky_input_reads_as_safe_load_or_is_refused_with_a_line(text: str) -> None:
    assert_reads_as_safe_load(text)


def test_scalars_resolve_as_the_safe_loader_resolves_them() -> None:
    kind, value = assert_reads_as_safe_load(
        'verified: 2026-01-01\nzip: "77002"\nn: 77002\nopen: yes\nno_key: no\nnothing:\nwhen: 2026-01-01 10:00:00\n'
    )
    assert kind == "value"
    assert value == {
        "verified": dt.date(2026, 1, 1),
        "zip": "77002",
        "n": 77002,
        "open": True,
        "no_key": False,
        "nothing": None,
        "when": dt.datetime(2026, 1, 1, 10, 0),
    }
    assert value.key_lines == {"verified": 1, "zip": 2, "n": 3, "open": 4, "no_key": 5, "nothing": 6, "when": 7}


def test_items_know_their_lines() -> None:
    value = load_text("services:\n  - id: a\n    topics: [legal,\n      food]\n  - id: b\n", Path("x.yaml"))
    services = value["services"]
    assert (services.line, services.item_lines) == (2, [2, 5])
    assert (services[0].key_lines, services[0]["topics"].item_lines) == ({"id": 2, "topics": 3}, [3, 4])


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("a: &x [1]\nb: *x\n", 2, "anchors and aliases"),
        ("a: 1\nb: [*nope]\n", 2, "anchors and aliases"),
        ("a: &x 1\nb: &x 2\n", 2, "anchors and aliases"),
        ("a: &x [*x]\n", 1, "anchors and aliases"),
        ("services:\n  - !!python/object/apply:os.system ['true']\n", 2, "tags like !!python"),
        ("a: !custom 1\n", 1, "tags like !!python"),
        ("a: 1\nb: 2\na: 3\n", 3, "the key 'a' appears twice"),
        ("{1: a, true: b}\n", 1, "the key True appears twice"),
        ("? [a]\n: b\n", 1, "a key must be a plain word"),
        ("a:\n  verified: 2026-13-45\n", 2, "cannot be read as a date or number"),
        ("a: [1,\n", 2, "expected the node content"),
        ("a: 1\nb: 2\na: 3\nc: *x\n", 4, "anchors and aliases"),  # an alias anywhere beats a duplicate key
        ("a: 1\na: 2\nb: &x 1\nc: *x\n", 4, "anchors and aliases"),  # a defined one too
        ("a: 1\na: 2\nb: [\n", 4, "expected the node content"),  # and broken syntax beats both
        ("a: " + "[" * 65 + "]" * 65 + "\n", 1, "nested too deeply"),
        ("a: 1\n" + "[" * 5000 + "]" * 5000 + "\n", 2, "nested too deeply"),
    ],
)
def test_refusals_name_the_line_and_the_fix(text: str, line: int, says: str) -> None:
    with pytest.raises(SourceError) as refused:
        load_text(text, Path("x.yaml"))
    assert refused.value.line == line and says in refused.value.message, refused.value


@pytest.mark.parametrize(
    ("content", "line", "says"),
    [
        ("services:\n  - name: Línea\n".encode("latin-1"), 2, "not UTF-8"),
        (b"a: 1\nb: \x00\n", 2, "NUL byte"),
        (b"a: 1\n" + b"#" * (yamlsource.MAX_FILE_BYTES + 1), 1, "larger than 20 MB"),
    ],
    ids=["latin-1", "NUL", "oversize"],
)
def test_bad_bytes_are_refused(tmp_path: Path, content: bytes, line: int, says: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(SourceError) as refused:
        load_file(path)
    assert refused.value.line == line and says in refused.value.message


def test_a_billion_laughs_is_refused_at_the_first_alias_without_expanding_it() -> None:
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    bomb = "\n".join(levels) + "\nservices: [*a9]\n" + "filler: [x, y]\n" * 20_000
    with pytest.raises(SourceError) as refused:
        load_text(bomb, Path("bomb.yaml"))
    assert refused.value.line == 2 and "anchors and aliases" in refused.value.message


PUNCTUATION = "-:[]{}!&*?|>'\"#%@`,.\\ \n\n\t\r~0123456789abcdefnstuxyz\u00e9\ufeff\u2028\x85"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=PUNCTUATION, max_size=120))
def test_random_yaml_punctuation_reads_as_safe_load_or_is_refused_with_a_line(text: str) -> None:
    assert_reads_as_safe_load(text)


REAL_TEXT = "".join(path.read_text(encoding="utf-8") for path in data_files([data_dir()]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.integers(0, len(REAL_TEXT)),
    length=st.integers(0, 800),
    edits=st.lists(st.tuples(st.integers(0, 800), st.text(alphabet=PUNCTUATION, max_size=3)), max_size=3),
)
def test_damaged_real_data_reads_as_safe_load_or_is_refused_with_a_line(
    start: int, length: int, edits: list[tuple[int, str]]
) -> None:
    text = REAL_TEXT[start : start + length]
    for at, fragment in edits:
        text = text[:at] + fragment + text[at + len(fragment) :]
    assert_reads_as_safe_load(text)
