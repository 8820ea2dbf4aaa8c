"""The danger detector measured on the HELD-OUT half of the evaluation sets.

Rules in conversations/danger/ are written from the tuning half only (``python -m
tests.dangereval`` lists its misses); this test reports figures on the other half and prints
no held-out text. The floors sit a little under what the detector reaches, so a change that
makes it worse fails here; the measured figures are in the README.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from resource_bot.dialog.danger import DangerDetector
from tests.dangereval import (
    LANGS,
    Figures,
    conflict_check,
    fresh,
    halves,
    score,
    spent,
    spent2,
    spent3,
    spent4,
    spent5,
    spent6,
    spent7,
    spent8,
    spent9,
    summary,
    tune3,
    tune4,
    tune5,
)

#: Floors per language: (recall, first line right, maybe caught, most false alarms).
#: The issue asks for recall of at least 97% with at most 2% false alarms; on the held-out half English
#: reaches it and Spanish reaches the recall only (README, "Danger, measured", 2026-12-02, with the learned model:
#: 98.4% / 97.6% recall, 1.1% / 4.7% false alarms; the rules alone read 97.4% / 91.4% and 1.1% / 1.9%), so the
#: floors sit just under what they reach.
FLOORS = {
    "en": (0.98, 0.98, 0.97, 0.02),  # 98.4% (186/189), 98.4%, 100% (38/38), 1.1% (1/92)
    "es": (0.97, 0.98, 0.95, 0.05),  # 97.6% (205/210), 99.0%, 95.6% (43/45), 4.7% (5/107)
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


#: Floors on the spent set (tests/data/danger-spent-*.yaml): the first fresh set, measured twice
#: (docs/danger-measures.md, "The first fresh set": 82.7% / 69.9% recall, 97.4% / 97.7% first line,
#: 76.6% / 60.3% maybe, 3.1% / 10.2% false alarms) and tuning material since. Floors on tuning
#: material only stop a change from undoing what a rule was written for; raise them as rules improve.
#: The held-out measure is the tenth fresh set.
#: Spanish, after verbs named once (~matar) and spellings read by sound: 88.6% recall, 85.3% maybe; false
#: alarms fell to 4.4% (6/137) once look-alike rules were written from the set's first half (tests/evalsplit.py's
#: split): 0/60 on that half, 6/77 on the other, which no rule was written from.
SPENT_FLOORS = {
    "en": (0.985, 0.98, 0.98, 0.015),  # 2026-12-01 enrules: 100% (231/231), 99.1%, 100% (64/64), 0.0% (0/128)
    "es": (0.99, 0.99, 0.99, 0.01),  # 2026-12-02 sixth pass: 100% (246/246), 99.6%, 100% (68/68), 0% (0/137)
}


#: Floors on the second spent set (tests/data/danger-spent2-*.yaml): the second fresh set, written while the
#: rules were being changed by people who never saw it, measured once on 2026-12-01 after the fourth pass
#: (docs/danger-measures.md, "A fourth pass, and a second fresh set": 83.0% / 76.3% recall, 98.3% / 97.7% first line,
#: 75.6% / 72.0% maybe, 4.4% / 4.3% false alarms), and tuning material since. As for the first spent set,
#: these floors only stop a change from undoing what a rule was written for.
SPENT2_FLOORS = {
    "en": (0.975, 0.97, 0.97, 0.015),  # 2026-12-01 enrules: 99.3% (281/283), 98.6%, 100% (82/82), 0.0% (0/160)
    "es": (0.99, 0.99, 0.98, 0.01),  # 2026-12-02 sixth pass: 100% (287/287), 99.7%, 98.8% (81/82), 0% (0/162)
}


#: Floors on the third tuning set (tests/data/danger-tune3-*.yaml), written blind to the rules as tuning
#: material: before the sixth pass the rules caught 53.1% / 74.7% of its danger; the pass was written from it.
TUNE3_FLOORS = {
    "en": (0.96, 0.99, 0.99, 0.01),  # 2026-12-02: 97.0% (263/271), 99.2%, 100% (68/68), 0% (0/109)
    "es": (0.99, 0.99, 0.96, 0.01),  # 2026-12-02: 100% (277/277), 99.3%, 96.9% (63/65), 0.8% (1/118)
}


#: Floors on the third spent set (tests/data/danger-spent3-*.yaml): the third fresh set, written by helpers who
#: never saw the rules, measured before and after the sixth pass (docs/danger-measures.md, "A sixth pass, and a
#: third fresh set": 78.8% / 74.6% recall before, 81.6% / 79.2% after) and tuning material since the seventh pass.
SPENT3_FLOORS = {
    "en": (0.99, 0.99, 0.99, 0.01),  # 2026-12-02 seventh pass: 100% (326/326), 100%, 100% (88/88), 0% (0/184)
    "es": (0.99, 0.99, 0.99, 0.01),  # 2026-12-02 seventh pass: 99.4% (344/346), 99.7%, 100% (85/85), 0% (0/185)
}


#: Floors on the fourth spent set (tests/data/danger-spent4-*.yaml): the fourth fresh set, written blind by four
#: helpers, measured before and after the seventh pass (docs/danger-measures.md: 70.9% / 81.8% recall before,
#: 72.4% / 84.4% after) and tuning material since the eighth pass.
SPENT4_FLOORS = {
    "en": (0.94, 0.99, 0.99, 0.01),  # with the learned model: 94.8% (313/330), 99.4%, 100% (88/88), 0% (0/184)
    "es": (0.99, 0.99, 0.98, 0.01),  # with the learned model: 99.7% (339/340), 99.7%, 98.9% (87/88), 0% (0/184)
}


#: Floors on the fifth spent set (tests/data/danger-spent5-*.yaml): the fifth fresh set, measured before and after
#: the eighth pass (81.5% / 79.4% recall before, 83.0% / 80.9% after), then used to choose the learned model's
#: limits (tests/dangertrain.py) and trained on. The ninth pass wrote Spanish rules from its false alarms.
SPENT5_FLOORS = {
    "en": (0.93, 0.99, 0.96, 0.07),  # with the learned model: 93.9% (310/330), 99.7%, 96.6% (85/88), 6.5% (12/184)
    "es": (0.97, 0.99, 0.96, 0.035),  # after the ninth set's retrain: 97.9% (333/340), 99.4%, 96.6%, 3.3% (6/184)
}


#: Floors on the sixth spent set (tests/data/danger-spent6-*.yaml): the sixth fresh set, measured before the learned
#: model came in (70.0% / 73.5% recall) and after (87.9% / 88.5%), then trained on. The ninth pass wrote
#: Spanish rules from its false alarms.
SPENT6_FLOORS = {
    "en": (0.94, 0.98, 0.96, 0.11),  # with the learned model: 94.2% (311/330), 99.0%, 96.6% (85/88), 10.9% (20/184)
    "es": (0.98, 0.98, 0.94, 0.01),  # after the ninth pass: 98.5% (335/340), 98.5%, 94.3% (83/88), 0% (0/184)
}


#: Floors on the fourth tuning set (tests/data/danger-tune4-*.yaml), written blind as tuning material for the
#: learned model, most of it the hardest families.
TUNE4_FLOORS = {
    "en": (0.92, 0.96, 0.95, 0.06),  # 92.4% (157/170), 96.8%, 95.6% (43/45), 5.9% (5/85)
    "es": (0.98, 0.98, 0.93, 0.06),  # 98.8% (168/170), 98.8%, 93.3% (42/45), 5.9% (5/85), trained at strength 300
}


#: Floors on the fifth tuning set (tests/data/danger-tune5-*.yaml): indirect suicidal talk and its look-alikes, written
#: blind as tuning material. Before the model learned from it, it read 71.9% / 68.8% recall with 14.0% / 8.7% false
#: alarms; after, in-sample, the figures below. Its look-alikes' false alarms are the rules' ("kill me now",
#: a question about suicide), which the model cannot lower.
TUNE5_FLOORS = {
    "en": (0.97, 0.97, 0.0, 0.15),  # 97.5% (156/160), 97.4%, no maybe cases, 14.0% (21/150)
    "es": (0.98, 0.98, 0.0, 0.07),  # 98.8% (158/160), 98.7%, no maybe cases, 6.0% (9/150)
}


#: Floors on the seventh spent set (tests/data/danger-spent7-*.yaml): the seventh fresh set, measured before the
#: learned model was retrained with the sixth (rules alone 64.5% / 72.4% recall; with the model 84.8% / 89.7%)
#: and after (85.5% / 90.0%), then trained on. The ninth pass wrote Spanish rules from its false alarms.
SPENT7_FLOORS = {
    "en": (0.92, 0.99, 0.96, 0.10),  # with the learned model: 92.7% (306/330), 99.3%, 96.6% (85/88), 9.2% (17/184)
    "es": (0.98, 0.98, 0.97, 0.035),  # after the ninth pass: 98.8% (336/340), 98.5%, 97.7% (86/88), 3.3% (6/184)
}


#: Floors on the eighth spent set (tests/data/danger-spent8-*.yaml): the eighth fresh set, measured before the
#: learned model was retrained with the seventh (rules alone 61.8% / 74.7% recall; with the model 84.8% / 87.9%)
#: and after (84.8% / 88.2%); then it chose the Spanish model's limit over the rules' "maybe" and was trained on.
SPENT8_FLOORS = {
    "en": (0.93, 0.99, 0.97, 0.10),  # with the learned model: 93.3% (308/330), 99.7%, 97.7% (86/88), 9.8% (18/184)
    "es": (0.99, 0.98, 0.96, 0.01),  # with the learned model: 99.4% (338/340), 98.5%, 96.6% (85/88), 0.5% (1/184)
}


#: Floors on the ninth spent set (tests/data/danger-spent9-*.yaml): the ninth fresh set, measured six times (counts
#: only) before and after the eighth set's retrain, the ninth pass, the conflict retrain and the what-if clause change
#: (last: 83.0% / 92.1% recall, 8.7% / 3.8% false alarms); then the tenth pass was written from it and the model
#: learned from it, so these figures are in-sample.
SPENT9_FLOORS = {
    "en": (0.91, 0.98, 0.94, 0.05),  # with tune5 learned: 91.5% (302/330), 99.0%, 94.3% (83/88), 4.3% (8/184)
    "es": (0.99, 0.99, 0.96, 0.02),  # after the tenth pass: 99.4% (338/340), 99.7%, 96.6% (85/88), 1.6% (3/184)
}


#: Floors on the tenth fresh set (tests/data/danger-fresh10-*.yaml), held out whole: written by eight helpers who
#: never saw the rules, measured before the ninth set became tuning material (87.4% / 91.8% recall, 7.1% / 7.9%
#: false alarms), after the tenth pass and its retrain, after the red team's rules were taken back, and after the
#: model learned from the fifth tuning set (README, "Danger, measured"). These floors only stop a change from making
#: the detector worse on it; raising them means tuning to it, which would end its use as a measure.
FRESH_FLOORS = {
    "en": (0.87, 0.97, 0.84, 0.07),  # after: 88.6% (303/342), 97.7%, 84.8% (78/92), 6.7% (16/240)
    "es": (0.92, 0.99, 0.86, 0.08),  # after: 93.6% (320/342), 99.1%, 87.0% (80/92), 7.9% (19/240)
}


#: Ceilings on the conflict check (tests/data/danger-conflict-check-*.yaml): hard-life conflicts with no danger,
#: held out from the learned model, written by helpers who saw nothing else. Before the model learned from the
#: conflict training file and the ninth pass read its rule false alarms, 9/120 (English) and 18/120 (Spanish)
#: opened the emergency screen (4 and 7 by the rules alone); after, 6 and 11 (3 and 6); after the ninth set's
#: retrain, 7 and 11; with the fifth tuning set learned too, 5 and 9.
CONFLICT_FLOORS = {
    "en": (0.0, 0.0, 0.0, 0.06),  # 4.2% (5/120) open the emergency screen
    "es": (0.0, 0.0, 0.0, 0.095),  # 7.5% (9/120)
}


#: The other sets: how each loads, and its floors per language.
OTHER_SETS: dict[str, tuple[Callable[[str], list[dict[str, Any]]], dict[str, tuple[float, float, float, float]]]] = {
    "spent": (spent, SPENT_FLOORS),
    "spent2": (spent2, SPENT2_FLOORS),
    "spent3": (spent3, SPENT3_FLOORS),
    "spent4": (spent4, SPENT4_FLOORS),
    "spent5": (spent5, SPENT5_FLOORS),
    "spent6": (spent6, SPENT6_FLOORS),
    "spent7": (spent7, SPENT7_FLOORS),
    "spent8": (spent8, SPENT8_FLOORS),
    "spent9": (spent9, SPENT9_FLOORS),
    "fresh10": (fresh, FRESH_FLOORS),
    "tune3": (tune3, TUNE3_FLOORS),
    "tune4": (tune4, TUNE4_FLOORS),
    "tune5": (tune5, TUNE5_FLOORS),
    "conflict_check": (conflict_check, CONFLICT_FLOORS),
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", OTHER_SETS)
def test_the_spent_tuning_and_fresh_figures_do_not_fall(danger: DangerDetector, name: str, lang: str) -> None:
    cases, floors = OTHER_SETS[name]
    f = score(danger, cases(lang))
    print(f"\n{name.upper()}", summary(lang, f))
    stays_above(floors[lang], lang, f)
