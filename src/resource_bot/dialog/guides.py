"""Guides: short step-by-step walks written as data in ``conversations/guides/<id>.<lang>.yaml``.

A guide is a few screens of plain sentences with buttons for the answers. An
answer goes to another screen and may add items to a list that the guide's
end screen shows (a safety plan, the signs a job check found). The format is
documented in conversations/README.md; :mod:`resource_bot.dialog.guidecheck`
checks a folder of guides, and :mod:`resource_bot.dialog.guidechat` walks a
person through one. This module only reads files into frozen values.

Hand-written because no library reads this small format; the YAML itself is
read by the project's line-aware reader, so every problem names ``file:line``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resource_bot.directory.entries import Problem
from resource_bot.directory.yamlsource import LineDict, LineList, SourceError, load_file
from resource_bot.matching.textnorm import normalize

GUIDE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STEP_ID = re.compile(r"^[a-z0-9_]{1,24}$")
_FILE = re.compile(r"^(?P<id>[a-z0-9-]+)\.(?P<lang>[a-z]{2})\.yaml$")
MAX_GUIDE_ID = 24


@dataclass(frozen=True)
class Answer:
    label: str
    #: The screen this answer leads to.
    go: str
    #: Items this answer adds to the end list.
    add: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One screen of a guide."""

    id: str
    text: str
    answers: tuple[Answer, ...] = ()
    #: An end screen shows the list and the 24/7 lines, and has no answers.
    end: bool = False
    #: On an end screen: what to say instead of ``text`` when the list is empty.
    empty: str | None = None
    #: On an end screen: what to say after the list (before the lines).
    then: str | None = None
    #: On an end screen: service ids from the directory, shown with their numbers.
    lines: tuple[str, ...] = ()
    #: Where Back goes (default: the first screen, in file order, with an answer that leads here).
    back: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Guide:
    id: str
    lang: str
    title: str
    topics: tuple[str, ...]
    words: tuple[str, ...]
    sources: tuple[str, ...]
    steps: Mapping[str, Step]
    items: Mapping[str, str]
    path: Path = Path()
    lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def start(self) -> str:
        return next(iter(self.steps))

    def back_of(self, step_id: str) -> str | None:
        """The screen Back leads to from ``step_id``; None from the first screen (back to the topic)."""
        step = self.steps.get(step_id)
        if step is None or step_id == self.start:
            return None
        if step.back:
            return step.back
        for other in self.steps.values():
            if any(answer.go == step_id for answer in other.answers):
                return other.id
        return self.start

    def after(self, step_id: str) -> set[str]:
        """``step_id`` and every screen reachable from it."""
        seen: set[str] = set()
        todo = [step_id]
        while todo:
            current = todo.pop()
            if current in seen or current not in self.steps:
                continue
            seen.add(current)
            todo.extend(answer.go for answer in self.steps[current].answers)
        return seen

    def items_from(self, step_ids: set[str]) -> set[str]:
        """Every item an answer on these screens can add."""
        return {item for s in step_ids for answer in self.steps[s].answers for item in answer.add}


def key_of(guide_id: str) -> str:
    """A guide id as it travels in a deep link (``-`` written ``_``)."""
    return guide_id.replace("-", "_")


class GuideError(Exception):
    """The guides folder has problems; the message lists them as ``file:line``."""


@dataclass(frozen=True)
class Guides:
    """Every guide in every language, looked up by id, topic, link key or typed words."""

    by_id: Mapping[str, Mapping[str, Guide]] = field(default_factory=dict)
    #: Every guide's typed words, normalized once: (" words ", guide id, language).
    _phrases: tuple[tuple[str, str, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        phrases = tuple(
            (f" {normalize(words)} ", guide.id, guide.lang)
            for languages in self.by_id.values()
            for guide in languages.values()
            for words in guide.words
            if normalize(words)
        )
        object.__setattr__(self, "_phrases", phrases)  # frozen: computed once, here

    def __iter__(self) -> Iterator[Guide]:
        for languages in self.by_id.values():
            yield from languages.values()

    def get(self, guide_id: str, lang: str) -> Guide | None:
        languages = self.by_id.get(guide_id)
        if not languages:
            return None
        return languages.get(lang) or languages.get("en") or next(iter(languages.values()))

    def for_topic(self, topic: str) -> list[str]:
        return [gid for gid, langs in self.by_id.items() if any(topic in g.topics for g in langs.values())]

    def by_key(self, key: str) -> str | None:
        return next((gid for gid in self.by_id if key_of(gid) == key.lower()), None)

    def match(self, text: str) -> tuple[str, str] | None:
        """(guide id, language) when typed text holds one of a guide's phrases as whole words."""
        padded = f" {normalize(text)} "
        return next(((guide_id, lang) for words, guide_id, lang in self._phrases if words in padded), None)


# -- reading ----------------------------------------------------------------------------------------
def guide_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.glob("*.yaml") if path.is_file())


def _text(raw: Any) -> str | None:
    return raw.strip() if isinstance(raw, str) and raw.strip() else None


def _strings(raw: Any) -> tuple[str, ...] | None:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(v, str) and v.strip() for v in raw):
        return None
    return tuple(v.strip() for v in raw)


class _Reader:
    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def strings(self, raw: LineDict, key: str, what: str) -> tuple[str, ...]:
        found = _strings(raw.get(key))
        if found is None:
            self.problem(raw.line_of(key), f"`{key}` must be a list of {what}")
            return ()
        return found

    def answer(self, raw: Any, line: int) -> Answer | None:
        if not isinstance(raw, dict):
            self.problem(line, "each answer needs `label` and `go`")
            return None
        label, go = _text(raw.get("label")), raw.get("go")
        if label is None or not isinstance(go, str):
            self.problem(line, "each answer needs `label` (the button) and `go` (the next screen's id)")
            return None
        add = _strings(raw.get("add"))
        if add is None:
            self.problem(line, "`add` must be a list of item ids")
            add = ()
        return Answer(label, go, add)

    def step(self, step_id: Any, raw: Any, line: int) -> Step | None:
        if not isinstance(step_id, str) or not STEP_ID.match(step_id):
            self.problem(line, f"screen id {step_id!r} must be 1-24 lowercase letters, digits or _")
            return None
        if not isinstance(raw, LineDict):
            self.problem(line, f"screen {step_id!r} needs `text` and `answers` (or `end: true`)")
            return None
        text = _text(raw.get("text"))
        if text is None:
            self.problem(line, f"screen {step_id!r} needs `text`")
            return None
        end = raw.get("end") is True
        answers: list[Answer] = []
        raw_answers = raw.get("answers")
        if isinstance(raw_answers, LineList):
            for index, item in enumerate(raw_answers):
                if (answer := self.answer(item, raw_answers.line_of(index))) is not None:
                    answers.append(answer)
        elif raw_answers is not None:
            self.problem(raw.line_of("answers"), f"screen {step_id!r}: `answers` must be a list")
        back = raw.get("back")
        lines = self.strings(raw, "lines", "service ids")
        empty, then = _text(raw.get("empty")), _text(raw.get("then"))
        return Step(step_id, text, tuple(answers), end, empty, then, lines, _text(back), line)


def read_guide(path: Path, problems: list[Problem]) -> Guide | None:
    """One guide file, or None; what is wrong goes into ``problems``."""
    reader = _Reader(path, problems)
    named = _FILE.match(path.name)
    if not named:
        reader.problem(0, "a guide file is named <guide-id>.<language>.yaml, like safety-plan.en.yaml")
        return None
    try:
        raw = load_file(path)
    except SourceError as exc:
        problems.append(Problem(exc.path, exc.line, exc.message))
        return None
    if not isinstance(raw, LineDict) or not isinstance(raw.get("screens"), LineDict):
        reader.problem(1, "a guide needs `guide`, `language`, `title`, `sources` and `screens`")
        return None
    guide_id, lang = raw.get("guide"), raw.get("language")
    if guide_id != named["id"] or not GUIDE_ID.match(named["id"]) or len(named["id"]) > MAX_GUIDE_ID:
        reader.problem(raw.line_of("guide"), f"`guide: {guide_id}` must match the file name and be 1-24 a-z, 0-9, -")
    if lang != named["lang"]:
        reader.problem(raw.line_of("language"), f"`language: {lang}` must match the file name ({named['lang']})")
    title = _text(raw.get("title"))
    if title is None:
        reader.problem(raw.line_of("title"), "`title` (the button that opens the guide) is missing")
    steps: dict[str, Step] = {}
    screens: LineDict = raw["screens"]
    for step_id, value in screens.items():
        if (step := reader.step(step_id, value, screens.line_of(step_id))) is not None:
            steps[step.id] = step
    items_raw = raw.get("items") or {}
    items: dict[str, str] = {}
    if not isinstance(items_raw, dict):
        reader.problem(raw.line_of("items"), "`items` must map item ids to the words shown in the list")
    else:
        for item_id, words in items_raw.items():
            if not isinstance(item_id, str) or not STEP_ID.match(item_id) or _text(words) is None:
                line = items_raw.line_of(item_id) if isinstance(items_raw, LineDict) else raw.line_of("items")
                reader.problem(line, f"item {item_id!r} needs an id of a-z, 0-9, _ and words to show")
                continue
            items[item_id] = str(_text(words))
    if not steps or title is None:
        if not steps:
            reader.problem(raw.line_of("screens"), "`screens` needs at least one screen")
        return None
    line_of = {key: raw.line_of(key) for key in raw}
    return Guide(
        named["id"],
        named["lang"],
        title,
        reader.strings(raw, "topics", "topic ids"),
        reader.strings(raw, "words", "phrases"),
        reader.strings(raw, "sources", "web addresses"),
        steps,
        items,
        path,
        line_of,
    )
