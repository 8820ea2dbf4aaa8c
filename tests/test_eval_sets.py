"""Checks on the evaluation sets themselves (tests/data/danger-eval-*.yaml, danger-spent-*.yaml).

The sets are what the danger figures in the README are measured on, so they must stay big
enough in every half to mean something, and the held-out half must never leak into the rules:
a held-out phrase found in conversations/ would make the reported figures a measure of copying.
The spent sets (the first fresh sets, measured twice) are tuning material now; their phrases are still
never copied, but only a held-out phrase found in conversations/ fails the copy check.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.evalsplit import split

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
CONVERSATIONS = ROOT / "conversations"

DANGER_SETS = {"en": DATA / "danger-eval-en.yaml", "es": DATA / "danger-eval-es.yaml"}
#: The first fresh sets, written after the rules, measured twice, then made tuning material;
#: the second fresh sets, measured once, then made tuning material too; the third and fourth fresh sets, each
#: measured before and after a pass (the sixth, the seventh); the fifth, measured before and after the eighth
#: pass and then used to choose the learned model's limits; the sixth and seventh, measured before and after
#: the learned model came in and was retrained; the eighth, measured before and after a retrain and then used
#: to choose the Spanish model's limit over the rules' "maybe"; the ninth, measured before and after the ninth
#: pass and then read for the tenth; and the third to fifth tuning sets, written blind as tuning material.
TUNING_SETS = {
    **{lang: DATA / f"danger-spent-{lang}.yaml" for lang in ("en", "es")},
    **{f"{lang}2": DATA / f"danger-spent2-{lang}.yaml" for lang in ("en", "es")},
    **{f"{lang}3": DATA / f"danger-spent3-{lang}.yaml" for lang in ("en", "es")},
    **{f"{lang}4": DATA / f"danger-spent4-{lang}.yaml" for lang in ("en", "es")},
    **{f"{lang}5": DATA / f"danger-spent5-{lang}.yaml" for lang in ("en", "es")},
    **{f"{lang}6": DATA / f"danger-spent6-{lang}.yaml" for lang in ("en", "es")},
    **{f"{lang}7": DATA / f"danger-spent7-{lang}.yaml" for lang in ("en", "es")},
    **{f"{lang}8": DATA / f"danger-spent8-{lang}.yaml" for lang in ("en", "es")},
    **{f"{lang}9": DATA / f"danger-spent9-{lang}.yaml" for lang in ("en", "es")},
    **{f"{lang}-tune3": DATA / f"danger-tune3-{lang}.yaml" for lang in ("en", "es")},
    **{f"{lang}-tune4": DATA / f"danger-tune4-{lang}.yaml" for lang in ("en", "es")},
    **{f"{lang}-tune5": DATA / f"danger-tune5-{lang}.yaml" for lang in ("en", "es")},
}
#: The tenth fresh sets, written by helpers who never saw the rules, the detector or the older sets' texts;
#: held out entirely (not split) and measured only by the lead, before and after the tenth pass.
FRESH_SETS: dict[str, Path] = {"en": DATA / "danger-fresh10-en.yaml", "es": DATA / "danger-fresh10-es.yaml"}
NEEDS_SETS = (DATA / "needs-dev.yaml", DATA / "needs-extra.yaml")
#: Hard-life conflicts with no danger, held out whole from the learned model and the rules: [text, level, kind] rows.
CONFLICT_CHECKS = {lang: DATA / f"danger-conflict-check-{lang}.yaml" for lang in ("en", "es")}
#: Every evaluation file whose held-out half (the whole of a fresh set or a conflict check) must not appear in
#: conversations/.
EVAL_FILES: tuple[Path, ...] = (*DANGER_SETS.values(), *FRESH_SETS.values(), *CONFLICT_CHECKS.values(), *NEEDS_SETS)
#: Fresh phrases already in conversations/ before the fresh sets were written: common words the rules
#: had reached on their own, found the first time the copy check ran. They stay in the sets, as dropping
#: them would make the fresh figures read lower than the truth; any OTHER fresh phrase found in
#: conversations/ is a copy and fails the test.
#: The tenth fresh set (2026-12-02) has none: the copy check found none of its messages in conversations/.
FRESH_ALREADY_IN_RULES: frozenset[str] = frozenset()
ALL_DANGER_FILES = {
    **{f"eval-{lang}": path for lang, path in DANGER_SETS.items()},
    **{f"tuning-{lang}": path for lang, path in TUNING_SETS.items()},
    **{f"fresh-{lang}": path for lang, path in FRESH_SETS.items()},
}
#: Where each set's rules live, if not all of conversations/: the need matcher reads only the keyword
#: files, so the menus' own words (the topic named "Orden de protección") cannot lift its figures.
RULES_FOLDER = dict.fromkeys(NEEDS_SETS, CONVERSATIONS / "keywords")

LEVELS = ("now", "maybe", "none")
KINDS = ("self_harm", "violence", "weapon", "held", "medical", "children", "trafficking")
CATEGORIES = {
    "now": {
        "threat",
        "attack_now",
        "at_the_door",
        "followed",
        "weapon",
        "held",
        "medical",
        "overdose",
        "self_harm_direct",
        "self_harm_indirect",
        "children",
        "trafficking_now",
    },
    "maybe": {"fear", "help_me", "coming", "unsure"},
    "none": {"past", "helper", "question", "idiom", "media", "service_request", "hypothetical", "joke"},
}
#: Fewest cases per language in the whole set, and in each half of it.
MINIMUM = {"now": 330, "maybe": 70, "none": 170}
MINIMUM_PER_HALF = {"now": 140, "maybe": 30, "none": 70}
MINIMUM_SELF_HARM_INDIRECT = 40
#: Fewest cases per language in a fresh set, which is not split.
MINIMUM_FRESH = {"now": 200, "maybe": 60, "none": 120}
MINIMUM_FRESH_SELF_HARM_INDIRECT = 20


def load(path: Path) -> list[dict[str, Any]]:
    cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(cases, list), f"{path.name}: expected a YAML list of cases"
    return cases


def held_out(path: Path) -> list[dict[str, Any]]:
    """The cases of ``path`` that no rule may be written from: all of a fresh set or a conflict check, else the
    held-out half."""
    cases = load(path)
    if path in CONFLICT_CHECKS.values():
        return [{"text": text} for text, _, _ in cases]
    return cases if path in FRESH_SETS.values() else split(cases)[1]


def key(text: str) -> str:
    return text.strip().casefold()


def normalise(text: str) -> str:
    """Casefold, strip accents, drop punctuation ("he's" -> "hes"), collapse spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn" and ch not in "'’`")
    return " ".join(re.sub(r"[\W_]+", " ", kept).split())


def strings_in(node: Any) -> Iterator[str]:
    """Every string in a parsed YAML document: mapping keys, mapping values and list items."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from strings_in(k)
            yield from strings_in(v)
    elif isinstance(node, list):
        for item in node:
            yield from strings_in(item)


@pytest.mark.parametrize("name", ALL_DANGER_FILES)
def test_every_case_has_a_text_a_level_a_category_and_a_kind_when_in_danger_now(name: str) -> None:
    problems = []
    for case in load(ALL_DANGER_FILES[name]):
        text, level = case.get("text"), case.get("level")
        allowed = {"text", "level", "category"} | ({"kind"} if level == "now" else set())
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{case}: text must be a non-empty string")
        if level not in LEVELS:
            problems.append(f"{case}: level must be one of {LEVELS}")
            continue
        if level == "now" and case.get("kind") not in KINDS:
            problems.append(f"{case}: a `now` case needs a kind from {KINDS}")
        if case.get("category") not in CATEGORIES[level]:
            problems.append(f"{case}: category must be one of {sorted(CATEGORIES[level])}")
        if set(case) - allowed:
            problems.append(f"{case}: unexpected fields {sorted(set(case) - allowed)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", DANGER_SETS)
def test_each_language_has_enough_cases_of_every_level(lang: str) -> None:
    cases = load(DANGER_SETS[lang])
    levels = Counter(case["level"] for case in cases)
    for level, least in MINIMUM.items():
        assert levels[level] >= least, f"{lang}: {levels[level]} `{level}` cases, want {least}"
    kinds = Counter(case["kind"] for case in cases if case["level"] == "now")
    assert set(kinds) == set(KINDS), f"{lang}: no `now` case of kind {sorted(set(KINDS) - set(kinds))}"
    categories = Counter(case["category"] for case in cases if case["level"] == "now")
    assert set(categories) == CATEGORIES["now"], f"{lang}: no case in {CATEGORIES['now'] - set(categories)}"
    indirect = categories["self_harm_indirect"]
    assert indirect >= MINIMUM_SELF_HARM_INDIRECT, f"{lang}: {indirect} indirect self-harm cases"


@pytest.mark.parametrize("lang", DANGER_SETS)
def test_both_halves_are_big_enough_to_measure_on(lang: str) -> None:
    for name, half in zip(("tuning", "held-out"), split(load(DANGER_SETS[lang])), strict=True):
        levels = Counter(case["level"] for case in half)
        for level, least in MINIMUM_PER_HALF.items():
            assert levels[level] >= least, f"{lang} {name} half: {levels[level]} `{level}` cases, want {least}"


def test_no_text_appears_twice_within_or_across_the_sets() -> None:
    seen: dict[str, str] = {}
    twice = []
    for lang, path in DANGER_SETS.items():
        for case in load(path):
            if key(case["text"]) in seen:
                twice.append(f"{lang}: {case['text']!r} (also in {seen[key(case['text'])]})")
            seen.setdefault(key(case["text"]), lang)
    assert not twice, "\n".join(twice)


def test_no_held_out_phrase_appears_verbatim_in_conversations() -> None:
    """Rules are written from the tuning half only, so no held-out text may be found in them.

    A held-out text of two words or more matches a string of conversations/ when both are equal
    once normalised, or, for texts of three words or more, when it appears inside one as whole words.
    A one-word case ("suicide", "auxilio") is vocabulary, not a phrase: any detector must know the
    word, so listing it is not copying the case.
    """
    copied = []
    for path in EVAL_FILES:
        written = {
            normalise(value)
            for rules in sorted(RULES_FOLDER.get(path, CONVERSATIONS).rglob("*.yaml"))
            for value in strings_in(yaml.safe_load(rules.read_text(encoding="utf-8")))
        }
        padded = [f" {value} " for value in written]
        for case in held_out(path):
            if path in FRESH_SETS.values() and case["text"] in FRESH_ALREADY_IN_RULES:
                continue
            text = normalise(case["text"])
            words = len(text.split())
            if (words >= 2 and text in written) or (words >= 3 and any(f" {text} " in value for value in padded)):
                copied.append(f"{path.name}: {case['text']!r}")
    assert not copied, f"{len(copied)} held-out phrases appear in conversations/:\n" + "\n".join(copied)


@pytest.mark.parametrize("lang", FRESH_SETS)
def test_a_fresh_set_says_on_its_first_line_who_wrote_it_and_that_it_is_held_out(lang: str) -> None:
    first = FRESH_SETS[lang].read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# Fresh danger set"), first
    for words in ("written", "by", "HELD OUT ENTIRELY"):
        assert words in first, f"{lang}: the first line must say {words!r}: {first}"


@pytest.mark.parametrize("lang", FRESH_SETS)
def test_a_fresh_set_has_enough_cases_of_every_level_kind_and_category(lang: str) -> None:
    cases = load(FRESH_SETS[lang])
    levels = Counter(case["level"] for case in cases)
    for level, least in MINIMUM_FRESH.items():
        assert levels[level] >= least, f"{lang}: {levels[level]} `{level}` cases, want {least}"
    kinds = Counter(case["kind"] for case in cases if case["level"] == "now")
    assert set(kinds) == set(KINDS), f"{lang}: no `now` case of kind {sorted(set(KINDS) - set(kinds))}"
    for level, names in CATEGORIES.items():
        present = {case["category"] for case in cases if case["level"] == level}
        assert present == names, f"{lang}: no `{level}` case in {sorted(names - present)}"
    indirect = sum(case["category"] == "self_harm_indirect" for case in cases)
    assert indirect >= MINIMUM_FRESH_SELF_HARM_INDIRECT, f"{lang}: {indirect} indirect self-harm cases"


def test_no_fresh_text_repeats_another_fresh_text_or_an_older_evaluation_text() -> None:
    """Compared once normalised, so "i'm scared" and "im scared" count as the same message."""
    older = {normalise(case["text"]) for path in (*DANGER_SETS.values(), *TUNING_SETS.values()) for case in load(path)}
    seen: set[str] = set()
    repeated = []
    for lang, path in FRESH_SETS.items():
        for case in load(path):
            text = normalise(case["text"])
            if text in seen or text in older:
                repeated.append(f"{lang}: {case['text']!r}")
            seen.add(text)
    assert not repeated, "\n".join(repeated)


def test_the_fresh_phrases_allowed_in_conversations_are_fresh_phrases() -> None:
    fresh = {case["text"] for path in FRESH_SETS.values() for case in load(path)}
    assert not FRESH_ALREADY_IN_RULES - fresh, sorted(FRESH_ALREADY_IN_RULES - fresh)
