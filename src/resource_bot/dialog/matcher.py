"""The typed-request matcher: from "need lawer" or "mi jefe no me paga" to topics and services.

Everything expensive happens once, in the constructor: keyword phrases and
service texts are split into stemmed words, and each word gets a posting list
(which phrases / which services contain it). A request then costs one fuzzy
lookup per typed word against that vocabulary (bucketed by length, so even
100,000 distinct service words stay cheap) plus a walk over the postings of
the few words it matched. No fuzzy scorer ever runs over whole service texts.

Keyword phrases are data (``conversations/keywords/<lang>.yaml``); see the
header of those files for the format.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from resource_bot.dialog.danger import DangerDetector
from resource_bot.dialog.textnorm import STOPWORDS, normalize, stem
from resource_bot.directory.topics import ALL_TOPICS, TOP_LEVEL, parent_of

#: Topics scoring below this are not returned: the text did not really mention them.
MIN_TOPIC_SCORE = 35.0
#: Services scoring below this are not returned.
MIN_SERVICE_SCORE = 40.0

#: How far a keyword in the other language counts (people mix languages).
OTHER_LANGUAGE_FACTOR = 0.9
#: Only this many typed words are looked at; a request is a few words, not an essay.
MAX_QUERY_WORDS = 48
_STOPWORD_WEIGHT = 0.5
#: A service word found in more than this share of services is too common to walk its postings.
_COMMON_SHARE = 0.05
_FALLBACK_CANDIDATES = 2000
_NAME_WEIGHT = 1.0
_DESCRIPTION_WEIGHT = 0.6


@dataclass(frozen=True)
class ServiceText:
    """What the matcher knows about a service."""

    id: str
    texts: tuple[str, ...]  # names and descriptions in every language; names first
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Scored:
    id: str
    score: float  # 0..100, higher is better


@dataclass(frozen=True)
class MatchResult:
    text: str
    crisis: bool
    topics: tuple[Scored, ...]  # best first; top-level ids or dotted subtopics
    services: tuple[Scored, ...]  # best first


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
    try:
        doc: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise KeywordFileError(f"{path}: not valid YAML ({exc}); fix the syntax at the line shown.") from exc
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
            near = process.extractOne(str(topic), sorted(ALL_TOPICS), scorer=fuzz.ratio)
            hint = f" (did you mean {near[0]!r}?)" if near and near[1] > 60 else ""
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
        raise KeywordFileError(
            f"{where}: write a phrase ('- lawyer') or a phrase with a weight ('- court: 0.5')."
        )
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
        raise KeywordFileError(f"{where}: the weight of {item!r} must be a number above 0 and at most 1.")
    words = tuple(stem(w) for w in normalize(str(item)).split())
    weights = tuple(_STOPWORD_WEIGHT if w in STOPWORDS else 1.0 for w in words)
    if 1.0 not in weights:
        raise KeywordFileError(
            f"{where}: {item!r} has only very common words; add a word that carries meaning."
        )
    return KeywordPhrase(topic, lang, str(item), words, weights, float(weight))


def load_keyword_dir(folder: Path) -> tuple[list[KeywordPhrase], set[str]]:
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


class FuzzyVocab:
    """Words with a typo-tolerant lookup: exact, then fuzz.ratio within length buckets, then prefix.

    Buckets hold only words of one length (and, for big vocabularies, one first letter), so a
    lookup compares against a few thousand words at most, never the whole vocabulary.
    """

    def __init__(self, words: Iterable[str], *, first_letter_buckets: bool, prefixes: bool) -> None:
        self._words = frozenset(words)
        self._prefixes = prefixes
        self._sorted = sorted(self._words)
        self._first = first_letter_buckets
        self._buckets: dict[tuple[str, int], list[str]] = {}
        for w in self._sorted:
            self._buckets.setdefault(self._key(w, len(w)), []).append(w)
        self._cache: dict[str, dict[str, float]] = {}

    def _key(self, word: str, length: int) -> tuple[str, int]:
        return (word[0] if self._first else "", length)

    def __contains__(self, word: object) -> bool:
        return word in self._words

    def lookup(self, word: str, *, fuzzy: bool = True) -> dict[str, float]:
        """Vocabulary words ``word`` may mean, with a similarity in 0..1 (1 = exact)."""
        if word in self._words:
            return {word: 1.0}
        if not fuzzy or len(word) < 4:
            return {}
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        n = len(word)
        cutoff = 85.0 if n <= 5 else 80.0  # one wrong letter in a 5-letter word is a different word
        found: dict[str, float] = {}
        for length in range(math.ceil(n * 2 / 3), n * 3 // 2 + 1):
            bucket = self._buckets.get(self._key(word, length))
            if bucket:
                for match, score, _ in process.extract(
                    word, bucket, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3
                ):
                    found[match] = score / 100.0
        if self._prefixes and n >= 5:  # "cybertip" -> "cybertipline"
            i = bisect_left(self._sorted, word)
            for w in self._sorted[i : i + 5]:
                if not w.startswith(word):
                    break
                found[w] = max(found.get(w, 0.0), 0.7 + 0.3 * n / len(w))
        result = dict(sorted(found.items(), key=lambda kv: -kv[1])[:3])
        if len(self._cache) < 100_000:
            self._cache[word] = result
        return result


def _query_words(text: str) -> list[str]:
    return normalize(text, max_chars=MAX_QUERY_WORDS * 12).split()[:MAX_QUERY_WORDS]


def _candidates(
    words: Sequence[str], vocab: FuzzyVocab, *, fuzzy_joins: bool = False
) -> tuple[list[dict[str, float]], list[dict[str, float]]]:
    """For each typed word, the vocabulary words it may mean; then the same for pairs typed apart.

    The pairs ("child care" -> "childcare", "cyber tip" -> "cybertipline") are returned
    separately: they are a bonus, not extra words the text must cover.
    """
    out: list[dict[str, float]] = []
    seen: dict[str, dict[str, float]] = {}
    for w in words:
        s = stem(w)
        if s not in seen:
            seen[s] = vocab.lookup(s, fuzzy=s not in STOPWORDS and w not in STOPWORDS)
        out.append(seen[s])
    joins: list[dict[str, float]] = []
    for a, b in zip(words, words[1:], strict=False):
        if a in STOPWORDS or b in STOPWORDS:
            continue
        found = vocab.lookup(stem(a + b), fuzzy=fuzzy_joins)
        if found:
            joins.append(found)
    return out, joins


class NeedMatcher:
    """Scores typed text against keyword phrases (topics) and service texts; see the module docstring."""

    def __init__(
        self,
        phrases: Iterable[KeywordPhrase],
        services: Iterable[ServiceText] = (),
        danger: DangerDetector | None = None,
        ordinary_words: Iterable[str] = (),
    ) -> None:
        self._danger = danger
        self._phrases: list[KeywordPhrase] = list(phrases)
        self._phrase_postings: dict[str, list[tuple[int, int]]] = {}
        for i, p in enumerate(self._phrases):
            for j, word in enumerate(p.words):
                self._phrase_postings.setdefault(word, []).append((i, j))
        # Ordinary words ("traffic") are in the vocabulary with no postings: an exact hit on
        # nothing, so they are never "corrected" into a keyword ("trafficking").
        self._ordinary = frozenset(ordinary_words)
        self._kw_vocab = FuzzyVocab(
            {*self._phrase_postings, *self._ordinary}, first_letter_buckets=False, prefixes=False
        )

        self._service_ids: list[str] = []
        self._exact_names: dict[str, int] = {}
        postings: dict[str, dict[int, float]] = {}
        for sid, svc in enumerate(services):
            self._service_ids.append(svc.id)
            for k, text in enumerate(svc.texts):
                norm = normalize(text, max_chars=2000)
                weight = _NAME_WEIGHT if k == 0 or len(norm) <= 60 else _DESCRIPTION_WEIGHT
                if weight == _NAME_WEIGHT and norm:
                    # the whole name and its first words, run together too: "loveisrespect"
                    parts = norm.split()
                    self._exact_names.setdefault(norm, sid)
                    for k in range(2, min(len(parts), 5) + 1):
                        self._exact_names.setdefault("".join(parts[:k]), sid)
                for w in norm.split():
                    if w in STOPWORDS:
                        continue
                    row = postings.setdefault(stem(w), {})
                    if row.get(sid, 0.0) < weight:
                        row[sid] = weight
        n = max(1, len(self._service_ids))
        self._svc_postings: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = {
            w: (tuple(row), tuple(row.values())) for w, row in postings.items()
        }
        self._idf = {w: math.log(1.0 + n / len(row)) for w, row in postings.items()}
        self._max_idf = math.log(1.0 + n)
        common = max(50, int(_COMMON_SHARE * n))
        self._common_rows = {w: row for w, row in postings.items() if len(row) > common}
        self._svc_vocab = FuzzyVocab(postings, first_letter_buckets=True, prefixes=True)

    @classmethod
    def from_directory(cls, conversations_dir: Path, services: Iterable[ServiceText] = ()) -> NeedMatcher:
        """Load ``keywords/*.yaml`` and ``danger/*.yaml`` under ``conversations_dir``."""
        phrases, ordinary = load_keyword_dir(conversations_dir / "keywords")
        return cls(phrases, services, DangerDetector.from_directory(conversations_dir), ordinary)

    def match(self, text: str, lang: str, *, max_topics: int = 3, max_services: int = 5) -> MatchResult:
        """Best topics and services for ``text``; ``lang`` is the user's language, preferred not required."""
        crisis = self._danger.is_crisis(text) if self._danger is not None else False
        words = _query_words(text)
        topics = self._score_topics(words, lang)
        if crisis:
            topics = [Scored("emergency", 100.0)] + [t for t in topics if t.id != "emergency"]
        services = self._score_services(words, text) if self._service_ids else []
        return MatchResult(text, crisis, tuple(topics[:max_topics]), tuple(services[:max_services]))

    # -- topics ---------------------------------------------------------------------------

    def _score_topics(self, words: Sequence[str], lang: str) -> list[Scored]:
        best: dict[tuple[int, int], float] = {}
        singles, joins = _candidates(words, self._kw_vocab)
        for cands in singles + joins:
            for word, sim in cands.items():
                for key in self._phrase_postings.get(word, ()):
                    if best.get(key, 0.0) < sim:
                        best[key] = sim
        by_phrase: dict[int, float] = {}
        for (i, j), sim in best.items():
            by_phrase[i] = by_phrase.get(i, 0.0) + sim * self._phrases[i].token_weights[j]
        # A fully matched multi-word phrase ("food bank") claims its words, so a one-word
        # keyword of another topic ("banking") does not ride on them at full strength.
        claimed: set[tuple[str, str]] = set()
        for i, covered in by_phrase.items():
            p = self._phrases[i]
            if p.content_words > 1 and covered >= 0.95 * p.total_weight:
                claimed.update((w, p.topic) for w in p.words)
        claimed_words = {w for w, _ in claimed}
        per_topic: dict[str, list[float]] = {}
        for i, covered in by_phrase.items():
            p = self._phrases[i]
            if not any(best.get((i, j), 0.0) > 0 and p.token_weights[j] == 1.0 for j in range(len(p.words))):
                continue  # only small words matched
            coverage = covered / p.total_weight
            score = p.weight * coverage * coverage * (1.0 if p.lang == lang else OTHER_LANGUAGE_FACTOR)
            if p.content_words == 1 and any(
                w in claimed_words and (w, p.topic) not in claimed for w in p.words
            ):
                score *= 0.5
            per_topic.setdefault(p.topic, []).append(score)
        raw: dict[str, float] = {}
        for topic, scores in per_topic.items():
            scores.sort(reverse=True)
            raw[topic] = scores[0] + 0.15 * sum(scores[1:4])
        return self._rank_families(raw)

    @staticmethod
    def _rank_families(raw: dict[str, float]) -> list[Scored]:
        """One entry per top-level topic: its best subtopic when that carries the score, else the parent.

        A subtopic hit counts toward its parent, so "restraining order" ranks ``legal`` too, and the
        returned ``legal.protective_order`` still matches anyone looking for ``legal`` by prefix.
        """
        ranked: list[tuple[float, Scored]] = []
        for top in TOP_LEVEL:
            own = raw.get(top, 0.0)
            kids = sorted(((s, t) for t, s in raw.items() if parent_of(t) == top), reverse=True)
            child_score, child = kids[0] if kids else (0.0, "")
            family = max(own, child_score) + 0.15 * min(own, child_score)
            score = min(100.0, 100.0 * family)
            if score < MIN_TOPIC_SCORE:
                continue
            pick = child if child and child_score >= 0.8 * own else top
            assert pick in ALL_TOPICS
            ranked.append((family, Scored(pick, round(score, 2))))
        ranked.sort(key=lambda fs: -fs[0])  # by the uncapped value: two capped 100s still differ
        return [s for _, s in ranked]

    # -- services -------------------------------------------------------------------------

    def _score_services(self, words: Sequence[str], text: str) -> list[Scored]:
        """Sum, over typed words, of idf x similarity x field weight; normalised by the best possible sum.

        A service qualifies through a word of its name, or through two typed words in its
        description: one everyday word in a description ("time") is not a match. Words in more
        than ``_COMMON_SHARE`` of services ("center") are not walked; they only re-score the
        best candidates found through rarer words (or, when every word is common, the rarest
        word's first postings). Ordinary words from the keyword files are skipped.
        """
        typed = normalize(text, max_chars=200)
        exact = self._exact_names.get(typed, self._exact_names.get(typed.replace(" ", "")))
        content = [w for w in words if w not in STOPWORDS and stem(w) not in self._ordinary][:16]
        singles, joins = _candidates(content, self._svc_vocab, fuzzy_joins=True)
        scores: dict[int, float] = {}
        named: set[int] = set()
        hits: dict[int, int] = {}
        deferred: list[dict[str, float]] = []
        total = 0.0
        for n, cands in enumerate(singles + joins):
            if n < len(singles):
                total += max((self._idf[w] for w in cands), default=self._max_idf * 0.5)
            common = {w: sim for w, sim in cands.items() if w in self._common_rows}
            if common:
                deferred.append(common)
            gains: dict[int, float] = {}
            for word, sim in cands.items():
                if word in common:
                    continue
                ids, weights = self._svc_postings[word]
                gain = sim * self._idf[word]
                for sid, wt in zip(ids, weights, strict=True):
                    if wt == _NAME_WEIGHT:
                        named.add(sid)
                    if gains.get(sid, 0.0) < gain * wt:
                        gains[sid] = gain * wt
            for sid, g in gains.items():
                scores[sid] = scores.get(sid, 0.0) + g
                hits[sid] = hits.get(sid, 0) + 1
        if deferred:
            if not scores:  # every word is common: start from the rarest one's services
                rarest = min((w for d in deferred for w in d), key=lambda w: len(self._common_rows[w]))
                scores = dict.fromkeys(list(self._common_rows[rarest])[:_FALLBACK_CANDIDATES], 0.0)
            top = sorted(scores, key=scores.__getitem__, reverse=True)[:200]
            for cands in deferred:
                rows = [(self._common_rows[w], sim * self._idf[w]) for w, sim in cands.items()]
                for sid in top:
                    best = max((gain * row.get(sid, 0.0) for row, gain in rows), default=0.0)
                    if best > 0:
                        scores[sid] += best
                        hits[sid] = hits.get(sid, 0) + 1
                        if any(row.get(sid) == _NAME_WEIGHT for row, _ in rows):
                            named.add(sid)
        out = {
            sid: min(100.0, 100.0 * sc / total)
            for sid, sc in scores.items()
            if total and (sid in named or hits.get(sid, 0) >= 2)
        }
        if exact is not None:
            out[exact] = 100.0
        ranked = sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))
        return [Scored(self._service_ids[sid], round(s, 2)) for sid, s in ranked if s >= MIN_SERVICE_SCORE]
