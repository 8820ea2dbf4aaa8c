"""The danger detector's learned second opinion (resource_bot.dialog.dangermodel).

Where the rules hear nothing, the model may raise a message to danger now or to "Are you safe right
now?"; where the rules heard only a "maybe", the Spanish model may raise it to danger now when it is
very sure; any other verdict of the rules stands. Its weights are data, trained by
``python -m tests.dangertrain`` from the tuning material only.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from resource_bot.dialog.danger import DangerDetector, DangerFileError, first_lines
from resource_bot.dialog.dangermodel import LearnedModel, Reading, Thresholds, pick_language, revise
from resource_bot.paths import conversations_dir
from tests.dangereval import LANGS, conflict_check, fresh, halves
from tests.dangertrain import digest, training, words

LEARNED = conversations_dir() / "danger" / "learned"


@pytest.fixture(scope="module")
def detector() -> DangerDetector:
    return DangerDetector.from_directory(conversations_dir())


@pytest.fixture(scope="module")
def rules_alone(detector: DangerDetector) -> DangerDetector:
    return DangerDetector(detector.rules)


def spec(lang: str) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((LEARNED / f"{lang}.json").read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("lang", LANGS)
def test_the_weights_were_trained_on_the_tuning_material_as_it_is_now(lang: str) -> None:
    trained_on = spec(lang)["trained_on"]
    assert isinstance(trained_on, dict)
    assert trained_on["sha256"] == digest(lang), (
        f"the {lang} sets or probes changed since the model was trained: "
        "pip install -e '.[train]' && python -m tests.dangertrain"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_the_model_never_learned_from_a_held_out_fresh_or_conflict_check_message(lang: str) -> None:
    learned = {" ".join(words(text)) for text, _ in training(lang)}
    measured = [case["text"] for case in halves(lang)[1] + fresh(lang) + conflict_check(lang)]
    assert not [text for text in measured if " ".join(words(text)) in learned]


@pytest.mark.parametrize("lang", LANGS)
def test_the_bot_reads_a_message_as_scikit_learn_did_when_it_wrote_the_weights(lang: str) -> None:
    loaded = spec(lang)
    model = LearnedModel(loaded)
    checks = loaded["checks"]
    assert isinstance(checks, list) and len(checks) >= 10
    for text, expected in checks:
        got = model.probabilities(words(text))
        assert math.isclose(sum(got), 1.0)
        assert all(abs(a - b) < 1e-4 for a, b in zip(got, expected, strict=True)), text


# Danger said in words no rule holds (made up for this test, in no evaluation set).
UNHEARD_DANGER = [
    # the rules hold "my boss keeps my passport and wont pay me", not these words
    ("my boss took my passport and does not pay me", "trafficking"),
    ("mi mama se tomo algo de debajo del fregadero", "medical"),  # something from under the sink
]


@pytest.mark.parametrize(("text", "kind"), UNHEARD_DANGER)
def test_danger_the_rules_do_not_hear_shows_the_emergency_screen_with_its_first_line(
    detector: DangerDetector, rules_alone: DangerDetector, text: str, kind: str
) -> None:
    assert not rules_alone.check(text).rules  # the rules are silent on it
    verdict = detector.check(text)
    assert verdict.now and verdict.kind == kind
    assert verdict.rules[0].startswith("learned: ")
    assert first_lines(verdict.kind)[0] == "us-911"


# Danger the Spanish rules only ask about (made up for this test, in no evaluation set): a threat for tonight,
# a gun fetched. (Papers kept from a crew with no pay are the rules' own danger since the tenth pass.)
HEARD_AS_MAYBE = [
    ("mi cuñado dice que esta noche me toca a mi y se fue riendo", "violence"),
    ("dice que fue al carro por la pistola y que cuando regrese me toca", "weapon"),
]


@pytest.mark.parametrize(("text", "kind"), HEARD_AS_MAYBE)
def test_danger_the_spanish_rules_only_ask_about_shows_the_emergency_screen_when_the_model_is_sure(
    detector: DangerDetector, rules_alone: DangerDetector, text: str, kind: str
) -> None:
    assert rules_alone.check(text).level == "maybe"
    verdict = detector.check(text)
    assert verdict.now and verdict.kind == kind
    assert verdict.rules[0].startswith("learned: ")
    assert verdict.rules[1:] == rules_alone.check(text).rules  # the rules' reasons are kept


def test_in_english_the_rules_question_stands_however_sure_the_model_is(detector: DangerDetector) -> None:
    # The model reads this request of the needs sets as danger now; English keeps "Are you safe right now?".
    text = "my ex is stalking me"
    assert LearnedModel(spec("en")).read(words(text)).now > 0.95
    assert detector.check(text).level == "maybe"


@pytest.mark.parametrize(
    "text",
    [
        "i want to die my hair blue",  # an idiom the rules know
        "my ex hit me two years ago, how do i get my record cleared",  # the past, and a question
        "my friend says her boyfriend scares her, how can i help",  # a helper
    ],
)
def test_where_the_rules_heard_something_their_verdict_stands(
    detector: DangerDetector, rules_alone: DangerDetector, text: str
) -> None:
    assert detector.check(text) == rules_alone.check(text)


@pytest.mark.parametrize("text", ["pay", "no", "kids", "hola", "help pls", "ayuda porfa", "0:O:X", "x o 911 11"])
def test_one_or_two_words_are_left_to_the_rules_and_the_topics(
    detector: DangerDetector, rules_alone: DangerDetector, text: str
) -> None:
    assert detector.check(text) == rules_alone.check(text)


@pytest.mark.parametrize(
    "text",
    [
        "do you know a place that fixes phones cheap",
        "necesito aprender ingles para el trabajo donde hay clases",
        "what papers do i need to sign my son up for school",
        "busco un dentista que acepte medicaid en el area",
    ],
)
def test_plain_requests_get_no_question_and_no_alarm(detector: DangerDetector, text: str) -> None:
    assert detector.check(text).level == "none"


def test_the_model_raises_what_it_is_sure_of_and_asks_when_it_is_less_sure() -> None:
    limits = Thresholds(now=0.9, maybe=0.9)
    assert revise(Reading(now=0.95, maybe=0.01, kind="held"), limits) == ("now", "held")
    assert revise(Reading(now=0.6, maybe=0.35, kind="held"), limits) == ("maybe", None)
    assert revise(Reading(now=0.3, maybe=0.3, kind="held"), limits) is None


def test_over_a_rules_maybe_only_a_very_sure_model_with_a_limit_raises_to_now() -> None:
    sure, unsure = Reading(now=0.97, maybe=0.02, kind="weapon"), Reading(now=0.93, maybe=0.05, kind="weapon")
    spanish = Thresholds(now=0.85, maybe=0.9, over_maybe=0.95)
    assert revise(sure, spanish, heard_maybe=True) == ("now", "weapon")
    assert revise(unsure, spanish, heard_maybe=True) is None  # sure enough where the rules heard nothing
    assert revise(unsure, spanish) == ("now", "weapon")
    english = Thresholds(now=0.85, maybe=0.9)  # no limit over a maybe: the question stands
    assert revise(sure, english, heard_maybe=True) is None
    # a short ask about papers stays a question, however sure the model is of trafficking; a longer one is raised
    papers = Reading(now=0.99, maybe=0.0, kind="trafficking")
    assert revise(papers, spanish, heard_maybe=True, words=4) is None
    assert revise(papers, spanish, heard_maybe=True, words=9) == ("now", "trafficking")


def test_a_taken_passport_is_asked_about_and_papers_kept_from_a_crew_with_no_pay_are_danger(
    detector: DangerDetector,
) -> None:
    assert detector.check("me quitaron el pasaporte").level == "maybe"
    verdict = detector.check("el capataz tiene los pasaportes de todos y no nos paga hace meses")
    assert verdict.now and verdict.kind == "trafficking"


def test_each_language_is_read_by_its_own_model_and_a_message_of_neither_by_both() -> None:
    models = {lang: LearnedModel(spec(lang)) for lang in LANGS}
    assert [
        m.language for m in pick_language(["mi", "jefe", "no", "me", "deja", "salir", "de", "la", "casa"], models)
    ] == ["es"]
    assert [
        m.language for m in pick_language(["my", "boss", "wont", "let", "me", "out", "of", "the", "house"], models)
    ] == ["en"]
    assert sorted(m.language for m in pick_language(["911", "911", "911"], models)) == ["en", "es"]


def test_without_learned_models_the_rules_judge_alone(tmp_path: Path) -> None:
    (tmp_path / "danger").mkdir()
    for lang in LANGS:
        source = conversations_dir() / "danger" / f"{lang}.yaml"
        (tmp_path / "danger" / f"{lang}.yaml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    alone = DangerDetector.from_directory(tmp_path)
    assert alone.check("he has a gun to my head").now
    assert not alone.check(UNHEARD_DANGER[0][0]).rules


def test_a_broken_model_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "danger" / "learned").mkdir(parents=True)
    for lang in LANGS:
        source = conversations_dir() / "danger" / f"{lang}.yaml"
        (tmp_path / "danger" / f"{lang}.yaml").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "danger" / "learned" / "en.json").write_text('{"language": "en", "classes": []}', encoding="utf-8")
    refused = r"en\.json: not a danger model file .*retrain with python -m tests\.dangertrain"
    with pytest.raises(DangerFileError, match=refused):
        DangerDetector.from_directory(tmp_path)
