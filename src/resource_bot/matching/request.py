"""A typed request as matching reads it (its first few dozen words) and what an answer is (:class:`Scored`)."""

from __future__ import annotations

from dataclasses import dataclass

from resource_bot.matching.textnorm import normalize

#: Only this many typed words are looked at; a request is a few words, not an essay.
MAX_QUERY_WORDS = 48


@dataclass(frozen=True)
class Scored:
    """A topic or service id with how well the request matched it."""

    id: str
    score: float  # 0..100, higher is better


def query_words(text: str) -> list[str]:
    """The normalised words of a typed request, at most :data:`MAX_QUERY_WORDS` of them."""
    return normalize(text, max_chars=MAX_QUERY_WORDS * 12).split()[:MAX_QUERY_WORDS]
