"""Read YAML files safely and remember the line of every value.

Maintainers need ``file:line`` in every message, so mappings and lists come
back as :class:`LineDict` / :class:`LineList`, which carry the line they start
on and the line of each key or item, taken from the marks libyaml puts on
every node. Only plain YAML is accepted: tags that would construct objects are
refused by the safe loader, and anchors/aliases are refused outright (data
files never need them, and they are how a tiny file expands into gigabytes).

The reader is PyYAML's ``CSafeLoader`` (libyaml) with its mappings and lists
built as above. An alias is never expanded: libyaml hands back the anchored
node itself, so meeting a node a second time while building is an alias, and
building stops there. PyYAML's wheels always carry libyaml; a PyYAML built
without it is refused at import with what to do.

libyaml's syntax errors say less than PyYAML's pure-Python parser ("did not
find expected '-' indicator" for three different mistakes), so a file libyaml
refuses is parsed again, only up to its error and without building anything,
by that parser, whose wording :mod:`resource_bot.directory.yamlwords` turns
into a maintainer's words.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from resource_bot.directory.yamlwords import plain_problem

if not getattr(yaml, "__with_libyaml__", False):  # pragma: no cover - depends on how PyYAML was installed
    raise ImportError(
        "PyYAML was built without libyaml; reinstall it from a wheel: pip install --force-reinstall PyYAML"
    )

#: A data file larger than this is refused before parsing.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Lists and mappings nested deeper than this are refused (libyaml itself stops at 1,000); data files need a few.
MAX_DEPTH = 64

_ALIAS_PROBLEM = "anchors and aliases (*name) are not allowed in data files; write the value out in full"
_NESTED_PROBLEM = "lists or mappings are nested too deeply here; data files need a few levels"


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


class _Alias(Exception):
    """A node met a second time: the file uses an alias."""


def _problem(message: str, node: Node) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(problem=message, problem_mark=node.start_mark)


class _LineLoader(yaml.CSafeLoader):
    """libyaml's safe loader, building :class:`LineDict` and :class:`LineList` and refusing aliases."""

    _depth = 0

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _Alias
        if isinstance(node, MappingNode | SequenceNode):
            self._depth += 1
            try:
                if self._depth > MAX_DEPTH:
                    raise _problem(_NESTED_PROBLEM, node)
                return super().construct_object(node, deep=deep)
            finally:
                self._depth -= 1
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError):  # "2026-13-45", a 5,000-digit number
            raise _problem(f"{node.value!r:.60} cannot be read as a date or number; put text in quotes", node) from None

    def construct_line_mapping(self, node: MappingNode) -> LineDict:
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                raise _problem("a key must be a plain word", key_node)
            if key in mapping:
                raise _problem(f"the key {key!r} appears twice in this mapping; keep one", key_node)
            mapping[key] = self.construct_object(value_node, deep=True)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping

    def construct_line_sequence(self, node: SequenceNode) -> LineList:
        items = LineList(self.construct_object(child, deep=True) for child in node.value)
        items.line = node.start_mark.line + 1
        items.item_lines = [child.start_mark.line + 1 for child in node.value]
        return items


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_line_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_line_sequence)


def _first_alias_line(text: str) -> int | None:
    """The line of the first alias in ``text`` (events only: nothing is built or expanded)."""
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.AliasEvent) and event.start_mark is not None:
                return int(event.start_mark.line) + 1
    except yaml.YAMLError:
        pass
    return None


def _syntax_problem(text: str, libyaml: yaml.MarkedYAMLError) -> yaml.MarkedYAMLError:
    """The same mistake as PyYAML's pure-Python parser words it, when it finds one; else libyaml's."""
    try:
        for _ in yaml.parse(text, Loader=yaml.SafeLoader):
            pass
    except yaml.MarkedYAMLError as exc:
        return exc
    except yaml.YAMLError:
        pass
    return libyaml


def _load(text: str) -> Any:
    loader = _LineLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.composer.ComposerError as exc:  # an undefined alias or a repeated anchor
            if "alias" in (exc.problem or "") or "anchor" in (exc.context or ""):
                raise yaml.MarkedYAMLError(problem=_ALIAS_PROBLEM, problem_mark=exc.problem_mark) from None
            raise
        except yaml.MarkedYAMLError as exc:
            if "maximum nesting depth" in (exc.problem or ""):
                raise yaml.MarkedYAMLError(problem=_NESTED_PROBLEM, problem_mark=exc.problem_mark) from None
            raise _syntax_problem(text, exc) from None
        if node is None:
            return None
        try:
            return loader.construct_document(node)
        except (_Alias, yaml.MarkedYAMLError):
            # An alias anywhere is the problem to report, before any other the building met.
            if (line := _first_alias_line(text)) is not None:
                raise yaml.MarkedYAMLError(problem=_ALIAS_PROBLEM, problem_mark=_mark(line)) from None
            raise
    finally:
        loader.dispose()


def _mark(line: int) -> yaml.Mark:
    return yaml.Mark("<unicode string>", 0, line - 1, 0, "", 0)


def load_text(text: str, path: Path) -> Any:
    """The YAML document in ``text``, with lines; :class:`SourceError` (naming ``path``) for any failure."""
    try:
        return _load(text)
    except yaml.MarkedYAMLError as exc:
        if plain := plain_problem(exc):
            raise SourceError(path, *plain) from None
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or "this is not valid YAML"
        if problem == _NESTED_PROBLEM:
            raise SourceError(path, line, problem) from None
        if "could not determine a constructor" in str(exc):
            problem = "tags like !!python/... are not allowed in data files; write plain values"
        raise SourceError(path, line, f"{problem}; check the indentation and quoting near here") from None
    except yaml.YAMLError as exc:
        raise SourceError(path, 1, f"this is not valid YAML ({exc}); fix the file and try again") from None


def load_file(path: Path) -> Any:
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
    return load_text(text.lstrip("\ufeff"), path)
