"""The typed-request matcher: from "need lawer" or "mi jefe no me paga" to topics and services.

It reads the request once and asks the two indexes built from the directory:
:class:`~resource_bot.matching.topic_scoring.TopicScorer` over the curated keyword phrases
(``conversations/keywords/<lang>.yaml``) and
:class:`~resource_bot.matching.service_index.ServiceIndex` over the services' names and
descriptions. Everything expensive happens once, when they are built.

Danger is not looked for here: the caller checks a message once and says whether it is
danger now (``crisis=True``), which puts the emergency topic first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from resource_bot.matching.keywords import KeywordPhrase, load_keyword_dir
from resource_bot.matching.request import Scored, query_words
from resource_bot.matching.service_index import ServiceIndex, ServiceText
from resource_bot.matching.topic_scoring import MIN_TOPIC_SCORE, TopicScorer
from resource_bot.matching.typedlang import exclusive_words, typed_language


@dataclass(frozen=True)
class MatchResult:
    text: str
    crisis: bool
    topics: tuple[Scored, ...]  # best first; top-level ids or dotted subtopics
    services: tuple[Scored, ...]  # best first


class NeedMatcher:
    """Scores typed text against keyword phrases (topics) and service texts; see the module docstring."""

    def __init__(
        self,
        phrases: Iterable[KeywordPhrase],
        services: Iterable[ServiceText] = (),
        ordinary_words: Iterable[str] = (),
    ) -> None:
        ordinary = frozenset(ordinary_words)
        self._topics = TopicScorer(phrases, ordinary)
        by_lang: dict[str, set[str]] = {}
        for p in self._topics.phrases:
            by_lang.setdefault(p.lang, set()).update(p.words)
        self._lang_words = exclusive_words(by_lang)
        self._services = ServiceIndex(services, ordinary)

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
        crisis: bool = False,
    ) -> MatchResult:
        """Best topics and services for ``text``; ``lang`` is the user's language, preferred not required.

        ``crisis`` is the caller's danger check saying danger now
        (:class:`~resource_bot.dialog.danger.DangerDetector`): the emergency topic then comes first.
        """
        words = query_words(text)
        topics = self._topics.score(words, lang)
        if crisis:
            topics = [Scored("emergency", 100.0)] + [t for t in topics if t.id != "emergency"]
        services = self._services.search(words, text, max_services) if len(self._services) else []
        return MatchResult(text, crisis, tuple(topics[:max_topics]), tuple(services[:max_services]))

    def typed_language(self, text: str, chat_lang: str) -> str:
        """The language ``text`` is clearly typed in, if not ``chat_lang`` (see :mod:`typedlang`)."""
        return typed_language(text, chat_lang, self._lang_words)

    def guess_topics(self, name: str, description: str) -> list[tuple[str, float]]:
        """Topics a service's name and description point to, as (id, score), best first: for the HSDS importer."""
        text = f"{name}. {description}"
        return [(s.id, s.score) for s in self.match(text, "en").topics if s.score >= MIN_TOPIC_SCORE]
