"""The keyword files (``conversations/keywords/<lang>.yaml``): curated phrases per topic, and how they load.

See the header of those files for the format. Each phrase is kept as its stemmed words,
how much each word counts (very common words count half) and the phrase's own weight.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from resource_bot.directory.topics import ALL_TOPICS
from resource_bot.matching.fuzzy import did_you_mean
from resource_bot.matching.textnorm import STOPWORDS, normalize, stem
from resource_bot.matching.wordfile import read_word_file

#: How much a very common word ("the", "de") counts inside a phrase; a content word counts 1.
STOPWORD_WEIGHT = 0.5


class KeywordFileError(ValueError):
    """A keyword file cannot be used; the message names the file and the fix."""


@dataclass(frozen=True)
class KeywordPhrase:
    """One curated phrase: its stemmed words, how much each counts, and the phrase weight."""

    topic: str
    lang: str
    text: str
    words: tuple[str, ...]
    token_weights: tuple[float, ...]
    weight: float

    @property
    def total_weight(self) -> float:
        return sum(self.token_weights)

    @property
    def content_words(self) -> int:
        return sum(1 for w in self.token_weights if w == 1.0)


def load_keyword_file(path: Path) -> tuple[list[KeywordPhrase], set[str]]:
    """Read ``keywords/<lang>.yaml``: its phrases and its ``ordinary_words``.

    Any problem raises :class:`KeywordFileError` naming the file and the fix.
    """
    doc = read_word_file(path, KeywordFileError)
    if not isinstance(doc, dict) or not isinstance(doc.get("topics"), dict):
        raise KeywordFileError(
            f"{path}: expected a mapping with 'language: <code>' and 'topics:' mapping each topic id "
            f"to a list of phrases; see the comment at the top of conversations/keywords/en.yaml."
        )
    lang = doc.get("language")
    if not isinstance(lang, str) or not lang:
        raise KeywordFileError(f"{path}: add 'language: <code>' (en, es) at the top of the file.")
    out: list[KeywordPhrase] = []
    for topic, items in doc["topics"].items():
        if topic not in ALL_TOPICS:
            near = did_you_mean(str(topic), sorted(ALL_TOPICS))
            hint = f" (did you mean {near!r}?)" if near else ""
            raise KeywordFileError(
                f"{path}: unknown topic {topic!r}{hint}; use an id from src/resource_bot/directory/topics.py."
            )
        if not isinstance(items, list):
            raise KeywordFileError(f"{path}: topic {topic!r} must hold a list of phrases ('- phrase' lines).")
        for n, item in enumerate(items, 1):
            out.append(_phrase(path, topic, lang, n, item))
    ordinary = doc.get("ordinary_words") or []
    if not isinstance(ordinary, list) or not all(isinstance(w, str) for w in ordinary):
        raise KeywordFileError(f"{path}: 'ordinary_words' must be a list of single words ('- traffic').")
    return out, {stem(w) for item in ordinary for w in normalize(item).split()}


def _phrase(path: Path, topic: str, lang: str, n: int, item: object) -> KeywordPhrase:
    where = f"{path}: {topic} item {n}"
    weight: object = 1.0
    if isinstance(item, dict) and len(item) == 1:
        ((item, weight),) = item.items()
    if not isinstance(item, str | int) or isinstance(item, bool):
        raise KeywordFileError(f"{where}: write a phrase ('- lawyer') or a phrase with a weight ('- court: 0.5').")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
        raise KeywordFileError(f"{where}: the weight of {item!r} must be a number above 0 and at most 1.")
    words = tuple(stem(w) for w in normalize(str(item)).split())
    weights = tuple(STOPWORD_WEIGHT if w in STOPWORDS else 1.0 for w in words)
    if 1.0 not in weights:
        raise KeywordFileError(f"{where}: {item!r} has only very common words; add a word that carries meaning.")
    return KeywordPhrase(topic, lang, str(item), words, weights, float(weight))


def load_keyword_dir(folder: Path) -> tuple[list[KeywordPhrase], set[str]]:
    """Every ``*.yaml`` keyword file in ``folder``: all their phrases and ordinary words together."""
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise KeywordFileError(f"{folder}: no keyword files; expected en.yaml and es.yaml there.")
    phrases: list[KeywordPhrase] = []
    ordinary: set[str] = set()
    for f in files:
        more, words = load_keyword_file(f)
        phrases += more
        ordinary |= words
    return phrases, ordinary
