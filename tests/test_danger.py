"""The danger detector: danger now (with its kind), maybe danger, and look-alikes, in both languages.

These are hand-written examples of each rule family; the measured figures come from the
evaluation sets (tests/test_danger_eval.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resource_bot.dialog.danger import FIRST_LINES, KINDS, DangerDetector, DangerFileError, first_lines
from resource_bot.dialog.dangerfile import LanguageRules, compile_rule, load_danger_file
from resource_bot.matching.textnorm import normalize
from resource_bot.paths import conversations_dir


@pytest.fixture(scope="module")
def detector() -> DangerDetector:
    return DangerDetector.from_directory(conversations_dir())


NOW = [
    # the issue's own examples
    ("he said he will hurt my kids", "children"),
    ("I want to die", "self_harm"),
    ("quiero morirme", "self_harm"),
    # a heated complaint does not hide being held ("ya no aguanto este trabajo" is an idiom only where it is)
    ("ya no aguanto este trabajo, el patron me tiene encerrada y no me deja salir", "trafficking"),
    # threats and attacks, said many ways
    ("he's going to kill me", "violence"),
    ("my husband says hes gonna beat me when he gets home", "violence"),
    ("she is hitting me right now", "violence"),
    ("me va a matar", "violence"),
    ("mi esposo me está golpeando", "violence"),
    ("someone is banging on my door trying to get in", "violence"),
    # weapons
    ("he has a gun", "weapon"),
    ("my boyfriend is holding a knife to my throat", "weapon"),
    ("tiene una pistola", "weapon"),
    # held
    ("they won't let me leave the house", "held"),
    ("im locked in a room", "held"),
    ("me tienen encerrada", "held"),
    ("no me dejan salir", "held"),
    # medical
    ("my friend is not breathing", "medical"),
    ("im bleeding a lot", "medical"),
    ("no puede respirar", "medical"),
    # self-harm, direct and not
    ("i'm going to kill myself tonight", "self_harm"),
    ("everyone would be better off without me", "self_harm"),
    ("i just want it all to end", "self_harm"),
    ("i took a whole bottle of pills", "self_harm"),
    ("ya no puedo más", "self_harm"),
    ("me quiero quitar la vida", "self_harm"),
    # children and trafficking
    ("he is hurting my daughter", "children"),
    ("le va a hacer daño a mis hijos", "children"),
    ("my pimp said he will kill me if i leave", "trafficking"),
    ("they make me work and lock me in at night", "trafficking"),
    ("me obligan a prostituirme", "trafficking"),
    # warning signs said indirectly (suicide: talk of being a burden, no way out, a plan, goodbyes)
    ("i feel like such a burden to everyone", "self_harm"),
    ("ive been stockpiling my pills", "self_harm"),
    ("im giving my stuff away to friends, i wont need it", "self_harm"),
    ("soy una carga para mi familia", "self_harm"),
    ("ya no le veo sentido a nada", "self_harm"),
    ("hoy me mato", "self_harm"),
    # the same danger in regional and phone Spanish
    ("me esta dando una pela", "violence"),
    ("ahi esta afuera", "violence"),
    ("ta pegandome", "violence"),
    ("le puso candado a la puerta", "held"),
    ("se tomo un monton de pastillas", "medical"),
    # someone following, papers kept with a debt, a child swallowing something
    ("a car has been following me for 10 blocks", "violence"),
    ("they keep my id and say i owe them", "trafficking"),
    ("my kid swallowed a battery", "children"),
]

MAYBE = [
    "im scared he will find me",
    "help me please",
    "necesito ayuda",
    "he's coming",
    "tengo miedo",
    "ya viene",
    "my boyfriend hits me",
    "i dont feel safe at home",
    "he found out where i live",
    "my ex got out of jail",
    "ya salio para aca",
    "no tengo a donde ir",
]

NONE = [
    # past events
    "I escaped two years ago",
    "hace años mi ex me pegaba, ahora busco un abogado",
    # helpers and questions
    "my friend was beaten last year, how can I help",
    "how do I report trafficking",
    "¿cómo denuncio un caso de trata?",
    # idioms and harmless uses
    "this homework is killing me",
    "I killed it at my job interview",
    "I'm dying to see that movie",
    "my feet are killing me",
    "lol i was dying laughing",
    "shoot me a text later",
    "hit me up tomorrow",
    "we're locked in on the project",
    "I'm in danger of failing math",
    "I volunteer with a suicide prevention hotline",
    "I am safe now",
    "me muero de risa",
    "me muero de hambre",
    "esta tarea me está matando",
    "voy a cortarme el pelo",
    "especies en peligro de extinción",
    # laughs typed any way, and more idioms
    "me voy a matar jajajaja",
    "i want to die hahahahaha",
    "im so dead lmaooo",
    "i want to die my hair blue",
    "me persigue la mala suerte",
    "me sigue en instagram",
    "la tarea me tiene secuestrada",
    "im gonna beat him at chess",
    "im trapped in this meeting",
    "i burned myself on the stove",
    "i need help making a will",
    # a boss or a landlord, said with heat; real words that are one letter from a rule word
    "quiero quejarme con el gerente porque no me pagan las horas extra",  # not "quemarme"
    "mi vecino tira las ramas de su arbol a mi patio",  # not "armas"
    "me deben el sueldo y nadie me da una explicacion",  # not "explotacion"
    "el casero me quiere cobrar la pintura del depa",
    "el humo del vecino entra a mi casa todo el dia",
    "the landlord wants us gone by the end of the month",
    "the collector says they will take me to court",
    # ordinary requests
    "I need a lawyer",
    "mi jefe no me paga",
    "he took my passport",
    "emergency rent assistance",
    "what time is it",
    "",
]


@pytest.mark.parametrize(("text", "kind"), NOW)
def test_a_person_in_danger_now_is_flagged_now_with_the_kind_that_picks_the_first_line(
    detector: DangerDetector, text: str, kind: str
) -> None:
    verdict = detector.check(text)
    assert (verdict.level, verdict.kind) == ("now", kind), verdict.rules
    assert detector.is_crisis(text)


@pytest.mark.parametrize("text", MAYBE)
def test_fear_and_pleas_for_help_are_maybe(detector: DangerDetector, text: str) -> None:
    assert detector.check(text).level == "maybe", detector.explain(text)


@pytest.mark.parametrize("text", NONE)
def test_past_events_helpers_questions_and_idioms_are_not_danger_now(detector: DangerDetector, text: str) -> None:
    verdict = detector.check(text)
    assert not verdict.now, verdict.rules


def test_every_kind_has_first_lines_and_self_harm_alone_starts_with_988() -> None:
    assert set(FIRST_LINES) == set(KINDS)
    assert [k for k, lines in FIRST_LINES.items() if lines[0] == "lifeline-988"] == ["self_harm"]
    assert FIRST_LINES["children"] == ("us-911", "childhelp")
    assert FIRST_LINES["trafficking"] == ("us-911", "nhth")


@pytest.mark.parametrize(
    "text",
    [
        "HE'S GOING TO KILL ME",
        "He’s GoInG tO kIlL mE",  # curly apostrophe, odd capitals
        "😱😱he's going to kill me😭",
        "he's going to kill me!!!!",
        "he's\tgoing\nto   kill me",
        "he is going to k\u200bill me",  # a zero-width space inside the word
        "he is going to k\u0456ll me",  # a Cyrillic і
        "he is going to kіll mе",  # Cyrillic і and е
        "he is going to ｋｉｌｌ me",  # full-width letters
        "he is going to k\u00adill me",  # a soft hyphen
        "ME QUIERE MATÁR",
        "estoy en peligró 🙏🙏",
        "🆘 estoy   EN PELIGRO 🆘",
    ],
)
def test_case_accents_emoji_invisible_characters_and_look_alike_letters_do_not_hide_danger(
    detector: DangerDetector, text: str
) -> None:
    assert detector.check(text).now, text


@pytest.mark.parametrize(
    "text", ["im in dangr", "he's gona kill me", "they lockd me in", "sucide", "encerada", "he has a gunn", "kil me"]
)
def test_small_typos_do_not_hide_danger(detector: DangerDetector, text: str) -> None:
    assert detector.check(text).now, text


@pytest.mark.parametrize(
    ("text", "kind"),
    [("me carto las venas", "self_harm"), ("me estay muriendo", "medical"), ("i took drogs", "medical")],
)
def test_a_typo_near_many_rule_words_still_reads_as_the_one_meant(
    detector: DangerDetector, text: str, kind: str
) -> None:
    # "carto" is one letter from "corto" and from many other rule words: every near word is kept,
    # so the one the rule needs is never crowded out by the others.
    verdict = detector.check(text)
    assert (verdict.level, verdict.kind) == ("now", kind), verdict.rules


def test_words_as_people_type_them_read_as_the_words_the_rules_use(detector: DangerDetector) -> None:
    assert detector.check("hes bouta shoot me").now
    assert detector.check("toy encerrada").now
    assert detector.check("me kiero morir").kind == "self_harm"


def test_an_idiom_cancels_only_the_rule_it_overlaps(detector: DangerDetector) -> None:
    assert not detector.check("this job is killing me").now
    assert detector.check("this job is killing me and he is going to kill me").now
    assert detector.check("me muero de risa pero estoy en peligro").now


def test_each_language_judges_alone_so_a_spanish_word_never_calms_an_english_threat(detector: DangerDetector) -> None:
    # "actor" is a film's in the Spanish rules (not_real); in English it may be anyone's job.
    verdict = detector.check("my ex is an actor and he has a gun to my head")
    assert (verdict.level, verdict.kind) == ("now", "weapon")
    assert not detector.check("el actor me va a matar").now  # still a film to the Spanish rules
    # "tráiler" stopped being a film's on its own: it is also a truck or a home ("he is outside my trailer").
    assert detector.check("he is outside my trailer with a gun").now


def test_a_word_of_either_language_may_name_who_is_held_spanglish(detector: DangerDetector) -> None:
    # An upgrade only adds a line, so words of either language may name it (the boss keeps the passport).
    verdict = detector.check("mi boss se quedo con mi passport y no me deja irme del job")
    assert (verdict.level, verdict.kind) == ("now", "trafficking")


@pytest.mark.parametrize(
    ("text", "kind", "also"),
    [
        # a threat to children, then self-harm: 911 and Childhelp first, 988 after
        ("voy a matar a mis hijos y después me mato", "children", ("self_harm",)),
        # someone else's threat and the wish to die: 911, then 988
        ("he is going to kill me and i want to die", "violence", ("self_harm",)),
        # pills taken or heavy bleeding are medical, even on purpose: 911, then 988 right after
        ("took too many pills on purpose", "medical", ("self_harm",)),
        ("i cut myself and im bleeding a lot", "medical", ("self_harm",)),
        ("estoy sangrando mucho, me corte a proposito", "medical", ("self_harm",)),
        # self-harm alone, and a violence look-alike conjugation inside it, say nothing more
        ("i want to die", "self_harm", ()),
        ("me quiero matar", "self_harm", ()),
        ("hoy me mato", "self_harm", ()),
    ],
)
def test_a_message_that_says_several_kinds_of_danger_names_them_all_most_urgent_first(
    detector: DangerDetector, text: str, kind: str, also: tuple[str, ...]
) -> None:
    verdict = detector.check(text)
    assert (verdict.level, verdict.kind, verdict.also) == ("now", kind, also), verdict.rules


def test_the_first_lines_of_several_kinds_follow_each_other_without_repeats() -> None:
    assert first_lines("children", ("self_harm",)) == ("us-911", "childhelp", "lifeline-988")
    assert first_lines("medical", ("self_harm",)) == ("us-911", "lifeline-988")
    assert first_lines("self_harm") == ("lifeline-988", "us-911")
    assert first_lines("trafficking", ("held", "violence")) == ("us-911", "nhth")


@pytest.mark.parametrize("text", ["i need help getting out of this house tonight", "help me get away from my husband"])
def test_a_plea_that_reads_on_past_an_idiom_is_not_explained_away_by_it(detector: DangerDetector, text: str) -> None:
    # "help me get" and "need help getting" are idioms (a form, a job); "... out of this house" is not.
    assert detector.check(text).level == "maybe", detector.explain(text)


@pytest.mark.parametrize(
    "text",
    [
        "help me get a job",
        "help me get out of my lease",
        "i need help with my rent please",
        "she beat me at chess again",  # a gap to "again" does not read on from the idiom
        "he beat me at cards again tonight",
    ],
)
def test_plain_idioms_are_still_not_danger(detector: DangerDetector, text: str) -> None:
    assert detector.check(text).level == "none", detector.explain(text)


def test_something_happening_now_keeps_a_past_word_from_calming_the_verdict(detector: DangerDetector) -> None:
    assert detector.check("he tried to kill me last year").level == "maybe"
    assert detector.check("he tried to kill me last year and he is outside right now").now


def test_explain_names_the_rules_that_fired(detector: DangerDetector) -> None:
    assert detector.explain("he's going to kill me")
    assert detector.explain("what time is it") == []


def test_a_language_can_be_checked_alone(detector: DangerDetector) -> None:
    assert detector.check("me quiere matar", None).now
    assert detector.check("me quiere matar", "es").now
    assert not detector.check("me quiere matar", "en").now
    assert detector.check("me quiere matar", "fr").now  # an unknown language checks them all
    assert set(detector.languages) == {"en", "es"}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_each_danger_file_has_rules_of_every_kind_and_every_section(lang: str) -> None:
    rules = load_danger_file(conversations_dir() / "danger" / f"{lang}.yaml")
    assert {r.kind for r in rules.now} == set(KINDS)
    for section in ("maybe", "not_danger", "present", "not_now", "not_me", "not_real"):
        assert getattr(rules, section), f"{lang}.yaml: {section} is empty"


def test_the_danger_files_explain_the_format_and_say_changes_need_review() -> None:
    for lang in ("en", "es"):
        text = (conversations_dir() / "danger" / f"{lang}.yaml").read_text(encoding="utf-8")
        header = text[: text.index("\nlanguage:")]
        assert all(line.startswith("#") for line in header.strip().splitlines())
        assert "REVIEW" in header.upper() or "REVISIÓN" in header.upper()
        for word in (
            "{",
            "...",
            "not_danger",
            "not_now",
            "not_me",
            "not_real",
            "present",
            "upgrade",
            "spellings",
            "serious",
            "turn",
            "done",
            "emoji",
            "988",
        ):
            assert word in header, f"{lang}.yaml header does not explain {word!r}"


@pytest.mark.parametrize(
    ("source", "hint"),
    [
        ("* kill me", "must start"),
        ("kill ...", "must end"),
        ("kill e-mail", "exactly one word"),
        ("me? kill", "must start"),
        ("{nobody} kill me", "not under 'groups:'"),
        ("kill (me|us", "no matching"),
        ("kill me|| us", "empty"),
        ("kill ^ me", "must come first"),
        ("kill $ me", "must come last"),
        ("kill (me|{x}?)", "is not a word or a {group}"),
        ("kill ...13 me", "1 to 12 words"),
        ("kill ...0 me", "1 to 12 words"),
        ("...8 kill me", "must start"),
        ("kill me ...8", "must end"),
    ],
)
def test_rule_syntax_errors_are_explained(source: str, hint: str) -> None:
    with pytest.raises(DangerFileError, match=hint):
        compile_rule(source, {}, "somewhere.yaml")


def test_a_rule_with_a_longer_gap_reaches_further_than_three_dots() -> None:
    def detector(rule: str) -> DangerDetector:
        return DangerDetector({"en": LanguageRules("en", now=[compile_rule(rule, kind="weapon")])})

    text = "he came home drunk and got out his gun"  # seven words between "he" and "gun"
    assert detector("he ...8 gun").check(text).kind == "weapon"
    assert not detector("he ... gun").check(text).now  # "..." skips at most four
    assert not detector("he ...6 gun").check(text).now


def test_a_well_formed_rule_compiles() -> None:
    groups = {"who": compile_rule("x").elements[0].alts}
    assert compile_rule("^ {who} ... (kill|hurt badly) me? $", groups).anchored


@pytest.mark.parametrize(
    ("content", "hint"),
    [
        ("language: en\nnow: [kill me\n", "not valid YAML"),
        ("language: en\nphrases: [kill me]\n", "'now:' mapping"),
        ("language: en\nnow:\n  violence: [kill me]\nmaybe: scared\n", "must be a list"),
        ("language: en\nnow:\n  violence: [kill me, 3]\n", "item 2"),
        ("language: en\nnow:\n  danger: [kill me]\n", "not a kind of danger"),
        ("language: en\nnow:\n  violence: ['... kill me']\n", "must start with a required word"),
        ("language: en\ngroups:\n  Who: [he]\nnow:\n  violence: [kill me]\n", "lower-case"),
        ("language: en\ngroups:\n  who: []\nnow:\n  violence: [kill me]\n", "non-empty list"),
        ("language: en\nnow:\n  violence: [kill me]\nextra: []\n", "unknown section"),
        ("language: en\nnow: {}\n", "no rules"),
        ("language: en\nnow:\n  violence: [kill me]\nspellings: [toy]\n", "'spellings' must map"),
        ("language: en\nnow:\n  violence: [kill me]\nspellings: {bouta: about to}\n", "one word on each side"),
    ],
)
def test_a_malformed_danger_file_is_refused_with_a_clear_message(tmp_path: Path, content: str, hint: str) -> None:
    folder = tmp_path / "conversations"
    shutil.copytree(conversations_dir() / "danger", folder / "danger")
    bad = folder / "danger" / "en.yaml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(DangerFileError) as caught:
        DangerDetector.from_directory(folder)
    assert str(bad) in str(caught.value) and hint in str(caught.value)


def test_a_missing_danger_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DangerFileError, match="no danger files"):
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
def test_any_text_gives_a_verdict_and_danger_inside_noise_is_still_found(
    detector: DangerDetector, text: str, lang: str | None
) -> None:
    verdict = detector.check(text, lang)
    assert verdict.level in ("now", "maybe", "none")
    assert (verdict.kind in KINDS) if verdict.now else verdict.kind is None
    # Words around the danger can change its meaning ("... xd", "last year"); noise without letters
    # cannot. A laughing emoji is not noise: the detector reads it like "lol" (see the test below).
    # "ⓚ" is not a letter, but it reads as "k" ("2ⓚ" is the game 2K): it is not noise either.
    noise = "".join(
        ch for ch in text[:200] if not any(c.isalpha() for c in ch + normalize(ch)) and ch not in LAUGHING_EMOJI
    )
    assert detector.check(f"{noise}\n he's going to kill me \n{noise}").now


LAUGHING_EMOJI = "😂🤣😆😹😅😝😜🤪💀☠"


@pytest.mark.parametrize(
    "text",
    ["he's going to kill me 😂", "😂\n he's going to kill me \n😂", "hes going to kill me lol", "me va a matar jajaja"],
)
def test_a_threat_with_a_laugh_still_asks_are_you_safe(detector: DangerDetector, text: str) -> None:
    assert detector.check(text).level in ("maybe", "now")


# --- the tenth pass -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "we got robbed by the refs again",
        "my bank account is bleeding after rent",
        "my coach is trying to kill me with these sprints",
        "my toddler pointed a banana at me and said hands up",
        "mi hijo juega con pistolas de airsoft con sus primos",
        "estoy encerrada en la casa estudiando para el examen",
        "me trajeron con engaños y trabaje sin pago, pero eso fue hace 10 años, ya tengo mi visa",
    ],
)
def test_a_tenth_pass_look_alike_stays_calm(detector: DangerDetector, text: str) -> None:
    assert not detector.check(text).now, text


@pytest.mark.parametrize(
    "text",
    [
        # danger said beside the tenth pass's calm words (a red-team helper's messages)
        "he pointed his finger at me and said hes going to kill me tonight",
        "my trainer is trying to kill me and he has a knife",
        "i watched the ending and now i want to kill myself, i have a rope",
        "hot chip challenge then my bf punched me in the face and im bleeding",
        "me tienen trabajando sin paga y no me dejan salir",
        "llevo un año sin sueldo en el rancho y el patron tiene mi pasaporte",
    ],
)
def test_danger_said_beside_a_tenth_pass_look_alike_is_still_danger(detector: DangerDetector, text: str) -> None:
    assert detector.check(text).now, text
