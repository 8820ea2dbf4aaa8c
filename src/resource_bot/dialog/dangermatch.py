"""Where danger rules match in a message: the matching half of the danger detector.

A message is read as slots, one per word, each the set of words it may stand for (itself, a
rule word within a typo, a sound-alike, a ``~verb``); see
:meth:`resource_bot.dialog.danger.DangerDetector._slot`. A rule (:mod:`resource_bot.dialog.dangerfile`)
matches when its elements follow each other through the slots. :class:`RuleSet` finds every
match of a list of rules; :func:`cancelled` decides whether an idiom explains a hit away.
Kept apart from :mod:`resource_bot.dialog.danger`, which decides what the hits mean.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from resource_bot.dialog.dangerfile import Element, Rule, Words

__all__ = ["RuleSet", "Span", "cancelled", "overlaps"]

Span = tuple[int, int, Rule]


def _match(elements: Sequence[Element], slots: Sequence[frozenset[str]], e: int, pos: int) -> int:
    """End position (exclusive) of the shortest match of ``elements[e:]`` at ``pos``, or -1."""
    if e == len(elements):
        return pos
    el = elements[e]
    n = len(slots)
    if el.end:
        return pos if pos == n else -1
    if el.gap:
        for count in range(el.low, el.high + 1):
            if pos + count > n:
                break
            end = _match(elements, slots, e + 1, pos + count)
            if end >= 0:
                return end
        return -1
    if pos < n:
        for word in slots[pos]:
            for rest in el.by_first.get(word, ()):
                if not rest or _follows(rest, slots, pos + 1):
                    end = _match(elements, slots, e + 1, pos + 1 + len(rest))
                    if end >= 0:
                        return end
    return _match(elements, slots, e + 1, pos) if el.low == 0 else -1


def _path(elements: Sequence[Element], slots: Sequence[frozenset[str]], e: int, pos: int) -> list[int] | None:
    """The positions :func:`_match` reads words at (not those a gap skips), in the same order of search."""
    if e == len(elements):
        return []
    el = elements[e]
    n = len(slots)
    if el.end:
        return [] if pos == n else None
    if el.gap:
        for count in range(el.low, el.high + 1):
            if pos + count > n:
                break
            path = _path(elements, slots, e + 1, pos + count)
            if path is not None:
                return path
        return None
    if pos < n:
        for word in slots[pos]:
            for rest in el.by_first.get(word, ()):
                if not rest or _follows(rest, slots, pos + 1):
                    path = _path(elements, slots, e + 1, pos + 1 + len(rest))
                    if path is not None:
                        return [*range(pos, pos + 1 + len(rest)), *path]
    return _path(elements, slots, e + 1, pos) if el.low == 0 else None


def _follows(rest: Words, slots: Sequence[frozenset[str]], pos: int) -> bool:
    """Whether the words of ``rest`` follow at ``pos`` (a plain loop: this runs on every candidate)."""
    if pos + len(rest) > len(slots):
        return False
    for k, words in enumerate(rest):  # noqa: SIM110 - a plain loop: all() with a generator costs more here
        if words.isdisjoint(slots[pos + k]):
            return False
    return True


def _needs(rule: Rule) -> frozenset[str]:
    """Words one of which a message must hold for ``rule`` to match: its rarest required step after the first."""
    required = [frozenset(el.by_first) for el in rule.elements[1:] if not el.gap and not el.end and el.low >= 1]
    return min(required, key=len) if required else frozenset()


class RuleSet:
    """Rules indexed by their possible first words, so a message costs one dict lookup per word.

    A rule is tried only when the message also holds a word of its rarest required step, so
    "{actor} ... {arm} ... {weapon}" costs nothing on the many messages with "he" but no weapon.
    """

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.by_first: dict[str, list[tuple[Rule, frozenset[str]]]] = {}
        for rule in rules:
            needs = _needs(rule)
            for w in rule.first_words:
                self.by_first.setdefault(w, []).append((rule, needs))

    def spans(self, slots: Sequence[frozenset[str]], present: frozenset[str] | None = None) -> list[Span]:
        """Where rules match; ``present`` is every word the slots hold (computed if not given)."""
        if present is None:
            present = frozenset().union(*slots)
        found: list[Span] = []
        for i, slot in enumerate(slots):
            tried: set[int] = set()
            for w in slot:
                for rule, needs in self.by_first.get(w, ()):
                    if id(rule) in tried or (rule.anchored and i) or (needs and needs.isdisjoint(present)):
                        continue
                    tried.add(id(rule))
                    end = _match(rule.elements, slots, 0, i)
                    if end >= 0:
                        found.append((i, end, rule))
        return found


def cancelled(span: Span, idioms: Sequence[Span], slots: Sequence[frozenset[str]]) -> bool:
    """Whether a ``not_danger`` idiom explains a danger hit away.

    An idiom is the harmless phrase whole: the danger word and what follows it ("shot down", "killing
    me with these puns"), so it cancels a hit it overlaps, whatever the hit read before it ("i got
    shot down"). But when the rule reads on past the idiom's last word without a gap, the idiom ended
    too early to explain it: "help me get" (a form, a job) does not explain "help me get out of this
    house", nor "killing me" "killing me and my kids". A gap to a word after the idiom does not count:
    "beat me at uno ... again" stays a game.
    """
    a, b, rule = span
    path: list[int] | None = None
    for c, d, _ in idioms:
        if not (a < d and c < b):
            continue
        if b <= d:
            return True
        if path is None:
            path = _path(rule.elements, slots, 0, a) or []
        if not (d in path and d - 1 in path):
            return True
    return False


def overlaps(span: Span, others: Iterable[Span]) -> bool:
    a, b, _ = span
    return any(a < d and c < b for c, d, _ in others)
