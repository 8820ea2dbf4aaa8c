"""Hand-written probes: danger said in words no evaluation case holds, and look-alikes that must not trip it.

The probes (tests/data/danger-probes-{en,es}.yaml) were written from the parts the issue names (who,
act, target, weapon, held, medical, self-harm said indirectly, now-ness; regional Spanish, typos,
missing accents, voseo, Spanglish), not from the evaluation sets. A probe that happens to equal an
evaluation text is skipped, so these tests never pin an evaluation phrase.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from resource_bot.dialog.danger import FIRST_LINES, DangerDetector
from tests.dangereval import LANGS, load

DATA = Path(__file__).parent / "data"
EVAL_TEXTS = {case["text"].strip().casefold() for lang in LANGS for case in load(lang)}


def probes(lang: str) -> list[tuple[str, str, str | None]]:
    rows: list[list[Any]] = yaml.safe_load((DATA / f"danger-probes-{lang}.yaml").read_text(encoding="utf-8"))
    return [(str(text), level, kind) for text, level, kind in rows if str(text).strip().casefold() not in EVAL_TEXTS]


def wrong(detector: DangerDetector, lang: str, level: str) -> list[str]:
    out = []
    for text, want, kind in probes(lang):
        if want != level:
            continue
        verdict = detector.check(text)
        if level == "now":
            ok = verdict.now and verdict.kind is not None and kind is not None
            ok = ok and FIRST_LINES[verdict.kind or ""][0] == FIRST_LINES[kind or ""][0]
        elif level == "maybe":
            ok = verdict.level != "none"
        else:
            ok = not verdict.now
        if not ok:
            out.append(f"{text!r}: want {want}/{kind}, got {verdict.level}/{verdict.kind} {list(verdict.rules)[:2]}")
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_every_danger_now_probe_shows_the_emergency_screen_with_the_right_first_line(
    danger: DangerDetector, lang: str
) -> None:
    assert not wrong(danger, lang, "now")


@pytest.mark.parametrize("lang", LANGS)
def test_every_maybe_probe_asks_are_you_safe_or_shows_the_emergency_screen(danger: DangerDetector, lang: str) -> None:
    assert not wrong(danger, lang, "maybe")


@pytest.mark.parametrize("lang", LANGS)
def test_no_look_alike_probe_shows_the_emergency_screen(danger: DangerDetector, lang: str) -> None:
    assert not wrong(danger, lang, "none")


@pytest.mark.parametrize("lang", LANGS)
def test_the_probes_cover_every_level_in_numbers(lang: str) -> None:
    levels = [level for _, level, _ in probes(lang)]
    assert levels.count("now") >= 150 and levels.count("maybe") >= 15 and levels.count("none") >= 40
