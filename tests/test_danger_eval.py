"""The danger detector measured on the HELD-OUT half of the evaluation sets.

Rules in conversations/danger/ are written from the tuning half only (``python -m
tests.dangereval`` lists its misses); this test reports figures on the other half and prints
no held-out text. The floors sit a little under what the detector reaches, so a change that
makes it worse fails here; the measured figures are in the README.
"""

from __future__ import annotations

import pytest

from resource_bot.dialog.danger import DangerDetector
from tests.dangereval import LANGS, Figures, halves, score, spent, spent2, summary

#: Floors per language: (recall, first line right, maybe caught, most false alarms).
#: The issue asks for recall of at least 97% with at most 2% false alarms; these rules do not
#: reach that on the held-out half (README, "Danger, measured", the fifth look, 2026-12-01: 95.8% / 90.0%
#: recall, 1.1% / 0.9% false alarms), so the floors sit just under what they reach.
#: First line 0.95 / 0.96 for now: an overdose already taken is labelled medical (911 first) since the
#: sixth pass began, and the detector still reads it as self-harm (988 first).
FLOORS = {
    "en": (0.95, 0.95, 0.97, 0.025),  # 2026-12-01 dangeren: 95.8% (181/189), 99.4%, 100% (38/38), 1.1% (1/92)
    "es": (0.89, 0.96, 0.79, 0.02),  # 2026-12-01, fifth look: 90.0% (189/210), 99.5%, 80.0% (36/45), 0.9% (1/107)
}


def stays_above(floors: tuple[float, float, float, float], lang: str, f: Figures) -> None:
    """Recall, first line and maybe at or above their floors; false alarms at or below theirs."""
    recall, first_line, maybe, false_alarms = floors
    assert f.recall >= recall, summary(lang, f)
    assert f.first_line_rate >= first_line, summary(lang, f)
    assert f.maybe_rate >= maybe, summary(lang, f)
    assert f.false_alarm_rate <= false_alarms, summary(lang, f)


@pytest.fixture(scope="module")
def held_out(danger: DangerDetector) -> dict[str, Figures]:
    return {lang: score(danger, halves(lang)[1]) for lang in LANGS}


@pytest.mark.parametrize("lang", LANGS)
def test_held_out_figures_stay_above_their_floors(held_out: dict[str, Figures], lang: str) -> None:
    f = held_out[lang]
    print("\nHELD-OUT", summary(lang, f))
    print("  by category:", ", ".join(f"{k} {a}/{b}" for k, (a, b) in sorted(f.by_category.items())))
    stays_above(FLOORS[lang], lang, f)


def test_the_halves_are_disjoint_and_the_held_out_half_is_big_enough() -> None:
    for lang in LANGS:
        tuning, held = halves(lang)
        assert not {c["text"] for c in tuning} & {c["text"] for c in held}
        assert sum(c["level"] == "now" for c in held) >= 100


#: Floors on the spent set (tests/data/danger-spent-*.yaml): the first fresh set, measured twice (README,
#: "The honest figure": 82.7% / 69.9% recall, 97.4% / 97.7% first line, 76.6% / 60.3% maybe, 3.1% / 10.2%
#: false alarms) and tuning material since. Floors on tuning material only stop a change from undoing
#: what a rule was written for; raise them as rules improve. The held-out measure is the second fresh set.
#: Spanish, after verbs named once (~matar) and spellings read by sound: 88.6% recall, 85.3% maybe; false
#: alarms fell to 4.4% (6/137) once look-alike rules were written from the set's first half (tests/evalsplit.py's
#: split): 0/60 on that half, 6/77 on the other, which no rule was written from.
SPENT_FLOORS = {
    "en": (0.985, 0.98, 0.98, 0.015),  # 2026-12-01 enrules: 100% (231/231), 99.1%, 100% (64/64), 0.0% (0/128)
    "es": (0.88, 0.97, 0.85, 0.05),
}


@pytest.mark.parametrize("lang", LANGS)
def test_spent_set_figures_do_not_fall(danger: DangerDetector, lang: str) -> None:
    f = score(danger, spent(lang))
    print("\nSPENT", summary(lang, f))
    stays_above(SPENT_FLOORS[lang], lang, f)


#: Floors on the second spent set (tests/data/danger-spent2-*.yaml): the second fresh set, written while the
#: rules were being changed by people who never saw it, measured once on 2026-12-01 after the fourth pass
#: (README, "A fourth pass, and a second fresh set": 83.0% / 76.3% recall, 98.3% / 97.7% first line,
#: 75.6% / 72.0% maybe, 4.4% / 4.3% false alarms), and tuning material since. As for the first spent set,
#: these floors only stop a change from undoing what a rule was written for.
SPENT2_FLOORS = {
    "en": (0.975, 0.97, 0.97, 0.015),  # 2026-12-01 enrules: 99.3% (281/283), 98.6%, 100% (82/82), 0.0% (0/160)
    "es": (0.75, 0.97, 0.71, 0.05),
}


@pytest.mark.parametrize("lang", LANGS)
def test_second_spent_set_figures_do_not_fall(danger: DangerDetector, lang: str) -> None:
    f = score(danger, spent2(lang))
    print("\nSPENT2", summary(lang, f))
    stays_above(SPENT2_FLOORS[lang], lang, f)
