"""What a person in danger sees: the graded answer of the engine, in English and Spanish.

Danger now brings the emergency screen led by the right line; maybe danger brings one question,
"Are you safe right now?", with three ways forward; every such screen has Quick exit.
"""

from __future__ import annotations

import pytest

from resource_bot.dialog import buttons
from resource_bot.dialog.chatstate import ChatState
from resource_bot.dialog.danger import DangerDetector, Verdict
from resource_bot.dialog.engine import Engine
from resource_bot.dialog.events import Press, Reply, Text


def data_of(reply: Reply) -> list[str]:
    return [b.data for b in reply.all_buttons() if b.data]


def first_listed(reply: Reply) -> list[str]:
    """The services the screen lists, in order (from their details buttons)."""
    return [d.removeprefix("s:") for d in data_of(reply) if d.startswith("s:")]


def typed(engine: Engine, text: str, lang: str = "en", state: ChatState | None = None) -> tuple[Reply, ChatState]:
    outcome, after = engine.handle(state or ChatState(lang=lang), Text(text))
    return outcome.replies[0], after


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "I want to die"),
        ("en", "im going to kill myself"),
        ("es", "me quiero morir"),
        ("es", "ya no quiero vivir"),
    ],
)
def test_a_suicidal_message_gets_988_first_in_both_languages(engine: Engine, lang: str, text: str) -> None:
    reply, state = typed(engine, text, lang)
    assert state.screen == "topic:emergency"
    assert first_listed(reply)[:2] == ["lifeline-988", "us-911"]
    assert reply.text.startswith(engine.menus.ui(lang, "crisis_self_harm"))
    first_line = reply.text.splitlines()[0]
    assert "988" in first_line and "911" not in first_line
    assert buttons.QUICK_EXIT in data_of(reply)


def test_in_spanish_the_first_line_says_to_text_ayuda_to_988(engine: Engine) -> None:
    reply, _ = typed(engine, "me quiero matar", "es")
    assert "AYUDA" in reply.text.splitlines()[0] and "988" in reply.text.splitlines()[0]


@pytest.mark.parametrize(
    "text", ["he has a gun", "they won't let me leave", "he is beating me right now", "my friend is not breathing"]
)
def test_violence_weapons_being_held_and_medical_get_911_first(engine: Engine, text: str) -> None:
    reply, _ = typed(engine, text)
    assert first_listed(reply)[0] == "us-911"
    assert "911" in reply.text.splitlines()[0]


def test_a_threat_to_children_gets_911_then_childhelp(engine: Engine) -> None:
    reply, _ = typed(engine, "he said he will hurt my kids")
    assert first_listed(reply)[:2] == ["us-911", "childhelp"]
    assert reply.text.startswith(engine.menus.ui("en", "crisis_children"))


@pytest.mark.parametrize(
    ("lang", "text", "lines"),
    [
        ("es", "voy a matar a mis hijos y después me mato", ["us-911", "childhelp", "lifeline-988"]),
        ("en", "took too many pills on purpose", ["us-911", "lifeline-988"]),
        ("es", "estoy sangrando mucho, me corte a proposito", ["us-911", "lifeline-988"]),
    ],
)
def test_a_message_saying_several_dangers_lists_each_ones_line_most_urgent_first(
    engine: Engine, lang: str, text: str, lines: list[str]
) -> None:
    reply, _ = typed(engine, text, lang)
    assert first_listed(reply)[: len(lines)] == lines
    assert "911" in reply.text.splitlines()[0]


def test_being_held_for_work_or_sex_gets_911_then_the_trafficking_hotline(engine: Engine) -> None:
    for lang, text in (("en", "they make me work and lock me in at night"), ("es", "me obligan a prostituirme")):
        reply, _ = typed(engine, text, lang)
        assert first_listed(reply)[:2] == ["us-911", "nhth"]
        assert "1-888-373-7888" in reply.text


@pytest.mark.parametrize(
    "text", ["he is going to k\u200bill me", "he is going to k\u0456ll me", "he is going to ｋｉｌｌ me"]
)
def test_hidden_characters_and_look_alike_letters_do_not_hide_danger(engine: Engine, text: str) -> None:
    _, state = typed(engine, text)
    assert state.screen == "topic:emergency"


def test_danger_in_any_state_of_the_chat_gets_the_emergency_screen(engine: Engine) -> None:
    for state in (ChatState(screen="area"), ChatState(screen="topic:food", topic="food", page=3)):
        reply, after = typed(engine, "i want to end my life", state=state)
        assert after.screen == "topic:emergency" and first_listed(reply)[0] == "lifeline-988"


@pytest.mark.parametrize(
    ("lang", "text"), [("en", "help me please"), ("en", "im scared he will find me"), ("es", "necesito ayuda")]
)
def test_maybe_danger_asks_are_you_safe_with_three_ways_forward_and_quick_exit(
    engine: Engine, lang: str, text: str
) -> None:
    reply, state = typed(engine, text, lang)
    assert reply.text == engine.menus.ui(lang, "safe_check")
    assert state.screen == "safe_check"
    data = data_of(reply)
    assert data[:2] == [buttons.SAFE_CALL, buttons.SAFE_TALK]
    assert data[2].startswith("k:h")
    assert data[-1] == buttons.QUICK_EXIT


def test_on_the_safety_check_call_911_now_shows_911_first(engine: Engine) -> None:
    _, state = typed(engine, "help me please")
    outcome, after = engine.handle(state, Press(buttons.SAFE_CALL))
    reply = outcome.replies[0]
    assert first_listed(reply)[0] == "us-911" and "911" in reply.text.splitlines()[0]
    assert after.screen == "topic:emergency"


def test_on_the_safety_check_talk_to_someone_now_shows_the_24_7_lines(engine: Engine) -> None:
    _, state = typed(engine, "im scared")
    outcome, _ = engine.handle(state, Press(buttons.SAFE_TALK))
    reply = outcome.replies[0]
    assert first_listed(reply)[:3] == ["lifeline-988", "ndvh", "nhth"]
    assert buttons.QUICK_EXIT in data_of(reply)


def test_on_the_safety_check_show_me_help_opens_the_matched_topic_or_the_menu(engine: Engine) -> None:
    reply, state = typed(engine, "my boyfriend hits me")
    help_data = next(d for d in data_of(reply) if d.startswith("k:h"))
    outcome, after = engine.handle(state, Press(help_data))
    assert after.screen.startswith("topic:") or after.screen == "main"
    outcome, after = engine.handle(state, Press(buttons.safe_help()))
    assert after.screen == "main" and buttons.QUICK_EXIT in data_of(outcome.replies[0])


def test_after_are_you_safe_the_chat_keeps_its_language_when_it_is_stored_and_read_back(engine: Engine) -> None:
    # The stored chat is read back on the next message; "safe_check" was once refused there, so a Spanish
    # chat asked "¿Estás a salvo?" came back as a new English one.
    _, state = typed(engine, "necesito ayuda", "es")
    assert state.screen == "safe_check" and state.is_valid()
    assert ChatState.from_dict(state.to_dict()) == state


def test_forged_safety_check_data_is_refused(engine: Engine) -> None:
    state = ChatState(screen="safe_check")
    for forged in ("k:h:nope", "k:x", "k:h:", "k:c:1", "k:t:legal"):
        outcome, after = engine.handle(state, Press(forged))
        assert after is state, forged
        assert buttons.topic("emergency") in data_of(outcome.replies[0])


def test_look_alikes_get_the_usual_answer(engine: Engine) -> None:
    for text in (
        "this homework is killing me",
        "I escaped two years ago and need a lawyer",
        "how do I report trafficking",
    ):
        _, state = typed(engine, text)
        assert state.screen not in ("topic:emergency", "safe_check"), text


class CountingDetector(DangerDetector):
    """The real detector, counting how often a message is checked."""

    def __init__(self, real: DangerDetector) -> None:
        self.__dict__.update(real.__dict__)
        self.calls = 0

    def check(self, text: str, lang: str | None = None) -> Verdict:
        self.calls += 1
        return super().check(text, lang)


def test_each_typed_message_is_checked_for_danger_exactly_once(engine: Engine, danger: DangerDetector) -> None:
    counting = CountingDetector(danger)
    real = engine.danger
    engine.danger = counting
    try:
        for text in ("food bank near me", "help me please", "he has a gun", "77002"):
            before = counting.calls
            engine.handle(ChatState(), Text(text))
            assert counting.calls - before == 1, text
    finally:
        engine.danger = real
