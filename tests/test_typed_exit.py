"""Typed quick exit: a person who cannot find ❌ types "exit" or "salir", and the chat is erased."""

from __future__ import annotations

import pytest

from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.engine import Engine
from resource_bot.dialog.events import Command, CommandName, Effect, Press, Text
from resource_bot.dialog.quickexit import is_quick_exit, typed_exit_language

SCREENS = [
    ChatState(),
    ChatState(lang="en", screen="topic:legal", topic="legal", zip="77002"),
    ChatState(lang="es", screen="area"),
    ChatState(lang="en", screen="service:nhth", topic="trafficking"),
    ChatState(lang="es", screen="report:nhth", topic="trafficking"),
    ChatState(lang="en", screen="language"),
]


@pytest.mark.parametrize(
    ("typed", "lang"),
    [
        ("exit", "en"),
        ("EXIT", "en"),
        ("Exit!", "en"),
        ("  quick exit  ", "en"),
        ("Quick Exit please", "en"),
        ("exit now", "en"),
        ("please exit", "en"),
        ("delete this chat", "en"),
        ("salir", "es"),
        ("Salir.", "es"),
        ("salir por favor", "es"),
        ("SALIDA RÁPIDA", "es"),
        ("salida rapida", "es"),
        ("borrar", "es"),
        ("Borrar todo", "es"),
        ("bórralo ya", "es"),
        ("/salir", "es"),
        ("/salir@resource_test_bot", "es"),
        ("/SALIR", "es"),
    ],
)
def test_exit_words_are_recognised_in_either_language(typed: str, lang: str) -> None:
    assert typed_exit_language(typed) == lang


@pytest.mark.parametrize(
    "typed",
    [
        "how do I exit a lease",
        "exit visa",
        "I want to exit the country",
        "where is the exit",
        "no me dejan salir",
        "quiero salir de mi casa",
        "como borrar mis antecedentes",
        "borrar antecedentes penales",
        "please",
        "por favor",
        "",
        "ex it",
        "exit " * 30,
    ],
)
def test_exit_inside_a_longer_sentence_is_a_need_not_a_quick_exit(typed: str) -> None:
    assert typed_exit_language(typed) is None
    assert not is_quick_exit(Text(typed))


@pytest.mark.parametrize("state", SCREENS, ids=lambda s: f"{s.lang}-{s.screen}")
@pytest.mark.parametrize("typed", ["exit", "Quick exit", "salir", "borrar", "/salir"])
def test_typed_exit_does_what_the_button_does_on_every_screen(engine: Engine, state: ChatState, typed: str) -> None:
    outcome, after = engine.handle(state, Text(typed))
    button, _ = engine.handle(state, Press("x"))
    assert Effect.QUICK_EXIT in outcome.effects
    assert after == ChatState(), "nothing of the chat is kept"
    (reply,) = outcome.replies
    assert not reply.buttons, "no menu after an exit"
    assert reply.text in (engine.menus.ui("en", "exit_done"), engine.menus.ui("es", "exit_done"))
    assert outcome.effects == button.effects and outcome.stats == button.stats


def test_the_last_line_is_in_the_language_typed(engine: Engine) -> None:
    english_chat = ChatState(lang="en", screen="topic:food", topic="food")
    outcome, _ = engine.handle(english_chat, Text("salir"))
    assert outcome.replies[0].text == engine.menus.ui("es", "exit_done")
    outcome, _ = engine.handle(ChatState(lang="es"), Text("exit"))
    assert outcome.replies[0].text == engine.menus.ui("en", "exit_done")
    outcome, _ = engine.handle(ChatState(lang="es"), Press("x"))
    assert outcome.replies[0].text == engine.menus.ui("es", "exit_done")


def test_the_channels_know_an_exit_before_asking_the_engine() -> None:
    assert is_quick_exit(Press("x"))
    assert is_quick_exit(Command(CommandName.EXIT))
    assert is_quick_exit(Text("salir"))
    assert not is_quick_exit(Press("t:legal"))
    assert not is_quick_exit(Command(CommandName.FORGET))
    assert not is_quick_exit(Text("food"))


def test_danger_words_still_come_first_when_exit_is_only_part_of_the_message(engine: Engine) -> None:
    outcome, _ = engine.handle(ChatState(), Text("he is going to kill me i need to exit"))
    assert Effect.QUICK_EXIT not in outcome.effects
    assert "911" in outcome.replies[0].text


def test_typing_salir_in_the_terminal_erases_and_leaves(engine: Engine) -> None:
    import io

    from resource_bot.channels.terminal import TerminalChat

    out = io.StringIO()
    lines = iter(["salir\n", "food\n"])
    TerminalChat(engine, out).run(lambda: next(lines, ""))
    assert out.getvalue().rstrip().endswith(engine.menus.ui("es", "exit_done"))
