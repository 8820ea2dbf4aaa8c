"""Where a message's story turns: from the past to now, from a what-if to now, a question about a thing done.

The danger detector (:mod:`resource_bot.dialog.danger`) lowers a verdict for the past ("two years
ago"), a hypothetical ("what if he ever") or a question ("qué pasa si"); these functions say where such
a phrase stops governing the message. They work on word positions: a span is ``(start, end, rule)``
with ``end`` exclusive, as :class:`~resource_bot.dialog.dangermatch.RuleSet` finds them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from resource_bot.dialog.dangermatch import Span
from resource_bot.matching.textnorm import normalize

__all__ = ["MAX_WORDS", "after_turn", "asks_about", "turn_to_now", "words_and_clauses"]

#: Only this many words are read: danger said in a long message is said early enough.
MAX_WORDS = 300
#: A thing ``done`` may start this many words after the question it answers ("what happens if my son already").
DONE_REACH = 3
#: Marks that end a clause ("y si me mata? ya está aquí", "what if he finds me. hes here"), but not a
#: point, comma or colon inside a number ("9.40", "1,000", "10:15"). Normalising folds them to spaces, so
#: they are first made a word normalising keeps, then taken out again with their places noted.
CLAUSE_END = re.compile(r"[?!¿¡…;]+|[.,:](?!\d)")
CLAUSE_WORD = "qqclauseqq"


def asks_about(span: Span, done: Iterable[Span]) -> bool:
    """Whether a question (``span``: "what happens if", "qué pasa si") is about a thing ``done`` says was
    done: the thing starts inside the question or within a few words after it ("que pasa si mi hijo ya
    se tomo"), not before it."""
    a, b, _ = span
    return any(a <= c <= b + DONE_REACH for c, _, _ in done)


def after_turn(hit: Span, turns: Sequence[Span], past: Sequence[Span]) -> bool:
    """Whether a danger hit is said after the story turns to now ("two years ago ... but now he found me"):
    a ``turn`` starts at or before the hit, and every past phrase ends before the turn starts. A past phrase
    after the turn ("but now were fine now", "ahora estoy bien") still calms, and so does one the turn is
    part of ("safe now")."""
    start = hit[0]
    return any(c <= start and all(q <= c for _, q, _ in past) for c, _, _ in turns)


def words_and_clauses(text: str) -> tuple[list[str], list[int]]:
    """The message's words (at most :data:`MAX_WORDS`), and where each clause after the first starts."""
    if not CLAUSE_END.search(text):
        return normalize(text).split()[:MAX_WORDS], []
    words: list[str] = []
    clauses: list[int] = []
    for word in normalize(CLAUSE_END.sub(f" {CLAUSE_WORD} ", text)).split():
        if word == CLAUSE_WORD:
            if words and (not clauses or clauses[-1] != len(words)):
                clauses.append(len(words))
        elif len(words) < MAX_WORDS:
            words.append(word)
    return words, clauses


def turn_to_now(
    openers: Sequence[Span],
    now_said: Sequence[Span],
    hits: Sequence[Span],
    clauses: Sequence[int],
    turns: Sequence[int],
) -> int | None:
    """Where a message that opened with a what-if or a question turns to now, or None.

    A hypothetical governs its own clause only: "y si algún día me mata? ya está aquí con la pistola",
    "what should i do if he hits me again, hes banging on the door right now", "y si algun dia lo hago?
    hoy me voy a tirar del puente". The message turns at a clause mark when a danger hit is said there
    or later, and so is a ``present`` or ``done`` phrase or a ``turn`` word ("now", "hoy") with no opener
    between the mark and it ("in case it ever happens, what should i do if my ex shows up at my door"
    stays a question). Without a clause mark, a turn word before a present or done phrase turns it. A
    present word inside the hypothetical ("what if someone is bleeding, do i use a tourniquet", "what if he
    comes right now") turns nothing, and neither does a later clause that holds no danger or no word of now.
    """
    said = sorted(s[0] for s in now_said)
    for mark in sorted({*clauses, *turns}):
        if not any(h[0] >= mark for h in hits):
            continue
        # a word of now in the later clause (after a turn word alone, only a present or done phrase)
        signs = [e for e in [*said, *turns] if e >= mark] if mark in clauses else [e for e in said if e > mark]
        for sign in signs:
            before = [o[1] for o in openers if o[0] < sign]
            if before and max(before) <= mark:
                return mark
    return None
