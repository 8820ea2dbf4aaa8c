"""The danger-word detector: does this message say someone is in danger right now?

A miss here costs far more than a false alarm (the false alarm only puts 911 and
the hotlines first), so phrases are matched tolerantly: accents, case, emoji and
punctuation are ignored and one typo is forgiven in longer words. Idioms that
only *look* dangerous ("this homework is killing me", "me muero de risa") are
listed explicitly and cancel a crisis phrase only where they overlap it, so
"this job is killing me and he's going to kill me" is still a crisis.

The phrases are data (``conversations/danger/<lang>.yaml``), reviewed by people
who know the field; see the header of those files for the pattern syntax.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from resource_bot.dialog.textnorm import normalize

#: The most words a ``...`` gap may skip.
MAX_GAP = 3

_FUZZY_MIN_LEN = 5
_CACHE_LIMIT = 50_000


class DangerFileError(ValueError):
    """A danger-phrase file cannot be used; the message names the file and the fix."""


@dataclass(frozen=True)
class _Element:
    words: frozenset[str] | None  # None: any one word
    low: int
    high: int


@dataclass(frozen=True)
class Pattern:
    """One compiled phrase; ``source`` is the line as written in the YAML file."""

    source: str
    elements: tuple[_Element, ...]


def compile_pattern(source: str, where: str = "<pattern>") -> Pattern:
    """Compile ``word a|b opt? * ...`` syntax; raise :class:`DangerFileError` with ``where`` on misuse."""
    elements: list[_Element] = []
    for raw in source.split():
        if raw == "...":
            elements.append(_Element(None, 0, MAX_GAP))
            continue
        if raw == "*":
            elements.append(_Element(None, 1, 1))
            continue
        optional = raw.endswith("?")
        words: set[str] = set()
        for alt in raw.rstrip("?").split("|"):
            norm = normalize(alt)
            if not norm or " " in norm:
                raise DangerFileError(
                    f"{where}: in {source!r}, {alt!r} must be exactly one word after removing "
                    f"punctuation; split it into separate words or write a second phrase."
                )
            words.add(norm)
        elements.append(_Element(frozenset(words), 0 if optional else 1, 1))
    if not elements or elements[0].words is None or elements[0].low != 1:
        raise DangerFileError(
            f"{where}: {source!r} must start with a required word (not '*', '...' or an optional word?)."
        )
    if elements[-1].words is None:
        raise DangerFileError(f"{where}: {source!r} must end with a word, not '*' or '...'.")
    return Pattern(source, tuple(elements))


def _match_from(elements: Sequence[_Element], slots: Sequence[frozenset[str]], e: int, pos: int) -> int:
    """End position (exclusive) of the shortest match of ``elements[e:]`` at ``pos``, or -1."""
    if e == len(elements):
        return pos
    el = elements[e]
    for count in range(el.low, el.high + 1):
        if count and pos + count > len(slots):
            break
        if el.words is not None and count and el.words.isdisjoint(slots[pos]):
            continue
        end = _match_from(elements, slots, e + 1, pos + count)
        if end >= 0:
            return end
    return -1


class _PatternSet:
    """Patterns indexed by their first word, so a message costs one dict lookup per word."""

    def __init__(self, patterns: Iterable[Pattern]) -> None:
        self.by_first: dict[str, list[Pattern]] = {}
        for p in patterns:
            first = p.elements[0].words
            assert first is not None  # compile_pattern guarantees it
            for w in first:
                self.by_first.setdefault(w, []).append(p)

    def spans(self, slots: Sequence[frozenset[str]]) -> list[tuple[int, int, str]]:
        found: list[tuple[int, int, str]] = []
        for i, slot in enumerate(slots):
            for w in slot:
                for p in self.by_first.get(w, ()):
                    end = _match_from(p.elements, slots, 1, i + 1)
                    if end >= 0:
                        found.append((i, end, p.source))
        return found


class DangerDetector:
    """Flags messages that say someone is in danger now; see the module docstring for why it is tolerant."""

    def __init__(
        self, crisis: Mapping[str, Iterable[Pattern]], ignore: Mapping[str, Iterable[Pattern]]
    ) -> None:
        self._crisis = {lang: _PatternSet(ps) for lang, ps in crisis.items()}
        self._ignore = {lang: _PatternSet(ps) for lang, ps in ignore.items()}
        vocab: set[str] = set()
        for sets in (self._crisis, self._ignore):
            for ps in sets.values():
                for plist in ps.by_first.values():
                    for p in plist:
                        for el in p.elements:
                            vocab.update(el.words or ())
        self._vocab = frozenset(vocab)
        self._by_len: dict[int, list[str]] = {}
        for w in sorted(vocab):
            if len(w) >= _FUZZY_MIN_LEN - 1:
                self._by_len.setdefault(len(w), []).append(w)
        self._fuzzy_cache: dict[str, frozenset[str]] = {}

    @classmethod
    def from_directory(cls, conversations_dir: Path) -> DangerDetector:
        """Load every ``danger/<lang>.yaml`` under ``conversations_dir``."""
        folder = conversations_dir / "danger"
        files = sorted(folder.glob("*.yaml"))
        if not files:
            raise DangerFileError(f"{folder}: no danger-phrase files (expected en.yaml, es.yaml).")
        crisis: dict[str, list[Pattern]] = {}
        ignore: dict[str, list[Pattern]] = {}
        for path in files:
            lang, c, i = load_danger_file(path)
            crisis.setdefault(lang, []).extend(c)
            ignore.setdefault(lang, []).extend(i)
        return cls(crisis, ignore)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self._crisis))

    def is_crisis(self, text: str, lang: str | None = None) -> bool:
        """True when ``text`` says someone is in danger now.

        ``lang`` None (or a language without a file) checks every language's phrases, as the
        engine does: people in danger type in whichever language comes first.
        """
        return bool(self.explain(text, lang))

    def explain(self, text: str, lang: str | None = None) -> list[str]:
        """The crisis phrases that fired (not cancelled by an idiom); for tests and reviewers."""
        words = normalize(text).split()
        if not words:
            return []
        langs = [lang] if lang in self._crisis else list(self._crisis)
        slots = [self._slot(w) for w in words]
        hits = [s for la in langs for s in self._crisis[la].spans(slots)]
        if not hits:
            return []
        idioms = [s for la in langs if la in self._ignore for s in self._ignore[la].spans(slots)]
        return [src for (a, b, src) in hits if not any(a < d and c < b for (c, d, _) in idioms)]

    def _slot(self, word: str) -> frozenset[str]:
        """The word plus any phrase word within one typo of it (two for long words)."""
        if word in self._vocab or len(word) < _FUZZY_MIN_LEN:
            return frozenset((word,))
        cached = self._fuzzy_cache.get(word)
        if cached is not None:
            return cached
        limit = 2 if len(word) >= 9 else 1
        near: set[str] = {word}
        for n in range(len(word) - limit, len(word) + limit + 1):
            choices = self._by_len.get(n)
            if choices:
                for match, _, _ in process.extract(
                    word, choices, scorer=OSA.distance, score_cutoff=limit, limit=3
                ):
                    near.add(match)
        result = frozenset(near)
        if len(self._fuzzy_cache) < _CACHE_LIMIT:
            self._fuzzy_cache[word] = result
        return result


def load_danger_file(path: Path) -> tuple[str, list[Pattern], list[Pattern]]:
    """Read one reviewed danger file: ``(language, crisis patterns, idiom patterns)``."""
    try:
        doc: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DangerFileError(f"{path}: not valid YAML ({exc}); fix the syntax at the line shown.") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("crisis"), list):
        raise DangerFileError(
            f"{path}: expected a mapping with 'language', a 'crisis:' list and an optional "
            f"'not_crisis:' list of phrases; see the comment at the top of the file."
        )
    lang = doc.get("language", path.stem)
    if not isinstance(lang, str) or not lang:
        raise DangerFileError(f"{path}: 'language' must be a code such as en or es.")
    out: list[list[Pattern]] = []
    for key in ("crisis", "not_crisis"):
        items = doc.get(key) or []
        if not isinstance(items, list):
            raise DangerFileError(f"{path}: '{key}' must be a list of phrases (one '- phrase' per line).")
        pats: list[Pattern] = []
        for n, item in enumerate(items, 1):
            if not isinstance(item, str) or not item.strip():
                raise DangerFileError(
                    f"{path}: {key} item {n} must be a non-empty phrase in quotes, got {item!r}."
                )
            pats.append(compile_pattern(item, f"{path}: {key} item {n}"))
        out.append(pats)
    return lang, out[0], out[1]
