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

import heapq
import math
import sys
import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from resource_bot.dialog.danger import Verdict
from resource_bot.dialog.textnorm import STOPWORDS, normalize, stem
from resource_bot.dialog.typedlang import exclusive_words, typed_language
from resource_bot.directory.topics import ALL_TOPICS, TOP_LEVEL, parent_of

#: Topics scoring below this are not returned: the text did not really mention them.
MIN_TOPIC_SCORE = 35.0
#: Services scoring below this are not returned.
MIN_SERVICE_SCORE = 40.0
#: A best topic under this score is only a weak match: the bot asks (with the safety line) rather than opens it.
WEAK_TOPIC_SCORE = 60.0
#: Another topic rides along with the best one only when it scores this share of the best or more...
RELATED_SHARE = 0.8
#: ...and at least this much: "financial literacy classes" must not offer Health.
RELATED_FLOOR = 60.0

#: How far a keyword in the other language counts (people mix languages).
OTHER_LANGUAGE_FACTOR = 0.9
#: Only this many typed words are looked at; a request is a few words, not an essay.
MAX_QUERY_WORDS = 48
_STOPWORD_WEIGHT = 0.5
#: Typo lookups remembered per vocabulary (least recently used dropped first).
_FUZZY_CACHE_SIZE = 20_000
#: Scores this close to a bound are treated as reaching it, so float rounding never prunes a tie.
_SLACK = 1e-9
#: A typed word that starts with a keyword word this long or longer may be a longer form of it.
_MIN_STEM_OF_LONGER = 6
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


def close_topics(topics: Sequence[Scored]) -> tuple[Scored, ...]:
    """The best of ``topics`` (best first) and the others really close to it: see RELATED_SHARE and RELATED_FLOOR."""
    if not topics:
        return ()
    bar = max(RELATED_FLOOR, RELATED_SHARE * topics[0].score)
    return (topics[0], *(t for t in topics[1:] if t.score >= bar))


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
        raise KeywordFileError(f"{where}: write a phrase ('- lawyer') or a phrase with a weight ('- court: 0.5').")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
        raise KeywordFileError(f"{where}: the weight of {item!r} must be a number above 0 and at most 1.")
    words = tuple(stem(w) for w in normalize(str(item)).split())
    weights = tuple(_STOPWORD_WEIGHT if w in STOPWORDS else 1.0 for w in words)
    if 1.0 not in weights:
        raise KeywordFileError(f"{where}: {item!r} has only very common words; add a word that carries meaning.")
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

    def __init__(
        self, words: Iterable[str], *, first_letter_buckets: bool, prefixes: bool, extensions: bool = False
    ) -> None:
        self._words = frozenset(words)
        self._prefixes = prefixes
        self._extensions = extensions
        self._sorted = sorted(self._words)
        self._first = first_letter_buckets
        self._buckets: dict[tuple[str, int], list[str]] = {}
        for w in self._sorted:
            self._buckets.setdefault(self._key(w, len(w)), []).append(w)
        self._cache: OrderedDict[str, dict[str, float]] = OrderedDict()
        # Threads answering at once share the cache: a get-then-move while another evicts raises, so
        # the cache is touched under a lock (held for a dict step, never for the fuzzy search).
        # Not functools.lru_cache over a method: that ties the vocabulary into a reference cycle,
        # which after runtime.settle_heap's gc.freeze would outlive every directory reload.
        self._cache_lock = threading.Lock()

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
        with self._cache_lock:
            hit = self._cache.get(word)
            if hit is not None:
                self._cache.move_to_end(word)
                return hit
        n = len(word)
        cutoff = 85.0 if n <= 5 else 80.0  # one wrong letter in a 5-letter word is a different word
        found: dict[str, float] = {}
        for length in range(math.ceil(n * 2 / 3), n * 3 // 2 + 1):
            bucket = self._buckets.get(self._key(word, length))
            if bucket:
                for match, score, _ in process.extract(word, bucket, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3):
                    found[match] = score / 100.0
        if self._prefixes and n >= 5:  # "cybertip" -> "cybertipline"
            i = bisect_left(self._sorted, word)
            for w in self._sorted[i : i + 5]:
                if not w.startswith(word):
                    break
                found[w] = max(found.get(w, 0.0), 0.7 + 0.3 * n / len(w))
        if self._extensions:  # "expungement" -> "expunge", "harassment" -> "harass"
            for k in range(_MIN_STEM_OF_LONGER, n - 1):
                if word[:k] in self._words:
                    found[word[:k]] = max(found.get(word[:k], 0.0), 0.7 + 0.3 * k / n)
        result = dict(sorted(found.items(), key=lambda kv: -kv[1])[:3])
        with self._cache_lock:
            self._cache[word] = result
            if len(self._cache) > _FUZZY_CACHE_SIZE:  # least recently used out: bounded whatever people type
                self._cache.popitem(last=False)
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
        ordinary_words: Iterable[str] = (),
    ) -> None:
        self._phrases: list[KeywordPhrase] = list(phrases)
        self._phrase_postings: dict[str, list[tuple[int, int]]] = {}
        for i, p in enumerate(self._phrases):
            for j, word in enumerate(p.words):
                self._phrase_postings.setdefault(word, []).append((i, j))
        # Ordinary words ("traffic") are in the vocabulary with no postings: an exact hit on
        # nothing, so they are never "corrected" into a keyword ("trafficking").
        self._ordinary = frozenset(ordinary_words)
        self._kw_vocab = FuzzyVocab(
            {*self._phrase_postings, *self._ordinary}, first_letter_buckets=False, prefixes=False, extensions=True
        )
        by_lang: dict[str, set[str]] = {}
        for p in self._phrases:
            by_lang.setdefault(p.lang, set()).update(p.words)
        self._lang_words = exclusive_words(by_lang)

        self._service_ids: list[str] = []
        # Service words, each once (interned), numbered; word i's postings are the service numbers
        # _post[_off[2i]:_off[2i+1]] (the word is in a name) then _post[_off[2i+1]:_off[2i+2]]
        # (only in a description), each run ascending. Flat arrays of ints: a few bytes a posting.
        names_of: dict[str, array[int]] = {}
        descs_of: dict[str, array[int]] = {}
        exact: dict[int, int] = {}
        stems: dict[str, str] = {}
        for sid, svc in enumerate(services):
            self._service_ids.append(svc.id)
            in_name: dict[str, bool] = {}
            for k, text in enumerate(svc.texts):
                norm = normalize(text, max_chars=2000)
                is_name = k == 0 or len(norm) <= 60
                parts = norm.split()
                if is_name and norm:
                    # the whole name and its first words, run together too: "loveisrespect"
                    exact.setdefault(hash(norm), sid)
                    for n in range(2, min(len(parts), 5) + 1):
                        exact.setdefault(hash("".join(parts[:n])), sid)
                for w in parts:
                    if w in STOPWORDS:
                        continue
                    s = stems.get(w)
                    if s is None:
                        s = stems[w] = sys.intern(stem(w))
                    if is_name:
                        in_name[s] = True
                    else:
                        in_name.setdefault(s, False)
            for s, named in in_name.items():
                (names_of if named else descs_of).setdefault(s, array("i")).append(sid)
        del stems
        words = sorted({*names_of, *descs_of})
        self._word_ids: dict[str, int] = {w: i for i, w in enumerate(words)}
        self._post: array[int] = array("i")
        self._off: array[int] = array("q", [0])
        self._idf: array[float] = array("d")
        n = max(1, len(self._service_ids))
        empty: array[int] = array("i")
        for w in words:
            self._post.extend(names_of.pop(w, empty))
            self._off.append(len(self._post))
            self._post.extend(descs_of.pop(w, empty))
            df = len(self._post) - self._off[-2]
            self._off.append(len(self._post))
            self._idf.append(math.log(1.0 + n / df))
        self._max_idf = math.log(1.0 + n)
        # Exact names by hash only (a string hash is 64 bits: a false hit is out of reach), sorted.
        keys = sorted(exact)
        self._exact_keys: array[int] = array("q", keys)
        self._exact_sids: array[int] = array("i", [exact[k] for k in keys])
        del exact, keys
        self._svc_vocab = FuzzyVocab(words, first_letter_buckets=True, prefixes=True)

    @classmethod
    def from_directory(cls, conversations_dir: Path, services: Iterable[ServiceText] = ()) -> NeedMatcher:
        """Load ``keywords/*.yaml`` under ``conversations_dir``."""
        phrases, ordinary = load_keyword_dir(conversations_dir / "keywords")
        return cls(phrases, services, ordinary)

    def match(
        self,
        text: str,
        lang: str,
        *,
        max_topics: int = 3,
        max_services: int = 5,
        danger: Verdict | None = None,
    ) -> MatchResult:
        """Best topics and services for ``text``; ``lang`` is the user's language, preferred not required.

        The matcher does not look for danger itself: the caller checks the message once
        (:class:`~resource_bot.dialog.danger.DangerDetector`) and hands the verdict in; danger
        now puts the emergency topic first.
        """
        crisis = danger is not None and danger.now
        words = _query_words(text)
        topics = self._score_topics(words, lang)
        if crisis:
            topics = [Scored("emergency", 100.0)] + [t for t in topics if t.id != "emergency"]
        services = self._score_services(words, text, max_services) if self._service_ids else []
        return MatchResult(text, crisis, tuple(topics[:max_topics]), tuple(services[:max_services]))

    def typed_language(self, text: str, chat_lang: str) -> str:
        """The language ``text`` is clearly typed in, if not ``chat_lang`` (see :mod:`typedlang`)."""
        return typed_language(text, chat_lang, self._lang_words)

    def guess_topics(self, name: str, description: str) -> list[tuple[str, float]]:
        """Topics a service's name and description point to, as (id, score), best first: for the HSDS importer."""
        text = f"{name}. {description}"
        return [(s.id, s.score) for s in self.match(text, "en").topics if s.score >= MIN_TOPIC_SCORE]

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
            if p.content_words == 1 and any(w in claimed_words and (w, p.topic) not in claimed for w in p.words):
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

    def _exact_name(self, typed: str) -> int | None:
        """The service whose name (or its first words run together) is exactly ``typed``, if any."""
        keys = self._exact_keys
        for key in (hash(typed), hash(typed.replace(" ", ""))):
            i = bisect_left(keys, key)
            if i < len(keys) and keys[i] == key:
                return self._exact_sids[i]
        return None

    def _score_services(self, words: Sequence[str], text: str, limit: int) -> list[Scored]:
        """The best ``limit`` services: sum over typed words of idf x similarity x field weight,
        normalised by the best possible sum.

        A service qualifies through a word of its name, or through two typed words in its
        description: one everyday word in a description ("time") is not a match. Ordinary
        words from the keyword files are skipped.

        Only the top few are wanted, so this is a max-score search: each typed word (a
        *group*: the vocabulary words it may mean) has an upper bound, its best idf x
        similarity. Groups are walked cheapest first; every service met is scored exactly
        (other groups looked up by bisection in their sorted postings, or read from a dict
        when that is cheaper) and the bar rises to the current k-th best. Walking stops once
        the groups not yet walked could not lift an unseen service over the bar together:
        a common word ("center") then only re-scores the services already found.
        """
        if limit <= 0:
            return []
        exact = self._exact_name(normalize(text, max_chars=200))
        content = [w for w in words if w not in STOPWORDS and stem(w) not in self._ordinary][:16]
        singles, joins = _candidates(content, self._svc_vocab, fuzzy_joins=True)
        ids, idf = self._word_ids, self._idf
        total = 0.0
        groups: list[list[tuple[int, float]]] = []  # per typed word: (word number, idf x similarity)
        for n, cands in enumerate(singles + joins):
            if n < len(singles):
                total += max((idf[ids[w]] for w in cands), default=self._max_idf * 0.5)
            if cands:
                groups.append([(ids[w], sim * idf[ids[w]]) for w, sim in cands.items()])
        top: list[tuple[float, int]] = []  # min-heap of (value, -service): the best ``limit`` so far
        if groups and total > 0:
            top = self._max_score(groups, total, limit)
        values = {-neg: value for value, neg in top}
        if exact is not None:
            values[exact] = 100.0
        ranked = heapq.nsmallest(limit, values.items(), key=lambda kv: (-kv[1], kv[0]))
        return [Scored(self._service_ids[sid], round(v, 2)) for sid, v in ranked if v >= MIN_SERVICE_SCORE]

    def _max_score(self, groups: list[list[tuple[int, float]]], total: float, limit: int) -> list[tuple[float, int]]:
        """The max-score walk of :meth:`_score_services`; returns a min-heap of (value, -service)."""
        post = self._post
        # Each group's runs, best first: a group's bound is the value of its best run not yet walked.
        runs = [sorted(self._runs(grp), reverse=True) for grp in groups]
        walked = [0] * len(groups)
        done: set[int] = set()  # services scored (or ruled out) already
        top: list[tuple[float, int]] = []
        bar = MIN_SERVICE_SCORE / 100.0 * total * (1 - _SLACK)
        while True:
            bounds = [rs[k][0] if k < len(rs) else 0.0 for rs, k in zip(runs, walked, strict=True)]
            rest = sum(bounds)
            if rest < bar:
                break  # a service in none of the walked runs cannot reach the bar
            # walk the cheapest next run of the groups that are not droppable (low bounds summing under the bar)
            by_bound = sorted((g for g, ub in enumerate(bounds) if ub > 0), key=bounds.__getitem__)
            low = 0.0
            i = 0
            while low + bounds[by_bound[i]] < bar:
                low += bounds[by_bound[i]]
                i += 1
            g = min(by_bound[i:], key=lambda h: runs[h][walked[h]][2] - runs[h][walked[h]][1])
            value, a, b, in_name = runs[g][walked[g]]
            walked[g] += 1
            others = rest - bounds[g]
            if value + others < bar:
                continue  # nothing only here (and lower) can reach the bar
            if others == 0 and not in_name and not any(r[3] for r in runs[g][walked[g] :]):
                continue  # only here, in a description: one word there does not qualify a service
            batch = set(post[a:b])
            batch -= done
            if batch:
                done |= batch
                bar = self._score_batch(batch, runs, total, limit, top, bar)
        return top

    def _runs(self, group: list[tuple[int, float]]) -> list[tuple[float, int, int, bool]]:
        """A group's postings as (value, start, end, in a name) runs: name runs at full gain, descriptions less."""
        off = self._off
        runs = []
        for w, gain in group:
            a, m, e = off[2 * w], off[2 * w + 1], off[2 * w + 2]
            if a < m:
                runs.append((gain * _NAME_WEIGHT, a, m, True))
            if m < e:
                runs.append((gain * _DESCRIPTION_WEIGHT, m, e, False))
        return runs

    def _score_batch(
        self,
        batch: set[int],
        runs: list[list[tuple[float, int, int, bool]]],
        total: float,
        limit: int,
        top: list[tuple[float, int]],
        bar: float,
    ) -> float:
        """Score ``batch`` exactly over every group, keep the best in ``top``; returns the new bar.

        Per group, each service's best run: for a big batch by intersecting it with each run
        (one pass over the run, in C), for a small one by bisecting the runs per service.
        """
        post = self._post
        order = list(batch)
        named: set[int] = set()
        columns: list[list[float]] = []
        for group_runs in runs:
            size = sum(b - a for _, a, b, _ in group_runs)
            if size < 6 * len(order) * len(group_runs):
                level: dict[int, float] = {}
                for value, a, b, in_name in reversed(group_runs):  # ascending: the best one wins
                    hit = batch.intersection(post[a:b])
                    if hit:
                        level.update(dict.fromkeys(hit, value))
                        if in_name:
                            named |= hit
                columns.append(list(map(level.get, order, repeat(0.0))))
                continue
            column = []
            for sid in order:
                best = 0.0
                for value, a, b, in_name in group_runs:  # best first: the first found is the level
                    i = bisect_left(post, sid, a, b)
                    if i < b and post[i] == sid:
                        if in_name:
                            named.add(sid)
                        if best == 0.0:
                            best = value
                column.append(best)
            columns.append(column)
        rows = list(zip(*columns, strict=True))
        scores = list(map(sum, rows))
        # best first, so once ``top`` is full nothing later can enter it
        ranked = sorted(
            ((min(100.0, 100.0 * score / total), -order[k], k) for k, score in enumerate(scores) if score >= bar),
            reverse=True,
        )
        for value, neg, k in ranked:
            item = (value, neg)
            if len(top) == limit and item <= top[0]:
                break
            if -neg not in named and len(rows[k]) - rows[k].count(0.0) < 2:
                continue
            if len(top) < limit:
                heapq.heappush(top, item)
            else:
                heapq.heapreplace(top, item)
        if len(top) == limit:
            bar = max(bar, top[0][0] / 100.0 * total * (1 - _SLACK))
        return bar
