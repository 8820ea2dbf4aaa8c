"""Needs figures for keyword work: top-three rates on every half, and the TUNING half's misses only.

    .venv/bin/python -m tests.needs_tuning

Keywords in conversations/keywords/ are written from the misses this prints. It never prints a
held-out text: the held-out half (tests/evalsplit.py) only ever shows up as a count, so the
figures reported on it stay honest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from resource_bot.dialog.danger import DangerDetector
from resource_bot.directory.topics import within
from resource_bot.matching.need_matcher import NeedMatcher
from resource_bot.paths import conversations_dir
from tests.evalsplit import split

DATA = Path(__file__).parent / "data"
CASE_FILES = ("needs-dev.yaml", "needs-extra.yaml")


def load_cases(*names: str) -> list[dict[str, Any]]:
    """The cases of the needs sets named (all of them by default), in file order."""
    cases: list[dict[str, Any]] = []
    for name in names or CASE_FILES:
        loaded = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))
        assert isinstance(loaded, list) and loaded, f"{name} holds no cases"
        cases += loaded
    return cases


_DANGER: list[DangerDetector] = []


def danger() -> DangerDetector:
    """The danger detector, loaded once: like the engine, the matcher gets its verdict handed in."""
    if not _DANGER:
        _DANGER.append(DangerDetector.from_directory(conversations_dir()))
    return _DANGER[0]


def top_three(matcher: NeedMatcher, case: dict[str, Any]) -> tuple[bool, list[str]]:
    """Whether an expected topic is among the matcher's first three for ``case``, and what it gave."""
    verdict = danger().check(case["text"])
    ids = [s.id for s in matcher.match(case["text"], case["lang"], max_topics=3, crisis=verdict.now).topics]
    return any(within(got, want) for got in ids for want in case["expect"]), ids


def rate(matcher: NeedMatcher, cases: list[dict[str, Any]]) -> tuple[int, int]:
    """(hits, cases with an expected topic)."""
    scored = [c for c in cases if c.get("expect")]
    return sum(top_three(matcher, c)[0] for c in scored), len(scored)


def main() -> None:
    matcher = NeedMatcher.from_directory(conversations_dir())
    everything = load_cases()
    tuning, held_out = split(everything)
    for name, cases in (
        ("dev", load_cases("needs-dev.yaml")),
        ("tuning", tuning),
        ("held-out", held_out),
        ("all", everything),
    ):
        hits, total = rate(matcher, cases)
        print(f"{name:9} {hits}/{total} = {hits / total:.1%}")
    print("\ntuning-half misses:")
    for case in tuning:
        if case.get("expect"):
            ok, ids = top_three(matcher, case)
            if not ok:
                print(f"  {case['text']!r} ({case['lang']}) expected {case['expect']} got {ids}")


if __name__ == "__main__":
    main()
