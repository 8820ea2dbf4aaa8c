"""One "did you mean" rule for every hint a maintainer sees (data files, keyword files, `link --topic`)."""

from __future__ import annotations

import pytest

from resource_bot.directory.topics import ALL_TOPICS
from resource_bot.matching.fuzzy import did_you_mean

TOPICS = sorted(ALL_TOPICS)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("legl", "legal"),  # a letter missing
        ("legall", "legal"),  # a letter extra
        ("lagal", "legal"),  # a letter wrong
        ("lgeal", "legal"),  # two letters swapped
        ("emergncy", "emergency"),
        ("traficcking", "trafficking"),  # two slips in a long word
    ],
)
def test_a_topic_one_slip_away_is_suggested(typed: str, meant: str) -> None:
    assert did_you_mean(typed, TOPICS) == meant


@pytest.mark.parametrize("typed", ["lawyer", "legalese", "hsg", "xx", "tarficikng"])
def test_a_word_that_only_looks_alike_gets_no_guess(typed: str) -> None:
    assert did_you_mean(typed, TOPICS) is None
