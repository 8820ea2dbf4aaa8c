"""The danger-word detector: danger phrases flag a crisis in both languages; idioms do not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resource_bot.dialog.danger import DangerDetector, DangerFileError, compile_pattern, load_danger_file
from resource_bot.paths import conversations_dir


@pytest.fixture(scope="module")
def detector() -> DangerDetector:
    return DangerDetector.from_directory(conversations_dir())


CRISIS = [
    ("he's going to kill me", "en"),
    ("he is going to kill me", "en"),
    ("they said they will kill us", "en"),
    ("I'm locked in", "en"),
    ("they locked me in the basement", "en"),
    ("I want to end it all", "en"),
    ("i want to kill myself", "en"),
    ("I feel like hurting myself", "en"),
    ("i'm in danger", "en"),
    ("he has a gun", "en"),
    ("they won't let me leave", "en"),
    ("im being held against my will", "en"),
    ("i think about suicide", "en"),
    ("me quiere matar", "es"),
    ("me va a matar", "es"),
    ("estoy en peligro", "es"),
    ("me tiene encerrada", "es"),
    ("no me dejan salir", "es"),
    ("me quiero morir", "es"),
    ("me quiero suicidar", "es"),
    ("ya no quiero vivir", "es"),
    ("tiene un cuchillo", "es"),
]

IDIOMS = [
    ("this homework is killing me", "en"),
    ("I killed it at my job interview", "en"),
    ("I'm dying to see that movie", "en"),
    ("my feet are killing me", "en"),
    ("lol i was dying laughing", "en"),
    ("you kill me haha", "en"),
    ("we're locked in on the project", "en"),
    ("I'm in danger of failing math", "en"),
    ("I volunteer with a suicide prevention hotline", "en"),
    ("my boss will let me go early", "en"),
    ("I am safe now", "en"),
    ("me muero de risa", "es"),
    ("me muero de hambre", "es"),
    ("me muero por verte", "es"),
    ("esta tarea me esta matando", "es"),
    ("me mata de risa", "es"),
    ("especies en peligro de extincion", "es"),
    ("voy a cortarme el pelo", "es"),
]


@pytest.mark.parametrize(("text", "lang"), CRISIS)
def test_danger_phrases_are_a_crisis(detector: DangerDetector, text: str, lang: str) -> None:
    assert detector.is_crisis(text, lang)
    assert detector.is_crisis(text)  # both languages


@pytest.mark.parametrize(("text", "lang"), IDIOMS)
def test_idioms_are_not_a_crisis(detector: DangerDetector, text: str, lang: str) -> None:
    assert not detector.is_crisis(text, lang), detector.explain(text, lang)
    assert not detector.is_crisis(text), detector.explain(text)


@pytest.mark.parametrize(
    "text",
    [
        "HE'S GOING TO KILL ME",
        "He’s GoInG tO kIlL mE",  # curly apostrophe, odd capitals
        "😱😱he's going to kill me😭",
        "he's going to kill me!!!!",
        "he's\tgoing\nto   kill me",
        "ME QUIERE MATÁR",
        "estoy en peligró 🙏🙏",
        "estoy en peligro",
        "🆘 estoy   EN PELIGRO 🆘",
        "me quiere matar!!",
    ],
)
def test_case_accents_emoji_and_spacing_do_not_hide_danger(detector: DangerDetector, text: str) -> None:
    assert detector.is_crisis(text)


@pytest.mark.parametrize(
    "text", ["im in dangr", "he's gona kill me", "they lockd me in", "sucide", "encerada"]
)
def test_small_typos_do_not_hide_danger(detector: DangerDetector, text: str) -> None:
    assert detector.is_crisis(text), text


def test_an_idiom_cancels_only_the_phrase_it_overlaps(detector: DangerDetector) -> None:
    assert not detector.is_crisis("this job is killing me")
    assert detector.is_crisis("this job is killing me and he is going to kill me")
    assert detector.is_crisis("me muero de risa pero estoy en peligro")


def test_explain_names_the_phrase_that_fired(detector: DangerDetector) -> None:
    assert detector.explain("he's going to kill me")
    assert detector.explain("what time is it") == []


def test_a_language_can_be_checked_alone(detector: DangerDetector) -> None:
    assert detector.is_crisis("me quiere matar", None)
    assert detector.is_crisis("me quiere matar", "es")
    assert not detector.is_crisis("me quiere matar", "en")
    assert detector.is_crisis("me quiere matar", "fr")  # an unknown language checks them all
    assert set(detector.languages) == {"en", "es"}


def test_ordinary_requests_are_not_a_crisis(detector: DangerDetector) -> None:
    for text in ("I need a lawyer", "mi jefe no me paga", "he took my passport", "what time is it", ""):
        assert not detector.is_crisis(text), text


def _instances(source: str) -> str:
    """The plainest text a phrase matches: first alternative of each word, optional words and gaps dropped."""
    words = [w.split("|")[0] for w in source.split() if w not in ("*", "...") and not w.endswith("?")]
    return " ".join(words)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_listed_phrase_does_what_its_list_says(detector: DangerDetector, lang: str) -> None:
    path = conversations_dir() / "danger" / f"{lang}.yaml"
    _, crisis, idioms = load_danger_file(path)
    assert len(crisis) >= 20 and len(idioms) >= 5
    silent = [
        p.source for p in crisis if "*" not in p.source and not detector.is_crisis(_instances(p.source), lang)
    ]
    assert not silent, f"{path}: crisis phrases that do not fire on their own words: {silent}"
    loud = [p.source for p in idioms if detector.is_crisis(_instances(p.source), lang)]
    assert not loud, f"{path}: idioms that still flag a crisis: {loud}"


def test_the_danger_files_say_changes_need_review() -> None:
    for lang in ("en", "es"):
        text = (conversations_dir() / "danger" / f"{lang}.yaml").read_text(encoding="utf-8")
        header = text[: text.index("\nlanguage:")]
        assert all(line.startswith("#") for line in header.strip().splitlines())
        assert "REVIEW" in header.upper() or "REVISIÓN" in header.upper()


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        ("* kill me", "must start"),
        ("kill ...", "must end"),
        ("kill me?", ""),
        ("kill e-mail", "exactly one word"),
        ("me? kill", "must start"),
    ],
)
def test_pattern_syntax_errors_are_explained(source: str, hint: str) -> None:
    if source == "kill me?":
        assert compile_pattern(source).source == source  # an optional last word is fine
        return
    with pytest.raises(DangerFileError, match=hint):
        compile_pattern(source, "somewhere.yaml")


@pytest.mark.parametrize(
    ("content", "hint"),
    [
        ("language: en\ncrisis: [kill me\n", "not valid YAML"),
        ("language: en\nphrases: [kill me]\n", "'crisis:' list"),
        ("language: en\ncrisis: [kill me]\nnot_crisis: killed it\n", "must be a list"),
        ("language: en\ncrisis: [kill me, 3]\n", "item 2"),
        ("language: en\ncrisis: ['... kill me']\n", "must start with a required word"),
    ],
)
def test_a_malformed_danger_file_raises_a_clear_error(tmp_path: Path, content: str, hint: str) -> None:
    folder = tmp_path / "conversations"
    shutil.copytree(conversations_dir() / "danger", folder / "danger")
    bad = folder / "danger" / "en.yaml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(DangerFileError) as caught:
        DangerDetector.from_directory(folder)
    assert str(bad) in str(caught.value) and hint in str(caught.value)


def test_a_missing_danger_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DangerFileError, match="no danger-phrase files"):
        DangerDetector.from_directory(tmp_path)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(
    text=st.one_of(st.text(max_size=500), st.text(min_size=4096, max_size=4096)),
    lang=st.sampled_from([None, "en", "es", "xx"]),
)
def test_any_text_gives_a_yes_or_no_and_danger_inside_noise_is_still_found(
    detector: DangerDetector, text: str, lang: str | None
) -> None:
    assert isinstance(detector.is_crisis(text, lang), bool)
    assert detector.is_crisis(f"{text[:200]}\n he's going to kill me \n{text[:200]}")
