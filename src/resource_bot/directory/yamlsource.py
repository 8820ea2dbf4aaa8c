"""Read YAML files safely and remember the line of every value.

Maintainers need ``file:line`` in every message, so mappings and lists come
back as :class:`LineDict` / :class:`LineList`, which carry the line they start
on and the line of each key or item. Only plain YAML is accepted: tags that
would construct objects are refused by the safe loader, and anchors/aliases are
refused outright (data files never need them, and they are how a tiny file
expands into gigabytes).
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

#: A data file larger than this is refused before parsing.
MAX_FILE_BYTES = 20 * 1024 * 1024


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


class _LineLoader(yaml.SafeLoader):
    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.MarkedYAMLError(
                problem="anchors and aliases (*name) are not allowed in data files; write the value out in full",
                problem_mark=event.start_mark,
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                raise yaml.MarkedYAMLError(
                    problem="a key must be a plain word", problem_mark=key_node.start_mark
                )
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


def load_text(text: str, path: Path) -> Any:
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or "this is not valid YAML"
        if "could not determine a constructor" in str(exc):
            problem = "tags like !!python/... are not allowed in data files; write plain values"
        raise SourceError(path, line, f"{problem}; check the indentation and quoting near here") from None
    except yaml.YAMLError as exc:
        raise SourceError(path, 1, f"this is not valid YAML ({exc}); fix the file and try again") from None


def load_file(path: Path) -> Any:
    """Parse ``path`` with line numbers; :class:`SourceError` explains any failure."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, 0, f"cannot read the file ({exc.strerror}); check the path") from None
    if len(raw) > MAX_FILE_BYTES:
        raise SourceError(path, 1, f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split it")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(
            path, line, "this file is not UTF-8 text; save it as UTF-8 in your editor"
        ) from None
    if "\x00" in text:
        raise SourceError(
            path, text[: text.index("\x00")].count("\n") + 1, "the file holds a NUL byte; it is not text"
        )
    return load_text(text.lstrip("\ufeff"), path)
