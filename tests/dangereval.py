"""Scoring the danger detector on the evaluation sets (tests/data/danger-eval-*.yaml).

Shared by tests/test_danger_eval.py (figures on the held-out half, never its texts) and by
``python -m tests.dangereval`` (the tuning half's misses and false alarms, to write rules from).
``python -m tests.dangereval --fresh`` prints the figures on the fresh sets (danger-fresh10-*.yaml),
held out whole: counts only, run once for the final measure, never to tune on. The first nine fresh
sets (danger-spent-*.yaml, danger-spent2-*.yaml .. danger-spent9-*.yaml) were measured and are tuning
material now, as are danger-tune3-*.yaml to danger-tune5-*.yaml, written blind as tuning material: their
misses are listed beside the tuning half's.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from resource_bot.dialog.danger import FIRST_LINES, DangerDetector, Verdict
from resource_bot.paths import conversations_dir
from tests.evalsplit import split

DATA = Path(__file__).parent / "data"
LANGS = ("en", "es")


Cases = list[dict[str, Any]]


def load(lang: str, which: str = "eval") -> Cases:
    """The cases of danger-{which}-{lang}.yaml: ``eval``, ``spent``..``spent9``, ``tune3``..``tune5``, ``fresh10``."""
    cases: Cases = yaml.safe_load((DATA / f"danger-{which}-{lang}.yaml").read_text(encoding="utf-8"))
    return cases


def named_set(which: str, about: str) -> Callable[[str], Cases]:
    """A loader for one named set, per language: ``named_set("spent", ...)("en")`` reads danger-spent-en.yaml."""

    def cases(lang: str) -> Cases:
        return load(lang, which)

    cases.__doc__ = about
    return cases


fresh = named_set("fresh10", "The whole fresh set: none of it is for tuning.")
spent = named_set("spent", "The first fresh set, measured twice and now tuning material.")
spent2 = named_set("spent2", "The second fresh set, measured once and now tuning material.")
spent3 = named_set("spent3", "The third fresh set, measured before and after the sixth pass; tuning material now.")
spent4 = named_set("spent4", "The fourth fresh set, measured before and after the seventh pass; tuning material now.")
spent5 = named_set(
    "spent5", "The fifth fresh set, measured before and after the eighth pass; it chose the learned model's limits."
)
spent6 = named_set(
    "spent6", "The sixth fresh set, measured before and after the learned model came in; tuning material now."
)
spent7 = named_set(
    "spent7", "The seventh fresh set, measured before and after the learned model's retrain; tuning material now."
)
spent8 = named_set(
    "spent8",
    "The eighth fresh set, measured before and after the seventh set's retrain; it chose the limit over a maybe.",
)
spent9 = named_set(
    "spent9",
    "The ninth fresh set, measured before and after the eighth set's retrain and the ninth pass; the tenth pass's.",
)
tune3 = named_set("tune3", "The third tuning set, written blind to the rules as tuning material from the start.")
tune4 = named_set("tune4", "The fourth tuning set, written blind as tuning material, most of it the hardest families.")
tune5 = named_set(
    "tune5", "The fifth tuning set, written blind as tuning material: indirect suicidal talk and its look-alikes."
)
#: The tuning sets besides the tuning half, each with the name the lister prints over its figures.
NAMED_TUNING_SETS: tuple[tuple[str, Callable[[str], Cases]], ...] = (
    ("SPENT SET", spent),
    ("SPENT SET 2", spent2),
    ("SPENT SET 3", spent3),
    ("SPENT SET 4", spent4),
    ("SPENT SET 5", spent5),
    ("SPENT SET 6", spent6),
    ("SPENT SET 7", spent7),
    ("SPENT SET 8", spent8),
    ("SPENT SET 9", spent9),
    ("TUNE SET 3", tune3),
    ("TUNE SET 4", tune4),
    ("TUNE SET 5", tune5),
)


def conflict_check(lang: str) -> Cases:
    """Hard-life conflicts with no danger (danger-conflict-check-*.yaml), held out from the learned model:
    how often a boss or a landlord who yells opens the emergency screen."""
    rows = yaml.safe_load((DATA / f"danger-conflict-check-{lang}.yaml").read_text(encoding="utf-8"))
    return [{"text": text, "level": level, "category": "conflict"} for text, level, _ in rows]


def tuning(lang: str) -> Cases:
    """Everything rules may be written from: the tuning half, the spent sets and the third tuning set."""
    return halves(lang)[0] + [case for _, cases in NAMED_TUNING_SETS for case in cases(lang)]


def halves(lang: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(tuning, held-out)."""
    return split(load(lang))


def first_line(kind: str | None) -> str | None:
    return FIRST_LINES[kind][0] if kind else None


@dataclass
class Figures:
    """Counts behind the reported rates; ``by_category`` maps a category to (caught, total)."""

    now: int = 0
    now_caught: int = 0
    now_first_line_right: int = 0
    now_kind_right: int = 0
    maybe: int = 0
    maybe_caught: int = 0
    none: int = 0
    false_alarms: int = 0
    none_asked: int = 0  # look-alikes that got the "are you safe?" question
    by_category: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    @staticmethod
    def rate(part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    @property
    def recall(self) -> float:
        return self.rate(self.now_caught, self.now)

    @property
    def first_line_rate(self) -> float:
        """Of the danger-now messages flagged now, the share whose screen starts with the right line."""
        return self.rate(self.now_first_line_right, self.now_caught)

    @property
    def maybe_rate(self) -> float:
        return self.rate(self.maybe_caught, self.maybe)

    @property
    def false_alarm_rate(self) -> float:
        return self.rate(self.false_alarms, self.none)


def good(case: dict[str, Any], verdict: Verdict) -> bool:
    """Whether the verdict does what the case needs (the per-category figure)."""
    if case["level"] == "now":
        return verdict.now
    if case["level"] == "maybe":
        return verdict.level in ("maybe", "now")
    return not verdict.now


def score(detector: DangerDetector, cases: list[dict[str, Any]]) -> Figures:
    f = Figures()
    for case in cases:
        verdict = detector.check(case["text"])
        cat = f.by_category[f"{case['level']}/{case['category']}"]
        cat[1] += 1
        cat[0] += good(case, verdict)
        if case["level"] == "now":
            f.now += 1
            if verdict.now:
                f.now_caught += 1
                f.now_first_line_right += first_line(verdict.kind) == first_line(case["kind"])
                f.now_kind_right += verdict.kind == case["kind"]
        elif case["level"] == "maybe":
            f.maybe += 1
            f.maybe_caught += verdict.level in ("maybe", "now")
        else:
            f.none += 1
            f.false_alarms += verdict.now
            f.none_asked += verdict.level == "maybe"
    return f


def summary(lang: str, f: Figures) -> str:
    return (
        f"{lang}: recall {f.recall:.1%} ({f.now_caught}/{f.now}), first line right {f.first_line_rate:.1%}, "
        f"kind exact {f.rate(f.now_kind_right, f.now_caught):.1%}, maybe caught {f.maybe_rate:.1%} "
        f"({f.maybe_caught}/{f.maybe}), false alarms {f.false_alarm_rate:.1%} ({f.false_alarms}/{f.none}), "
        f"look-alikes asked 'are you safe?' {f.rate(f.none_asked, f.none):.1%}"
    )


def markdown(detector: DangerDetector) -> str:
    """The held-out figures as README tables: counts only, never a text."""
    return tables({lang: score(detector, halves(lang)[1]) for lang in LANGS}, "held-out half")


def fresh_markdown(detector: DangerDetector) -> str:
    """The fresh sets' figures, in the same tables as the held-out half."""
    return tables({lang: score(detector, fresh(lang)) for lang in LANGS}, "fresh set (all held out)")


def tables(figures: dict[str, Figures], title: str) -> str:
    rows = [
        f"| {title} | English | Spanish |",
        "| --- | --- | --- |",
    ]

    def cell(part: int, whole: int) -> str:
        return f"{part / whole:.1%} ({part}/{whole})" if whole else "-"

    en, es = figures["en"], figures["es"]
    rows.append(f"| danger now flagged now (recall) | {cell(en.now_caught, en.now)} | {cell(es.now_caught, es.now)} |")
    rows.append(
        f"| ... with the right first line (988 or 911) | {cell(en.now_first_line_right, en.now_caught)} "
        f"| {cell(es.now_first_line_right, es.now_caught)} |"
    )
    maybe = f"{cell(en.maybe_caught, en.maybe)} | {cell(es.maybe_caught, es.maybe)}"
    rows.append(f"| maybe danger caught (maybe or now) | {maybe} |")
    rows.append(
        f"| look-alikes flagged now (false alarms) | {cell(en.false_alarms, en.none)} "
        f"| {cell(es.false_alarms, es.none)} |"
    )
    rows.append(
        f'| look-alikes asked "Are you safe?" | {cell(en.none_asked, en.none)} | {cell(es.none_asked, es.none)} |'
    )
    rows += ["", "| category (what counts as right) | English | Spanish |", "| --- | --- | --- |"]
    cats = sorted(set(en.by_category) | set(es.by_category))
    meaning = {"now": "flagged now", "maybe": "maybe or now", "none": "not flagged now"}
    for cat in cats:
        level = cat.split("/")[0]
        a = en.by_category.get(cat, [0, 0])
        b = es.by_category.get(cat, [0, 0])
        rows.append(f"| {cat} ({meaning[level]}) | {cell(a[0], a[1])} | {cell(b[0], b[1])} |")
    return "\n".join(rows)


def main(argv: list[str]) -> None:
    """Print the misses and false alarms of the tuning half and the spent sets (never a held-out text)."""
    detector = DangerDetector.from_directory(conversations_dir())
    if "--fresh" in argv:
        for lang in LANGS:
            print("FRESH", summary(lang, score(detector, fresh(lang))))
        print()
        print(fresh_markdown(detector))
        return
    if "--markdown" in argv:
        print(markdown(detector))
        return
    langs = [a for a in argv if a in LANGS] or list(LANGS)
    for lang in langs:
        for case in tuning(lang):
            v = detector.check(case["text"])
            wrong_kind = case["level"] == "now" and v.now and first_line(v.kind) != first_line(case.get("kind"))
            if not good(case, v) or wrong_kind or ("-v" in argv and case["level"] == "none" and v.level == "maybe"):
                want = f"{case['level']}/{case.get('kind') or case['category']}"
                print(f"{lang} want {want:24} got {v.level}/{v.kind}  {case['text']!r}  {list(v.rules)[:2]}")
        f = score(detector, halves(lang)[0])
        print("TUNING HALF", summary(lang, f))
        print("  by category:", {k: f"{a}/{b}" for k, (a, b) in sorted(f.by_category.items())})
        for name, cases in NAMED_TUNING_SETS:
            f = score(detector, cases(lang))
            print(name, summary(lang, f))
            print("  by category:", {k: f"{a}/{b}" for k, (a, b) in sorted(f.by_category.items())})


if __name__ == "__main__":
    main(sys.argv[1:])
