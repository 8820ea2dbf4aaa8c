"""The service search index: typed words to the services whose names and descriptions hold them.

Built once per directory load: service texts are split into stemmed words, and each word
gets a posting list of the services holding it (in a name, or only in a description).
A request then costs one typo-tolerant lookup per typed word against that vocabulary
(bucketed by length, so even 100,000 distinct service words stay cheap) plus a walk over
the postings of the few words it matched. No fuzzy scorer ever runs over whole service texts.

A search engine library (Whoosh, tantivy) would bring its own files, analysers and typo
rules; this index is a few flat arrays sharing the matcher's normalisation and typo rule,
and answers in about a millisecond over 50,000 services (bench/bench_matcher.py), so it is written here.
"""

from __future__ import annotations

import heapq
import math
import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat

from resource_bot.matching.fuzzy import FuzzyVocab, typed_candidates
from resource_bot.matching.request import Scored
from resource_bot.matching.textnorm import STOPWORDS, normalize, stem

#: Services scoring below this are not returned.
MIN_SERVICE_SCORE = 40.0
#: Scores this close to a bound are treated as reaching it, so float rounding never prunes a tie.
_SLACK = 1e-9
_NAME_WEIGHT = 1.0
_DESCRIPTION_WEIGHT = 0.6

#: One posting run: (value, start, end, in a name) over the flat postings array.
_Run = tuple[float, int, int, bool]


@dataclass(frozen=True)
class ServiceText:
    """What the matcher knows about a service."""

    id: str
    texts: tuple[str, ...]  # names and descriptions in every language; names first
    topics: tuple[str, ...]


class ServiceIndex:
    """Services by the words of their names and descriptions; see the module docstring."""

    def __init__(self, services: Iterable[ServiceText] = (), ordinary_words: Iterable[str] = ()) -> None:
        self._ordinary = frozenset(ordinary_words)
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
        self._vocab = FuzzyVocab(words, first_letter_buckets=True, prefixes=True)

    def __len__(self) -> int:
        return len(self._service_ids)

    def _exact_name(self, typed: str) -> int | None:
        """The service whose name (or its first words run together) is exactly ``typed``, if any."""
        keys = self._exact_keys
        for key in (hash(typed), hash(typed.replace(" ", ""))):
            i = bisect_left(keys, key)
            if i < len(keys) and keys[i] == key:
                return self._exact_sids[i]
        return None

    def search(self, words: Sequence[str], text: str, limit: int, *, pruned: bool = True) -> list[Scored]:
        """The best ``limit`` services for the typed ``words`` (of ``text``): sum over typed words of
        idf x similarity x field weight, normalised by the best possible sum.

        A service qualifies through a word of its name, or through two typed words in its
        description: one everyday word in a description ("time") is not a match. Ordinary
        words from the keyword files are skipped. A name typed whole scores 100.

        Only the top few are wanted, so this is a max-score search (:meth:`_max_score`);
        ``pruned=False`` scores every service holding any typed word instead, slowly: the
        same answer, for checking the pruning.
        """
        if limit <= 0:
            return []
        exact = self._exact_name(normalize(text, max_chars=200))
        content = [w for w in words if w not in STOPWORDS and stem(w) not in self._ordinary][:16]
        singles, joins = typed_candidates(content, self._vocab, fuzzy_joins=True)
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
            top = self._max_score(groups, total, limit) if pruned else self._score_all(groups, total, limit)
        values = {-neg: value for value, neg in top}
        if exact is not None:
            values[exact] = 100.0
        ranked = heapq.nsmallest(limit, values.items(), key=lambda kv: (-kv[1], kv[0]))
        return [Scored(self._service_ids[sid], round(v, 2)) for sid, v in ranked if v >= MIN_SERVICE_SCORE]

    def _max_score(self, groups: list[list[tuple[int, float]]], total: float, limit: int) -> list[tuple[float, int]]:
        """The max-score walk; returns a min-heap of (value, -service).

        Each typed word (a *group*: the vocabulary words it may mean) has an upper bound, its
        best idf x similarity. Groups are walked cheapest first; every service met is scored
        exactly (other groups looked up by bisection in their sorted postings, or read from a
        dict when that is cheaper) and the bar rises to the current k-th best. Walking stops
        once the groups not yet walked could not lift an unseen service over the bar together:
        a common word ("center") then only re-scores the services already found.
        """
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

    def _score_all(self, groups: list[list[tuple[int, float]]], total: float, limit: int) -> list[tuple[float, int]]:
        """Every service holding any typed word, scored exactly: what the walk must agree with."""
        runs = [sorted(self._runs(grp), reverse=True) for grp in groups]
        batch = {sid for group_runs in runs for _, a, b, _ in group_runs for sid in self._post[a:b]}
        top: list[tuple[float, int]] = []
        if batch:
            self._score_batch(batch, runs, total, limit, top, MIN_SERVICE_SCORE / 100.0 * total * (1 - _SLACK))
        return top

    def _runs(self, group: list[tuple[int, float]]) -> list[_Run]:
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
        runs: list[list[_Run]],
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
