"""What the rest of a message does to a danger it says: a laugh it denies, a story that turns from the
past to now, a question about a thing already done, and danger emoji.

Each case is a person typing a message and what they see: the emergency screen ("now", with the
kind that picks its first line), the question "Are you safe right now?" ("maybe"), or the usual
answer ("none"). The examples are written here, not taken from the evaluation sets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from resource_bot.dialog.danger import FIRST_LINES, DangerDetector
from resource_bot.dialog.dangerfile import DangerFileError, load_danger_file
from resource_bot.paths import conversations_dir


@pytest.fixture(scope="module")
def detector() -> DangerDetector:
    return DangerDetector.from_directory(conversations_dir())


def _screen(detector: DangerDetector, text: str, kind: str) -> None:
    verdict = detector.check(text)
    assert verdict.now, f"{text!r}: {verdict}"
    assert FIRST_LINES[verdict.kind or ""][0] == FIRST_LINES[kind][0], f"{text!r}: {verdict}"


# --- a laugh the message itself denies -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("hes got me locked in the basement lmao not a joke", "held"),
        ("my bf has a knife 😂 this isnt funny", "weapon"),
        ("lol he pulled a gun im not kidding", "weapon"),
        ("jajaja en serio mi esposo me tiene encerrada", "held"),
        ("jaja no es chiste, trae una pistola", "weapon"),
        ("lol fr he has a knife in his hand", "weapon"),  # "fr" before who does it
        # the idiom "me encerró ... jugando" reaches into the denial "no estoy jugando": it explains nothing
        ("me encerro en el cuarto jajaja no estoy jugando", "held"),
    ],
)
def test_a_laugh_the_message_denies_does_not_hide_the_emergency_screen(
    detector: DangerDetector, text: str, kind: str
) -> None:
    _screen(detector, text, kind)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("hes got me locked in the basement lmao", "maybe"),  # a laugh alone still lowers one step
        ("my brother is gonna kill me for eating his fries lol", "maybe"),
        ("im not serious lol my mom is gonna kill me", "maybe"),  # "not serious" is no denial
        ("my mom is gonna kill me lmao fr", "maybe"),  # a bare "fr" agrees with the joke
        ("mi hermanito me encerro en el baño jugando jaja", "none"),
        # a denial keeps the laugh from lowering, not the film
        ("i watched a horror movie where he has a gun im not kidding it was so scary", "maybe"),
    ],
)
def test_a_laugh_without_a_denial_still_lowers_and_a_denial_does_not_undo_a_film(
    detector: DangerDetector, text: str, level: str
) -> None:
    assert detector.check(text).level == level, text


# --- a story that turns from the past to now -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("he choked me last week and now he has a gun", "weapon"),
        ("he broke my arm in 2019 and this time he says hes going to kill me", "violence"),
        ("lo deje el año pasado pero ahora dice que me va a matar", "violence"),
        ("hace un año me escape pero ahora me esta siguiendo", "violence"),
        ("hace años me pegaba pero hoy llego borracho con un cuchillo", "weapon"),
        ("ive been sober 2 years and my ex just kicked in the door, hes got a bat", "weapon"),
        ("clean for a year but tonight i took all my pills", "medical"),
        ("lo deje hace dos años y esta noche me encontro, me quiere matar", "violence"),
        # a childhood told first, then self-harm now: 988 first
        ("i was abused as a kid and now i want to kill myself", "self_harm"),
        ("me abusaron de niña y ahora me quiero morir", "self_harm"),
    ],
)
def test_danger_said_after_the_story_turns_to_now_shows_the_emergency_screen(
    detector: DangerDetector, text: str, kind: str
) -> None:
    _screen(detector, text, kind)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("i escaped two years ago", "none"),
        ("he beat me last year, how do i get a protective order", "none"),
        # the past phrase comes after the turn, or there is nothing dangerous after it
        ("he used to hit me but now were fine", "maybe"),
        ("my ex hit me two years ago, now i want counseling", "maybe"),
        ("me violaron de niña y ahora quiero terapia", "maybe"),
        ("hace años intente matarme, ahora estoy bien", "maybe"),
        ("i used to cut myself but now im clean", "maybe"),
    ],
)
def test_the_past_still_calms_a_danger_told_before_the_turn(detector: DangerDetector, text: str, level: str) -> None:
    assert detector.check(text).level == level, text


# --- a question about a thing already done ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("what happens if i already took 20 pills", "medical"),
        ("what should i do if i already took too much of my medicine", "medical"),
        ("what happens if my son already swallowed a bunch of my pills", "children"),
        ("que pasa si ya me trague medio frasco de pastillas", "medical"),
        ("que hago si mi hijo ya se trago unas pastillas", "children"),
    ],
)
def test_a_question_about_pills_already_taken_shows_the_emergency_screen(
    detector: DangerDetector, text: str, kind: str
) -> None:
    _screen(detector, text, kind)


@pytest.mark.parametrize(
    "text",
    [
        "what would happen if i took 20 pills",
        "what happens if someone takes too many pills",
        "que pasa si me tomo 20 pastillas",
        "que pasa si alguien se toma muchas pastillas",
        # done, but in the past: the question and the past still calm it
        "what should i do if my friend already took too many pills last year",
        "my friend told me he just had a gun pulled on him last week",
    ],
)
def test_a_question_about_what_might_be_done_is_still_a_question(detector: DangerDetector, text: str) -> None:
    assert not detector.check(text).now, text


# --- a what-if that turns to now ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("y si algún día me mata? ya está aquí con la pistola", "weapon"),
        ("y que tal si un dia ya no despierto, me tomé todas las pastillas de mi mamá", "medical"),
        ("what should i do if he hits me again, hes banging on the door right now", "violence"),
        (
            "q hago si alguien se pego en la cabeza? bueno es mi esposa ahorita mismo, se cayo y no se levanta",
            "medical",
        ),
        ("y si algun dia lo hago? hoy me voy a tirar del puente", "self_harm"),
    ],
)
def test_a_hypothetical_then_danger_now_in_the_next_clause_shows_the_emergency_screen(
    detector: DangerDetector, text: str, kind: str
) -> None:
    _screen(detector, text, kind)


@pytest.mark.parametrize(
    "text",
    [
        # the present words are inside the hypothetical
        "what if someone is bleeding a lot, do you use a tourniquet",
        "say someone was following me home, should i go to a store or keep walking",
        "q hago si un dia alguien se desmaya en la obra y no respira?",
        # without a clause mark, the banging may be part of the what-if
        "what should i do if he hits me again hes banging on the door",
        # the door is in the question after the comma, not in a clause of its own
        "in case it ever happens, what should i do if my ex shows up at my door",
        # "not in danger today" says there is none
        "how can i help my mom leave my dad someday, shes not in danger today but she wants out",
    ],
)
def test_a_hypothetical_with_present_words_inside_it_stays_a_question(detector: DangerDetector, text: str) -> None:
    assert not detector.check(text).now, text


# --- danger emoji ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("he pulled a 🔪 on me", "weapon"),
        ("el tiene un 🔪", "weapon"),
        ("trae una 🔫 y me quiere matar", "weapon"),
        ("i took a bunch of 💊", "medical"),
        ("me tome muchas 💊", "medical"),
        ("hay 🩸 por todos lados y no respira", "medical"),
        ("he has a 🔫️", "weapon"),  # with the emoji presentation selector
    ],
)
def test_a_danger_emoji_reads_as_its_word_in_either_language(detector: DangerDetector, text: str, kind: str) -> None:
    _screen(detector, text, kind)


@pytest.mark.parametrize(
    "text",
    [
        "🔫🔫 water fight lol",
        "love this 🔪 set for my kitchen",
        "cooking with my new 🔪",
        "tengo que comprar un 🔪 nuevo para la cocina",
    ],
)
def test_a_kitchen_knife_or_a_water_fight_emoji_stays_calm(detector: DangerDetector, text: str) -> None:
    assert detector.check(text).level == "none", text


def _file(tmp_path: Path, emoji: str) -> Path:
    path = tmp_path / "en.yaml"
    path.write_text(f'language: en\nnow:\n  weapon:\n    - "has a knife"\nemoji:\n{emoji}\n', encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("emoji", "hint"),
    [
        ('  "🔪": sword', "no rule names"),
        ('  "🔪🔪": knife', "one emoji"),
        ('  "k": knife', "one emoji"),
        ('  "🔪": "sharp knife"', "one word"),
    ],
)
def test_an_emoji_section_names_one_emoji_and_a_word_the_rules_hold(tmp_path: Path, emoji: str, hint: str) -> None:
    with pytest.raises(DangerFileError, match=hint):
        load_danger_file(_file(tmp_path, emoji))


def test_each_danger_file_reads_the_same_danger_emoji() -> None:
    files = [load_danger_file(conversations_dir() / "danger" / f"{lang}.yaml") for lang in ("en", "es")]
    assert set(files[0].emoji) == set(files[1].emoji)
    assert {"🔪", "🔫", "💊", "🩸"} <= set(files[0].emoji)
    for rules in files:
        assert rules.serious and rules.turn and rules.done, rules.language
