"""Typo-tolerant lookups: a typed word against a vocabulary, and "did you mean" for maintainers.

Two questions, one module:

- :class:`FuzzyVocab` answers "which words of this vocabulary may a typed word mean, and how
  sure is that?" for the need matcher (keyword words and service words). Its scores feed the
  topic and service rankings, so its rule is tuned on the needs evaluation's tuning half.
- :func:`did_you_mean` answers "which one name did a maintainer mistype?" for every hint a
  maintainer sees: unknown keys and topics in data files, unknown topics in keyword files,
  ``link --topic``. One rule for all of them (see the function).

Both use rapidfuzz; the length buckets and the cache below are what it does not do itself.
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from resource_bot.matching.textnorm import STOPWORDS, stem

#: Typo lookups remembered per vocabulary (least recently used dropped first).
FUZZY_CACHE_SIZE = 20_000
#: A typed word that starts with a keyword word this long or longer may be a longer form of it.
MIN_STEM_OF_LONGER = 6
#: Words this long or longer may have two typos for :func:`did_you_mean`; shorter ones one.
_TWO_TYPOS_FROM = 9


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` most likely misspells, or None when no choice is that close.

    The rule: at most one typo (a letter wrong, missing or extra, or two letters swapped,
    as in "nmae"), two in words of nine letters or more; words under three letters get no
    guess. It is the danger words' typo budget, counted in typos as people make them rather
    than as a share of letters: the hints used three rules before (difflib's ratio at 0.6 for
    data files, at 0.8 for ``link --topic``, rapidfuzz's ratio over 60 for keyword files), and
    a share of letters both misses a swap in a short word and suggests look-alikes in long ones.
    """
    if len(word) < 3:
        return None
    limit = 1 if len(word) < _TWO_TYPOS_FROM else 2
    found = process.extractOne(word, list(choices), scorer=OSA.distance, score_cutoff=limit)
    return str(found[0]) if found else None


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
            for k in range(MIN_STEM_OF_LONGER, n - 1):
                if word[:k] in self._words:
                    found[word[:k]] = max(found.get(word[:k], 0.0), 0.7 + 0.3 * k / n)
        result = dict(sorted(found.items(), key=lambda kv: -kv[1])[:3])
        with self._cache_lock:
            self._cache[word] = result
            if len(self._cache) > FUZZY_CACHE_SIZE:  # least recently used out: bounded whatever people type
                self._cache.popitem(last=False)
        return result


def typed_candidates(
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
