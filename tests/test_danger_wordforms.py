"""A rule names a verb once (``~matar``, ``~kill``) and matches its forms; a Spanish word typed as it
sounds reads as the rule word. Each test builds a small danger folder, so it shows the syntax alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from resource_bot.dialog.danger import DangerDetector, DangerFileError
from resource_bot.dialog.wordforms import VerbForms, sound_key


def detector(tmp_path: Path, files: dict[str, str]) -> DangerDetector:
    folder = tmp_path / "danger"
    folder.mkdir()
    for lang, body in files.items():
        (folder / f"{lang}.yaml").write_text(f"language: {lang}\n{body}", encoding="utf-8")
    return DangerDetector.from_directory(tmp_path)


SPANISH = """
groups:
  hurt:
    - ~matar|~golpear|~encerrar|~seguir
now:
  violence:
    - "(me|nos) {hurt}"
    - "(quiere|va a) ~matar+me"
"""


@pytest.mark.parametrize(
    "text",
    [
        "me mata",
        "me mató",
        "me matará",
        "me golpea",
        "me golpeó",
        "nos golpearon",
        "me golpiaba",  # -ear said -iar
        "me encierra",  # e -> ie
        "me sigue",  # e -> i, silent u
        "me siguió",
        "ME ENSERO",  # typed as it sounds: encerró
        "quiere matarme",
        "va a matarnos",
    ],
)
def test_a_verb_named_once_matches_the_forms_people_type(tmp_path: Path, text: str) -> None:
    assert detector(tmp_path, {"es": SPANISH}).check(text).now


@pytest.mark.parametrize(
    "text",
    [
        "quiere matarlo",  # +me: only a form aimed at the writer
        "me matemática",  # not a form of matar
        "me segundo",
        "me golpe",  # a noun, not an ending of golpear
        "te mata",
    ],
)
def test_words_that_only_look_like_the_verb_do_not_match(tmp_path: Path, text: str) -> None:
    assert not detector(tmp_path, {"es": SPANISH}).check(text).now


def test_the_forms_of_a_verb_carry_one_or_two_attached_pronouns() -> None:
    forms = VerbForms("es", ["quitar", "matar", "ahorcar", "desaparecer", "huir"])
    assert forms.lemmas("quitarmela") == {"~quitar", "~quitar+me"}
    assert forms.lemmas("quitarsela") == {"~quitar"}
    assert forms.lemmas("matandonos") == {"~matar", "~matar+me"}
    assert forms.lemmas("matemonos") == {"~matar", "~matar+me"}
    assert forms.lemmas("ahorque") == {"~ahorcar"}
    assert forms.lemmas("desaparezco") == {"~desaparecer"}
    assert forms.lemmas("huyendo") == {"~huir"}
    assert forms.lemmas("mesa") == set()


def test_english_verbs_match_their_regular_forms(tmp_path: Path) -> None:
    found = detector(tmp_path, {"en": 'now:\n  violence:\n    - "~stab|~choke|~bury me"\n'})
    for text in ("he stabs me", "he stabbed me", "stabbing me", "choked me", "choking me", "buried me", "bury me"):
        assert found.check(text).now, text
    for text in ("he stabilised me", "chokehold me"):
        assert not found.check(text).now, text


def test_spellings_by_sound_are_read_only_for_spanish_rules(tmp_path: Path) -> None:
    both = detector(
        tmp_path,
        {
            "es": 'now:\n  held:\n    - "me tienen encerrada"\n',
            "en": 'now:\n  violence:\n    - "he has a gun"\n',
        },
    )
    assert both.check("me tienen ensearrada").now  # one typo and the sound: still read
    assert both.check("me tienen enserrada").now
    assert not both.check("he haz a gun").now  # English words are not read by Spanish sounds
    assert sound_key("pastillas") == sound_key("pastiyas")
    assert sound_key("sabe") == sound_key("save")
    assert sound_key("quiere") == sound_key("kiere")
    assert sound_key("guerra") != sound_key("jerra")


@pytest.mark.parametrize(
    ("lang", "rule", "hint"),
    [
        ("es", "me ~mata", "not a Spanish infinitive"),
        ("es", "me ~matar+te", "a '~' goes right before one verb"),
        ("es", "me ~ golpe", "a '~' goes right before one verb"),
        ("en", "~kill+me", "'+me' after a ~verb is for Spanish"),
    ],
)
def test_a_misused_tilde_is_refused_with_the_fix(tmp_path: Path, lang: str, rule: str, hint: str) -> None:
    with pytest.raises(DangerFileError) as caught:
        detector(tmp_path, {lang: f'now:\n  violence:\n    - "{rule}"\n'})
    assert hint in str(caught.value)


PUSHED = """
now:
  violence:
    - "(me|nos) ~pushar|~empujar|~herir|~beber|~picar|~cascar|~esposar"
"""


@pytest.mark.parametrize("text", ["me empujó", "me pushó", "me pusho", "me hirió", "me hiere", "me pica", "nos esposó"])
def test_real_forms_still_read(tmp_path: Path, text: str) -> None:
    assert detector(tmp_path, {"es": PUSHED}).check(text).now


@pytest.mark.parametrize(
    "text",
    [
        "me puso a limpiar",  # poner, not pushar
        "me puse triste",
        "me iria de aqui",  # ir, not herir by sound
        "me era dificil",  # ser, not herir without its h
        "me vivo quejando",  # vivir: e -> i is for -ir verbs, so no "bibo" of beber
        "me piso el pie",  # a -car verb never takes z: no "piz-o" of picar
        "me casa",  # nor cascar
    ],
)
def test_everyday_words_are_not_read_as_a_danger_verb(tmp_path: Path, text: str) -> None:
    assert not detector(tmp_path, {"es": PUSHED}).check(text).now


def test_everyday_words_are_not_read_as_a_typo_of_a_rule_word(tmp_path: Path) -> None:
    found = detector(tmp_path, {"es": 'now:\n  violence:\n    - "me pegaron|tocando|matandome"\n'})
    assert found.check("me pegsron").now  # a typo is still forgiven
    for text in ("me pagaron", "me tomando", "me mirandome"):
        assert not found.check(text).now, text


def test_a_verb_without_its_h_is_heard_only_in_its_infinitive_and_gerund() -> None:
    forms = VerbForms("es", ["herir", "hacer"])
    assert forms.lemmas("aser") == {"~hacer"}
    assert forms.lemmas("asiendo") == {"~hacer"}
    assert forms.lemmas("erir") == {"~herir"}
    for word in ("era", "eras", "iria", "asi", "aqui", "aca", "acido"):
        assert forms.lemmas(word) == set(), word
    assert forms.lemmas("hirio") == {"~herir"}
