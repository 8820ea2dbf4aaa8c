"""Topic scoring: typed words against the curated keyword phrases, one score per top-level topic.

Keyword words get posting lists (which phrase, which position) once; a request then costs
one typo-tolerant lookup per typed word and a walk over the postings of the words it hit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from resource_bot.directory.topics import ALL_TOPICS, TOP_LEVEL, parent_of
from resource_bot.matching.fuzzy import FuzzyVocab, typed_candidates
from resource_bot.matching.keywords import KeywordPhrase
from resource_bot.matching.request import Scored

#: Topics scoring below this are not returned: the text did not really mention them.
MIN_TOPIC_SCORE = 35.0
#: A best topic under this score is only a weak match: the bot asks (with the safety line) rather than opens it.
WEAK_TOPIC_SCORE = 60.0
#: Another topic rides along with the best one only when it scores this share of the best or more...
RELATED_SHARE = 0.8
#: ...and at least this much: "financial literacy classes" must not offer Health.
RELATED_FLOOR = 60.0
#: How far a keyword in the other language counts (people mix languages).
OTHER_LANGUAGE_FACTOR = 0.9


def close_topics(topics: Sequence[Scored]) -> tuple[Scored, ...]:
    """The best of ``topics`` (best first) and the others really close to it: see RELATED_SHARE and RELATED_FLOOR."""
    if not topics:
        return ()
    bar = max(RELATED_FLOOR, RELATED_SHARE * topics[0].score)
    return (topics[0], *(t for t in topics[1:] if t.score >= bar))


class TopicScorer:
    """Scores typed words against keyword phrases; topics best first, one per top-level family."""

    def __init__(self, phrases: Iterable[KeywordPhrase], ordinary_words: Iterable[str] = ()) -> None:
        self._phrases: list[KeywordPhrase] = list(phrases)
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for i, p in enumerate(self._phrases):
            for j, word in enumerate(p.words):
                self._postings.setdefault(word, []).append((i, j))
        # Ordinary words ("traffic") are in the vocabulary with no postings: an exact hit on
        # nothing, so they are never "corrected" into a keyword ("trafficking").
        self._vocab = FuzzyVocab(
            {*self._postings, *ordinary_words}, first_letter_buckets=False, prefixes=False, extensions=True
        )

    @property
    def phrases(self) -> Sequence[KeywordPhrase]:
        return self._phrases

    def score(self, words: Sequence[str], lang: str) -> list[Scored]:
        """Topics for the typed ``words``, best first; ``lang`` is the user's language, preferred not required."""
        best: dict[tuple[int, int], float] = {}
        singles, joins = typed_candidates(words, self._vocab)
        for cands in singles + joins:
            for word, sim in cands.items():
                for key in self._postings.get(word, ()):
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
        return _rank_families(raw)


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
