"""The need taxonomy.

Top-level ids are part of the bot's public interface (deep links, the ``ask``
command, statistics), so they live here in code, reviewed like code. The
words people see for each topic live in ``conversations/<lang>.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterator

#: Top-level need topics, in the order the main menu shows them.
TOP_LEVEL: tuple[str, ...] = (
    "emergency",
    "trafficking",
    "safety",
    "legal",
    "credit",
    "childcare",
    "work",
    "housing",
    "food",
    "online",
    "money",
    "health",
    "help_others",
)

#: Subtopics under each top-level topic, in menu order.
SUBTOPICS: dict[str, tuple[str, ...]] = {
    "legal": (
        "legal.protective_order",
        "legal.record_relief",
        "legal.immigration",
        "legal.family",
        "legal.housing",
    ),
    "credit": ("credit.reports", "credit.identity_theft"),
    "work": ("work.wages", "work.safety", "work.discrimination"),
    "online": ("online.image_removal", "online.report"),
    "money": ("money.budget", "money.jobs", "money.business"),
    "health": ("health.mental", "health.substance", "health.care"),
}

ALL_TOPICS: frozenset[str] = frozenset(TOP_LEVEL) | frozenset(s for subs in SUBTOPICS.values() for s in subs)


def parent_of(topic_id: str) -> str | None:
    """The top-level topic a subtopic belongs to, or None for a top-level topic."""
    head, dot, _ = topic_id.partition(".")
    return head if dot else None


def children_of(topic_id: str) -> tuple[str, ...]:
    return SUBTOPICS.get(topic_id, ())


def is_topic(topic_id: str) -> bool:
    return topic_id in ALL_TOPICS


def within(topic_id: str, ancestor: str) -> bool:
    """True when ``topic_id`` is ``ancestor`` or one of its subtopics."""
    return topic_id == ancestor or topic_id.startswith(ancestor + ".")


def walk() -> Iterator[str]:
    """Every topic id, parents before their children, in menu order."""
    for top in TOP_LEVEL:
        yield top
        yield from SUBTOPICS.get(top, ())
