"""Read YAML files safely and remember the line of every value.

Maintainers need ``file:line`` in every message, so mappings and lists come
back as :class:`LineDict` / :class:`LineList`, which carry the line they start
on and the line of each key or item. Only plain YAML is accepted: tags that
would construct objects are refused by the safe loader, and anchors/aliases are
refused outright (data files never need them, and they are how a tiny file
expands into gigabytes).

Two readers give the same answer. When PyYAML has its C extension (libyaml),
the fast one takes libyaml's event stream and builds the values itself,
resolving and constructing scalars exactly as the safe loader does; it stops
at the first alias, before anything is expanded. Whatever it cannot vouch for
goes to the pure-Python reader, the reference, which then decides (same values,
same lines, same messages): any error libyaml reports, an explicit tag, a merge
key, a repeated anchor, a second document, deep nesting, and the spots where
libyaml is laxer than the reader (a tab, a byte-order mark past the start,
``|#``, a ``?`` inside a plain word in ``[...]``). Real data files have none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from resource_bot.directory.yamlwords import plain_problem

try:  # the C parser, when PyYAML was built with libyaml
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - depends on how PyYAML was installed
    _CParser = None  # type: ignore[assignment,misc]

#: A data file larger than this is refused before parsing.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Whether :func:`load_text` can use the fast reader (PyYAML built with libyaml).
HAVE_LIBYAML = _CParser is not None
#: Deeper than this, the fast reader hands the file to the pure-Python one (whose answer, past a few
#: hundred levels, is "nested too deeply"); data files need a handful of levels.
_FAST_MAX_DEPTH = 64

_ALIAS_PROBLEM = "anchors and aliases (*name) are not allowed in data files; write the value out in full"
_NESTED_PROBLEM = "lists or mappings are nested too deeply here; data files need a few levels"


def _unreadable(value: Any) -> str:
    return f"{value!r:.60} cannot be read as a date or number; put text in quotes"


class SourceError(Exception):
    """A file that cannot be read as YAML at all; carries where and how to fix it."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


class LineDict(dict[Any, Any]):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list[Any]):
    """A list that knows its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


# -- the pure-Python reader (the reference) ---------------------------------------------------------
class _LineLoader(yaml.SafeLoader):
    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(problem=_ALIAS_PROBLEM, problem_mark=event.start_mark)
        return super().compose_node(parent, index)

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError):  # "2026-13-45", a 5,000-digit number
            raise yaml.MarkedYAMLError(problem=_unreadable(node.value), problem_mark=node.start_mark) from None

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                raise yaml.MarkedYAMLError(problem="a key must be a plain word", problem_mark=key_node.start_mark)
            if key in mapping:
                raise yaml.MarkedYAMLError(
                    problem=f"the key {key!r} appears twice in this mapping; keep one",
                    problem_mark=key_node.start_mark,
                )
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping

    def construct_sequence(self, node: SequenceNode, deep: bool = False) -> list[Any]:
        items = LineList(self.construct_object(child, deep=True) for child in node.value)
        items.line = node.start_mark.line + 1
        items.item_lines = [child.start_mark.line + 1 for child in node.value]
        return items


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_sequence)


def _load_python(text: str) -> Any:
    """The pure-Python reader; ``RecursionError`` carries no line, so it is re-raised with one."""
    loader = _LineLoader(text)
    try:
        return loader.get_single_data()
    except RecursionError:
        raise _TooDeep(loader.line + 1) from None
    finally:
        loader.dispose()


class _TooDeep(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


# -- the fast reader: libyaml's events, built into the same values ----------------------------------
class _Fallback(Exception):
    """The fast reader cannot vouch for this file; the pure-Python reader decides."""


_STR = "tag:yaml.org,2002:str"
#: Implicit tags the fast reader constructs; any other (merge ``<<``, value ``=``) goes to the reference.
_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp"))
_NO_KEY: Any = object()
_COMMENT_AFTER_BAR = re.compile(r"[|>][-+0-9]{0,2}#")


def _scalar_builder() -> Callable[[str], tuple[Any, str | None]]:
    """``value, problem`` for a plain scalar, resolved and constructed as :class:`_LineLoader` does."""
    resolve: Callable[[type[Node], str, tuple[bool, bool]], str] = Resolver().resolve  # SafeLoader's resolver
    constructor = SafeConstructor()
    constructors = _LineLoader.yaml_constructors
    cache: dict[str, Any] = {}

    def plain(value: str) -> tuple[Any, str | None]:
        try:
            return cache[value], None
        except KeyError:
            pass
        tag = resolve(ScalarNode, value, (True, False))
        if tag == _STR:
            result: Any = value
        elif tag in _SCALAR_TAGS:
            try:
                result = constructors[tag](constructor, ScalarNode(tag, value))
            except (ValueError, OverflowError):
                return None, _unreadable(value)
        else:
            raise _Fallback(tag)
        cache[value] = result
        return result, None

    return plain


def _load_fast(text: str) -> Any:
    """The document in ``text``, built from libyaml's events.

    Raises ``MarkedYAMLError`` for an alias (at once: nothing is ever expanded) and, once the whole
    stream has parsed, for the first value the safe loader would refuse; raises :class:`_Fallback`
    for anything the pure-Python reader must decide.
    """
    if _CParser is None:
        raise _Fallback("no libyaml")
    if "\t" in text:  # libyaml takes a tab for a space where the pure-Python reader refuses it
        raise _Fallback("a tab")
    if "\ufeff" in text:  # libyaml skips a byte-order mark at the start of any line, the reader only of the file
        raise _Fallback("a byte-order mark")
    if _COMMENT_AFTER_BAR.search(text):  # `|#`: libyaml takes it, the reader wants a space first
        raise _Fallback("a comment right after | or >")
    try:
        get_event = _CParser(text).get_event
        plain = _scalar_builder()
        anchors: set[str] = set()
        # One frame per open collection: [container, is a mapping, pending key or _NO_KEY, the key's line].
        stack: list[list[Any]] = []
        root: Any = None
        flows: list[bool] = []  # per open collection: is it [...] or {...}
        in_flow = 0  # how many of them are
        question = "?" in text
        building = True  # until the first problem; then only parse on (a later alias or error wins)
        problem: tuple[str, int] | None = None

        get_event()  # StreamStartEvent
        if type(get_event()) is StreamEndEvent:  # else DocumentStartEvent
            return None
        while True:
            event: Any = get_event()
            kind = type(event)
            if kind is ScalarEvent:
                if in_flow and question and not event.style and "?" in event.value:
                    raise _Fallback("a ? in a plain word in [...] or {...}")  # where the reader splits it
                if event.anchor is not None:
                    if event.anchor in anchors:
                        raise _Fallback("repeated anchor")
                    anchors.add(event.anchor)
                if not building:
                    continue
                line = event.start_mark.line + 1
                if event.tag is not None:  # even "!": libyaml and the reader differ on `!` before nothing
                    raise _Fallback("explicit tag")
                if event.implicit[0]:
                    value, trouble = plain(event.value)
                    if trouble is not None:
                        problem, building = (trouble, line), False
                        continue
                else:
                    value = event.value
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.anchor is not None:
                    if event.anchor in anchors:
                        raise _Fallback("repeated anchor")
                    anchors.add(event.anchor)
                flows.append(event.flow_style)
                if len(flows) > _FAST_MAX_DEPTH:
                    raise _Fallback("deep")
                in_flow += event.flow_style
                if not building:
                    continue
                if event.tag is not None and event.tag != "!":
                    raise _Fallback("explicit tag")
                if kind is MappingStartEvent:
                    container: Any = LineDict()
                    container.key_lines = {}
                else:
                    container = LineList()
                    container.item_lines = []
                container.line = event.start_mark.line + 1
                stack.append([container, kind is MappingStartEvent, _NO_KEY, 0])
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                in_flow -= flows.pop()
                if not building:
                    continue
                value = stack.pop()[0]
                line = value.line
            elif kind is AliasEvent:
                alias_line: int = event.start_mark.line + 1
                break
            else:  # DocumentEndEvent
                if type(get_event()) is not StreamEndEvent:
                    raise _Fallback("a second document")
                alias_line = 0
                break
            # A value is complete: it goes to its list, or is a key, or is the value of the pending key.
            if not stack:
                root = value
                continue
            frame = stack[-1]
            container = frame[0]
            if not frame[1]:
                container.append(value)
                container.item_lines.append(line)
            elif frame[2] is _NO_KEY:
                if not isinstance(value, Hashable):
                    problem, building = ("a key must be a plain word", line), False
                elif value in container:
                    problem, building = (f"the key {value!r} appears twice in this mapping; keep one", line), False
                else:
                    frame[2], frame[3] = value, line
            else:
                container[frame[2]] = value
                container.key_lines[frame[2]] = frame[3]
                frame[2] = _NO_KEY
    except (yaml.YAMLError, ValueError) as exc:  # libyaml's own errors and messages differ: the reference decides
        raise _Fallback(exc) from None
    if alias_line:
        raise yaml.MarkedYAMLError(problem=_ALIAS_PROBLEM, problem_mark=_mark(alias_line))
    if problem is not None:
        raise yaml.MarkedYAMLError(problem=problem[0], problem_mark=_mark(problem[1]))
    return root


def _mark(line: int) -> yaml.Mark:
    return yaml.Mark("<unicode string>", 0, line - 1, 0, "", 0)


# -- both ------------------------------------------------------------------------------------------
def load_text(text: str, path: Path, *, fast: bool = True) -> Any:
    """The YAML document in ``text``, with lines; :class:`SourceError` (naming ``path``) for any failure.

    ``fast=False`` uses only the pure-Python reader (the tests compare the two).
    """
    try:
        if fast and _CParser is not None:
            try:
                return _load_fast(text)
            except _Fallback:
                pass
        return _load_python(text)
    except _TooDeep as exc:
        raise SourceError(path, exc.line, _NESTED_PROBLEM) from None
    except yaml.MarkedYAMLError as exc:
        if plain := plain_problem(exc):
            raise SourceError(path, *plain) from None
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or "this is not valid YAML"
        if "could not determine a constructor" in str(exc):
            problem = "tags like !!python/... are not allowed in data files; write plain values"
        raise SourceError(path, line, f"{problem}; check the indentation and quoting near here") from None
    except yaml.YAMLError as exc:
        raise SourceError(path, 1, f"this is not valid YAML ({exc}); fix the file and try again") from None


def load_file(path: Path, *, fast: bool = True) -> Any:
    """Parse ``path`` with line numbers; :class:`SourceError` explains any failure."""
    too_big = SourceError(path, 1, f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it")
    try:
        # The size is checked before reading, and the read stops one byte past the limit
        # (for a file whose size the folder does not tell, like a pipe).
        if path.stat().st_size > MAX_FILE_BYTES:
            raise too_big
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SourceError(path, 0, f"cannot read the file ({exc.strerror}); check the path") from None
    if len(raw) > MAX_FILE_BYTES:
        raise too_big
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(path, line, "this file is not UTF-8 text; save it as UTF-8 in your editor") from None
    if "\x00" in text:
        raise SourceError(path, text[: text.index("\x00")].count("\n") + 1, "the file holds a NUL byte; it is not text")
    return load_text(text.lstrip("\ufeff"), path, fast=fast)
