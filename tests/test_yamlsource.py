"""The fast YAML reader (libyaml's events) and the pure-Python one give the same answer, to the line.

Same values, same types, the same ``.line`` / ``key_lines`` / ``item_lines``,
and the same SourceError (message and line) for every file the reference
refuses; aliases, object tags, duplicate keys and bad bytes are refused on both.
"""

from __future__ import annotations

import datetime as dt
import math
import time
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
needs_libyaml = pytest.mark.skipif(not yamlsource.HAVE_LIBYAML, reason="PyYAML was built without libyaml")


def assert_same(fast: Any, slow: Any, where: str = "$") -> None:
    """Equal values of the same types, with every line number equal, all the way down."""
    assert type(fast) is type(slow), (where, fast, slow)
    if isinstance(slow, LineDict):
        assert (fast.line, fast.key_lines, list(fast)) == (slow.line, slow.key_lines, list(slow)), where
        for key in slow:
            assert_same(fast[key], slow[key], f"{where}.{key}")
    elif isinstance(slow, LineList):
        assert (fast.line, fast.item_lines, len(fast)) == (slow.line, slow.item_lines, len(slow)), where
        for i, (a, b) in enumerate(zip(fast, slow, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(slow, float) and math.isnan(slow):
        assert math.isnan(fast), where
    else:
        assert fast == slow, (where, fast, slow)


def outcome(text: str, fast: bool) -> tuple[str, Any]:
    try:
        return "value", load_text(text, Path("x.yaml"), fast=fast)
    except SourceError as exc:
        return "refused", str(exc)


def assert_both_agree(text: str) -> tuple[str, Any]:
    fast, slow = outcome(text, True), outcome(text, False)
    assert fast[0] == slow[0], (text[:200], fast, slow)
    if slow[0] == "value":
        assert_same(fast[1], slow[1])
    else:
        assert fast[1] == slow[1], text[:200]
    return slow


REAL_FILES = [*data_files([data_dir()]), *data_files([FIXTURES / "directory"])]


@pytest.mark.parametrize("path", REAL_FILES, ids=[p.name for p in REAL_FILES])
def test_every_bundled_file_reads_the_same_both_ways_without_falling_back(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = load_file(path, fast=False)
    if yamlsource.HAVE_LIBYAML:  # a real data file never needs the slow reader
        monkeypatch.setattr(yamlsource, "_load_python", lambda text: pytest.fail("fell back"))
    assert_same(load_file(path), slow)


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
def test_tricky_input_reads_or_is_refused_the_same_both_ways(text: str) -> None:
    assert_both_agree(text)


def test_scalars_resolve_as_the_safe_loader_resolves_them() -> None:
    kind, value = assert_both_agree(
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


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "pure-Python"])
@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("a: &x [1]\nb: *x\n", 2, "anchors and aliases"),
        ("a: 1\nb: [*nope]\n", 2, "anchors and aliases"),
        ("services:\n  - !!python/object/apply:os.system ['true']\n", 2, "tags like !!python"),
        ("a: !custom 1\n", 1, "tags like !!python"),
        ("a: 1\nb: 2\na: 3\n", 3, "the key 'a' appears twice"),
        ("{1: a, true: b}\n", 1, "the key True appears twice"),
        ("? [a]\n: b\n", 1, "a key must be a plain word"),
        ("a:\n  verified: 2026-13-45\n", 2, "cannot be read as a date or number"),
        ("a: [1,\n", 2, "expected the node content"),
        ("a: 1\nb: 2\na: 3\nc: *x\n", 4, "anchors and aliases"),  # an alias anywhere beats a duplicate key
        ("a: 1\na: 2\nb: [\n", 4, "expected the node content"),  # and so does broken syntax
    ],
)
def test_refusals_are_the_same_on_both_readers(fast: bool, text: str, line: int, says: str) -> None:
    with pytest.raises(SourceError) as refused:
        load_text(text, Path("x.yaml"), fast=fast)
    assert refused.value.line == line and says in refused.value.message, refused.value
    assert_both_agree(text)


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "pure-Python"])
@pytest.mark.parametrize(
    ("content", "line", "says"),
    [
        ("services:\n  - name: Línea\n".encode("latin-1"), 2, "not UTF-8"),
        (b"a: 1\nb: \x00\n", 2, "NUL byte"),
        (b"a: 1\n" + b"#" * (yamlsource.MAX_FILE_BYTES + 1), 1, "larger than 20 MB"),
    ],
    ids=["latin-1", "NUL", "oversize"],
)
def test_bad_bytes_are_refused_on_both_readers(
    tmp_path: Path, fast: bool, content: bytes, line: int, says: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    with pytest.raises(SourceError) as refused:
        load_file(path, fast=fast)
    assert refused.value.line == line and says in refused.value.message


@needs_libyaml
def test_a_billion_laughs_stops_the_fast_reader_at_the_first_alias() -> None:
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    bomb = "\n".join(levels) + "\nservices: [*a9]\n" + "filler: [x, y]\n" * 20_000
    start = time.perf_counter()
    with pytest.raises(yaml.MarkedYAMLError) as refused:  # from the fast reader itself, not a fallback
        yamlsource._load_fast(bomb)
    assert time.perf_counter() - start < 1.0
    assert refused.value.problem_mark is not None and refused.value.problem_mark.line + 1 == 2


@needs_libyaml
@pytest.mark.parametrize(
    "text",
    [
        "a: !!str 1\n",
        "a:\tb\n",
        "a: [x?]\n",
        "<<: {a: 1}\n",
        "a: &x 1\nb: &x 2\n",
        "a: 1\n--- 2\n",
        "a: [1\n",
        "a: " + "[" * 70 + "]" * 70,
    ],
)
def test_what_the_fast_reader_cannot_vouch_for_goes_to_the_pure_python_one(text: str) -> None:
    with pytest.raises(yamlsource._Fallback):
        yamlsource._load_fast(text)


def test_without_libyaml_the_pure_python_reader_does_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsource, "_CParser", None)
    path = data_files([data_dir()])[0]
    assert_same(load_file(path), load_file(path, fast=False))
    with pytest.raises(SourceError, match="anchors and aliases"):
        load_text("a: &x 1\nb: *x\n", Path("x.yaml"))


PUNCTUATION = "-:[]{}!&*?|>'\"#%@`,.\\ \n\n\t\r~0123456789abcdefnstuxyz\u00e9\ufeff\u2028\x85"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=PUNCTUATION, max_size=120))
def test_random_yaml_punctuation_reads_the_same_both_ways(text: str) -> None:
    assert_both_agree(text)


REAL_TEXT = "".join(path.read_text(encoding="utf-8") for path in data_files([data_dir()]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.integers(0, len(REAL_TEXT)),
    length=st.integers(0, 800),
    edits=st.lists(st.tuples(st.integers(0, 800), st.text(alphabet=PUNCTUATION, max_size=3)), max_size=3),
)
def test_damaged_real_data_reads_the_same_both_ways(start: int, length: int, edits: list[tuple[int, str]]) -> None:
    text = REAL_TEXT[start : start + length]
    for at, fragment in edits:
        text = text[:at] + fragment + text[at + len(fragment) :]
    assert_both_agree(text)
